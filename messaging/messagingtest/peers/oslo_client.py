"""oslo.messaging RPC client scenarios, run against a (Go) server.

usage: oslo_client.py URL EXCHANGE TOPIC SERVER [scenario ...]
       oslo_client.py URL EXCHANGE TOPIC SERVER loop:N:TIMEOUT
Prints one "RESULT {...}" JSON line per scenario, then DONE.
The scenarios are the ones used to capture the oslo vectors.
"""
import sys
import time

import oslo_messaging

import common

SCENARIOS = []


def scenario(fn):
    SCENARIOS.append(fn)
    return fn


CTX = {"user_id": "u-123", "project_id": "p-456",
       "request_id": "req-0f0e0d0c-0b0a-4908-8706-050403020100",
       "roles": ["admin", "member"], "is_admin": True, "auth_token": None}


@scenario
def cast(c, s):
    return c.cast({}, "record_cast", a=1, b="two")


@scenario
def cast_to_server(c, s):
    return c.prepare(server=s).cast(CTX, "record_cast", to="server")


@scenario
def fanout_cast(c, s):
    return c.prepare(fanout=True).cast({}, "record_cast", fan="out")


@scenario
def call_echo(c, s):
    return c.call({}, "echo", x=1, y="why")


@scenario
def call_echo_v140(c, s):
    return c.prepare(version="1.40").call({}, "echo", x=1)


@scenario
def call_ctx(c, s):
    return c.call(CTX, "ctx")


@scenario
def call_to_server(c, s):
    return c.prepare(server=s).call({}, "echo", z=True)


@scenario
def call_none(c, s):
    return c.call({}, "none")


@scenario
def call_fail_valueerror(c, s):
    return c.call({}, "fail", msg="bad value")


@scenario
def call_unsupported_version(c, s):
    return c.prepare(version="1.41").call({}, "echo")


@scenario
def call_unsupported_major(c, s):
    return c.prepare(version="2.0").call({}, "echo")


@scenario
def call_no_such_method(c, s):
    return c.call({}, "does_not_exist")


@scenario
def call_private_method(c, s):
    return c.call({}, "_private")


@scenario
def call_namespace(c, s):
    return c.prepare(namespace="ns1", version="2.3").call({}, "ns_method", k="v")


@scenario
def call_namespace_bad(c, s):
    return c.prepare(namespace="nsX").call({}, "ns_method")


@scenario
def call_expected_exception(c, s):
    return c.call({}, "expected")


@scenario
def call_custom_allowed(c, s):
    return c.call({}, "custom")


@scenario
def call_custom_not_allowed(c, s):
    return c.transport_disallowed.call({}, "custom")


@scenario
def call_unicode(c, s):
    return c.call({}, "echo", s="h\u00e9llo \u2603", f=1.5, n=None, l=[1, "a"])


@scenario
def call_timeout_no_server(c, s):
    return c.prepare(topic=c.target.topic + "_nobody", timeout=2).call({}, "echo")


@scenario
def call_monitor(c, s):
    return c.prepare(call_monitor_timeout=2, timeout=20).call({}, "slow", seconds=5)


@scenario
def cast_mandatory_unroutable(c, s):
    return c.prepare(topic="nobody_listens_" + c.target.topic,
                     transport_options=oslo_messaging.TransportOptions(at_least_once=True)
                     ).cast({}, "echo")


@scenario
def call_mandatory_unroutable(c, s):
    return c.prepare(topic="nobody_listens_" + c.target.topic,
                     transport_options=oslo_messaging.TransportOptions(at_least_once=True)
                     ).call({}, "echo")


def loop(client, n, timeout):
    """n sequential echo calls; counts outcomes by exception type."""
    counts = {}
    worst = 0.0
    c = client.prepare(timeout=timeout)
    for i in range(n):
        t0 = time.time()
        try:
            c.call({}, "echo", i=i)
            kind = "ok"
        except Exception as e:  # noqa: BLE001
            kind = type(e).__name__
        worst = max(worst, time.time() - t0)
        counts[kind] = counts.get(kind, 0) + 1
        if i % 10 == 0:
            common.emit("PROGRESS", {"done": i + 1})
        time.sleep(0.02)
    common.emit("LOOP", {"counts": counts, "worst_seconds": round(worst, 3)})


def main():
    url, exchange, topic, server = sys.argv[1:5]
    wanted = set(sys.argv[5:])
    conf = common.make_conf(exchange)
    tr = common.transport(conf, url, allowed=["remote_exc"])
    tr2 = common.transport(conf, url)
    target = oslo_messaging.Target(topic=topic)
    client = oslo_messaging.get_rpc_client(tr, target, timeout=10)
    client.transport_disallowed = oslo_messaging.get_rpc_client(tr2, target, timeout=10)
    loops = [w for w in wanted if w.startswith("loop:")]
    if loops:
        _, n, timeout = loops[0].split(":")
        loop(client, int(n), float(timeout))
        wanted = set()
        tr.cleanup()
        tr2.cleanup()
        print("DONE", flush=True)
        return
    for fn in SCENARIOS:
        if wanted and fn.__name__ not in wanted:
            continue
        start = time.time()
        out = {"scenario": fn.__name__}
        try:
            out["result"] = fn(client, server)
            out["ok"] = True
        except Exception as e:  # noqa: BLE001 - report every outcome
            out["ok"] = False
            out["exception"] = common.describe_exc(e)
        out["elapsed"] = round(time.time() - start, 3)
        common.emit("RESULT", out)
    tr.cleanup()
    tr2.cleanup()
    print("DONE", flush=True)


if __name__ == "__main__":
    main()
