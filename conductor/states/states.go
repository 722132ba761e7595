package states

import "slices"

// State is a provision state as it appears in a node's provision_state and
// target_provision_state columns. The zero value is [NoState] (null).
type State string

// Provision states of Ironic 7.0.0 (common/states.py).
const (
	// NoState is Python's NOSTATE (None): no provision state, or no target.
	NoState State = ""
	// Enroll: Ironic knows the node but does not manage it yet.
	Enroll State = "enroll"
	// Verifying: the power credentials are being checked (manage from enroll).
	Verifying State = "verifying"
	// Manageable: verified at least once; not available for deployment.
	Manageable State = "manageable"
	// Available: ready to be scheduled and deployed.
	Available State = "available"
	// Active: deployed and associated with an instance.
	Active State = "active"
	// DeployWait: waiting for the deploy ramdisk to call back (DEPLOYWAIT).
	DeployWait State = "wait call-back"
	// Deploying: a deployment is in progress.
	Deploying State = "deploying"
	// DeployFail: the deployment failed.
	DeployFail State = "deploy failed"
	// DeployDone is only returned by a deploy driver ("deploy complete"); it
	// is never a node's provision state.
	DeployDone State = "deploy complete"
	// Deleting: the instance is being torn down.
	Deleting State = "deleting"
	// Deleted is the API verb target for a tear down and the value a deploy
	// driver's tear_down returns; it is never a node's provision state.
	Deleted State = "deleted"
	// Cleaning: clean steps are running.
	Cleaning State = "cleaning"
	// CleanWait: waiting for an asynchronous clean step (CLEANWAIT).
	CleanWait State = "clean wait"
	// CleanFail: cleaning failed; an operator must intervene.
	CleanFail State = "clean failed"
	// Error: tear down failed, or another error needing intervention.
	Error State = "error"
	// Rebuild is an API verb (do_node_deploy with rebuild=True), never a
	// provision state.
	Rebuild State = "rebuild"
	// Inspecting: hardware inspection is in progress.
	Inspecting State = "inspecting"
	// InspectFail: inspection failed.
	InspectFail State = "inspect failed"
	// Adopting: the node is being adopted as already deployed.
	Adopting State = "adopting"
	// AdoptFail: adoption failed.
	AdoptFail State = "adopt failed"
)

// Of returns the state stored in a nullable column: nil is NoState.
func Of(p *string) State {
	if p == nil {
		return NoState
	}
	return State(*p)
}

// Ptr returns s as a nullable column value: NoState is nil.
func (s State) Ptr() *string {
	if s == NoState {
		return nil
	}
	v := string(s)
	return &v
}

// String returns the wire value ("" for NoState).
func (s State) String() string { return string(s) }

// pyRepr renders s as Python's '%s' of the value does: None for NoState.
func (s State) pyRepr() string {
	if s == NoState {
		return "None"
	}
	return string(s)
}

// AllStates returns every provision state constant of 1.40 except NoState,
// including the three that are never a node's provision state
// (DeployDone, Deleted, Rebuild).
func AllStates() []State {
	return []State{
		Enroll, Verifying, Manageable, Available, Active, DeployWait, Deploying,
		DeployFail, DeployDone, Deleting, Deleted, Cleaning, CleanWait, CleanFail,
		Error, Rebuild, Inspecting, InspectFail, Adopting, AdoptFail,
	}
}

// StableStates returns STABLE_STATES: states that do not change without a
// request. They are the states the machine marks stable, the only valid
// targets.
func StableStates() []State {
	return []State{Enroll, Manageable, Available, Active, Error}
}

// UnstableStates returns UNSTABLE_STATES: states that change without an
// external request (notifications report their start and end).
func UnstableStates() []State {
	return []State{Deploying, DeployWait, Cleaning, CleanWait, Verifying, Deleting, Inspecting, Adopting}
}

// DeleteAllowedStates returns DELETE_ALLOWED_STATES: the states in which
// destroy_node accepts a node that is not in maintenance. (Later Ironic
// releases dropped "available" from this list; 7.0.0 has it.)
func DeleteAllowedStates() []State {
	return []State{Available, Manageable, Enroll, AdoptFail}
}

// UpdateAllowedStates returns UPDATE_ALLOWED_STATES: transitional states in
// which the API allows updating a node.
func UpdateAllowedStates() []State {
	return []State{DeployFail, Inspecting, InspectFail, CleanFail, Error, Verifying, AdoptFail}
}

// SyncExcludedStates returns the provision states the power state sync
// skips (SYNC_EXCLUDED_STATES).
func SyncExcludedStates() []State {
	return []State{DeployWait, CleanWait, Enroll}
}

// IsStable reports whether s is in STABLE_STATES.
func IsStable(s State) bool { return slices.Contains(StableStates(), s) }

// IsUnstable reports whether s is in UNSTABLE_STATES.
func IsUnstable(s State) bool { return slices.Contains(UnstableStates(), s) }

// DeleteAllowed reports whether s is in DELETE_ALLOWED_STATES.
func DeleteAllowed(s State) bool { return slices.Contains(DeleteAllowedStates(), s) }

// UpdateAllowed reports whether s is in UPDATE_ALLOWED_STATES.
func UpdateAllowed(s State) bool { return slices.Contains(UpdateAllowedStates(), s) }

// SyncExcluded reports whether the power sync skips nodes in s.
func SyncExcluded(s State) bool { return slices.Contains(SyncExcludedStates(), s) }

// DefaultTarget returns the target a node takes when it enters s (the
// machine's per-state target), or NoState if s has none.
func DefaultTarget(s State) State {
	switch s {
	case Verifying, Inspecting, InspectFail:
		return Manageable
	case Deploying, DeployWait, DeployFail, Adopting, AdoptFail:
		return Active
	case Cleaning, CleanWait, CleanFail, Deleting:
		return Available
	}
	return NoState
}

// Verb returns the event for a target the REST API accepts in
// PUT /v1/nodes/<node>/states/provision (VERBS): "active" is "deploy",
// "deleted" is "delete", and manage, provide, inspect, abort, clean and
// adopt are their own event. "rebuild" is not a verb: the API turns it
// into do_node_deploy(rebuild=True).
func Verb(target string) (Event, bool) {
	e, ok := verbs()[target]
	return e, ok
}

// Verbs returns a copy of the VERBS table (API target → event).
func Verbs() map[string]Event { return verbs() }

func verbs() map[string]Event {
	return map[string]Event{
		string(Active):  EventDeploy,
		string(Deleted): EventDelete,
		"manage":        EventManage,
		"provide":       EventProvide,
		"inspect":       EventInspect,
		"abort":         EventAbort,
		"clean":         EventClean,
		"adopt":         EventAdopt,
	}
}
