//go:build integration

package conductor_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/ironic-go/ironic-go/conductor"
	"github.com/ironic-go/ironic-go/objects"
	"github.com/ironic-go/ironic-go/objects/exception"
	"github.com/ironic-go/ironic-go/rpcapi"
)

// TestNoReservationLeftAfterRandomOperationsPostgres is the random
// operations test on PostgreSQL and RabbitMQ, smaller: 300 operations from
// 6 clients on 6 flaky nodes.
func TestNoReservationLeftAfterRandomOperationsPostgres(t *testing.T) {
	t.Parallel()
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)
	c := newChaos(seed, 0.15, 0.03, 2*time.Millisecond)
	env := newItEnv(t, 0)
	cond := env.startConductor("random", conductorOptions{
		drivers: testDrivers{chaos: c},
		config: func(cfg *conductor.Config) {
			cfg.NodeLockedRetryAttempts = 2
			cfg.NodeLockedRetryInterval = 5 * time.Millisecond
			cfg.SyncPowerStateInterval = 100 * time.Millisecond
		},
	})
	api := env.client("api")
	to := rpcapi.WithTopic(env.hostTopic(cond.host))
	var uuids []string
	for i := range 6 {
		n, err := api.CreateNode(t.Context(), newNodeObject(fmt.Sprintf("random-%d", i), map[string]string{
			"power_interface": flakyName, "management_interface": flakyName,
			"deploy_interface": flakyName, "inspect_interface": flakyName,
		}), to)
		if err != nil {
			t.Fatal(err)
		}
		uuids = append(uuids, *n.UUID)
	}
	seen := randomOps(t, env.store, api, to, uuids, seed, 300, 6)
	t.Logf("outcomes: %v; injected %d failures, %d panics", seen, c.fails.Load(), c.panics.Load())
	checkNoReservations(t, env.store, uuids)
	for class := range seen {
		if class != "ok" && !exception.IsSubclass(class, "IronicException") {
			t.Errorf("%d calls failed with %s, not an Ironic exception", seen[class], class)
		}
	}
}

// TestNodeLockedAcrossConductors: two Go conductors share the database.
// While a power change holds a node on one of them, a call that reaches
// the other (Debian's client, sent to its topic) gets NodeLocked (409)
// naming the holder; when the work ends, the other conductor can lock the
// node.
func TestNodeLockedAcrossConductors(t *testing.T) {
	t.Parallel()
	gate := make(chan struct{})
	opened := false
	open := func() {
		if !opened {
			opened = true
			close(gate)
		}
	}
	env := newItEnv(t, 0)
	a := env.startConductor("a", conductorOptions{drivers: testDrivers{slowGate: gate}})
	b := env.startConductor("b", conductorOptions{drivers: testDrivers{slowGate: gate}})
	t.Cleanup(open)
	py := env.startPyAPI()
	node := newNodeObject("contended", map[string]string{"power_interface": slowName})
	node.ProvisionState, node.PowerState = new("manageable"), new("power off")
	created, err := env.store.CreateNode(t.Context(), node)
	if err != nil {
		t.Fatal(err)
	}
	uuid := *created.UUID

	r := py.call(pyRequest{ID: "hold", Method: "change_node_power_state", Topic: env.hostTopic(a.host),
		Kwargs: map[string]any{"node_id": uuid, "new_state": "power on"}})
	if !r.OK {
		t.Fatalf("power on via %s: %s", a.host, jsonString(r.Error))
	}
	r = py.call(pyRequest{ID: "contend", Method: "set_boot_device", Topic: env.hostTopic(b.host), Expect: "NodeLocked",
		Kwargs: map[string]any{"node_id": uuid, "device": "pxe"}})
	if r.OK || r.Error.Class != "NodeLocked" || r.Error.Code == nil || *r.Error.Code != 409 || !*r.Error.IsInstance ||
		!strings.Contains(r.Error.Message, a.host) {
		t.Fatalf("set_boot_device via %s while %s holds the node: %s", b.host, a.host, jsonString(r))
	}
	open()
	waitFor(t, env.store, uuid, "power on", 20*time.Second, func(n *objects.Node) bool {
		return deref(n.PowerState) == "power on" && n.Reservation == nil
	})
	r = py.call(pyRequest{ID: "after", Method: "set_boot_device", Topic: env.hostTopic(b.host),
		Kwargs: map[string]any{"node_id": uuid, "device": "pxe"}})
	if !r.OK {
		t.Fatalf("set_boot_device via %s after the work ended: %s", b.host, jsonString(r.Error))
	}
}
