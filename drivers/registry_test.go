package drivers_test

import (
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/ironic-go/ironic-go/drivers"
	"github.com/ironic-go/ironic-go/drivers/fake"
	"github.com/ironic-go/ironic-go/objects"
	"github.com/ironic-go/ironic-go/objects/exception"
)

const (
	boot       = drivers.InterfaceBoot
	console    = drivers.InterfaceConsole
	deploy     = drivers.InterfaceDeploy
	inspect    = drivers.InterfaceInspect
	management = drivers.InterfaceManagement
	network    = drivers.InterfaceNetwork
	power      = drivers.InterfacePower
	raid       = drivers.InterfaceRAID
	storage    = drivers.InterfaceStorage
	vendor     = drivers.InterfaceVendor
)

type ifaces = map[drivers.InterfaceType][]string

// fakeConfig enables fake-hardware with the fake and no-op
// implementations.
func fakeConfig() drivers.Config {
	return drivers.Config{
		EnabledHardwareTypes: []string{"fake-hardware"},
		EnabledInterfaces: ifaces{
			boot: {"fake"}, console: {"fake", "no-console"}, deploy: {"fake"}, inspect: {"fake", "no-inspect"},
			management: {"fake"}, network: {"noop"}, power: {"fake"}, raid: {"fake", "no-raid"},
			storage: {"fake", "noop"}, vendor: {"fake", "no-vendor"},
		},
		DefaultInterfaces: map[drivers.InterfaceType]string{storage: "noop"},
	}
}

// mixedConfig adds manual-management and implementations it supports.
func mixedConfig() drivers.Config {
	return drivers.Config{
		EnabledHardwareTypes: []string{"fake-hardware", "manual-management"},
		EnabledInterfaces: ifaces{
			boot: {"fake", "pxe"}, console: {"fake", "no-console"}, deploy: {"fake", "direct", "ramdisk"},
			inspect: {"fake", "no-inspect", "inspector"}, management: {"fake", "noop"}, network: {"noop", "flat"},
			power: {"fake", "agent"}, raid: {"fake", "no-raid", "agent"}, storage: {"fake", "noop", "cinder"},
			vendor: {"fake", "no-vendor"},
		},
		DefaultInterfaces: map[drivers.InterfaceType]string{storage: "noop"},
	}
}

func newRegistry(t *testing.T, cfg drivers.Config) *drivers.Registry {
	t.Helper()
	r, err := drivers.NewRegistry(cfg, allCatalogs()...)
	if err != nil {
		t.Fatalf("NewRegistry: %v", err)
	}
	return r
}

// wantErr checks err's class (by errors.Is on the sentinel) and message.
func wantErr(t *testing.T, err error, sentinel error, msg string) {
	t.Helper()
	if !errors.Is(err, sentinel) {
		t.Fatalf("error %v (%T), want %v", err, err, sentinel)
	}
	var e *exception.Error
	if !errors.As(err, &e) {
		t.Fatalf("error %v is not an *exception.Error", err)
	}
	if e.Error() != msg {
		t.Errorf("message:\n got %q\nwant %q", e.Error(), msg)
	}
}

func TestFakeRegistryDefaults(t *testing.T) {
	r := newRegistry(t, fakeConfig())
	want := map[drivers.InterfaceType]string{
		boot: "fake", console: "fake", deploy: "fake", inspect: "fake", management: "fake", network: "noop",
		power: "fake", raid: "fake", storage: "noop", vendor: "fake",
	}
	for _, it := range drivers.InterfaceTypes() {
		got, err := r.DefaultInterface("fake-hardware", it)
		if err != nil || got != want[it] {
			t.Errorf("default %s = %q, %v; want %q", it, got, err, want[it])
		}
	}
	if d := cmp.Diff([]string{"fake-hardware"}, r.HardwareTypes()); d != "" {
		t.Errorf("hardware types (-want +got):\n%s", d)
	}
	props, err := r.Properties("fake-hardware")
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(map[string]string{"B1": "B1 description. Required.", "B2": "B2 description. Required."}, props); d != "" {
		t.Errorf("properties (-want +got):\n%s", d)
	}
	_, err = r.Properties("ipmi")
	wantErr(t, err, exception.ErrDriverNotFound, "Could not find the following driver(s) or hardware type(s): ipmi.")
}

func TestHardwareInterfacesRows(t *testing.T) {
	r := newRegistry(t, mixedConfig())
	var got []drivers.HardwareInterface
	for _, row := range r.HardwareInterfaces() {
		if row.HardwareType == "manual-management" {
			got = append(got, row)
		}
	}
	row := func(it drivers.InterfaceType, name string, def bool) drivers.HardwareInterface {
		return drivers.HardwareInterface{HardwareType: "manual-management", InterfaceType: it, InterfaceName: name, Default: def}
	}
	want := []drivers.HardwareInterface{
		row(boot, "pxe", true),
		row(console, "no-console", true),
		row(deploy, "direct", true), row(deploy, "ramdisk", false),
		row(inspect, "no-inspect", false), row(inspect, "inspector", true),
		row(management, "fake", false), row(management, "noop", true),
		row(network, "noop", false), row(network, "flat", true),
		row(power, "fake", false), row(power, "agent", true),
		row(raid, "no-raid", true), row(raid, "agent", false),
		row(storage, "noop", true), row(storage, "cinder", false),
		row(vendor, "no-vendor", true),
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("rows (-want +got):\n%s", d)
	}
	// fake-hardware rows: only what it lists, though it accepts anything.
	n := 0
	for _, row := range r.HardwareInterfaces() {
		if row.HardwareType == "fake-hardware" {
			n++
			if row.InterfaceName != "fake" && row.InterfaceName != "noop" && row.InterfaceName[:3] != "no-" {
				t.Errorf("unexpected fake-hardware row %+v", row)
			}
		}
	}
	if n != 15 {
		t.Errorf("%d fake-hardware rows, want 15", n)
	}
}

func TestComputedEnabledLists(t *testing.T) {
	cfg := drivers.Config{EnabledHardwareTypes: []string{"fake-hardware", "manual-management"}}
	cfg.EnabledInterfaces = ifaces{boot: {"fake", "pxe"}} // ipxe is not in the catalog
	r := newRegistry(t, cfg)
	want := ifaces{
		boot: {"fake", "pxe"}, console: {"fake", "no-console"}, deploy: {"fake", "direct"},
		inspect: {"fake", "inspector"}, management: {"fake", "noop"}, network: {"noop", "flat"},
		power: {"fake", "agent"}, raid: {"fake", "no-raid"}, storage: {"fake", "noop"}, vendor: {"fake", "no-vendor"},
	}
	for it, names := range want {
		if d := cmp.Diff(names, r.EnabledInterfaces(it)); d != "" {
			t.Errorf("%s (-want +got):\n%s", it, d)
		}
	}
	if def, _ := r.DefaultInterface("fake-hardware", storage); def != "fake" {
		t.Errorf("storage default %q without default_storage_interface, want fake", def)
	}
}

func TestDedupeAndEmptyEntries(t *testing.T) {
	cfg := fakeConfig()
	cfg.EnabledHardwareTypes = []string{"", "fake-hardware", " fake-hardware", ""}
	cfg.EnabledInterfaces[power] = []string{"fake", "", "fake"}
	r := newRegistry(t, cfg)
	if d := cmp.Diff([]string{"fake-hardware"}, r.HardwareTypes()); d != "" {
		t.Error(d)
	}
	if d := cmp.Diff([]string{"fake"}, r.EnabledInterfaces(power)); d != "" {
		t.Error(d)
	}
}

func TestNewRegistryConfigErrors(t *testing.T) {
	tests := []struct {
		name     string
		mutate   func(*drivers.Config)
		sentinel error
		msg      string
	}{
		{"unknown hardware type", func(c *drivers.Config) { c.EnabledHardwareTypes = []string{"fake-hardware", "nope", "ipmi"} },
			exception.ErrDriverNotFoundInEntrypoint,
			"Could not find the following items in the 'ironic.hardware.types' entrypoint: nope, ipmi."},
		{"unknown interface", func(c *drivers.Config) { c.EnabledInterfaces[power] = []string{"fake", "ipmitool"} },
			exception.ErrDriverNotFoundInEntrypoint,
			"Could not find the following items in the 'ironic.hardware.interfaces.power' entrypoint: ipmitool."},
		{"default not enabled", func(c *drivers.Config) { c.DefaultInterfaces[power] = "agent" },
			exception.ErrInterfaceNotFoundInEntrypoint,
			"Could not find the following interface in the 'ironic.hardware.interfaces.power' entrypoint: agent. Valid interfaces are ['fake']."},
		{"nothing supported enabled", func(c *drivers.Config) {
			c.EnabledHardwareTypes = append(c.EnabledHardwareTypes, "manual-management")
		}, exception.ErrNoValidDefaultForInterface,
			"For hardware type 'manual-management', no default value found for boot interface could be determined. Please ensure the interfaces are enabled."},
		{"default unsupported", func(c *drivers.Config) {
			*c = mixedConfig()
			c.DefaultInterfaces[deploy] = "fake"
		}, exception.ErrNoValidDefaultForInterface,
			"For hardware type 'manual-management', no default value found for deploy interface could be determined. Please ensure the interfaces are enabled."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := fakeConfig()
			tt.mutate(&cfg)
			r, err := drivers.NewRegistry(cfg, allCatalogs()...)
			if r != nil {
				t.Fatal("registry returned with an error")
			}
			wantErr(t, err, tt.sentinel, tt.msg)
			if !errors.Is(err, exception.ErrInvalidParameterValue) && !errors.Is(err, exception.ErrDriverNotFound) {
				t.Errorf("%v is neither IPV nor DriverNotFound", err)
			}
		})
	}
}

func TestConfigValidate(t *testing.T) {
	cfg := fakeConfig()
	cfg.EnabledInterfaces["bios"] = []string{"no-bios"}
	cfg.DefaultInterfaces["rescue"] = "no-rescue"
	err := cfg.Validate()
	if err == nil {
		t.Fatal("unknown interface types accepted")
	}
	if _, err2 := drivers.NewRegistry(cfg, allCatalogs()...); err2 == nil || err2.Error() != err.Error() {
		t.Errorf("NewRegistry error %v, want %v", err2, err)
	}
	if err := drivers.DefaultConfig().Validate(); err != nil {
		t.Errorf("DefaultConfig: %v", err)
	}
}

func TestDefaultConfigNeedsIpmiAndRedfish(t *testing.T) {
	_, err := drivers.NewRegistry(drivers.DefaultConfig(), allCatalogs()...)
	wantErr(t, err, exception.ErrDriverNotFoundInEntrypoint,
		"Could not find the following items in the 'ironic.hardware.types' entrypoint: ipmi, redfish.")
}

func TestCatalogErrors(t *testing.T) {
	badHW := manualManagement()
	delete(badHW.Supported, power)
	unknownType := manualManagement()
	unknownType.Supported["bios"] = []string{"no-bios"}
	tests := map[string][]drivers.Catalog{
		"duplicate hardware type": {fake.Catalog(), {HardwareTypes: []drivers.HardwareType{fake.HardwareType()}}},
		"duplicate implementation": {fake.Catalog(), {Interfaces: []drivers.Implementation{
			{Type: power, Name: "fake", Impl: fake.Power{}}}}},
		"wrong contract":  {{Interfaces: []drivers.Implementation{{Type: power, Name: "x", Impl: fake.Boot{}}}}},
		"vendor contract": {{Interfaces: []drivers.Implementation{{Type: vendor, Name: "x", Impl: &stub{}}}}},
		"unknown type":    {{Interfaces: []drivers.Implementation{{Type: "bios", Name: "x", Impl: &stub{}}}}},
		"no value":        {{Interfaces: []drivers.Implementation{{Type: power, Name: "x"}}}},
		"no name":         {{Interfaces: []drivers.Implementation{{Type: power, Impl: &stub{}}}}},
		"missing core":    {{HardwareTypes: []drivers.HardwareType{badHW}}},
		"unknown hw type": {{HardwareTypes: []drivers.HardwareType{unknownType}}},
		"nameless hw":     {{HardwareTypes: []drivers.HardwareType{{}}}},
	}
	for name, cats := range tests {
		t.Run(name, func(t *testing.T) {
			_, err := drivers.NewRegistry(drivers.Config{}, cats...)
			if !errors.Is(err, drivers.ErrInvalidCatalog) {
				t.Fatalf("error %v, want ErrInvalidCatalog", err)
			}
		})
	}
}

func TestOptionalInterfacesDefaultToNoop(t *testing.T) {
	h := manualManagement()
	for _, it := range []drivers.InterfaceType{console, inspect, network, raid, storage, vendor} {
		delete(h.Supported, it)
	}
	h.Name = "minimal"
	cfg := mixedConfig()
	cfg.EnabledHardwareTypes = []string{"minimal"}
	r, err := drivers.NewRegistry(cfg, drivers.NoopCatalog(), fake.Catalog(), stubCatalog(),
		drivers.Catalog{HardwareTypes: []drivers.HardwareType{h}})
	if err != nil {
		t.Fatal(err)
	}
	got, err := r.HardwareType("minimal")
	if err != nil {
		t.Fatal(err)
	}
	want := ifaces{console: {"no-console"}, inspect: {"no-inspect"}, network: {"noop"}, raid: {"no-raid"},
		storage: {"noop"}, vendor: {"no-vendor"}}
	for it, names := range want {
		if d := cmp.Diff(names, got.Supported[it]); d != "" {
			t.Errorf("%s (-want +got):\n%s", it, d)
		}
	}
}

func node(driver string, set map[drivers.InterfaceType]string) *objects.Node {
	n := &objects.Node{UUID: strp("1be26c0b-03f2-4d2e-ae87-c02d7f33c123"), Driver: strp(driver)}
	for it, name := range set {
		n.Set(it.NodeField(), name)
	}
	return n
}

func nodeInterfaces(n *objects.Node) map[string]any {
	out := map[string]any{}
	for _, it := range drivers.InterfaceTypes() {
		v, _ := n.Get(it.NodeField())
		out[string(it)] = v
	}
	return out
}

func TestCheckAndUpdateNodeInterfaces(t *testing.T) {
	r := newRegistry(t, mixedConfig())
	fakeDefaults := map[string]any{
		"boot": "fake", "console": "fake", "deploy": "fake", "inspect": "fake", "management": "fake",
		"network": "noop", "power": "fake", "raid": "fake", "storage": "noop", "vendor": "fake",
	}
	mmDefaults := map[string]any{
		"boot": "pxe", "console": "no-console", "deploy": "direct", "inspect": "inspector", "management": "noop",
		"network": "flat", "power": "agent", "raid": "no-raid", "storage": "noop", "vendor": "no-vendor",
	}
	with := func(m map[string]any, k string, v any) map[string]any {
		out := map[string]any{}
		for kk, vv := range m {
			out[kk] = vv
		}
		out[k] = v
		return out
	}
	tests := []struct {
		name    string
		node    *objects.Node
		changed bool
		want    map[string]any
		err     error
		msg     string
	}{
		{"fill all", node("fake-hardware", nil), true, fakeDefaults, nil, ""},
		{"keep explicit", node("fake-hardware", map[drivers.InterfaceType]string{console: "no-console"}), true,
			with(fakeDefaults, "console", "no-console"), nil, ""},
		{"fake accepts any enabled", node("fake-hardware", map[drivers.InterfaceType]string{power: "agent", boot: "pxe"}), true,
			with(with(fakeDefaults, "power", "agent"), "boot", "pxe"), nil, ""},
		{"manual defaults", node("manual-management", nil), true, mmDefaults, nil, ""},
		{"all set", node("manual-management", map[drivers.InterfaceType]string{
			boot: "pxe", console: "no-console", deploy: "ramdisk", inspect: "no-inspect", management: "fake",
			network: "noop", power: "fake", raid: "agent", storage: "cinder", vendor: "no-vendor"}), false,
			map[string]any{"boot": "pxe", "console": "no-console", "deploy": "ramdisk", "inspect": "no-inspect",
				"management": "fake", "network": "noop", "power": "fake", "raid": "agent", "storage": "cinder",
				"vendor": "no-vendor"}, nil, ""},
		{"incompatible", node("manual-management", map[drivers.InterfaceType]string{boot: "fake"}), false, nil,
			exception.ErrIncompatibleInterface,
			"boot interface implementation 'fake' is not supported by hardware type ManualManagementHardware."},
		{"not enabled", node("manual-management", map[drivers.InterfaceType]string{boot: "ipxe"}), false, nil,
			exception.ErrInterfaceNotFoundInEntrypoint,
			"Could not find the following interface in the 'ironic.hardware.interfaces.boot' entrypoint: ipxe. Valid interfaces are ['fake', 'pxe']."},
		{"empty string", node("fake-hardware", map[drivers.InterfaceType]string{network: ""}), false, nil,
			exception.ErrInterfaceNotFoundInEntrypoint,
			"Could not find the following interface in the 'ironic.hardware.interfaces.network' entrypoint: . Valid interfaces are ['flat', 'noop']."},
		{"unknown driver", node("ipmi", nil), false, nil, exception.ErrDriverNotFound,
			"Could not find the following driver(s) or hardware type(s): ipmi."},
		{"null driver", &objects.Node{}, false, nil, exception.ErrDriverNotFound,
			"Could not find the following driver(s) or hardware type(s): None."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := nodeInterfaces(tt.node)
			changed, err := r.CheckAndUpdateNodeInterfaces(tt.node)
			if tt.err != nil {
				wantErr(t, err, tt.err, tt.msg)
				if d := cmp.Diff(before, nodeInterfaces(tt.node)); d != "" {
					t.Errorf("node changed on error (-before +after):\n%s", d)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if changed != tt.changed {
				t.Errorf("changed = %v, want %v", changed, tt.changed)
			}
			if d := cmp.Diff(tt.want, nodeInterfaces(tt.node)); d != "" {
				t.Errorf("interfaces (-want +got):\n%s", d)
			}
		})
	}
}

func TestCheckAndUpdateMarksChanges(t *testing.T) {
	r := newRegistry(t, fakeConfig())
	n := node("fake-hardware", map[drivers.InterfaceType]string{console: "no-console"})
	n.ResetChanges()
	if _, err := r.CheckAndUpdateNodeInterfaces(n); err != nil {
		t.Fatal(err)
	}
	want := []string{"boot_interface", "deploy_interface", "inspect_interface", "management_interface",
		"network_interface", "power_interface", "raid_interface", "storage_interface", "vendor_interface"}
	if d := cmp.Diff(want, n.Changes()); d != "" {
		t.Errorf("changes (-want +got):\n%s", d)
	}
}

func TestDriverFor(t *testing.T) {
	r := newRegistry(t, mixedConfig())
	n := node("fake-hardware", map[drivers.InterfaceType]string{vendor: "no-vendor", power: "agent"})
	d, err := r.DriverFor(n)
	if err != nil {
		t.Fatal(err)
	}
	if d.HardwareType != "fake-hardware" {
		t.Errorf("hardware type %q", d.HardwareType)
	}
	if _, ok := d.Vendor.(drivers.NoVendor); !ok {
		t.Errorf("vendor %T, want NoVendor", d.Vendor)
	}
	if s, ok := d.Power.(*stub); !ok || s.name != "agent" {
		t.Errorf("power %T, want the agent stub", d.Power)
	}
	if _, ok := d.Deploy.(fake.Deploy); !ok {
		t.Errorf("deploy %T", d.Deploy)
	}
	for _, it := range drivers.InterfaceTypes() {
		if d.Interface(it) == nil {
			t.Errorf("%s is nil", it)
		}
		if got, _ := n.Get(it.NodeField()); got != d.Name(it) {
			t.Errorf("%s name %q, node has %v", it, d.Name(it), got)
		}
	}
	if d.Name(vendor) != "no-vendor" || d.Name(deploy) != "fake" {
		t.Errorf("names %q %q", d.Name(vendor), d.Name(deploy))
	}
	if len(d.Properties()) != 0 {
		t.Errorf("properties %v: no-vendor and stubs have none", d.Properties())
	}
	if _, err := r.DriverFor(node("manual-management", map[drivers.InterfaceType]string{power: "nope"})); !errors.Is(err, exception.ErrInterfaceNotFoundInEntrypoint) {
		t.Errorf("DriverFor error %v", err)
	}
}

func TestInterfaceLookup(t *testing.T) {
	r := newRegistry(t, mixedConfig())
	if _, err := r.Interface("manual-management", power, "fake"); err != nil {
		t.Error(err)
	}
	_, err := r.Interface("manual-management", power, "ipmitool")
	wantErr(t, err, exception.ErrInterfaceNotFoundInEntrypoint,
		"Could not find the following interface in the 'ironic.hardware.interfaces.power' entrypoint: ipmitool. Valid interfaces are ['agent', 'fake'].")
	_, err = r.Interface("manual-management", vendor, "fake")
	wantErr(t, err, exception.ErrIncompatibleInterface,
		"vendor interface implementation 'fake' is not supported by hardware type ManualManagementHardware.")
	_, err = r.Interface("nope", power, "fake")
	wantErr(t, err, exception.ErrDriverNotFound, "Could not find the following driver(s) or hardware type(s): nope.")
	_, err = r.DefaultInterface("nope", power)
	wantErr(t, err, exception.ErrDriverNotFound, "Could not find the following driver(s) or hardware type(s): nope.")
	if _, err := r.HardwareType("nope"); !errors.Is(err, exception.ErrDriverNotFound) {
		t.Error(err)
	}
}

func TestDefaultVendorAndRAID(t *testing.T) {
	r := newRegistry(t, mixedConfig())
	v, err := r.DefaultVendor("fake-hardware")
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := v.(fake.VendorB); !ok {
		t.Errorf("fake-hardware vendor %T", v)
	}
	v, err = r.DefaultVendor("manual-management")
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := v.(drivers.NoVendor); !ok {
		t.Errorf("manual-management vendor %T", v)
	}
	rd, err := r.DefaultRAID("manual-management")
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := rd.(drivers.NoRAID); !ok {
		t.Errorf("manual-management raid %T", rd)
	}
	if d := cmp.Diff(drivers.LogicalDiskProperties(), rd.LogicalDiskProperties()); d != "" {
		t.Error(d)
	}
	if _, err := r.DefaultVendor("x"); !errors.Is(err, exception.ErrDriverNotFound) {
		t.Error(err)
	}
	if _, err := r.DefaultRAID("x"); !errors.Is(err, exception.ErrDriverNotFound) {
		t.Error(err)
	}
}

func TestRegistryReturnsCopies(t *testing.T) {
	r := newRegistry(t, mixedConfig())
	r.HardwareTypes()[0] = "x"
	r.EnabledInterfaces(power)[0] = "x"
	r.HardwareInterfaces()[0].InterfaceName = "x"
	h, _ := r.HardwareType("manual-management")
	h.Supported[power][0] = "x"
	if r.HardwareTypes()[0] != "fake-hardware" || r.EnabledInterfaces(power)[0] != "fake" ||
		r.HardwareInterfaces()[0].InterfaceName == "x" {
		t.Fatal("registry state leaked")
	}
	if h2, _ := r.HardwareType("manual-management"); h2.Supported[power][0] != "agent" {
		t.Fatal("hardware type leaked")
	}
}
