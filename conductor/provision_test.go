package conductor_test

import (
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
