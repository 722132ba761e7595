//go:build integration

package ipmi

import (
	"context"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/rs/zerolog"

	"github.com/ironic-go/ironic-go/conductor"
	"github.com/ironic-go/ironic-go/db"
	"github.com/ironic-go/ironic-go/drivers"
	"github.com/ironic-go/ironic-go/drivers/fake"
	"github.com/ironic-go/ironic-go/messaging"
	"github.com/ironic-go/ironic-go/objects"
	"github.com/ironic-go/ironic-go/objects/exception"
	"github.com/ironic-go/ironic-go/rpcapi"
	"github.com/ironic-go/ironic-go/rpcapi/hashring"
)

// End to end: a Go conductor on the in-memory transport and SQLite, with
// this driver in its registry, driven through the rpcapi client.

type e2e struct {
	t     testing.TB
	store *db.Store
	svc   *conductor.Service
	api   *rpcapi.ConductorAPI
	drv   *Driver
}

func newE2E(t testing.TB, ipmiCfg Config, mutate func(*conductor.Config)) *e2e {
	t.Helper()
	ctx := t.Context()
	log := ipmiCfg.Logger
	store, err := db.Open(ctx, "", db.Config{SQLitePath: filepath.Join(t.TempDir(), "ironic.sqlite"), Logger: log})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	drv := newTestDriver(t, ipmiCfg, nil)
	reg, err := drivers.NewRegistry(drivers.Config{EnabledHardwareTypes: []string{HardwareTypeName, fake.HardwareTypeName}},
		drivers.NoopCatalog(), fake.Catalog(), drv.Catalog())
	if err != nil {
		t.Fatal(err)
	}
	broker := messaging.NewInmemBroker()
	cfg := conductor.DefaultConfig("cond-ipmi")
	cfg.Logger = log
	cfg.NodeLockedRetryInterval = 50 * time.Millisecond
	if mutate != nil {
		mutate(&cfg)
	}
	tr := messaging.NewInmemTransport(messaging.InmemConfig{Broker: broker, ControlExchange: "ironic"})
	svc, err := conductor.NewService(conductor.Deps{Config: cfg, Transport: tr, Store: store, Registry: reg, HashRing: hashring.DefaultConfig()})
	if err != nil {
		t.Fatal(err)
	}
	if err := svc.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		sctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if err := svc.Stop(sctx); err != nil {
			t.Errorf("stop: %v", err)
		}
		tr.Close()
	})
	ctr := messaging.NewInmemTransport(messaging.InmemConfig{Broker: broker, ControlExchange: "ironic"})
	t.Cleanup(func() { ctr.Close() })
	ring, err := hashring.NewManager(hashring.DefaultConfig(), store)
	if err != nil {
		t.Fatal(err)
	}
	api, err := rpcapi.New(ctr, rpcapi.Config{Timeout: 60 * time.Second}, ring)
	if err != nil {
		t.Fatal(err)
	}
	return &e2e{t: t, store: store, svc: svc, api: api, drv: drv}
}

// createNode enrolls an ipmi node through create_node, then moves it to
// manageable in the database (out of the power sync's excluded states).
func (e *e2e) createNode(info map[string]any, powerState *string) *objects.Node {
	e.t.Helper()
	ctx := e.t.Context()
	n := &objects.Node{UUID: new(uuid.NewString()), Driver: new(HardwareTypeName), DriverInfo: info,
		ProvisionState: new("enroll"), PowerState: powerState}
	got, err := e.api.CreateNode(ctx, n, e.topic(n))
	if err != nil {
		e.t.Fatalf("create_node: %v", err)
	}
	got.ProvisionState = new("manageable")
	got.MarkChanged("provision_state")
	if got, err = e.store.UpdateNode(ctx, got); err != nil {
		e.t.Fatal(err)
	}
	return got
}

func (e *e2e) topic(n *objects.Node) rpcapi.CallOption {
	e.t.Helper()
	topic, err := e.api.GetTopicFor(e.t.Context(), n)
	if err != nil {
		e.t.Fatal(err)
	}
	return rpcapi.WithTopic(topic)
}

// waitNode polls the node until cond holds.
func (e *e2e) waitNode(uuid string, what string, cond func(*objects.Node) bool) *objects.Node {
	e.t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		n, err := e.store.GetNodeByUUID(e.t.Context(), uuid)
		if err != nil {
			e.t.Fatal(err)
		}
		if cond(n) {
			return n
		}
		if time.Now().After(deadline) {
			e.t.Fatalf("node %s: timed out waiting for %s (power %v target %v last_error %v)", uuid, what,
				deref(n.PowerState), deref(n.TargetPowerState), deref(n.LastError))
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func deref(p *string) string {
	if p == nil {
		return "<nil>"
	}
	return *p
}

func TestConductorEndToEnd(t *testing.T) {
	t.Parallel()
	m := startMultiBMC(t, "faultbmc.py", 2)
	sim := startIPMISim(t, "127.0.0.1")
	logs := &syncBuffer{}
	cfg := testConfig(t)
	cfg.Debug = true
	cfg.Logger = zerolog.New(io.MultiWriter(logs, zerolog.NewTestWriter(t))).Level(zerolog.DebugLevel)
	e := newE2E(t, cfg, nil)
	ctx := t.Context()

	node := e.createNode(m.driverInfo(0), new(drivers.PowerOff))
	id := *node.UUID
	topic := e.topic(node)

	// validate_driver_interfaces
	res, err := e.api.ValidateDriverInterfaces(ctx, id, topic)
	if err != nil {
		t.Fatal(err)
	}
	for _, it := range []string{"power", "management", "boot", "deploy", "network", "storage"} {
		if r := res[it]; r.Result == nil || !*r.Result {
			t.Errorf("%s: %+v", it, r)
		}
	}
	if r := res["console"]; r.Result == nil || *r.Result {
		t.Errorf("console: %+v", r)
	}

	// change_node_power_state: on, reboot, soft power off.
	for _, s := range []struct{ state, want, bmc string }{
		{drivers.PowerOn, drivers.PowerOn, "on"}, {drivers.Reboot, drivers.PowerOn, "on"},
		{drivers.SoftPowerOff, drivers.PowerOff, "off"},
	} {
		if err := e.api.ChangeNodePowerState(ctx, id, s.state, 0, topic); err != nil {
			t.Fatalf("%s: %v", s.state, err)
		}
		n := e.waitNode(id, s.state, func(n *objects.Node) bool {
			return n.TargetPowerState == nil && n.PowerState != nil && *n.PowerState == s.want
		})
		if n.LastError != nil {
			t.Fatalf("%s: last_error %q", s.state, *n.LastError)
		}
		if p, _, _ := bmcState(t, m, 0); p != s.bmc {
			t.Fatalf("%s: BMC power %q", s.state, p)
		}
	}

	// set_boot_device / get_boot_device (UEFI by default), round trip
	// through the BMC's raw flags.
	if err := e.api.SetBootDevice(ctx, id, drivers.BootDevicePXE, true, topic); err != nil {
		t.Fatal(err)
	}
	if _, _, flags := bmcState(t, m, 0); flags != "e004000000" {
		t.Fatalf("BMC boot flags %s", flags)
	}
	bd, err := e.api.GetBootDevice(ctx, id, topic)
	if err != nil || bd.BootDevice == nil || *bd.BootDevice != "pxe" || bd.Persistent == nil || !*bd.Persistent {
		t.Fatalf("get_boot_device %+v, %v", bd, err)
	}
	err = e.api.SetBootDevice(ctx, id, "floppy", false, topic)
	wantExc(t, err, exception.ErrInvalidParameterValue, "Invalid boot device floppy specified.")
	devs, err := e.api.GetSupportedBootDevices(ctx, id, topic)
	if err != nil || strings.Join(devs, ",") != "pxe,disk,cdrom,bios,safe" {
		t.Fatalf("supported boot devices %v, %v", devs, err)
	}

	// inject_nmi
	if err := e.api.InjectNMI(ctx, id, topic); err != nil {
		t.Fatal(err)
	}
	if _, nmi, _ := bmcState(t, m, 0); nmi != 1 {
		t.Fatalf("BMC NMIs %d", nmi)
	}

	// vendor passthru: metadata and send_raw (asynchronous).
	meta, err := e.api.GetNodeVendorPassthruMethods(ctx, id, topic)
	if err != nil || len(meta) != 2 || !meta["send_raw"].Async || meta["bmc_reset"].RequireExclusiveLock == nil || !*meta["bmc_reset"].RequireExclusiveLock {
		t.Fatalf("vendor methods %+v, %v", meta, err)
	}
	vr, err := e.api.VendorPassthru(ctx, id, "send_raw", "POST", map[string]any{"raw_bytes": "0x00 0x02 0x01"}, topic)
	if err != nil || !vr.Async {
		t.Fatalf("send_raw %+v, %v", vr, err)
	}
	e.waitNode(id, "send_raw", func(*objects.Node) bool { p, _, _ := bmcState(t, m, 0); return p == "on" })
	_, err = e.api.VendorPassthru(ctx, id, "send_raw", "POST", map[string]any{}, topic)
	wantExc(t, err, exception.ErrMissingParameterValue, "Parameter raw_bytes (string of bytes) was not specified.")

	// get_driver_properties
	props, err := e.api.GetDriverProperties(ctx, HardwareTypeName)
	if err != nil || props["ipmi_address"] != "IP address or hostname of the node. Required." || len(props) < len(CommonProperties()) {
		t.Fatalf("driver properties %v, %v", props, err)
	}

	// A node whose BMC refuses NMI (ipmi_sim): IPMIFailure reaches the
	// caller with Ironic's message.
	simNode := e.createNode(sim.driverInfo(), new(drivers.PowerOff))
	err = e.api.InjectNMI(ctx, *simNode.UUID, e.topic(simNode))
	wantExc(t, err, exception.ErrIPMIFailure, "IPMI call failed: power diag.")

	// Invalid driver_info: validation and power change fail with
	// Ironic's messages.
	bad := e.createNode(map[string]any{"ipmi_address": "127.0.0.1", "ipmi_port": "seventy", "ipmi_password": simPass}, nil)
	res, err = e.api.ValidateDriverInterfaces(ctx, *bad.UUID, e.topic(bad))
	if err != nil {
		t.Fatal(err)
	}
	if r := res["power"]; r.Result == nil || *r.Result || r.Reason == nil || *r.Reason != `ipmi_port "seventy" is not a valid port.` {
		t.Fatalf("power validation %+v", r)
	}
	err = e.api.ChangeNodePowerState(ctx, *bad.UUID, drivers.PowerOn, 0, e.topic(bad))
	wantExc(t, err, exception.ErrInvalidParameterValue, `ipmi_port "seventy" is not a valid port.`)
	missing := e.createNode(map[string]any{}, nil)
	err = e.api.InjectNMI(ctx, *missing.UUID, e.topic(missing))
	wantExc(t, err, exception.ErrMissingParameterValue, "Missing the following IPMI credentials in node's driver_info: ['ipmi_address'].")

	// A power change the BMC never applies: PowerStateFailure recorded.
	m.command(t, fmt.Sprintf("cc %d 0 2 0x00 100", m.base+1))
	slow := e.createNode(m.driverInfo(1), new(drivers.PowerOff))
	if err := e.api.ChangeNodePowerState(ctx, *slow.UUID, drivers.PowerOn, 0, e.topic(slow)); err != nil {
		t.Fatal(err)
	}
	n := e.waitNode(*slow.UUID, "a failure", func(n *objects.Node) bool { return n.LastError != nil })
	if *n.LastError != "Failed to change power state to 'power on'. Error: Failed to set node power state to power on." {
		t.Fatalf("last_error %q", *n.LastError)
	}

	if strings.Contains(logs.String(), simPass) {
		t.Fatal("the BMC password is in the logs")
	}
	if !strings.Contains(logs.String(), `"cmd":"power diag"`) {
		t.Fatal("debug logs missing")
	}
}

// TestConductorPowerSync: the conductor's periodic power sync reads every
// node through the driver and records (or forces) power states.
func TestConductorPowerSync(t *testing.T) {
	t.Parallel()
	m := startMultiBMC(t, "faultbmc.py", 20)
	e := newE2E(t, testConfig(t), func(c *conductor.Config) {
		c.SyncPowerStateInterval = 200 * time.Millisecond
		c.SyncPowerStateWorkers = 4
	})
	ctx := t.Context()
	nodes := make([]*objects.Node, m.count)
	for i := range m.count {
		if i%2 == 1 { // odd BMCs are on
			task, _ := newTask(t, e.drv, m.driverInfo(i))
			if err := e.drv.power.SetPowerState(ctx, task, drivers.PowerOn, 0); err != nil {
				t.Fatal(err)
			}
		}
		nodes[i] = e.createNode(m.driverInfo(i), nil)
	}
	for i, n := range nodes {
		want := drivers.PowerOff
		if i%2 == 1 {
			want = drivers.PowerOn
		}
		e.waitNode(*n.UUID, "sync to "+want, func(n *objects.Node) bool { return n.PowerState != nil && *n.PowerState == want })
	}
	// The database says off, the BMC is on: the sync forces it off
	// (force_power_state_during_sync).
	if p, _, _ := bmcState(t, m, 0); p != "off" {
		t.Fatal(p)
	}
	task, _ := newTask(t, e.drv, m.driverInfo(0))
	if err := e.drv.power.SetPowerState(ctx, task, drivers.PowerOn, 0); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		if p, _, _ := bmcState(t, m, 0); p == "off" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the sync did not force the recorded power state")
		}
		time.Sleep(50 * time.Millisecond)
	}
}
