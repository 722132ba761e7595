package states

import (
	"errors"
	"fmt"
	"testing"
)

// table140 is §6.2 of ironic_1_40.md written out by state, independently
// of the package's list: every (state, event) not here must be refused.
var table140 = map[State]map[Event]State{
	Available:   {EventDeploy: Deploying, EventManage: Manageable},
	DeployFail:  {EventDeploy: Deploying, EventRebuild: Deploying, EventDelete: Deleting},
	Active:      {EventRebuild: Deploying, EventDelete: Deleting},
	Error:       {EventRebuild: Deploying, EventDelete: Deleting},
	Deploying:   {EventWait: DeployWait, EventDone: Active, EventFail: DeployFail},
	DeployWait:  {EventResume: Deploying, EventFail: DeployFail, EventDelete: Deleting},
	Deleting:    {EventClean: Cleaning, EventError: Error},
	Manageable:  {EventProvide: Cleaning, EventClean: Cleaning, EventInspect: Inspecting, EventAdopt: Adopting},
	Cleaning:    {EventWait: CleanWait, EventDone: Available, EventManage: Manageable, EventFail: CleanFail},
	CleanWait:   {EventResume: Cleaning, EventFail: CleanFail, EventAbort: CleanFail},
	CleanFail:   {EventManage: Manageable},
	InspectFail: {EventManage: Manageable, EventInspect: Inspecting},
	AdoptFail:   {EventManage: Manageable, EventAdopt: Adopting},
	Enroll:      {EventManage: Verifying},
	Verifying:   {EventDone: Manageable, EventFail: Enroll},
	Inspecting:  {EventDone: Manageable, EventFail: InspectFail},
	Adopting:    {EventDone: Active, EventFail: AdoptFail},
}

// defaultTargets140 is §6.1's default targets.
var defaultTargets140 = map[State]State{
	Verifying: Manageable, Inspecting: Manageable, InspectFail: Manageable,
	Deploying: Active, DeployWait: Active, DeployFail: Active, Adopting: Active, AdoptFail: Active,
	Cleaning: Available, CleanWait: Available, CleanFail: Available, Deleting: Available,
}

// probeStates is every value a node's provision_state could hold, valid
// or not.
func probeStates() []State {
	return append(AllStates(), NoState, "bogus", "inspect wait", "rescue")
}

func probeEvents() []Event {
	return append(AllEvents(), "", "bogus", "unrescue", "rescue")
}

func TestTableMatchesSpec(t *testing.T) {
	n := 0
	for _, s := range probeStates() {
		for _, e := range probeEvents() {
			want, wantOK := table140[s][e]
			got, ok := Next(s, e)
			if ok != wantOK || got != want {
				t.Errorf("Next(%q, %q) = %q, %v; want %q, %v", s, e, got, ok, want, wantOK)
			}
			if wantOK {
				n++
			}
		}
	}
	if n != 40 || len(Transitions()) != 40 {
		t.Fatalf("spec has %d transitions, package %d; want 40", n, len(Transitions()))
	}
	seen := map[edge]bool{}
	for _, tr := range Transitions() {
		k := edge{tr.From, tr.Event}
		if seen[k] {
			t.Errorf("duplicate transition %v", tr)
		}
		seen[k] = true
	}
}

func TestProcessEveryPair(t *testing.T) {
	for _, s := range MachineStates() {
		for _, e := range probeEvents() {
			t.Run(fmt.Sprintf("%s/%s", s, e), func(t *testing.T) {
				m, err := New(s, NoState)
				if err != nil {
					t.Fatal(err)
				}
				want, allowed := table140[s][e]
				if got := m.CanProcess(e); got != allowed {
					t.Errorf("CanProcess = %v, want %v", got, allowed)
				}
				err = m.Process(e, NoState)
				if !allowed {
					var ise *InvalidStateError
					if !errors.As(err, &ise) || ise.Reason != NoTransition || !errors.Is(err, ErrInvalidState) {
						t.Fatalf("Process error = %v, want NoTransition", err)
					}
					msg := fmt.Sprintf("Can not transition from state '%s' on event '%s' (no defined transition)", s, e)
					if err.Error() != msg {
						t.Errorf("message %q, want %q", err.Error(), msg)
					}
					if m.Current() != s || m.Target() != defaultTargets140[s] {
						t.Errorf("machine moved on refusal: %q/%q", m.Current(), m.Target())
					}
					return
				}
				if err != nil {
					t.Fatalf("Process: %v", err)
				}
				if m.Current() != want {
					t.Errorf("Current = %q, want %q", m.Current(), want)
				}
			})
		}
	}
}

// wantTarget is the FSM target rule of §6.2, stated once more.
func wantTarget(prev, to, override State) State {
	if override != NoState {
		return override
	}
	if d, ok := defaultTargets140[to]; ok {
		return d
	}
	if prev == to {
		return NoState
	}
	return prev
}

func TestTargetsEveryTransition(t *testing.T) {
	targets := append([]State{NoState}, StableStates()...)
	for from, evs := range table140 {
		for e, to := range evs {
			for _, initial := range targets {
				for _, override := range targets {
					name := fmt.Sprintf("%s/%s/from-target=%q/override=%q", from, e, initial, override)
					m, err := New(from, initial)
					if err != nil {
						t.Fatalf("%s: New: %v", name, err)
					}
					prev := m.Target()
					if initial == NoState && prev != defaultTargets140[from] {
						t.Errorf("%s: initial target %q, want default %q", name, prev, defaultTargets140[from])
					}
					if err := m.Process(e, override); err != nil {
						t.Fatalf("%s: Process: %v", name, err)
					}
					if got, want := m.Target(), wantTarget(prev, to, override); got != want {
						t.Errorf("%s: target %q, want %q", name, got, want)
					}
				}
			}
		}
	}
}

func TestTargetRuleExamples(t *testing.T) {
	tests := []struct {
		name               string
		from, target       State
		events             []Event
		override           State // applied to the first event
		wantState, wantTgt State
	}{
		{"provide cleans towards available", Manageable, NoState, []Event{EventProvide}, NoState, Cleaning, Available},
		{"manual clean keeps manageable", Manageable, NoState, []Event{EventClean}, Manageable, Cleaning, Manageable},
		// clean wait has a default target, so a manual clean must pass
		// manageable again on wait and resume, as Ironic's conductor does.
		{"clean wait takes its default", Manageable, NoState, []Event{EventClean, EventWait}, Manageable, CleanWait, Available},
		{"manual clean done keeps stale target", Manageable, NoState, []Event{EventClean, EventDone}, Manageable, Available, Manageable},
		{"manual clean manage clears target", Manageable, NoState, []Event{EventClean, EventManage}, Manageable, Manageable, NoState},
		{"deploy done reaches active", Available, NoState, []Event{EventDeploy, EventDone}, NoState, Active, NoState},
		{"deploy wait keeps active", Available, NoState, []Event{EventDeploy, EventWait}, NoState, DeployWait, Active},
		{"verify done", Enroll, NoState, []Event{EventManage, EventDone}, NoState, Manageable, NoState},
		{"verify fail keeps manageable", Enroll, NoState, []Event{EventManage, EventFail}, NoState, Enroll, Manageable},
		{"inspect fail", Manageable, NoState, []Event{EventInspect, EventFail}, NoState, InspectFail, Manageable},
		{"adopt done", Manageable, NoState, []Event{EventAdopt, EventDone}, NoState, Active, NoState},
		{"tear down error", Active, NoState, []Event{EventDelete, EventError}, NoState, Error, Available},
		{"tear down then clean", Active, NoState, []Event{EventDelete, EventClean, EventDone}, NoState, Available, NoState},
		{"available manage", Available, NoState, []Event{EventManage}, NoState, Manageable, NoState},
		{"stable with stale target keeps it", Available, Active, []Event{EventManage}, NoState, Manageable, Active},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := New(tt.from, tt.target)
			if err != nil {
				t.Fatal(err)
			}
			for i, e := range tt.events {
				o := NoState
				if i == 0 {
					o = tt.override
				}
				if err := m.Process(e, o); err != nil {
					t.Fatalf("event %q: %v", e, err)
				}
			}
			if m.Current() != tt.wantState || m.Target() != tt.wantTgt {
				t.Errorf("got %q/%q, want %q/%q", m.Current(), m.Target(), tt.wantState, tt.wantTgt)
			}
		})
	}
}

func TestInitialize(t *testing.T) {
	for _, s := range probeStates() {
		for _, tgt := range probeStates() {
			m := &Machine{}
			err := m.Initialize(s, tgt)
			switch {
			case !IsMachineState(s):
				checkReason(t, err, UnknownState, fmt.Sprintf("Can not start from a undefined state '%s'", pyName(s)))
			case tgt != NoState && !IsMachineState(tgt):
				checkReason(t, err, UnknownTarget, fmt.Sprintf("Target state '%s' does not exist", tgt))
			case tgt != NoState && !IsStable(tgt):
				checkReason(t, err, UnstableTarget, fmt.Sprintf("Target state '%s' is not a 'stable' state", tgt))
			default:
				if err != nil {
					t.Fatalf("Initialize(%q, %q): %v", s, tgt, err)
				}
				want := tgt
				if want == NoState {
					want = defaultTargets140[s]
				}
				if m.Current() != s || m.Target() != want || !m.Initialized() {
					t.Errorf("Initialize(%q, %q) = %q/%q, want %q/%q", s, tgt, m.Current(), m.Target(), s, want)
				}
				continue
			}
			if m.Initialized() {
				t.Errorf("Initialize(%q, %q) failed but machine is initialized", s, tgt)
			}
		}
	}
}

func pyName(s State) string {
	if s == NoState {
		return "None"
	}
	return string(s)
}

func checkReason(t *testing.T, err error, r Reason, msg string) {
	t.Helper()
	var ise *InvalidStateError
	if !errors.As(err, &ise) || ise.Reason != r {
		t.Fatalf("error %v, want reason %d", err, r)
	}
	if !errors.Is(err, ErrInvalidState) {
		t.Errorf("%v does not match ErrInvalidState", err)
	}
	if err.Error() != msg {
		t.Errorf("message %q, want %q", err.Error(), msg)
	}
}

func TestProcessBadOverrideLeavesMachine(t *testing.T) {
	for _, o := range []State{Cleaning, DeployDone, "bogus"} {
		m, _ := New(Manageable, NoState)
		err := m.Process(EventClean, o)
		if !errors.Is(err, ErrInvalidState) {
			t.Fatalf("override %q: err %v", o, err)
		}
		if m.Current() != Manageable || m.Target() != NoState {
			t.Errorf("override %q moved the machine to %q/%q", o, m.Current(), m.Target())
		}
	}
}

func TestZeroMachine(t *testing.T) {
	var m Machine
	if m.CanProcess(EventManage) || m.Initialized() || m.Current() != NoState {
		t.Fatal("zero machine claims to be usable")
	}
	checkReason(t, m.Process(EventManage, NoState), NotInitialized,
		"Can not process event 'manage'; the state machine hasn't been initialized")
}

func TestMachineStates(t *testing.T) {
	got := map[State]bool{}
	for _, s := range MachineStates() {
		got[s] = true
	}
	for from, evs := range table140 {
		if !got[from] {
			t.Errorf("%q is a source but not a machine state", from)
		}
		for _, to := range evs {
			if !got[to] {
				t.Errorf("%q is a destination but not a machine state", to)
			}
		}
	}
	for _, s := range []State{NoState, DeployDone, Deleted, Rebuild} {
		if got[s] {
			t.Errorf("%q must not be a machine state", s)
		}
	}
	if len(got) != 17 {
		t.Errorf("%d machine states, want 17", len(got))
	}
}

func TestTransitionsIsACopy(t *testing.T) {
	tr := Transitions()
	tr[0].To = Error
	if to, _ := Next(Available, EventDeploy); to != Deploying {
		t.Fatal("Transitions exposes the table")
	}
}
