//go:build integration

package db_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/ironic-go/ironic-go/db"
	"github.com/ironic-go/ironic-go/db/dbtest"
	"github.com/ironic-go/ironic-go/objects"
)

// TestIronicInterop: what Go writes, Ironic's own code (python3-ironic's
// objects and db API) reads with the same field values, and the other way
// round; locks and conductor membership are seen by both. Run on a
// database made by ironic-dbsync and on one made by our migrations.
func TestIronicInterop(t *testing.T) {
	dsn := dbtest.PostgresDSN()
	targets := []struct {
		name   string
		conn   func(t *testing.T) string
		ironic bool
	}{
		{"ironic-dbsync", func(t *testing.T) string { return dbtest.NewDatabase(t, dsn, ironicTemplate(t)) }, true},
		{"goose", func(t *testing.T) string { return dbtest.NewSchema(t, dsn) }, false},
	}
	for _, tg := range targets {
		t.Run(tg.name, func(t *testing.T) {
			t.Parallel()
			conn := tg.conn(t)
			s := dbtest.MustOpen(t, conn, db.Config{Logger: testLogger(t)})
			peer := startPeer(t, dbtest.SQLAlchemyURL(conn))
			t.Run("GoWritesPythonReads", func(t *testing.T) { goWritesPythonReads(t, s, peer, tg.ironic) })
			t.Run("PythonWritesGoReads", func(t *testing.T) { pythonWritesGoReads(t, s, peer) })
			t.Run("Locks", func(t *testing.T) { sharedLocks(t, s, peer) })
			t.Run("Conductors", func(t *testing.T) { sharedConductors(t, s, peer) })
		})
	}
}

// wireData is an object's "ironic_object.data" as Go encodes it, numbers
// kept as json.Number.
func wireData(t *testing.T, o objects.Object) map[string]any {
	t.Helper()
	b, err := json.Marshal(o)
	if err != nil {
		t.Fatal(err)
	}
	var env map[string]any
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	if err := dec.Decode(&env); err != nil {
		t.Fatal(err)
	}
	return env["ironic_object.data"].(map[string]any)
}

// sameFields compares every field Go has with Python's value of it.
// Python's objects are newer (Node 1.37...), so it has more fields.
func sameFields(t *testing.T, what string, goObj objects.Object, py map[string]any, except ...string) {
	t.Helper()
	for k, gv := range wireData(t, goObj) {
		if slices.Contains(except, k) {
			continue
		}
		pv, ok := py[k]
		if !ok {
			t.Errorf("%s: Python has no field %s", what, k)
			continue
		}
		if d := cmp.Diff(gv, pv); d != "" {
			t.Errorf("%s.%s differs (-go +python):\n%s", what, k, d)
		}
	}
}

type pyGot struct {
	Row     map[string]any `json:"row"`
	Data    map[string]any `json:"data"`
	Version string         `json:"version"`
}

// pyIsoformat formats t as Python's datetime.isoformat does for a naive
// datetime: six digits of microseconds, or none when they are zero.
func pyIsoformat(t time.Time) string {
	if t.Nanosecond()/1000 != 0 {
		return t.Format("2006-01-02T15:04:05.000000")
	}
	return t.Format("2006-01-02T15:04:05")
}

func goWritesPythonReads(t *testing.T, s *db.Store, peer *pyPeer, ironicDB bool) {
	ctx := t.Context()
	now := time.Now().UTC()
	ch, err := s.CreateChassis(ctx, &objects.Chassis{Description: ptr("rack")})
	must(t, err)
	n, err := s.CreateNode(ctx, &objects.Node{
		Name: ptr("go-node-1"), Driver: ptr("ipmi"), ChassisID: &ch.ID,
		InstanceUUID: ptr("f47ac10b-58cc-4372-a567-0e02b2c3d479"),
		DriverInfo: map[string]any{"ipmi_address": "192.0.2.10", "ipmi_port": int64(623), "ratio": 0.1,
			"big": json.Number("123456789012345678901234567890"), "nested": map[string]any{"l": []any{int64(1), "é", nil, false}}},
		Properties:     map[string]any{"cpus": int64(8), "memory_mb": int64(16384), "cpu_arch": "x86_64"},
		InstanceInfo:   map[string]any{"image_source": "http://example.com/i.qcow2"},
		PowerState:     ptr("power on"),
		ProvisionState: ptr("active"), ProvisionUpdatedAt: ptr(now.Add(-time.Hour)),
		Maintenance: true, MaintenanceReason: ptr("fan"), ConsoleEnabled: true,
		LastError: ptr("boom"), ResourceClass: ptr("gold"),
		InspectionStartedAt: ptr(now.Add(-2 * time.Hour)), InspectionFinishedAt: ptr(now.Add(-90 * time.Minute)),
		Extra:         map[string]any{"k": "v"},
		BootInterface: ptr("pxe"), DeployInterface: ptr("direct"), PowerInterface: ptr("ipmitool"),
		ManagementInterface: ptr("ipmitool"), NetworkInterface: ptr("noop"), VendorInterface: ptr("no-vendor"),
		ConsoleInterface: ptr("no-console"), InspectInterface: ptr("no-inspect"), RAIDInterface: ptr("no-raid"),
		StorageInterface: ptr("noop"),
	})
	must(t, err)
	pg, err := s.CreatePortgroup(ctx, &objects.Portgroup{NodeID: &n.ID, Name: ptr("go-bond0"), Address: ptr("52:54:00:aa:00:01"),
		StandalonePortsSupported: true, Properties: map[string]any{"miimon": int64(100)}})
	must(t, err)
	port, err := s.CreatePort(ctx, &objects.Port{NodeID: &n.ID, PortgroupID: &pg.ID, Address: ptr("52:54:00:AA:00:02"), PXEEnabled: true,
		LocalLinkConnection: map[string]any{"port_id": "Ethernet1/7", "switch_id": "0a:1b:2c:3d:4e:5f"},
		Extra:               map[string]any{"vif_port_id": "vif-1"}})
	must(t, err)
	vc, err := s.CreateVolumeConnector(ctx, &objects.VolumeConnector{NodeID: &n.ID, Type: ptr("iqn"), ConnectorID: ptr("iqn.2024-05.go:1")})
	must(t, err)
	vt, err := s.CreateVolumeTarget(ctx, &objects.VolumeTarget{NodeID: &n.ID, VolumeType: ptr("iscsi"), BootIndex: ptr(int64(0)),
		VolumeID: ptr("vol-go-1"), Properties: map[string]any{"target_lun": int64(0)}})
	must(t, err)

	var got pyGot
	peer.ok(map[string]any{"op": "get", "kind": "node", "uuid": *n.UUID}, &got)
	sameFields(t, "node", n, got.Data)
	if got.Row["version"] != "1.21" || got.Version != "1.37" {
		t.Errorf("node row version %v, object version %s", got.Row["version"], got.Version)
	}
	// Full precision in the row (the wire form drops microseconds).
	if got.Row["provision_updated_at"] != pyIsoformat(*n.ProvisionUpdatedAt) {
		t.Errorf("provision_updated_at: python %v, go %v", got.Row["provision_updated_at"], n.ProvisionUpdatedAt)
	}
	for k, v := range map[string]any{"conductor_group": "", "protected": false, "retired": false, "owner": nil, "deploy_step": map[string]any{}} {
		if d := cmp.Diff(v, got.Data[k]); d != "" {
			t.Errorf("Ironic-only field %s as Python sees it (-want +got):\n%s", k, d)
		}
	}

	peer.ok(map[string]any{"op": "get", "kind": "port", "uuid": *port.UUID}, &got)
	// Port rows are labelled 1.7: Ironic's 1.8 rule copies
	// extra.vif_port_id to internal_info.tenant_vif_port_id on read, as
	// for any row an older service wrote.
	sameFields(t, "port", port, got.Data, "internal_info")
	if d := cmp.Diff(map[string]any{"tenant_vif_port_id": "vif-1"}, got.Data["internal_info"]); d != "" {
		t.Errorf("port internal_info as Ironic reads it (-want +got):\n%s", d)
	}
	if got.Data["is_smartnic"] != false || got.Data["physical_network"] != nil {
		t.Errorf("port Ironic-only fields: %v %v", got.Data["is_smartnic"], got.Data["physical_network"])
	}
	peer.ok(map[string]any{"op": "get", "kind": "portgroup", "uuid": *pg.UUID}, &got)
	sameFields(t, "portgroup", pg, got.Data)
	peer.ok(map[string]any{"op": "get", "kind": "volume_connector", "uuid": *vc.UUID}, &got)
	sameFields(t, "volume connector", vc, got.Data)
	peer.ok(map[string]any{"op": "get", "kind": "volume_target", "uuid": *vt.UUID}, &got)
	sameFields(t, "volume target", vt, got.Data)

	// Go updates; Python reads the update.
	u := n.Clone()
	u.PowerState = ptr("power off")
	u.DriverInternalInfo = map[string]any{"clean_steps": []any{map[string]any{"step": "erase", "priority": int64(10)}}}
	u.ProvisionState = ptr("deploying")
	n2, err := s.UpdateNode(ctx, u)
	must(t, err)
	peer.ok(map[string]any{"op": "get", "kind": "node", "uuid": *n.UUID}, &got)
	sameFields(t, "updated node", n2, got.Data)

	// Python saves changes; Go reads them.
	peer.ok(map[string]any{"op": "save", "kind": "node", "uuid": *n.UUID,
		"changes": map[string]any{"last_error": "from python", "extra": map[string]any{"py": []any{1, 2}}}}, nil)
	n3, err := s.GetNodeByUUID(ctx, *n.UUID)
	must(t, err)
	if *n3.LastError != "from python" || n3.PowerState == nil || *n3.PowerState != "power off" {
		t.Errorf("after Python's save: last_error %v power %v", n3.LastError, n3.PowerState)
	}
	if d := cmp.Diff(map[string]any{"py": []any{int64(1), int64(2)}}, n3.Extra); d != "" {
		t.Errorf("extra saved by Python (-want +got):\n%s", d)
	}
	if ironicDB {
		var okVersions bool
		peer.ok(map[string]any{"op": "check_versions"}, &okVersions)
		if !okVersions {
			t.Errorf("Ironic's check_versions (what `ironic-dbsync upgrade` runs) refuses rows Go wrote")
		}
	}
	// Ironic destroys the node Go made, with its children.
	must(t, s.DestroyPort(ctx, db.ByID(port.ID)))
	peer.ok(map[string]any{"op": "destroy_node", "uuid": *n.UUID}, nil)
	if _, err := s.GetNodeByID(ctx, n.ID); err == nil {
		t.Errorf("node still there after Ironic destroyed it")
	}
}

func pythonWritesGoReads(t *testing.T, s *db.Store, peer *pyPeer) {
	ctx := t.Context()
	type created struct {
		UUID string         `json:"uuid"`
		ID   json.Number    `json:"id"`
		Data map[string]any `json:"data"`
	}
	var node created
	peer.ok(map[string]any{"op": "create", "kind": "node", "values": map[string]any{
		"name": "py-node-1", "driver": "fake-hardware", "instance_uuid": "6d5d0b8a-1c5e-4a7b-9f3e-2f0c7f6c9e41",
		"driver_info": map[string]any{"a": 1, "b": []any{1.5, "x", nil, true}, "c": map[string]any{"deep": "é"}},
		"properties":  map[string]any{"cpus": 4, "local_gb": 10},
		"power_state": "power on", "provision_state": "manageable", "target_provision_state": nil,
		"maintenance": true, "maintenance_reason": "py", "console_enabled": false,
		"resource_class": "silver", "extra": map[string]any{"x": 1}, "owner": "project-a",
		"conductor_group": "", "protected": false, "network_interface": "noop",
		"provision_updated_at": pyIsoformat(time.Now().UTC().Add(-time.Minute)),
	}}, &node)
	n, err := s.GetNodeByUUID(ctx, node.UUID)
	must(t, err)
	sameFields(t, "node written by Python", n, node.Data)
	if fmt.Sprint(n.ID) != node.ID.String() {
		t.Errorf("id %d, Python %s", n.ID, node.ID)
	}

	var pg, port, vc, vt created
	peer.ok(map[string]any{"op": "create", "kind": "portgroup", "values": map[string]any{
		"node_id": n.ID, "name": "py-bond0", "address": "52:54:00:bb:00:01", "mode": "802.3ad",
		"standalone_ports_supported": false, "properties": map[string]any{"xmit_hash_policy": "layer3+4"}}}, &pg)
	pgID, _ := pg.ID.Int64()
	peer.ok(map[string]any{"op": "create", "kind": "port", "values": map[string]any{
		"node_id": n.ID, "portgroup_id": pgID, "address": "52:54:00:BB:00:02", "pxe_enabled": false,
		"local_link_connection": map[string]any{"port_id": "Eth1"}, "physical_network": "physnet1",
		"internal_info": map[string]any{"tenant_vif_port_id": "vif-9"}}}, &port)
	peer.ok(map[string]any{"op": "create", "kind": "volume_connector", "values": map[string]any{
		"node_id": n.ID, "type": "wwpn", "connector_id": "50:00:00:00:00:00:00:01"}}, &vc)
	peer.ok(map[string]any{"op": "create", "kind": "volume_target", "values": map[string]any{
		"node_id": n.ID, "volume_type": "fibre_channel", "boot_index": 0, "volume_id": "vol-py",
		"properties": map[string]any{"target_wwn": "x"}}}, &vt)

	gpg, err := s.GetPortgroupByUUID(ctx, pg.UUID)
	must(t, err)
	sameFields(t, "portgroup written by Python", gpg, pg.Data)
	gport, err := s.GetPortByUUID(ctx, port.UUID)
	must(t, err)
	sameFields(t, "port written by Python", gport, port.Data)
	gvc, err := s.GetVolumeConnectorByUUID(ctx, vc.UUID)
	must(t, err)
	sameFields(t, "volume connector written by Python", gvc, vc.Data)
	gvt, err := s.GetVolumeTargetByUUID(ctx, vt.UUID)
	must(t, err)
	sameFields(t, "volume target written by Python", gvt, vt.Data)

	// Go updates Python's node; Python still reads it, Ironic-only
	// fields intact.
	u := n.Clone()
	u.ProvisionState = ptr("inspecting")
	_, err = s.UpdateNode(ctx, u)
	must(t, err)
	var got pyGot
	peer.ok(map[string]any{"op": "get", "kind": "node", "uuid": node.UUID}, &got)
	if got.Data["provision_state"] != "inspecting" || got.Data["owner"] != "project-a" || got.Data["inspection_started_at"] == nil {
		t.Errorf("after Go's update Python sees state %v owner %v inspection_started_at %v",
			got.Data["provision_state"], got.Data["owner"], got.Data["inspection_started_at"])
	}

	// Go destroys what Python made, children included.
	must(t, s.DestroyNode(ctx, db.ByUUID(node.UUID)))
	r := peer.call(map[string]any{"op": "get", "kind": "node", "uuid": node.UUID})
	if r.Error != "NodeNotFound" {
		t.Errorf("Python after Go's destroy: %+v", r)
	}
	r = peer.call(map[string]any{"op": "get", "kind": "port", "uuid": port.UUID})
	if r.Error != "PortNotFound" {
		t.Errorf("Python port after Go's destroy: %+v", r)
	}
}

func sharedLocks(t *testing.T, s *db.Store, peer *pyPeer) {
	ctx := t.Context()
	n, err := s.CreateNode(ctx, &objects.Node{Name: ptr("lock-shared"), Driver: ptr("fake-hardware")})
	must(t, err)
	_, err = s.ReserveNode(ctx, "go-host", db.ByID(n.ID))
	must(t, err)
	r := peer.call(map[string]any{"op": "reserve", "tag": "py-host", "node": *n.UUID})
	if r.Error != "NodeLocked" || r.Kwargs["host"] != "go-host" {
		t.Errorf("Python reserving a node Go holds: %+v", r)
	}
	r = peer.call(map[string]any{"op": "release", "tag": "py-host", "node": *n.UUID})
	if r.Error != "NodeLocked" {
		t.Errorf("Python releasing a node Go holds: %+v", r)
	}
	must(t, s.ReleaseNode(ctx, "go-host", db.ByID(n.ID)))
	r = peer.call(map[string]any{"op": "release", "tag": "py-host", "node": *n.UUID})
	if r.Error != "NodeNotLocked" {
		t.Errorf("Python releasing a free node: %+v", r)
	}
	peer.ok(map[string]any{"op": "reserve", "tag": "py-host", "node": n.ID}, nil)
	_, err = s.ReserveNode(ctx, "go-host", db.ByUUID(*n.UUID))
	if !isExc(err, "NodeLocked", "host", "py-host") {
		t.Errorf("Go reserving a node Python holds: %v", err)
	}
	if err := s.ReleaseNode(ctx, "go-host", db.ByID(n.ID)); !isExc(err, "NodeLocked", "host", "py-host") {
		t.Errorf("Go releasing a node Python holds: %v", err)
	}
	peer.ok(map[string]any{"op": "release", "tag": "py-host", "node": *n.UUID}, nil)
	got, err := s.GetNodeByID(ctx, n.ID)
	must(t, err)
	if got.Reservation != nil {
		t.Errorf("reservation %q left", *got.Reservation)
	}
}

func sharedConductors(t *testing.T, s *db.Store, peer *pyPeer) {
	ctx := t.Context()
	_, err := s.RegisterConductor(ctx, db.ConductorRegistration{Hostname: "go-cond", Drivers: []string{},
		HardwareInterfaces: []db.HardwareInterface{
			{HardwareType: "ipmi", InterfaceType: "power", InterfaceName: "ipmitool", Default: true},
			{HardwareType: "fake-hardware", InterfaceType: "power", InterfaceName: "fake", Default: true},
		}}, false)
	must(t, err)
	peer.ok(map[string]any{"op": "register_conductor", "hostname": "py-cond", "drivers": []any{},
		"interfaces": []any{map[string]any{"hardware_type": "ipmi", "interface_type": "power", "interface_name": "ipmitool", "default": true}}}, nil)

	var hw map[string][]string
	peer.ok(map[string]any{"op": "hardware_types"}, &hw)
	if d := cmp.Diff(map[string][]string{"ipmi": {"go-cond", "py-cond"}, "fake-hardware": {"go-cond"}}, hw); d != "" {
		t.Errorf("Ironic's active hardware types (-want +got):\n%s", d)
	}
	goHW, err := s.ActiveDriverHosts(ctx)
	must(t, err)
	if d := cmp.Diff(hw, goHW); d != "" {
		t.Errorf("Go's ring membership differs from Ironic's (-python +go):\n%s", d)
	}
	var c struct {
		Row  map[string]any `json:"row"`
		Data map[string]any `json:"data"`
	}
	peer.ok(map[string]any{"op": "conductor", "hostname": "go-cond"}, &c)
	gc, err := s.GetConductor(ctx, "go-cond", true)
	must(t, err)
	sameFields(t, "conductor", gc, c.Data)
	if c.Row["online"] != true || c.Row["version"] != "1.2" {
		t.Errorf("conductor row as Ironic reads it: %v", c.Row)
	}
	var off []string
	peer.ok(map[string]any{"op": "offline"}, &off)
	if len(off) != 0 {
		t.Errorf("Ironic sees offline conductors %v", off)
	}
}
