"""Helpers shared by the oslo.messaging interop peers."""
import json
import sys
import threading

from oslo_config import cfg
import oslo_messaging


def make_conf(control_exchange):
    """The global ConfigOpts (a peer is a one-purpose process, and oslo
    registers some options only there); [oslo_messaging_rabbit] options
    travel in the transport URL's query string, as oslo allows."""
    oslo_messaging.set_transport_defaults(control_exchange)
    cfg.CONF([], project="peer")
    return cfg.CONF


def transport(conf, url, allowed=None):
    return oslo_messaging.get_rpc_transport(
        conf, url=url, allowed_remote_exmods=allowed or [])


_emit_lock = threading.Lock()


def emit(kind, payload):
    """One JSON line on stdout, read by the Go test."""
    line = kind + " " + json.dumps(payload, sort_keys=True) + "\n"
    with _emit_lock:
        sys.stdout.write(line)
        sys.stdout.flush()


def describe_exc(e):
    t = type(e)
    return {
        "type": t.__name__,
        "module": t.__module__,
        "mro": [c.__module__ + "." + c.__name__ for c in t.__mro__],
        "str_first_line": str(e).split("\n", 1)[0],
        "args0_first_line": (str(e.args[0]).split("\n", 1)[0] if e.args else None),
        "kwargs": getattr(e, "kwargs", None),
    }
