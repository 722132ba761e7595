//go:build integration

package objects

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/ironic-go/ironic-go/internal/pyjson"
	"github.com/ironic-go/ironic-go/messaging"
)

// runPy runs testdata/pyobjects.py (Ironic's own object classes, Debian's
// python3-ironic) once with a batch of operations and returns one raw
// result per operation.
func runPy(t *testing.T, ops []map[string]any) []json.RawMessage {
	t.Helper()
	python := os.Getenv("IRONIC_GO_PYTHON")
	if python == "" {
		python = "/usr/bin/python3"
	}
	script, err := filepath.Abs(filepath.Join("testdata", "pyobjects.py"))
	if err != nil {
		t.Fatal(err)
	}
	in, err := json.Marshal(ops)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.CommandContext(t.Context(), python, script)
	cmd.Cancel = func() error { return cmd.Process.Signal(syscall.SIGTERM) }
	cmd.WaitDelay = 5 * time.Second
	cmd.Stdin = bytes.NewReader(in)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("%s %s: %v\n%s\nIs Debian's python3-ironic installed (apt-get install python3-ironic), "+
			"or IRONIC_GO_PYTHON set to a Python that has it?", python, script, err, stderr.String())
	}
	if s := strings.TrimSpace(stderr.String()); s != "" {
		t.Logf("python stderr:\n%s", s)
	}
	var out []json.RawMessage
	if err := json.Unmarshal(stdout.Bytes(), &out); err != nil || len(out) != len(ops) {
		t.Fatalf("python reply (%d results for %d ops): %v\n%s", len(out), len(ops), err, stdout.String())
	}
	return out
}

// pyObject is the peer's description of an object.
type pyObject struct {
	Class     string          `json:"class"`
	Version   string          `json:"version"`
	Fields    map[string]any  `json:"fields"`
	Changes   []string        `json:"changes"`
	Primitive json.RawMessage `json:"primitive"`
	Error     *pyError        `json:"error"`
}

type pyError struct {
	Module, Class, Message string
}

func parsePy[T any](t *testing.T, raw json.RawMessage) T {
	t.Helper()
	var v T
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if err := dec.Decode(&v); err != nil {
		t.Fatalf("peer result %s: %v", raw, err)
	}
	return v
}

// goPrimitives returns o's set fields in primitive form, as JSON values.
func goPrimitives(t *testing.T, o Object) map[string]any {
	t.Helper()
	env := jsonAny(t, mustEncode(t, o)).(map[string]any)
	return env[KeyData].(map[string]any)
}

// sameFieldValue compares primitives of field f; DateTime values compare as
// instants (Python keeps a non-UTC offset, Go converts to UTC).
func sameFieldValue(o Object, f string, a, b any) bool {
	if p, ok := o.objSchema().lookup(f); ok && o.objSchema().fields[p].kind == kindDateTime {
		as, aok := a.(string)
		bs, bok := b.(string)
		if !aok || !bok {
			return a == nil && b == nil
		}
		at, err1 := ParseISOTime(as)
		bt, err2 := ParseISOTime(bs)
		return err1 == nil && err2 == nil && at.Equal(bt)
	}
	return cmp.Equal(a, b)
}

func ours(o Object, names []string) []string {
	var out []string
	for _, n := range names {
		if _, ok := o.objSchema().lookup(n); ok {
			out = append(out, n)
		}
	}
	slices.Sort(out)
	return out
}

// Values every Python-built case starts from; "change" entries differ.
var pyBuildCases = []struct {
	name, target string
	set, change  map[string]any
}{
	{"Node", "1.21", map[string]any{
		"id":                     42,
		"uuid":                   "1be26c0b-03f2-4d2e-ae87-c02d7f33c123",
		"name":                   "node-42",
		"chassis_id":             nil,
		"instance_uuid":          nil,
		"driver":                 "ipmi",
		"driver_info":            map[string]any{"ipmi_address": "192.0.2.10", "ipmi_password": "pw"},
		"driver_internal_info":   map[string]any{"clean_steps": []any{map[string]any{"step": "erase", "priority": 10}}, "f": 1.5, "big": 1 << 60},
		"clean_step":             nil,
		"raid_config":            "{'logical_disks': [{'size_gb': 100, 'is_root_volume': True}]}",
		"target_raid_config":     map[string]any{},
		"instance_info":          map[string]any{"image_source": "http://x/é"},
		"properties":             map[string]any{"cpus": 8, "local_gb": 100, "memory_mb": 16384, "cpu_arch": "x86_64"},
		"reservation":            nil,
		"conductor_affinity":     1,
		"power_state":            "power off",
		"target_power_state":     nil,
		"provision_state":        "manageable",
		"provision_updated_at":   "2017-02-01T12:30:45.123456",
		"target_provision_state": nil,
		"maintenance":            false,
		"maintenance_reason":     nil,
		"console_enabled":        false,
		"last_error":             nil,
		"resource_class":         "baremetal",
		"inspection_finished_at": "2017-02-01T14:00:00+02:00",
		"inspection_started_at":  nil,
		"extra":                  nil,
		"boot_interface":         "pxe",
		"console_interface":      "no-console",
		"deploy_interface":       "iscsi",
		"inspect_interface":      "no-inspect",
		"management_interface":   "ipmitool",
		"network_interface":      "flat",
		"power_interface":        "ipmitool",
		"raid_interface":         "no-raid",
		"storage_interface":      "noop",
		"vendor_interface":       "no-vendor",
		"created_at":             "2017-02-01T12:00:00Z",
		"updated_at":             nil,
	}, map[string]any{"power_state": "power on", "maintenance_reason": "fixing", "maintenance": true,
		"driver_internal_info": map[string]any{"agent_url": "http://192.0.2.1:9999"}, "updated_at": "2017-02-02T00:00:00Z"}},
	// Natively at Debian's Node 1.37, with fields Go does not know, traits included.
	{"Node", "", map[string]any{
		"id": 7, "uuid": "2be26c0b-03f2-4d2e-ae87-c02d7f33c123", "driver": "redfish", "maintenance": false,
		"console_enabled": true, "owner": "p1", "protected": true, "protected_reason": "keep", "retired": nil,
		"shard": "s", "conductor_group": "g", "network_data": map[string]any{}, "traits": []any{"CUSTOM_GPU"},
		"properties": map[string]any{}, "provision_state": "active",
	}, map[string]any{"traits": []any{"CUSTOM_GPU", "CUSTOM_FPGA"}, "lessee": "p2", "provision_state": "deploying",
		"instance_uuid": "3be26c0b-03f2-4d2e-ae87-c02d7f33c123"}},
	{"Port", "1.6", map[string]any{
		"id": 1, "uuid": "4be26c0b-03f2-4d2e-ae87-c02d7f33c123", "node_id": 42, "address": "52:54:00:AB:CD:EF",
		"extra": map[string]any{}, "local_link_connection": map[string]any{"port_id": "Ethernet1/7", "switch_id": "0a:1b:2c:3d:4e:5f", "switch_info": "tor-1"},
		"portgroup_id": nil, "pxe_enabled": true, "internal_info": nil, "created_at": "2017-02-01T12:00:00Z", "updated_at": nil,
	}, map[string]any{"pxe_enabled": false, "address": "52:54:00:12:34:56"}},
	{"Port", "", map[string]any{"id": 2, "node_id": 42, "address": "52:54:00:12:34:57", "pxe_enabled": true,
		"physical_network": "physnet1", "is_smartnic": true, "name": "eth0"}, map[string]any{"portgroup_id": 3}},
	{"Portgroup", "1.3", map[string]any{
		"id": 3, "uuid": "5be26c0b-03f2-4d2e-ae87-c02d7f33c123", "name": "pg0", "node_id": 42, "address": nil,
		"extra": map[string]any{"a": []any{1, "b"}}, "internal_info": map[string]any{}, "standalone_ports_supported": true,
		"mode": "active-backup", "properties": map[string]any{"miimon": "100"}, "created_at": nil, "updated_at": nil,
	}, map[string]any{"standalone_ports_supported": false, "address": "AA:BB:CC:DD:EE:01", "mode": "802.3ad"}},
	{"Portgroup", "", map[string]any{"id": 4, "node_id": 42, "standalone_ports_supported": false, "node_uuid": "1be26c0b-03f2-4d2e-ae87-c02d7f33c123"},
		map[string]any{"name": "pg1"}},
	{"VolumeConnector", "1.0", map[string]any{
		"id": 5, "uuid": "6be26c0b-03f2-4d2e-ae87-c02d7f33c123", "node_id": 42, "type": "iqn",
		"connector_id": "iqn.2017-01.org.example:node42", "extra": map[string]any{}, "created_at": nil, "updated_at": nil,
	}, map[string]any{"connector_id": "iqn.2017-01.org.example:node43", "extra": "{'x': None}"}},
	{"VolumeTarget", "1.0", map[string]any{
		"id": 6, "uuid": "7be26c0b-03f2-4d2e-ae87-c02d7f33c123", "node_id": 42, "volume_type": "iscsi",
		"properties": map[string]any{"target_lun": 0, "auth_password": "s"}, "boot_index": 0, "volume_id": "vol-1",
		"extra": nil, "created_at": "2017-02-01T12:00:00Z", "updated_at": nil,
	}, map[string]any{"boot_index": "1", "volume_id": 12345}},
	{"Conductor", "1.2", map[string]any{"id": 1, "hostname": "cond-1", "drivers": []any{"ipmi"}, "created_at": nil,
		"updated_at": "2017-02-01T12:00:00Z"}, map[string]any{"drivers": nil}},
	{"Conductor", "", map[string]any{"id": 2, "hostname": "cond-2", "drivers": []any{}, "conductor_group": "g"},
		map[string]any{"updated_at": "2017-02-01T12:00:01Z"}},
	{"Chassis", "1.3", map[string]any{"id": 1, "uuid": "8be26c0b-03f2-4d2e-ae87-c02d7f33c123", "extra": map[string]any{},
		"description": "rack 1", "created_at": nil, "updated_at": nil}, map[string]any{"description": nil, "extra": map[string]any{"k": "v"}}},
}

// TestInteropPythonToGo: objects built by Ironic's classes decode in Go to
// the same values and changes.
func TestInteropPythonToGo(t *testing.T) {
	var ops []map[string]any
	for _, c := range pyBuildCases {
		op := map[string]any{"op": "build", "name": c.name, "set": c.set, "reset": true, "change": c.change}
		if c.target != "" {
			op["target"] = c.target
		}
		ops = append(ops, op)
	}
	// The §10.3 shape straight from Python, without a reset.
	ops = append(ops, map[string]any{"op": "build", "name": "Node", "set": map[string]any{"id": 1, "power_state": "power on"}, "target": "1.21"})
	res := runPy(t, ops)
	for i, raw := range res {
		py := parsePy[pyObject](t, raw)
		name := fmt.Sprintf("%d_%s_%s", i, ops[i]["name"], ops[i]["target"])
		t.Run(name, func(t *testing.T) {
			if py.Error != nil {
				t.Fatalf("python: %+v", py.Error)
			}
			o, err := Decode(py.Primitive)
			if err != nil {
				t.Fatalf("decode %s: %v", py.Primitive, err)
			}
			if o.ObjName() != py.Class {
				t.Fatalf("class %s, want %s", o.ObjName(), py.Class)
			}
			goVals := goPrimitives(t, o)
			for _, f := range FieldNames(o) {
				pv, pset := py.Fields[f]
				gv, gset := goVals[f]
				if pset != gset || pset != o.IsSet(f) {
					t.Errorf("%s: set in python %v, in go %v", f, pset, gset)
					continue
				}
				if pset && !sameFieldValue(o, f, pv, gv) {
					t.Errorf("%s: python %#v, go %#v", f, pv, gv)
				}
			}
			if diff := cmp.Diff(ours(o, py.Changes), o.Changes()); diff != "" {
				t.Errorf("changes (-python +go):\n%s", diff)
			}
		})
	}
}

// goCases are objects built in Go for the Go -> Python direction.
func goCases(t *testing.T) []Object {
	ts := time.Date(2017, 2, 1, 12, 30, 45, 123456000, time.UTC)
	fresh := &Node{ID: 1, UUID: new("1be26c0b-03f2-4d2e-ae87-c02d7f33c123"), Name: new("n1"), Driver: new("ipmi"),
		DriverInfo:     map[string]any{"ipmi_address": "192.0.2.1", "nested": map[string]any{"l": []any{int64(1), 2.5, nil, "é"}}},
		Properties:     map[string]any{"cpus": int64(8), "big": json.Number("123456789012345678901234567890")},
		ProvisionState: new("enroll"), ProvisionUpdatedAt: &ts, Maintenance: true, MaintenanceReason: new("r"),
		ConsoleEnabled: true, BootInterface: new("pxe"), StorageInterface: new("noop"), CreatedAt: &ts}
	loaded := &Node{ID: 2, UUID: new("2be26c0b-03f2-4d2e-ae87-c02d7f33c123"), Driver: new("ipmi"),
		PowerState: new("power off"), DriverInternalInfo: map[string]any{"x": int64(1)}}
	loaded.MarkLoaded()
	loaded.PowerState = new("power on")
	loaded.TargetPowerState = nil
	loaded.DriverInternalInfo["y"] = true
	loaded.MarkChanged("target_power_state")
	decoded, err := DecodeNode(vectors(t)["node_1.21_update_node.json"])
	if err != nil {
		t.Fatal(err)
	}
	decoded.ResetChanges()
	decoded.Reservation = new("cond-1")
	decoded.ChassisID = new(int64(3))

	port := &Port{ID: 3, UUID: new("3be26c0b-03f2-4d2e-ae87-c02d7f33c123"), NodeID: new(int64(1)),
		LocalLinkConnection: map[string]any{"switch_id": "0a:1b:2c:3d:4e:5f"}, PXEEnabled: true}
	if err := port.Set("address", "52:54:00:AB:CD:EF"); err != nil {
		t.Fatal(err)
	}
	port.ResetChanges("uuid", "node_id")
	pg := &Portgroup{ID: 4, Name: new("pg"), NodeID: new(int64(1)), StandalonePortsSupported: false, Properties: map[string]any{}}
	pg.MarkLoaded()
	pg.Mode = new("balance-rr")
	vc := &VolumeConnector{ID: 5, NodeID: new(int64(1)), Type: new("ip"), ConnectorID: new("192.0.2.5"), Extra: map[string]any{}}
	vt := &VolumeTarget{ID: 6, NodeID: new(int64(1)), VolumeType: new("iscsi"), BootIndex: new(int64(0)), VolumeID: new("v"),
		Properties: map[string]any{"target_iqn": "iqn.x"}, UpdatedAt: &ts}
	vt.ResetChanges()
	vt.BootIndex = new(int64(1))
	cond := &Conductor{ID: 7, Hostname: "cond-1", Drivers: []string{"ipmi"}, UpdatedAt: &ts}
	ch := &Chassis{ID: 8, UUID: new("8be26c0b-03f2-4d2e-ae87-c02d7f33c123"), Description: new("d")}
	ch.MarkLoaded()
	return []Object{fresh, loaded, decoded, port, pg, vc, vt, cond, ch}
}

// TestInteropGoToPython: what Go encodes, Ironic's deserializers accept with
// the same values and (without version conversion) the same changes.
func TestInteropGoToPython(t *testing.T) {
	objs := goCases(t)
	hows := []string{"ovo", "server", "client"}
	var ops []map[string]any
	for _, o := range objs {
		for _, how := range hows {
			ops = append(ops, map[string]any{"op": "decode", "how": how, "primitive": json.RawMessage(mustEncode(t, o))})
		}
	}
	res := runPy(t, ops)
	for i, raw := range res {
		o := objs[i/len(hows)]
		how := hows[i%len(hows)]
		t.Run(fmt.Sprintf("%d_%s_%s", i/len(hows), o.ObjName(), how), func(t *testing.T) {
			py := parsePy[pyObject](t, raw)
			if py.Error != nil {
				t.Fatalf("python: %+v", py.Error)
			}
			if py.Class != o.ObjName() {
				t.Fatalf("class %s", py.Class)
			}
			goVals := goPrimitives(t, o)
			for f, gv := range goVals {
				pv, ok := py.Fields[f]
				if !ok || !sameFieldValue(o, f, pv, gv) {
					t.Errorf("%s: python %#v (set %v), go %#v", f, pv, ok, gv)
				}
			}
			switch how {
			case "ovo":
				// obj_from_primitive: exactly our fields, version and changes.
				if py.Version != o.ObjVersion().String() {
					t.Errorf("version %s", py.Version)
				}
				if len(py.Fields) != len(goVals) {
					t.Errorf("python has %d fields set, go sent %d", len(py.Fields), len(goVals))
				}
				if diff := cmp.Diff(o.Changes(), py.Changes, cmpEmpty); diff != "" {
					t.Errorf("obj_what_changed (-go +python):\n%s", diff)
				}
			case "server":
				// A Debian conductor converts to its newer version and keeps
				// our changes (adding the fields the conversion filled).
				for _, c := range o.Changes() {
					if !slices.Contains(py.Changes, c) {
						t.Errorf("server lost change %s: %v", c, py.Changes)
					}
				}
				if extra := ours(o, py.Changes); len(extra) != len(o.Changes()) {
					t.Errorf("server changes among our fields %v, go %v", extra, o.Changes())
				}
			case "client":
				// Debian's client-side conversion resets changes (Python's
				// behaviour, recorded here); values are kept.
				t.Logf("client-side changes after conversion: %v", py.Changes)
			}
		})
	}
}

var cmpEmpty = cmp.Comparer(func(a, b []string) bool { return len(a) == 0 && len(b) == 0 || slices.Equal(a, b) })

// coercionCases are set through Python's setattr and Go's Set.
var coercionCases = []struct {
	name, field string
	values      []any
}{
	{"Node", "id", []any{5, "5", " -5 ", "1_000", 5.7, -5.7, true, false, "x", "5.0", "1__0", nil, map[string]any{}, []any{}, "", "+7"}},
	{"Node", "chassis_id", []any{nil, 3, "3"}},
	{"Node", "name", []any{"n", 5, 5.0, 1e16, 1.5e-7, 0.1, true, nil, map[string]any{"a": 1}, []any{}, "é"}},
	{"Node", "uuid", []any{"NOT-A-UUID", "1BE26C0B-03F2-4D2E-AE87-C02D7F33C123", nil, 5, 2.5, false}},
	{"Conductor", "hostname", []any{nil, "h", 1}},
	{"Node", "maintenance", []any{true, false, "", "false", 0, 1, 0.0, map[string]any{}, map[string]any{"a": 1}, []any{}, nil}},
	{"Node", "console_enabled", []any{nil, "x"}},
	{"Port", "pxe_enabled", []any{nil, 0}},
	{"Portgroup", "standalone_ports_supported", []any{nil, []any{1}}},
	{"Node", "provision_updated_at", []any{
		"2017-02-01T12:30:45.123456Z", "2017-02-01T12:30:45+00:00", "2017-02-01T12:30:45", "2017-02-01T14:30:45.5+02:00",
		"2017-02-01T10:00:00-0230", "2017-02-01 12:30", "20170201T123045Z", "20170201T1230", "2017-02-01", "2017-02", "2017",
		"2017-2-1", "2017-02-01T12:30:45,5Z", "2017-02-01T12:30:45Z\n", "201702", "2017-02-30", "2017-02-29", "2016-02-29",
		"2017-02-01T24:00:00", "2017-02-01T12:60", "2017-02-01T12:00:60", "2017-02-01T12:00:00z", "2017-02-01T12:00:00+24:00",
		"2017-02-01T12:00:00+23:59", "2017-02-01T12:00:00+05:99", "0000-01-01", "9999-12-31T23:59:59.999999999",
		"2017-02-01T12:00:00.9999999999999999999999999999999Z", "2017-02-01T12:00:00.99999999999999999999999999Z",
		"2017-02-01T12:00:00.0000009Z", "2017-02-01T1:00", "2017-02-01T12:0:00", "2017-02-01T12:00:5", " 2017", "2017 ",
		"", 5, nil, true}},
	{"Node", "extra", []any{nil, map[string]any{"a": 1}, `{"a": 1, "b": [1, 2.5, "x"]}`,
		`{'a': True, 'b': None, 'c': False, 'd': (1, 2)}`, `{1: 2, True: 3, None: 4, 1.5: 5}`, `{True: 'x', 1: 'y'}`,
		`{1.0: 'x', 2: 'y', 2.0: 'z'}`, `[('a', 1), ['b', 2], 'cd']`, `{}`, `  {'a': 1}`, `{'a': 1} # c`, `{'a': -0x1F, 'b': 0o7, 'c': 0b1}`,
		`{'s': 'a' "b" '''c''', 'r': r'\n', 'u': u'\u00e9\x41\101'}`, `{'a': {1, 2, 1}}`, `{'a': 1e3, 'b': .5, 'c': -2.}`,
		`{'big': 123456789012345678901234567890}`, `5`, `{'a': x}`, `{'a': 1e999}`, `{'a': b'x'}`, `{'a': 1j}`,
		`{'a': 1} junk`, `{"a": true}`, `{[1]: 2}`, `[('a',)]`, `'ab'`, `['ab']`, 5, []any{"abc"}, []any{[]any{"k", "v"}}, "",
		`{'a': 1_000}`, `{'a': 01}`, `{'a': (1)}`, `{'a': ()}`, "{'a':\n 1}"}},
	{"Port", "address", []any{"AA:BB:CC:DD:EE:FF", "aa:bb:cc:dd:ee:ff", "aa-bb-cc-dd-ee-ff", "aabb.ccdd.eeff",
		"aa:bb:cc:dd:ee", "aa:bb:cc:dd:ee:ff:00", "gg:bb:cc:dd:ee:ff", 5, nil, ""}},
	{"Conductor", "drivers", []any{[]any{"ipmi", 1}, []any{}, nil, "ipmi", []any{nil}, []any{1.5, true}, map[string]any{}}},
}

// TestInteropCoercion: Set coerces (or refuses) each value as Python's
// setattr does.
func TestInteropCoercion(t *testing.T) {
	var ops []map[string]any
	for _, c := range coercionCases {
		ops = append(ops, map[string]any{"op": "coerce", "name": c.name, "field": c.field, "values": c.values})
	}
	res := runPy(t, ops)
	for i, c := range coercionCases {
		results := parsePy[[]struct {
			OK    any      `json:"ok"`
			Error *pyError `json:"error"`
		}](t, res[i])
		// Go sees the values as they arrive from JSON.
		vals := jsonAny(t, must(json.Marshal(c.values))).([]any)
		for j, v := range vals {
			v = convertNumbers(v)
			py := results[j]
			got, err := setValue(t, c.name, c.field, v)
			label := fmt.Sprintf("%s.%s=%#v", c.name, c.field, c.values[j])
			if py.Error != nil {
				var re messaging.RemoteException
				want := py.Error.Class
				switch want {
				case "TypeError", "OverflowError", "SyntaxError", "Unserializable":
					want = "ValueError" // Go reports every refused value as ValueError
				}
				if goExtensions[label] {
					if err != nil {
						t.Errorf("%s: extension refused: %v", label, err)
					}
					continue
				}
				if err == nil {
					t.Errorf("%s: python %s (%s), go accepted %#v", label, py.Error.Class, py.Error.Message, got)
				} else if !asRemote(err, &re) || re.RemoteClass() != want {
					t.Errorf("%s: python %s, go %v", label, py.Error.Class, err)
				}
				continue
			}
			if err != nil {
				t.Errorf("%s: python %#v, go %v", label, py.OK, err)
				continue
			}
			o, _ := New(c.name)
			gv := jsonAny(t, must(pyjson.Marshal(map[string]any{"v": toJSONable(got)}))).(map[string]any)["v"]
			if !sameFieldValue(o, c.field, py.OK, gv) {
				t.Errorf("%s: python %#v, go %#v", label, py.OK, gv)
			}
		}
	}
}

// goExtensions are values Go accepts and Python refuses, on purpose.
var goExtensions = map[string]bool{
	`Node.extra="{\"a\": true}"`: true, // LiteralEval accepts JSON's true/false/null
}

func toJSONable(v any) any {
	if l, ok := v.([]string); ok && l == nil {
		return nil
	}
	return v
}

func asRemote(err error, re *messaging.RemoteException) bool { return errors.As(err, re) }

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

// TestInteropValidators: is_uuid_like, is_valid_logical_name and
// _validate_property_values agree with Ironic's.
func TestInteropValidators(t *testing.T) {
	uuids := []string{"1be26c0b-03f2-4d2e-ae87-c02d7f33c123", "1BE26C0B-03F2-4D2E-AE87-C02D7F33C123",
		"1be26c0b03f24d2eae87c02d7f33c123", "{1be26c0b-03f2-4d2e-ae87-c02d7f33c123}", "{{1be26c0b03f24d2eae87c02d7f33c123}}",
		"urn:uuid:1be26c0b-03f2-4d2e-ae87-c02d7f33c123", "uuid:1be26c0b03f24d2eae87c02d7f33c123", "1be2-6c0b03f24d2eae87c02d7f33c123",
		"1be26c0b-03f2-4d2e-ae87-c02d7f33c12", "1be26c0b-03f2-4d2e-ae87-c02d7f33c12g", " 1be26c0b-03f2-4d2e-ae87-c02d7f33c123",
		"0x1be26c0b03f24d2eae87c02d7f33c1", "1be26c0b_03f2_4d2e_ae87_c02d7f33c1", "+1be26c0b03f24d2eae87c02d7f33c12", "", "node-1"}
	names := []string{"node-1", "Node_1.rack~2", strings.Repeat("a", 255), strings.Repeat("a", 256), "", "node 1", "node/1",
		"nöde", "a:b", "a%20b", "-", "..", "~"}
	props := []map[string]any{nil, {}, {"cpus": 8, "local_gb": "100", "memory_mb": 1.5, "cpu_arch": "x"}, {"cpus": nil},
		{"cpus": true}, {"local_gb": -1, "cpus": "abc", "memory_mb": []any{1}}, {"memory_mb": "-0"}, {"cpus": " 4 "},
		{"cpus": map[string]any{"a": 1}}, {"local_gb": -0.5}}
	res := runPy(t, []map[string]any{
		{"op": "uuid_like", "values": uuids},
		{"op": "logical_name", "values": names},
		{"op": "props", "values": props},
	})
	pyU := parsePy[[]bool](t, res[0])
	for i, u := range uuids {
		if IsUUIDLike(u) != pyU[i] {
			t.Errorf("IsUUIDLike(%q) = %v, python %v", u, !pyU[i], pyU[i])
		}
	}
	pyN := parsePy[[]bool](t, res[1])
	for i, n := range names {
		if IsValidLogicalName(n) != pyN[i] {
			t.Errorf("IsValidLogicalName(%q) = %v, python %v", n, !pyN[i], pyN[i])
		}
	}
	pyP := parsePy[[]*struct{ Error *pyError }](t, res[2])
	uuid := "1be26c0b-03f2-4d2e-ae87-c02d7f33c123"
	for i, p := range props {
		pv := jsonAny(t, must(json.Marshal(p)))
		m, _ := convertNumbers(pv).(map[string]any)
		err := ValidatePropertyValues(&uuid, m)
		switch {
		case pyP[i] == nil && err != nil:
			t.Errorf("%v: go %v, python accepted", p, err)
		case pyP[i] != nil && err == nil:
			t.Errorf("%v: go accepted, python %+v", p, pyP[i].Error)
		case pyP[i] != nil:
			var re messaging.RemoteException
			if !asRemote(err, &re) || re.RemoteClass() != pyP[i].Error.Class || re.RemoteMessage() != pyP[i].Error.Message {
				t.Errorf("%v: go %v, python %s: %s", p, err, pyP[i].Error.Class, pyP[i].Error.Message)
			}
		}
	}
}
