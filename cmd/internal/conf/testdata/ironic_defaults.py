"""Print, as JSON, the defaults Debian's Ironic gives the options that
ironic-go's cmd/internal/conf maps, and socket.getfqdn(). Ironic's own
options come from ironic.conf; oslo.messaging, oslo.service, oslo.db and
oslo.log options are registered as the Ironic services register them
(control_exchange set to "ironic" as ironic.common.rpc does)."""
import json
import socket

import oslo_messaging
from ironic.conf import CONF
from oslo_db import options as db_options
from oslo_log import log
from oslo_messaging import opts as messaging_opts
from oslo_service import _options as service_options

log.register_options(CONF)
oslo_messaging.set_transport_defaults('ironic')
for group, opts in messaging_opts.list_opts():
    for opt in opts:
        try:
            CONF.register_opt(opt, group=None if group in (None, 'DEFAULT') else group)
        except Exception:  # already registered
            pass
CONF.register_opts(service_options.service_opts)
db_options.set_defaults(CONF)
CONF([], project='ironic', default_config_files=[])

OPTIONS = {
    'DEFAULT': [
        'host', 'control_exchange', 'transport_url', 'rpc_response_timeout',
        'executor_thread_pool_size', 'enabled_hardware_types',
        'default_storage_interface', 'hash_partition_exponent',
        'graceful_shutdown_timeout', 'debug', 'use_json',
        'default_portgroup_mode',
    ],
    'conductor': [
        'heartbeat_interval', 'heartbeat_timeout', 'workers_pool_size',
        'periodic_max_workers', 'sync_power_state_interval',
        'power_state_sync_max_retries', 'sync_power_state_workers',
        'force_power_state_during_sync', 'node_locked_retry_attempts',
        'node_locked_retry_interval', 'soft_power_off_timeout',
        'check_provision_state_interval', 'deploy_callback_timeout',
        'clean_callback_timeout', 'inspect_wait_timeout',
        'sync_local_state_interval', 'automated_clean',
    ],
    'database': [
        'max_pool_size', 'max_overflow', 'connection_recycle_time',
    ],
    'oslo_messaging_rabbit': [
        'rabbit_transient_queues_ttl', 'heartbeat_timeout_threshold',
        'kombu_missing_consumer_retry_timeout',
    ],
}

out = {}
for group, names in OPTIONS.items():
    ns = CONF if group == 'DEFAULT' else getattr(CONF, group)
    for name in names:
        out[group + '.' + name] = getattr(ns, name)
out['database.connection'] = CONF.database.connection
out['getfqdn'] = socket.getfqdn()
print(json.dumps(out))
