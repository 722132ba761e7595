package conductor_test

import (
	"testing"

	"github.com/ironic-go/ironic-go/messaging"
	"github.com/ironic-go/ironic-go/objects"
	"github.com/ironic-go/ironic-go/rpcapi/hashring"
)

// TestUpdateNodeResetInterfaces sends update_node as a newer API does (an
// extra reset_interfaces kwarg at 1.1): with true and a driver change, the
// interfaces the request does not set go back to the hardware type's
// defaults; with false, or without a driver change, they stay.
func TestUpdateNodeResetInterfaces(t *testing.T) {
	u := newUnitEnv(t, testDrivers{}, nil)
	client := messaging.NewClient(u.cli, messaging.Target{Topic: hashring.HostTopic(u.host), Version: messaging.Version{Major: 1, Minor: 1}}, messaging.ClientConfig{})
	update := func(n *objects.Node, reset bool) *objects.Node {
		t.Helper()
		var out objects.Node
		if err := client.Call(t.Context(), "update_node", map[string]any{"node_obj": n, "reset_interfaces": reset}, &out); err != nil {
			t.Fatalf("update_node: %v", err)
		}
		return &out
	}
	changed := func(name string, fields map[string]any) *objects.Node {
		t.Helper()
		n, err := u.store.GetNodeByName(t.Context(), name)
		if err != nil {
			t.Fatal(err)
		}
		n.ResetChanges()
		for f, v := range fields {
			if err := n.Set(f, v); err != nil {
				t.Fatal(err)
			}
		}
		return n
	}
	iface := func(n *objects.Node, field string) string {
		t.Helper()
		v, ok := n.Get(field)
		if !ok {
			t.Fatalf("no field %s", field)
		}
		if v == nil {
			return "<nil>"
		}
		return v.(string)
	}

	u.enroll("reset", map[string]string{"power_interface": strictName, "management_interface": flakyName})
	cases := []struct {
		name        string
		fields      map[string]any
		reset       bool
		power, mgmt string
	}{
		{"no driver change", map[string]any{"extra": map[string]any{"a": 1}}, true, strictName, flakyName},
		{"driver change without reset", map[string]any{"driver": "fake-hardware"}, false, strictName, flakyName},
		{"driver change with reset, management kept", map[string]any{"driver": "fake-hardware", "management_interface": flakyName}, true, "fake", flakyName},
		{"driver change with reset", map[string]any{"driver": "fake-hardware"}, true, "fake", "fake"},
	}
	for _, c := range cases {
		got := update(changed("reset", c.fields), c.reset)
		stored, err := u.store.GetNodeByName(t.Context(), "reset")
		if err != nil {
			t.Fatal(err)
		}
		for _, n := range []*objects.Node{got, stored} {
			if p, m := iface(n, "power_interface"), iface(n, "management_interface"); p != c.power || m != c.mgmt {
				t.Errorf("%s: power_interface=%s management_interface=%s, want %s and %s", c.name, p, m, c.power, c.mgmt)
			}
		}
		if iface(stored, "boot_interface") != "fake" {
			t.Errorf("%s: boot_interface=%s", c.name, iface(stored, "boot_interface"))
		}
	}
}
