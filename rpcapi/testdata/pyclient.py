"""Debian's python3-ironic ConductorAPI sending the test's calls.

usage: pyclient.py URL EXCHANGE TOPIC HOST CASES_JSON

The client is ironic.conductor.rpcapi.ConductorAPI with its RPC client
replaced by one capped at 1.40, built as ironic-api would build it with a
1.40 pin: rpc.get_client(Target(topic, version='1.0'), version_cap='1.40',
serializer=IronicObjectSerializer()). Its bare topic is TOPIC; node and
driver calls go to TOPIC.HOST (what get_topic_for would return), object_*
calls to the bare topic as Ironic sends them. The context is
ironic.common.context.get_admin_context(), printed first ("CTX {...}").
Each case prints "DONE {"id": ..., "ok": bool, "result": ..., "error": ...}",
the result serialized again as Ironic's serializer would send it.
"""
import inspect
import json
import sys

import oslo_messaging

import pyironic


def main():
    url, exchange, topic, host, cases_path = sys.argv[1:6]
    _, transport = pyironic.setup(url, exchange)
    from ironic.common import context
    from ironic.common import rpc
    from ironic.conductor import rpcapi
    from ironic.objects import base as objects_base

    ctx = context.get_admin_context()
    pyironic.emit("CTX", ctx.to_dict())
    api = rpcapi.ConductorAPI(topic=topic)
    api.client = rpc.get_client(
        oslo_messaging.Target(topic=topic, version="1.0"),
        version_cap="1.40", serializer=objects_base.IronicObjectSerializer())
    serializer = objects_base.IronicObjectSerializer()
    with open(cases_path) as f:
        cases = json.load(f)
    for case in cases:
        if case.get("go_only"):
            continue
        fn = getattr(api, case["method"])
        kwargs = pyironic.build(ctx, case["kwargs"])
        kwargs.update(case.get("py_kwargs") or {})
        if "topic" in inspect.signature(fn).parameters:
            kwargs["topic"] = topic + "." + host
        try:
            result = fn(ctx, **kwargs)
            result = serializer.serialize_entity(ctx, result)
            pyironic.emit("DONE", {"id": case["id"], "ok": True, "result": result})
        except Exception as e:
            pyironic.emit("DONE", {"id": case["id"], "ok": False,
                                   "error": type(e).__name__ + ": " + str(e).split("\n")[0]})
    q = getattr(transport._driver, "_reply_q", None)
    pyironic.emit("REPLYQ", q)
    transport.cleanup()


if __name__ == "__main__":
    main()
