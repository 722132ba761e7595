#!/usr/bin/python3
"""multibmc.py with fault injection, driven by lines on stdin.

usage: /usr/bin/python3 faultbmc.py BASEPORT COUNT [USER PASS]
Each stdin line is a command answered by one stdout line:
  drop PORT NETFN CMD N       run the next N such requests, send no reply
  cc PORT NETFN CMD CODE N    answer the next N such requests with CODE,
                              without running them
  delay PORT SECONDS          wait before handling each request (0: off)
  count PORT NETFN CMD        print how many such requests arrived
  state PORT                  print power, NMI count and raw boot flags
NETFN, CMD and CODE are decimal or 0x-prefixed hexadecimal.
"""
import sys
import threading
import time

import multibmc

BMCS = {}


class FaultBmc(multibmc.FakeBmc):
    def __init__(self, authdata, port):
        super().__init__(authdata, port)
        self.port = port
        self.rules = {}   # (netfn, cmd) -> list of [kind, arg, remaining]
        self.counts = {}
        self.delay = 0.0
        BMCS[port] = self

    def handle_raw_request(self, request, session):
        key = (request['netfn'], request['command'])
        self.counts[key] = self.counts.get(key, 0) + 1
        if self.delay:
            time.sleep(self.delay)
        rules = self.rules.get(key)
        if rules:
            kind, arg, left = rules[0]
            if left <= 1:
                rules.pop(0)
            else:
                rules[0][2] = left - 1
            if kind == 'cc':
                return session.send_ipmi_response(code=arg)
            if kind == 'drop':
                send = session.send_ipmi_response
                session.send_ipmi_response = lambda *a, **k: None
                try:
                    return super().handle_raw_request(request, session)
                finally:
                    session.send_ipmi_response = send
        return super().handle_raw_request(request, session)


def num(s):
    return int(s, 0)


def control():
    for line in sys.stdin:
        w = line.split()
        try:
            b = BMCS[num(w[1])]
            if w[0] == 'drop':
                b.rules.setdefault((num(w[2]), num(w[3])), []).append(['drop', None, num(w[4])])
                out = 'ok'
            elif w[0] == 'cc':
                b.rules.setdefault((num(w[2]), num(w[3])), []).append(['cc', num(w[4]), num(w[5])])
                out = 'ok'
            elif w[0] == 'delay':
                b.delay = float(w[2])
                out = 'ok'
            elif w[0] == 'count':
                out = str(b.counts.get((num(w[2]), num(w[3])), 0))
            elif w[0] == 'state':
                out = '%s %d %s' % (b.powerstate, b.nmi_count, ''.join('%02x' % x for x in b.bootflags))
            else:
                out = 'error unknown command'
        except Exception as e:  # answer every line
            out = 'error %s' % e
        print(out, flush=True)


if __name__ == '__main__':
    threading.Thread(target=control, daemon=True).start()
    multibmc.main(FaultBmc)
