"""Ironic's own database code, driven by the Go tests.

Usage: ironic_peer.py CONNECTION_URL

Reads one JSON request per line on stdin, writes one JSON reply per line
on stdout ({"ok": ...} or {"error": class, "message": str}). Prints READY
once Ironic is loaded. Uses Debian's python3-ironic: the objects layer
(ironic.objects) and the database API (ironic.db.api.get_instance()),
exactly as ironic-api and ironic-conductor use them.
"""
import datetime
import json
import os
import sys
import tempfile


def main():
    url = sys.argv[1]
    from ironic.common import service as ironic_service
    with tempfile.NamedTemporaryFile('w', suffix='.conf', delete=False) as f:
        f.write('[DEFAULT]\nuse_stderr = true\ndebug = false\n'
                '[conductor]\nheartbeat_timeout = 60\n'
                '[database]\nconnection = %s\n' % url)
    try:
        ironic_service.prepare_command([sys.argv[0], '--config-file', f.name])
    finally:
        os.unlink(f.name)

    from ironic.common import context as ir_context
    from ironic.common import exception
    from ironic.db import api as db_api
    from ironic import objects

    dbapi = db_api.get_instance()
    ctx = ir_context.get_admin_context()

    def plain(v):
        if isinstance(v, datetime.datetime):
            return v.isoformat()
        if isinstance(v, dict):
            return {k: plain(x) for k, x in v.items()}
        if isinstance(v, (list, tuple)):
            return [plain(x) for x in v]
        return v

    def unjson(v):
        # IronicException keeps its kwargs json.dumps'd (for RPC).
        if isinstance(v, str):
            try:
                return json.loads(v)
            except ValueError:
                pass
        return v

    def row(model):
        d = model.as_dict()
        return plain(d)

    def data(obj):
        return obj.obj_to_primitive()['ironic_object.data']

    classes = {
        'node': objects.Node, 'port': objects.Port,
        'portgroup': objects.Portgroup,
        'volume_connector': objects.VolumeConnector,
        'volume_target': objects.VolumeTarget,
    }
    getters = {
        'node': dbapi.get_node_by_uuid, 'port': dbapi.get_port_by_uuid,
        'portgroup': dbapi.get_portgroup_by_uuid,
        'volume_connector': dbapi.get_volume_connector_by_uuid,
        'volume_target': dbapi.get_volume_target_by_uuid,
    }

    def get(req):
        kind, uuid = req['kind'], req['uuid']
        obj = classes[kind].get_by_uuid(ctx, uuid)
        r = row(getters[kind](uuid))
        r.pop('tags', None)
        r.pop('traits', None)
        return {'row': r, 'data': data(obj), 'version': obj.VERSION}

    def create(req):
        kind = req['kind']
        values = req['values']
        for k, v in list(values.items()):
            if isinstance(v, str) and k.endswith('_at'):
                values[k] = datetime.datetime.fromisoformat(v)
        obj = classes[kind](ctx, **values)
        obj.create()
        obj = classes[kind].get_by_uuid(ctx, obj.uuid)
        return {'uuid': obj.uuid, 'id': obj.id, 'data': data(obj)}

    def save(req):
        obj = classes[req['kind']].get_by_uuid(ctx, req['uuid'])
        for k, v in req['changes'].items():
            setattr(obj, k, v)
        obj.save()
        return {'data': data(obj)}

    def conductor(req):
        c = objects.Conductor.get_by_hostname(ctx, req['hostname'],
                                              online=None)
        r = row(dbapi.get_conductor(req['hostname'], online=None))
        return {'row': r, 'data': data(c)}

    def register_conductor(req):
        c = objects.Conductor.register(ctx, req['hostname'], req['drivers'],
                                       '', update_existing=True)
        c.register_hardware_interfaces(req['interfaces'])
        return {'id': c.id}

    ops = {
        'get': get,
        'create': create,
        'save': save,
        'conductor': conductor,
        'register_conductor': register_conductor,
        'reserve': lambda r: data(objects.Node.reserve(ctx, r['tag'], r['node'])),
        'release': lambda r: objects.Node.release(ctx, r['tag'], r['node']),
        'hardware_types': lambda r: {k: sorted(v) for k, v in
                                     dbapi.get_active_hardware_type_dict().items()},
        'offline': lambda r: sorted(dbapi.get_offline_conductors()),
        'check_versions': lambda r: dbapi.check_versions(),
        'destroy_node': lambda r: dbapi.destroy_node(r['uuid']),
    }

    print('READY', flush=True)
    for line in sys.stdin:
        req = json.loads(line)
        try:
            out = {'ok': plain(ops[req['op']](req))}
        except exception.IronicException as e:
            out = {'error': type(e).__name__, 'message': str(e),
                   'kwargs': {k: plain(unjson(v)) for k, v in e.kwargs.items()
                              if k != 'code'}}
        except Exception as e:  # noqa
            out = {'error': type(e).__name__, 'message': str(e)}
        print(json.dumps(out), flush=True)


if __name__ == '__main__':
    main()
