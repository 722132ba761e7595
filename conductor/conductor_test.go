package conductor_test

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
	"time"

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

// cluster is a conductor on the in-memory transport and SQLite, and a Go
// rpcapi client.
type cluster struct {
	t      *testing.T
	store  *db.Store
	broker *messaging.InmemBroker
	svc    *conductor.Service
	api    *rpcapi.ConductorAPI
	ring   *hashring.Manager
}

func testLogger(t *testing.T) zerolog.Logger {
	return zerolog.New(zerolog.NewTestWriter(t)).Level(zerolog.WarnLevel)
}

func newCluster(t *testing.T, mutate func(*conductor.Config)) *cluster {
	t.Helper()
	ctx := t.Context()
	store, err := db.Open(ctx, "", db.Config{SQLitePath: filepath.Join(t.TempDir(), "ironic.sqlite"), Logger: testLogger(t)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	c := &cluster{t: t, store: store, broker: messaging.NewInmemBroker()}
	c.svc = c.startConductor("cond-a", mutate)
	tr := messaging.NewInmemTransport(messaging.InmemConfig{Broker: c.broker, ControlExchange: "ironic"})
	t.Cleanup(func() { tr.Close() })
	c.ring, err = hashring.NewManager(hashring.DefaultConfig(), store)
	if err != nil {
		t.Fatal(err)
	}
	c.api, err = rpcapi.New(tr, rpcapi.Config{Timeout: 20 * time.Second}, c.ring)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func (c *cluster) startConductor(host string, mutate func(*conductor.Config)) *conductor.Service {
	t := c.t
	reg, err := drivers.NewRegistry(drivers.Config{EnabledHardwareTypes: []string{"fake-hardware"}}, drivers.NoopCatalog(), fake.Catalog())
	if err != nil {
		t.Fatal(err)
	}
	cfg := conductor.DefaultConfig(host)
	cfg.Logger = testLogger(t)
	cfg.NodeLockedRetryInterval = 50 * time.Millisecond
	if mutate != nil {
		mutate(&cfg)
	}
	tr := messaging.NewInmemTransport(messaging.InmemConfig{Broker: c.broker, ControlExchange: "ironic"})
	svc, err := conductor.NewService(conductor.Deps{Config: cfg, Transport: tr, Store: c.store, Registry: reg, HashRing: hashring.DefaultConfig()})
	if err != nil {
		t.Fatal(err)
	}
	if err := svc.Start(t.Context()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		if err := svc.Stop(ctx); err != nil {
			t.Errorf("stop %s: %v", host, err)
		}
		tr.Close()
	})
	return svc
}

// createNode enrolls a fake-hardware node through RPC.
func (c *cluster) createNode(name string) *objects.Node {
	c.t.Helper()
	n := &objects.Node{UUID: new(newUUID()), Name: new(name), Driver: new("fake-hardware"),
		ProvisionState: new("enroll"), PowerState: new("power off")}
	topic, err := c.api.GetTopicFor(c.t.Context(), n)
	if err != nil {
		c.t.Fatal(err)
	}
	got, err := c.api.CreateNode(c.t.Context(), n, rpcapi.WithTopic(topic))
	if err != nil {
		c.t.Fatalf("create_node: %v", err)
	}
	return got
}

func (c *cluster) topic(n *objects.Node) rpcapi.CallOption {
	c.t.Helper()
	topic, err := c.api.GetTopicFor(c.t.Context(), n)
	if err != nil {
		c.t.Fatal(err)
	}
	return rpcapi.WithTopic(topic)
}

func (c *cluster) node(uuid string) *objects.Node {
	c.t.Helper()
	n, err := c.store.GetNodeByUUID(c.t.Context(), uuid)
	if err != nil {
		c.t.Fatal(err)
	}
	return n
}

// waitNode polls the node until cond holds.
func (c *cluster) waitNode(uuid string, what string, cond func(n *objects.Node) bool) *objects.Node {
	c.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		n := c.node(uuid)
		if cond(n) {
			return n
		}
		if time.Now().After(deadline) {
			c.t.Fatalf("node %s: timed out waiting for %s (provision_state=%v power_state=%v reservation=%v last_error=%v)",
				uuid, what, deref(n.ProvisionState), deref(n.PowerState), deref(n.Reservation), deref(n.LastError))
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func deref(p *string) string {
	if p == nil {
		return "<nil>"
	}
	return *p
}

func newUUID() string {
	return messaging.NewRequestID()[4:]
}

func TestLifecycleOfAFakeNode(t *testing.T) {
	c := newCluster(t, nil)
	ctx := t.Context()
	n := c.createNode("node-1")
	uuid := *n.UUID
	if deref(n.PowerInterface) != "fake" || deref(n.DeployInterface) != "fake" {
		t.Errorf("interfaces not filled with defaults: power=%s deploy=%s", deref(n.PowerInterface), deref(n.DeployInterface))
	}
	topic := c.topic(n)

	// manage: enroll → verifying → manageable, power state recorded.
	if err := c.api.DoProvisioningAction(ctx, uuid, "manage", topic); err != nil {
		t.Fatal(err)
	}
	c.waitNode(uuid, "manageable", func(n *objects.Node) bool { return deref(n.ProvisionState) == "manageable" && n.Reservation == nil })

	// Power on, then get/set boot device.
	if err := c.api.ChangeNodePowerState(ctx, uuid, "power on", 0, topic); err != nil {
		t.Fatal(err)
	}
	c.waitNode(uuid, "power on", func(n *objects.Node) bool {
		return deref(n.PowerState) == "power on" && n.TargetPowerState == nil && n.Reservation == nil
	})
	bd, err := c.api.GetBootDevice(ctx, uuid, topic)
	if err != nil || deref(bd.BootDevice) != "pxe" {
		t.Errorf("get_boot_device = %+v, %v", bd, err)
	}
	if err := c.api.SetBootDevice(ctx, uuid, "pxe", true, topic); err != nil {
		t.Errorf("set_boot_device: %v", err)
	}
	devs, err := c.api.GetSupportedBootDevices(ctx, uuid, topic)
	if err != nil || len(devs) == 0 {
		t.Errorf("supported boot devices %v %v", devs, err)
	}
	val, err := c.api.ValidateDriverInterfaces(ctx, uuid, topic)
	if err != nil || val["power"].Result == nil || !*val["power"].Result {
		t.Errorf("validate_driver_interfaces = %+v, %v", val, err)
	}

	// provide → cleaning → available; deploy → active; tear down → available.
	for _, step := range []struct {
		do   func() error
		want string
	}{
		{func() error { return c.api.DoProvisioningAction(ctx, uuid, "provide", topic) }, "available"},
		{func() error { return c.api.DoNodeDeploy(ctx, uuid, false, "", topic) }, "active"},
		{func() error { return c.api.DoNodeTearDown(ctx, uuid, topic) }, "available"},
		{func() error { return c.api.DoProvisioningAction(ctx, uuid, "manage", topic) }, "manageable"},
		{func() error { return c.api.InspectHardware(ctx, uuid, topic) }, "manageable"},
	} {
		if err := step.do(); err != nil {
			t.Fatalf("towards %s: %v", step.want, err)
		}
		got := c.waitNode(uuid, step.want, func(n *objects.Node) bool {
			return deref(n.ProvisionState) == step.want && n.TargetProvisionState == nil && n.Reservation == nil
		})
		if got.LastError != nil {
			t.Errorf("%s: last_error %s", step.want, *got.LastError)
		}
	}

	// A bad action leaves the node where it is.
	err = c.api.DoProvisioningAction(ctx, uuid, "deploy", topic)
	if !errors.Is(err, exception.ErrInvalidStateRequested) {
		t.Errorf("deploy from manageable: %v, want InvalidStateRequested", err)
	}
	// Vendor passthru (fake vendor) and its metadata.
	methods, err := c.api.GetNodeVendorPassthruMethods(ctx, uuid, topic)
	if err != nil || len(methods) == 0 {
		t.Errorf("vendor methods %v %v", methods, err)
	}
	// Destroy.
	if err := c.api.DestroyNode(ctx, uuid, topic); err != nil {
		t.Fatal(err)
	}
	if _, err := c.store.GetNodeByUUID(ctx, uuid); !errors.Is(err, exception.ErrNodeNotFound) {
		t.Errorf("node still there: %v", err)
	}
}

func TestExceptionsAndLocks(t *testing.T) {
	c := newCluster(t, nil)
	ctx := t.Context()
	n := c.createNode("node-2")
	uuid := *n.UUID
	topic := c.topic(n)
	if err := c.api.ChangeNodePowerState(ctx, newUUID(), "power on", 0, topic); !errors.Is(err, exception.ErrNodeNotFound) {
		t.Errorf("unknown node: %v", err)
	}
	if err := c.api.ChangeNodePowerState(ctx, uuid, "dance", 0, topic); !errors.Is(err, exception.ErrInvalidParameterValue) {
		t.Errorf("bad power state: %v", err)
	}
	// Another conductor holds the lock.
	if _, err := c.store.ReserveNode(ctx, "other-host", db.ByUUID(uuid)); err != nil {
		t.Fatal(err)
	}
	err := c.api.ChangeNodePowerState(ctx, uuid, "power on", 0, topic)
	var ie *exception.Error
	if !errors.As(err, &ie) || !errors.Is(err, exception.ErrNodeLocked) || ie.Code() != 409 {
		t.Errorf("locked node: %v", err)
	}
	if err := c.store.ReleaseNode(ctx, "other-host", db.ByUUID(uuid)); err != nil {
		t.Fatal(err)
	}
	if _, err := c.api.VendorPassthru(ctx, uuid, "nope", "POST", nil, topic); !errors.Is(err, exception.ErrInvalidParameterValue) {
		t.Errorf("unknown vendor method: %v", err)
	}
	if got := c.node(uuid); got.Reservation != nil {
		t.Errorf("lock leaked: %s", *got.Reservation)
	}
	if _, err := c.api.GetDriverProperties(ctx, "no-such-driver"); !errors.Is(err, exception.ErrDriverNotFound) {
		t.Errorf("unknown driver: %v", err)
	}
}
