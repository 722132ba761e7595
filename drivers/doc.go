// Package drivers holds the driver contracts of the conductor: one small
// Go interface per Ironic interface type (power, management, boot, deploy,
// console, vendor, raid, inspect, network, storage), optional capabilities
// as separate one-method interfaces, the [Task] a conductor hands to a
// driver, and the [Registry] of hardware types and interface
// implementations built from Ironic's configuration options
// (enabled_hardware_types, enabled_<type>_interfaces,
// default_<type>_interface).
//
// # Registration
//
// Implementations are not registered in init(). Each protocol package
// exports a [Catalog] (its hardware types and its named implementations:
// what Ironic's entry points are), and cmd passes the catalogs it wants to
// [NewRegistry] with the configuration. The registry then does what
// Ironic's driver_factory does at conductor start: it loads the enabled
// hardware types and interfaces (DriverNotFoundInEntrypoint for unknown
// names), computes every default (NoValidDefaultForInterface,
// InterfaceNotFoundInEntrypoint), and from then on composes a [Driver] for
// each node (check_and_update_node_interfaces, build_driver_for_task).
// A Registry is immutable and safe for concurrent use.
//
// # Contracts
//
// Every method takes a context first and the *Task second. Implementation
// values are shared by all nodes and goroutines, as Ironic's interface
// instances are shared by all tasks, so they must keep per-node state on
// the node (task.Node), not in themselves. Errors a driver returns should
// be *exception.Error values (InvalidParameterValue,
// MissingParameterValue, UnsupportedDriverExtension, ...) so that they
// reach the API caller with their Python class; anything else reaches it
// as a generic IronicException.
//
// Where Ironic's base class gives a method a default behaviour, the Go
// contract either keeps the method (the implementation writes the
// default, helped by functions of this package such as
// [DefaultSupportedPowerStates]) or splits it out as an optional interface
// ([NMIInjector], [CleanStepper]) whose absence means Ironic's default,
// e.g. UnsupportedDriverExtension from [InjectNMI].
//
// This package imports only objects and objects/exception of this module;
// provision and power states are plain strings here (the constants below
// equal those of conductor/states, which drivers may not import).
//
// Mirrors ironic.drivers.base, ironic.drivers.hardware_type,
// ironic.common.driver_factory, ironic.common.raid and
// ironic.drivers.modules.noop (7.0.0 semantics).
package drivers
