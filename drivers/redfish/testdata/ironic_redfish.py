"""Run Debian's Ironic redfish driver code (python3-ironic with sushy) for
the Go driver's integration tests.

Reads one JSON request on stdin and writes one JSON answer on stdout:

  {"op": "parse", "node": uuid, "cases": [{"name", "info"}]}
      -> [{"name", "class", "message"} | {"name", "address", "system_id",
          "verify_ca", "auth_type"}]
  {"op": "properties"} -> COMMON_PROPERTIES
  {"op": "inspect", "node": uuid, "info": driver_info, "properties": {}}
      -> {"properties": ..., "macs": [...]} or {"error_class", "error"}
  {"op": "scenario", "node": uuid, "info": driver_info, "steps": [[name, args...]]}
      -> {"steps": [{"result"} | {"error_class", "error"}],
          "driver_internal_info": {...}}

Only stubs stand in for the conductor: a node object whose save() does
nothing, a task holding it, and port creation recorded instead of stored.
"""

import json
import sys

from ironic.common import context as ironic_context
from ironic.common import exception
from ironic.conductor import task_manager
from ironic.conf import CONF
from ironic.drivers.modules import inspect_utils
from ironic.drivers.modules.redfish import inspect as redfish_inspect
from ironic.drivers.modules.redfish import management as redfish_mgmt
from ironic.drivers.modules.redfish import power as redfish_power
from ironic.drivers.modules.redfish import utils as redfish_utils


class Node(object):
    def __init__(self, uuid, info, properties=None, internal=None):
        self.id = 7
        self.uuid = uuid
        self.driver = 'redfish'
        self.driver_info = info
        self.driver_internal_info = internal or {}
        self.properties = properties or {}
        self.saves = 0

    def save(self):
        self.saves += 1


class Driver(object):
    def __init__(self):
        self.power = redfish_power.RedfishPower()
        self.management = redfish_mgmt.RedfishManagement()
        self.inspect = redfish_inspect.RedfishInspect()


class Task(task_manager.TaskManager):
    # A TaskManager for require_exclusive_lock's isinstance check, without
    # its locking and database work.
    def __init__(self, node):
        self._node = node
        self.shared = False
        self.context = ironic_context.get_admin_context()
        self.driver = Driver()


def error(e):
    return {'error_class': type(e).__name__, 'error': str(e)}


def parse(req):
    out = []
    for case in req['cases']:
        node = Node(req['node'], case['info'])
        try:
            p = redfish_utils.parse_driver_info(node)
        except exception.IronicException as e:
            out.append({'name': case['name'], 'class': type(e).__name__,
                        'message': str(e)})
            continue
        out.append({'name': case['name'], 'address': p['address'],
                    'system_id': p['system_id'] or '',
                    'verify_ca': p['verify_ca'], 'auth_type': p['auth_type']})
    return out


def inspect(req):
    macs = []

    def record(task, found):
        macs.extend(found)
    inspect_utils.create_ports_if_not_exist = record
    node = Node(req['node'], req['info'], req.get('properties'))
    task = Task(node)
    try:
        state = task.driver.inspect.inspect_hardware(task)
    except Exception as e:
        # Ironic updates the properties dict in place before it fails.
        res = error(e)
        res.update(properties=node.properties, saves=node.saves,
                   macs=[m.lower() for m in macs])
        return res
    return {'state': state, 'properties': node.properties,
            'macs': [m.lower() for m in macs]}


def scenario(req):
    node = Node(req['node'], req['info'])
    task = Task(node)
    out = []
    for step in req['steps']:
        name, args = step[0], step[1:]
        try:
            if name == 'set_power_state':
                r = task.driver.power.set_power_state(task, *args)
            elif name == 'reboot':
                r = task.driver.power.reboot(task)
            elif name == 'get_power_state':
                r = task.driver.power.get_power_state(task)
            elif name == 'set_boot_device':
                r = task.driver.management.set_boot_device(
                    task, args[0], persistent=args[1])
            elif name == 'get_boot_device':
                r = task.driver.management.get_boot_device(task)
            elif name == 'set_boot_mode':
                r = task.driver.management.set_boot_mode(task, args[0])
            elif name == 'get_boot_mode':
                r = task.driver.management.get_boot_mode(task)
            elif name == 'inject_nmi':
                r = task.driver.management.inject_nmi(task)
            else:
                raise ValueError('unknown step %s' % name)
            out.append({'result': r})
        except Exception as e:
            out.append(error(e))
    return {'steps': out, 'driver_internal_info': node.driver_internal_info}


def main():
    CONF([], project='ironic')
    req = json.load(sys.stdin)
    op = req['op']
    if op == 'parse':
        res = parse(req)
    elif op == 'properties':
        res = redfish_utils.COMMON_PROPERTIES
    elif op == 'inspect':
        res = inspect(req)
    elif op == 'scenario':
        res = scenario(req)
    else:
        raise SystemExit('unknown op %s' % op)
    json.dump(res, sys.stdout)
    sys.stdout.write('\n')


if __name__ == '__main__':
    main()
