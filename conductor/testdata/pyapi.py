"""ironic-api's side of the conductor RPC, with Debian's python3-ironic.

usage: pyapi.py URL EXCHANGE TOPIC DB_URL

It calls a conductor the way Ironic's API does: Ironic's CONF, its
objects (loaded from and created in the conductors' database, DB_URL, a
SQLAlchemy URL) and its ConductorAPI, whose RPC client is replaced by one
capped at 1.40, as ironic-api would build it with a 1.40 pin:
rpc.get_client(Target(topic=TOPIC, version='1.0'), version_cap='1.40',
serializer=IronicObjectSerializer()), with Ironic's allowed_remote_exmods.

Requests come on stdin, one JSON object a line:
  {"id": ..., "method": "<ConductorAPI method>", "kwargs": {...},
   "topic": "<TOPIC>.<host>" (omitted for the object_* methods),
   "expect": "<exception class>" (optional)}
or {"id": ..., "batch": [request, ...]}: the requests made at once, one
thread each (answered by one DONE line with "results").
Object arguments are specs:
  {"$load": "Node"|"Port"|"Portgroup"|"VolumeConnector"|"VolumeTarget",
   "uuid": ..., "changes": {field: value}}   loaded by UUID as the API
                                             loads it, then patched;
  {"$new": "Node", "fields": {...}}          a new object, as POST builds it.
Each request prints "DONE {"id", "ok", "result" | "error"}"; the result is
serialized again as Ironic's serializer would send it, the error described
by its class, Ironic base classes, HTTP code and message (and
"isinstance": whether it is an instance of Ironic's "expect" class).
"""
import json
import sys
import threading

import oslo_messaging


_emit_lock = threading.Lock()


def emit(kind, payload):
    line = kind + " " + json.dumps(payload, sort_keys=True, default=str) + "\n"
    with _emit_lock:
        sys.stdout.write(line)
        sys.stdout.flush()


def setup(url, exchange, db_url):
    """Ironic's own start-up of a command (prepare_command), from a
    configuration file as ironic-api would have: transport_url,
    control_exchange and [database] connection. rpc.init builds the
    transport with Ironic's allowed_remote_exmods."""
    import os
    import tempfile
    from ironic.common import rpc
    from ironic.common import service as ironic_service
    with tempfile.NamedTemporaryFile("w", suffix=".conf", delete=False) as f:
        f.write("[DEFAULT]\ntransport_url = %s\ncontrol_exchange = %s\n"
                "use_stderr = true\ndebug = false\n"
                "[oslo_messaging_notifications]\ndriver = noop\n"
                "[database]\nconnection = %s\n" % (url, exchange, db_url))
    try:
        ironic_service.prepare_command([sys.argv[0], "--config-file", f.name])
    finally:
        os.unlink(f.name)
    return rpc.TRANSPORT


def build(ctx, value):
    from ironic import objects
    if isinstance(value, dict):
        if "$load" in value:
            cls = getattr(objects, value["$load"])
            obj = cls.get_by_uuid(ctx, value["uuid"])
            for k, v in (value.get("changes") or {}).items():
                setattr(obj, k, v)
            return obj
        if "$new" in value:
            return getattr(objects, value["$new"])(ctx, **value["fields"])
        return {k: build(ctx, v) for k, v in value.items()}
    if isinstance(value, list):
        return [build(ctx, v) for v in value]
    return value


def describe(e, expect):
    from ironic.common import exception
    t = type(e)
    info = {
        "class": t.__name__[:-len("_Remote")] if t.__name__.endswith("_Remote") else t.__name__,
        "bases": [c.__name__ for c in t.__mro__
                  if c.__module__ in ("ironic.common.exception", "ironic_lib.exception")],
        "code": getattr(e, "code", None),
        "message": str(e).split("\n", 1)[0],
    }
    if expect:
        cls = getattr(exception, expect, None)
        info["isinstance"] = cls is not None and isinstance(e, cls)
    return info


def main():
    url, exchange, topic, db_url = sys.argv[1:5]
    transport = setup(url, exchange, db_url)
    import logging
    logging.getLogger().setLevel(logging.ERROR)
    from ironic.common import context
    from ironic.common import rpc
    from ironic.conductor import rpcapi
    from ironic.objects import base as objects_base

    api = rpcapi.ConductorAPI(topic=topic)
    api.client = rpc.get_client(
        oslo_messaging.Target(topic=topic, version="1.0"),
        version_cap="1.40", serializer=objects_base.IronicObjectSerializer())
    serializer = objects_base.IronicObjectSerializer()

    def handle(req):
        ctx = context.get_admin_context()
        fn = getattr(api, req["method"])
        try:
            kwargs = build(ctx, req.get("kwargs") or {})
            if req.get("topic"):
                kwargs["topic"] = req["topic"]
            result = fn(ctx, **kwargs)
            return {"id": req["id"], "ok": True,
                    "result": serializer.serialize_entity(ctx, result)}
        except Exception as e:
            return {"id": req["id"], "ok": False,
                    "error": describe(e, req.get("expect"))}

    emit("READY", {"reply_q": None})
    for line in sys.stdin:
        line = line.strip()
        if not line:
            continue
        req = json.loads(line)
        batch = req.get("batch")
        if not batch:
            emit("DONE", handle(req))
            continue
        out = [None] * len(batch)

        def run(i):
            out[i] = handle(batch[i])
        threads = [threading.Thread(target=run, args=(i,)) for i in range(len(batch))]
        for th in threads:
            th.start()
        for th in threads:
            th.join()
        emit("DONE", {"id": req["id"], "ok": True, "results": out})
    emit("REPLYQ", getattr(transport._driver, "_reply_q", None))
    transport.cleanup()


if __name__ == "__main__":
    main()
