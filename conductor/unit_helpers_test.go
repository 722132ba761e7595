package conductor_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/ironic-go/ironic-go/conductor"
	"github.com/ironic-go/ironic-go/db"
	"github.com/ironic-go/ironic-go/messaging"
	"github.com/ironic-go/ironic-go/objects"
	"github.com/ironic-go/ironic-go/rpcapi"
	"github.com/ironic-go/ironic-go/rpcapi/hashring"
)

// unitEnv is one conductor with the test drivers on the in-memory
// transport and SQLite, and a Go rpcapi client calling it by its host
// topic.
type unitEnv struct {
	t     *testing.T
	store *db.Store
	svc   *conductor.Service
	api   *rpcapi.ConductorAPI
	cli   messaging.Transport // the client side, for raw calls
	host  string
}

func newUnitEnv(t *testing.T, d testDrivers, mutate func(*conductor.Config)) *unitEnv {
	t.Helper()
	store, err := db.Open(t.Context(), "", db.Config{SQLitePath: filepath.Join(t.TempDir(), "ironic.sqlite"), Logger: testLogger(t)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	broker := messaging.NewInmemBroker()
	u := &unitEnv{t: t, store: store, host: "cond-unit"}
	cfg := conductor.DefaultConfig(u.host)
	cfg.Logger = testLogger(t)
	cfg.NodeLockedRetryInterval = 20 * time.Millisecond
	if mutate != nil {
		mutate(&cfg)
	}
	srvTr := messaging.NewInmemTransport(messaging.InmemConfig{Broker: broker, ControlExchange: "ironic"})
	u.svc, err = conductor.NewService(conductor.Deps{Config: cfg, Transport: srvTr, Store: store,
		Registry: d.registry(t), HashRing: hashring.DefaultConfig()})
	if err != nil {
		t.Fatal(err)
	}
	if err := u.svc.Start(t.Context()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if err := u.svc.Stop(ctx); err != nil {
			t.Errorf("stop: %v", err)
		}
		srvTr.Close()
	})
	cliTr := messaging.NewInmemTransport(messaging.InmemConfig{Broker: broker, ControlExchange: "ironic"})
	t.Cleanup(func() { cliTr.Close() })
	u.cli = cliTr
	u.api, err = rpcapi.New(cliTr, rpcapi.Config{Timeout: 30 * time.Second}, nil)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// to routes a call to this conductor.
func (u *unitEnv) to() rpcapi.CallOption { return rpcapi.WithTopic(hashring.HostTopic(u.host)) }

// enroll creates a fake-hardware node through create_node, with the given
// interfaces (field name → implementation) set.
func (u *unitEnv) enroll(name string, ifaces map[string]string) *objects.Node {
	u.t.Helper()
	n := newNodeObject(name, ifaces)
	got, err := u.api.CreateNode(u.t.Context(), n, u.to())
	if err != nil {
		u.t.Fatalf("create_node %s: %v", name, err)
	}
	return got
}

// setState writes provision and power states directly in the database,
// as a test shortcut to a starting point.
func setState(t *testing.T, store db.API, uuid string, provision, target string, power string) {
	t.Helper()
	n, err := store.GetNodeByUUID(t.Context(), uuid)
	if err != nil {
		t.Fatal(err)
	}
	n.ProvisionState = strOrNil(provision)
	n.TargetProvisionState = strOrNil(target)
	n.PowerState = strOrNil(power)
	n.MarkChanged("provision_state", "target_provision_state", "power_state")
	if _, err := store.UpdateNode(t.Context(), n); err != nil {
		t.Fatal(err)
	}
}

func strOrNil(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// newNodeObject is the node ironic-api's POST /v1/nodes builds: a fresh
// UUID, enroll, fake-hardware, plus interfaces.
func newNodeObject(name string, ifaces map[string]string) *objects.Node {
	n := &objects.Node{UUID: new(newUUID()), Name: new(name), Driver: new("fake-hardware"), ProvisionState: new("enroll")}
	for field, impl := range ifaces {
		if err := n.Set(field, impl); err != nil {
			panic(err)
		}
	}
	return n
}

// waitFor polls the node until cond holds or d passes.
func waitFor(t *testing.T, store db.API, uuid, what string, d time.Duration, cond func(n *objects.Node) bool) *objects.Node {
	t.Helper()
	deadline := time.Now().Add(d)
	for {
		n, err := store.GetNodeByUUID(context.WithoutCancel(t.Context()), uuid)
		if err != nil {
			t.Fatalf("node %s: %v", uuid, err)
		}
		if cond(n) {
			return n
		}
		if time.Now().After(deadline) {
			t.Fatalf("node %s: no %s after %v (provision_state=%v target=%v power_state=%v target_power=%v reservation=%v last_error=%v)",
				uuid, what, d, deref(n.ProvisionState), deref(n.TargetProvisionState), deref(n.PowerState),
				deref(n.TargetPowerState), deref(n.Reservation), deref(n.LastError))
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// unlocked is a waitFor condition: the node has no reservation.
func unlocked(n *objects.Node) bool { return n.Reservation == nil }

// reservations returns the nodes that still have a reservation.
func reservations(t *testing.T, store db.API) map[string]string {
	t.Helper()
	nodes, err := store.ListNodes(context.WithoutCancel(t.Context()), db.NodeFilter{Reserved: db.Ptr(true)}, db.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, n := range nodes {
		out[deref(n.UUID)] = deref(n.Reservation)
	}
	return out
}
