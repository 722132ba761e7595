package rpcapi

import (
	"encoding/json"

	"github.com/ironic-go/ironic-go/objects"
)

// Wire names of the conductor RPC methods of API 1.40.
const (
	MethodChangeNodePowerState           = "change_node_power_state"
	MethodContinueNodeClean              = "continue_node_clean"
	MethodCreateNode                     = "create_node"
	MethodDestroyNode                    = "destroy_node"
	MethodDestroyPort                    = "destroy_port"
	MethodDestroyPortgroup               = "destroy_portgroup"
	MethodDestroyVolumeConnector         = "destroy_volume_connector"
	MethodDestroyVolumeTarget            = "destroy_volume_target"
	MethodDoNodeClean                    = "do_node_clean"
	MethodDoNodeDeploy                   = "do_node_deploy"
	MethodDoNodeTearDown                 = "do_node_tear_down"
	MethodDoProvisioningAction           = "do_provisioning_action"
	MethodDriverVendorPassthru           = "driver_vendor_passthru"
	MethodGetBootDevice                  = "get_boot_device"
	MethodGetConsoleInformation          = "get_console_information"
	MethodGetDriverProperties            = "get_driver_properties"
	MethodGetDriverVendorPassthruMethods = "get_driver_vendor_passthru_methods"
	MethodGetNodeVendorPassthruMethods   = "get_node_vendor_passthru_methods"
	MethodGetRAIDLogicalDiskProperties   = "get_raid_logical_disk_properties"
	MethodGetSupportedBootDevices        = "get_supported_boot_devices"
	MethodHeartbeat                      = "heartbeat"
	MethodInjectNMI                      = "inject_nmi"
	MethodInspectHardware                = "inspect_hardware"
	MethodObjectAction                   = "object_action"
	MethodObjectBackportVersions         = "object_backport_versions"
	MethodObjectClassActionVersions      = "object_class_action_versions"
	MethodSetBootDevice                  = "set_boot_device"
	MethodSetConsoleMode                 = "set_console_mode"
	MethodSetTargetRAIDConfig            = "set_target_raid_config"
	MethodUpdateNode                     = "update_node"
	MethodUpdatePort                     = "update_port"
	MethodUpdatePortgroup                = "update_portgroup"
	MethodUpdateVolumeConnector          = "update_volume_connector"
	MethodUpdateVolumeTarget             = "update_volume_target"
	MethodValidateDriverInterfaces       = "validate_driver_interfaces"
	MethodVendorPassthru                 = "vendor_passthru"
	MethodVIFAttach                      = "vif_attach"
	MethodVIFDetach                      = "vif_detach"
	MethodVIFList                        = "vif_list"
)

// Argument structs. The json tags are the wire names, in the order
// Ironic's client passes them; an rpc tag gives the version that
// introduced an argument newer than its method ("since=") and marks
// arguments the conductor has a default for ("optional").

// NodeArgs are the arguments of the methods that take only a node.
type NodeArgs struct {
	NodeID NodeID `json:"node_id"`
}

// DriverArgs are the arguments of the methods that take only a driver.
type DriverArgs struct {
	DriverName string `json:"driver_name"`
}

// NodeObjArgs are the arguments of create_node and update_node.
type NodeObjArgs struct {
	NodeObj *objects.Node `json:"node_obj"`
}

// ChangeNodePowerStateArgs are the arguments of change_node_power_state.
type ChangeNodePowerStateArgs struct {
	NodeID   NodeID `json:"node_id"`
	NewState string `json:"new_state"`
	// Timeout in seconds; nil is None (the conductor's default).
	Timeout *int `json:"timeout" rpc:"optional,since=1.39"`
}

// VendorPassthruArgs are the arguments of vendor_passthru.
type VendorPassthruArgs struct {
	NodeID       NodeID         `json:"node_id"`
	DriverMethod string         `json:"driver_method"`
	HTTPMethod   string         `json:"http_method"`
	Info         map[string]any `json:"info"`
}

// DriverVendorPassthruArgs are the arguments of driver_vendor_passthru.
type DriverVendorPassthruArgs struct {
	DriverName   string         `json:"driver_name"`
	DriverMethod string         `json:"driver_method"`
	HTTPMethod   string         `json:"http_method"`
	Info         map[string]any `json:"info"`
}

// DoNodeDeployArgs are the arguments of do_node_deploy.
type DoNodeDeployArgs struct {
	NodeID  NodeID `json:"node_id"`
	Rebuild bool   `json:"rebuild" rpc:"optional,since=1.15"`
	// Configdrive is a gzipped, base64-encoded config drive (a string), or
	// nil. Newer clients may send a dict.
	Configdrive any `json:"configdrive" rpc:"optional,since=1.22"`
}

// DoProvisioningActionArgs are the arguments of do_provisioning_action.
type DoProvisioningActionArgs struct {
	NodeID NodeID `json:"node_id"`
	Action string `json:"action"`
}

// SetConsoleModeArgs are the arguments of set_console_mode.
type SetConsoleModeArgs struct {
	NodeID  NodeID `json:"node_id"`
	Enabled bool   `json:"enabled"`
}

// UpdatePortArgs are the arguments of update_port.
type UpdatePortArgs struct {
	PortObj *objects.Port `json:"port_obj"`
}

// DestroyPortArgs are the arguments of destroy_port.
type DestroyPortArgs struct {
	Port *objects.Port `json:"port"`
}

// UpdatePortgroupArgs are the arguments of update_portgroup.
type UpdatePortgroupArgs struct {
	PortgroupObj *objects.Portgroup `json:"portgroup_obj"`
}

// DestroyPortgroupArgs are the arguments of destroy_portgroup.
type DestroyPortgroupArgs struct {
	Portgroup *objects.Portgroup `json:"portgroup"`
}

// SetBootDeviceArgs are the arguments of set_boot_device.
type SetBootDeviceArgs struct {
	NodeID     NodeID `json:"node_id"`
	Device     string `json:"device"`
	Persistent bool   `json:"persistent" rpc:"optional"`
}

// SetTargetRAIDConfigArgs are the arguments of set_target_raid_config.
type SetTargetRAIDConfigArgs struct {
	NodeID           NodeID         `json:"node_id"`
	TargetRAIDConfig map[string]any `json:"target_raid_config"`
}

// DoNodeCleanArgs are the arguments of do_node_clean.
type DoNodeCleanArgs struct {
	NodeID NodeID `json:"node_id"`
	// CleanSteps are {"interface", "step", "args"} dicts, already
	// validated by the API.
	CleanSteps []map[string]any `json:"clean_steps"`
}

// HeartbeatArgs are the arguments of heartbeat.
type HeartbeatArgs struct {
	NodeID      NodeID `json:"node_id"`
	CallbackURL string `json:"callback_url"`
}

// ObjectClassActionVersionsArgs are the arguments of
// object_class_action_versions.
type ObjectClassActionVersionsArgs struct {
	ObjName        string            `json:"objname"`
	ObjMethod      string            `json:"objmethod"`
	ObjectVersions map[string]string `json:"object_versions"`
	Args           []any             `json:"args"`
	Kwargs         map[string]any    `json:"kwargs"`
}

// ObjectActionArgs are the arguments of object_action.
type ObjectActionArgs struct {
	ObjInst   ObjectValue    `json:"objinst"`
	ObjMethod string         `json:"objmethod"`
	Args      []any          `json:"args"`
	Kwargs    map[string]any `json:"kwargs"`
}

// ObjectBackportVersionsArgs are the arguments of object_backport_versions.
type ObjectBackportVersionsArgs struct {
	ObjInst        ObjectValue       `json:"objinst"`
	ObjectVersions map[string]string `json:"object_versions"`
}

// VolumeConnectorArgs are the arguments of update_volume_connector and
// destroy_volume_connector.
type VolumeConnectorArgs struct {
	Connector *objects.VolumeConnector `json:"connector"`
}

// VolumeTargetArgs are the arguments of update_volume_target and
// destroy_volume_target.
type VolumeTargetArgs struct {
	Target *objects.VolumeTarget `json:"target"`
}

// VIFAttachArgs are the arguments of vif_attach.
type VIFAttachArgs struct {
	NodeID NodeID `json:"node_id"`
	// VIFInfo has at least "id".
	VIFInfo map[string]any `json:"vif_info"`
}

// VIFDetachArgs are the arguments of vif_detach.
type VIFDetachArgs struct {
	NodeID NodeID `json:"node_id"`
	VIFID  string `json:"vif_id"`
}

// Exception classes, as ironic.common.exception names them.
const (
	excConflict                       = "Conflict"
	excDriverNotFound                 = "DriverNotFound"
	excFailedToUpdateDHCPOptOnPort    = "FailedToUpdateDHCPOptOnPort"
	excFailedToUpdateMacOnPort        = "FailedToUpdateMacOnPort"
	excHardwareInspectionFailure      = "HardwareInspectionFailure"
	excInstanceDeployFailure          = "InstanceDeployFailure"
	excInterfaceNotFoundInEntrypoint  = "InterfaceNotFoundInEntrypoint"
	excInvalidParameterValue          = "InvalidParameterValue"
	excInvalidState                   = "InvalidState"
	excInvalidStateRequested          = "InvalidStateRequested"
	excMACAlreadyExists               = "MACAlreadyExists"
	excNetworkError                   = "NetworkError"
	excNoFreeConductorWorker          = "NoFreeConductorWorker"
	excNoFreePhysicalPorts            = "NoFreePhysicalPorts"
	excNoValidDefaultForInterface     = "NoValidDefaultForInterface"
	excNodeAssociated                 = "NodeAssociated"
	excNodeConsoleNotEnabled          = "NodeConsoleNotEnabled"
	excNodeInMaintenance              = "NodeInMaintenance"
	excNodeLocked                     = "NodeLocked"
	excNodeNotFound                   = "NodeNotFound"
	excPortgroupMACAlreadyExists      = "PortgroupMACAlreadyExists"
	excPortgroupNotEmpty              = "PortgroupNotEmpty"
	excUnsupportedDriverExtension     = "UnsupportedDriverExtension"
	excVifAlreadyAttached             = "VifAlreadyAttached"
	excVifNotAttached                 = "VifNotAttached"
	excVolumeConnectorNotFound        = "VolumeConnectorNotFound"
	excVolumeConnectorTypeAndIDExists = "VolumeConnectorTypeAndIdAlreadyExists"
	excVolumeTargetBootIndexExists    = "VolumeTargetBootIndexAlreadyExists"
	excVolumeTargetNotFound           = "VolumeTargetNotFound"
	excMissingParameterValue          = "MissingParameterValue"
)

// The method table: one value per RPC method of API 1.40. The conductor
// serves them with [Register]; [ConductorAPI] sends them.
var (
	// RPCCreateNode is create_node (1.36, call, node topic).
	RPCCreateNode = define[NodeObjArgs, *objects.Node](MethodCreateNode, "1.36", "", Call, RouteNode,
		excInvalidParameterValue, excDriverNotFound, excInterfaceNotFoundInEntrypoint, excNoValidDefaultForInterface)
	// RPCUpdateNode is update_node (1.1, call, node topic).
	RPCUpdateNode = define[NodeObjArgs, *objects.Node](MethodUpdateNode, "1.1", "", Call, RouteNode,
		excInvalidParameterValue, excNodeLocked, excInvalidState, excNodeAssociated, excDriverNotFound, excNoValidDefaultForInterface)
	// RPCChangeNodePowerState is change_node_power_state (1.39, or 1.6
	// without timeout; call, node topic).
	RPCChangeNodePowerState = define[ChangeNodePowerStateArgs, None](MethodChangeNodePowerState, "1.39", "1.6", Call, RouteNode,
		excInvalidParameterValue, excMissingParameterValue, excNoFreeConductorWorker, excNodeLocked)
	// RPCVendorPassthru is vendor_passthru (1.20, call, node topic).
	RPCVendorPassthru = define[VendorPassthruArgs, VendorPassthruResult](MethodVendorPassthru, "1.20", "", Call, RouteNode,
		excNoFreeConductorWorker, excNodeLocked, excInvalidParameterValue, excMissingParameterValue, excUnsupportedDriverExtension)
	// RPCDriverVendorPassthru is driver_vendor_passthru (1.20, call, driver
	// topic).
	RPCDriverVendorPassthru = define[DriverVendorPassthruArgs, VendorPassthruResult](MethodDriverVendorPassthru, "1.20", "", Call, RouteDriver,
		excNoFreeConductorWorker, excInvalidParameterValue, excMissingParameterValue, excUnsupportedDriverExtension,
		excDriverNotFound, excNoValidDefaultForInterface, excInterfaceNotFoundInEntrypoint)
	// RPCGetNodeVendorPassthruMethods is get_node_vendor_passthru_methods
	// (1.21, call, node topic).
	RPCGetNodeVendorPassthruMethods = define[NodeArgs, map[string]VendorMethod](MethodGetNodeVendorPassthruMethods, "1.21", "", Call, RouteNode,
		excUnsupportedDriverExtension)
	// RPCGetDriverVendorPassthruMethods is
	// get_driver_vendor_passthru_methods (1.21, call, driver topic).
	RPCGetDriverVendorPassthruMethods = define[DriverArgs, map[string]VendorMethod](MethodGetDriverVendorPassthruMethods, "1.21", "", Call, RouteDriver,
		excUnsupportedDriverExtension, excDriverNotFound, excNoValidDefaultForInterface, excInterfaceNotFoundInEntrypoint)
	// RPCDoNodeDeploy is do_node_deploy (1.22, or 1.15 without configdrive,
	// 1.6 without rebuild either; call, node topic).
	RPCDoNodeDeploy = define[DoNodeDeployArgs, None](MethodDoNodeDeploy, "1.22", "1.6", Call, RouteNode,
		excNoFreeConductorWorker, excNodeLocked, excNodeInMaintenance, excInstanceDeployFailure, excInvalidStateRequested,
		excInvalidParameterValue, excMissingParameterValue)
	// RPCDoNodeTearDown is do_node_tear_down (1.6, call, node topic).
	RPCDoNodeTearDown = define[NodeArgs, None](MethodDoNodeTearDown, "1.6", "", Call, RouteNode,
		excNoFreeConductorWorker, excNodeLocked, excInstanceDeployFailure, excInvalidStateRequested,
		excInvalidParameterValue, excMissingParameterValue)
	// RPCDoProvisioningAction is do_provisioning_action (1.23, call, node
	// topic).
	RPCDoProvisioningAction = define[DoProvisioningActionArgs, None](MethodDoProvisioningAction, "1.23", "", Call, RouteNode,
		excNoFreeConductorWorker, excNodeLocked, excInvalidParameterValue, excInvalidStateRequested)
	// RPCContinueNodeClean is continue_node_clean (1.27, cast, node topic).
	RPCContinueNodeClean = define[NodeArgs, None](MethodContinueNodeClean, "1.27", "", Cast, RouteNode)
	// RPCValidateDriverInterfaces is validate_driver_interfaces (1.5, call,
	// node topic).
	RPCValidateDriverInterfaces = define[NodeArgs, map[string]InterfaceValidation](MethodValidateDriverInterfaces, "1.5", "", Call, RouteNode,
		excNodeLocked)
	// RPCDestroyNode is destroy_node (1.9, call, node topic).
	RPCDestroyNode = define[NodeArgs, None](MethodDestroyNode, "1.9", "", Call, RouteNode,
		excNodeLocked, excNodeAssociated, excInvalidState)
	// RPCGetConsoleInformation is get_console_information (1.11, call, node
	// topic).
	RPCGetConsoleInformation = define[NodeArgs, ConsoleInfo](MethodGetConsoleInformation, "1.11", "", Call, RouteNode,
		excNodeLocked, excUnsupportedDriverExtension, excNodeConsoleNotEnabled, excInvalidParameterValue, excMissingParameterValue)
	// RPCSetConsoleMode is set_console_mode (1.11, call, node topic).
	RPCSetConsoleMode = define[SetConsoleModeArgs, None](MethodSetConsoleMode, "1.11", "", Call, RouteNode,
		excNoFreeConductorWorker, excNodeLocked, excUnsupportedDriverExtension, excInvalidParameterValue, excMissingParameterValue)
	// RPCUpdatePort is update_port (1.13, call, node topic).
	RPCUpdatePort = define[UpdatePortArgs, *objects.Port](MethodUpdatePort, "1.13", "", Call, RouteNode,
		excNodeLocked, excFailedToUpdateMacOnPort, excMACAlreadyExists, excInvalidState, excFailedToUpdateDHCPOptOnPort,
		excConflict, excInvalidParameterValue, excNetworkError)
	// RPCUpdatePortgroup is update_portgroup (1.33, call, node topic).
	RPCUpdatePortgroup = define[UpdatePortgroupArgs, *objects.Portgroup](MethodUpdatePortgroup, "1.33", "", Call, RouteNode,
		excNodeLocked, excFailedToUpdateMacOnPort, excPortgroupMACAlreadyExists, excPortgroupNotEmpty, excInvalidState,
		excConflict, excInvalidParameterValue, excNetworkError)
	// RPCDestroyPortgroup is destroy_portgroup (1.33, call, node topic).
	RPCDestroyPortgroup = define[DestroyPortgroupArgs, None](MethodDestroyPortgroup, "1.33", "", Call, RouteNode,
		excNodeLocked, excNodeNotFound, excPortgroupNotEmpty)
	// RPCGetDriverProperties is get_driver_properties (1.16, call, driver
	// topic).
	RPCGetDriverProperties = define[DriverArgs, map[string]string](MethodGetDriverProperties, "1.16", "", Call, RouteDriver,
		excDriverNotFound)
	// RPCSetBootDevice is set_boot_device (1.17, call, node topic).
	RPCSetBootDevice = define[SetBootDeviceArgs, None](MethodSetBootDevice, "1.17", "", Call, RouteNode,
		excNodeLocked, excUnsupportedDriverExtension, excInvalidParameterValue, excMissingParameterValue)
	// RPCGetBootDevice is get_boot_device (1.17, call, node topic).
	RPCGetBootDevice = define[NodeArgs, BootDevice](MethodGetBootDevice, "1.17", "", Call, RouteNode,
		excNodeLocked, excUnsupportedDriverExtension, excInvalidParameterValue, excMissingParameterValue)
	// RPCInjectNMI is inject_nmi (1.40, call, node topic).
	RPCInjectNMI = define[NodeArgs, None](MethodInjectNMI, "1.40", "", Call, RouteNode,
		excNodeLocked, excUnsupportedDriverExtension, excInvalidParameterValue, excMissingParameterValue)
	// RPCGetSupportedBootDevices is get_supported_boot_devices (1.17, call,
	// node topic).
	RPCGetSupportedBootDevices = define[NodeArgs, []string](MethodGetSupportedBootDevices, "1.17", "", Call, RouteNode,
		excNodeLocked, excUnsupportedDriverExtension, excInvalidParameterValue, excMissingParameterValue)
	// RPCInspectHardware is inspect_hardware (1.24, call, node topic).
	RPCInspectHardware = define[NodeArgs, None](MethodInspectHardware, "1.24", "", Call, RouteNode,
		excNoFreeConductorWorker, excNodeLocked, excHardwareInspectionFailure, excInvalidStateRequested, excUnsupportedDriverExtension)
	// RPCDestroyPort is destroy_port (1.25, call, node topic).
	RPCDestroyPort = define[DestroyPortArgs, None](MethodDestroyPort, "1.25", "", Call, RouteNode,
		excNodeLocked, excNodeNotFound)
	// RPCSetTargetRAIDConfig is set_target_raid_config (1.30, call, node
	// topic).
	RPCSetTargetRAIDConfig = define[SetTargetRAIDConfigArgs, None](MethodSetTargetRAIDConfig, "1.30", "", Call, RouteNode,
		excNodeLocked, excUnsupportedDriverExtension, excInvalidParameterValue, excMissingParameterValue)
	// RPCGetRAIDLogicalDiskProperties is get_raid_logical_disk_properties
	// (1.30, call, driver topic).
	RPCGetRAIDLogicalDiskProperties = define[DriverArgs, map[string]string](MethodGetRAIDLogicalDiskProperties, "1.30", "", Call, RouteDriver,
		excUnsupportedDriverExtension, excNoValidDefaultForInterface, excInterfaceNotFoundInEntrypoint, excDriverNotFound)
	// RPCDoNodeClean is do_node_clean (1.32, call, node topic).
	RPCDoNodeClean = define[DoNodeCleanArgs, None](MethodDoNodeClean, "1.32", "", Call, RouteNode,
		excInvalidParameterValue, excInvalidStateRequested, excNodeInMaintenance, excNodeLocked, excNoFreeConductorWorker)
	// RPCHeartbeat is heartbeat (1.34, call, node topic).
	RPCHeartbeat = define[HeartbeatArgs, None](MethodHeartbeat, "1.34", "", Call, RouteNode,
		excNoFreeConductorWorker)
	// RPCObjectClassActionVersions is object_class_action_versions (1.31,
	// call, bare topic). Errors of the object method come back as they
	// were raised.
	RPCObjectClassActionVersions = define[ObjectClassActionVersionsArgs, json.RawMessage](MethodObjectClassActionVersions, "1.31", "", Call, RouteBare)
	// RPCObjectAction is object_action (1.31, call, bare topic).
	RPCObjectAction = define[ObjectActionArgs, ObjectActionResult](MethodObjectAction, "1.31", "", Call, RouteBare)
	// RPCObjectBackportVersions is object_backport_versions (1.31, call,
	// bare topic).
	RPCObjectBackportVersions = define[ObjectBackportVersionsArgs, json.RawMessage](MethodObjectBackportVersions, "1.31", "", Call, RouteBare)
	// RPCDestroyVolumeConnector is destroy_volume_connector (1.35, call,
	// node topic).
	RPCDestroyVolumeConnector = define[VolumeConnectorArgs, None](MethodDestroyVolumeConnector, "1.35", "", Call, RouteNode,
		excNodeLocked, excNodeNotFound, excVolumeConnectorNotFound)
	// RPCUpdateVolumeConnector is update_volume_connector (1.35, call, node
	// topic).
	RPCUpdateVolumeConnector = define[VolumeConnectorArgs, *objects.VolumeConnector](MethodUpdateVolumeConnector, "1.35", "", Call, RouteNode,
		excInvalidParameterValue, excNodeLocked, excNodeNotFound, excVolumeConnectorNotFound, excVolumeConnectorTypeAndIDExists)
	// RPCDestroyVolumeTarget is destroy_volume_target (1.37, call, node
	// topic).
	RPCDestroyVolumeTarget = define[VolumeTargetArgs, None](MethodDestroyVolumeTarget, "1.37", "", Call, RouteNode,
		excNodeLocked, excNodeNotFound, excVolumeTargetNotFound)
	// RPCUpdateVolumeTarget is update_volume_target (1.37, call, node
	// topic).
	RPCUpdateVolumeTarget = define[VolumeTargetArgs, *objects.VolumeTarget](MethodUpdateVolumeTarget, "1.37", "", Call, RouteNode,
		excInvalidParameterValue, excNodeLocked, excNodeNotFound, excVolumeTargetNotFound, excVolumeTargetBootIndexExists)
	// RPCVIFAttach is vif_attach (1.38, call, node topic).
	RPCVIFAttach = define[VIFAttachArgs, None](MethodVIFAttach, "1.38", "", Call, RouteNode,
		excNodeLocked, excNetworkError, excVifAlreadyAttached, excNoFreePhysicalPorts, excInvalidParameterValue)
	// RPCVIFDetach is vif_detach (1.38, call, node topic).
	RPCVIFDetach = define[VIFDetachArgs, None](MethodVIFDetach, "1.38", "", Call, RouteNode,
		excNodeLocked, excNetworkError, excVifNotAttached, excInvalidParameterValue)
	// RPCVIFList is vif_list (1.38, call, node topic).
	RPCVIFList = define[NodeArgs, []VIF](MethodVIFList, "1.38", "", Call, RouteNode,
		excNetworkError, excInvalidParameterValue)
)
