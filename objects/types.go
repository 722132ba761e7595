package objects

import "time"

// Object names on the wire ("ironic_object.name").
const (
	NameNode            = "Node"
	NamePort            = "Port"
	NamePortgroup       = "Portgroup"
	NameVolumeConnector = "VolumeConnector"
	NameVolumeTarget    = "VolumeTarget"
	NameConductor       = "Conductor"
	NameChassis         = "Chassis"
)

// Namespace is the "ironic_object.namespace" of every Ironic object.
const Namespace = "ironic"

// Field conventions, for every object type below:
//   - A Go field's wire name (and database column) is in its `obj` tag.
//   - Nullable fields are pointers (*string, *int64, *bool, *time.Time); nil
//     is null. Non-nullable fields are plain values.
//   - FlexibleDict fields are map[string]any; a nil map is sent as {} (Ironic
//     turns None into {}). Values inside are JSON values: string, bool, nil,
//     int64 (integers), float64, json.Number (integers beyond int64),
//     []any and map[string]any.
//   - DateTime fields are *time.Time in UTC; microseconds are dropped on the
//     wire.
//   - MAC address fields hold the normalized lowercase "aa:bb:cc:dd:ee:ff"
//     form when set through Set or decoded.

// Node is Ironic's Node object at version 1.21 (RPC API 1.40).
type Node struct {
	ID                   int64          `obj:"id"`
	UUID                 *string        `obj:"uuid,uuid"`
	Name                 *string        `obj:"name"`
	ChassisID            *int64         `obj:"chassis_id"`
	InstanceUUID         *string        `obj:"instance_uuid,uuid"`
	Driver               *string        `obj:"driver"`
	DriverInfo           map[string]any `obj:"driver_info"`
	DriverInternalInfo   map[string]any `obj:"driver_internal_info"`
	CleanStep            map[string]any `obj:"clean_step"`
	RAIDConfig           map[string]any `obj:"raid_config"`
	TargetRAIDConfig     map[string]any `obj:"target_raid_config"`
	InstanceInfo         map[string]any `obj:"instance_info"`
	Properties           map[string]any `obj:"properties"`
	Reservation          *string        `obj:"reservation"`
	ConductorAffinity    *int64         `obj:"conductor_affinity"`
	PowerState           *string        `obj:"power_state"`
	TargetPowerState     *string        `obj:"target_power_state"`
	ProvisionState       *string        `obj:"provision_state"`
	ProvisionUpdatedAt   *time.Time     `obj:"provision_updated_at"`
	TargetProvisionState *string        `obj:"target_provision_state"`
	Maintenance          bool           `obj:"maintenance"`
	MaintenanceReason    *string        `obj:"maintenance_reason"`
	ConsoleEnabled       bool           `obj:"console_enabled"`
	LastError            *string        `obj:"last_error"`
	ResourceClass        *string        `obj:"resource_class"`
	InspectionFinishedAt *time.Time     `obj:"inspection_finished_at"`
	InspectionStartedAt  *time.Time     `obj:"inspection_started_at"`
	Extra                map[string]any `obj:"extra"`
	BootInterface        *string        `obj:"boot_interface"`
	ConsoleInterface     *string        `obj:"console_interface"`
	DeployInterface      *string        `obj:"deploy_interface"`
	InspectInterface     *string        `obj:"inspect_interface"`
	ManagementInterface  *string        `obj:"management_interface"`
	NetworkInterface     *string        `obj:"network_interface"`
	PowerInterface       *string        `obj:"power_interface"`
	RAIDInterface        *string        `obj:"raid_interface"`
	StorageInterface     *string        `obj:"storage_interface"`
	VendorInterface      *string        `obj:"vendor_interface"`
	CreatedAt            *time.Time     `obj:"created_at"`
	UpdatedAt            *time.Time     `obj:"updated_at"`

	track tracker
}

// Port is Ironic's Port object at version 1.6.
type Port struct {
	ID                  int64          `obj:"id"`
	UUID                *string        `obj:"uuid,uuid"`
	NodeID              *int64         `obj:"node_id"`
	Address             *string        `obj:"address,mac"`
	Extra               map[string]any `obj:"extra"`
	LocalLinkConnection map[string]any `obj:"local_link_connection"`
	PortgroupID         *int64         `obj:"portgroup_id"`
	PXEEnabled          bool           `obj:"pxe_enabled"`
	InternalInfo        map[string]any `obj:"internal_info"`
	CreatedAt           *time.Time     `obj:"created_at"`
	UpdatedAt           *time.Time     `obj:"updated_at"`

	track tracker
}

// Portgroup is Ironic's Portgroup object at version 1.3.
type Portgroup struct {
	ID                       int64          `obj:"id"`
	UUID                     *string        `obj:"uuid,uuid"`
	Name                     *string        `obj:"name"`
	NodeID                   *int64         `obj:"node_id"`
	Address                  *string        `obj:"address,mac"`
	Extra                    map[string]any `obj:"extra"`
	InternalInfo             map[string]any `obj:"internal_info"`
	StandalonePortsSupported bool           `obj:"standalone_ports_supported"`
	Mode                     *string        `obj:"mode"`
	Properties               map[string]any `obj:"properties"`
	CreatedAt                *time.Time     `obj:"created_at"`
	UpdatedAt                *time.Time     `obj:"updated_at"`

	track tracker
}

// VolumeConnector is Ironic's VolumeConnector object at version 1.0.
type VolumeConnector struct {
	ID          int64          `obj:"id"`
	UUID        *string        `obj:"uuid,uuid"`
	NodeID      *int64         `obj:"node_id"`
	Type        *string        `obj:"type"`
	ConnectorID *string        `obj:"connector_id"`
	Extra       map[string]any `obj:"extra"`
	CreatedAt   *time.Time     `obj:"created_at"`
	UpdatedAt   *time.Time     `obj:"updated_at"`

	track tracker
}

// VolumeTarget is Ironic's VolumeTarget object at version 1.0.
type VolumeTarget struct {
	ID         int64          `obj:"id"`
	UUID       *string        `obj:"uuid,uuid"`
	NodeID     *int64         `obj:"node_id"`
	VolumeType *string        `obj:"volume_type"`
	Properties map[string]any `obj:"properties"`
	BootIndex  *int64         `obj:"boot_index"`
	VolumeID   *string        `obj:"volume_id"`
	Extra      map[string]any `obj:"extra"`
	CreatedAt  *time.Time     `obj:"created_at"`
	UpdatedAt  *time.Time     `obj:"updated_at"`

	track tracker
}

// Conductor is Ironic's Conductor object at version 1.2. It is not sent
// over RPC; the database layer uses it. UpdatedAt is the heartbeat.
type Conductor struct {
	ID        int64      `obj:"id"`
	Drivers   []string   `obj:"drivers"`
	Hostname  string     `obj:"hostname"`
	CreatedAt *time.Time `obj:"created_at"`
	UpdatedAt *time.Time `obj:"updated_at"`

	track tracker
}

// Chassis is Ironic's Chassis object at version 1.3.
type Chassis struct {
	ID          int64          `obj:"id"`
	UUID        *string        `obj:"uuid,uuid"`
	Extra       map[string]any `obj:"extra"`
	Description *string        `obj:"description"`
	CreatedAt   *time.Time     `obj:"created_at"`
	UpdatedAt   *time.Time     `obj:"updated_at"`

	track tracker
}
