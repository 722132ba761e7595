package conductor_test

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/ironic-go/ironic-go/conductor"
	"github.com/ironic-go/ironic-go/objects"
	"github.com/ironic-go/ironic-go/objects/exception"
)

const noFreeWorkers = "No free conductor workers available"

// fillPool starts power changes on the slow nodes until the pool (3
// workers + 1 waiting) is full; the workers stay busy until the gate
// closes.
func fillPool(t *testing.T, call func(uuid string) error, uuids []string) {
	t.Helper()
	for _, u := range uuids {
		if err := call(u); err != nil {
			t.Fatalf("filling the pool: change_node_power_state %s: %v", u, err)
		}
	}
}

// TestNoFreeConductorWorker: with workers_pool_size 3 and a backlog of 1,
// four slow power changes fill the pool; then every method that spawns
// work answers NoFreeConductorWorker (503), and the node is left as
// Ironic's error hooks leave it: power_state_error_handler and
// provisioning_error_handler restore the states and set last_error, the
// lock is released. Once the slow work ends, the conductor accepts work
// again.
func TestNoFreeConductorWorker(t *testing.T) {
	t.Parallel()
	gate := make(chan struct{})
	released := false
	release := func() {
		if !released {
			released = true
			close(gate)
		}
	}
	u := newUnitEnv(t, testDrivers{slowGate: gate}, func(c *conductor.Config) {
		c.WorkersPoolSize = 3
		c.WorkersBacklog = 1
	})
	t.Cleanup(release) // before the conductor stops (cleanups run last-in first-out)
	ctx := t.Context()
	to := u.to()

	var slow []string
	for i := range 5 {
		n := u.enroll(fmt.Sprintf("slow-%d", i), map[string]string{"power_interface": slowName})
		setState(t, u.store, *n.UUID, "manageable", "", "power off")
		slow = append(slow, *n.UUID)
	}
	powerOn := func(uuid string) error { return u.api.ChangeNodePowerState(ctx, uuid, "power on", 0, to) }
	fillPool(t, powerOn, slow[:4])

	// Nodes in the states each call starts from.
	start := map[string]struct{ provision, power string }{
		"enroll": {"enroll", ""}, "manageable": {"manageable", "power off"}, "available": {"available", "power off"},
		"active": {"active", "power on"},
	}
	nodes := map[string]string{}
	for name, st := range start {
		n := u.enroll("nfw-"+name, nil)
		setState(t, u.store, *n.UUID, st.provision, "", st.power)
		nodes[name] = *n.UUID
	}

	cases := []struct {
		name string
		node string // key of nodes, or "slow"
		call func(uuid string) error
		// errHook is whether Ironic's error hook records last_error.
		errHook bool
	}{
		{"change_node_power_state", "slow", powerOn, true},
		{"do_provisioning_action manage", "enroll", func(n string) error { return u.api.DoProvisioningAction(ctx, n, "manage", to) }, true},
		{"do_provisioning_action provide", "manageable", func(n string) error { return u.api.DoProvisioningAction(ctx, n, "provide", to) }, true},
		{"do_provisioning_action adopt", "manageable", func(n string) error { return u.api.DoProvisioningAction(ctx, n, "adopt", to) }, true},
		{"do_node_clean", "manageable", func(n string) error { return u.api.DoNodeClean(ctx, n, []map[string]any{}, to) }, true},
		{"inspect_hardware", "manageable", func(n string) error { return u.api.InspectHardware(ctx, n, to) }, true},
		{"do_node_deploy", "available", func(n string) error { return u.api.DoNodeDeploy(ctx, n, false, "", to) }, true},
		{"do_node_tear_down", "active", func(n string) error { return u.api.DoNodeTearDown(ctx, n, to) }, true},
		{"set_console_mode", "manageable", func(n string) error { return u.api.SetConsoleMode(ctx, n, true, to) }, false},
		{"vendor_passthru (async)", "manageable", func(n string) error {
			_, err := u.api.VendorPassthru(ctx, n, "second_method", "POST", map[string]any{"bar": "kazoo"}, to)
			return err
		}, false},
		{"heartbeat", "manageable", func(n string) error { return u.api.Heartbeat(ctx, n, "http://192.0.2.1:9999", to) }, false},
	}
	for _, c := range cases {
		uuid := nodes[c.node]
		if c.node == "slow" {
			uuid = slow[4]
		}
		before, err := u.store.GetNodeByUUID(ctx, uuid)
		if err != nil {
			t.Fatal(err)
		}
		err = c.call(uuid)
		var ie *exception.Error
		if !errors.As(err, &ie) || !errors.Is(err, exception.ErrNoFreeConductorWorker) || ie.Code() != 503 {
			t.Errorf("%s with a full pool: %v, want NoFreeConductorWorker (503)", c.name, err)
			continue
		}
		after := waitFor(t, u.store, uuid, "lock released", 5*time.Second, unlocked)
		checkRolledBack(t, c.name, before, after, c.errHook)
		// Reset last_error for the next case on the same node.
		after.LastError = nil
		after.MarkChanged("last_error")
		if _, err := u.store.UpdateNode(ctx, after); err != nil {
			t.Fatal(err)
		}
	}

	release()
	for _, uuid := range slow[:4] {
		waitFor(t, u.store, uuid, "power on", 10*time.Second, func(n *objects.Node) bool {
			return deref(n.PowerState) == "power on" && n.TargetPowerState == nil && n.Reservation == nil
		})
	}
	if err := powerOn(slow[4]); err != nil {
		t.Fatalf("change_node_power_state once the pool is free: %v", err)
	}
	waitFor(t, u.store, slow[4], "power on", 10*time.Second, func(n *objects.Node) bool {
		return deref(n.PowerState) == "power on" && n.Reservation == nil && n.LastError == nil
	})
}

// checkRolledBack compares a node before and after a call refused with
// NoFreeConductorWorker.
func checkRolledBack(t *testing.T, name string, before, after *objects.Node, errHook bool) {
	t.Helper()
	same := func(field string, a, b *string) {
		if deref(a) != deref(b) {
			t.Errorf("%s: %s %s → %s, want it restored", name, field, deref(a), deref(b))
		}
	}
	same("provision_state", before.ProvisionState, after.ProvisionState)
	same("target_provision_state", before.TargetProvisionState, after.TargetProvisionState)
	same("power_state", before.PowerState, after.PowerState)
	same("target_power_state", before.TargetPowerState, after.TargetPowerState)
	if before.ConsoleEnabled != after.ConsoleEnabled {
		t.Errorf("%s: console_enabled changed", name)
	}
	if errHook && deref(after.LastError) != noFreeWorkers {
		t.Errorf("%s: last_error = %q, want %q", name, deref(after.LastError), noFreeWorkers)
	}
	if !errHook && after.LastError != nil {
		t.Errorf("%s: last_error = %q, want None (Ironic has no error hook here)", name, *after.LastError)
	}
}
