package dbtest

import (
	"context"
	"errors"
	"slices"
	"strings"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/ironic-go/ironic-go/db"
	"github.com/ironic-go/ironic-go/objects"
)

func testConductorRegistration(e *env) {
	t := e.t
	c, err := e.api.RegisterConductor(e.ctx, db.ConductorRegistration{Hostname: "cond-1", Drivers: []string{"pxe_ipmitool"}}, false)
	e.must(err, "register")
	if c.ID == 0 || c.Hostname != "cond-1" || !slices.Equal(c.Drivers, []string{"pxe_ipmitool"}) {
		t.Fatalf("registered %+v", c)
	}
	if c.UpdatedAt == nil || !c.UpdatedAt.Equal(Epoch) {
		t.Errorf("updated_at = %v, want %v", c.UpdatedAt, Epoch)
	}
	_, err = e.api.RegisterConductor(e.ctx, db.ConductorRegistration{Hostname: "cond-1"}, false)
	wantExc(t, err, "ConductorAlreadyRegistered", map[string]any{"conductor": "cond-1"})

	e.clock.Advance(time.Minute)
	again, err := e.api.RegisterConductor(e.ctx, db.ConductorRegistration{Hostname: "cond-1", Drivers: []string{"agent_ipmitool"}}, true)
	e.must(err, "re-register")
	if again.ID != c.ID || !slices.Equal(again.Drivers, []string{"agent_ipmitool"}) || !again.UpdatedAt.Equal(e.clock.Now()) {
		t.Errorf("re-register: id %d (was %d) drivers %v updated %v", again.ID, c.ID, again.Drivers, again.UpdatedAt)
	}

	got, err := e.api.GetConductor(e.ctx, "cond-1", true)
	e.must(err, "get")
	same(t, "conductor", again, got)

	e.clock.Advance(time.Minute)
	e.must(e.api.TouchConductor(e.ctx, "cond-1"), "touch")
	got, err = e.api.GetConductor(e.ctx, "cond-1", true)
	e.must(err, "get")
	if !got.UpdatedAt.Equal(e.clock.Now()) {
		t.Errorf("heartbeat updated_at = %v, want %v", got.UpdatedAt, e.clock.Now())
	}
	wantExc(t, e.api.TouchConductor(e.ctx, "ghost"), "ConductorNotFound", map[string]any{"conductor": "ghost"})

	e.must(e.api.UnregisterConductor(e.ctx, "cond-1"), "unregister")
	_, err = e.api.GetConductor(e.ctx, "cond-1", true)
	wantExc(t, err, "ConductorNotFound", nil)
	off, err := e.api.GetConductor(e.ctx, "cond-1", false)
	e.must(err, "get offline")
	if off.ID != c.ID {
		t.Errorf("offline row id %d, want %d", off.ID, c.ID)
	}
	wantExc(t, e.api.UnregisterConductor(e.ctx, "cond-1"), "ConductorNotFound", nil)

	// An offline row is taken over without update_existing, keeping its id.
	back, err := e.api.RegisterConductor(e.ctx, db.ConductorRegistration{Hostname: "cond-1"}, false)
	e.must(err, "register after unregister")
	if back.ID != c.ID || len(back.Drivers) != 0 || back.Drivers == nil {
		t.Errorf("re-registered id %d drivers %#v", back.ID, back.Drivers)
	}
	list, err := e.api.ListConductors(e.ctx)
	e.must(err, "list")
	if len(list) != 1 || !list[0].Online || list[0].ConductorGroup != "" || list[0].Hostname != "cond-1" {
		t.Errorf("list = %+v", list)
	}
	// A touch brings an unregistered conductor back online (Ironic's
	// touch_conductor sets online=true).
	e.must(e.api.UnregisterConductor(e.ctx, "cond-1"), "unregister")
	e.must(e.api.TouchConductor(e.ctx, "cond-1"), "touch")
	if _, err := e.api.GetConductor(e.ctx, "cond-1", true); err != nil {
		t.Errorf("touched conductor not online: %v", err)
	}
}

func testConductorMembership(e *env) {
	t := e.t
	reg := func(host string, drivers []string, hw ...string) *objects.Conductor {
		t.Helper()
		var ifaces []db.HardwareInterface
		for _, h := range hw {
			ifaces = append(ifaces,
				db.HardwareInterface{HardwareType: h, InterfaceType: "power", InterfaceName: "fake", Default: true},
				db.HardwareInterface{HardwareType: h, InterfaceType: "boot", InterfaceName: "pxe"})
		}
		c, err := e.api.RegisterConductor(e.ctx, db.ConductorRegistration{Hostname: host, Drivers: drivers, HardwareInterfaces: ifaces}, false)
		e.must(err, "register %s", host)
		return c
	}
	reg("stale", []string{"pxe_ipmitool"}, "ipmi")
	e.clock.Advance(61 * time.Second) // past heartbeat_timeout: "stale" is no longer active
	reg("c1", []string{"pxe_ipmitool", "ipmi"}, "ipmi", "fake-hardware")
	reg("c2", nil, "ipmi")
	reg("gone", []string{"pxe_ipmitool"}, "redfish")
	e.must(e.api.UnregisterConductor(e.ctx, "gone"), "unregister")

	hw, err := e.api.ActiveHardwareTypes(e.ctx)
	e.must(err, "hardware types")
	want := map[string][]string{"ipmi": {"c1", "c2"}, "fake-hardware": {"c1"}}
	if d := cmp.Diff(want, hw); d != "" {
		t.Errorf("active hardware types (-want +got):\n%s", d)
	}
	drv, err := e.api.ActiveDrivers(e.ctx)
	e.must(err, "drivers")
	if d := cmp.Diff(map[string][]string{"pxe_ipmitool": {"c1"}, "ipmi": {"c1"}}, drv); d != "" {
		t.Errorf("active drivers (-want +got):\n%s", d)
	}
	all, err := e.api.ActiveDriverHosts(e.ctx)
	e.must(err, "driver hosts")
	// The hardware type "ipmi" replaces the classic driver "ipmi".
	if d := cmp.Diff(map[string][]string{"pxe_ipmitool": {"c1"}, "ipmi": {"c1", "c2"}, "fake-hardware": {"c1"}}, all); d != "" {
		t.Errorf("ring membership (-want +got):\n%s", d)
	}
	on, err := e.api.OnlineConductors(e.ctx)
	e.must(err, "online")
	if !slices.Equal(on, []string{"c1", "c2"}) {
		t.Errorf("online = %v", on)
	}
	off, err := e.api.OfflineConductors(e.ctx)
	e.must(err, "offline")
	if !slices.Equal(off, []string{"stale"}) {
		t.Errorf("offline = %v", off)
	}
	// A heartbeat brings "stale" back; time passing drops the others.
	e.must(e.api.TouchConductor(e.ctx, "stale"), "touch")
	e.clock.Advance(30 * time.Second)
	e.must(e.api.TouchConductor(e.ctx, "c1"), "touch")
	e.clock.Advance(31 * time.Second)
	on, err = e.api.OnlineConductors(e.ctx)
	e.must(err, "online")
	if !slices.Equal(on, []string{"c1"}) {
		t.Errorf("online after time passed = %v", on)
	}
	off, err = e.api.OfflineConductors(e.ctx)
	e.must(err, "offline")
	if !slices.Equal(off, []string{"c2", "gone", "stale"}) {
		t.Errorf("offline after time passed = %v", off)
	}
}

func testHardwareInterfaces(e *env) {
	t := e.t
	ifaces := []db.HardwareInterface{
		{HardwareType: "ipmi", InterfaceType: "power", InterfaceName: "ipmitool", Default: true},
		{HardwareType: "ipmi", InterfaceType: "deploy", InterfaceName: "direct", Default: true},
		{HardwareType: "ipmi", InterfaceType: "deploy", InterfaceName: "fake"},
	}
	c, err := e.api.RegisterConductor(e.ctx, db.ConductorRegistration{Hostname: "hw-1", HardwareInterfaces: ifaces}, false)
	e.must(err, "register")
	got, err := e.api.ListHardwareInterfaces(e.ctx, c.ID)
	e.must(err, "list")
	if d := cmp.Diff(ifaces, got); d != "" {
		t.Errorf("interfaces (-want +got):\n%s", d)
	}
	err = e.api.RegisterHardwareInterfaces(e.ctx, c.ID, ifaces[:1])
	wantExc(t, err, "ConductorHardwareInterfacesAlreadyRegistered", nil)
	e.must(e.api.UnregisterHardwareInterfaces(e.ctx, c.ID), "unregister")
	e.must(e.api.RegisterHardwareInterfaces(e.ctx, c.ID, ifaces[1:]), "register again")
	got, err = e.api.ListHardwareInterfaces(e.ctx, c.ID)
	e.must(err, "list")
	if len(got) != 2 {
		t.Errorf("%d interfaces, want 2", len(got))
	}
	// Re-registering with a repeated row fails as a whole: the conductor
	// row is not updated either.
	e.clock.Advance(time.Minute)
	_, err = e.api.RegisterConductor(e.ctx, db.ConductorRegistration{Hostname: "hw-1", Drivers: []string{"x"},
		HardwareInterfaces: []db.HardwareInterface{ifaces[0], ifaces[0]}}, true)
	wantExc(t, err, "ConductorHardwareInterfacesAlreadyRegistered", nil)
	after, err := e.api.GetConductor(e.ctx, "hw-1", true)
	e.must(err, "get")
	if len(after.Drivers) != 0 || !after.UpdatedAt.Equal(Epoch) {
		t.Errorf("a refused registration changed the row: drivers %v updated %v", after.Drivers, after.UpdatedAt)
	}
	got, err = e.api.ListHardwareInterfaces(e.ctx, c.ID)
	e.must(err, "list")
	if len(got) != 2 {
		t.Errorf("a refused registration changed the interfaces: %d rows", len(got))
	}
	err = e.api.RegisterHardwareInterfaces(e.ctx, 999999, ifaces[:1])
	wantExc(t, err, "ConductorNotFound", nil)
}

func testJSONColumns(e *env) {
	t := e.t
	n := e.newNode("json-1")
	raw := e.raw()
	exec := func(q string, args ...any) {
		t.Helper()
		_, err := raw.ExecContext(e.ctx, raw.Rebind(q), args...)
		e.must(err, "exec %s", q)
	}
	// NULL in a dict column reads as {}.
	exec(`UPDATE nodes SET driver_info = NULL, extra = 'null' WHERE id = ?`, n.ID)
	got, err := e.api.GetNodeByID(e.ctx, n.ID)
	e.must(err, "get")
	if got.DriverInfo == nil || len(got.DriverInfo) != 0 || got.Extra == nil {
		t.Errorf("null dicts read as %#v %#v", got.DriverInfo, got.Extra)
	}
	for _, bad := range []struct{ text, why string }{
		{`{"ipmi_address": "192.0.2.1"`, "unexpected EOF"},
		{`[1, 2]`, "a JSON object is required"},
		{`{} {}`, "data after"},
		{``, "empty"},
	} {
		exec(`UPDATE nodes SET driver_info = ? WHERE id = ?`, bad.text, n.ID)
		_, err := e.api.GetNodeByID(e.ctx, n.ID)
		var je *db.JSONColumnError
		if !errors.As(err, &je) {
			t.Fatalf("driver_info %q: got %v (%T), want *db.JSONColumnError", bad.text, err, err)
		}
		if je.Table != "nodes" || je.Column != "driver_info" || je.RowID != n.ID || !strings.Contains(err.Error(), bad.why) {
			t.Errorf("driver_info %q: %+v: %v", bad.text, je, err)
		}
		if !strings.Contains(err.Error(), "nodes.driver_info") {
			t.Errorf("message %q does not name the column", err)
		}
		// Lists fail the same way, and nothing panics.
		_, err = e.api.ListNodes(e.ctx, db.NodeFilter{}, db.ListOptions{})
		if !errors.As(err, &je) {
			t.Errorf("list: got %v, want *db.JSONColumnError", err)
		}
	}
	exec(`UPDATE nodes SET driver_info = '{}' WHERE id = ?`, n.ID)

	_, err = e.api.RegisterConductor(e.ctx, db.ConductorRegistration{Hostname: "j"}, false)
	e.must(err, "register")
	exec(`UPDATE conductors SET drivers = '{"not": "a list"}' WHERE hostname = 'j'`)
	_, err = e.api.ActiveDrivers(e.ctx)
	var je *db.JSONColumnError
	if !errors.As(err, &je) || je.Column != "drivers" {
		t.Errorf("bad drivers: got %v", err)
	}
	_, err = e.api.GetConductor(e.ctx, "j", true)
	if !errors.As(err, &je) {
		t.Errorf("get conductor with bad drivers: got %v", err)
	}
	exec(`UPDATE conductors SET drivers = '["a", 1]' WHERE hostname = 'j'`)
	_, err = e.api.GetConductor(e.ctx, "j", true)
	if !errors.As(err, &je) || !strings.Contains(err.Error(), "not a string") {
		t.Errorf("drivers with a number: got %v", err)
	}
}

// testRowVersions checks the columns Ironic's objects layer needs on rows
// we write (see the db package documentation).
func testRowVersions(e *env) {
	t := e.t
	n := e.newNode("ver-1")
	p, err := e.api.CreatePort(e.ctx, &objects.Port{NodeID: &n.ID, Address: ptr("52:54:00:00:20:01")})
	e.must(err, "port")
	_, err = e.api.RegisterConductor(e.ctx, db.ConductorRegistration{Hostname: "ver"}, false)
	e.must(err, "conductor")
	raw := e.raw()
	var nv struct {
		Version        string `db:"version"`
		DeployStep     string `db:"deploy_step"`
		ConductorGroup string `db:"conductor_group"`
		Protected      bool   `db:"protected"`
	}
	e.must(raw.GetContext(e.ctx, &nv, raw.Rebind(`SELECT version, deploy_step, conductor_group, protected FROM nodes WHERE id = ?`), n.ID), "node row")
	if nv.Version != "1.21" || nv.DeployStep != "{}" || nv.ConductorGroup != "" || nv.Protected {
		t.Errorf("node row: %+v", nv)
	}
	var pv struct {
		Version    string `db:"version"`
		IsSmartnic bool   `db:"is_smartnic"`
	}
	e.must(raw.GetContext(e.ctx, &pv, raw.Rebind(`SELECT version, is_smartnic FROM ports WHERE id = ?`), p.ID), "port row")
	if pv.Version != "1.7" || pv.IsSmartnic {
		t.Errorf("port row: %+v", pv)
	}
	var cv string
	e.must(raw.GetContext(e.ctx, &cv, `SELECT version FROM conductors WHERE hostname = 'ver'`), "conductor row")
	if cv != "1.2" {
		t.Errorf("conductor version %q", cv)
	}
	// JSON is written as Python's json.dumps writes it.
	u := n.Clone()
	u.Extra = map[string]any{"b": []any{int64(1), 2.5, "é"}, "a": nil}
	_, err = e.api.UpdateNode(e.ctx, u)
	e.must(err, "update")
	var extra string
	e.must(raw.GetContext(e.ctx, &extra, raw.Rebind(`SELECT extra FROM nodes WHERE id = ?`), n.ID), "extra")
	if extra != `{"a": null, "b": [1, 2.5, "\u00e9"]}` {
		t.Errorf("extra stored as %s", extra)
	}
}

func testCancelled(e *env) {
	t := e.t
	n := e.newNode("cancel-1")
	ctx, cancel := context.WithCancel(e.ctx)
	cancel()
	if _, err := e.api.GetNodeByID(ctx, n.ID); !errors.Is(err, context.Canceled) {
		t.Errorf("get with a cancelled context: %v", err)
	}
	if _, err := e.api.ReserveNode(ctx, "x", db.ByID(n.ID)); !errors.Is(err, context.Canceled) {
		t.Errorf("reserve with a cancelled context: %v", err)
	}
	u := n.Clone()
	u.LastError = ptr("x")
	if _, err := e.api.UpdateNode(ctx, u); !errors.Is(err, context.Canceled) {
		t.Errorf("update with a cancelled context: %v", err)
	}
	got, err := e.api.GetNodeByID(e.ctx, n.ID)
	e.must(err, "get")
	if got.Reservation != nil || got.LastError != nil {
		t.Errorf("cancelled calls wrote: %v %v", got.Reservation, got.LastError)
	}
}

func testClosed(e *env) {
	t := e.t
	n := e.newNode("closed-1")
	e.must(e.api.Close(), "close")
	if _, err := e.api.GetNodeByID(e.ctx, n.ID); !errors.Is(err, db.ErrClosed) {
		t.Errorf("get after close: %v", err)
	}
	if _, err := e.api.ReserveNode(e.ctx, "x", db.ByID(n.ID)); !errors.Is(err, db.ErrClosed) {
		t.Errorf("reserve after close: %v", err)
	}
	if err := e.api.Close(); err != nil {
		t.Errorf("second close: %v", err)
	}
}
