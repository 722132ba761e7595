//go:build integration

package states

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"slices"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func python() string {
	if p := os.Getenv("IRONIC_GO_PYTHON"); p != "" {
		return p
	}
	return "/usr/bin/python3"
}

type pyCase struct {
	Start  *string      `json:"start"`
	Target *string      `json:"target"`
	Events [][2]*string `json:"events"`
}

type pyResult struct {
	Current    *string `json:"current"`
	Target     *string `json:"target"`
	ErrorClass string  `json:"error_class"`
	Error      string  `json:"error"`
}

type pyMachine struct {
	States map[string]struct {
		Stable bool    `json:"stable"`
		Target *string `json:"target"`
	} `json:"states"`
	Transitions   [][3]string       `json:"transitions"`
	Stable        []string          `json:"stable"`
	Unstable      []string          `json:"unstable"`
	DeleteAllowed []string          `json:"delete_allowed"`
	UpdateAllowed []string          `json:"update_allowed"`
	Verbs         map[string]string `json:"verbs"`
	Power         []string          `json:"power"`
	Results       []pyResult        `json:"results"`
}

// runPyStates runs testdata/pystates.py (Debian's ironic.common.states)
// on cases.
func runPyStates(t *testing.T, cases []pyCase) pyMachine {
	t.Helper()
	py := python()
	if _, err := os.Stat(py); err != nil {
		t.Fatalf("python %s: %v (install Debian's python3-ironic with `make deps`, or set IRONIC_GO_PYTHON)", py, err)
	}
	in, err := json.Marshal(cases)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.CommandContext(t.Context(), py, "testdata/pystates.py")
	cmd.Cancel = func() error { return cmd.Process.Signal(syscall.SIGTERM) }
	cmd.WaitDelay = 10 * time.Second
	cmd.Stdin = bytes.NewReader(in)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%s testdata/pystates.py: %v\n%s\n(python3-ironic is needed: `make deps`)", py, err, stderr.Bytes())
	}
	var m pyMachine
	if err := json.Unmarshal(out, &m); err != nil {
		t.Fatalf("decode pystates output: %v\n%s", err, out)
	}
	if len(m.Results) != len(cases) {
		t.Fatalf("%d results for %d cases", len(m.Results), len(cases))
	}
	return m
}

func sp(s State) *string {
	if s == NoState {
		return nil
	}
	v := string(s)
	return &v
}

// Deliberate differences between 1.40 (Ironic 7.0.0) and Debian's 21.4.
var (
	// states21 are the provision states 21.4 added (rescue, async
	// inspection).
	states21 = []State{"inspect wait", "rescue", "rescuing", "rescue wait", "rescue failed", "unrescuing", "unrescue failed"}
	// added21 are the transitions 21.4 added from 1.40 states; deleting
	// --fail--> error replaced 7.0.0's deleting --error--> error.
	added21   = []Transition{{Inspecting, EventWait, "inspect wait"}, {Active, "rescue", "rescuing"}, {Deleting, EventFail, Error}}
	removed21 = []Transition{{Deleting, EventError, Error}}
)

func TestMachineAgainstDebianIronic(t *testing.T) {
	var cases []pyCase
	// Initialize with every start and target, valid or not.
	starts := append(probeStates(), states21...)
	for _, s := range starts {
		for _, tgt := range starts {
			cases = append(cases, pyCase{Start: sp(s), Target: sp(tgt), Events: [][2]*string{}})
		}
	}
	// Every 1.40 state, every event (1.40's and 21.4's), with no target,
	// a stable target, an unstable one and an unknown one.
	events := append(probeEvents(), "unrescue")
	for _, s := range MachineStates() {
		for _, e := range events {
			for _, o := range []State{NoState, Manageable, Available, Cleaning, "bogus"} {
				ev := string(e)
				cases = append(cases, pyCase{Start: sp(s), Events: [][2]*string{{&ev, sp(o)}}})
			}
		}
	}
	// Multi-event paths exercising the target rule.
	paths := [][]Event{
		{EventClean, EventWait, EventResume, EventDone},
		{EventProvide, EventWait, EventAbort, EventManage},
		{EventInspect, EventFail, EventInspect, EventDone},
		{EventAdopt, EventFail, EventAdopt, EventDone, EventDelete, EventClean, EventDone},
		{EventAdopt, EventDone, EventRebuild, EventWait, EventResume, EventDone},
	}
	for _, p := range paths {
		for _, o := range []State{NoState, Manageable} {
			c := pyCase{Start: sp(Manageable)}
			for i, e := range p {
				ev := string(e)
				tgt := NoState
				if i == 0 {
					tgt = o
				}
				c.Events = append(c.Events, [2]*string{&ev, sp(tgt)})
			}
			cases = append(cases, c)
		}
	}

	py := runPyStates(t, cases)

	t.Run("tables", func(t *testing.T) { compareTables(t, py) })

	used := map[string]int{}
	for i, c := range cases {
		got := runGo(c)
		want := py.Results[i]
		if cmp.Equal(got, want) {
			continue
		}
		if why := knownDifference(c); why != "" {
			used[why]++
			continue
		}
		t.Errorf("case %s: Go %+v, Python %+v", describe(c), got, want)
	}
	for _, why := range []string{"21.4 state", "21.4 transition", "7.0.0 transition"} {
		if used[why] == 0 {
			t.Errorf("documented difference %q never observed: update the list", why)
		}
	}
	t.Logf("%d cases, differences by documented reason: %v", len(cases), used)
}

func runGo(c pyCase) pyResult {
	var m Machine
	err := m.Initialize(Of(c.Start), Of(c.Target))
	for i := 0; err == nil && i < len(c.Events); i++ {
		err = m.Process(Event(*c.Events[i][0]), Of(c.Events[i][1]))
	}
	if err != nil {
		var ise *InvalidStateError
		if !errors.As(err, &ise) {
			return pyResult{ErrorClass: "?", Error: err.Error()}
		}
		return pyResult{ErrorClass: "InvalidState", Error: err.Error()}
	}
	return pyResult{Current: m.Current().Ptr(), Target: m.Target().Ptr()}
}

// knownDifference names the documented difference that explains a
// mismatch on c, or "".
func knownDifference(c pyCase) string {
	if slices.Contains(states21, Of(c.Start)) || slices.Contains(states21, Of(c.Target)) {
		return "21.4 state"
	}
	from := Of(c.Start)
	for _, e := range c.Events {
		ev := Event(*e[0])
		for _, tr := range added21 {
			if tr.From == from && tr.Event == ev {
				return "21.4 transition"
			}
		}
		for _, tr := range removed21 {
			if tr.From == from && tr.Event == ev {
				return "7.0.0 transition"
			}
		}
		to, ok := Next(from, ev)
		if !ok {
			return ""
		}
		from = to
	}
	return ""
}

func describe(c pyCase) string {
	s := fmt.Sprintf("start=%q target=%q", Of(c.Start), Of(c.Target))
	for _, e := range c.Events {
		s += fmt.Sprintf(" -%s(%q)", *e[0], Of(e[1]))
	}
	return s
}

func compareTables(t *testing.T, py pyMachine) {
	// Every 1.40 transition exists identically in 21.4, except the one
	// 21.4 renamed; 21.4's extra transitions from 1.40 states are known.
	pyEdges := map[edge]State{}
	for _, tr := range py.Transitions {
		pyEdges[edge{State(tr[0]), Event(tr[1])}] = State(tr[2])
	}
	for _, tr := range Transitions() {
		to, ok := pyEdges[edge{tr.From, tr.Event}]
		if slices.Contains(removed21, tr) {
			if ok {
				t.Errorf("%v: documented as removed in 21.4 but present", tr)
			}
			continue
		}
		if !ok || to != tr.To {
			t.Errorf("1.40 transition %v: 21.4 has %q, %v", tr, to, ok)
		}
	}
	for e, to := range pyEdges {
		if !IsMachineState(e.from) {
			continue
		}
		if _, ok := Next(e.from, e.event); ok {
			continue
		}
		if !slices.Contains(added21, Transition{e.from, e.event, to}) {
			t.Errorf("21.4 transition %s --%s--> %s from a 1.40 state is not documented", e.from, e.event, to)
		}
	}
	// States: every 1.40 machine state exists with the same stability and
	// default target.
	for _, s := range MachineStates() {
		ps, ok := py.States[string(s)]
		if !ok {
			t.Errorf("state %q missing from 21.4", s)
			continue
		}
		if ps.Stable != IsStable(s) || Of(ps.Target) != DefaultTarget(s) {
			t.Errorf("state %q: 21.4 stable=%v target=%q; 1.40 stable=%v target=%q",
				s, ps.Stable, Of(ps.Target), IsStable(s), DefaultTarget(s))
		}
	}
	for s := range py.States {
		if !IsMachineState(State(s)) && !slices.Contains(states21, State(s)) {
			t.Errorf("21.4 state %q is not documented", s)
		}
	}
	// Groups: 21.4 = 1.40 ± the documented changes.
	groups := []struct {
		name           string
		ours           []State
		theirs         []string
		added, removed []State
	}{
		{"STABLE", StableStates(), py.Stable, []State{"rescue"}, nil},
		{"UNSTABLE", UnstableStates(), py.Unstable, []State{"inspect wait", "rescuing", "rescue wait", "unrescuing"}, nil},
		{"DELETE_ALLOWED", DeleteAllowedStates(), py.DeleteAllowed, nil, []State{Available}},
		{"UPDATE_ALLOWED", UpdateAllowedStates(), py.UpdateAllowed, []State{"inspect wait", "rescue failed", "unrescue failed"}, nil},
	}
	for _, g := range groups {
		want := slices.DeleteFunc(slices.Clone(g.ours), func(s State) bool { return slices.Contains(g.removed, s) })
		want = append(want, g.added...)
		var got []State
		for _, s := range g.theirs {
			got = append(got, State(s))
		}
		slices.Sort(want)
		slices.Sort(got)
		if d := cmp.Diff(want, got); d != "" {
			t.Errorf("%s: 1.40 ± documented changes vs 21.4 (-want +got):\n%s", g.name, d)
		}
	}
	// VERBS: 21.4 adds aliases and the rescue verbs.
	for target, e := range Verbs() {
		if py.Verbs[target] != string(e) {
			t.Errorf("verb %q: 21.4 %q, 1.40 %q", target, py.Verbs[target], e)
		}
	}
	for target := range py.Verbs {
		if _, ok := Verb(target); !ok && !slices.Contains([]string{"deploy", "undeploy", "rescue", "unrescue"}, target) {
			t.Errorf("21.4 verb %q is not documented", target)
		}
	}
	var power []string
	for _, p := range RequestablePowerStates() {
		power = append(power, string(p))
	}
	if d := cmp.Diff(py.Power, power); d != "" {
		t.Errorf("power states (-21.4 +1.40):\n%s", d)
	}
}
