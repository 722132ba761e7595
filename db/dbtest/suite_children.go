package dbtest

import (
	"time"

	"github.com/ironic-go/ironic-go/db"
	"github.com/ironic-go/ironic-go/objects"
)

func testPorts(e *env) {
	t := e.t
	n := e.newNode("ports-1")
	n2 := e.newNode("ports-2")
	in := &objects.Port{
		NodeID: &n.ID, Address: ptr("52:54:00:AB:CD:EF"), PXEEnabled: true,
		LocalLinkConnection: map[string]any{"port_id": "Ethernet1/7", "switch_id": "0a:1b:2c:3d:4e:5f", "switch_info": "tor-1"},
		Extra:               map[string]any{"vif_port_id": "a9c5a7ef-2e45-4a4b-9f4c-c3d5d3c5e0a1"},
	}
	p, err := e.api.CreatePort(e.ctx, in)
	e.must(err, "create")
	if p.UUID == nil || !objects.IsUUIDLike(*p.UUID) || p.ID == 0 {
		t.Fatalf("created port uuid %v id %d", p.UUID, p.ID)
	}
	if *p.Address != "52:54:00:ab:cd:ef" {
		t.Errorf("address stored as %q, want lowercase", *p.Address)
	}
	if !p.PXEEnabled || p.InternalInfo == nil || p.LocalLinkConnection["switch_info"] != "tor-1" {
		t.Errorf("fields lost: pxe %v internal %v llc %v", p.PXEEnabled, p.InternalInfo, p.LocalLinkConnection)
	}
	for _, get := range []func() (*objects.Port, error){
		func() (*objects.Port, error) { return e.api.GetPortByID(e.ctx, p.ID) },
		func() (*objects.Port, error) { return e.api.GetPortByUUID(e.ctx, *p.UUID) },
		func() (*objects.Port, error) { return e.api.GetPortByAddress(e.ctx, "52:54:00:ab:cd:ef") },
		func() (*objects.Port, error) { return e.api.GetPortByAddress(e.ctx, "52:54:00:AB:CD:EF") },
	} {
		got, err := get()
		e.must(err, "get")
		same(t, "port", p, got)
	}
	_, err = e.api.CreatePort(e.ctx, &objects.Port{NodeID: &n2.ID, Address: ptr("52:54:00:ab:cd:ef")})
	wantExc(t, err, "MACAlreadyExists", map[string]any{"mac": "52:54:00:ab:cd:ef"})
	_, err = e.api.CreatePort(e.ctx, &objects.Port{NodeID: &n2.ID, UUID: p.UUID, Address: ptr("52:54:00:00:00:09")})
	wantExc(t, err, "PortAlreadyExists", map[string]any{"uuid": *p.UUID})
	_, err = e.api.CreatePort(e.ctx, &objects.Port{NodeID: &n2.ID, Address: ptr("not-a-mac")})
	wantExc(t, err, "InvalidMAC", map[string]any{"mac": "not-a-mac"})
	_, err = e.api.CreatePort(e.ctx, &objects.Port{NodeID: ptr(int64(987654)), Address: ptr("52:54:00:00:00:0a")})
	wantExc(t, err, "NodeNotFound", map[string]any{"node": 987654})
	_, err = e.api.CreatePort(e.ctx, &objects.Port{NodeID: &n.ID, PortgroupID: ptr(int64(987654)), Address: ptr("52:54:00:00:00:0b")})
	wantExc(t, err, "PortgroupNotFound", nil)

	p2, err := e.api.CreatePort(e.ctx, &objects.Port{NodeID: &n2.ID, Address: ptr("52:54:00:00:00:02")})
	e.must(err, "create second")
	if p2.PXEEnabled {
		t.Errorf("pxe_enabled is what the object says (false here)")
	}
	l, err := e.api.ListPortsByNodeID(e.ctx, n.ID)
	e.must(err, "list")
	if len(l) != 1 || l[0].ID != p.ID {
		t.Errorf("ports of node 1: %d", len(l))
	}

	// Update: changed fields only; MAC clash refused; uuid refused.
	e.clock.Advance(time.Minute)
	u := p.Clone()
	u.PXEEnabled = false
	got, err := e.api.UpdatePort(e.ctx, u)
	e.must(err, "update")
	if got.PXEEnabled || got.UpdatedAt == nil || *got.Address != *p.Address {
		t.Errorf("after update: pxe %v updated_at %v address %v", got.PXEEnabled, got.UpdatedAt, got.Address)
	}
	u = got.Clone()
	u.Address = ptr("52:54:00:00:00:02")
	_, err = e.api.UpdatePort(e.ctx, u)
	wantExc(t, err, "MACAlreadyExists", map[string]any{"mac": "52:54:00:00:00:02"})
	u = got.Clone()
	u.UUID = ptr("3b241101-e2bb-4255-8caf-4136c566a962")
	_, err = e.api.UpdatePort(e.ctx, u)
	wantExc(t, err, "InvalidParameterValue", nil)
	u = got.Clone()
	u.ID = 424242
	u.Extra = map[string]any{"x": int64(1)}
	_, err = e.api.UpdatePort(e.ctx, u)
	wantExc(t, err, "PortNotFound", map[string]any{"port": 424242})

	_, err = e.api.GetPortByAddress(e.ctx, "zz")
	wantExc(t, err, "InvalidMAC", nil)
	_, err = e.api.GetPortByUUID(e.ctx, "00000000-0000-0000-0000-000000000005")
	wantExc(t, err, "PortNotFound", nil)
	e.must(e.api.DestroyPort(e.ctx, db.ByUUID(*p.UUID)), "destroy")
	wantExc(t, e.api.DestroyPort(e.ctx, db.ByID(p.ID)), "PortNotFound", map[string]any{"port": p.ID})
	_, err = e.api.GetPortByID(e.ctx, p.ID)
	wantExc(t, err, "PortNotFound", nil)
}

func testPortgroups(e *env) {
	t := e.t
	n := e.newNode("pg-node")
	pg, err := e.api.CreatePortgroup(e.ctx, &objects.Portgroup{
		NodeID: &n.ID, Name: ptr("bond0"), Address: ptr("52:54:00:00:10:01"), StandalonePortsSupported: true,
		Properties: map[string]any{"miimon": int64(100)},
	})
	e.must(err, "create")
	if pg.Mode == nil || *pg.Mode != "active-backup" {
		t.Errorf("mode = %v, want the default active-backup", pg.Mode)
	}
	for _, get := range []func() (*objects.Portgroup, error){
		func() (*objects.Portgroup, error) { return e.api.GetPortgroupByID(e.ctx, pg.ID) },
		func() (*objects.Portgroup, error) { return e.api.GetPortgroupByUUID(e.ctx, *pg.UUID) },
		func() (*objects.Portgroup, error) { return e.api.GetPortgroupByName(e.ctx, "bond0") },
		func() (*objects.Portgroup, error) { return e.api.GetPortgroupByAddress(e.ctx, "52:54:00:00:10:01") },
	} {
		got, err := get()
		e.must(err, "get")
		same(t, "portgroup", pg, got)
	}
	_, err = e.api.CreatePortgroup(e.ctx, &objects.Portgroup{NodeID: &n.ID, Name: ptr("bond0")})
	wantExc(t, err, "PortgroupDuplicateName", map[string]any{"name": "bond0"})
	_, err = e.api.CreatePortgroup(e.ctx, &objects.Portgroup{NodeID: &n.ID, Address: ptr("52:54:00:00:10:01")})
	wantExc(t, err, "PortgroupMACAlreadyExists", map[string]any{"mac": "52:54:00:00:10:01"})
	_, err = e.api.CreatePortgroup(e.ctx, &objects.Portgroup{NodeID: &n.ID, UUID: pg.UUID})
	wantExc(t, err, "PortgroupAlreadyExists", map[string]any{"uuid": *pg.UUID})
	_, err = e.api.CreatePortgroup(e.ctx, &objects.Portgroup{NodeID: &n.ID, Name: ptr("bad name")})
	wantExc(t, err, "InvalidName", nil)
	_, err = e.api.GetPortgroupByName(e.ctx, "absent")
	wantExc(t, err, "PortgroupNotFound", map[string]any{"portgroup": "absent"})

	other, err := e.api.CreatePortgroup(e.ctx, &objects.Portgroup{NodeID: &n.ID, Name: ptr("bond1"), Mode: ptr("802.3ad")})
	e.must(err, "create other")
	u := other.Clone()
	u.Name = ptr("bond0")
	_, err = e.api.UpdatePortgroup(e.ctx, u)
	wantExc(t, err, "PortgroupDuplicateName", map[string]any{"name": "bond0"})
	u = other.Clone()
	u.Extra = map[string]any{"a": "b"}
	got, err := e.api.UpdatePortgroup(e.ctx, u)
	e.must(err, "update")
	if got.Extra["a"] != "b" || *got.Mode != "802.3ad" {
		t.Errorf("after update: %v %v", got.Extra, *got.Mode)
	}

	port, err := e.api.CreatePort(e.ctx, &objects.Port{NodeID: &n.ID, PortgroupID: &pg.ID, Address: ptr("52:54:00:00:10:02")})
	e.must(err, "port")
	l, err := e.api.ListPortsByPortgroupID(e.ctx, pg.ID)
	e.must(err, "list ports of portgroup")
	if len(l) != 1 {
		t.Errorf("%d ports in the portgroup, want 1", len(l))
	}
	wantExc(t, e.api.DestroyPortgroup(e.ctx, db.ByID(pg.ID)), "PortgroupNotEmpty", map[string]any{"portgroup": pg.ID})
	e.must(e.api.DestroyPort(e.ctx, db.ByID(port.ID)), "destroy port")
	e.must(e.api.DestroyPortgroup(e.ctx, db.ByUUID(*pg.UUID)), "destroy")
	wantExc(t, e.api.DestroyPortgroup(e.ctx, db.ByID(pg.ID)), "PortgroupNotFound", nil)
	pgs, err := e.api.ListPortgroupsByNodeID(e.ctx, n.ID)
	e.must(err, "list")
	if len(pgs) != 1 || pgs[0].ID != other.ID {
		t.Errorf("portgroups left: %d", len(pgs))
	}
}

func testVolumeConnectors(e *env) {
	t := e.t
	n := e.newNode("vc-node")
	vc, err := e.api.CreateVolumeConnector(e.ctx, &objects.VolumeConnector{
		NodeID: &n.ID, Type: ptr("iqn"), ConnectorID: ptr("iqn.2024-05.org.example:node1"), Extra: map[string]any{"k": "v"},
	})
	e.must(err, "create")
	got, err := e.api.GetVolumeConnectorByUUID(e.ctx, *vc.UUID)
	e.must(err, "get")
	same(t, "connector", vc, got)
	_, err = e.api.CreateVolumeConnector(e.ctx, &objects.VolumeConnector{NodeID: &n.ID, Type: ptr("iqn"), ConnectorID: ptr("iqn.2024-05.org.example:node1")})
	wantExc(t, err, "VolumeConnectorTypeAndIdAlreadyExists", map[string]any{"type": "iqn", "connector_id": "iqn.2024-05.org.example:node1"})
	_, err = e.api.CreateVolumeConnector(e.ctx, &objects.VolumeConnector{NodeID: &n.ID, UUID: vc.UUID, Type: ptr("ip"), ConnectorID: ptr("192.0.2.1")})
	wantExc(t, err, "VolumeConnectorAlreadyExists", map[string]any{"uuid": *vc.UUID})
	_, err = e.api.CreateVolumeConnector(e.ctx, &objects.VolumeConnector{NodeID: ptr(int64(55555)), Type: ptr("ip"), ConnectorID: ptr("192.0.2.2")})
	wantExc(t, err, "NodeNotFound", nil)

	second, err := e.api.CreateVolumeConnector(e.ctx, &objects.VolumeConnector{NodeID: &n.ID, Type: ptr("ip"), ConnectorID: ptr("192.0.2.3")})
	e.must(err, "create second")
	u := second.Clone()
	u.Type = ptr("iqn")
	u.ConnectorID = ptr("iqn.2024-05.org.example:node1")
	_, err = e.api.UpdateVolumeConnector(e.ctx, u)
	wantExc(t, err, "VolumeConnectorTypeAndIdAlreadyExists", map[string]any{"type": "iqn", "connector_id": "iqn.2024-05.org.example:node1"})
	u = second.Clone()
	u.ConnectorID = ptr("192.0.2.4")
	up, err := e.api.UpdateVolumeConnector(e.ctx, u)
	e.must(err, "update")
	if *up.ConnectorID != "192.0.2.4" || *up.Type != "ip" {
		t.Errorf("after update: %v %v", *up.Type, *up.ConnectorID)
	}
	l, err := e.api.ListVolumeConnectorsByNodeID(e.ctx, n.ID)
	e.must(err, "list")
	if len(l) != 2 {
		t.Errorf("%d connectors, want 2", len(l))
	}
	e.must(e.api.DestroyVolumeConnector(e.ctx, db.ByID(vc.ID)), "destroy")
	wantExc(t, e.api.DestroyVolumeConnector(e.ctx, db.ByID(vc.ID)), "VolumeConnectorNotFound", map[string]any{"connector": vc.ID})
	_, err = e.api.GetVolumeConnectorByID(e.ctx, vc.ID)
	wantExc(t, err, "VolumeConnectorNotFound", nil)
}

func testVolumeTargets(e *env) {
	t := e.t
	n := e.newNode("vt-node")
	n2 := e.newNode("vt-node-2")
	vt, err := e.api.CreateVolumeTarget(e.ctx, &objects.VolumeTarget{
		NodeID: &n.ID, VolumeType: ptr("iscsi"), BootIndex: ptr(int64(0)), VolumeID: ptr("vol-1"),
		Properties: map[string]any{"target_lun": int64(0), "auth_password": "secret"},
	})
	e.must(err, "create")
	got, err := e.api.GetVolumeTargetByID(e.ctx, vt.ID)
	e.must(err, "get")
	same(t, "target", vt, got)
	_, err = e.api.CreateVolumeTarget(e.ctx, &objects.VolumeTarget{NodeID: &n.ID, BootIndex: ptr(int64(0)), VolumeID: ptr("vol-2")})
	wantExc(t, err, "VolumeTargetBootIndexAlreadyExists", map[string]any{"boot_index": 0})
	_, err = e.api.CreateVolumeTarget(e.ctx, &objects.VolumeTarget{NodeID: &n2.ID, BootIndex: ptr(int64(0)), VolumeID: ptr("vol-3")})
	e.must(err, "same boot index on another node")
	_, err = e.api.CreateVolumeTarget(e.ctx, &objects.VolumeTarget{NodeID: &n.ID, UUID: vt.UUID, BootIndex: ptr(int64(5))})
	wantExc(t, err, "VolumeTargetAlreadyExists", map[string]any{"uuid": *vt.UUID})

	second, err := e.api.CreateVolumeTarget(e.ctx, &objects.VolumeTarget{NodeID: &n.ID, BootIndex: ptr(int64(1)), VolumeID: ptr("vol-4")})
	e.must(err, "create second")
	u := second.Clone()
	u.BootIndex = ptr(int64(0))
	_, err = e.api.UpdateVolumeTarget(e.ctx, u)
	wantExc(t, err, "VolumeTargetBootIndexAlreadyExists", map[string]any{"boot_index": 0})
	u = second.Clone()
	u.VolumeID = ptr("vol-5")
	up, err := e.api.UpdateVolumeTarget(e.ctx, u)
	e.must(err, "update")
	if *up.VolumeID != "vol-5" || *up.BootIndex != 1 {
		t.Errorf("after update: %v %v", *up.VolumeID, *up.BootIndex)
	}
	l, err := e.api.ListVolumeTargetsByNodeID(e.ctx, n.ID)
	e.must(err, "list")
	if len(l) != 2 {
		t.Errorf("%d targets, want 2", len(l))
	}
	_, err = e.api.GetVolumeTargetByUUID(e.ctx, "bad")
	wantExc(t, err, "InvalidUUID", nil)
	e.must(e.api.DestroyVolumeTarget(e.ctx, db.ByUUID(*vt.UUID)), "destroy")
	wantExc(t, e.api.DestroyVolumeTarget(e.ctx, db.ByID(vt.ID)), "VolumeTargetNotFound", nil)
}

func testChassis(e *env) {
	t := e.t
	c, err := e.api.CreateChassis(e.ctx, &objects.Chassis{Description: ptr("rack 7"), Extra: map[string]any{"row": int64(3)}})
	e.must(err, "create")
	got, err := e.api.GetChassisByUUID(e.ctx, *c.UUID)
	e.must(err, "get")
	same(t, "chassis", c, got)
	_, err = e.api.CreateChassis(e.ctx, &objects.Chassis{UUID: c.UUID})
	wantExc(t, err, "ChassisAlreadyExists", nil)
	n := e.newNode("in-chassis", func(n *objects.Node) { n.ChassisID = &c.ID })
	wantExc(t, e.api.DestroyChassis(e.ctx, db.ByID(c.ID)), "ChassisNotEmpty", nil)
	_, err = e.api.CreateNode(e.ctx, &objects.Node{ChassisID: ptr(int64(31337))})
	wantExc(t, err, "ChassisNotFound", map[string]any{"chassis": 31337})
	e.must(e.api.DestroyNode(e.ctx, db.ByID(n.ID)), "destroy node")
	e.must(e.api.DestroyChassis(e.ctx, db.ByID(c.ID)), "destroy")
	_, err = e.api.GetChassisByID(e.ctx, c.ID)
	wantExc(t, err, "ChassisNotFound", nil)
}
