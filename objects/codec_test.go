package objects

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/ironic-go/ironic-go/messaging"
)

func TestGoldenNodeUpdateNode(t *testing.T) {
	raw := vectors(t)["node_1.21_update_node.json"]
	n, err := DecodeNode(raw)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := n.Changes(), []string{"maintenance_reason", "power_state"}; !cmp.Equal(got, want) {
		t.Errorf("Changes() = %v, want %v", got, want)
	}
	if n.ID != 42 || *n.UUID != "1be26c0b-03f2-4d2e-ae87-c02d7f33c123" || *n.Name != "node-42" {
		t.Errorf("identity = %d %v %v", n.ID, *n.UUID, *n.Name)
	}
	if n.ChassisID != nil || n.InstanceUUID != nil || n.MaintenanceReason != nil || n.UpdatedAt != nil {
		t.Error("nulls decoded as values")
	}
	if *n.PowerState != "power on" || *n.ConductorAffinity != 1 || n.Maintenance || n.ConsoleEnabled {
		t.Error("scalar fields wrong")
	}
	wantProps := map[string]any{"cpu_arch": "x86_64", "cpus": int64(8), "local_gb": int64(100), "memory_mb": int64(16384)}
	if diff := cmp.Diff(wantProps, n.Properties); diff != "" {
		t.Errorf("properties (-want +got):\n%s", diff)
	}
	if want := time.Date(2017, 2, 1, 12, 30, 45, 0, time.UTC); !n.ProvisionUpdatedAt.Equal(want) || n.ProvisionUpdatedAt.Location() != time.UTC {
		t.Errorf("provision_updated_at = %v", n.ProvisionUpdatedAt)
	}
	for _, f := range FieldNames(n) {
		if !n.IsSet(f) {
			t.Errorf("%s not set", f)
		}
	}
	// Re-encoding gives the same JSON value.
	if diff := cmp.Diff(jsonAny(t, raw), jsonAny(t, mustEncode(t, n))); diff != "" {
		t.Errorf("re-encode (-vector +go):\n%s", diff)
	}
	// The generic decoder gives the same object.
	o, err := Decode(raw)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := o.(*Node); !ok || !cmp.Equal(jsonAny(t, mustEncode(t, o)), jsonAny(t, raw)) {
		t.Errorf("Decode gave %T", o)
	}
}

func TestGoldenVectorsRoundTrip(t *testing.T) {
	for name, raw := range vectors(t) {
		t.Run(name, func(t *testing.T) {
			o, err := Decode(raw)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(jsonAny(t, raw), jsonAny(t, mustEncode(t, o))); diff != "" {
				t.Errorf("re-encode (-vector +go):\n%s", diff)
			}
		})
	}
}

func TestNewerVectors(t *testing.T) {
	for name, raw := range newerVectors(t) {
		t.Run(name, func(t *testing.T) {
			o, err := Decode(raw)
			if err != nil {
				t.Fatal(err)
			}
			in := jsonAny(t, raw).(map[string]any)
			out := jsonAny(t, mustEncode(t, o)).(map[string]any)
			if out[KeyVersion] != o.ObjVersion().String() {
				t.Errorf("encoded at %v", out[KeyVersion])
			}
			inData, outData := in[KeyData].(map[string]any), out[KeyData].(map[string]any)
			for k, v := range inData {
				if _, ours := o.objSchema().lookup(k); !ours {
					if _, ok := outData[k]; ok {
						t.Errorf("unknown field %s re-encoded", k)
					}
					continue
				}
				if !cmp.Equal(v, outData[k]) {
					t.Errorf("%s: vector %v, go %v", k, v, outData[k])
				}
			}
			var want []string
			changes, _ := in[KeyChanges].([]any)
			for _, c := range changes {
				if _, ours := o.objSchema().lookup(c.(string)); ours {
					want = append(want, c.(string))
				}
			}
			if !cmp.Equal(want, o.Changes(), cmpopts.EquateEmpty()) {
				t.Errorf("changes %v, want %v", o.Changes(), want)
			}
		})
	}
}

func TestEncodeLayout(t *testing.T) {
	p := &Port{ID: 7, Address: new("52:54:00:12:34:56"), PXEEnabled: true}
	p.ResetChanges()
	p.PXEEnabled = false
	got := string(mustEncode(t, p))
	want := `{"ironic_object.name": "Port", "ironic_object.namespace": "ironic", "ironic_object.version": "1.6", ` +
		`"ironic_object.data": {"address": "52:54:00:12:34:56", "id": 7, "pxe_enabled": false}, "ironic_object.changes": ["pxe_enabled"]}`
	if got != want {
		t.Errorf("encode:\n got %s\nwant %s", got, want)
	}
	p.ResetChanges()
	if got := string(mustEncode(t, p)); strings.Contains(got, "changes") {
		t.Errorf("changes present after reset: %s", got)
	}
}

func TestRoundTripEveryType(t *testing.T) {
	ts := time.Date(2017, 2, 1, 12, 30, 45, 0, time.UTC)
	objs := []Object{
		&Node{ID: 1, UUID: new("1be26c0b-03f2-4d2e-ae87-c02d7f33c123"), Name: new("n"), ChassisID: new(int64(3)),
			Driver: new("ipmi"), DriverInfo: map[string]any{"ipmi_password": "x", "n": []any{int64(1), 2.5, nil, true}},
			Properties: map[string]any{"cpus": int64(8)}, ProvisionUpdatedAt: &ts, Maintenance: true, ConsoleEnabled: true,
			BootInterface: new("pxe"), StorageInterface: new("noop"), CreatedAt: &ts},
		&Port{ID: 2, UUID: new("u"), NodeID: new(int64(1)), Address: new("aa:bb:cc:dd:ee:ff"),
			LocalLinkConnection: map[string]any{"switch_id": "0a:1b:2c:3d:4e:5f"}, PortgroupID: new(int64(4)), PXEEnabled: true},
		&Portgroup{ID: 3, Name: new("pg"), NodeID: new(int64(1)), Address: new("aa:bb:cc:dd:ee:00"), StandalonePortsSupported: true,
			Mode: new("active-backup"), Properties: map[string]any{"miimon": "100"}},
		&VolumeConnector{ID: 4, NodeID: new(int64(1)), Type: new("iqn"), ConnectorID: new("iqn.2017-01.org.example:1")},
		&VolumeTarget{ID: 5, NodeID: new(int64(1)), VolumeType: new("iscsi"), BootIndex: new(int64(0)), VolumeID: new("v"),
			Properties: map[string]any{"target_lun": int64(0)}},
		&Conductor{ID: 6, Hostname: "cond-1", Drivers: []string{"ipmi", "fake"}, UpdatedAt: &ts},
		&Chassis{ID: 7, UUID: new("c"), Description: new("rack 1"), Extra: map[string]any{}},
	}
	for _, o := range objs {
		t.Run(o.ObjName(), func(t *testing.T) {
			raw := mustEncode(t, o)
			got, err := Decode(raw)
			if err != nil {
				t.Fatal(err)
			}
			if got.ObjName() != o.ObjName() {
				t.Fatalf("name %s", got.ObjName())
			}
			if diff := cmp.Diff(o.Changes(), got.Changes()); diff != "" {
				t.Errorf("changes (-sent +decoded):\n%s", diff)
			}
			for _, f := range FieldNames(o) {
				a, aok := o.Get(f)
				b, bok := got.Get(f)
				if aok != bok || !cmp.Equal(a, b) {
					t.Errorf("%s: sent %v (%v), decoded %v (%v)", f, a, aok, b, bok)
				}
			}
			if diff := cmp.Diff(jsonAny(t, raw), jsonAny(t, mustEncode(t, got))); diff != "" {
				t.Errorf("re-encode:\n%s", diff)
			}
		})
	}
}

func TestUnmarshalAsRPCArgument(t *testing.T) {
	raw := vectors(t)["node_1.21_update_node.json"]
	args := []byte(`{"node_obj": ` + string(raw) + `, "reset_interfaces": false}`)
	var a struct {
		Node            *Node `json:"node_obj"`
		ResetInterfaces bool  `json:"reset_interfaces"`
	}
	if err := messaging.Args(args).Decode(&a); err != nil {
		t.Fatal(err)
	}
	if a.Node == nil || a.Node.ID != 42 || !a.Node.HasChanged("power_state") {
		t.Fatalf("node = %+v", a.Node)
	}
	// A Node held by value encodes as an object too.
	byValue, err := json.Marshal(map[string]any{"n": *a.Node})
	if err != nil || !strings.Contains(string(byValue), `"ironic_object.name":"Node"`) {
		t.Errorf("by value: %s %v", byValue, err)
	}
	// As a result value through encoding/json.
	out, err := json.Marshal(map[string]any{"result": a.Node})
	if err != nil {
		t.Fatal(err)
	}
	var back struct {
		Result Node `json:"result"`
	}
	if err := json.Unmarshal(out, &back); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(a.Node.Changes(), back.Result.Changes()); diff != "" || back.Result.ID != 42 {
		t.Errorf("result round trip: %s", diff)
	}
}

func TestNewerMinorAccepted(t *testing.T) {
	// Node 1.37 as Debian's ironic-api sends it (fields beyond 1.21, traits nested).
	raw := []byte(`{"ironic_object.name": "Node", "ironic_object.namespace": "ironic", "ironic_object.version": "1.37",
	 "ironic_object.data": {"id": 9, "uuid": "1be26c0b-03f2-4d2e-ae87-c02d7f33c123", "driver": "ipmi", "owner": "proj",
	  "protected": false, "retired": null, "shard": "s1", "network_data": {}, "automated_clean": true,
	  "traits": {"ironic_object.name": "TraitList", "ironic_object.namespace": "ironic", "ironic_object.version": "1.0",
	   "ironic_object.data": {"objects": [{"ironic_object.name": "Trait", "ironic_object.namespace": "ironic",
	    "ironic_object.version": "1.0", "ironic_object.data": {"node_id": 9, "trait": "CUSTOM_X"}}]}},
	  "maintenance": true, "maintenance_reason": "fix"},
	 "ironic_object.changes": ["maintenance", "owner", "traits", "maintenance_reason"]}`)
	n, err := DecodeNode(raw)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := n.Changes(), []string{"maintenance", "maintenance_reason"}; !cmp.Equal(got, want) {
		t.Errorf("Changes() = %v, want %v", got, want)
	}
	if !n.Maintenance || *n.MaintenanceReason != "fix" || *n.Driver != "ipmi" || n.ID != 9 {
		t.Errorf("fields: %+v", n)
	}
	enc := jsonAny(t, mustEncode(t, n)).(map[string]any)
	if enc[KeyVersion] != "1.21" {
		t.Errorf("encoded at %v", enc[KeyVersion])
	}
	if _, ok := enc[KeyData].(map[string]any)["owner"]; ok {
		t.Error("unknown field re-encoded")
	}
	// Port 1.11 and a lower minor.
	for _, raw := range []string{
		`{"ironic_object.name": "Port", "ironic_object.namespace": "ironic", "ironic_object.version": "1.11", "ironic_object.data": {"id": 1, "is_smartnic": false, "node_uuid": "x", "pxe_enabled": true}}`,
		`{"ironic_object.name": "Port", "ironic_object.namespace": "ironic", "ironic_object.version": "1.0", "ironic_object.data": {"id": 1, "pxe_enabled": true}}`,
	} {
		p, err := DecodePort([]byte(raw))
		if err != nil || p.ID != 1 || !p.PXEEnabled {
			t.Errorf("%s: %v %+v", raw, err, p)
		}
	}
}

func TestDecodeRefusals(t *testing.T) {
	env := func(ns, name, ver string) []byte {
		return []byte(`{"ironic_object.name": "` + name + `", "ironic_object.namespace": "` + ns +
			`", "ironic_object.version": "` + ver + `", "ironic_object.data": {"id": 1}}`)
	}
	t.Run("namespace", func(t *testing.T) {
		_, err := Decode(env("nova", "Node", "1.21"))
		var ue *UnsupportedObjectError
		if !errors.As(err, &ue) || ue.ObjType != "nova.Node" || ue.RemoteClass() != "UnsupportedObjectError" ||
			ue.RemoteModule() != "oslo_versionedobjects.exception" || ue.RemoteMessage() != "Unsupported object type nova.Node" {
			t.Errorf("err = %v", err)
		}
	})
	t.Run("unknown name", func(t *testing.T) {
		_, err := Decode(env("ironic", "Allocation", "1.1"))
		var ue *UnsupportedObjectError
		if !errors.As(err, &ue) || ue.ObjType != "Allocation" {
			t.Errorf("err = %v", err)
		}
		if _, err := DecodeNode(env("ironic", "Allocation", "1.1")); !errors.As(err, &ue) {
			t.Errorf("typed: err = %v", err)
		}
	})
	for _, ver := range []string{"2.0", "0.9", "x", "1", ""} {
		t.Run("version "+ver, func(t *testing.T) {
			_, err := Decode(env("ironic", "Node", ver))
			var ie *IncompatibleObjectVersionError
			if !errors.As(err, &ie) || ie.ObjVer != ver || ie.Supported != "1.21" || ie.ObjName != "Node" {
				t.Fatalf("err = %v", err)
			}
			if want := "Version " + ver + " of Node is not supported, supported version is 1.21"; ie.RemoteMessage() != want {
				t.Errorf("message %q", ie.RemoteMessage())
			}
		})
	}
	t.Run("wrong type", func(t *testing.T) {
		if _, err := DecodeNode(env("ironic", "Port", "1.6")); !errors.Is(err, ErrWrongObject) {
			t.Errorf("err = %v", err)
		}
	})
	for name, raw := range map[string]string{
		"not object":     `[1]`,
		"null":           `null`,
		"no namespace":   `{"ironic_object.name": "Node", "ironic_object.version": "1.21", "ironic_object.data": {}}`,
		"no data":        `{"ironic_object.name": "Node", "ironic_object.namespace": "ironic", "ironic_object.version": "1.21"}`,
		"data list":      `{"ironic_object.name": "Node", "ironic_object.namespace": "ironic", "ironic_object.version": "1.21", "ironic_object.data": []}`,
		"name number":    `{"ironic_object.name": 1, "ironic_object.namespace": "ironic", "ironic_object.version": "1.21", "ironic_object.data": {}}`,
		"changes string": `{"ironic_object.name": "Node", "ironic_object.namespace": "ironic", "ironic_object.version": "1.21", "ironic_object.data": {}, "ironic_object.changes": "id"}`,
		"bad json":       `{"ironic_object.name": `,
	} {
		t.Run(name, func(t *testing.T) {
			if _, err := Decode([]byte(raw)); !errors.Is(err, ErrMalformed) {
				t.Errorf("err = %v", err)
			}
		})
	}
	t.Run("field value", func(t *testing.T) {
		_, err := Decode([]byte(`{"ironic_object.name": "Node", "ironic_object.namespace": "ironic", "ironic_object.version": "1.21", "ironic_object.data": {"maintenance": null}}`))
		var fe *FieldError
		var ve *ValueError
		if !errors.As(err, &fe) || fe.Field != "maintenance" || !errors.As(err, &ve) || ve.Msg != "Field `maintenance' cannot be None" {
			t.Errorf("err = %v", err)
		}
	})
}

func TestIsObject(t *testing.T) {
	for raw, want := range map[string]bool{
		`{"ironic_object.name": "Node"}`: true,
		`{"name": "Node"}`:               false,
		`"ironic_object.name"`:           false,
		`[{"ironic_object.name": 1}]`:    false,
	} {
		if got := IsObject([]byte(raw)); got != want {
			t.Errorf("IsObject(%s) = %v", raw, got)
		}
	}
}

func TestNewByName(t *testing.T) {
	for _, name := range []string{NameNode, NamePort, NamePortgroup, NameVolumeConnector, NameVolumeTarget, NameConductor, NameChassis} {
		o, ok := New(name)
		if !ok || o.ObjName() != name {
			t.Errorf("New(%s) = %v", name, o)
		}
	}
	if _, ok := New("Trait"); ok {
		t.Error("New(Trait) succeeded")
	}
	want := map[string]string{NameNode: "1.21", NamePort: "1.6", NamePortgroup: "1.3", NameVolumeConnector: "1.0",
		NameVolumeTarget: "1.0", NameConductor: "1.2", NameChassis: "1.3"}
	for name, v := range want {
		o, _ := New(name)
		if o.ObjVersion().String() != v {
			t.Errorf("%s version %s, want %s", name, o.ObjVersion(), v)
		}
	}
	if n := len(FieldNames(&Node{})); n != 40 {
		t.Errorf("Node has %d fields, want 40", n)
	}
}
