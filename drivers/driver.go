package drivers

import (
	"context"
	"errors"
	"fmt"
	"maps"

	"github.com/ironic-go/ironic-go/objects/exception"
)

// Driver is a node's composed driver: one implementation per interface
// type (Ironic's BareDriver with its interfaces attached). Build it with
// [Registry.DriverFor]. A field is nil only in a Driver built by hand
// (e.g. in tests); ValidateInterfaces reports such an interface as not
// supported.
type Driver struct {
	// HardwareType is the node's driver.
	HardwareType string

	Boot       BootInterface
	Console    ConsoleInterface
	Deploy     DeployInterface
	Inspect    InspectInterface
	Management ManagementInterface
	Network    NetworkInterface
	Power      PowerInterface
	RAID       RAIDInterface
	Storage    StorageInterface
	Vendor     VendorInterface

	names map[InterfaceType]string
}

func (d *Driver) set(t InterfaceType, name string, impl Interface) {
	if d.names == nil {
		d.names = map[InterfaceType]string{}
	}
	d.names[t] = name
	switch t {
	case InterfaceBoot:
		d.Boot = impl.(BootInterface)
	case InterfaceConsole:
		d.Console = impl.(ConsoleInterface)
	case InterfaceDeploy:
		d.Deploy = impl.(DeployInterface)
	case InterfaceInspect:
		d.Inspect = impl.(InspectInterface)
	case InterfaceManagement:
		d.Management = impl.(ManagementInterface)
	case InterfaceNetwork:
		d.Network = impl.(NetworkInterface)
	case InterfacePower:
		d.Power = impl.(PowerInterface)
	case InterfaceRAID:
		d.RAID = impl.(RAIDInterface)
	case InterfaceStorage:
		d.Storage = impl.(StorageInterface)
	case InterfaceVendor:
		d.Vendor = impl.(VendorInterface)
	}
}

// Interface returns the implementation of t, or nil.
func (d *Driver) Interface(t InterfaceType) Interface {
	var i Interface
	switch t {
	case InterfaceBoot:
		i = d.Boot
	case InterfaceConsole:
		i = d.Console
	case InterfaceDeploy:
		i = d.Deploy
	case InterfaceInspect:
		i = d.Inspect
	case InterfaceManagement:
		i = d.Management
	case InterfaceNetwork:
		i = d.Network
	case InterfacePower:
		i = d.Power
	case InterfaceRAID:
		i = d.RAID
	case InterfaceStorage:
		i = d.Storage
	case InterfaceVendor:
		i = d.Vendor
	}
	return i
}

// Name returns the implementation name of t ("" if the Driver was built
// by hand).
func (d *Driver) Name(t InterfaceType) string { return d.names[t] }

// Properties returns the union of the properties of the driver's
// interfaces (BareDriver.get_properties).
func (d *Driver) Properties() map[string]string {
	props := map[string]string{}
	for _, t := range InterfaceTypes() {
		if i := d.Interface(t); i != nil {
			maps.Copy(props, i.Properties())
		}
	}
	return props
}

// ValidateInterfaces runs every non-vendor interface's Validate and
// returns validate_driver_interfaces' result: {type: {"result": true}},
// {type: {"result": false, "reason": str}} or, for an absent interface,
// {type: {"result": nil, "reason": "not supported"}}. InvalidParameterValue
// (and its subclasses) and UnsupportedDriverExtension give their message
// as the reason; other errors give Ironic's "Unexpected exception" text
// naming host, the conductor.
func (d *Driver) ValidateInterfaces(ctx context.Context, task *Task, host string) map[string]any {
	out := make(map[string]any, len(NonVendorInterfaceTypes()))
	for _, t := range NonVendorInterfaceTypes() {
		v, ok := d.Interface(t).(Validator)
		if !ok {
			out[string(t)] = map[string]any{"result": nil, "reason": "not supported"}
			continue
		}
		err := v.Validate(ctx, task)
		if err == nil {
			out[string(t)] = map[string]any{"result": true}
			continue
		}
		var reason string
		var ie *exception.Error
		if errors.As(err, &ie) && (errors.Is(ie, exception.ErrInvalidParameterValue) ||
			errors.Is(ie, exception.ErrUnsupportedDriverExtension)) {
			reason = ie.Error()
		} else {
			task.Log.Error().Err(err).Str("interface", string(t)).Msg("unexpected exception while validating")
			reason = fmt.Sprintf("Unexpected exception, traceback saved into log by ironic conductor "+
				"service that is running on %s: %s", host, err)
		}
		out[string(t)] = map[string]any{"result": false, "reason": reason}
	}
	return out
}
