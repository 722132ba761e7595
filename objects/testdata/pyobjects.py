"""Test peer for objects' integration tests: Ironic's own object classes.

Reads one JSON request from stdin, a list of operations, and writes one JSON
reply to stdout, a list of results in the same order. Operations:

  {"op": "build", "name": "Node", "set": {...}, "reset": true,
   "change": {...}, "target": "1.21" or null}
      Build an object with Ironic's class: setattr every "set" field
      (Node "traits" as a list of trait names),
      obj_reset_changes() if "reset", setattr every "change" field, then
      obj_to_primitive(target_version=target).
  {"op": "decode", "primitive": {...}, "how": "ovo" | "server" | "client"}
      ovo: IronicObject.obj_from_primitive (no version conversion);
      server/client: IronicObjectSerializer(is_server=...).deserialize_entity.
  {"op": "coerce", "name": "Node", "field": "extra", "values": [...]}
      setattr each value on a fresh object (Ironic's coercion). A value
      setattr accepts but JSON cannot carry (bytes, complex, inf) gives the
      error class "Unserializable".
  {"op": "uuid_like" | "logical_name", "values": [...]}
  {"op": "props", "values": [{...}, ...]}   Node._validate_property_values

Object results: {"class", "version", "fields": {name: to_primitive},
"changes": sorted obj_what_changed()}; errors: {"error": {"module",
"class", "message"}}.
"""
import json
import sys
import warnings

_real_stdout = sys.stdout
sys.stdout = sys.stderr  # keep stdout for the reply only

from ironic.common import context as ir_context  # noqa: E402
from ironic.common import utils as ir_utils  # noqa: E402
from ironic import objects  # noqa: E402
from ironic.objects import base as ir_base  # noqa: E402
from oslo_serialization import jsonutils  # noqa: E402
from oslo_utils import uuidutils  # noqa: E402

warnings.simplefilter("ignore")  # OVO warns about invalid UUIDs

objects.register_all()
CTX = ir_context.get_admin_context()


def error(e):
    return {"error": {"module": type(e).__module__, "class": type(e).__name__,
                      "message": str(e)}}


def describe(obj):
    fields = {}
    for name, field in obj.fields.items():
        if obj.obj_attr_is_set(name):
            fields[name] = field.to_primitive(obj, name, getattr(obj, name))
    return {"class": obj.obj_name(), "version": obj.VERSION,
            "fields": fields, "changes": sorted(obj.obj_what_changed())}


def value(obj, name, v):
    """A JSON value for setattr; Node.traits is given as a list of names."""
    if name == "traits" and v is not None:
        return objects.TraitList(objects=[objects.Trait(trait=t) for t in v])
    return v


def op_build(req):
    obj = getattr(objects, req["name"])()
    for k, v in req.get("set", {}).items():
        setattr(obj, k, value(obj, k, v))
    if req.get("reset"):
        obj.obj_reset_changes()
    for k, v in req.get("change", {}).items():
        setattr(obj, k, value(obj, k, v))
    out = describe(obj)
    out["primitive"] = obj.obj_to_primitive(target_version=req.get("target"))
    return out


def op_decode(req):
    prim = req["primitive"]
    how = req.get("how", "ovo")
    if how == "ovo":
        obj = ir_base.IronicObject.obj_from_primitive(prim, context=CTX)
    else:
        ser = ir_base.IronicObjectSerializer(is_server=(how == "server"))
        obj = ser.deserialize_entity(CTX, prim)
    return describe(obj)


def op_coerce(req):
    out = []
    for v in req["values"]:
        obj = getattr(objects, req["name"])()
        field = obj.fields[req["field"]]
        try:
            setattr(obj, req["field"], v)
            prim = field.to_primitive(obj, req["field"],
                                      getattr(obj, req["field"]))
        except Exception as e:  # noqa: BLE001 -- the class is the result
            out.append(error(e))
            continue
        try:
            # Accepted by setattr, but can it go on the wire as JSON?
            json.dumps(prim, allow_nan=False, default=_wire)
            out.append({"ok": prim})
        except Exception as e:  # noqa: BLE001
            out.append({"error": {"module": "", "class": "Unserializable",
                                  "message": repr(e)}})
    return out


def _wire(o):
    """jsonutils' conversions of what json cannot write (sets, tuples)."""
    if isinstance(o, (set, frozenset, tuple)):
        return list(o)
    raise TypeError("unserializable %s" % type(o).__name__)


def op_props(req):
    out = []
    for props in req["values"]:
        node = objects.Node()
        node.uuid = "1be26c0b-03f2-4d2e-ae87-c02d7f33c123"
        try:
            node._validate_property_values(props)
            out.append(None)
        except Exception as e:  # noqa: BLE001
            out.append(error(e))
    return out


OPS = {
    "build": op_build,
    "decode": op_decode,
    "coerce": op_coerce,
    "props": op_props,
    "uuid_like": lambda r: [bool(uuidutils.is_uuid_like(v)) for v in r["values"]],
    "logical_name": lambda r: [bool(ir_utils.is_valid_logical_name(v))
                               for v in r["values"]],
}


def main():
    reqs = json.load(sys.stdin)
    out = []
    for req in reqs:
        try:
            out.append(OPS[req["op"]](req))
        except Exception as e:  # noqa: BLE001
            out.append(error(e))
    # oslo.messaging serializes with jsonutils (sets and tuples -> lists)
    _real_stdout.write(jsonutils.dumps(out))
    _real_stdout.write("\n")
    _real_stdout.flush()


if __name__ == "__main__":
    main()
