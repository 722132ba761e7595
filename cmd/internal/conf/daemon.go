package conf

import (
	"github.com/ironic-go/ironic-go/conductor"
	"github.com/ironic-go/ironic-go/drivers"
	"github.com/ironic-go/ironic-go/drivers/ipmi"
	"github.com/ironic-go/ironic-go/drivers/redfish"
	"github.com/ironic-go/ironic-go/rpcapi/hashring"
)

// IronicExchange is Ironic's default control_exchange.
const IronicExchange = "ironic"

// Daemon is everything ironic-conductor reads from ironic.conf.
type Daemon struct {
	Conductor conductor.Config
	HashRing  hashring.Config
	Drivers   drivers.Config
	Database  Database
	// Messaging has control_exchange defaulting to "ironic" and
	// Rabbit.ConnectionName set to the conductor's host, so operators
	// can find its connections in RabbitMQ.
	Messaging Messaging
	Logging   Logging
	// IPMI configures the ipmi hardware type ([ipmi], with [conductor]
	// power_state_change_timeout and soft_power_off_timeout and [deploy]
	// default_boot_mode).
	IPMI ipmi.Config
	// Redfish configures the redfish hardware type ([redfish], with
	// [conductor] power_state_change_timeout).
	Redfish redfish.Config
}

// DaemonFrom reads every section ironic-conductor uses and reports every
// problem at once (joined, wrapping ErrInvalid; no password in them).
// defaultHost is [DEFAULT] host's default ([FQDN] in the daemon).
func DaemonFrom(f *Files, defaultHost string) (Daemon, error) {
	var errs []error
	d := Daemon{
		Logging:   readLogging(f, &errs),
		Conductor: readConductor(f, defaultHost, &errs),
		HashRing:  readHashRing(f, &errs),
		Drivers:   readDrivers(f, &errs),
		Database:  readDatabase(f, &errs),
		Messaging: readMessaging(f, IronicExchange, &errs),
		IPMI:      readIPMI(f, &errs),
		Redfish:   readRedfish(f, &errs),
	}
	d.Messaging.Rabbit.ConnectionName = d.Conductor.Host
	return d, invalid(errs)
}
