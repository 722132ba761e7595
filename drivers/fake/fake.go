package fake

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/ironic-go/ironic-go/drivers"
	"github.com/ironic-go/ironic-go/objects/exception"
)

// Names of the hardware type and of its implementations (entry points).
const (
	HardwareTypeName = "fake-hardware"
	Name             = "fake"
)

// HardwareType returns fake-hardware: every fake implementation first,
// then the no-op one where Ironic has it, and any enabled implementation
// accepted (FakeHardware).
func HardwareType() drivers.HardwareType {
	return drivers.HardwareType{
		Name:      HardwareTypeName,
		ClassName: "FakeHardware",
		Supported: map[drivers.InterfaceType][]string{
			drivers.InterfaceBoot:       {Name},
			drivers.InterfaceConsole:    {Name, drivers.NoConsoleName},
			drivers.InterfaceDeploy:     {Name},
			drivers.InterfaceInspect:    {Name, drivers.NoInspectName},
			drivers.InterfaceManagement: {Name},
			drivers.InterfaceNetwork:    {drivers.NoopNetworkName},
			drivers.InterfacePower:      {Name},
			drivers.InterfaceRAID:       {Name, drivers.NoRAIDName},
			drivers.InterfaceStorage:    {Name, drivers.NoopStorageName},
			drivers.InterfaceVendor:     {Name, drivers.NoVendorName},
		},
		AnyInterface: true,
	}
}

// Catalog returns fake-hardware and the "fake" implementation of each
// interface type but network (Ironic has none). The "fake" vendor
// interface is [VendorB], as Ironic's entry point is.
func Catalog() drivers.Catalog {
	return drivers.Catalog{
		HardwareTypes: []drivers.HardwareType{HardwareType()},
		Interfaces: []drivers.Implementation{
			{Type: drivers.InterfaceBoot, Name: Name, Impl: Boot{}},
			{Type: drivers.InterfaceConsole, Name: Name, Impl: Console{}},
			{Type: drivers.InterfaceDeploy, Name: Name, Impl: Deploy{}},
			{Type: drivers.InterfaceInspect, Name: Name, Impl: Inspect{}},
			{Type: drivers.InterfaceManagement, Name: Name, Impl: Management{}},
			{Type: drivers.InterfacePower, Name: Name, Impl: Power{}},
			{Type: drivers.InterfaceRAID, Name: Name, Impl: RAID{}},
			{Type: drivers.InterfaceStorage, Name: Name, Impl: Storage{}},
			{Type: drivers.InterfaceVendor, Name: Name, Impl: VendorB{}},
		},
	}
}

// Power keeps the power state in the node (FakePower).
type Power struct{}

var _ drivers.PowerInterface = Power{}

// Properties returns no properties.
func (Power) Properties() map[string]string { return map[string]string{} }

// Validate succeeds.
func (Power) Validate(context.Context, *drivers.Task) error { return nil }

// GetPowerState returns the node's power_state ("" when null).
func (Power) GetPowerState(_ context.Context, task *drivers.Task) (string, error) {
	if task.Node.PowerState == nil {
		return "", nil
	}
	return *task.Node.PowerState, nil
}

// SetPowerState records power on or power off in the node; other states
// are InvalidParameterValue.
func (Power) SetPowerState(_ context.Context, task *drivers.Task, state string, _ time.Duration) error {
	if state != drivers.PowerOn && state != drivers.PowerOff {
		return exception.InvalidParameterValue(fmt.Sprintf("set_power_state called with an invalid power state: %s.", state))
	}
	task.Node.PowerState = &state
	return nil
}

// Reboot records power on in the node. (Ironic's fake does nothing and
// lets the conductor record power on, as it does after any reboot; the
// result is the same.)
func (Power) Reboot(_ context.Context, task *drivers.Task, _ time.Duration) error {
	on := drivers.PowerOn
	task.Node.PowerState = &on
	return nil
}

// SupportedPowerStates returns power on, power off and rebooting.
func (Power) SupportedPowerStates(context.Context, *drivers.Task) ([]string, error) {
	return drivers.DefaultSupportedPowerStates(), nil
}

// Management pretends to boot from the network (FakeManagement).
type Management struct{}

var _ drivers.ManagementInterface = Management{}

// Properties returns no properties.
func (Management) Properties() map[string]string { return map[string]string{} }

// Validate succeeds.
func (Management) Validate(context.Context, *drivers.Task) error { return nil }

// SupportedBootDevices returns [pxe].
func (Management) SupportedBootDevices(context.Context, *drivers.Task) ([]string, error) {
	return []string{drivers.BootDevicePXE}, nil
}

// SetBootDevice accepts pxe and records nothing; other devices are
// InvalidParameterValue.
func (m Management) SetBootDevice(ctx context.Context, task *drivers.Task, device string, _ bool) error {
	supported, _ := m.SupportedBootDevices(ctx, task)
	if !slices.Contains(supported, device) {
		return exception.InvalidParameterValue(fmt.Sprintf("Invalid boot device %s specified.", device))
	}
	return nil
}

// GetBootDevice returns pxe, not persistent.
func (Management) GetBootDevice(context.Context, *drivers.Task) (drivers.BootDevice, error) {
	persistent := false
	return drivers.BootDevice{Device: drivers.BootDevicePXE, Persistent: &persistent}, nil
}

// GetSensorsData returns no sensors.
func (Management) GetSensorsData(context.Context, *drivers.Task) (map[string]any, error) {
	return map[string]any{}, nil
}

// Boot prepares nothing (FakeBoot).
type Boot struct{}

var _ drivers.BootInterface = Boot{}

// Properties returns no properties.
func (Boot) Properties() map[string]string { return map[string]string{} }

// Validate succeeds.
func (Boot) Validate(context.Context, *drivers.Task) error { return nil }

// PrepareRamdisk does nothing.
func (Boot) PrepareRamdisk(context.Context, *drivers.Task, map[string]any) error { return nil }

// CleanUpRamdisk does nothing.
func (Boot) CleanUpRamdisk(context.Context, *drivers.Task) error { return nil }

// PrepareInstance does nothing.
func (Boot) PrepareInstance(context.Context, *drivers.Task) error { return nil }

// CleanUpInstance does nothing.
func (Boot) CleanUpInstance(context.Context, *drivers.Task) error { return nil }

// Deploy deploys and tears down instantly (FakeDeploy). It has no clean
// steps and prepares cleaning synchronously, so cleaning a fake node goes
// straight to its end.
type Deploy struct{}

var _ drivers.DeployInterface = Deploy{}

// Properties returns no properties.
func (Deploy) Properties() map[string]string { return map[string]string{} }

// Validate succeeds.
func (Deploy) Validate(context.Context, *drivers.Task) error { return nil }

// Deploy returns "deploy complete".
func (Deploy) Deploy(context.Context, *drivers.Task) (string, error) {
	return drivers.StateDeployDone, nil
}

// TearDown returns "deleted".
func (Deploy) TearDown(context.Context, *drivers.Task) (string, error) {
	return drivers.StateDeleted, nil
}

// Prepare does nothing.
func (Deploy) Prepare(context.Context, *drivers.Task) error { return nil }

// CleanUp does nothing.
func (Deploy) CleanUp(context.Context, *drivers.Task) error { return nil }

// TakeOver does nothing.
func (Deploy) TakeOver(context.Context, *drivers.Task) error { return nil }

// PrepareCleaning does nothing and returns "" (synchronous).
func (Deploy) PrepareCleaning(context.Context, *drivers.Task) (string, error) { return "", nil }

// TearDownCleaning does nothing.
func (Deploy) TearDownCleaning(context.Context, *drivers.Task) error { return nil }

// Heartbeat logs that the driver does not support heartbeating, as
// Ironic's base class does.
func (Deploy) Heartbeat(_ context.Context, task *drivers.Task, _ string) error {
	task.Log.Warn().Str("node", task.NodeUUID()).Str("driver", task.DriverName()).
		Msg("Got heartbeat message from node, but the driver does not support heartbeating")
	return nil
}

// Inspect finishes inspection at once (FakeInspect).
type Inspect struct{}

var _ drivers.InspectInterface = Inspect{}

// Properties returns no properties.
func (Inspect) Properties() map[string]string { return map[string]string{} }

// Validate succeeds.
func (Inspect) Validate(context.Context, *drivers.Task) error { return nil }

// InspectHardware returns "manageable" without changing the node.
func (Inspect) InspectHardware(context.Context, *drivers.Task) (string, error) {
	return drivers.StateManageable, nil
}

// Console pretends to run a console (FakeConsole).
type Console struct{}

var _ drivers.ConsoleInterface = Console{}

// Properties returns no properties.
func (Console) Properties() map[string]string { return map[string]string{} }

// Validate succeeds.
func (Console) Validate(context.Context, *drivers.Task) error { return nil }

// StartConsole does nothing.
func (Console) StartConsole(context.Context, *drivers.Task) error { return nil }

// StopConsole does nothing.
func (Console) StopConsole(context.Context, *drivers.Task) error { return nil }

// GetConsole returns an empty map.
func (Console) GetConsole(context.Context, *drivers.Task) (map[string]any, error) {
	return map[string]any{}, nil
}

// RAID validates RAID configurations against Ironic's schema and applies
// none (FakeRAID).
type RAID struct{}

var _ drivers.RAIDInterface = RAID{}

// Properties returns no properties.
func (RAID) Properties() map[string]string { return map[string]string{} }

// Validate checks the node's target_raid_config when set.
func (r RAID) Validate(ctx context.Context, task *drivers.Task) error {
	return drivers.ValidateTargetRAIDConfig(ctx, task, r)
}

// ValidateRAIDConfig checks raidConfig against Ironic's schema.
func (RAID) ValidateRAIDConfig(_ context.Context, _ *drivers.Task, raidConfig map[string]any) error {
	return drivers.ValidateRAIDConfig(raidConfig)
}

// CreateConfiguration does nothing.
func (RAID) CreateConfiguration(context.Context, *drivers.Task, bool, bool) (string, error) {
	return "", nil
}

// DeleteConfiguration does nothing.
func (RAID) DeleteConfiguration(context.Context, *drivers.Task) (string, error) { return "", nil }

// LogicalDiskProperties returns the schema's logical disk properties.
func (RAID) LogicalDiskProperties() map[string]string { return drivers.LogicalDiskProperties() }

// Storage attaches nothing and always writes the image (FakeStorage).
type Storage struct{}

var _ drivers.StorageInterface = Storage{}

// Properties returns no properties.
func (Storage) Properties() map[string]string { return map[string]string{} }

// Validate succeeds.
func (Storage) Validate(context.Context, *drivers.Task) error { return nil }

// AttachVolumes does nothing.
func (Storage) AttachVolumes(context.Context, *drivers.Task) error { return nil }

// DetachVolumes does nothing.
func (Storage) DetachVolumes(context.Context, *drivers.Task) error { return nil }

// ShouldWriteImage returns true.
func (Storage) ShouldWriteImage(context.Context, *drivers.Task) bool { return true }
