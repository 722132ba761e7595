// Command ironic-conductor is the Ironic conductor daemon. It reads
// ironic.conf as oslo.config does (--config-file, repeatable, then the
// *.conf files of --config-dir, later values overriding earlier ones; with
// neither, ~/.ironic, ~, /etc/ironic and /etc are searched for ironic.conf
// and ironic-conductor.conf), loads the enabled hardware types, opens the
// database ([database] connection, or the embedded SQLite file
// $state_path/ironic.sqlite), connects to RabbitMQ ([DEFAULT]
// transport_url, control_exchange, [oslo_messaging_rabbit]) and serves the
// conductor RPC API 1.40 until SIGTERM or SIGINT, which stop it gracefully
// within [DEFAULT] graceful_shutdown_timeout.
//
// A configuration, driver, database or broker problem at start is one
// line on standard error and exit status 1; passwords are masked.
//
// Mirrors ironic.cmd.conductor.
package main
