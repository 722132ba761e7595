package drivers_test

import (
	"context"
	"time"

	"github.com/ironic-go/ironic-go/drivers"
	"github.com/ironic-go/ironic-go/drivers/fake"
	"github.com/ironic-go/ironic-go/objects"
)

// stub implements every non-vendor contract; its behaviour is set by
// its fields. It stands for implementations this project does not have
// (pxe, direct, flat, agent...), under their Ironic names.
type stub struct {
	name     string
	props    map[string]string
	validate error
	steps    []drivers.CleanStep
}

var (
	_ drivers.BootInterface       = (*stub)(nil)
	_ drivers.ConsoleInterface    = (*stub)(nil)
	_ drivers.DeployInterface     = (*stub)(nil)
	_ drivers.InspectInterface    = (*stub)(nil)
	_ drivers.ManagementInterface = (*stub)(nil)
	_ drivers.NetworkInterface    = (*stub)(nil)
	_ drivers.PowerInterface      = (*stub)(nil)
	_ drivers.RAIDInterface       = (*stub)(nil)
	_ drivers.StorageInterface    = (*stub)(nil)
)

func (s *stub) Properties() map[string]string {
	if s.props == nil {
		return map[string]string{}
	}
	return s.props
}
func (s *stub) Validate(context.Context, *drivers.Task) error { return s.validate }

func (s *stub) PrepareRamdisk(context.Context, *drivers.Task, map[string]any) error { return nil }
func (s *stub) CleanUpRamdisk(context.Context, *drivers.Task) error                 { return nil }
func (s *stub) PrepareInstance(context.Context, *drivers.Task) error                { return nil }
func (s *stub) CleanUpInstance(context.Context, *drivers.Task) error                { return nil }
func (s *stub) StartConsole(context.Context, *drivers.Task) error                   { return nil }
func (s *stub) StopConsole(context.Context, *drivers.Task) error                    { return nil }
func (s *stub) GetConsole(context.Context, *drivers.Task) (map[string]any, error) {
	return map[string]any{}, nil
}
func (s *stub) Deploy(context.Context, *drivers.Task) (string, error)          { return "", nil }
func (s *stub) TearDown(context.Context, *drivers.Task) (string, error)        { return "", nil }
func (s *stub) Prepare(context.Context, *drivers.Task) error                   { return nil }
func (s *stub) CleanUp(context.Context, *drivers.Task) error                   { return nil }
func (s *stub) TakeOver(context.Context, *drivers.Task) error                  { return nil }
func (s *stub) PrepareCleaning(context.Context, *drivers.Task) (string, error) { return "", nil }
func (s *stub) TearDownCleaning(context.Context, *drivers.Task) error          { return nil }
func (s *stub) Heartbeat(context.Context, *drivers.Task, string) error         { return nil }
func (s *stub) InspectHardware(context.Context, *drivers.Task) (string, error) { return "", nil }
func (s *stub) SupportedBootDevices(context.Context, *drivers.Task) ([]string, error) {
	return nil, nil
}
func (s *stub) SetBootDevice(context.Context, *drivers.Task, string, bool) error { return nil }
func (s *stub) GetBootDevice(context.Context, *drivers.Task) (drivers.BootDevice, error) {
	return drivers.BootDevice{}, nil
}
func (s *stub) GetSensorsData(context.Context, *drivers.Task) (map[string]any, error) {
	return nil, nil
}
func (s *stub) PortChanged(context.Context, *drivers.Task, *objects.Port) error           { return nil }
func (s *stub) PortgroupChanged(context.Context, *drivers.Task, *objects.Portgroup) error { return nil }
func (s *stub) VifAttach(context.Context, *drivers.Task, map[string]any) error            { return nil }
func (s *stub) VifDetach(context.Context, *drivers.Task, string) error                    { return nil }
func (s *stub) VifList(context.Context, *drivers.Task) ([]map[string]any, error)          { return nil, nil }
func (s *stub) AddProvisioningNetwork(context.Context, *drivers.Task) error               { return nil }
func (s *stub) RemoveProvisioningNetwork(context.Context, *drivers.Task) error            { return nil }
func (s *stub) ConfigureTenantNetworks(context.Context, *drivers.Task) error              { return nil }
func (s *stub) UnconfigureTenantNetworks(context.Context, *drivers.Task) error            { return nil }
func (s *stub) AddCleaningNetwork(context.Context, *drivers.Task) (map[string]string, error) {
	return nil, nil
}
func (s *stub) RemoveCleaningNetwork(context.Context, *drivers.Task) error { return nil }
func (s *stub) GetPowerState(context.Context, *drivers.Task) (string, error) {
	return drivers.PowerOff, nil
}
func (s *stub) SetPowerState(context.Context, *drivers.Task, string, time.Duration) error { return nil }
func (s *stub) Reboot(context.Context, *drivers.Task, time.Duration) error                { return nil }
func (s *stub) SupportedPowerStates(context.Context, *drivers.Task) ([]string, error) {
	return drivers.DefaultSupportedPowerStates(), nil
}
func (s *stub) ValidateRAIDConfig(_ context.Context, _ *drivers.Task, c map[string]any) error {
	return drivers.ValidateRAIDConfig(c)
}
func (s *stub) CreateConfiguration(context.Context, *drivers.Task, bool, bool) (string, error) {
	return "", nil
}
func (s *stub) DeleteConfiguration(context.Context, *drivers.Task) (string, error) { return "", nil }
func (s *stub) LogicalDiskProperties() map[string]string                           { return drivers.LogicalDiskProperties() }
func (s *stub) AttachVolumes(context.Context, *drivers.Task) error                 { return nil }
func (s *stub) DetachVolumes(context.Context, *drivers.Task) error                 { return nil }
func (s *stub) ShouldWriteImage(context.Context, *drivers.Task) bool               { return true }

// stepper is a stub with clean steps.
type stepper struct {
	stub
	ran []string
}

func (s *stepper) GetCleanSteps(context.Context, *drivers.Task) ([]drivers.CleanStep, error) {
	return s.steps, nil
}

func (s *stepper) ExecuteCleanStep(_ context.Context, _ *drivers.Task, step drivers.CleanStep) (string, error) {
	s.ran = append(s.ran, step.Step)
	return "", nil
}

// manualManagement mirrors Debian Ironic's manual-management hardware
// type (ManualManagementHardware, 21.4) by implementation names.
func manualManagement() drivers.HardwareType {
	return drivers.HardwareType{
		Name:      "manual-management",
		ClassName: "ManualManagementHardware",
		Supported: map[drivers.InterfaceType][]string{
			drivers.InterfaceBoot:       {"ipxe", "pxe"},
			drivers.InterfaceConsole:    {"no-console"},
			drivers.InterfaceDeploy:     {"direct", "ansible", "ramdisk", "anaconda", "custom-agent"},
			drivers.InterfaceInspect:    {"inspector", "no-inspect"},
			drivers.InterfaceManagement: {"noop", "fake"},
			drivers.InterfaceNetwork:    {"flat", "neutron", "noop"},
			drivers.InterfacePower:      {"agent", "fake"},
			drivers.InterfaceRAID:       {"no-raid", "agent"},
			drivers.InterfaceStorage:    {"noop", "cinder", "external"},
			drivers.InterfaceVendor:     {"no-vendor"},
		},
	}
}

// stubCatalog offers manual-management and stubs for the implementations
// it names that neither the fake nor the no-op catalogs have (those
// Debian's Ironic can load in a test process).
func stubCatalog() drivers.Catalog {
	c := drivers.Catalog{HardwareTypes: []drivers.HardwareType{manualManagement()}}
	for t, names := range map[drivers.InterfaceType][]string{
		drivers.InterfaceBoot:       {"pxe"},
		drivers.InterfaceDeploy:     {"direct", "ramdisk"},
		drivers.InterfaceInspect:    {"inspector"},
		drivers.InterfaceManagement: {"noop"},
		drivers.InterfaceNetwork:    {"flat"},
		drivers.InterfacePower:      {"agent"},
		drivers.InterfaceRAID:       {"agent"},
		drivers.InterfaceStorage:    {"cinder"},
	} {
		for _, n := range names {
			c.Interfaces = append(c.Interfaces, drivers.Implementation{Type: t, Name: n, Impl: &stub{name: n}})
		}
	}
	return c
}

// allCatalogs is what the tests register: no-op, fake and stubs.
func allCatalogs() []drivers.Catalog {
	return []drivers.Catalog{drivers.NoopCatalog(), fake.Catalog(), stubCatalog()}
}

func strp(s string) *string { return &s }
