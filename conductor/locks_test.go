package conductor_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ironic-go/ironic-go/conductor"
	"github.com/ironic-go/ironic-go/db"
	"github.com/ironic-go/ironic-go/objects"
	"github.com/ironic-go/ironic-go/objects/exception"
	"github.com/ironic-go/ironic-go/rpcapi"
)

// TestNodeLockedByAnotherHolder: while another conductor holds the node,
// every method that needs the exclusive lock fails with NodeLocked (409,
// naming the holder) after its retries and leaves the holder's lock alone;
// methods that take a shared lock still work. Once the holder lets go
// during the retries, the call goes through.
func TestNodeLockedByAnotherHolder(t *testing.T) {
	t.Parallel()
	u := newUnitEnv(t, testDrivers{}, nil)
	ctx := t.Context()
	n := u.enroll("locked", nil)
	uuid := *n.UUID
	setState(t, u.store, uuid, "manageable", "", "power off")
	if _, err := u.store.ReserveNode(ctx, "other-host", db.ByUUID(uuid)); err != nil {
		t.Fatal(err)
	}
	to := u.to()
	exclusive := map[string]func() error{
		"change_node_power_state": func() error { return u.api.ChangeNodePowerState(ctx, uuid, "power on", 0, to) },
		"set_boot_device":         func() error { return u.api.SetBootDevice(ctx, uuid, "pxe", false, to) },
		"get_boot_device":         func() error { _, err := u.api.GetBootDevice(ctx, uuid, to); return err },
		"inject_nmi":              func() error { return u.api.InjectNMI(ctx, uuid, to) },
		"do_provisioning_action":  func() error { return u.api.DoProvisioningAction(ctx, uuid, "provide", to) },
		"do_node_clean":           func() error { return u.api.DoNodeClean(ctx, uuid, []map[string]any{}, to) },
		"inspect_hardware":        func() error { return u.api.InspectHardware(ctx, uuid, to) },
		"set_console_mode":        func() error { return u.api.SetConsoleMode(ctx, uuid, true, to) },
		"set_target_raid_config":  func() error { return u.api.SetTargetRAIDConfig(ctx, uuid, map[string]any{}, to) },
		"vif_attach":              func() error { return u.api.VIFAttach(ctx, uuid, map[string]any{"id": "vif"}, to) },
		"vif_detach":              func() error { return u.api.VIFDetach(ctx, uuid, "vif", to) },
		"destroy_node":            func() error { return u.api.DestroyNode(ctx, uuid, to) },
		"vendor_passthru (exclusive route)": func() error {
			_, err := u.api.VendorPassthru(ctx, uuid, "third_method_sync", "POST", map[string]any{"bar": "meow"}, to)
			return err
		},
		"update_node": func() error {
			upd := n.Clone()
			upd.Extra = map[string]any{"k": "v"}
			upd.ResetChanges()
			upd.MarkChanged("extra")
			_, err := u.api.UpdateNode(ctx, upd, to)
			return err
		},
	}
	for name, call := range exclusive {
		err := call()
		var ie *exception.Error
		if !errors.As(err, &ie) || !errors.Is(err, exception.ErrNodeLocked) || ie.Code() != 409 {
			t.Errorf("%s on a node held by other-host: %v, want NodeLocked (409)", name, err)
			continue
		}
		if !strings.Contains(ie.Msg, "other-host") || !strings.Contains(ie.Msg, uuid) {
			t.Errorf("%s: NodeLocked message %q does not name the node and its holder", name, ie.Msg)
		}
	}
	shared := map[string]func() error{
		"validate_driver_interfaces":       func() error { _, err := u.api.ValidateDriverInterfaces(ctx, uuid, to); return err },
		"get_supported_boot_devices":       func() error { _, err := u.api.GetSupportedBootDevices(ctx, uuid, to); return err },
		"get_node_vendor_passthru_methods": func() error { _, err := u.api.GetNodeVendorPassthruMethods(ctx, uuid, to); return err },
		"vif_list":                         func() error { _, err := u.api.VIFList(ctx, uuid, to); return err },
	}
	for name, call := range shared {
		if err := call(); err != nil {
			t.Errorf("%s (shared lock) on a node held by other-host: %v", name, err)
		}
	}
	got := waitFor(t, u.store, uuid, "other-host's reservation", time.Second, func(n *objects.Node) bool { return true })
	if deref(got.Reservation) != "other-host" || deref(got.ProvisionState) != "manageable" || got.Extra["k"] != nil {
		t.Fatalf("node changed under another holder's lock: reservation=%s provision_state=%s extra=%v",
			deref(got.Reservation), deref(got.ProvisionState), got.Extra)
	}
}

// TestNodeLockedReleasedDuringRetries: when the holder lets go while the
// conductor is still retrying (node_locked_retry_attempts), the call goes
// through.
func TestNodeLockedReleasedDuringRetries(t *testing.T) {
	t.Parallel()
	u := newUnitEnv(t, testDrivers{}, func(c *conductor.Config) {
		// Retries for 5 s; the holder lets go after 50 ms.
		c.NodeLockedRetryAttempts = 250
		c.NodeLockedRetryInterval = 20 * time.Millisecond
	})
	ctx := t.Context()
	uuid := *u.enroll("released", nil).UUID
	if _, err := u.store.ReserveNode(ctx, "other-host", db.ByUUID(uuid)); err != nil {
		t.Fatal(err)
	}
	to := u.to()
	var wg sync.WaitGroup
	wg.Go(func() {
		time.Sleep(50 * time.Millisecond)
		if err := u.store.ReleaseNode(context.WithoutCancel(ctx), "other-host", db.ByUUID(uuid)); err != nil {
			t.Errorf("release: %v", err)
		}
	})
	err := u.api.SetBootDevice(ctx, uuid, "pxe", false, to)
	wg.Wait()
	if err != nil {
		t.Fatalf("set_boot_device after the holder let go during the retries: %v", err)
	}
	waitFor(t, u.store, uuid, "released lock", 5*time.Second, unlocked)
}

// TestNodeLockedRetries: a single-attempt configuration gives up at once;
// the lock retry budget is node_locked_retry_attempts.
func TestNodeLockedRetries(t *testing.T) {
	t.Parallel()
	u := newUnitEnv(t, testDrivers{}, func(c *conductor.Config) {
		c.NodeLockedRetryAttempts = 1
		c.NodeLockedRetryInterval = time.Hour
	})
	ctx := t.Context()
	uuid := *u.enroll("once", nil).UUID
	if _, err := u.store.ReserveNode(ctx, "other-host", db.ByUUID(uuid)); err != nil {
		t.Fatal(err)
	}
	// With an hour between attempts, only a single attempt can answer.
	if err := u.api.SetBootDevice(ctx, uuid, "pxe", false, u.to()); !errors.Is(err, exception.ErrNodeLocked) {
		t.Fatalf("set_boot_device: %v, want NodeLocked", err)
	}
}

// TestLockReleasedAfterWorkerPanic: a driver that panics in the background
// power worker does not take the conductor down or keep the node locked;
// the node records the failure as Ironic records an exception of
// node_power_action, and the conductor keeps serving the node.
func TestLockReleasedAfterWorkerPanic(t *testing.T) {
	t.Parallel()
	u := newUnitEnv(t, testDrivers{}, nil)
	ctx := t.Context()
	uuid := *u.enroll("panics", map[string]string{"power_interface": panicName}).UUID
	setState(t, u.store, uuid, "manageable", "", "power off")

	if err := u.api.ChangeNodePowerState(ctx, uuid, "power on", 0, u.to()); err != nil {
		t.Fatalf("change_node_power_state: %v", err)
	}
	n := waitFor(t, u.store, uuid, "lock released after the panic", 10*time.Second, func(n *objects.Node) bool {
		return n.Reservation == nil && n.LastError != nil
	})
	if deref(n.PowerState) != "power off" {
		t.Errorf("power_state = %s, want power off (unchanged)", deref(n.PowerState))
	}
	if n.TargetPowerState != nil {
		t.Errorf("target_power_state = %s after the failed power action, want None (power sync skips nodes with a target)", *n.TargetPowerState)
	}
	if !strings.Contains(*n.LastError, "injected panic") {
		t.Errorf("last_error = %q, want the panic recorded", *n.LastError)
	}
	// The conductor is alive and the node usable.
	if _, err := u.api.GetBootDevice(ctx, uuid, u.to()); err != nil {
		t.Fatalf("get_boot_device after the panic: %v", err)
	}
	waitFor(t, u.store, uuid, "released lock", 5*time.Second, unlocked)
	if got := reservations(t, u.store); len(got) != 0 {
		t.Fatalf("reservations left: %v", got)
	}
}

// randomOps runs ops random operations from workers goroutines on nodes
// whose power, management, deploy and inspect interfaces fail at random
// (errors, panics), and returns the errors seen by class.
func randomOps(t *testing.T, store db.API, api *rpcapi.ConductorAPI, to rpcapi.CallOption, uuids []string, seed uint64, ops, workers int) map[string]int {
	t.Helper()
	ctx := t.Context()
	type op struct {
		name string
		call func(uuid string, r *rand.Rand) error
	}
	table := []op{
		{"power on", func(u string, _ *rand.Rand) error { return api.ChangeNodePowerState(ctx, u, "power on", 0, to) }},
		{"power off", func(u string, _ *rand.Rand) error { return api.ChangeNodePowerState(ctx, u, "power off", 0, to) }},
		{"reboot", func(u string, _ *rand.Rand) error { return api.ChangeNodePowerState(ctx, u, "rebooting", 0, to) }},
		{"set_boot_device", func(u string, _ *rand.Rand) error { return api.SetBootDevice(ctx, u, "pxe", false, to) }},
		{"get_boot_device", func(u string, _ *rand.Rand) error { _, err := api.GetBootDevice(ctx, u, to); return err }},
		{"validate", func(u string, _ *rand.Rand) error { _, err := api.ValidateDriverInterfaces(ctx, u, to); return err }},
		{"manage", func(u string, _ *rand.Rand) error { return api.DoProvisioningAction(ctx, u, "manage", to) }},
		{"provide", func(u string, _ *rand.Rand) error { return api.DoProvisioningAction(ctx, u, "provide", to) }},
		{"adopt", func(u string, _ *rand.Rand) error { return api.DoProvisioningAction(ctx, u, "adopt", to) }},
		{"deploy", func(u string, _ *rand.Rand) error { return api.DoNodeDeploy(ctx, u, false, "", to) }},
		{"rebuild", func(u string, _ *rand.Rand) error { return api.DoNodeDeploy(ctx, u, true, "", to) }},
		{"tear down", func(u string, _ *rand.Rand) error { return api.DoNodeTearDown(ctx, u, to) }},
		{"inspect", func(u string, _ *rand.Rand) error { return api.InspectHardware(ctx, u, to) }},
		{"clean", func(u string, _ *rand.Rand) error { return api.DoNodeClean(ctx, u, []map[string]any{}, to) }},
		{"console on", func(u string, _ *rand.Rand) error { return api.SetConsoleMode(ctx, u, true, to) }},
		{"console off", func(u string, _ *rand.Rand) error { return api.SetConsoleMode(ctx, u, false, to) }},
		{"vendor sync", func(u string, _ *rand.Rand) error {
			_, err := api.VendorPassthru(ctx, u, "third_method_sync", "POST", map[string]any{"bar": "meow"}, to)
			return err
		}},
		{"vendor async", func(u string, _ *rand.Rand) error {
			_, err := api.VendorPassthru(ctx, u, "second_method", "POST", map[string]any{"bar": "kazoo"}, to)
			return err
		}},
		{"vendor shared", func(u string, _ *rand.Rand) error {
			_, err := api.VendorPassthru(ctx, u, "fourth_method_shared_lock", "POST", map[string]any{"bar": "woof"}, to)
			return err
		}},
		{"heartbeat", func(u string, _ *rand.Rand) error { return api.Heartbeat(ctx, u, "http://192.0.2.1:9999", to) }},
		{"maintenance off", func(u string, _ *rand.Rand) error {
			// Cleaning failures put nodes in maintenance; the operator
			// takes them out (update_node, as PATCH /maintenance).
			n, err := store.GetNodeByUUID(ctx, u)
			if err != nil {
				return err
			}
			n.Maintenance = false
			n.ResetChanges()
			n.MarkChanged("maintenance")
			_, err = api.UpdateNode(ctx, n, to)
			return err
		}},
	}
	seen := map[string]int{}
	var mu sync.Mutex
	work := make(chan int)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			r := rand.New(rand.NewPCG(seed, uint64(w)))
			for range work {
				o := table[r.IntN(len(table))]
				err := o.call(uuids[r.IntN(len(uuids))], r)
				class := "ok"
				if err != nil {
					var ie *exception.Error
					if errors.As(err, &ie) {
						class = ie.Class
					} else {
						class = fmt.Sprintf("%T", err)
					}
				}
				mu.Lock()
				seen[class]++
				mu.Unlock()
			}
		})
	}
	for i := range ops {
		work <- i
	}
	close(work)
	wg.Wait()
	return seen
}

// TestNoReservationLeftAfterRandomOperations: 1,000 random operations
// from 8 concurrent clients on 10 nodes whose drivers fail at random
// (errors and panics, in the request and in background workers), with
// the power state sync running every 50 ms, leave no node reserved once
// the work has finished, no node in a state only a worker moves it out of
// (deploying, cleaning, ...) and no pending power target; only Ironic's
// exceptions reach the callers.
func TestNoReservationLeftAfterRandomOperations(t *testing.T) {
	t.Parallel()
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)
	c := newChaos(seed, 0.15, 0.03, 2*time.Millisecond)
	u := newUnitEnv(t, testDrivers{chaos: c}, func(cfg *conductor.Config) {
		cfg.NodeLockedRetryAttempts = 2
		cfg.NodeLockedRetryInterval = 5 * time.Millisecond
		cfg.SyncPowerStateInterval = 50 * time.Millisecond
	})
	var uuids []string
	for i := range 10 {
		n := u.enroll(fmt.Sprintf("random-%d", i), map[string]string{
			"power_interface": flakyName, "management_interface": flakyName,
			"deploy_interface": flakyName, "inspect_interface": flakyName,
		})
		uuids = append(uuids, *n.UUID)
	}
	seen := randomOps(t, u.store, u.api, u.to(), uuids, seed, 1000, 8)
	t.Logf("outcomes: %v; injected %d failures, %d panics", seen, c.fails.Load(), c.panics.Load())
	checkNoReservations(t, u.store, uuids)
	for class := range seen {
		if class != "ok" && !exception.IsSubclass(class, "IronicException") {
			t.Errorf("%d calls failed with %s, not an Ironic exception", seen[class], class)
		}
	}
	if seen["ok"] == 0 || c.panics.Load() == 0 {
		t.Errorf("the run did not exercise both successes and panics: %v", seen)
	}
}

// checkNoReservations waits for background work to end (a reservation
// left by work in flight clears within milliseconds) and fails on any
// node still reserved.
func checkNoReservations(t *testing.T, store db.API, uuids []string) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		left := reservations(t, store)
		if len(left) == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("reservations left after the work ended: %v", left)
		}
		time.Sleep(20 * time.Millisecond)
	}
	for _, u := range uuids {
		n, err := store.GetNodeByUUID(context.WithoutCancel(t.Context()), u)
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("node %s: provision_state=%s target=%s power=%s target_power=%s maintenance=%v",
			u[:8], deref(n.ProvisionState), deref(n.TargetProvisionState), deref(n.PowerState), deref(n.TargetPowerState), n.Maintenance)
		switch st := deref(n.ProvisionState); st {
		case "deploying", "cleaning", "verifying", "inspecting", "adopting", "deleting":
			t.Errorf("node %s left in %s with no work running (last_error %s)", u, st, deref(n.LastError))
		}
		if n.TargetPowerState != nil {
			t.Errorf("node %s left with target_power_state %s and no work running (last_error %s)", u, *n.TargetPowerState, deref(n.LastError))
		}
	}
}
