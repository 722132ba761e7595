package states

import (
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestWireValues(t *testing.T) {
	want := map[State]string{
		Enroll: "enroll", Verifying: "verifying", Manageable: "manageable", Available: "available",
		Active: "active", DeployWait: "wait call-back", Deploying: "deploying", DeployFail: "deploy failed",
		DeployDone: "deploy complete", Deleting: "deleting", Deleted: "deleted", Cleaning: "cleaning",
		CleanWait: "clean wait", CleanFail: "clean failed", Error: "error", Rebuild: "rebuild",
		Inspecting: "inspecting", InspectFail: "inspect failed", Adopting: "adopting", AdoptFail: "adopt failed",
	}
	if len(AllStates()) != len(want) {
		t.Fatalf("AllStates has %d states, want %d", len(AllStates()), len(want))
	}
	for _, s := range AllStates() {
		if w, ok := want[s]; !ok || s.String() != w {
			t.Errorf("state %q: want %q", s, w)
		}
	}
	events := []string{"deploy", "rebuild", "delete", "manage", "provide", "inspect", "abort", "clean",
		"adopt", "done", "fail", "wait", "resume", "error"}
	var got []string
	for _, e := range AllEvents() {
		got = append(got, e.String())
	}
	if d := cmp.Diff(events, got); d != "" {
		t.Errorf("events (-want +got):\n%s", d)
	}
}

func TestGroups(t *testing.T) {
	tests := []struct {
		name string
		got  []State
		pred func(State) bool
		want []State
	}{
		{"stable", StableStates(), IsStable, []State{Enroll, Manageable, Available, Active, Error}},
		{"unstable", UnstableStates(), IsUnstable,
			[]State{Deploying, DeployWait, Cleaning, CleanWait, Verifying, Deleting, Inspecting, Adopting}},
		{"delete allowed", DeleteAllowedStates(), DeleteAllowed, []State{Available, Manageable, Enroll, AdoptFail}},
		{"update allowed", UpdateAllowedStates(), UpdateAllowed,
			[]State{DeployFail, Inspecting, InspectFail, CleanFail, Error, Verifying, AdoptFail}},
		{"sync excluded", SyncExcludedStates(), SyncExcluded, []State{DeployWait, CleanWait, Enroll}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if d := cmp.Diff(tt.want, tt.got); d != "" {
				t.Errorf("(-want +got):\n%s", d)
			}
			for _, s := range probeStates() {
				if tt.pred(s) != slices.Contains(tt.want, s) {
					t.Errorf("predicate(%q) = %v", s, tt.pred(s))
				}
			}
			tt.got[0] = "mutated"
		})
	}
	if StableStates()[0] != Enroll {
		t.Fatal("group functions share their slice")
	}
}

func TestDefaultTargets(t *testing.T) {
	for _, s := range probeStates() {
		if got, want := DefaultTarget(s), defaultTargets140[s]; got != want {
			t.Errorf("DefaultTarget(%q) = %q, want %q", s, got, want)
		}
		if d := DefaultTarget(s); d != NoState && !IsStable(d) {
			t.Errorf("default target %q of %q is not stable", d, s)
		}
	}
}

func TestVerbs(t *testing.T) {
	want := map[string]Event{
		"active": EventDeploy, "deleted": EventDelete, "manage": EventManage, "provide": EventProvide,
		"inspect": EventInspect, "abort": EventAbort, "clean": EventClean, "adopt": EventAdopt,
	}
	if d := cmp.Diff(want, Verbs()); d != "" {
		t.Errorf("(-want +got):\n%s", d)
	}
	for _, target := range []string{"rebuild", "deploy", "undeploy", "rescue", ""} {
		if e, ok := Verb(target); ok {
			t.Errorf("Verb(%q) = %q; 1.40 has no such verb", target, e)
		}
	}
	if e, ok := Verb("active"); !ok || e != EventDeploy {
		t.Errorf("Verb(active) = %q, %v", e, ok)
	}
}

func TestNullableColumns(t *testing.T) {
	if Of(nil) != NoState || NoState.Ptr() != nil {
		t.Fatal("NoState is not null")
	}
	if p := Active.Ptr(); p == nil || *p != "active" || Of(p) != Active {
		t.Fatalf("Active round trip: %v", p)
	}
	if OfPower(nil) != NoPower || NoPower.Ptr() != nil {
		t.Fatal("NoPower is not null")
	}
	if p := PowerOn.Ptr(); p == nil || *p != "power on" || OfPower(p) != PowerOn {
		t.Fatalf("PowerOn round trip: %v", p)
	}
}

func TestPower(t *testing.T) {
	for p, want := range map[PowerState]PowerState{
		PowerOn: PowerOn, Reboot: PowerOn, SoftReboot: PowerOn, PowerOff: PowerOff, SoftPowerOff: PowerOff,
	} {
		if got := TargetPowerState(p); got != want {
			t.Errorf("TargetPowerState(%q) = %q, want %q", p, got, want)
		}
	}
	if d := cmp.Diff([]PowerState{"power on", "power off", "rebooting", "soft rebooting", "soft power off"},
		RequestablePowerStates()); d != "" {
		t.Errorf("requestable (-want +got):\n%s", d)
	}
	if d := cmp.Diff([]PowerState{"power on", "power off", "rebooting"}, DefaultSupportedPowerStates()); d != "" {
		t.Errorf("default supported (-want +got):\n%s", d)
	}
	for _, p := range RequestablePowerStates() {
		if IsSoft(p) != (p == SoftReboot || p == SoftPowerOff) {
			t.Errorf("IsSoft(%q)", p)
		}
	}
	if PowerError != "error" {
		t.Error("PowerError")
	}
	if d := cmp.Diff([]BootDevice{"pxe", "disk", "cdrom", "bios", "safe", "wanboot"}, BootDevices()); d != "" {
		t.Errorf("boot devices (-want +got):\n%s", d)
	}
}
