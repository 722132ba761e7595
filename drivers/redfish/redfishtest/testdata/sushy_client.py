"""Drive a redfishtest server with Debian's sushy (python3-sushy), the
client Ironic uses, to show the fake BMC works for it.

Reads {"url", "username", "password", "auth", "verify", "steps": [[op, args...]]} as
JSON on stdin; writes one result per step as JSON on stdout, each
{"result": ...} or {"error_class", "error", "code"}.

Steps: systems; sessions; drop_session; power SYS; reset SYS TYPE; boot SYS;
set_boot SYS TARGET ENABLED MODE (null to leave out); allowed_resets SYS;
allowed_boot SYS; bad_password SYS.
"""

import json
import sys

import sushy
from sushy import auth as sushy_auth
from sushy import exceptions


def value(v):
    return getattr(v, 'value', v)


def connect(url, username, password, kind, verify=True):
    cls = {'basic': sushy_auth.BasicAuth, 'session': sushy_auth.SessionAuth,
           'auto': sushy_auth.SessionOrBasicAuth}[kind]
    return sushy.Sushy(url, auth=cls(username=username, password=password),
                       verify=verify)


def run(conn, req, step):
    op, args = step[0], step[1:]
    if op == 'systems':
        return sorted(conn.get_system_collection().members_identities)
    if op == 'sessions':
        return type(conn._auth).__name__, bool(getattr(
            conn._auth, '_session_key', None))
    if op == 'drop_session':
        # Delete our own session on the BMC, as an expiry would.
        conn._conn.delete(conn._auth._session_resource_id)
        return None
    system = conn.get_system(args[0])
    if op == 'power':
        return value(system.power_state)
    if op == 'reset':
        system.reset_system(sushy.ResetType(args[1]))
        system.refresh()
        return value(system.power_state)
    if op == 'boot':
        return {'target': value(system.boot.target),
                'enabled': value(system.boot.enabled),
                'mode': value(system.boot.mode)}
    if op == 'set_boot':
        target, enabled, mode = args[1:4]
        system.set_system_boot_options(
            target=sushy.BootSource(target) if target else None,
            enabled=(sushy.BootSourceOverrideEnabled(enabled)
                     if enabled else None),
            mode=sushy.BootSourceOverrideMode(mode) if mode else None)
        return None
    if op == 'allowed_resets':
        return sorted(value(v) for v in system.get_allowed_reset_system_values())
    if op == 'allowed_boot':
        return sorted(value(v) for v in
                      system.get_allowed_system_boot_source_values())
    if op == 'bad_password':
        bad = connect(req['url'], req['username'], 'not-' + req['password'],
                      'basic', req.get('verify', True))
        return value(bad.get_system(args[0]).power_state)
    raise ValueError('unknown step %s' % op)


def main():
    req = json.load(sys.stdin)
    conn = connect(req['url'], req['username'], req['password'], req['auth'],
                   req.get('verify', True))
    out = []
    for step in req['steps']:
        try:
            out.append({'result': run(conn, req, step)})
        except exceptions.SushyError as e:
            out.append({'error_class': type(e).__name__, 'error': str(e),
                        'code': getattr(e, 'status_code', None)})
    json.dump(out, sys.stdout)
    sys.stdout.write('\n')


if __name__ == '__main__':
    main()
