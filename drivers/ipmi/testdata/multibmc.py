#!/usr/bin/python3
"""Many fake IPMI BMCs in one process (Debian python3-pyghmi).

usage: /usr/bin/python3 multibmc.py BASEPORT COUNT [USER PASS]
Prints 'listening on 127.0.0.1:A-B' when ready. Unlike pyghmi's stock
fakebmc it supports power cycle and NMI, keeps the raw boot flags (so
persistent and UEFI round-trip) and survives 'mc reset cold'.
Import it and pass main() another factory to inject faults (faultbmc.py).
"""
import sys

import pyghmi.ipmi.bmc as bmc
import pyghmi.ipmi.private.session as ipmisession


class FakeBmc(bmc.Bmc):
    def __init__(self, authdata, port):
        super().__init__(authdata, port=port, address='127.0.0.1')
        self.powerstate, self.bootdevice = 'off', 'default'
        self.bootflags = [0, 0, 0, 0, 0]  # raw boot-flags parameter 5
        self.nmi_count = 0

    def set_system_boot_options(self, request, session):
        if request['data'][0] & 0x7f == 5:
            self.bootflags = list(request['data'][1:6])
            return session.send_ipmi_response()
        return super().set_system_boot_options(request, session)

    def get_system_boot_options(self, request, session):
        if request['data'][0] & 0x7f == 5:
            return session.send_ipmi_response(data=[1, 5] + self.bootflags)
        return super().get_system_boot_options(request, session)

    def get_boot_device(self): return self.bootdevice
    def set_boot_device(self, d): self.bootdevice = d
    def cold_reset(self): return 0  # pyghmi sends the return value as the completion code
    def get_power_state(self): return self.powerstate
    def power_off(self): self.powerstate = 'off'
    def power_on(self): self.powerstate = 'on'
    def power_cycle(self): self.powerstate = 'on'
    def power_reset(self): pass
    def pulse_diag(self): self.nmi_count += 1
    def power_shutdown(self): self.powerstate = 'off'
    def is_active(self): return self.powerstate == 'on'


def main(factory=FakeBmc):
    base, count = int(sys.argv[1]), int(sys.argv[2])
    user, pw = (sys.argv[3], sys.argv[4]) if len(sys.argv) > 4 else ('admin', 'password')
    bmcs = [factory({user: pw}, base + i) for i in range(count)]
    print('listening on 127.0.0.1:%d-%d' % (base, base + count - 1), flush=True)
    while True:
        ipmisession.Session.wait_for_rsp(30)
    return bmcs


if __name__ == '__main__':
    main()
