package redfish_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/uuid"
	"github.com/rs/zerolog"

	"github.com/ironic-go/ironic-go/conductor"
	"github.com/ironic-go/ironic-go/db"
	"github.com/ironic-go/ironic-go/drivers"
	"github.com/ironic-go/ironic-go/drivers/fake"
	"github.com/ironic-go/ironic-go/drivers/redfish"
	"github.com/ironic-go/ironic-go/drivers/redfish/redfishtest"
	"github.com/ironic-go/ironic-go/messaging"
	"github.com/ironic-go/ironic-go/objects"
	"github.com/ironic-go/ironic-go/objects/exception"
	"github.com/ironic-go/ironic-go/rpcapi"
	"github.com/ironic-go/ironic-go/rpcapi/hashring"
)

const e2ePassword = "e2e-Secr3t-5a1t"

type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// e2e is a conductor with the redfish, fake and no-op drivers on the
// in-memory transport and SQLite, a Go rpcapi client, and a fake BMC.
type e2e struct {
	t     *testing.T
	store *db.Store
	api   *rpcapi.ConductorAPI
	srv   *redfishtest.Server
	logs  *lockedBuffer
	host  string
}

func newE2E(t *testing.T, opts redfishtest.Options) *e2e {
	t.Helper()
	e := &e2e{t: t, logs: &lockedBuffer{}, host: "cond-redfish"}
	log := zerolog.New(io.MultiWriter(e.logs, zerolog.NewTestWriter(t))).Level(zerolog.DebugLevel)
	opts.Username, opts.Password = "admin", e2ePassword
	e.srv = redfishtest.Start(t, opts)

	rcfg := redfish.DefaultConfig()
	rcfg.Logger = log
	rcfg.ConnectionAttempts = 2
	rcfg.ConnectionRetryInterval = 10 * time.Millisecond
	rcfg.PowerStatePollInterval = 5 * time.Millisecond
	rcfg.PowerStatePollMaxInterval = 20 * time.Millisecond
	rf, err := redfish.New(rcfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = rf.Close(context.Background()) })
	reg, err := drivers.NewRegistry(drivers.Config{EnabledHardwareTypes: []string{redfish.HardwareTypeName, fake.HardwareTypeName}},
		drivers.NoopCatalog(), fake.Catalog(), rf.Catalog())
	if err != nil {
		t.Fatal(err)
	}

	e.store, err = db.Open(t.Context(), "", db.Config{SQLitePath: filepath.Join(t.TempDir(), "ironic.sqlite"), Logger: log})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.store.Close() })
	broker := messaging.NewInmemBroker()
	cfg := conductor.DefaultConfig(e.host)
	cfg.Logger = log
	cfg.NodeLockedRetryInterval = 20 * time.Millisecond
	srvTr := messaging.NewInmemTransport(messaging.InmemConfig{Broker: broker, ControlExchange: "ironic"})
	svc, err := conductor.NewService(conductor.Deps{Config: cfg, Transport: srvTr, Store: e.store, Registry: reg,
		HashRing: hashring.DefaultConfig()})
	if err != nil {
		t.Fatal(err)
	}
	if err := svc.Start(t.Context()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if err := svc.Stop(ctx); err != nil {
			t.Errorf("stop: %v", err)
		}
		srvTr.Close()
	})
	cliTr := messaging.NewInmemTransport(messaging.InmemConfig{Broker: broker, ControlExchange: "ironic"})
	t.Cleanup(func() { cliTr.Close() })
	e.api, err = rpcapi.New(cliTr, rpcapi.Config{Timeout: 30 * time.Second}, nil)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func (e *e2e) to() rpcapi.CallOption { return rpcapi.WithTopic(hashring.HostTopic(e.host)) }

// enroll creates a redfish node for system (or the default one).
func (e *e2e) enroll(system string) *objects.Node {
	e.t.Helper()
	info := map[string]any{
		redfish.InfoAddress: e.srv.URL, redfish.InfoUsername: "admin", redfish.InfoPassword: e2ePassword,
	}
	if system != "" {
		info[redfish.InfoSystemID] = system
	}
	n := &objects.Node{UUID: new(uuid.NewString()), Driver: new(redfish.HardwareTypeName),
		ProvisionState: new("enroll"), DriverInfo: info}
	got, err := e.api.CreateNode(e.t.Context(), n, e.to())
	if err != nil {
		e.t.Fatalf("create_node: %v", err)
	}
	return got
}

func (e *e2e) wait(uuid, what string, cond func(n *objects.Node) bool) *objects.Node {
	e.t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		n, err := e.store.GetNodeByUUID(context.WithoutCancel(e.t.Context()), uuid)
		if err != nil {
			e.t.Fatal(err)
		}
		if cond(n) {
			return n
		}
		if time.Now().After(deadline) {
			e.t.Fatalf("node %s: no %s (provision=%v power=%v target_power=%v reservation=%v last_error=%v)", uuid, what,
				str(n.ProvisionState), str(n.PowerState), str(n.TargetPowerState), str(n.Reservation), str(n.LastError))
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func str(p *string) string {
	if p == nil {
		return "<nil>"
	}
	return *p
}

// results collects what RPC calls returned, to look for secrets.
type results []any

func (r *results) add(v any) { *r = append(*r, v) }

func (r results) text(t *testing.T) string {
	t.Helper()
	var b strings.Builder
	for _, v := range r {
		if err, ok := v.(error); ok {
			b.WriteString(err.Error())
			var ie *exception.Error
			if errors.As(err, &ie) {
				data, _ := json.Marshal(ie.Kwargs)
				b.Write(data)
			}
			continue
		}
		data, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		b.Write(data)
	}
	return b.String()
}

// TestConductorEndToEnd drives a redfish node through the conductor's
// RPC API against the fake BMC.
func TestConductorEndToEnd(t *testing.T) {
	e := newE2E(t, redfishtest.Options{PowerDelay: 30 * time.Millisecond})
	ctx := t.Context()
	node := e.enroll("")
	id := *node.UUID
	var out results

	// validate_driver_interfaces
	v, err := e.api.ValidateDriverInterfaces(ctx, id, e.to())
	if err != nil {
		t.Fatal(err)
	}
	out.add(v)
	for _, it := range []string{"power", "management", "inspect", "boot", "deploy", "network", "storage"} {
		if r := v[it].Result; r == nil || !*r {
			t.Errorf("%s validation: %+v (%s)", it, v[it], str(v[it].Reason))
		}
	}
	for _, it := range []string{"console", "raid"} {
		if r := v[it].Result; r == nil || *r {
			t.Errorf("%s validation: %+v, want false (no-%s)", it, v[it], it)
		}
	}
	props, err := e.api.GetDriverProperties(ctx, redfish.HardwareTypeName, e.to())
	if err != nil {
		t.Fatal(err)
	}
	out.add(props)
	if diff := cmp.Diff(redfish.Properties(), props); diff != "" {
		t.Errorf("get_driver_properties (-want +got):\n%s", diff)
	}

	// change_node_power_state: the BMC changes after a delay.
	for _, c := range []struct{ state, want, bmc string }{
		{"power off", "power off", "Off"}, {"power on", "power on", "On"}, {"rebooting", "power on", "On"},
		{"soft power off", "power off", "Off"},
	} {
		if err := e.api.ChangeNodePowerState(ctx, id, c.state, 0, e.to()); err != nil {
			t.Fatalf("%s: %v", c.state, err)
		}
		n := e.wait(id, c.state, func(n *objects.Node) bool {
			return n.Reservation == nil && n.TargetPowerState == nil && str(n.PowerState) == c.want
		})
		if n.LastError != nil {
			t.Errorf("%s: last_error %s", c.state, *n.LastError)
		}
		sys := e.srv.Systems()[0]
		if st, _ := e.srv.System(sys); st.PowerState != c.bmc {
			t.Errorf("%s: BMC %s", c.state, st.PowerState)
		}
	}
	st, _ := e.srv.System(e.srv.Systems()[0])
	wantResets := []string{"ForceOff", "On", "ForceOff", "On", "GracefulShutdown"}
	if diff := cmp.Diff(wantResets, st.Resets); diff != "" {
		t.Errorf("BMC resets (-want +got):\n%s", diff)
	}

	// set/get_boot_device; supported boot devices.
	if err := e.api.SetBootDevice(ctx, id, "pxe", true, e.to()); err != nil {
		t.Fatal(err)
	}
	bd, err := e.api.GetBootDevice(ctx, id, e.to())
	if err != nil {
		t.Fatal(err)
	}
	out.add(bd)
	if str(bd.BootDevice) != "pxe" || bd.Persistent == nil || !*bd.Persistent {
		t.Errorf("get_boot_device = %+v", bd)
	}
	devs, err := e.api.GetSupportedBootDevices(ctx, id, e.to())
	if err != nil || !slices.Equal(devs, []string{"pxe", "disk", "cdrom", "bios"}) {
		t.Errorf("get_supported_boot_devices = %v, %v", devs, err)
	}
	err = e.api.SetBootDevice(ctx, id, "wanboot", false, e.to())
	out.add(err)
	if !errors.Is(err, exception.ErrInvalidParameterValue) {
		t.Errorf("set_boot_device wanboot: %v", err)
	}

	// inject_nmi: the emulator answers 501, Ironic raises RedfishError.
	err = e.api.InjectNMI(ctx, id, e.to())
	out.add(err)
	var ie *exception.Error
	if !errors.As(err, &ie) || ie.Class != "RedfishError" || !strings.Contains(ie.Msg, "Redfish inject NMI failed for node "+id) {
		t.Errorf("inject_nmi: %v", err)
	}

	// manage (verifying reads the power state), then inspect.
	if err := e.api.DoProvisioningAction(ctx, id, "manage", e.to()); err != nil {
		t.Fatal(err)
	}
	e.wait(id, "manageable", func(n *objects.Node) bool { return str(n.ProvisionState) == "manageable" && n.Reservation == nil })
	if err := e.api.InspectHardware(ctx, id, e.to()); err != nil {
		t.Fatal(err)
	}
	n := e.wait(id, "inspection", func(n *objects.Node) bool {
		return str(n.ProvisionState) == "manageable" && n.Reservation == nil && n.Properties["cpu_arch"] != nil
	})
	// The node's driver_info holds the password by design (ironic-api masks
	// it); what the driver wrote must not.
	out.add(n.Properties)
	out.add(n.DriverInternalInfo)
	want := map[string]any{"cpus": int64(16), "cpu_arch": "x86_64", "memory_mb": "98304", "local_gb": "3724",
		"capabilities": "boot_mode:uefi"}
	if diff := cmp.Diff(want, n.Properties); diff != "" {
		t.Errorf("inspected properties (-want +got):\n%s", diff)
	}
	if n.LastError != nil {
		t.Errorf("last_error %s", *n.LastError)
	}
	ports, err := e.store.ListPortsByNodeID(ctx, n.ID)
	if err != nil {
		t.Fatal(err)
	}
	var macs []string
	for _, p := range ports {
		macs = append(macs, *p.Address)
	}
	slices.Sort(macs)
	if diff := cmp.Diff([]string{"12:44:6a:3b:04:11", "aa:bb:cc:dd:ee:00", "aa:bb:cc:dd:ee:fe"}, macs); diff != "" {
		t.Errorf("ports (-want +got):\n%s", diff)
	}
	// A second inspection keeps the ports.
	if err := e.api.InspectHardware(ctx, id, e.to()); err != nil {
		t.Fatal(err)
	}
	e.wait(id, "second inspection", func(n *objects.Node) bool {
		return str(n.ProvisionState) == "manageable" && n.Reservation == nil
	})
	if ports, _ := e.store.ListPortsByNodeID(ctx, n.ID); len(ports) != 3 {
		t.Errorf("%d ports after a second inspection", len(ports))
	}

	// No password anywhere: RPC results, errors, logs.
	if strings.Contains(out.text(t), e2ePassword) {
		t.Error("an RPC result contains the BMC password")
	}
	if strings.Contains(e.logs.String(), e2ePassword) {
		t.Error("the logs contain the BMC password")
	}
}

// TestConductorFailures: errors reach last_error and the RPC caller with
// their Ironic class.
func TestConductorFailures(t *testing.T) {
	e := newE2E(t, redfishtest.Options{Mockup: redfishtest.MockupBladed, PowerDelay: time.Hour})
	ctx := t.Context()
	var out results

	// Four systems and no system id: the System cannot be chosen.
	node := e.enroll("")
	id := *node.UUID
	err := e.api.SetBootDevice(ctx, id, "pxe", false, e.to())
	out.add(err)
	var ie *exception.Error
	if !errors.As(err, &ie) || ie.Class != "RedfishError" || !strings.Contains(ie.Msg, "System count is not exactly one") {
		t.Errorf("set_boot_device without a system id: %v", err)
	}

	// A power change that never lands: PowerStateFailure in last_error
	// (with a timeout of 1 s).
	node = e.enroll("/redfish/v1/Systems/529QB9451R6")
	id = *node.UUID
	if err := e.api.ChangeNodePowerState(ctx, id, "power off", 1, e.to()); err != nil {
		t.Fatal(err)
	}
	n := e.wait(id, "power failure", func(n *objects.Node) bool { return n.Reservation == nil && n.LastError != nil })
	out.add(n.LastError)
	if want := "Failed to change power state to 'power off'. Error: Failed to set node power state to power off."; str(n.LastError) != want {
		t.Errorf("last_error = %q, want %q", str(n.LastError), want)
	}

	// Missing driver_info: validation and inspection refuse.
	bad := &objects.Node{UUID: new(uuid.NewString()), Driver: new(redfish.HardwareTypeName), ProvisionState: new("enroll"),
		DriverInfo: map[string]any{redfish.InfoPassword: e2ePassword}}
	bad, err = e.api.CreateNode(ctx, bad, e.to())
	if err != nil {
		t.Fatal(err)
	}
	v, err := e.api.ValidateDriverInterfaces(ctx, *bad.UUID, e.to())
	if err != nil {
		t.Fatal(err)
	}
	out.add(v)
	if r := v["power"]; r.Result == nil || *r.Result || !strings.Contains(str(r.Reason), "Missing the following Redfish properties") {
		t.Errorf("power validation = %+v %s", r, str(r.Reason))
	}
	err = e.api.ChangeNodePowerState(ctx, *bad.UUID, "power on", 0, e.to())
	out.add(err)
	if !errors.Is(err, exception.ErrMissingParameterValue) {
		t.Errorf("change_node_power_state without an address: %v", err)
	}

	if strings.Contains(out.text(t), e2ePassword) {
		t.Error("an RPC result contains the BMC password")
	}
	if strings.Contains(e.logs.String(), e2ePassword) {
		t.Error("the logs contain the BMC password")
	}
}
