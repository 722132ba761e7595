package db

import (
	"context"
	"time"

	"github.com/ironic-go/ironic-go/objects"
)

// API is the storage API shared by the conductors of a cluster: Ironic's
// ironic.db.api.Connection for the tables RPC API 1.40 needs. [*Store]
// implements it on PostgreSQL and SQLite; db/dbtest holds its conformance
// suite. All methods are safe for concurrent use, block on database I/O
// and honour ctx.
//
// Objects returned are freshly read from the database and marked loaded
// (no changes). Ironic's conditions come back as *exception.Error values
// (NodeNotFound, NodeLocked, DuplicateName, ...): match them with
// errors.Is against the exception package's sentinels or errors.As. A lost
// database connection matches [ErrConnection].
type API interface {
	NodeStore
	NodeLocker
	PortStore
	PortgroupStore
	VolumeConnectorStore
	VolumeTargetStore
	ChassisStore
	ConductorStore
	// Close releases the connection pool. Calls after Close fail.
	Close() error
}

// NodeStore reads and writes nodes.
type NodeStore interface {
	// CreateNode inserts n and returns it as stored. Every field of n is
	// written (id, created_at and updated_at excepted): a nil UUID gets a
	// new random one, a nil provision_state becomes "enroll"; power_state
	// stays as given (Ironic's NOSTATE is null). Malformed uuid or
	// instance_uuid: InvalidUUID; a bad name: InvalidName; taken name,
	// uuid or instance_uuid: DuplicateName, NodeAlreadyExists,
	// InstanceAssociated. The objects.Node of RPC 1.40 has no tags field,
	// so Ironic's "Cannot create node with tags" cannot arise.
	CreateNode(ctx context.Context, n *objects.Node) (*objects.Node, error)
	// GetNode returns the node with the given id or UUID (NodeNotFound).
	GetNode(ctx context.Context, ref Ref) (*objects.Node, error)
	// GetNodeByID returns the node with database id id (NodeNotFound).
	GetNodeByID(ctx context.Context, id int64) (*objects.Node, error)
	// GetNodeByUUID returns the node with that UUID (InvalidUUID,
	// NodeNotFound).
	GetNodeByUUID(ctx context.Context, uuid string) (*objects.Node, error)
	// GetNodeByName returns the node with that name (InvalidName,
	// NodeNotFound).
	GetNodeByName(ctx context.Context, name string) (*objects.Node, error)
	// GetNodeByInstance returns the node whose instance_uuid is
	// instanceUUID (InvalidUUID, InstanceNotFound).
	GetNodeByInstance(ctx context.Context, instanceUUID string) (*objects.Node, error)
	// ListNodes returns the nodes matching f, ordered by opts (default:
	// by id). A filter on an unknown chassis gives ChassisNotFound.
	ListNodes(ctx context.Context, f NodeFilter, opts ListOptions) ([]*objects.Node, error)
	// UpdateNode writes the changed fields of n (n.Changes(), less id,
	// created_at and updated_at) to the node with n's id (or, if the id is
	// 0, n's UUID), in one transaction that locks the row (SELECT ... FOR
	// UPDATE on PostgreSQL), and returns the node as stored. It refuses a
	// changed uuid (InvalidParameterValue). When provision_state is
	// written it sets provision_updated_at, and the inspection timestamps
	// as Ironic does. Sets updated_at. Errors as CreateNode, plus
	// NodeNotFound.
	UpdateNode(ctx context.Context, n *objects.Node) (*objects.Node, error)
	// DestroyNode deletes the node and, in the same transaction, its
	// ports, portgroups, volume connectors and targets, tags, traits, BIOS
	// settings, allocations, history and inventory (NodeNotFound).
	DestroyNode(ctx context.Context, ref Ref) error
	// TouchNodeProvisioning sets provision_updated_at to now
	// (NodeNotFound).
	TouchNodeProvisioning(ctx context.Context, ref Ref) error
	// ClearNodeTargetPowerState aborts the pending power operations of the
	// nodes reserved by host (case-insensitively): target_power_state
	// becomes null and last_error "Pending power operation was aborted due
	// to conductor restart". It returns the UUIDs of the nodes changed.
	ClearNodeTargetPowerState(ctx context.Context, host string) ([]string, error)
}

// NodeLocker takes and gives back the exclusive node locks (the
// reservation column).
type NodeLocker interface {
	// ReserveNode locks the node for tag (the conductor's hostname) with one
	// conditional UPDATE (... WHERE <id> AND reservation IS NULL) and
	// returns the node as stored. A node already reserved, by anyone
	// including tag itself (locks are not re-entrant), gives
	// NodeLocked(node uuid, current holder); a missing node NodeNotFound.
	ReserveNode(ctx context.Context, tag string, ref Ref) (*objects.Node, error)
	// ReleaseNode unlocks the node if tag holds it, with one conditional
	// UPDATE. Not reserved: NodeNotLocked; reserved by another:
	// NodeLocked(node, holder); missing: NodeNotFound.
	ReleaseNode(ctx context.Context, tag string, ref Ref) error
	// ClearNodeReservations releases every node reserved by host
	// (case-insensitively), as a conductor does at start, and returns
	// their UUIDs.
	ClearNodeReservations(ctx context.Context, host string) ([]string, error)
	// ListNodesReservedByOffline returns the nodes matching f that are
	// reserved by an offline conductor (last heartbeat older than the
	// heartbeat timeout), what _check_deploying_status selects with
	// reserved_by_any_of=get_offline_conductors().
	ListNodesReservedByOffline(ctx context.Context, f NodeFilter, opts ListOptions) ([]*objects.Node, error)
}

// NodeFilter selects nodes; the zero value selects all. Pointer fields
// filter when not nil. These are Ironic's periodic-task filters
// (_add_nodes_filters).
type NodeFilter struct {
	Reserved        *bool    // reservation IS [NOT] NULL
	ReservedByAnyOf []string // reservation IN (...); an empty non-nil list matches nothing
	Maintenance     *bool
	ProvisionState  *string
	// ProvisionStates is provision_state IN (...) (Ironic's
	// provision_state_in); an empty non-nil list matches nothing.
	ProvisionStates []string
	// ProvisionedBefore selects provision_updated_at < now - d.
	ProvisionedBefore *time.Duration
	// InspectionStartedBefore selects inspection_started_at < now - d.
	InspectionStartedBefore *time.Duration
	ConsoleEnabled          *bool
	Associated              *bool // instance_uuid IS [NOT] NULL
	Driver                  *string
	ResourceClass           *string
	ChassisUUID             *string
	// Match, if set, is applied in Go to each node the other filters
	// selected, before the limit: e.g. "mapped to this conductor" by the
	// hash ring on (uuid, driver).
	Match func(n *objects.Node) bool
}

// ListOptions orders and limits a list.
type ListOptions struct {
	// Limit caps the number of rows; 0 means no limit.
	Limit int
	// SortKey is a column of the listed table; "" means id.
	SortKey string
	// Desc sorts descending.
	Desc bool
}

// PortStore reads and writes ports.
type PortStore interface {
	// CreatePort inserts p (a new UUID if nil) and returns it as stored.
	// Errors: InvalidUUID, InvalidMAC, MACAlreadyExists,
	// PortAlreadyExists, and NodeNotFound or PortgroupNotFound for a
	// node_id or portgroup_id that does not exist.
	CreatePort(ctx context.Context, p *objects.Port) (*objects.Port, error)
	// GetPortByID returns a port by id (PortNotFound).
	GetPortByID(ctx context.Context, id int64) (*objects.Port, error)
	// GetPortByUUID returns a port by UUID (InvalidUUID, PortNotFound).
	GetPortByUUID(ctx context.Context, uuid string) (*objects.Port, error)
	// GetPortByAddress returns a port by MAC address (InvalidMAC,
	// PortNotFound).
	GetPortByAddress(ctx context.Context, address string) (*objects.Port, error)
	// ListPortsByNodeID returns the ports of a node, by id.
	ListPortsByNodeID(ctx context.Context, nodeID int64) ([]*objects.Port, error)
	// ListPortsByPortgroupID returns the ports of a portgroup, by id.
	ListPortsByPortgroupID(ctx context.Context, portgroupID int64) ([]*objects.Port, error)
	// UpdatePort writes p's changed fields to the port with p's id (or
	// UUID) and returns it as stored. A changed uuid: InvalidParameterValue.
	UpdatePort(ctx context.Context, p *objects.Port) (*objects.Port, error)
	// DestroyPort deletes a port (PortNotFound).
	DestroyPort(ctx context.Context, ref Ref) error
}

// PortgroupStore reads and writes portgroups.
type PortgroupStore interface {
	// CreatePortgroup inserts pg (a new UUID if nil, the default mode if
	// none) and returns it as stored. Errors: InvalidUUID, InvalidMAC,
	// InvalidName, PortgroupDuplicateName, PortgroupMACAlreadyExists,
	// PortgroupAlreadyExists, NodeNotFound.
	CreatePortgroup(ctx context.Context, pg *objects.Portgroup) (*objects.Portgroup, error)
	GetPortgroupByID(ctx context.Context, id int64) (*objects.Portgroup, error)
	GetPortgroupByUUID(ctx context.Context, uuid string) (*objects.Portgroup, error)
	GetPortgroupByName(ctx context.Context, name string) (*objects.Portgroup, error)
	GetPortgroupByAddress(ctx context.Context, address string) (*objects.Portgroup, error)
	ListPortgroupsByNodeID(ctx context.Context, nodeID int64) ([]*objects.Portgroup, error)
	// UpdatePortgroup writes pg's changed fields and returns it as stored.
	UpdatePortgroup(ctx context.Context, pg *objects.Portgroup) (*objects.Portgroup, error)
	// DestroyPortgroup deletes a portgroup that has no ports
	// (PortgroupNotEmpty, PortgroupNotFound).
	DestroyPortgroup(ctx context.Context, ref Ref) error
}

// VolumeConnectorStore reads and writes volume connectors.
type VolumeConnectorStore interface {
	// CreateVolumeConnector inserts vc and returns it as stored. Errors:
	// InvalidUUID, VolumeConnectorTypeAndIdAlreadyExists,
	// VolumeConnectorAlreadyExists, NodeNotFound.
	CreateVolumeConnector(ctx context.Context, vc *objects.VolumeConnector) (*objects.VolumeConnector, error)
	GetVolumeConnectorByID(ctx context.Context, id int64) (*objects.VolumeConnector, error)
	GetVolumeConnectorByUUID(ctx context.Context, uuid string) (*objects.VolumeConnector, error)
	ListVolumeConnectorsByNodeID(ctx context.Context, nodeID int64) ([]*objects.VolumeConnector, error)
	UpdateVolumeConnector(ctx context.Context, vc *objects.VolumeConnector) (*objects.VolumeConnector, error)
	// DestroyVolumeConnector deletes a connector (VolumeConnectorNotFound).
	DestroyVolumeConnector(ctx context.Context, ref Ref) error
}

// VolumeTargetStore reads and writes volume targets.
type VolumeTargetStore interface {
	// CreateVolumeTarget inserts vt and returns it as stored. Errors:
	// InvalidUUID, VolumeTargetBootIndexAlreadyExists,
	// VolumeTargetAlreadyExists, NodeNotFound.
	CreateVolumeTarget(ctx context.Context, vt *objects.VolumeTarget) (*objects.VolumeTarget, error)
	GetVolumeTargetByID(ctx context.Context, id int64) (*objects.VolumeTarget, error)
	GetVolumeTargetByUUID(ctx context.Context, uuid string) (*objects.VolumeTarget, error)
	ListVolumeTargetsByNodeID(ctx context.Context, nodeID int64) ([]*objects.VolumeTarget, error)
	UpdateVolumeTarget(ctx context.Context, vt *objects.VolumeTarget) (*objects.VolumeTarget, error)
	// DestroyVolumeTarget deletes a target (VolumeTargetNotFound).
	DestroyVolumeTarget(ctx context.Context, ref Ref) error
}

// ChassisStore reads and writes chassis (needed by the chassis_uuid node
// filter and the nodes' chassis_id).
type ChassisStore interface {
	// CreateChassis inserts c and returns it as stored (InvalidUUID,
	// ChassisAlreadyExists).
	CreateChassis(ctx context.Context, c *objects.Chassis) (*objects.Chassis, error)
	GetChassisByID(ctx context.Context, id int64) (*objects.Chassis, error)
	GetChassisByUUID(ctx context.Context, uuid string) (*objects.Chassis, error)
	// DestroyChassis deletes a chassis without nodes (ChassisNotEmpty,
	// ChassisNotFound).
	DestroyChassis(ctx context.Context, ref Ref) error
}

// HardwareInterface is one row of conductor_hardware_interfaces: an
// interface implementation a conductor enables for a hardware type.
type HardwareInterface struct {
	HardwareType  string // e.g. "ipmi"
	InterfaceType string // e.g. "power"
	InterfaceName string // e.g. "ipmitool"
	Default       bool   // the hardware type's default for this interface
}

// ConductorRegistration is what a conductor registers at start.
type ConductorRegistration struct {
	Hostname string
	// Drivers are the classic drivers (conductors.drivers).
	Drivers []string
	// HardwareInterfaces replace the conductor's previous rows when not
	// nil.
	HardwareInterfaces []HardwareInterface
}

// ConductorStore is conductor membership: registration, heartbeat and the
// active and offline sets.
type ConductorStore interface {
	// RegisterConductor creates or updates (by hostname) the conductor
	// row: drivers, online=true, updated_at=now; the row id is stable per
	// hostname. If r.HardwareInterfaces is not nil they replace the
	// conductor's rows, in the same transaction. An online row with that
	// hostname gives ConductorAlreadyRegistered unless updateExisting.
	// HardwareInterfaces that repeat a row give
	// ConductorHardwareInterfacesAlreadyRegistered.
	RegisterConductor(ctx context.Context, r ConductorRegistration, updateExisting bool) (*objects.Conductor, error)
	// GetConductor returns the conductor named hostname; with onlineOnly,
	// only if it is online (ConductorNotFound).
	GetConductor(ctx context.Context, hostname string, onlineOnly bool) (*objects.Conductor, error)
	// ListConductors returns every conductor row with its online flag.
	ListConductors(ctx context.Context) ([]ConductorStatus, error)
	// TouchConductor is the heartbeat: updated_at=now, online=true
	// (ConductorNotFound).
	TouchConductor(ctx context.Context, hostname string) error
	// UnregisterConductor deletes the conductor's hardware interfaces and
	// marks it offline (online=false) (ConductorNotFound if it is not
	// online).
	UnregisterConductor(ctx context.Context, hostname string) error
	// RegisterHardwareInterfaces adds rows for the conductor
	// (ConductorHardwareInterfacesAlreadyRegistered on a repeated row).
	RegisterHardwareInterfaces(ctx context.Context, conductorID int64, ifaces []HardwareInterface) error
	// UnregisterHardwareInterfaces deletes the conductor's rows.
	UnregisterHardwareInterfaces(ctx context.Context, conductorID int64) error
	// ListHardwareInterfaces returns the conductor's rows.
	ListHardwareInterfaces(ctx context.Context, conductorID int64) ([]HardwareInterface, error)
	// ActiveHardwareTypes maps each hardware type to the sorted hostnames
	// of the active conductors (online, heartbeat within the timeout) that
	// enable it: get_active_hardware_type_dict.
	ActiveHardwareTypes(ctx context.Context) (map[string][]string, error)
	// ActiveDrivers maps each classic driver to the sorted hostnames of
	// the active conductors that load it: get_active_driver_dict.
	ActiveDrivers(ctx context.Context) (map[string][]string, error)
	// ActiveDriverHosts is ActiveDrivers updated with ActiveHardwareTypes
	// (a hardware type replaces a classic driver of the same name): the
	// hash ring's membership (hashring.ConductorLister).
	ActiveDriverHosts(ctx context.Context) (map[string][]string, error)
	// OnlineConductors returns the sorted hostnames of the active
	// conductors.
	OnlineConductors(ctx context.Context) ([]string, error)
	// OfflineConductors returns the sorted hostnames of the conductors
	// whose last heartbeat is older than the timeout, whatever their
	// online flag (get_offline_conductors).
	OfflineConductors(ctx context.Context) ([]string, error)
}

// ConductorStatus is a conductor row with the columns objects.Conductor
// does not carry.
type ConductorStatus struct {
	*objects.Conductor
	Online         bool
	ConductorGroup string
}

// Ptr returns a pointer to v, for the optional fields of [NodeFilter].
func Ptr[T any](v T) *T { return &v }
