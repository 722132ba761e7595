"""Placement oracle for rpcapi/hashring's integration test.

Reads one JSON request on stdin and writes one JSON answer on stdout. Each
case is either

  {"kind": "tooz", "hosts": [...], "partitions": P,
   "add": [{"node": N, "weight": W}], "remove": [N],
   "keys": [...], "queries": [{"replicas": R, "ignore": [...]}]}

answered by tooz.hashring.HashRing with
  {"names": [...], "nodes": sorted(ring.nodes), "len": len(ring),
   "points_md5": md5 of the concatenated 32-digit hex points,
   "pidx": [partition of each key],
   "results": [[sorted host indexes (into names) per key] per query]}

or

  {"kind": "ironic", "exponent": E, "drivers": {driver: [hosts]},
   "nodes": [{"driver": D, "uuid": U}]}

answered through Ironic's own ConductorAPI.get_topic_for (rpc_transport
none) over a HashRingManager whose dbapi returns the drivers, with
  {"topics": [topic, or "!<ExceptionClass>"]}.
"""
import hashlib
import json
import sys
import types

from tooz import hashring


def tooz_case(c):
    ring = hashring.HashRing(c["hosts"], partitions=c["partitions"])
    for a in c.get("add") or []:
        ring.add_node(a["node"], weight=a["weight"])
    for n in c.get("remove") or []:
        ring.remove_node(n)
    names = list(c["hosts"]) + [a["node"] for a in c.get("add") or []]
    index = {}
    for i, n in enumerate(names):
        index.setdefault(n, i)
    h = hashlib.md5()
    for p in ring._partitions:
        h.update(b"%032x" % p)
    keys = [k.encode("utf-8") for k in c["keys"]]
    results = []
    for q in c["queries"]:
        ignore = q.get("ignore") or None
        results.append([
            sorted(index[n] for n in ring.get_nodes(k, ignore_nodes=ignore, replicas=q["replicas"]))
            for k in keys
        ])
    return {
        "names": names,
        "nodes": sorted(ring.nodes),
        "len": len(ring),
        "points_md5": h.hexdigest(),
        "pidx": [ring._get_partition(k) for k in keys],
        "results": results,
    }


def ironic_case(c):
    from ironic.common import exception
    from ironic.common import hash_ring
    from ironic.conductor import rpcapi
    from ironic.conf import CONF

    CONF.set_override("rpc_transport", "none")
    CONF.set_override("hash_partition_exponent", c["exponent"])

    class FakeDB(object):
        def get_active_hardware_type_dict(self, use_groups=True):
            prefix = ":" if use_groups else ""
            return {prefix + d: set(h) for d, h in c["drivers"].items()}

    hash_ring.HashRingManager.reset()
    api = rpcapi.ConductorAPI()
    api.ring_manager.dbapi = FakeDB()
    topics = []
    for n in c["nodes"]:
        node = types.SimpleNamespace(driver=n["driver"], uuid=n["uuid"], conductor_group="")
        try:
            topics.append(api.get_topic_for(node))
        except exception.IronicException as e:
            topics.append("!" + type(e).__name__)
    return {"topics": topics}


def main():
    req = json.load(sys.stdin)
    out = []
    for c in req["cases"]:
        out.append(ironic_case(c) if c["kind"] == "ironic" else tooz_case(c))
    json.dump({"cases": out}, sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
