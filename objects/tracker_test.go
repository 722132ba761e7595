package objects

import (
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestChangesOfNewObject(t *testing.T) {
	n := &Node{}
	if len(n.Changes()) != 0 || n.IsSet("id") {
		t.Fatalf("empty node: changes %v", n.Changes())
	}
	n.ID = 5
	n.PowerState = new("power off")
	n.DriverInfo = map[string]any{}
	n.Maintenance = false // zero value: not detected
	if got, want := n.Changes(), []string{"driver_info", "id", "power_state"}; !cmp.Equal(got, want) {
		t.Errorf("Changes() = %v, want %v", got, want)
	}
	n.MarkChanged("maintenance")
	if !n.IsSet("maintenance") || !n.HasChanged("maintenance") {
		t.Error("MarkChanged did not set maintenance")
	}
	n.ResetChanges()
	if len(n.Changes()) != 0 {
		t.Errorf("after reset: %v", n.Changes())
	}
	for _, f := range []string{"id", "power_state", "driver_info", "maintenance"} {
		if !n.IsSet(f) {
			t.Errorf("%s not set after reset", f)
		}
	}
	if n.IsSet("name") || n.IsSet("console_enabled") {
		t.Error("unset fields reported set")
	}
}

func TestChangesAfterDecode(t *testing.T) {
	n, err := DecodeNode(vectors(t)["node_1.21_update_node.json"])
	if err != nil {
		t.Fatal(err)
	}
	// Assigning the same value is not a change; a new one is.
	n.Name = new("node-42")
	n.Driver = new("redfish")
	// In-place edits of dicts are changes.
	n.DriverInfo["ipmi_password"] = "secret"
	n.Properties["cpus"] = int64(8) // same value
	// Nil and {} are the same on the wire.
	n.CleanStep = nil
	// Times compare as instants.
	utc := *n.ProvisionUpdatedAt
	n.ProvisionUpdatedAt = new(utc.In(time.FixedZone("x", 3600)))
	want := []string{"driver", "driver_info", "maintenance_reason", "power_state"}
	if got := n.Changes(); !cmp.Equal(got, want) {
		t.Errorf("Changes() = %v, want %v", got, want)
	}
	n.ResetChanges("power_state", "driver")
	if got, want := n.Changes(), []string{"driver_info", "maintenance_reason"}; !cmp.Equal(got, want) {
		t.Errorf("after partial reset = %v, want %v", got, want)
	}
	// Setting null on a set field is a change.
	n.ResetChanges()
	n.LastError = new("boom")
	n.ResetChanges()
	n.LastError = nil
	if got := n.Changes(); !cmp.Equal(got, []string{"last_error"}) {
		t.Errorf("Changes() = %v", got)
	}
}

func TestMarkLoaded(t *testing.T) {
	c := &Conductor{ID: 1, Hostname: "h"}
	c.MarkLoaded()
	if len(c.Changes()) != 0 {
		t.Errorf("changes after MarkLoaded: %v", c.Changes())
	}
	for _, f := range FieldNames(c) {
		if !c.IsSet(f) {
			t.Errorf("%s not set", f)
		}
	}
	enc := jsonAny(t, mustEncode(t, c)).(map[string]any)[KeyData].(map[string]any)
	if len(enc) != 5 || enc["drivers"] != nil || enc["created_at"] != nil {
		t.Errorf("data = %v", enc)
	}
	c.Drivers = []string{}
	if !c.HasChanged("drivers") { // null -> []
		t.Error("drivers change not detected")
	}
}

func TestSetAndGet(t *testing.T) {
	p := &Port{}
	if err := p.Set("address", "AA:BB:CC:DD:EE:FF"); err != nil {
		t.Fatal(err)
	}
	if *p.Address != "aa:bb:cc:dd:ee:ff" || !p.HasChanged("address") {
		t.Errorf("address = %v", *p.Address)
	}
	if err := p.Set("extra", nil); err != nil || p.Extra == nil || len(p.Extra) != 0 {
		t.Errorf("extra None: %v %v", err, p.Extra)
	}
	if err := p.Set("node_id", "12"); err != nil || *p.NodeID != 12 {
		t.Errorf("node_id: %v", err)
	}
	if v, ok := p.Get("node_id"); !ok || v != int64(12) {
		t.Errorf("Get(node_id) = %v %v", v, ok)
	}
	if v, ok := p.Get("uuid"); ok || v != nil {
		t.Errorf("Get(unset) = %v %v", v, ok)
	}
	if err := p.Set("uuid", nil); err != nil {
		t.Fatal(err)
	}
	if v, ok := p.Get("uuid"); !ok || v != nil {
		t.Errorf("Get(null uuid) = %v %v", v, ok)
	}
	var fe *FieldError
	if err := p.Set("pxe_enabled", nil); !errors.As(err, &fe) || fe.Field != "pxe_enabled" {
		t.Errorf("pxe_enabled None: %v", err)
	}
	if err := p.Set("nope", 1); !errors.Is(err, ErrUnknownField) {
		t.Errorf("unknown: %v", err)
	}
	if _, ok := p.Get("nope"); ok {
		t.Error("Get(unknown) ok")
	}
	// Set marks changed even with an equal value.
	p.ResetChanges()
	if err := p.Set("node_id", 12); err != nil || !p.HasChanged("node_id") {
		t.Errorf("same-value Set not a change: %v", err)
	}
}

func TestMarkChangedUnknownPanics(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("no panic")
		}
	}()
	(&Node{}).MarkChanged("bogus")
}

func TestCloneAndCopy(t *testing.T) {
	n, err := DecodeNode(vectors(t)["node_1.21_update_node.json"])
	if err != nil {
		t.Fatal(err)
	}
	c := n.Clone()
	c.DriverInfo["ipmi_address"] = "other"
	*c.Name = "renamed"
	c.ResetChanges()
	if n.DriverInfo["ipmi_address"] != "192.0.2.10" || *n.Name != "node-42" {
		t.Error("clone shares data")
	}
	if got := n.Changes(); !cmp.Equal(got, []string{"maintenance_reason", "power_state"}) {
		t.Errorf("original changes = %v", got)
	}
	// A plain struct copy keeps its own tracking after a reset.
	cp := *n
	cp.ResetChanges()
	if len(n.Changes()) != 2 || len(cp.Changes()) != 0 {
		t.Errorf("copy: %v / %v", n.Changes(), cp.Changes())
	}
}
