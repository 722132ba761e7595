//go:build integration

package conductor_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/ironic-go/ironic-go/conductor"
	"github.com/ironic-go/ironic-go/objects"
)

// TestNoFreeConductorWorkerPython: a Go conductor with workers_pool_size
// 3 and a backlog of 1, whose nodes' power changes are slow, gets ten
// power changes at once from Debian's python3-ironic client (one thread
// each, ten nodes). Four fill the pool; the six others see Ironic's
// NoFreeConductorWorker (HTTP 503), and their nodes are as
// power_state_error_handler leaves them: power state restored, no target,
// last_error "No free conductor workers available", no lock. A
// provisioning action refused the same way is rolled back by
// provisioning_error_handler. Once the slow work ends, the four nodes are
// on and the conductor takes work again.
func TestNoFreeConductorWorkerPython(t *testing.T) {
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
	cond := env.startConductor("small-pool", conductorOptions{
		drivers: testDrivers{slowGate: gate},
		config:  func(c *conductor.Config) { c.WorkersPoolSize, c.WorkersBacklog = 3, 1 },
	})
	t.Cleanup(open) // runs before the conductor's stop
	py := env.startPyAPI()
	ctx := t.Context()
	topic := env.hostTopic(cond.host)

	const n = 10
	var uuids []string
	for i := range n {
		node := newNodeObject(fmt.Sprintf("nfw-%d", i), map[string]string{"power_interface": slowName})
		node.PowerState = new("power off")
		node.ProvisionState = new("manageable")
		created, err := env.store.CreateNode(ctx, node)
		if err != nil {
			t.Fatal(err)
		}
		uuids = append(uuids, *created.UUID)
	}
	batch := pyRequest{ID: "burst"}
	for i, u := range uuids {
		batch.Batch = append(batch.Batch, pyRequest{ID: fmt.Sprint(i), Method: "change_node_power_state", Topic: topic,
			Kwargs: map[string]any{"node_id": u, "new_state": "power on"}, Expect: "NoFreeConductorWorker"})
	}
	res := py.call(batch)
	var accepted, refused []string
	for i, r := range res.Results {
		switch {
		case r.OK:
			accepted = append(accepted, uuids[i])
		case r.Error.Class == "NoFreeConductorWorker":
			if r.Error.Code == nil || *r.Error.Code != 503 || r.Error.IsInstance == nil || !*r.Error.IsInstance {
				t.Errorf("node %d: NoFreeConductorWorker with code %v, isinstance %v", i, r.Error.Code, r.Error.IsInstance)
			}
			refused = append(refused, uuids[i])
		default:
			t.Errorf("node %d: %s: %s", i, r.Error.Class, r.Error.Message)
		}
	}
	if len(accepted) != 4 || len(refused) != n-4 {
		t.Fatalf("%d power changes accepted, %d refused; want 4 (3 workers + 1 waiting) and %d", len(accepted), len(refused), n-4)
	}
	for _, u := range refused {
		got := waitFor(t, env.store, u, "lock released", 10*time.Second, unlocked)
		if deref(got.PowerState) != "power off" || got.TargetPowerState != nil || deref(got.LastError) != noFreeWorkers {
			t.Errorf("refused node %s: power_state %s, target %s, last_error %q; want power off, None, %q",
				u, deref(got.PowerState), deref(got.TargetPowerState), deref(got.LastError), noFreeWorkers)
		}
	}
	for _, u := range accepted {
		got, err := env.store.GetNodeByUUID(ctx, u)
		if err != nil {
			t.Fatal(err)
		}
		if deref(got.Reservation) != cond.host || deref(got.TargetPowerState) != "power on" {
			t.Errorf("accepted node %s while its worker waits: reservation %s, target %s", u, deref(got.Reservation), deref(got.TargetPowerState))
		}
	}

	// A provisioning action refused with the pool full.
	enroll, err := env.store.CreateNode(ctx, newNodeObject("nfw-enroll", nil))
	if err != nil {
		t.Fatal(err)
	}
	r := py.call(pyRequest{ID: "manage", Method: "do_provisioning_action", Topic: topic, Expect: "NoFreeConductorWorker",
		Kwargs: map[string]any{"node_id": *enroll.UUID, "action": "manage"}})
	if r.OK || r.Error.Class != "NoFreeConductorWorker" || r.Error.Code == nil || *r.Error.Code != 503 {
		t.Errorf("manage with the pool full: %s", jsonString(r))
	}
	got := waitFor(t, env.store, *enroll.UUID, "lock released", 10*time.Second, unlocked)
	if deref(got.ProvisionState) != "enroll" || got.TargetProvisionState != nil || deref(got.LastError) != noFreeWorkers {
		t.Errorf("refused manage: provision_state %s, target %s, last_error %q; want enroll, None, %q",
			deref(got.ProvisionState), deref(got.TargetProvisionState), deref(got.LastError), noFreeWorkers)
	}

	open()
	for _, u := range accepted {
		waitFor(t, env.store, u, "power on", 20*time.Second, func(n *objects.Node) bool {
			return deref(n.PowerState) == "power on" && n.TargetPowerState == nil && n.Reservation == nil && n.LastError == nil
		})
	}
	r = py.call(pyRequest{ID: "again", Method: "change_node_power_state", Topic: topic,
		Kwargs: map[string]any{"node_id": refused[0], "new_state": "power on"}})
	if !r.OK {
		t.Fatalf("power change once the pool is free: %s", jsonString(r.Error))
	}
	waitFor(t, env.store, refused[0], "power on", 20*time.Second, func(n *objects.Node) bool {
		return deref(n.PowerState) == "power on" && n.Reservation == nil && n.LastError == nil
	})
}
