//go:build integration

package drivers_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"slices"
	"sort"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/ironic-go/ironic-go/drivers"
	"github.com/ironic-go/ironic-go/objects"
	"github.com/ironic-go/ironic-go/objects/exception"
)

// This test runs the same scenarios on the Go registry and on Debian's
// Ironic 21.4 driver factory (testdata/pydrivers.py) and compares the
// results: the interface defaults, enabled lists, registered hardware
// interfaces, check_and_update_node_interfaces, get_driver_properties,
// vendor passthru metadata and RAID validation, errors included (class
// and message).
//
// Deliberate differences, kept out of the scenarios and documented here:
//   - 21.4's FakeHardware extends GenericHardware, so it also lists ipxe,
//     pxe, direct, inspector, flat, agent, cinder... after its fake
//     implementations; ours lists only fake and no-op ones (7.0.0's
//     FakeHardware listed only fakes). Rows of fake-hardware are compared
//     only when nothing else is enabled, and its network default is
//     compared only when flat is not enabled (21.4 would pick flat).
//   - IncompatibleInterface names the implementation object in Python
//     ('<...FakeBoot object at 0x...>'); the script substitutes its entry
//     point name, which is what Go prints.
//   - manual-management is mirrored by name with stub implementations,
//     so properties are compared for fake-hardware only.

func python() string {
	if p := os.Getenv("IRONIC_GO_PYTHON"); p != "" {
		return p
	}
	return "/usr/bin/python3"
}

type pyConfig struct {
	EnabledHardwareTypes []string            `json:"enabled_hardware_types"`
	Enabled              map[string][]string `json:"enabled"`
	Defaults             map[string]string   `json:"defaults"`
	Extra                map[string][]string `json:"extra"`
}

type query map[string]any

type scenario struct {
	Name    string   `json:"-"`
	Config  pyConfig `json:"config"`
	Queries []query  `json:"queries"`
	// rowsFor limits the compared registration rows to these hardware
	// types (nil: all).
	rowsFor []string
}

func toPy(cfg drivers.Config, extra map[string][]string) pyConfig {
	p := pyConfig{EnabledHardwareTypes: cfg.EnabledHardwareTypes, Enabled: map[string][]string{},
		Defaults: map[string]string{}, Extra: extra}
	for t, names := range cfg.EnabledInterfaces {
		p.Enabled[string(t)] = names
	}
	for t, name := range cfg.DefaultInterfaces {
		p.Defaults[string(t)] = name
	}
	if p.Extra == nil {
		p.Extra = map[string][]string{"bios": {"no-bios"}, "rescue": {"no-rescue"}}
	}
	return p
}

func fromPy(p pyConfig) drivers.Config {
	cfg := drivers.Config{EnabledHardwareTypes: p.EnabledHardwareTypes,
		EnabledInterfaces: map[drivers.InterfaceType][]string{}, DefaultInterfaces: map[drivers.InterfaceType]string{}}
	for t, names := range p.Enabled {
		cfg.EnabledInterfaces[drivers.InterfaceType(t)] = names
	}
	for t, name := range p.Defaults {
		cfg.DefaultInterfaces[drivers.InterfaceType(t)] = name
	}
	return cfg
}

const testUUID = "1be26c0b-03f2-4d2e-ae87-c02d7f33c123"

func checkQuery(driver any, set map[string]any) query {
	return query{"op": "check", "node": map[string]any{"driver": driver, "uuid": testUUID, "interfaces": set}}
}

func raidQueries() []query {
	disk := func(kv ...any) map[string]any {
		d := map[string]any{"raid_level": "1", "size_gb": 100}
		for i := 0; i < len(kv); i += 2 {
			if kv[i+1] == nil {
				delete(d, kv[i].(string))
			} else {
				d[kv[i].(string)] = kv[i+1]
			}
		}
		return d
	}
	cfg := func(disks ...any) map[string]any { return map[string]any{"logical_disks": disks} }
	configs := []map[string]any{
		cfg(disk()),
		cfg(disk("size_gb", "MAX", "is_root_volume", true), disk("raid_level", "JBOD", "size_gb", 0)),
		cfg(disk("volume_name", "v", "share_physical_disks", false, "disk_type", "ssd", "interface_type", "sas",
			"number_of_physical_disks", 2, "controller", "c0", "physical_disks", []any{"a", "b"})),
		cfg(disk("controller", "c0", "physical_disks", []any{map[string]any{}, map[string]any{}})),
		{},
		{"logical_disks": []any{disk()}, "foo": 1},
		{"logical_disks": "x"},
		cfg(),
		cfg("x"),
		cfg(disk("raid_level", nil)),
		cfg(disk("size_gb", nil)),
		cfg(disk("a", 1)),
		cfg(disk("physical_disks", []any{"a"})),
		cfg(disk("raid_level", "7")),
		cfg(disk("raid_level", 1)),
		cfg(disk("size_gb", "big")),
		cfg(disk("size_gb", -1)),
		cfg(disk("size_gb", 1.5)),
		cfg(disk("size_gb", true)),
		cfg(disk("volume_name", 3)),
		cfg(disk("is_root_volume", "yes")),
		cfg(disk("disk_type", "nvme")),
		cfg(disk("interface_type", "usb")),
		cfg(disk("number_of_physical_disks", 0)),
		cfg(disk("number_of_physical_disks", "2")),
		cfg(disk("controller", "c", "physical_disks", "a")),
		cfg(disk("controller", "c", "physical_disks", []any{map[string]any{"x": true}})),
		cfg(disk("raid_level", "7"), disk("size_gb", nil)),
		cfg(disk("size_gb", "x"), disk("disk_type", "x")),
		{"logical_disks": []any{}, "foo": 1},
		cfg(disk("raid_level", "7"), disk("volume_name", 3)),
		cfg(disk("size_gb", nil), "x"),
		cfg(map[string]any{}),
		cfg(disk("controller", "c", "physical_disks", []any{"a", map[string]any{}})),
		cfg(disk("controller", "c", "physical_disks", []any{1})),
		cfg(disk("is_root_volume", true), disk("is_root_volume", true)),
	}
	qs := []query{{"op": "raid_properties"}}
	for _, c := range configs {
		qs = append(qs, query{"op": "raid_validate", "config": c})
	}
	return qs
}

func scenarios() []scenario {
	allTypes := func(hw string) []query {
		var qs []query
		for _, t := range drivers.InterfaceTypes() {
			qs = append(qs, query{"op": "default", "hw": hw, "type": string(t)})
		}
		return qs
	}
	fakeQ := []query{{"op": "register"}, {"op": "enabled"}}
	fakeQ = append(fakeQ, allTypes("fake-hardware")...)
	fakeQ = append(fakeQ,
		query{"op": "properties", "hw": "fake-hardware"},
		query{"op": "properties", "hw": "nope"},
		query{"op": "vendor", "hw": "fake-hardware"},
		query{"op": "get_interface", "hw": "fake-hardware", "type": "vendor", "name": "no-vendor"},
		query{"op": "get_interface", "hw": "fake-hardware", "type": "power", "name": "ipmitool"},
		checkQuery("fake-hardware", map[string]any{}),
		checkQuery("fake-hardware", map[string]any{"console": "no-console", "vendor": "no-vendor"}),
		checkQuery("fake-hardware", map[string]any{"power": "agent"}),
		checkQuery("fake-hardware", map[string]any{"network": ""}),
		checkQuery("fake-hardware", map[string]any{"boot": nil}),
		checkQuery("nope", map[string]any{}),
		checkQuery(nil, map[string]any{}),
	)
	fakeQ = append(fakeQ, raidQueries()...)

	mixedQ := []query{{"op": "register"}, {"op": "enabled"}}
	mixedQ = append(mixedQ, allTypes("manual-management")...)
	mixedQ = append(mixedQ,
		query{"op": "vendor", "hw": "manual-management"},
		query{"op": "get_interface", "hw": "manual-management", "type": "vendor", "name": "fake"},
		checkQuery("manual-management", map[string]any{}),
		checkQuery("manual-management", map[string]any{"boot": "pxe", "console": "no-console", "deploy": "ramdisk",
			"inspect": "no-inspect", "management": "fake", "network": "noop", "power": "fake", "raid": "agent",
			"storage": "cinder", "vendor": "no-vendor"}),
		checkQuery("manual-management", map[string]any{"boot": "fake"}),
		checkQuery("manual-management", map[string]any{"vendor": "fake"}),
		checkQuery("manual-management", map[string]any{"boot": "ipxe"}),
		checkQuery("fake-hardware", map[string]any{"power": "agent", "boot": "pxe", "network": "noop"}),
		checkQuery("fake-hardware", map[string]any{"network": "flat"}),
	)

	computed := drivers.Config{EnabledHardwareTypes: []string{"fake-hardware"}, EnabledInterfaces: ifaces{network: {"noop"}}}

	defaultUnsupported := mixedConfig()
	defaultUnsupported.DefaultInterfaces[deploy] = "fake"
	defaultNotEnabled := fakeConfig()
	defaultNotEnabled.DefaultInterfaces[power] = "agent"
	noValidDefault := fakeConfig()
	noValidDefault.EnabledHardwareTypes = append(noValidDefault.EnabledHardwareTypes, "manual-management")
	noValidDefault.EnabledInterfaces[deploy] = []string{"fake", "direct"}
	unknownIface := fakeConfig()
	unknownIface.EnabledInterfaces[power] = []string{"fake", "nonexistent"}
	unknownHW := fakeConfig()
	unknownHW.EnabledHardwareTypes = []string{"fake-hardware", "nonexistent-hw"}

	reg := []query{{"op": "register"}}
	return []scenario{
		{Name: "fake only", Config: toPy(fakeConfig(), nil), Queries: fakeQ},
		{Name: "mixed", Config: toPy(mixedConfig(), nil), Queries: mixedQ, rowsFor: []string{"manual-management"}},
		{Name: "computed lists", Config: toPy(computed, map[string][]string{}), Queries: []query{{"op": "register"}, {"op": "enabled"}}},
		{Name: "default unsupported", Config: toPy(defaultUnsupported, nil), Queries: reg},
		{Name: "default not enabled", Config: toPy(defaultNotEnabled, nil), Queries: reg},
		{Name: "no valid default", Config: toPy(noValidDefault, nil), Queries: reg},
		{Name: "unknown interface", Config: toPy(unknownIface, nil), Queries: reg},
		{Name: "unknown hardware type", Config: toPy(unknownHW, nil), Queries: reg},
	}
}

func runPyDrivers(t *testing.T, sc []scenario) [][]map[string]any {
	t.Helper()
	py := python()
	if _, err := os.Stat(py); err != nil {
		t.Fatalf("python %s: %v (install Debian's python3-ironic with `make deps`, or set IRONIC_GO_PYTHON)", py, err)
	}
	in, err := json.Marshal(sc)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.CommandContext(t.Context(), py, "testdata/pydrivers.py")
	cmd.Cancel = func() error { return cmd.Process.Signal(syscall.SIGTERM) }
	cmd.WaitDelay = 10 * time.Second
	cmd.Stdin = bytes.NewReader(in)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%s testdata/pydrivers.py: %v\n%s\n(python3-ironic is needed: `make deps`)", py, err, stderr.Bytes())
	}
	var res [][]map[string]any
	if err := json.Unmarshal(out, &res); err != nil {
		t.Fatalf("decode: %v\n%s", err, out)
	}
	if len(res) != len(sc) {
		t.Fatalf("%d results for %d scenarios", len(res), len(sc))
	}
	return res
}

func TestRegistryAgainstDebianIronic(t *testing.T) {
	sc := scenarios()
	py := runPyDrivers(t, sc)
	queries, errs := 0, 0
	for _, res := range py {
		for _, r := range res {
			queries++
			if _, ok := r["error_class"]; ok {
				errs++
			}
		}
	}
	t.Logf("%d scenarios, %d queries compared, %d of them errors in Python", len(sc), queries, errs)
	if errs < 20 || queries-errs < 20 {
		t.Fatalf("scenarios no longer exercise both successes and errors (%d/%d)", errs, queries)
	}
	for i, s := range sc {
		t.Run(s.Name, func(t *testing.T) {
			r, regErr := drivers.NewRegistry(fromPy(s.Config), allCatalogs()...)
			for j, q := range s.Queries {
				got := goQuery(r, regErr, q)
				want := normalizeJSON(t, py[i][j])
				got = normalizeJSON(t, got)
				if q["op"] == "register" && s.rowsFor != nil {
					got, want = filterRows(got, s.rowsFor), filterRows(want, s.rowsFor)
				}
				if d := cmp.Diff(want, got); d != "" {
					qj, _ := json.Marshal(q)
					t.Errorf("query %s (-python +go):\n%s", qj, d)
				}
			}
		})
	}
}

// goQuery answers q as pydrivers.py does.
func goQuery(r *drivers.Registry, regErr error, q query) map[string]any {
	if regErr != nil {
		return errResult(regErr)
	}
	switch q["op"] {
	case "register":
		rows := []any{}
		for _, row := range r.HardwareInterfaces() {
			rows = append(rows, []any{row.HardwareType, string(row.InterfaceType), row.InterfaceName, row.Default})
		}
		sort.SliceStable(rows, func(a, b int) bool {
			ra, rb := rows[a].([]any), rows[b].([]any)
			for k := 0; k < 3; k++ {
				if ra[k] != rb[k] {
					return ra[k].(string) < rb[k].(string)
				}
			}
			return false
		})
		return map[string]any{"rows": rows}
	case "enabled":
		m := map[string]any{}
		for _, t := range drivers.InterfaceTypes() {
			m[string(t)] = slices.Sorted(slices.Values(r.EnabledInterfaces(t)))
		}
		return map[string]any{"enabled": m}
	case "default":
		name, err := r.DefaultInterface(q["hw"].(string), drivers.InterfaceType(q["type"].(string)))
		if err != nil {
			return errResult(err)
		}
		return map[string]any{"name": name}
	case "properties":
		p, err := r.Properties(q["hw"].(string))
		if err != nil {
			return errResult(err)
		}
		return map[string]any{"properties": p}
	case "get_interface":
		if _, err := r.Interface(q["hw"].(string), drivers.InterfaceType(q["type"].(string)), q["name"].(string)); err != nil {
			return errResult(err)
		}
		return map[string]any{"ok": true}
	case "vendor":
		v, err := r.DefaultVendor(q["hw"].(string))
		if err != nil {
			return errResult(err)
		}
		return map[string]any{"node": drivers.NodeRoutesMetadata(v.Routes()), "driver": drivers.DriverRoutesMetadata(v.DriverRoutes())}
	case "check":
		nd := q["node"].(map[string]any)
		n := &objects.Node{UUID: strp(nd["uuid"].(string))}
		if d, ok := nd["driver"].(string); ok {
			n.Driver = &d
		}
		for t, v := range nd["interfaces"].(map[string]any) {
			if err := n.Set(t+"_interface", v); err != nil {
				panic(err)
			}
		}
		changed, err := r.CheckAndUpdateNodeInterfaces(n)
		if err != nil {
			return errResult(err)
		}
		return map[string]any{"changed": changed, "interfaces": nodeInterfaces(n)}
	case "raid_properties":
		return map[string]any{"properties": drivers.LogicalDiskProperties()}
	case "raid_validate":
		b, _ := json.Marshal(q["config"])
		var c map[string]any
		dec := json.NewDecoder(bytes.NewReader(b))
		dec.UseNumber()
		if err := dec.Decode(&c); err != nil {
			panic(err)
		}
		if err := drivers.ValidateRAIDConfig(numbers(c).(map[string]any)); err != nil {
			return errResult(err)
		}
		return map[string]any{"ok": true}
	}
	panic("unknown op")
}

// numbers turns json.Number into int64 or float64, as objects decodes.
func numbers(v any) any {
	switch x := v.(type) {
	case json.Number:
		if i, err := x.Int64(); err == nil {
			return i
		}
		f, _ := x.Float64()
		return f
	case []any:
		for i := range x {
			x[i] = numbers(x[i])
		}
	case map[string]any:
		for k := range x {
			x[k] = numbers(x[k])
		}
	}
	return v
}

func errResult(err error) map[string]any {
	var e *exception.Error
	if !errors.As(err, &e) {
		return map[string]any{"error_class": "?", "error": err.Error()}
	}
	return map[string]any{"error_class": e.Class, "error": e.Error()}
}

func normalizeJSON(t *testing.T, v any) map[string]any {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var out map[string]any
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
	return out
}

func filterRows(res map[string]any, hw []string) map[string]any {
	rows, ok := res["rows"].([]any)
	if !ok {
		return res
	}
	var keep []any
	for _, r := range rows {
		if slices.Contains(hw, r.([]any)[0].(string)) {
			keep = append(keep, r)
		}
	}
	return map[string]any{"rows": keep}
}
