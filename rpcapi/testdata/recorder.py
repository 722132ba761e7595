"""An oslo.messaging RPC server that records every conductor request.

usage: recorder.py URL EXCHANGE RESULTS_JSON TOPIC:SERVER[:SIDE] ...

For each TOPIC:SERVER it serves Target(topic, server) (queues TOPIC and
TOPIC.SERVER) with a dispatcher that prints, for every request, the method,
the version as received, the raw args, the context and whether it is a call:
"RECORD {...}" (side = SIDE, default SERVER). A call gets the canned result
of its method from RESULTS_JSON (object specs become Ironic objects,
serialized as a conductor serializes them). A node_id of "raise:<Class>"
raises that Ironic exception instead ("raise:ValueError" a builtin one,
"raise:NotInGo" an Ironic-module class unknown to ironic-go).
It prints READY once consuming and stops on SIGTERM or when stdin closes.
"""
import json
import logging
import signal
import sys
import threading

import oslo_messaging
from oslo_messaging.rpc import dispatcher as rpc_dispatcher
from oslo_messaging.rpc import server as rpc_server

import pyironic

NODE = "1be26c0b-03f2-4d2e-ae87-c02d7f33c123"


def make_raise(name):
    from ironic.common import exception
    if name == "ValueError":
        return ValueError("recorder refused the value")
    if name == "NotInGo":
        cls = type("NotInGo", (exception.IronicException,),
                   {"_msg_fmt": "not known to ironic-go: %(what)s", "code": 418})
        cls.__module__ = exception.__name__
        return cls(what="x")
    if name == "NodeLocked":
        return exception.NodeLocked(node=NODE, host="cond-b")
    if name == "NoFreeConductorWorker":
        return exception.NoFreeConductorWorker()
    if name == "InvalidParameterValue":
        return exception.InvalidParameterValue(err="bad 'value'")
    raise KeyError(name)


class Recorder(rpc_dispatcher.RPCDispatcher):
    def __init__(self, side, results, ctx):
        super().__init__([], None)
        self.side = side
        self.results = results
        self.ctx = ctx

    def dispatch(self, incoming):
        msg = incoming.message
        args = msg.get("args", {})
        node_id = args.get("node_id")
        result = None
        if not (isinstance(node_id, str) and node_id.startswith("raise:")):
            result = pyironic.primitive(self.ctx, self.results.get(msg.get("method")))
        rec = {
            "side": self.side,
            "method": msg.get("method"),
            "version": msg.get("version"),
            "namespace": msg.get("namespace"),
            "args": args,
            "ctxt": incoming.ctxt,
            "call": incoming.msg_id is not None,
            "client_timeout": incoming.client_timeout,
            "result": result,
        }
        # What Ironic's conductor makes of the context (its serializer's
        # deserialize_context).
        from ironic.common import context
        try:
            rc = context.RequestContext.from_dict(dict(incoming.ctxt))
            rec["ctx_is_admin"] = rc.is_admin
            rec["ctx_request_id"] = rc.request_id
        except Exception as e:
            rec["ctx_error"] = type(e).__name__ + ": " + str(e)
        pyironic.emit("RECORD", rec)
        if isinstance(node_id, str) and node_id.startswith("raise:"):
            raise make_raise(node_id[len("raise:"):])
        return result


def main():
    # The raise: requests are expected failures; keep oslo from logging
    # their tracebacks.
    logging.getLogger("oslo_messaging.rpc.server").setLevel(logging.CRITICAL)
    url, exchange, results_path = sys.argv[1:4]
    specs = sys.argv[4:]
    _, transport = pyironic.setup(url, exchange)
    from ironic.common import context
    ctx = context.get_admin_context()
    with open(results_path) as f:
        results = json.load(f)
    servers = []
    for spec in specs:
        parts = spec.split(":")
        topic, server = parts[0], parts[1]
        side = parts[2] if len(parts) > 2 else server
        target = oslo_messaging.Target(topic=topic, server=server)
        srv = rpc_server.RPCServer(transport, target, Recorder(side, results, ctx),
                                   executor="threading")
        srv.start()
        servers.append(srv)
    done = threading.Event()
    signal.signal(signal.SIGTERM, lambda *a: done.set())
    threading.Thread(target=lambda: (sys.stdin.read(), done.set()), daemon=True).start()
    print("READY", flush=True)
    done.wait()
    for srv in servers:
        srv.stop()
    for srv in servers:
        srv.wait()
    transport.cleanup()
    print("STOPPED", flush=True)


if __name__ == "__main__":
    main()
