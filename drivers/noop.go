package drivers

import (
	"context"

	"github.com/ironic-go/ironic-go/objects"
	"github.com/ironic-go/ironic-go/objects/exception"
)

// Entry point names of the no-op implementations.
const (
	NoConsoleName   = "no-console"
	NoInspectName   = "no-inspect"
	NoRAIDName      = "no-raid"
	NoVendorName    = "no-vendor"
	NoopNetworkName = "noop"
	NoopStorageName = "noop"
)

// NoopCatalog returns the no-op implementations under their Ironic entry
// point names: no-console, no-inspect, no-raid, no-vendor, and noop for
// network and storage. Hardware types without an implementation of their
// own for an optional interface use these.
func NoopCatalog() Catalog {
	return Catalog{Interfaces: []Implementation{
		{Type: InterfaceConsole, Name: NoConsoleName, Impl: NoConsole{}},
		{Type: InterfaceInspect, Name: NoInspectName, Impl: NoInspect{}},
		{Type: InterfaceRAID, Name: NoRAIDName, Impl: NoRAID{}},
		{Type: InterfaceVendor, Name: NoVendorName, Impl: NoVendor{}},
		{Type: InterfaceNetwork, Name: NoopNetworkName, Impl: NoopNetwork{}},
		{Type: InterfaceStorage, Name: NoopStorageName, Impl: NoopStorage{}},
	}}
}

// unsupported is what Ironic's no-op interfaces raise for every
// user-visible action: UnsupportedDriverExtension(node's driver, type).
func unsupported(task *Task, t InterfaceType) error {
	return exception.UnsupportedDriverExtension(task.DriverName(), string(t))
}

// NoConsole is the "no-console" console interface: validation and every
// action fail with UnsupportedDriverExtension (noop.NoConsole).
type NoConsole struct{}

var _ ConsoleInterface = NoConsole{}

// Properties returns no properties.
func (NoConsole) Properties() map[string]string { return map[string]string{} }

// Validate returns UnsupportedDriverExtension.
func (NoConsole) Validate(_ context.Context, task *Task) error {
	return unsupported(task, InterfaceConsole)
}

// StartConsole returns UnsupportedDriverExtension.
func (NoConsole) StartConsole(_ context.Context, task *Task) error {
	return unsupported(task, InterfaceConsole)
}

// StopConsole returns UnsupportedDriverExtension.
func (NoConsole) StopConsole(_ context.Context, task *Task) error {
	return unsupported(task, InterfaceConsole)
}

// GetConsole returns UnsupportedDriverExtension.
func (NoConsole) GetConsole(_ context.Context, task *Task) (map[string]any, error) {
	return nil, unsupported(task, InterfaceConsole)
}

// NoInspect is the "no-inspect" inspect interface (noop.NoInspect).
type NoInspect struct{}

var _ InspectInterface = NoInspect{}

// Properties returns no properties.
func (NoInspect) Properties() map[string]string { return map[string]string{} }

// Validate returns UnsupportedDriverExtension.
func (NoInspect) Validate(_ context.Context, task *Task) error {
	return unsupported(task, InterfaceInspect)
}

// InspectHardware returns UnsupportedDriverExtension.
func (NoInspect) InspectHardware(_ context.Context, task *Task) (string, error) {
	return "", unsupported(task, InterfaceInspect)
}

// NoRAID is the "no-raid" RAID interface (noop.NoRAID). Its logical disk
// properties are still Ironic's schema's, as Ironic's are.
type NoRAID struct{}

var _ RAIDInterface = NoRAID{}

// Properties returns no properties.
func (NoRAID) Properties() map[string]string { return map[string]string{} }

// Validate returns UnsupportedDriverExtension.
func (NoRAID) Validate(_ context.Context, task *Task) error { return unsupported(task, InterfaceRAID) }

// ValidateRAIDConfig returns UnsupportedDriverExtension.
func (NoRAID) ValidateRAIDConfig(_ context.Context, task *Task, _ map[string]any) error {
	return unsupported(task, InterfaceRAID)
}

// CreateConfiguration returns UnsupportedDriverExtension.
func (NoRAID) CreateConfiguration(_ context.Context, task *Task, _, _ bool) (string, error) {
	return "", unsupported(task, InterfaceRAID)
}

// DeleteConfiguration returns UnsupportedDriverExtension.
func (NoRAID) DeleteConfiguration(_ context.Context, task *Task) (string, error) {
	return "", unsupported(task, InterfaceRAID)
}

// LogicalDiskProperties returns the schema's logical disk properties.
func (NoRAID) LogicalDiskProperties() map[string]string { return LogicalDiskProperties() }

// NoVendor is the "no-vendor" vendor interface: no routes, and validation
// fails with UnsupportedDriverExtension (noop.NoVendor).
type NoVendor struct{}

var _ VendorInterface = NoVendor{}

// Properties returns no properties.
func (NoVendor) Properties() map[string]string { return map[string]string{} }

// Validate returns UnsupportedDriverExtension(node's driver, "vendor").
func (NoVendor) Validate(_ context.Context, task *Task, _, _ string, _ map[string]any) error {
	return unsupported(task, InterfaceVendor)
}

// DriverValidate returns UnsupportedDriverExtension("NoVendor", "vendor"):
// with no node, Ironic names the class.
func (NoVendor) DriverValidate(_ context.Context, _, _ string, _ map[string]any) error {
	return exception.UnsupportedDriverExtension("NoVendor", string(InterfaceVendor))
}

// Routes returns no routes.
func (NoVendor) Routes() map[string]Route { return map[string]Route{} }

// DriverRoutes returns no routes.
func (NoVendor) DriverRoutes() map[string]Route { return map[string]Route{} }

// NoopNetwork is the "noop" network interface: every operation succeeds
// and does nothing; no VIF is ever attached (network.noop.NoopNetwork).
type NoopNetwork struct{}

var _ NetworkInterface = NoopNetwork{}

// Properties returns no properties.
func (NoopNetwork) Properties() map[string]string { return map[string]string{} }

// Validate succeeds.
func (NoopNetwork) Validate(context.Context, *Task) error { return nil }

// PortChanged does nothing.
func (NoopNetwork) PortChanged(context.Context, *Task, *objects.Port) error { return nil }

// PortgroupChanged does nothing.
func (NoopNetwork) PortgroupChanged(context.Context, *Task, *objects.Portgroup) error { return nil }

// VifAttach does nothing.
func (NoopNetwork) VifAttach(context.Context, *Task, map[string]any) error { return nil }

// VifDetach does nothing.
func (NoopNetwork) VifDetach(context.Context, *Task, string) error { return nil }

// VifList returns an empty list.
func (NoopNetwork) VifList(context.Context, *Task) ([]map[string]any, error) {
	return []map[string]any{}, nil
}

// AddProvisioningNetwork does nothing.
func (NoopNetwork) AddProvisioningNetwork(context.Context, *Task) error { return nil }

// RemoveProvisioningNetwork does nothing.
func (NoopNetwork) RemoveProvisioningNetwork(context.Context, *Task) error { return nil }

// ConfigureTenantNetworks does nothing.
func (NoopNetwork) ConfigureTenantNetworks(context.Context, *Task) error { return nil }

// UnconfigureTenantNetworks does nothing.
func (NoopNetwork) UnconfigureTenantNetworks(context.Context, *Task) error { return nil }

// AddCleaningNetwork does nothing and returns nil.
func (NoopNetwork) AddCleaningNetwork(context.Context, *Task) (map[string]string, error) {
	return nil, nil
}

// RemoveCleaningNetwork does nothing.
func (NoopNetwork) RemoveCleaningNetwork(context.Context, *Task) error { return nil }

// NoopStorage is the "noop" storage interface: nothing to attach, and the
// image is always written (storage.noop.NoopStorage).
type NoopStorage struct{}

var _ StorageInterface = NoopStorage{}

// Properties returns no properties.
func (NoopStorage) Properties() map[string]string { return map[string]string{} }

// Validate succeeds.
func (NoopStorage) Validate(context.Context, *Task) error { return nil }

// AttachVolumes does nothing.
func (NoopStorage) AttachVolumes(context.Context, *Task) error { return nil }

// DetachVolumes does nothing.
func (NoopStorage) DetachVolumes(context.Context, *Task) error { return nil }

// ShouldWriteImage returns true.
func (NoopStorage) ShouldWriteImage(context.Context, *Task) bool { return true }
