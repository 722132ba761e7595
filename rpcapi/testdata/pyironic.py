"""Shared helpers of the rpcapi interop peers (Debian's python3-ironic)."""
import json
import sys
import threading

import oslo_messaging

_emit_lock = threading.Lock()


def emit(kind, payload):
    """One JSON line on stdout, read by the Go test."""
    line = kind + " " + json.dumps(payload) + "\n"
    with _emit_lock:
        sys.stdout.write(line)
        sys.stdout.flush()


def setup(url, exchange):
    """Ironic's CONF (no config files), its objects and its RPC transport."""
    oslo_messaging.set_transport_defaults(exchange)
    from ironic.conf import CONF
    CONF([], project="ironic", default_config_files=[], default_config_dirs=[])
    from ironic import objects
    objects.register_all()
    from ironic.common import rpc
    rpc.TRANSPORT = oslo_messaging.get_rpc_transport(
        CONF, url=url, allowed_remote_exmods=rpc.get_allowed_exmods())
    return CONF, rpc.TRANSPORT


def build_object(ctx, spec):
    """An Ironic object from {"$object": name, "set": {...}, "changes": {...}}:
    the "set" fields are assigned and their changes reset, then the
    "changes" fields are assigned (so they are the object's changes)."""
    from ironic import objects
    obj = getattr(objects, spec["$object"])(ctx)
    for k, v in (spec.get("set") or {}).items():
        setattr(obj, k, v)
    if spec.get("reset", True):
        obj.obj_reset_changes()
    for k, v in (spec.get("changes") or {}).items():
        setattr(obj, k, v)
    return obj


def build(ctx, value):
    """value with every object spec replaced by its Ironic object."""
    if isinstance(value, dict):
        if "$object" in value:
            return build_object(ctx, value)
        return {k: build(ctx, v) for k, v in value.items()}
    if isinstance(value, list):
        return [build(ctx, v) for v in value]
    return value


def primitive(ctx, value):
    """value with every object spec replaced by the primitive Ironic's
    serializer sends for it."""
    from ironic.objects import base
    ser = base.IronicObjectSerializer()
    return ser.serialize_entity(ctx, build(ctx, value))
