"""Run driver factory scenarios on Debian's Ironic (python3-ironic 21.4).

Reads a JSON list of scenarios on stdin:
  {"config": {"enabled_hardware_types": [...], "enabled": {type: [...]},
              "defaults": {type: name}, "extra": {"bios": [...], ...}},
   "queries": [{"op": ..., ...}, ...]}
and writes, per scenario, the list of query results on stdout. A result is
a dict of values, or {"error_class": ..., "error": ...} when Ironic raised.
The driver factories are reset between scenarios, so each scenario sees
only its own configuration, as a freshly started conductor would.
"""
import json
import re
import sys

from ironic.common import driver_factory
from ironic.common import exception
from ironic.common import raid
from ironic.conductor import manager
from ironic.conf import CONF
from ironic.drivers import base
from ironic import objects

TYPES = ['boot', 'console', 'deploy', 'inspect', 'management', 'network',
         'power', 'raid', 'storage', 'vendor']
EXTRA = ['bios', 'rescue']


def configure(cfg):
    driver_factory.HardwareTypesFactory._extension_manager = None
    for factory in driver_factory._INTERFACE_LOADERS.values():
        factory._extension_manager = None
    CONF.set_override('enabled_hardware_types',
                      cfg['enabled_hardware_types'])
    for t in TYPES:
        CONF.set_override('enabled_%s_interfaces' % t,
                          cfg['enabled'].get(t) or [])
        CONF.set_override('default_%s_interface' % t,
                          cfg['defaults'].get(t) or None)
    for t in EXTRA:
        CONF.set_override('enabled_%s_interfaces' % t,
                          cfg['extra'].get(t) or [])


def entry_name(interface_type, qualname):
    """The entry point name of the class module.Class of a type."""
    factory = driver_factory._INTERFACE_LOADERS[interface_type]()
    for name, obj in factory.items():
        cls = type(obj)
        if '%s.%s' % (cls.__module__, cls.__name__) == qualname:
            return name
    return qualname


def error(e):
    msg = str(e)
    if isinstance(e, exception.IncompatibleInterface):
        # Ironic prints the implementation object; name its entry point.
        itype = json.loads(e.kwargs['interface_type'])
        msg = re.sub(r"<([\w.]+) object at 0x[0-9a-f]+>",
                     lambda m: entry_name(itype, m.group(1)), msg)
    return {'error_class': type(e).__name__, 'error': msg}


def register():
    """What the conductor registers at start (base_manager.init_host)."""
    rows = []
    for hw_name, hw in driver_factory.hardware_types().items():
        supported = driver_factory.enabled_supported_interfaces(hw)
        for t in sorted(supported):
            default = driver_factory.default_interface(hw, t,
                                                       driver_name=hw_name)
            if t in EXTRA:
                continue
            for name in sorted(supported[t]):
                rows.append([hw_name, t, name, name == default])
    return {'rows': rows}


def check(node):
    n = objects.Node()
    n.driver = node['driver']
    n.uuid = node['uuid']
    # Node 1.21 has no bios or rescue interface: give them their default
    # up front so that only the 1.40 interfaces count in "changed".
    try:
        hw = driver_factory.get_hardware_type(node['driver'])
        for t in EXTRA:
            setattr(n, '%s_interface' % t,
                    driver_factory.default_interface(hw, t))
    except exception.IronicException:
        pass
    for t, v in node['interfaces'].items():
        setattr(n, '%s_interface' % t, v)
    changed = driver_factory.check_and_update_node_interfaces(n)
    return {'changed': changed,
            'interfaces': {t: getattr(n, '%s_interface' % t)
                           for t in TYPES}}


def schema():
    with open(base.RAID_CONFIG_SCHEMA) as f:
        return json.load(f)


def run(q):
    op = q['op']
    if op == 'register':
        return register()
    if op == 'enabled':
        return {'enabled': {
            t: sorted(driver_factory._INTERFACE_LOADERS[t]().names)
            for t in TYPES}}
    if op == 'default':
        hw = driver_factory.get_hardware_type(q['hw'])
        return {'name': driver_factory.default_interface(hw, q['type'])}
    if op == 'properties':
        hw = driver_factory.get_hardware_type(q['hw'])
        return {'properties': hw.get_properties()}
    if op == 'check':
        return check(q['node'])
    if op == 'get_interface':
        hw = driver_factory.get_hardware_type(q['hw'])
        driver_factory.get_interface(hw, q['type'], q['name'])
        return {'ok': True}
    if op == 'vendor':
        hw = driver_factory.get_hardware_type(q['hw'])
        name = driver_factory.default_interface(hw, 'vendor',
                                                driver_name=q['hw'])
        vendor = driver_factory.get_interface(hw, 'vendor', name)
        return {
            'node': manager.get_vendor_passthru_metadata(
                vendor.vendor_routes),
            'driver': manager.get_vendor_passthru_metadata(
                vendor.driver_routes),
        }
    if op == 'raid_properties':
        return {'properties': raid.get_logical_disk_properties(schema())}
    if op == 'raid_validate':
        raid.validate_configuration(q['config'], schema())
        return {'ok': True}
    raise ValueError('unknown op %s' % op)


def main():
    CONF([], project='ironic')
    objects.register_all()
    out = []
    for scenario in json.load(sys.stdin):
        configure(scenario['config'])
        results = []
        for q in scenario['queries']:
            try:
                results.append(run(q))
            except exception.IronicException as e:
                results.append(error(e))
        out.append(results)
    json.dump(out, sys.stdout)


if __name__ == '__main__':
    main()
