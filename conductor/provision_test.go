package conductor_test

import (
	"strings"
	"testing"
	"time"

	"github.com/ironic-go/ironic-go/objects"
)

// TestManageRecordsUnknownPowerState: verifying a node whose driver does
// not know its power state (fake-hardware reports the node's own, None
// for a new node) records None, as Ironic's _do_node_verify does, not an
// empty string.
func TestManageRecordsUnknownPowerState(t *testing.T) {
	t.Parallel()
	u := newUnitEnv(t, testDrivers{}, nil)
	uuid := *u.enroll("verify", nil).UUID
	if err := u.api.DoProvisioningAction(t.Context(), uuid, "manage", u.to()); err != nil {
		t.Fatal(err)
	}
	n := waitFor(t, u.store, uuid, "manageable", 10*time.Second, func(n *objects.Node) bool {
		return deref(n.ProvisionState) == "manageable" && n.Reservation == nil
	})
	if n.PowerState != nil {
		t.Errorf("power_state = %q, want None", *n.PowerState)
	}
	if n.LastError != nil || n.TargetProvisionState != nil {
		t.Errorf("last_error %v, target_provision_state %v; want None", deref(n.LastError), deref(n.TargetProvisionState))
	}
}

// TestFailedPowerChangeClearsTarget: a driver error in the power worker
// ends as Ironic's node_power_action ends it: no target_power_state, the
// power state unchanged, last_error "Failed to change power state to
// '<target>'. Error: <error>", no lock.
func TestFailedPowerChangeClearsTarget(t *testing.T) {
	t.Parallel()
	u := newUnitEnv(t, testDrivers{}, nil)
	uuid := *u.enroll("bmc-says-no", map[string]string{"power_interface": failName}).UUID
	setState(t, u.store, uuid, "manageable", "", "power off")
	if err := u.api.ChangeNodePowerState(t.Context(), uuid, "power on", 0, u.to()); err != nil {
		t.Fatal(err)
	}
	n := waitFor(t, u.store, uuid, "failure recorded", 10*time.Second, func(n *objects.Node) bool {
		return n.Reservation == nil && n.LastError != nil
	})
	want := "Failed to change power state to 'power on'. Error: the BMC said no"
	if deref(n.LastError) != want || n.TargetPowerState != nil || deref(n.PowerState) != "power off" {
		t.Errorf("last_error %q target %s power %s; want %q, None, power off", deref(n.LastError), deref(n.TargetPowerState), deref(n.PowerState), want)
	}
}

// TestPanickingDeployFails: a deploy driver that panics moves the node to
// deploy failed with the panic in last_error, as an exception in Ironic's
// deploy worker does, instead of leaving it in deploying.
func TestPanickingDeployFails(t *testing.T) {
	t.Parallel()
	u := newUnitEnv(t, testDrivers{}, nil)
	uuid := *u.enroll("deploy-panics", map[string]string{"deploy_interface": panicName}).UUID
	setState(t, u.store, uuid, "available", "", "power off")
	if err := u.api.DoNodeDeploy(t.Context(), uuid, false, "", u.to()); err != nil {
		t.Fatal(err)
	}
	n := waitFor(t, u.store, uuid, "deploy failed", 10*time.Second, func(n *objects.Node) bool {
		return n.Reservation == nil && deref(n.ProvisionState) == "deploy failed"
	})
	if !strings.Contains(deref(n.LastError), "injected panic") || deref(n.TargetProvisionState) != "active" {
		t.Errorf("last_error %q target %s; want the panic and target active", deref(n.LastError), deref(n.TargetProvisionState))
	}
}
