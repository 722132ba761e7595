package states

import (
	"errors"
	"fmt"
	"slices"
)

// Event is a provision state machine event, as the conductor fires it
// (task.process_event) and as do_provisioning_action receives it.
type Event string

// Events of Ironic 7.0.0's machine.
const (
	EventDeploy  Event = "deploy"
	EventRebuild Event = "rebuild"
	EventDelete  Event = "delete"
	EventManage  Event = "manage"
	EventProvide Event = "provide"
	EventInspect Event = "inspect"
	EventAbort   Event = "abort"
	EventClean   Event = "clean"
	EventAdopt   Event = "adopt"
	EventDone    Event = "done"
	EventFail    Event = "fail"
	EventWait    Event = "wait"
	EventResume  Event = "resume"
	// EventError moves a failed tear down from deleting to error. Ironic
	// 7.0.0 fires "error" here; later releases renamed it "fail".
	EventError Event = "error"
)

// String returns the wire value.
func (e Event) String() string { return string(e) }

// AllEvents returns every event of the machine.
func AllEvents() []Event {
	return []Event{
		EventDeploy, EventRebuild, EventDelete, EventManage, EventProvide, EventInspect,
		EventAbort, EventClean, EventAdopt, EventDone, EventFail, EventWait, EventResume,
		EventError,
	}
}

// Transition is one edge of the machine: From --Event--> To.
type Transition struct {
	From  State
	Event Event
	To    State
}

// Transitions returns the 1.40 transition table (ironic_1_40.md §6.2), in
// Ironic's order of declaration.
func Transitions() []Transition { return slices.Clone(transitions[:]) }

// transitions is the table; never modified.
var transitions = [...]Transition{
	{Available, EventDeploy, Deploying},
	{Deploying, EventFail, DeployFail},
	{DeployFail, EventRebuild, Deploying},
	{DeployFail, EventDeploy, Deploying},
	{Deploying, EventWait, DeployWait},
	{DeployWait, EventResume, Deploying},
	{DeployWait, EventFail, DeployFail},
	{Deploying, EventDone, Active},
	{Active, EventRebuild, Deploying},
	{Active, EventDelete, Deleting},
	{DeployWait, EventDelete, Deleting},
	{DeployFail, EventDelete, Deleting},
	{Deleting, EventError, Error},
	{Deleting, EventClean, Cleaning},
	{Cleaning, EventDone, Available},
	{Cleaning, EventFail, CleanFail},
	{CleanWait, EventFail, CleanFail},
	{CleanWait, EventAbort, CleanFail},
	{Cleaning, EventWait, CleanWait},
	{CleanWait, EventResume, Cleaning},
	{CleanFail, EventManage, Manageable},
	{Manageable, EventProvide, Cleaning},
	{Manageable, EventClean, Cleaning},
	{Cleaning, EventManage, Manageable},
	{Available, EventManage, Manageable},
	{Error, EventRebuild, Deploying},
	{Error, EventDelete, Deleting},
	{Manageable, EventInspect, Inspecting},
	{Inspecting, EventDone, Manageable},
	{Inspecting, EventFail, InspectFail},
	{InspectFail, EventManage, Manageable},
	{InspectFail, EventInspect, Inspecting},
	{Enroll, EventManage, Verifying},
	{Verifying, EventDone, Manageable},
	{Verifying, EventFail, Enroll},
	{Manageable, EventAdopt, Adopting},
	{Adopting, EventDone, Active},
	{Adopting, EventFail, AdoptFail},
	{AdoptFail, EventAdopt, Adopting},
	{AdoptFail, EventManage, Manageable},
}

type edge struct {
	from  State
	event Event
}

// next indexes transitions; never modified.
var next = func() map[edge]State {
	m := make(map[edge]State, len(transitions))
	for _, t := range transitions {
		m[edge{t.From, t.Event}] = t.To
	}
	return m
}()

// MachineStates returns the states registered in the machine: the stable
// states first, then the others in Ironic's order of registration. A
// machine can only start from one of them.
func MachineStates() []State {
	return []State{
		Enroll, Manageable, Available, Active, Error,
		Verifying, Deploying, DeployWait, DeployFail, Cleaning, CleanWait,
		CleanFail, Deleting, Inspecting, InspectFail, Adopting, AdoptFail,
	}
}

// IsMachineState reports whether s is registered in the machine.
func IsMachineState(s State) bool {
	return slices.Contains(MachineStates(), s)
}

// Next returns the state event leads to from state from, and whether the
// machine defines that transition.
func Next(from State, event Event) (State, bool) {
	to, ok := next[edge{from, event}]
	return to, ok
}

// ErrInvalidState matches every [*InvalidStateError] with errors.Is. The
// conductor maps it to exception.InvalidState.
var ErrInvalidState = errors.New("states: invalid state")

// Reason says why the machine refused.
type Reason int

// Reasons for an InvalidStateError.
const (
	// NoTransition: the current state has no transition on the event.
	NoTransition Reason = iota + 1
	// NotInitialized: Process was called on a machine never initialized.
	NotInitialized
	// UnknownState: the start state is not a state of the machine.
	UnknownState
	// UnknownTarget: the target is not a state of the machine.
	UnknownTarget
	// UnstableTarget: the target is a state that is not stable.
	UnstableTarget
)

// InvalidStateError reports a refused transition or an invalid start or
// target state. Its message is the text Ironic's fsm puts in the
// InvalidState it raises.
type InvalidStateError struct {
	Reason Reason
	// State is the current state (NoTransition), the start state
	// (UnknownState) or the target (UnknownTarget, UnstableTarget).
	State State
	// Event is the event refused (NoTransition, NotInitialized).
	Event Event
}

// Error returns Ironic's message for the refusal.
func (e *InvalidStateError) Error() string {
	switch e.Reason {
	case NoTransition:
		return fmt.Sprintf("Can not transition from state '%s' on event '%s' (no defined transition)",
			e.State.pyRepr(), e.Event)
	case NotInitialized:
		return fmt.Sprintf("Can not process event '%s'; the state machine hasn't been initialized", e.Event)
	case UnknownState:
		return fmt.Sprintf("Can not start from a undefined state '%s'", e.State.pyRepr())
	case UnknownTarget:
		return fmt.Sprintf("Target state '%s' does not exist", e.State.pyRepr())
	case UnstableTarget:
		return fmt.Sprintf("Target state '%s' is not a 'stable' state", e.State.pyRepr())
	}
	return "Invalid resource state."
}

// Is reports whether target is ErrInvalidState.
func (e *InvalidStateError) Is(target error) bool { return target == ErrInvalidState }

// Machine is a provision state machine seeded with a node's states: what
// TaskManager keeps as task.fsm. The zero value is uninitialized. A
// Machine is a plain value owned by one task; it is not safe for
// concurrent use.
type Machine struct {
	current, target State
	initialized     bool
}

// New returns a machine initialized to current and target, as
// [Machine.Initialize] does.
func New(current, target State) (*Machine, error) {
	m := &Machine{}
	if err := m.Initialize(current, target); err != nil {
		return nil, err
	}
	return m, nil
}

// Initialize seeds the machine with a node's provision_state and
// target_provision_state. current must be a state of the machine
// (UnknownState otherwise; NoState included, as Python's None). A target
// other than NoState must be a stable state of the machine; NoState means
// current's default target.
func (m *Machine) Initialize(current, target State) error {
	if !IsMachineState(current) {
		return &InvalidStateError{Reason: UnknownState, State: current}
	}
	if err := validateTarget(target); err != nil {
		return err
	}
	if target == NoState {
		target = DefaultTarget(current)
	}
	m.current, m.target, m.initialized = current, target, true
	return nil
}

// Process fires event and applies Ironic's target rule: a target equal to
// the new state is cleared, a new state with a default target takes it,
// and target, unless NoState, overrides both. On error the machine is
// unchanged.
//
// Unlike Ironic, an invalid explicit target is refused before moving
// (Ironic moves, then raises); either way the node is not saved.
func (m *Machine) Process(event Event, target State) error {
	if !m.initialized {
		return &InvalidStateError{Reason: NotInitialized, Event: event}
	}
	to, ok := Next(m.current, event)
	if !ok {
		return &InvalidStateError{Reason: NoTransition, State: m.current, Event: event}
	}
	if err := validateTarget(target); err != nil {
		return err
	}
	m.current = to
	if m.target != NoState && m.target == to {
		m.target = NoState
	}
	if d := DefaultTarget(to); d != NoState {
		m.target = d
	}
	if target != NoState {
		m.target = target
	}
	return nil
}

// CanProcess reports whether the machine is initialized and its current
// state has a transition on event.
func (m *Machine) CanProcess(event Event) bool {
	if !m.initialized {
		return false
	}
	_, ok := Next(m.current, event)
	return ok
}

// Current returns the current state (NoState before Initialize).
func (m *Machine) Current() State { return m.current }

// Target returns the target state, NoState when there is none.
func (m *Machine) Target() State { return m.target }

// Initialized reports whether Initialize succeeded.
func (m *Machine) Initialized() bool { return m.initialized }

func validateTarget(target State) error {
	if target == NoState {
		return nil
	}
	if !IsMachineState(target) {
		return &InvalidStateError{Reason: UnknownTarget, State: target}
	}
	if !IsStable(target) {
		return &InvalidStateError{Reason: UnstableTarget, State: target}
	}
	return nil
}
