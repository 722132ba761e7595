package exception

// Typed constructors for the classes the conductor, the DB layer and the
// drivers raise. Parameter names follow the kwargs Ironic passes; an
// identity parameter typed any takes a UUID, a name or an integer id, as
// Ironic passes either. Every other class is built with New or NewMessage.

// IronicException returns the base class with message (the default message
// when empty), code 500.
func IronicException(message string) *Error { return NewMessage("IronicException", message, nil) }

// Invalid returns Invalid (400) with message, or its default when empty.
func Invalid(message string) *Error { return NewMessage("Invalid", message, nil) }

// Conflict returns Conflict (409) with message, or its default when empty.
func Conflict(message string) *Error { return NewMessage("Conflict", message, nil) }

// NotFound returns NotFound (404) with message, or its default when empty.
func NotFound(message string) *Error { return NewMessage("NotFound", message, nil) }

// TemporaryFailure returns TemporaryFailure (503) with message, or its
// default when empty.
func TemporaryFailure(message string) *Error { return NewMessage("TemporaryFailure", message, nil) }

// NotAuthorized returns NotAuthorized (403) with message, or its default
// when empty.
func NotAuthorized(message string) *Error { return NewMessage("NotAuthorized", message, nil) }

// InvalidState returns InvalidState (409) with message, or "Invalid
// resource state." when empty.
func InvalidState(message string) *Error { return NewMessage("InvalidState", message, nil) }

// NetworkError returns NetworkError (500) with message, or "Network
// operation failure." when empty.
func NetworkError(message string) *Error { return NewMessage("NetworkError", message, nil) }

// StorageError returns StorageError (500) with message, or "Storage
// operation failure." when empty.
func StorageError(message string) *Error { return NewMessage("StorageError", message, nil) }

// InvalidParameterValue returns InvalidParameterValue(err=err) (400).
func InvalidParameterValue(err string) *Error {
	return New("InvalidParameterValue", map[string]any{"err": err})
}

// MissingParameterValue returns MissingParameterValue(err=err), an
// InvalidParameterValue (400).
func MissingParameterValue(err string) *Error {
	return New("MissingParameterValue", map[string]any{"err": err})
}

// InvalidIdentity returns InvalidIdentity(identity) (400): not a UUID nor
// an int.
func InvalidIdentity(identity any) *Error {
	return New("InvalidIdentity", map[string]any{"identity": identity})
}

// InvalidUUID returns InvalidUUID(uuid) (400).
func InvalidUUID(uuid any) *Error { return New("InvalidUUID", map[string]any{"uuid": uuid}) }

// InvalidName returns InvalidName(name) (400).
func InvalidName(name any) *Error { return New("InvalidName", map[string]any{"name": name}) }

// InvalidUuidOrName returns InvalidUuidOrName(name) (400).
func InvalidUuidOrName(name any) *Error { //nolint:revive // named after Ironic's class
	return New("InvalidUuidOrName", map[string]any{"name": name})
}

// InvalidMAC returns InvalidMAC(mac) (400).
func InvalidMAC(mac any) *Error { return New("InvalidMAC", map[string]any{"mac": mac}) }

// InvalidStateRequested returns InvalidStateRequested(action, node,
// state) (400).
func InvalidStateRequested(action, node, state string) *Error {
	return New("InvalidStateRequested", map[string]any{"action": action, "node": node, "state": state})
}

// NodeLocked returns NodeLocked(node, host) (409): node is reserved by
// host.
func NodeLocked(node, host string) *Error {
	return New("NodeLocked", map[string]any{"node": node, "host": host})
}

// NodeNotLocked returns NodeNotLocked(node) (400): releasing a node that
// has no reservation.
func NodeNotLocked(node any) *Error { return New("NodeNotLocked", map[string]any{"node": node}) }

// NodeNotFound returns NodeNotFound(node) (404).
func NodeNotFound(node any) *Error { return New("NodeNotFound", map[string]any{"node": node}) }

// NodeAlreadyExists returns NodeAlreadyExists(uuid) (409).
func NodeAlreadyExists(uuid string) *Error {
	return New("NodeAlreadyExists", map[string]any{"uuid": uuid})
}

// DuplicateName returns DuplicateName(name) (409): a node name in use.
func DuplicateName(name string) *Error { return New("DuplicateName", map[string]any{"name": name}) }

// InstanceAssociated returns InstanceAssociated(instance_uuid, node) (409).
func InstanceAssociated(instanceUUID string, node any) *Error {
	return New("InstanceAssociated", map[string]any{"instance_uuid": instanceUUID, "node": node})
}

// NodeAssociated returns NodeAssociated(node, instance), an InvalidState
// (409).
func NodeAssociated(node, instance string) *Error {
	return New("NodeAssociated", map[string]any{"node": node, "instance": instance})
}

// NodeInMaintenance returns NodeInMaintenance(op, node) (400).
func NodeInMaintenance(op, node string) *Error {
	return New("NodeInMaintenance", map[string]any{"op": op, "node": node})
}

// NodeMaintenanceFailure returns NodeMaintenanceFailure(node, reason) (400).
func NodeMaintenanceFailure(node, reason string) *Error {
	return New("NodeMaintenanceFailure", map[string]any{"node": node, "reason": reason})
}

// NodeConsoleNotEnabled returns NodeConsoleNotEnabled(node) (400).
func NodeConsoleNotEnabled(node string) *Error {
	return New("NodeConsoleNotEnabled", map[string]any{"node": node})
}

// NodeProtected returns NodeProtected(node), an HTTPForbidden (403).
func NodeProtected(node string) *Error { return New("NodeProtected", map[string]any{"node": node}) }

// NodeIsRetired returns NodeIsRetired(op, node) (400).
func NodeIsRetired(op, node string) *Error {
	return New("NodeIsRetired", map[string]any{"op": op, "node": node})
}

// NodeCleaningFailure returns NodeCleaningFailure(node, reason) (500).
func NodeCleaningFailure(node, reason string) *Error {
	return New("NodeCleaningFailure", map[string]any{"node": node, "reason": reason})
}

// NodeVerifyFailure returns NodeVerifyFailure(node, reason) (500).
func NodeVerifyFailure(node, reason string) *Error {
	return New("NodeVerifyFailure", map[string]any{"node": node, "reason": reason})
}

// NodeTagNotFound returns NodeTagNotFound(node_id, tag) (500).
func NodeTagNotFound(nodeID any, tag string) *Error {
	return New("NodeTagNotFound", map[string]any{"node_id": nodeID, "tag": tag})
}

// NodeTraitNotFound returns NodeTraitNotFound(node_id, trait) (404).
func NodeTraitNotFound(nodeID any, trait string) *Error {
	return New("NodeTraitNotFound", map[string]any{"node_id": nodeID, "trait": trait})
}

// NoFreeConductorWorker returns NoFreeConductorWorker, a TemporaryFailure
// (503): the worker pool is full.
func NoFreeConductorWorker() *Error { return New("NoFreeConductorWorker", nil) }

// ExclusiveLockRequired returns ExclusiveLockRequired, a NotAuthorized
// (403): a shared task tried an exclusive operation.
func ExclusiveLockRequired() *Error { return New("ExclusiveLockRequired", nil) }

// ConcurrentActionLimit returns ConcurrentActionLimit(task_type) (500).
func ConcurrentActionLimit(taskType string) *Error {
	return New("ConcurrentActionLimit", map[string]any{"task_type": taskType})
}

// DriverNotFound returns DriverNotFound(driver_name) (404).
func DriverNotFound(driverName string) *Error {
	return New("DriverNotFound", map[string]any{"driver_name": driverName})
}

// DriverNotFoundInEntrypoint returns DriverNotFoundInEntrypoint(names,
// entrypoint), a DriverNotFound (404).
func DriverNotFoundInEntrypoint(names any, entrypoint string) *Error {
	return New("DriverNotFoundInEntrypoint", map[string]any{"names": names, "entrypoint": entrypoint})
}

// DriverLoadError returns DriverLoadError(driver, reason) (500).
func DriverLoadError(driver, reason string) *Error {
	return New("DriverLoadError", map[string]any{"driver": driver, "reason": reason})
}

// DriverOperationError returns DriverOperationError(driver, reason) (500).
func DriverOperationError(driver, reason string) *Error {
	return New("DriverOperationError", map[string]any{"driver": driver, "reason": reason})
}

// NoValidHost returns NoValidHost(reason) (404).
func NoValidHost(reason string) *Error { return New("NoValidHost", map[string]any{"reason": reason}) }

// NoDriversLoaded returns NoDriversLoaded(conductor) (500).
func NoDriversLoaded(conductor string) *Error {
	return New("NoDriversLoaded", map[string]any{"conductor": conductor})
}

// UnsupportedDriverExtension returns UnsupportedDriverExtension(driver,
// extension) (400): the node's driver lacks the interface.
func UnsupportedDriverExtension(driver, extension string) *Error {
	return New("UnsupportedDriverExtension", map[string]any{"driver": driver, "extension": extension})
}

// IncompatibleInterface returns IncompatibleInterface(interface_type,
// interface_impl, hardware_type), an InvalidParameterValue (400).
func IncompatibleInterface(interfaceType, interfaceImpl, hardwareType string) *Error {
	return New("IncompatibleInterface", map[string]any{
		"interface_type": interfaceType, "interface_impl": interfaceImpl, "hardware_type": hardwareType,
	})
}

// NoValidDefaultForInterface returns NoValidDefaultForInterface(node_info,
// driver, interface_type), an InvalidParameterValue (400). nodeInfo is ""
// or starts with a space (" node <uuid> with").
func NoValidDefaultForInterface(nodeInfo, driver, interfaceType string) *Error {
	return New("NoValidDefaultForInterface", map[string]any{
		"node_info": nodeInfo, "driver": driver, "interface_type": interfaceType,
	})
}

// InterfaceNotFoundInEntrypoint returns InterfaceNotFoundInEntrypoint(iface,
// entrypoint, valid), an InvalidParameterValue (400).
func InterfaceNotFoundInEntrypoint(iface, entrypoint string, valid any) *Error {
	return New("InterfaceNotFoundInEntrypoint", map[string]any{
		"iface": iface, "entrypoint": entrypoint, "valid": valid,
	})
}

// InstanceDeployFailure returns InstanceDeployFailure(reason) (500).
func InstanceDeployFailure(reason string) *Error {
	return New("InstanceDeployFailure", map[string]any{"reason": reason})
}

// HardwareInspectionFailure returns HardwareInspectionFailure(error) (500).
func HardwareInspectionFailure(errMsg string) *Error {
	return New("HardwareInspectionFailure", map[string]any{"error": errMsg})
}

// PowerStateFailure returns PowerStateFailure(pstate), an InvalidState
// (409).
func PowerStateFailure(pstate string) *Error {
	return New("PowerStateFailure", map[string]any{"pstate": pstate})
}

// IPMIFailure returns IPMIFailure(cmd) (500).
func IPMIFailure(cmd string) *Error { return New("IPMIFailure", map[string]any{"cmd": cmd}) }

// RedfishError returns RedfishError(error), a DriverOperationError (500).
func RedfishError(errMsg string) *Error { return New("RedfishError", map[string]any{"error": errMsg}) }

// RedfishConnectionError returns RedfishConnectionError(node, error), a
// RedfishError (500).
func RedfishConnectionError(node, errMsg string) *Error {
	return New("RedfishConnectionError", map[string]any{"node": node, "error": errMsg})
}

// FailedToGetSensorData returns FailedToGetSensorData(node, error) (500).
func FailedToGetSensorData(node, errMsg string) *Error {
	return New("FailedToGetSensorData", map[string]any{"node": node, "error": errMsg})
}

// FailedToParseSensorData returns FailedToParseSensorData(node, error)
// (500).
func FailedToParseSensorData(node, errMsg string) *Error {
	return New("FailedToParseSensorData", map[string]any{"node": node, "error": errMsg})
}

// ConsoleSubprocessFailed returns ConsoleSubprocessFailed(error), a
// ConsoleError (500).
func ConsoleSubprocessFailed(errMsg string) *Error {
	return New("ConsoleSubprocessFailed", map[string]any{"error": errMsg})
}

// NoConsolePid returns NoConsolePid(pid_path), a ConsoleError (500).
func NoConsolePid(pidPath string) *Error {
	return New("NoConsolePid", map[string]any{"pid_path": pidPath})
}

// NoFreeIPMITerminalPorts returns NoFreeIPMITerminalPorts(host), a
// TemporaryFailure (503).
func NoFreeIPMITerminalPorts(host string) *Error {
	return New("NoFreeIPMITerminalPorts", map[string]any{"host": host})
}

// ImageNotFound returns ImageNotFound(image_id) (404).
func ImageNotFound(imageID string) *Error {
	return New("ImageNotFound", map[string]any{"image_id": imageID})
}

// ImageUnacceptable returns ImageUnacceptable(image_id, reason) (500).
func ImageUnacceptable(imageID, reason string) *Error {
	return New("ImageUnacceptable", map[string]any{"image_id": imageID, "reason": reason})
}

// InvalidImageRef returns InvalidImageRef(image_href), an
// InvalidParameterValue (400).
func InvalidImageRef(imageHref string) *Error {
	return New("InvalidImageRef", map[string]any{"image_href": imageHref})
}

// ImageRefValidationFailed returns ImageRefValidationFailed(image_href,
// reason) (500).
func ImageRefValidationFailed(imageHref, reason string) *Error {
	return New("ImageRefValidationFailed", map[string]any{"image_href": imageHref, "reason": reason})
}

// ImageDownloadFailed returns ImageDownloadFailed(image_href, reason) (500).
func ImageDownloadFailed(imageHref, reason string) *Error {
	return New("ImageDownloadFailed", map[string]any{"image_href": imageHref, "reason": reason})
}

// InsufficientDiskSpace returns InsufficientDiskSpace(path, required,
// actual) (500); sizes in MiB.
func InsufficientDiskSpace(path string, required, actual int) *Error {
	return New("InsufficientDiskSpace", map[string]any{"path": path, "required": required, "actual": actual})
}

// PortNotFound returns PortNotFound(port) (404).
func PortNotFound(port any) *Error { return New("PortNotFound", map[string]any{"port": port}) }

// PortAlreadyExists returns PortAlreadyExists(uuid) (409).
func PortAlreadyExists(uuid string) *Error {
	return New("PortAlreadyExists", map[string]any{"uuid": uuid})
}

// PortDuplicateName returns PortDuplicateName(name) (409).
func PortDuplicateName(name string) *Error {
	return New("PortDuplicateName", map[string]any{"name": name})
}

// MACAlreadyExists returns MACAlreadyExists(mac) (409): a port has it.
func MACAlreadyExists(mac string) *Error { return New("MACAlreadyExists", map[string]any{"mac": mac}) }

// PortgroupNotFound returns PortgroupNotFound(portgroup) (404).
func PortgroupNotFound(portgroup any) *Error {
	return New("PortgroupNotFound", map[string]any{"portgroup": portgroup})
}

// PortgroupAlreadyExists returns PortgroupAlreadyExists(uuid) (409).
func PortgroupAlreadyExists(uuid string) *Error {
	return New("PortgroupAlreadyExists", map[string]any{"uuid": uuid})
}

// PortgroupDuplicateName returns PortgroupDuplicateName(name) (409).
func PortgroupDuplicateName(name string) *Error {
	return New("PortgroupDuplicateName", map[string]any{"name": name})
}

// PortgroupMACAlreadyExists returns PortgroupMACAlreadyExists(mac) (409).
func PortgroupMACAlreadyExists(mac string) *Error {
	return New("PortgroupMACAlreadyExists", map[string]any{"mac": mac})
}

// PortgroupNotEmpty returns PortgroupNotEmpty(portgroup) (400): it still
// has ports.
func PortgroupNotEmpty(portgroup any) *Error {
	return New("PortgroupNotEmpty", map[string]any{"portgroup": portgroup})
}

// FailedToUpdateMacOnPort returns FailedToUpdateMacOnPort(port_id) (500).
func FailedToUpdateMacOnPort(portID string) *Error {
	return New("FailedToUpdateMacOnPort", map[string]any{"port_id": portID})
}

// FailedToUpdateDHCPOptOnPort returns FailedToUpdateDHCPOptOnPort(port_id)
// (500).
func FailedToUpdateDHCPOptOnPort(portID string) *Error {
	return New("FailedToUpdateDHCPOptOnPort", map[string]any{"port_id": portID})
}

// ChassisNotFound returns ChassisNotFound(chassis) (404).
func ChassisNotFound(chassis any) *Error {
	return New("ChassisNotFound", map[string]any{"chassis": chassis})
}

// ChassisAlreadyExists returns ChassisAlreadyExists(uuid) (409).
func ChassisAlreadyExists(uuid string) *Error {
	return New("ChassisAlreadyExists", map[string]any{"uuid": uuid})
}

// ChassisNotEmpty returns ChassisNotEmpty(chassis) (400): it still has
// nodes.
func ChassisNotEmpty(chassis any) *Error {
	return New("ChassisNotEmpty", map[string]any{"chassis": chassis})
}

// ConductorNotFound returns ConductorNotFound(conductor) (404).
func ConductorNotFound(conductor any) *Error {
	return New("ConductorNotFound", map[string]any{"conductor": conductor})
}

// ConductorAlreadyRegistered returns ConductorAlreadyRegistered(conductor)
// (500).
func ConductorAlreadyRegistered(conductor string) *Error {
	return New("ConductorAlreadyRegistered", map[string]any{"conductor": conductor})
}

// ConductorHardwareInterfacesAlreadyRegistered returns
// ConductorHardwareInterfacesAlreadyRegistered(row) (500).
func ConductorHardwareInterfacesAlreadyRegistered(row any) *Error {
	return New("ConductorHardwareInterfacesAlreadyRegistered", map[string]any{"row": row})
}

// VolumeConnectorNotFound returns VolumeConnectorNotFound(connector) (404).
func VolumeConnectorNotFound(connector any) *Error {
	return New("VolumeConnectorNotFound", map[string]any{"connector": connector})
}

// VolumeConnectorAlreadyExists returns VolumeConnectorAlreadyExists(uuid)
// (409).
func VolumeConnectorAlreadyExists(uuid string) *Error {
	return New("VolumeConnectorAlreadyExists", map[string]any{"uuid": uuid})
}

// VolumeConnectorTypeAndIdAlreadyExists returns
// VolumeConnectorTypeAndIdAlreadyExists(type, connector_id) (409).
func VolumeConnectorTypeAndIdAlreadyExists(typ, connectorID string) *Error { //nolint:revive // named after Ironic's class
	return New("VolumeConnectorTypeAndIdAlreadyExists", map[string]any{"type": typ, "connector_id": connectorID})
}

// VolumeTargetNotFound returns VolumeTargetNotFound(target) (404).
func VolumeTargetNotFound(target any) *Error {
	return New("VolumeTargetNotFound", map[string]any{"target": target})
}

// VolumeTargetAlreadyExists returns VolumeTargetAlreadyExists(uuid) (409).
func VolumeTargetAlreadyExists(uuid string) *Error {
	return New("VolumeTargetAlreadyExists", map[string]any{"uuid": uuid})
}

// VolumeTargetBootIndexAlreadyExists returns
// VolumeTargetBootIndexAlreadyExists(boot_index) (409).
func VolumeTargetBootIndexAlreadyExists(bootIndex any) *Error {
	return New("VolumeTargetBootIndexAlreadyExists", map[string]any{"boot_index": bootIndex})
}

// VifAlreadyAttached returns VifAlreadyAttached(vif, object_type,
// object_uuid) (409).
func VifAlreadyAttached(vif, objectType, objectUUID string) *Error {
	return New("VifAlreadyAttached", map[string]any{"vif": vif, "object_type": objectType, "object_uuid": objectUUID})
}

// VifInvalidForAttach returns VifInvalidForAttach(vif, node, reason) (409).
func VifInvalidForAttach(vif, node, reason string) *Error {
	return New("VifInvalidForAttach", map[string]any{"vif": vif, "node": node, "reason": reason})
}

// NoFreePhysicalPorts returns NoFreePhysicalPorts(vif) (400).
func NoFreePhysicalPorts(vif string) *Error {
	return New("NoFreePhysicalPorts", map[string]any{"vif": vif})
}

// VifNotAttached returns VifNotAttached(vif, node) (400).
func VifNotAttached(vif, node string) *Error {
	return New("VifNotAttached", map[string]any{"vif": vif, "node": node})
}

// PatchError returns PatchError(patch, reason) (400).
func PatchError(patch any, reason string) *Error {
	return New("PatchError", map[string]any{"patch": patch, "reason": reason})
}

// ConfigInvalid returns ConfigInvalid(error_msg) (500).
func ConfigInvalid(errorMsg string) *Error {
	return New("ConfigInvalid", map[string]any{"error_msg": errorMsg})
}

// DatabaseVersionTooOld returns DatabaseVersionTooOld (500).
func DatabaseVersionTooOld() *Error { return New("DatabaseVersionTooOld", nil) }

// AgentAPIError returns AgentAPIError(node, status, error) (500).
func AgentAPIError(node string, status int, errMsg string) *Error {
	return New("AgentAPIError", map[string]any{"node": node, "status": status, "error": errMsg})
}

// AgentConnectionFailed returns AgentConnectionFailed(reason) (500).
func AgentConnectionFailed(reason string) *Error {
	return New("AgentConnectionFailed", map[string]any{"reason": reason})
}

// AgentCommandTimeout returns AgentCommandTimeout(command, node) (500).
func AgentCommandTimeout(command, node string) *Error {
	return New("AgentCommandTimeout", map[string]any{"command": command, "node": node})
}

// InstanceNotFound returns InstanceNotFound(instance) (404).
func InstanceNotFound(instance string) *Error {
	return New("InstanceNotFound", map[string]any{"instance": instance})
}
