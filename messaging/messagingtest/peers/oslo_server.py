"""An oslo.messaging RPC server, the Python side of the interop tests.

usage: oslo_server.py URL EXCHANGE TOPIC SERVER
(rabbit options go in the URL query, e.g. ?amqp_durable_queues=true)
It prints READY once consuming, then one JSON line per cast received
("CAST {...}"), and stops on SIGTERM or when stdin closes.
"""
import signal
import sys
import threading
import time

import oslo_messaging
from oslo_messaging import rpc

import common
import remote_exc


class Endpoint:
    target = oslo_messaging.Target(version="1.40")

    def __init__(self, server):
        self.server = server

    def echo(self, ctxt, **kwargs):
        return {"echo": kwargs, "server": "py:" + self.server}

    def ctx(self, ctxt, **kwargs):
        return ctxt

    def none(self, ctxt, **kwargs):
        return None

    def fail(self, ctxt, msg="bad value"):
        raise ValueError(msg)

    @rpc.expected_exceptions(KeyError)
    def expected(self, ctxt):
        raise KeyError("missing-key")

    def custom(self, ctxt):
        raise remote_exc.CustomError("custom failure", code=42, detail="x")

    def slow(self, ctxt, seconds=1):
        time.sleep(seconds)
        return "slept %s" % seconds

    def record_cast(self, ctxt, **kwargs):
        common.emit("CAST", {"server": self.server, "args": kwargs, "ctxt": ctxt})

    def _private(self, ctxt):
        return "leaked"


class NsEndpoint:
    target = oslo_messaging.Target(namespace="ns1", version="2.3")

    def ns_method(self, ctxt, **kwargs):
        return "ns1 ok"


def main():
    url, exchange, topic, server = sys.argv[1:5]
    conf = common.make_conf(exchange)
    tr = common.transport(conf, url)
    target = oslo_messaging.Target(topic=topic, server=server)
    srv = oslo_messaging.get_rpc_server(
        tr, target, [Endpoint(server), NsEndpoint()], executor="threading")
    srv.start()
    done = threading.Event()
    signal.signal(signal.SIGTERM, lambda *a: done.set())
    threading.Thread(target=lambda: (sys.stdin.read(), done.set()), daemon=True).start()
    print("READY", flush=True)
    done.wait()
    srv.stop()
    srv.wait()
    tr.cleanup()
    print("STOPPED", flush=True)


if __name__ == "__main__":
    main()
