package drivers

import (
	"context"
	"slices"
	"time"

	"github.com/ironic-go/ironic-go/objects"
	"github.com/ironic-go/ironic-go/objects/exception"
)

// InterfaceType names a kind of driver interface, as in a node's
// <type>_interface field and the ironic.hardware.interfaces.<type> entry
// point.
type InterfaceType string

// The interface types of Node 1.21 (RPC API 1.40).
const (
	InterfaceBoot       InterfaceType = "boot"
	InterfaceConsole    InterfaceType = "console"
	InterfaceDeploy     InterfaceType = "deploy"
	InterfaceInspect    InterfaceType = "inspect"
	InterfaceManagement InterfaceType = "management"
	InterfaceNetwork    InterfaceType = "network"
	InterfacePower      InterfaceType = "power"
	InterfaceRAID       InterfaceType = "raid"
	InterfaceStorage    InterfaceType = "storage"
	InterfaceVendor     InterfaceType = "vendor"
)

// InterfaceTypes returns every interface type, in alphabetical order.
func InterfaceTypes() []InterfaceType {
	return []InterfaceType{
		InterfaceBoot, InterfaceConsole, InterfaceDeploy, InterfaceInspect, InterfaceManagement,
		InterfaceNetwork, InterfacePower, InterfaceRAID, InterfaceStorage, InterfaceVendor,
	}
}

// NonVendorInterfaceTypes returns the interface types that
// validate_driver_interfaces validates: all but vendor.
func NonVendorInterfaceTypes() []InterfaceType {
	return slices.DeleteFunc(InterfaceTypes(), func(t InterfaceType) bool { return t == InterfaceVendor })
}

// coreInterfaceTypes are the types a hardware type must list itself
// (AbstractHardwareType's abstract properties); the others default to
// their no-op implementation.
func coreInterfaceTypes() []InterfaceType {
	return []InterfaceType{InterfaceBoot, InterfaceDeploy, InterfaceManagement, InterfacePower}
}

// Valid reports whether t is one of the ten interface types.
func (t InterfaceType) Valid() bool { return slices.Contains(InterfaceTypes(), t) }

// NodeField returns the node field holding the implementation name, e.g.
// "power_interface".
func (t InterfaceType) NodeField() string { return string(t) + "_interface" }

// Entrypoint returns the name of Ironic's entry point group for the type,
// e.g. "ironic.hardware.interfaces.power", as error messages name it.
func (t InterfaceType) Entrypoint() string { return "ironic.hardware.interfaces." + string(t) }

// HardwareTypesEntrypoint is the entry point group of hardware types.
const HardwareTypesEntrypoint = "ironic.hardware.types"

// Power states a power interface reports and accepts (values of
// conductor/states).
const (
	PowerOn      = "power on"
	PowerOff     = "power off"
	Reboot       = "rebooting"
	SoftReboot   = "soft rebooting"
	SoftPowerOff = "soft power off"
	// PowerError is what GetPowerState returns when the state is unknown.
	PowerError = "error"
)

// Provision states a driver returns (values of conductor/states).
const (
	// StateDeployWait ("wait call-back"): Deploy continues asynchronously.
	StateDeployWait = "wait call-back"
	// StateDeployDone ("deploy complete"): Deploy finished.
	StateDeployDone = "deploy complete"
	// StateDeleted ("deleted"): TearDown finished.
	StateDeleted = "deleted"
	// StateCleanWait ("clean wait"): a clean step or PrepareCleaning
	// continues asynchronously.
	StateCleanWait = "clean wait"
	// StateManageable ("manageable"): InspectHardware finished.
	StateManageable = "manageable"
	// StateInspecting ("inspecting"): InspectHardware continues
	// asynchronously.
	StateInspecting = "inspecting"
)

// Boot devices (ironic.common.boot_devices).
const (
	BootDevicePXE     = "pxe"
	BootDeviceDisk    = "disk"
	BootDeviceCDROM   = "cdrom"
	BootDeviceBIOS    = "bios"
	BootDeviceSafe    = "safe"
	BootDeviceWANBoot = "wanboot"
)

// DefaultSupportedPowerStates returns what Ironic's PowerInterface
// get_supported_power_states returns unless overridden: power on, power
// off, rebooting.
func DefaultSupportedPowerStates() []string { return []string{PowerOn, PowerOff, Reboot} }

// Interface is what every implementation has: the driver_info properties
// it reads (property name → description), which get_driver_properties
// reports.
type Interface interface {
	Properties() map[string]string
}

// Validator checks that a node carries what an interface needs
// (driver_info, instance_info). It is called from API requests and must
// be quick. Every non-vendor interface is a Validator.
type Validator interface {
	// Validate returns InvalidParameterValue or MissingParameterValue
	// (or UnsupportedDriverExtension for a no-op interface).
	Validate(ctx context.Context, task *Task) error
}

// PowerInterface controls a node's power (PowerInterface).
type PowerInterface interface {
	Interface
	Validator
	// GetPowerState returns PowerOn, PowerOff or PowerError.
	GetPowerState(ctx context.Context, task *Task) (string, error)
	// SetPowerState applies one of SupportedPowerStates (other than
	// Reboot). timeout 0 means the driver's default.
	SetPowerState(ctx context.Context, task *Task, state string, timeout time.Duration) error
	// Reboot hard-reboots the node, powering it on if it is off. timeout 0
	// means the driver's default.
	Reboot(ctx context.Context, task *Task, timeout time.Duration) error
	// SupportedPowerStates lists the states change_node_power_state
	// accepts; most drivers return DefaultSupportedPowerStates().
	SupportedPowerStates(ctx context.Context, task *Task) ([]string, error)
}

// BootDevice is what GetBootDevice returns: the device ("" when unknown,
// null on the wire) and whether it persists (nil when unknown).
type BootDevice struct {
	Device     string
	Persistent *bool
}

// Map returns the RPC result of get_boot_device:
// {"boot_device": str|None, "persistent": bool|None}.
func (b BootDevice) Map() map[string]any {
	m := map[string]any{"boot_device": nil, "persistent": nil}
	if b.Device != "" {
		m["boot_device"] = b.Device
	}
	if b.Persistent != nil {
		m["persistent"] = *b.Persistent
	}
	return m
}

// ManagementInterface sets boot devices and reads sensors
// (ManagementInterface).
type ManagementInterface interface {
	Interface
	Validator
	// SupportedBootDevices lists the boot devices SetBootDevice accepts.
	SupportedBootDevices(ctx context.Context, task *Task) ([]string, error)
	// SetBootDevice sets the device for the next boot, or for all boots
	// when persistent. InvalidParameterValue for an unsupported device.
	SetBootDevice(ctx context.Context, task *Task, device string, persistent bool) error
	// GetBootDevice returns the current boot device.
	GetBootDevice(ctx context.Context, task *Task) (BootDevice, error)
	// GetSensorsData returns sensor readings grouped by sensor type, then
	// sensor id (FailedToGetSensorData, FailedToParseSensorData).
	GetSensorsData(ctx context.Context, task *Task) (map[string]any, error)
}

// NMIInjector is a ManagementInterface that can inject a non-maskable
// interrupt (inject_nmi, RPC 1.40).
type NMIInjector interface {
	InjectNMI(ctx context.Context, task *Task) error
}

// InjectNMI calls m's InjectNMI, or returns UnsupportedDriverExtension
// (extension "inject_nmi") when m cannot, as Ironic's base class does.
func InjectNMI(ctx context.Context, task *Task, m ManagementInterface) error {
	if n, ok := m.(NMIInjector); ok {
		return n.InjectNMI(ctx, task)
	}
	return exception.UnsupportedDriverExtension(task.DriverName(), "inject_nmi")
}

// BootInterface prepares what a node boots (BootInterface).
type BootInterface interface {
	Interface
	Validator
	// PrepareRamdisk prepares the deploy or cleaning ramdisk boot with
	// the given kernel parameters.
	PrepareRamdisk(ctx context.Context, task *Task, ramdiskParams map[string]any) error
	// CleanUpRamdisk undoes PrepareRamdisk.
	CleanUpRamdisk(ctx context.Context, task *Task) error
	// PrepareInstance prepares booting the deployed instance.
	PrepareInstance(ctx context.Context, task *Task) error
	// CleanUpInstance undoes PrepareInstance.
	CleanUpInstance(ctx context.Context, task *Task) error
}

// DeployInterface deploys and tears down instances (DeployInterface).
type DeployInterface interface {
	Interface
	Validator
	// Deploy deploys the instance after Prepare. It returns
	// StateDeployDone, StateDeployWait (the deploy continues and the
	// driver resumes it) or "" (None).
	Deploy(ctx context.Context, task *Task) (string, error)
	// TearDown undeploys the node; it returns StateDeleted or "".
	TearDown(ctx context.Context, task *Task) (string, error)
	// Prepare prepares the environment before Deploy; idempotent.
	Prepare(ctx context.Context, task *Task) error
	// CleanUp erases what Prepare made; idempotent, may run on several
	// conductors at once, needs no exclusive lock.
	CleanUp(ctx context.Context, task *Task) error
	// TakeOver adopts the node's environment when it moves to this
	// conductor.
	TakeOver(ctx context.Context, task *Task) error
	// PrepareCleaning prepares the node for cleaning. It returns
	// StateCleanWait if it continues asynchronously (the driver then
	// calls continue_node_clean), else "".
	PrepareCleaning(ctx context.Context, task *Task) (string, error)
	// TearDownCleaning undoes PrepareCleaning after cleaning.
	TearDownCleaning(ctx context.Context, task *Task) error
	// Heartbeat records an agent heartbeat. Drivers without agents log
	// a warning and return nil, as Ironic's base class does.
	Heartbeat(ctx context.Context, task *Task, callbackURL string) error
}

// ConsoleInterface gives access to a node's serial console
// (ConsoleInterface).
type ConsoleInterface interface {
	Interface
	Validator
	// StartConsole starts the console; no error if it already runs.
	StartConsole(ctx context.Context, task *Task) error
	// StopConsole stops the console.
	StopConsole(ctx context.Context, task *Task) error
	// GetConsole returns the connection information, e.g.
	// {"type": "shellinabox", "url": "http://..."}.
	GetConsole(ctx context.Context, task *Task) (map[string]any, error)
}

// InspectInterface discovers hardware properties (InspectInterface).
type InspectInterface interface {
	Interface
	Validator
	// InspectHardware inspects the node and returns StateManageable when
	// done, or StateInspecting when it continues asynchronously
	// (HardwareInspectionFailure on failure).
	InspectHardware(ctx context.Context, task *Task) (string, error)
}

// RAIDInterface configures RAID (RAIDInterface). Its Validate checks
// node.target_raid_config when set (see [ValidateTargetRAIDConfig]).
type RAIDInterface interface {
	Interface
	Validator
	// ValidateRAIDConfig checks a target RAID configuration
	// (InvalidParameterValue); most drivers use [ValidateRAIDConfig].
	ValidateRAIDConfig(ctx context.Context, task *Task, raidConfig map[string]any) error
	// CreateConfiguration applies node.target_raid_config. It returns
	// StateCleanWait when it continues asynchronously, else "".
	CreateConfiguration(ctx context.Context, task *Task, createRootVolume, createNonRootVolumes bool) (string, error)
	// DeleteConfiguration deletes the RAID configuration, with the same
	// return as CreateConfiguration.
	DeleteConfiguration(ctx context.Context, task *Task) (string, error)
	// LogicalDiskProperties describes what a logical disk may specify
	// (get_raid_logical_disk_properties); most drivers return
	// [LogicalDiskProperties].
	LogicalDiskProperties() map[string]string
}

// NetworkInterface wires a node's ports to networks (NetworkInterface).
type NetworkInterface interface {
	Interface
	Validator
	// PortChanged acts on a port update before it is saved (Conflict,
	// FailedToUpdateDHCPOptOnPort).
	PortChanged(ctx context.Context, task *Task, port *objects.Port) error
	// PortgroupChanged acts on a portgroup update before it is saved.
	PortgroupChanged(ctx context.Context, task *Task, portgroup *objects.Portgroup) error
	// VifAttach attaches the VIF described by vifInfo (which has an "id")
	// (NetworkError, VifAlreadyAttached, NoFreePhysicalPorts).
	VifAttach(ctx context.Context, task *Task, vifInfo map[string]any) error
	// VifDetach detaches a VIF (NetworkError, VifNotAttached).
	VifDetach(ctx context.Context, task *Task, vifID string) error
	// VifList lists the attached VIFs, each a map with an "id".
	VifList(ctx context.Context, task *Task) ([]map[string]any, error)
	// AddProvisioningNetwork and the following methods move the node
	// between networks during deployment and cleaning.
	AddProvisioningNetwork(ctx context.Context, task *Task) error
	// RemoveProvisioningNetwork undoes AddProvisioningNetwork.
	RemoveProvisioningNetwork(ctx context.Context, task *Task) error
	// ConfigureTenantNetworks binds the node to its tenant networks.
	ConfigureTenantNetworks(ctx context.Context, task *Task) error
	// UnconfigureTenantNetworks undoes ConfigureTenantNetworks.
	UnconfigureTenantNetworks(ctx context.Context, task *Task) error
	// AddCleaningNetwork puts the node on the cleaning network; it may
	// return VIF port ids by port UUID.
	AddCleaningNetwork(ctx context.Context, task *Task) (map[string]string, error)
	// RemoveCleaningNetwork undoes AddCleaningNetwork.
	RemoveCleaningNetwork(ctx context.Context, task *Task) error
}

// StorageInterface attaches remote volumes (StorageInterface).
type StorageInterface interface {
	Interface
	Validator
	// AttachVolumes attaches the node's volume targets.
	AttachVolumes(ctx context.Context, task *Task) error
	// DetachVolumes detaches them.
	DetachVolumes(ctx context.Context, task *Task) error
	// ShouldWriteImage reports whether the deploy must write an image.
	ShouldWriteImage(ctx context.Context, task *Task) bool
}

// VendorInterface exposes vendor passthru methods (VendorInterface).
// Routes and DriverRoutes must return the same routes on every call.
type VendorInterface interface {
	Interface
	// Validate checks a node vendor passthru call before it runs, with
	// the upper-cased HTTP method and the caller's arguments
	// (InvalidParameterValue, MissingParameterValue,
	// UnsupportedDriverExtension).
	Validate(ctx context.Context, task *Task, method, httpMethod string, info map[string]any) error
	// DriverValidate checks a driver vendor passthru call (no node).
	DriverValidate(ctx context.Context, method, httpMethod string, info map[string]any) error
	// Routes returns the node vendor passthru methods by name.
	Routes() map[string]Route
	// DriverRoutes returns the driver vendor passthru methods by name.
	DriverRoutes() map[string]Route
}

// implementsType reports whether impl satisfies the contract of t.
func implementsType(t InterfaceType, impl Interface) bool {
	var ok bool
	switch t {
	case InterfaceBoot:
		_, ok = impl.(BootInterface)
	case InterfaceConsole:
		_, ok = impl.(ConsoleInterface)
	case InterfaceDeploy:
		_, ok = impl.(DeployInterface)
	case InterfaceInspect:
		_, ok = impl.(InspectInterface)
	case InterfaceManagement:
		_, ok = impl.(ManagementInterface)
	case InterfaceNetwork:
		_, ok = impl.(NetworkInterface)
	case InterfacePower:
		_, ok = impl.(PowerInterface)
	case InterfaceRAID:
		_, ok = impl.(RAIDInterface)
	case InterfaceStorage:
		_, ok = impl.(StorageInterface)
	case InterfaceVendor:
		_, ok = impl.(VendorInterface)
	}
	return ok
}
