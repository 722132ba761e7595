package drivers

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/rs/zerolog"

	"github.com/ironic-go/ironic-go/objects"
	"github.com/ironic-go/ironic-go/objects/exception"
)

// Config is the [DEFAULT] options that select hardware types and
// interfaces, as in ironic.conf.
type Config struct {
	// EnabledHardwareTypes is enabled_hardware_types. Empty entries are
	// ignored and duplicates kept once, as Ironic does.
	EnabledHardwareTypes []string
	// EnabledInterfaces is enabled_<type>_interfaces by interface type. A
	// missing or empty list is computed as Debian's Ironic (21.4)
	// computes it: the first supported implementation of each enabled
	// hardware type. (Ironic 7.0.0 refused an empty list with
	// ConfigInvalid.)
	EnabledInterfaces map[InterfaceType][]string
	// DefaultInterfaces is default_<type>_interface by interface type;
	// "" or missing means the default is computed per hardware type.
	DefaultInterfaces map[InterfaceType]string
	// Logger receives what the registry loaded, at info level, and
	// configuration warnings. The zero value discards.
	Logger zerolog.Logger
}

// DefaultConfig returns the defaults: hardware types ipmi and redfish (as
// Debian's Ironic; 7.0.0 enabled none), every enabled interface list
// computed from the hardware types, and default_storage_interface "noop"
// (Ironic's default). Ironic's defaults for the other lists name
// implementations this project does not have (pxe, iscsi, direct, flat,
// cinder...), so they are left to be computed.
func DefaultConfig() Config {
	return Config{
		EnabledHardwareTypes: []string{"ipmi", "redfish"},
		DefaultInterfaces:    map[InterfaceType]string{InterfaceStorage: NoopStorageName},
	}
}

// Validate reports interface types the maps name that do not exist.
func (c Config) Validate() error {
	var errs []error
	for _, t := range slices.Sorted(maps.Keys(c.EnabledInterfaces)) {
		if !t.Valid() {
			errs = append(errs, fmt.Errorf("drivers: enabled_%s_interfaces: unknown interface type %q", t, t))
		}
	}
	for _, t := range slices.Sorted(maps.Keys(c.DefaultInterfaces)) {
		if !t.Valid() {
			errs = append(errs, fmt.Errorf("drivers: default_%s_interface: unknown interface type %q", t, t))
		}
	}
	return errors.Join(errs...)
}

// HardwareType is a family of hardware and, per interface type, the names
// of the implementations it supports, in order of preference: the first
// enabled one is its default (AbstractHardwareType's supported_*
// properties).
type HardwareType struct {
	// Name is the entry point name, e.g. "ipmi"; nodes name it in driver.
	Name string
	// ClassName is the Python class name used in messages
	// (IncompatibleInterface names it), e.g. "IPMIHardware"; Name when
	// empty.
	ClassName string
	// Supported lists implementation names by interface type. Boot,
	// deploy, management and power are required; a missing optional type
	// gets Ironic's no-op default (no-console, no-inspect, noop network,
	// no-raid, noop storage, no-vendor).
	Supported map[InterfaceType][]string
	// AnyInterface accepts every enabled implementation regardless of
	// Supported, which then only orders the defaults. Ironic special-cases
	// fake-hardware this way.
	AnyInterface bool
}

func (h *HardwareType) className() string {
	if h.ClassName != "" {
		return h.ClassName
	}
	return h.Name
}

// optionalDefaults are AbstractHardwareType's supported lists for the
// optional interfaces.
func optionalDefaults() map[InterfaceType][]string {
	return map[InterfaceType][]string{
		InterfaceConsole: {NoConsoleName},
		InterfaceInspect: {NoInspectName},
		InterfaceNetwork: {NoopNetworkName},
		InterfaceRAID:    {NoRAIDName},
		InterfaceStorage: {NoopStorageName},
		InterfaceVendor:  {NoVendorName},
	}
}

// Implementation is one named implementation of an interface type: what
// an ironic.hardware.interfaces.<type> entry point names.
type Implementation struct {
	Type InterfaceType
	Name string
	// Impl must satisfy the contract of Type (e.g. PowerInterface). It is
	// shared by every node and goroutine.
	Impl Interface
}

// Catalog is what a driver package offers: hardware types and named
// implementations (Ironic's entry points). cmd passes catalogs to
// NewRegistry; the configuration decides what is enabled.
type Catalog struct {
	HardwareTypes []HardwareType
	Interfaces    []Implementation
}

// ErrInvalidCatalog reports a programming error in a Catalog: a duplicate
// name, an implementation that does not satisfy its type's contract, a
// hardware type without a required interface type.
var ErrInvalidCatalog = errors.New("drivers: invalid catalog")

// HardwareInterface is one row of conductor_hardware_interfaces: an
// enabled implementation a hardware type supports, and whether it is the
// hardware type's default for that interface type.
type HardwareInterface struct {
	HardwareType  string
	InterfaceType InterfaceType
	InterfaceName string
	Default       bool
}

// Registry holds the enabled hardware types and implementations and
// composes drivers for nodes (ironic.common.driver_factory). It is
// immutable and safe for concurrent use.
type Registry struct {
	hwOrder  []string
	hw       map[string]*HardwareType
	enabled  map[InterfaceType][]string
	impls    map[InterfaceType]map[string]Interface
	defaults map[InterfaceType]string
	rows     []HardwareInterface
}

// NewRegistry builds the registry from cfg and the catalogs, failing as
// Ironic's conductor fails to start:
//   - DriverNotFoundInEntrypoint for an enabled hardware type or
//     implementation no catalog has;
//   - NoValidDefaultForInterface when an enabled hardware type has no
//     default for some interface type (none of its supported
//     implementations is enabled, or the configured default is not
//     supported);
//   - InterfaceNotFoundInEntrypoint when a configured default is not
//     enabled;
//   - ErrInvalidCatalog (wrapped) for a malformed catalog, and cfg's
//     Validate errors.
func NewRegistry(cfg Config, catalogs ...Catalog) (*Registry, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	allHW, allImpls, err := mergeCatalogs(catalogs)
	if err != nil {
		return nil, err
	}
	log := cfg.Logger.With().Str("component", "drivers").Logger()
	r := &Registry{
		hw:       map[string]*HardwareType{},
		enabled:  map[InterfaceType][]string{},
		impls:    map[InterfaceType]map[string]Interface{},
		defaults: map[InterfaceType]string{},
	}

	r.hwOrder = dedupe(log, "enabled_hardware_types", cfg.EnabledHardwareTypes)
	var missing []string
	for _, name := range r.hwOrder {
		h, ok := allHW[name]
		if !ok {
			missing = append(missing, name)
			continue
		}
		r.hw[name] = h
	}
	if len(missing) > 0 {
		return nil, exception.DriverNotFoundInEntrypoint(strings.Join(missing, ", "), HardwareTypesEntrypoint)
	}

	for _, t := range InterfaceTypes() {
		option := "enabled_" + string(t) + "_interfaces"
		names := dedupe(log, option, cfg.EnabledInterfaces[t])
		if len(names) == 0 {
			for _, hwName := range r.hwOrder {
				if first := r.hw[hwName].Supported[t][0]; !slices.Contains(names, first) {
					names = append(names, first)
				}
			}
		}
		missing = missing[:0]
		r.impls[t] = map[string]Interface{}
		for _, name := range names {
			impl, ok := allImpls[t][name]
			if !ok {
				missing = append(missing, name)
				continue
			}
			r.impls[t][name] = impl
		}
		if len(missing) > 0 {
			return nil, exception.DriverNotFoundInEntrypoint(strings.Join(missing, ", "), t.Entrypoint())
		}
		r.enabled[t] = names
		if d := cfg.DefaultInterfaces[t]; d != "" {
			r.defaults[t] = d
		}
	}

	// Compute every default now, as the conductor does when it registers
	// its hardware interfaces: a configuration without one must not start.
	for _, hwName := range r.hwOrder {
		h := r.hw[hwName]
		for _, t := range InterfaceTypes() {
			def, err := r.defaultInterface(h, t, nil)
			if err != nil {
				return nil, err
			}
			for _, name := range r.enabled[t] {
				if slices.Contains(h.Supported[t], name) {
					r.rows = append(r.rows, HardwareInterface{
						HardwareType: hwName, InterfaceType: t, InterfaceName: name, Default: name == def,
					})
				}
			}
		}
	}
	log.Info().Strs("hardware_types", r.hwOrder).Msg("loaded hardware types")
	for _, t := range InterfaceTypes() {
		log.Info().Str("interface_type", string(t)).Strs("interfaces", r.enabled[t]).Msg("loaded interfaces")
	}
	return r, nil
}

func mergeCatalogs(catalogs []Catalog) (map[string]*HardwareType, map[InterfaceType]map[string]Interface, error) {
	hw := map[string]*HardwareType{}
	impls := map[InterfaceType]map[string]Interface{}
	for _, c := range catalogs {
		for _, h := range c.HardwareTypes {
			if h.Name == "" {
				return nil, nil, fmt.Errorf("%w: hardware type without a name", ErrInvalidCatalog)
			}
			if _, dup := hw[h.Name]; dup {
				return nil, nil, fmt.Errorf("%w: hardware type %q registered twice", ErrInvalidCatalog, h.Name)
			}
			norm, err := normalizeHardwareType(h)
			if err != nil {
				return nil, nil, err
			}
			hw[h.Name] = norm
		}
		for _, i := range c.Interfaces {
			if !i.Type.Valid() {
				return nil, nil, fmt.Errorf("%w: implementation %q of unknown interface type %q", ErrInvalidCatalog, i.Name, i.Type)
			}
			if i.Name == "" || i.Impl == nil {
				return nil, nil, fmt.Errorf("%w: %s implementation without a name or a value", ErrInvalidCatalog, i.Type)
			}
			if !implementsType(i.Type, i.Impl) {
				return nil, nil, fmt.Errorf("%w: %s implementation %q (%T) does not satisfy the %s contract",
					ErrInvalidCatalog, i.Type, i.Name, i.Impl, i.Type)
			}
			if impls[i.Type] == nil {
				impls[i.Type] = map[string]Interface{}
			}
			if _, dup := impls[i.Type][i.Name]; dup {
				return nil, nil, fmt.Errorf("%w: %s implementation %q registered twice", ErrInvalidCatalog, i.Type, i.Name)
			}
			impls[i.Type][i.Name] = i.Impl
		}
	}
	return hw, impls, nil
}

// normalizeHardwareType copies h, filling the optional interface types it
// leaves out with the no-op defaults.
func normalizeHardwareType(h HardwareType) (*HardwareType, error) {
	out := h
	out.Supported = map[InterfaceType][]string{}
	for t, names := range h.Supported {
		if !t.Valid() {
			return nil, fmt.Errorf("%w: hardware type %q supports unknown interface type %q", ErrInvalidCatalog, h.Name, t)
		}
		if len(names) > 0 {
			out.Supported[t] = slices.Clone(names)
		}
	}
	for _, t := range coreInterfaceTypes() {
		if len(out.Supported[t]) == 0 {
			return nil, fmt.Errorf("%w: hardware type %q supports no %s interface", ErrInvalidCatalog, h.Name, t)
		}
	}
	for t, names := range optionalDefaults() {
		if len(out.Supported[t]) == 0 {
			out.Supported[t] = names
		}
	}
	return &out, nil
}

// dedupe drops empty entries and repeated names with a warning, keeping
// the first occurrence's position.
func dedupe(log zerolog.Logger, option string, names []string) []string {
	var out, dups []string
	for _, n := range names {
		n = strings.TrimSpace(n)
		switch {
		case n == "":
			log.Warn().Str("option", option).Msg("an empty driver was specified and will be ignored")
		case slices.Contains(out, n):
			if !slices.Contains(dups, n) {
				dups = append(dups, n)
			}
		default:
			out = append(out, n)
		}
	}
	if len(dups) > 0 {
		log.Warn().Str("option", option).Strs("duplicated", dups).Msg("duplicated entries are used once")
	}
	return out
}

// HardwareTypes returns the enabled hardware types, in configuration
// order.
func (r *Registry) HardwareTypes() []string { return slices.Clone(r.hwOrder) }

// HardwareType returns the enabled hardware type called name, with the
// optional interface types filled in, or DriverNotFound.
func (r *Registry) HardwareType(name string) (HardwareType, error) {
	h, err := r.hardwareType(&name)
	if err != nil {
		return HardwareType{}, err
	}
	out := *h
	out.Supported = map[InterfaceType][]string{}
	for t, names := range h.Supported {
		out.Supported[t] = slices.Clone(names)
	}
	return out, nil
}

func (r *Registry) hardwareType(name *string) (*HardwareType, error) {
	if name != nil {
		if h, ok := r.hw[*name]; ok {
			return h, nil
		}
		return nil, exception.DriverNotFound(*name)
	}
	return nil, exception.New("DriverNotFound", map[string]any{"driver_name": nil})
}

// EnabledInterfaces returns the enabled implementations of t (given or
// computed), in order.
func (r *Registry) EnabledInterfaces(t InterfaceType) []string { return slices.Clone(r.enabled[t]) }

// HardwareInterfaces returns the conductor_hardware_interfaces rows this
// conductor registers: for each enabled hardware type and interface type,
// every enabled implementation the hardware type supports, marked default
// or not.
func (r *Registry) HardwareInterfaces() []HardwareInterface { return slices.Clone(r.rows) }

// Interface returns the enabled implementation called name of type t, as
// driver_factory.get_interface does for hardware type hwType:
// DriverNotFound for an unknown hardware type,
// InterfaceNotFoundInEntrypoint if name is not enabled,
// IncompatibleInterface if hwType does not support it.
func (r *Registry) Interface(hwType string, t InterfaceType, name string) (Interface, error) {
	h, err := r.hardwareType(&hwType)
	if err != nil {
		return nil, err
	}
	return r.getInterface(h, t, name)
}

func (r *Registry) getInterface(h *HardwareType, t InterfaceType, name string) (Interface, error) {
	impl, ok := r.impls[t][name]
	if !ok {
		valid := slices.Sorted(maps.Keys(r.impls[t]))
		if valid == nil {
			valid = []string{}
		}
		return nil, exception.InterfaceNotFoundInEntrypoint(name, t.Entrypoint(), valid)
	}
	if h.AnyInterface || slices.Contains(h.Supported[t], name) {
		return impl, nil
	}
	return nil, exception.IncompatibleInterface(string(t), name, h.className())
}

// DefaultInterface returns the name of hwType's default implementation of
// t: default_<t>_interface if set (NoValidDefaultForInterface if hwType
// does not support it, InterfaceNotFoundInEntrypoint if it is not
// enabled), else the first of hwType's supported implementations that is
// enabled (NoValidDefaultForInterface if none is). DriverNotFound for an
// unknown hardware type.
func (r *Registry) DefaultInterface(hwType string, t InterfaceType) (string, error) {
	h, err := r.hardwareType(&hwType)
	if err != nil {
		return "", err
	}
	return r.defaultInterface(h, t, nil)
}

// defaultInterface implements DefaultInterface; node, when given, is the
// UUID named in NoValidDefaultForInterface ("" prints as None).
func (r *Registry) defaultInterface(h *HardwareType, t InterfaceType, node *string) (string, error) {
	noDefault := func() error {
		info := ""
		if node != nil {
			uuid := *node
			if uuid == "" {
				uuid = "None"
			}
			info = " node " + uuid + " with"
		}
		return exception.NoValidDefaultForInterface(info, h.Name, string(t))
	}
	if name := r.defaults[t]; name != "" {
		if _, err := r.getInterface(h, t, name); err != nil {
			if errors.Is(err, exception.ErrIncompatibleInterface) {
				return "", noDefault()
			}
			return "", err
		}
		return name, nil
	}
	for _, name := range h.Supported[t] {
		if _, ok := r.impls[t][name]; ok {
			return name, nil
		}
	}
	return "", noDefault()
}

// nodeInterface returns the address of node's field for t.
func nodeInterface(node *objects.Node, t InterfaceType) **string {
	switch t {
	case InterfaceBoot:
		return &node.BootInterface
	case InterfaceConsole:
		return &node.ConsoleInterface
	case InterfaceDeploy:
		return &node.DeployInterface
	case InterfaceInspect:
		return &node.InspectInterface
	case InterfaceManagement:
		return &node.ManagementInterface
	case InterfaceNetwork:
		return &node.NetworkInterface
	case InterfacePower:
		return &node.PowerInterface
	case InterfaceRAID:
		return &node.RAIDInterface
	case InterfaceStorage:
		return &node.StorageInterface
	case InterfaceVendor:
		return &node.VendorInterface
	}
	panic("drivers: unknown interface type " + string(t))
}

// CheckAndUpdateNodeInterfaces validates the node's *_interface fields
// for its hardware type and fills the null ones with the hardware type's
// defaults (driver_factory.check_and_update_node_interfaces, run on node
// creation and update and for every task). It reports whether it set a
// field; the caller saves the node. Errors: DriverNotFound (unknown
// node.driver), InterfaceNotFoundInEntrypoint, IncompatibleInterface,
// NoValidDefaultForInterface. On error the node is left unchanged.
//
// An empty string is a value, not null: it fails as an unknown
// implementation, as in Ironic.
func (r *Registry) CheckAndUpdateNodeInterfaces(node *objects.Node) (bool, error) {
	h, err := r.hardwareType(node.Driver)
	if err != nil {
		return false, err
	}
	fill := map[InterfaceType]string{}
	for _, t := range InterfaceTypes() {
		if name := *nodeInterface(node, t); name != nil {
			if _, err := r.getInterface(h, t, *name); err != nil {
				return false, err
			}
			continue
		}
		uuid := ""
		if node.UUID != nil {
			uuid = *node.UUID
		}
		def, err := r.defaultInterface(h, t, &uuid)
		if err != nil {
			return false, err
		}
		fill[t] = def
	}
	for t, name := range fill {
		*nodeInterface(node, t) = &name
		node.MarkChanged(t.NodeField())
	}
	return len(fill) > 0, nil
}

// ResetNodeInterfaces clears every *_interface field of the node for which
// keep returns false (keep gets the field name, e.g. "boot_interface"), so
// that CheckAndUpdateNodeInterfaces sets the hardware type's defaults:
// update_node with reset_interfaces when the driver changes.
func ResetNodeInterfaces(node *objects.Node, keep func(field string) bool) {
	for _, t := range InterfaceTypes() {
		if !keep(t.NodeField()) {
			*nodeInterface(node, t) = nil
			node.MarkChanged(t.NodeField())
		}
	}
}

// DriverFor composes the node's driver (build_driver_for_task): it runs
// CheckAndUpdateNodeInterfaces, so the node's null interface fields are
// filled in memory, and attaches each named implementation.
func (r *Registry) DriverFor(node *objects.Node) (*Driver, error) {
	if _, err := r.CheckAndUpdateNodeInterfaces(node); err != nil {
		return nil, err
	}
	d := &Driver{HardwareType: *node.Driver}
	for _, t := range InterfaceTypes() {
		name := **nodeInterface(node, t)
		impl := r.impls[t][name]
		d.set(t, name, impl)
	}
	return d, nil
}

// Properties returns get_driver_properties for a hardware type: the union
// of the properties of its default implementations. DriverNotFound for an
// unknown hardware type.
func (r *Registry) Properties(hwType string) (map[string]string, error) {
	h, err := r.hardwareType(&hwType)
	if err != nil {
		return nil, err
	}
	props := map[string]string{}
	for _, t := range InterfaceTypes() {
		name, err := r.defaultInterface(h, t, nil)
		if err != nil {
			// Ironic skips interface types without a valid default.
			if errors.Is(err, exception.ErrInterfaceNotFoundInEntrypoint) ||
				errors.Is(err, exception.ErrNoValidDefaultForInterface) {
				continue
			}
			return nil, err
		}
		maps.Copy(props, r.impls[t][name].Properties())
	}
	return props, nil
}

// DefaultVendor returns hwType's default vendor interface, which
// driver_vendor_passthru and get_driver_vendor_passthru_methods use.
func (r *Registry) DefaultVendor(hwType string) (VendorInterface, error) {
	name, err := r.DefaultInterface(hwType, InterfaceVendor)
	if err != nil {
		return nil, err
	}
	return r.impls[InterfaceVendor][name].(VendorInterface), nil
}

// DefaultRAID returns hwType's default RAID interface, which
// get_raid_logical_disk_properties uses.
func (r *Registry) DefaultRAID(hwType string) (RAIDInterface, error) {
	name, err := r.DefaultInterface(hwType, InterfaceRAID)
	if err != nil {
		return nil, err
	}
	return r.impls[InterfaceRAID][name].(RAIDInterface), nil
}
