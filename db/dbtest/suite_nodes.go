package dbtest

import (
	"encoding/json"
	"slices"
	"time"

	"github.com/ironic-go/ironic-go/db"
	"github.com/ironic-go/ironic-go/objects"
)

func testNodeCreateDefaults(e *env) {
	t := e.t
	in := &objects.Node{Driver: ptr("fake-hardware")}
	n, err := e.api.CreateNode(e.ctx, in)
	e.must(err, "create")
	if in.UUID != nil {
		t.Errorf("CreateNode changed its argument: uuid %v", *in.UUID)
	}
	if n.ID <= 0 || n.UUID == nil || !objects.IsUUIDLike(*n.UUID) {
		t.Fatalf("created node has id %d uuid %v", n.ID, n.UUID)
	}
	if n.ProvisionState == nil || *n.ProvisionState != "enroll" {
		t.Errorf("provision_state = %v, want enroll", n.ProvisionState)
	}
	if n.PowerState != nil || n.TargetProvisionState != nil || n.Reservation != nil || n.Name != nil {
		t.Errorf("unset fields not null: power %v target %v reservation %v name %v", n.PowerState, n.TargetProvisionState, n.Reservation, n.Name)
	}
	if n.Maintenance || n.ConsoleEnabled {
		t.Errorf("maintenance %v console_enabled %v, want false", n.Maintenance, n.ConsoleEnabled)
	}
	if n.DriverInfo == nil || len(n.DriverInfo) != 0 || n.Extra == nil {
		t.Errorf("dict fields should read back as {}: driver_info %#v extra %#v", n.DriverInfo, n.Extra)
	}
	if n.CreatedAt == nil || !n.CreatedAt.Equal(Epoch) || n.UpdatedAt != nil {
		t.Errorf("created_at %v updated_at %v, want %v and null", n.CreatedAt, n.UpdatedAt, Epoch)
	}
	if ch := n.Changes(); len(ch) != 0 {
		t.Errorf("a loaded node has changes %v", ch)
	}
	for _, get := range []func() (*objects.Node, error){
		func() (*objects.Node, error) { return e.api.GetNodeByID(e.ctx, n.ID) },
		func() (*objects.Node, error) { return e.api.GetNodeByUUID(e.ctx, *n.UUID) },
		func() (*objects.Node, error) { return e.api.GetNode(e.ctx, db.ByUUID(*n.UUID)) },
		func() (*objects.Node, error) { return e.api.GetNode(e.ctx, db.ByID(n.ID)) },
	} {
		got, err := get()
		e.must(err, "get")
		same(t, "node read back", n, got)
	}
}

// fullNode sets every field of Node 1.21.
func fullNode(name string) *objects.Node {
	t0 := Epoch.Add(-time.Hour)
	t1 := Epoch.Add(-30*time.Minute + 987654321) // nanoseconds: stored to the microsecond
	return &objects.Node{
		UUID: ptr("1be26c0b-03f2-4d2e-ae87-c02d7f33c123"), Name: ptr(name),
		InstanceUUID: ptr("f47ac10b-58cc-4372-a567-0e02b2c3d479"), Driver: ptr("ipmi"),
		DriverInfo: map[string]any{
			"ipmi_address": "192.0.2.10", "ipmi_username": "admin", "ipmi_port": int64(623),
			"ratio": 0.25, "big": json.Number("123456789012345678901234567890"), "unicode": "nœud ☃",
			"nested": map[string]any{"list": []any{int64(1), "two", nil, true, map[string]any{"x": -1.5e300}}},
		},
		DriverInternalInfo: map[string]any{"agent_url": "http://192.0.2.10:9999"},
		CleanStep:          map[string]any{"step": "erase_devices", "priority": int64(10)},
		RAIDConfig:         map[string]any{"logical_disks": []any{}},
		TargetRAIDConfig:   map[string]any{"logical_disks": []any{map[string]any{"size_gb": int64(100)}}},
		InstanceInfo:       map[string]any{"image_source": "http://example.com/img.qcow2"},
		Properties:         map[string]any{"cpu_arch": "x86_64", "cpus": int64(8), "local_gb": int64(100), "memory_mb": int64(16384)},
		PowerState:         ptr("power on"), TargetPowerState: ptr("power off"),
		ProvisionState: ptr("manageable"), ProvisionUpdatedAt: &t0, TargetProvisionState: ptr("available"),
		Maintenance: true, MaintenanceReason: ptr("testing"), ConsoleEnabled: true,
		LastError: ptr("it's \"quoted\"\nand multi-line"), ResourceClass: ptr("baremetal"),
		InspectionFinishedAt: &t1, InspectionStartedAt: &t0,
		Extra:         map[string]any{"vif_port_id": "abc"},
		BootInterface: ptr("pxe"), ConsoleInterface: ptr("no-console"), DeployInterface: ptr("direct"),
		InspectInterface: ptr("no-inspect"), ManagementInterface: ptr("ipmitool"), NetworkInterface: ptr("noop"),
		PowerInterface: ptr("ipmitool"), RAIDInterface: ptr("no-raid"), StorageInterface: ptr("noop"),
		VendorInterface: ptr("no-vendor"),
	}
}

func testNodeRoundTripAllFields(e *env) {
	t := e.t
	in := fullNode("full-1")
	n, err := e.api.CreateNode(e.ctx, in)
	e.must(err, "create")
	want := in.Clone()
	want.ID, want.CreatedAt = n.ID, ptr(Epoch)
	want.InspectionFinishedAt = ptr(in.InspectionFinishedAt.Truncate(time.Microsecond))
	same(t, "created node", want, n)
	got, err := e.api.GetNodeByName(e.ctx, "full-1")
	e.must(err, "get by name")
	same(t, "node read back", want, got)
	byInst, err := e.api.GetNodeByInstance(e.ctx, *in.InstanceUUID)
	e.must(err, "get by instance")
	same(t, "node by instance", want, byInst)
	// The wire form of what was read equals the wire form of what was
	// written: nothing was lost in JSON columns.
	want.MarkLoaded()
	a, _ := json.Marshal(want)
	b, _ := json.Marshal(got)
	if string(a) != string(b) {
		t.Errorf("wire forms differ:\n%s\n%s", a, b)
	}
}

func testNodeCreateInvalid(e *env) {
	t := e.t
	_, err := e.api.CreateNode(e.ctx, &objects.Node{UUID: ptr("not-a-uuid")})
	wantExc(t, err, "InvalidUUID", map[string]any{"uuid": "not-a-uuid"})
	_, err = e.api.CreateNode(e.ctx, &objects.Node{InstanceUUID: ptr("1234")})
	wantExc(t, err, "InvalidUUID", map[string]any{"uuid": "1234"})
	_, err = e.api.CreateNode(e.ctx, &objects.Node{Name: ptr("has space")})
	wantExc(t, err, "InvalidName", map[string]any{"name": "has space"})
	_, err = e.api.CreateNode(e.ctx, nil)
	wantExc(t, err, "InvalidParameterValue", nil)
	l, err := e.api.ListNodes(e.ctx, db.NodeFilter{}, db.ListOptions{})
	e.must(err, "list")
	if len(l) != 0 {
		t.Errorf("refused creates left %d nodes", len(l))
	}
}

func testNodeUniqueness(e *env) {
	t := e.t
	a := e.newNode("node-a", func(n *objects.Node) { n.InstanceUUID = ptr("6d5d0b8a-1c5e-4a7b-9f3e-2f0c7f6c9e41") })
	b := e.newNode("node-b")

	_, err := e.api.CreateNode(e.ctx, &objects.Node{Name: ptr("node-a")})
	wantExc(t, err, "DuplicateName", map[string]any{"name": "node-a"})
	_, err = e.api.CreateNode(e.ctx, &objects.Node{UUID: a.UUID})
	wantExc(t, err, "NodeAlreadyExists", map[string]any{"uuid": *a.UUID})
	_, err = e.api.CreateNode(e.ctx, &objects.Node{InstanceUUID: a.InstanceUUID, UUID: ptr("a8c2e6b4-3f1d-4e2a-8b7c-5d9e0f1a2b3c")})
	wantExc(t, err, "InstanceAssociated", map[string]any{"instance_uuid": *a.InstanceUUID, "node": "a8c2e6b4-3f1d-4e2a-8b7c-5d9e0f1a2b3c"})

	// Updates: the whole update is refused, nothing half-written.
	upd := b.Clone()
	upd.Name = ptr("node-a")
	upd.Extra = map[string]any{"touched": true}
	_, err = e.api.UpdateNode(e.ctx, upd)
	wantExc(t, err, "DuplicateName", map[string]any{"name": "node-a"})
	upd = b.Clone()
	upd.InstanceUUID = a.InstanceUUID
	upd.PowerState = ptr("power on")
	_, err = e.api.UpdateNode(e.ctx, upd)
	wantExc(t, err, "InstanceAssociated", map[string]any{"instance_uuid": *a.InstanceUUID, "node": b.ID})
	got, err := e.api.GetNodeByID(e.ctx, b.ID)
	e.must(err, "get")
	same(t, "node after refused updates", b, got)

	l, err := e.api.ListNodes(e.ctx, db.NodeFilter{}, db.ListOptions{})
	e.must(err, "list")
	if len(l) != 2 {
		t.Errorf("%d nodes after refused creates, want 2", len(l))
	}
}

func testNodeGetErrors(e *env) {
	t := e.t
	_, err := e.api.GetNodeByID(e.ctx, 424242)
	wantExc(t, err, "NodeNotFound", map[string]any{"node": 424242})
	missing := "00000000-0000-0000-0000-000000000001"
	_, err = e.api.GetNodeByUUID(e.ctx, missing)
	wantExc(t, err, "NodeNotFound", map[string]any{"node": missing})
	_, err = e.api.GetNodeByUUID(e.ctx, "nope")
	wantExc(t, err, "InvalidUUID", nil)
	_, err = e.api.GetNode(e.ctx, db.ByUUID("nope"))
	wantExc(t, err, "InvalidUUID", nil)
	_, err = e.api.GetNodeByName(e.ctx, "bad name!")
	wantExc(t, err, "InvalidName", nil)
	_, err = e.api.GetNodeByName(e.ctx, "absent")
	wantExc(t, err, "NodeNotFound", map[string]any{"node": "absent"})
	_, err = e.api.GetNodeByInstance(e.ctx, missing)
	wantExc(t, err, "InstanceNotFound", nil)
	_, err = e.api.GetNodeByInstance(e.ctx, "x")
	wantExc(t, err, "InvalidUUID", nil)
	_, err = db.ParseRef("node-1")
	wantExc(t, err, "InvalidIdentity", nil)
	if r, err := db.ParseRef("42"); err != nil || r != db.ByID(42) {
		t.Errorf("ParseRef(42) = %v, %v", r, err)
	}
	if r, err := db.ParseRef(missing); err != nil || r != db.ByUUID(missing) {
		t.Errorf("ParseRef(uuid) = %v, %v", r, err)
	}
}

func testNodeUpdateChangedFieldsOnly(e *env) {
	t := e.t
	n := e.newNode("upd-1", func(n *objects.Node) { n.PowerState = ptr("power off") })
	a, b := n.Clone(), n.Clone()
	a.PowerState = ptr("power on")
	e.clock.Advance(time.Minute)
	ga, err := e.api.UpdateNode(e.ctx, a)
	e.must(err, "update a")
	if ga.UpdatedAt == nil || !ga.UpdatedAt.Equal(e.clock.Now()) {
		t.Errorf("updated_at = %v, want %v", ga.UpdatedAt, e.clock.Now())
	}
	// b is stale (power off) but only changes maintenance_reason: it must
	// not write power_state back.
	b.MaintenanceReason = ptr("broken fan")
	b.Maintenance = true
	b.DriverInfo["k"] = "v" // in-place edit of a dict counts as a change
	gb, err := e.api.UpdateNode(e.ctx, b)
	e.must(err, "update b")
	if gb.PowerState == nil || *gb.PowerState != "power on" {
		t.Errorf("power_state = %v: a stale copy overwrote a field it did not change", gb.PowerState)
	}
	if !gb.Maintenance || gb.MaintenanceReason == nil || gb.DriverInfo["k"] != "v" {
		t.Errorf("update b lost its changes: %v %v %v", gb.Maintenance, gb.MaintenanceReason, gb.DriverInfo)
	}
	if len(gb.Changes()) != 0 {
		t.Errorf("returned node has changes %v", gb.Changes())
	}
	if gb.ProvisionUpdatedAt != nil {
		t.Errorf("provision_updated_at set without a provision_state change")
	}

	u := gb.Clone()
	u.UUID = ptr("3b241101-e2bb-4255-8caf-4136c566a962")
	_, err = e.api.UpdateNode(e.ctx, u)
	wantExc(t, err, "InvalidParameterValue", nil)

	ghost := gb.Clone()
	ghost.ID = 99999
	ghost.LastError = ptr("x")
	_, err = e.api.UpdateNode(e.ctx, ghost)
	wantExc(t, err, "NodeNotFound", map[string]any{"node": 99999})

	// By UUID when the id is unknown.
	byUUID := &objects.Node{UUID: gb.UUID}
	byUUID.ResetChanges()
	byUUID.LastError = ptr("via uuid")
	got, err := e.api.UpdateNode(e.ctx, byUUID)
	e.must(err, "update by uuid")
	if got.LastError == nil || *got.LastError != "via uuid" || got.PowerState == nil {
		t.Errorf("update by uuid: last_error %v power %v", got.LastError, got.PowerState)
	}

	bad := got.Clone()
	bad.Name = ptr("no spaces allowed")
	_, err = e.api.UpdateNode(e.ctx, bad)
	wantExc(t, err, "InvalidName", nil)
}

func testNodeProvisionTimestamps(e *env) {
	t := e.t
	n := e.newNode("prov-1")
	step := func(state string) *objects.Node {
		t.Helper()
		e.clock.Advance(time.Minute)
		c := n.Clone()
		c.ProvisionState = ptr(state)
		out, err := e.api.UpdateNode(e.ctx, c)
		e.must(err, "update to %s", state)
		if out.ProvisionUpdatedAt == nil || !out.ProvisionUpdatedAt.Equal(e.clock.Now()) {
			t.Errorf("-> %s: provision_updated_at %v, want %v", state, out.ProvisionUpdatedAt, e.clock.Now())
		}
		n = out
		return out
	}
	isNow := func(what string, ts *time.Time) {
		t.Helper()
		if ts == nil || !ts.Equal(e.clock.Now()) {
			t.Errorf("%s = %v, want %v", what, ts, e.clock.Now())
		}
	}
	isNull := func(what string, ts *time.Time) {
		t.Helper()
		if ts != nil {
			t.Errorf("%s = %v, want null", what, *ts)
		}
	}
	step("manageable")
	isNull("inspection_started_at", n.InspectionStartedAt)
	step("inspecting")
	isNow("inspection_started_at", n.InspectionStartedAt)
	isNull("inspection_finished_at", n.InspectionFinishedAt)
	step("manageable")
	isNow("inspection_finished_at", n.InspectionFinishedAt)
	isNull("inspection_started_at", n.InspectionStartedAt)
	finished := *n.InspectionFinishedAt
	step("inspecting")
	isNull("inspection_finished_at after a new inspection", n.InspectionFinishedAt)
	step("inspect failed")
	isNull("inspection_started_at after inspect failed", n.InspectionStartedAt)
	step("manageable")
	isNull("inspection_finished_at (not coming from inspecting)", n.InspectionFinishedAt)
	_ = finished
	// A caller's own timestamps lose to the rule.
	c := n.Clone()
	c.ProvisionState = ptr("inspecting")
	c.InspectionStartedAt = ptr(Epoch.Add(-24 * time.Hour))
	e.clock.Advance(time.Minute)
	out, err := e.api.UpdateNode(e.ctx, c)
	e.must(err, "update")
	isNow("inspection_started_at", out.InspectionStartedAt)
}

func testNodeListFilters(e *env) {
	t := e.t
	ch, err := e.api.CreateChassis(e.ctx, &objects.Chassis{Description: ptr("rack 1")})
	e.must(err, "chassis")
	a := e.newNode("f-a", func(n *objects.Node) {
		n.Maintenance, n.ProvisionState, n.Driver, n.ResourceClass = true, ptr("active"), ptr("ipmi"), ptr("gold")
		n.InstanceUUID, n.ChassisID = ptr("9e107d9d-372b-4d5b-8c4e-1a2b3c4d5e6f"), &ch.ID
	})
	b := e.newNode("f-b", func(n *objects.Node) {
		n.ProvisionState, n.ConsoleEnabled = ptr("wait call-back"), true
	})
	c := e.newNode("f-c", func(n *objects.Node) { n.ProvisionState = ptr("deploying") })
	_, err = e.api.ReserveNode(e.ctx, "cond-1", db.ByID(b.ID))
	e.must(err, "reserve b")
	_, err = e.api.ReserveNode(e.ctx, "cond-2", db.ByID(c.ID))
	e.must(err, "reserve c")

	// provision_updated_at: a at Epoch-2h, b at Epoch-1h (set through
	// provision_state updates with the clock moved back... the clock only
	// moves forward, so write them at creation through the field).
	set := func(n *objects.Node, f func(*objects.Node)) {
		cl := n.Clone()
		f(cl)
		_, err := e.api.UpdateNode(e.ctx, cl)
		e.must(err, "update %s", *n.Name)
	}
	set(a, func(n *objects.Node) { n.ProvisionUpdatedAt = ptr(Epoch.Add(-2 * time.Hour)) })
	set(b, func(n *objects.Node) {
		n.ProvisionUpdatedAt = ptr(Epoch.Add(-time.Hour))
		n.InspectionStartedAt = ptr(Epoch.Add(-3 * time.Hour))
	})

	check := func(name string, f db.NodeFilter, want ...*objects.Node) {
		t.Helper()
		l, err := e.api.ListNodes(e.ctx, f, db.ListOptions{})
		e.must(err, "list %s", name)
		var w []string
		for _, n := range want {
			w = append(w, *n.UUID)
		}
		slices.Sort(w)
		got := uuids(l)
		slices.Sort(got)
		if !slices.Equal(w, got) {
			t.Errorf("filter %s: got %v, want %v", name, got, w)
		}
	}
	check("none", db.NodeFilter{}, a, b, c)
	check("reserved", db.NodeFilter{Reserved: ptr(true)}, b, c)
	check("unreserved", db.NodeFilter{Reserved: ptr(false)}, a)
	check("reserved_by_any_of", db.NodeFilter{ReservedByAnyOf: []string{"cond-2", "cond-9"}}, c)
	check("reserved_by_any_of empty", db.NodeFilter{ReservedByAnyOf: []string{}})
	check("maintenance", db.NodeFilter{Maintenance: ptr(true)}, a)
	check("not maintenance", db.NodeFilter{Maintenance: ptr(false)}, b, c)
	check("provision_state", db.NodeFilter{ProvisionState: ptr("wait call-back")}, b)
	check("provision_states", db.NodeFilter{ProvisionStates: []string{"active", "deploying"}}, a, c)
	check("provision_states empty", db.NodeFilter{ProvisionStates: []string{}})
	check("provisioned_before 90m", db.NodeFilter{ProvisionedBefore: ptr(90 * time.Minute)}, a)
	check("provisioned_before 30m", db.NodeFilter{ProvisionedBefore: ptr(30 * time.Minute)}, a, b)
	e.clock.Advance(time.Hour)
	check("provisioned_before 90m, an hour later", db.NodeFilter{ProvisionedBefore: ptr(90 * time.Minute)}, a, b)
	check("inspection_started_before", db.NodeFilter{InspectionStartedBefore: ptr(3*time.Hour + time.Minute)}, b)
	check("inspection_started_before, too old", db.NodeFilter{InspectionStartedBefore: ptr(5 * time.Hour)})
	check("console_enabled", db.NodeFilter{ConsoleEnabled: ptr(true)}, b)
	check("associated", db.NodeFilter{Associated: ptr(true)}, a)
	check("not associated", db.NodeFilter{Associated: ptr(false)}, b, c)
	check("driver", db.NodeFilter{Driver: ptr("ipmi")}, a)
	check("resource_class", db.NodeFilter{ResourceClass: ptr("gold")}, a)
	check("chassis_uuid", db.NodeFilter{ChassisUUID: ch.UUID}, a)
	check("combined", db.NodeFilter{Reserved: ptr(false), Maintenance: ptr(true), ProvisionState: ptr("active")}, a)
	check("match", db.NodeFilter{Match: func(n *objects.Node) bool { return *n.Name != "f-b" }}, a, c)
	check("match and filter", db.NodeFilter{Reserved: ptr(true), Match: func(n *objects.Node) bool { return *n.Name != "f-b" }}, c)

	_, err = e.api.ListNodes(e.ctx, db.NodeFilter{ChassisUUID: ptr("00000000-0000-0000-0000-0000000000aa")}, db.ListOptions{})
	wantExc(t, err, "ChassisNotFound", nil)
}

func testNodeListOrderAndLimit(e *env) {
	t := e.t
	var made []*objects.Node
	for i, ts := range []time.Duration{3, 1, 2, -1} {
		n := e.newNode("o-"+string(rune('a'+i)), func(n *objects.Node) {
			if ts > 0 {
				n.ProvisionUpdatedAt = ptr(Epoch.Add(-ts * time.Hour))
			}
		})
		made = append(made, n)
	}
	list := func(opts db.ListOptions, f db.NodeFilter) []string {
		t.Helper()
		l, err := e.api.ListNodes(e.ctx, f, opts)
		e.must(err, "list")
		var names []string
		for _, n := range l {
			names = append(names, *n.Name)
		}
		return names
	}
	eq := func(what string, got []string, want ...string) {
		t.Helper()
		if !slices.Equal(got, want) {
			t.Errorf("%s: %v, want %v", what, got, want)
		}
	}
	eq("default (id)", list(db.ListOptions{}, db.NodeFilter{}), "o-a", "o-b", "o-c", "o-d")
	eq("id desc", list(db.ListOptions{Desc: true}, db.NodeFilter{}), "o-d", "o-c", "o-b", "o-a")
	eq("oldest first, nulls last", list(db.ListOptions{SortKey: "provision_updated_at"}, db.NodeFilter{}), "o-a", "o-c", "o-b", "o-d")
	eq("limit", list(db.ListOptions{SortKey: "provision_updated_at", Limit: 2}, db.NodeFilter{}), "o-a", "o-c")
	eq("limit after match", list(db.ListOptions{Limit: 2}, db.NodeFilter{Match: func(n *objects.Node) bool { return *n.Name != "o-a" }}), "o-b", "o-c")
	_, err := e.api.ListNodes(e.ctx, db.NodeFilter{}, db.ListOptions{SortKey: "nope; DROP TABLE nodes"})
	wantExc(t, err, "InvalidParameterValue", nil)
	_ = made
}

func testNodeDestroyCascade(e *env) {
	t := e.t
	n := e.newNode("doomed")
	keep := e.newNode("kept")
	children := func(node *objects.Node, mac string, idx int64) {
		pg, err := e.api.CreatePortgroup(e.ctx, &objects.Portgroup{NodeID: &node.ID, Name: ptr("pg-" + *node.Name)})
		e.must(err, "portgroup")
		_, err = e.api.CreatePort(e.ctx, &objects.Port{NodeID: &node.ID, Address: ptr(mac), PortgroupID: &pg.ID, PXEEnabled: true})
		e.must(err, "port")
		_, err = e.api.CreateVolumeConnector(e.ctx, &objects.VolumeConnector{NodeID: &node.ID, Type: ptr("iqn"), ConnectorID: ptr("iqn.2024-05." + *node.Name)})
		e.must(err, "connector")
		_, err = e.api.CreateVolumeTarget(e.ctx, &objects.VolumeTarget{NodeID: &node.ID, VolumeType: ptr("iscsi"), BootIndex: &idx, VolumeID: ptr("vol-" + *node.Name)})
		e.must(err, "target")
	}
	children(n, "52:54:00:00:00:01", 0)
	children(keep, "52:54:00:00:00:02", 0)
	_, err := e.raw().ExecContext(e.ctx, e.raw().Rebind(`INSERT INTO node_tags (node_id, tag) VALUES (?, 'blue')`), n.ID)
	e.must(err, "tag")

	e.must(e.api.DestroyNode(e.ctx, db.ByUUID(*n.UUID)), "destroy")
	_, err = e.api.GetNodeByID(e.ctx, n.ID)
	wantExc(t, err, "NodeNotFound", nil)
	count := func(id int64) int {
		ports, err1 := e.api.ListPortsByNodeID(e.ctx, id)
		pgs, err2 := e.api.ListPortgroupsByNodeID(e.ctx, id)
		vcs, err3 := e.api.ListVolumeConnectorsByNodeID(e.ctx, id)
		vts, err4 := e.api.ListVolumeTargetsByNodeID(e.ctx, id)
		for _, err := range []error{err1, err2, err3, err4} {
			e.must(err, "list children")
		}
		var tags int
		e.must(e.raw().GetContext(e.ctx, &tags, e.raw().Rebind(`SELECT count(*) FROM node_tags WHERE node_id = ?`), id), "count tags")
		return len(ports) + len(pgs) + len(vcs) + len(vts) + tags
	}
	if c := count(n.ID); c != 0 {
		t.Errorf("%d child rows left after destroy", c)
	}
	if c := count(keep.ID); c != 4 {
		t.Errorf("the other node has %d child rows, want 4", c)
	}
	err = e.api.DestroyNode(e.ctx, db.ByID(n.ID))
	wantExc(t, err, "NodeNotFound", map[string]any{"node": n.ID})
	err = e.api.DestroyNode(e.ctx, db.ByUUID("zzz"))
	wantExc(t, err, "InvalidUUID", nil)
}

func testNodeTouchAndPowerClear(e *env) {
	t := e.t
	n := e.newNode("touch-1", func(n *objects.Node) { n.TargetPowerState = ptr("power on") })
	other := e.newNode("touch-2", func(n *objects.Node) { n.TargetPowerState = ptr("power off") })
	e.clock.Advance(time.Minute)
	e.must(e.api.TouchNodeProvisioning(e.ctx, db.ByID(n.ID)), "touch")
	got, err := e.api.GetNodeByID(e.ctx, n.ID)
	e.must(err, "get")
	if got.ProvisionUpdatedAt == nil || !got.ProvisionUpdatedAt.Equal(e.clock.Now()) {
		t.Errorf("provision_updated_at = %v", got.ProvisionUpdatedAt)
	}
	wantExc(t, e.api.TouchNodeProvisioning(e.ctx, db.ByID(777777)), "NodeNotFound", nil)

	_, err = e.api.ReserveNode(e.ctx, "Conductor-X", db.ByID(n.ID))
	e.must(err, "reserve")
	_, err = e.api.ReserveNode(e.ctx, "conductor-y", db.ByID(other.ID))
	e.must(err, "reserve other")
	cleared, err := e.api.ClearNodeTargetPowerState(e.ctx, "conductor-x")
	e.must(err, "clear")
	if !slices.Equal(cleared, []string{*n.UUID}) {
		t.Errorf("cleared %v, want [%s]", cleared, *n.UUID)
	}
	got, err = e.api.GetNodeByID(e.ctx, n.ID)
	e.must(err, "get")
	if got.TargetPowerState != nil || got.LastError == nil || *got.LastError != "Pending power operation was aborted due to conductor restart" {
		t.Errorf("after clear: target %v last_error %v", got.TargetPowerState, got.LastError)
	}
	o, err := e.api.GetNodeByID(e.ctx, other.ID)
	e.must(err, "get other")
	if o.TargetPowerState == nil {
		t.Errorf("another conductor's node lost its target_power_state")
	}
}
