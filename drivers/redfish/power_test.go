package redfish

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/stmcginnis/gofish/schemas"

	"github.com/ironic-go/ironic-go/drivers"
	"github.com/ironic-go/ironic-go/drivers/redfish/redfishtest"
	"github.com/ironic-go/ironic-go/objects/exception"
)

func TestGetPowerState(t *testing.T) {
	e := newEnv(t, &redfishtest.Options{}, nil)
	task, _ := e.task(e.info(""))
	p := e.d.Power()
	for _, c := range []struct{ bmc, want string }{
		{"On", drivers.PowerOn}, {"Off", drivers.PowerOff},
	} {
		if err := e.srv.SetPowerState(rackSystem, c.bmc); err != nil {
			t.Fatal(err)
		}
		got, err := p.GetPowerState(t.Context(), task)
		if err != nil || got != c.want {
			t.Errorf("BMC %s: GetPowerState = %q, %v; want %q", c.bmc, got, err, c.want)
		}
	}
	for bmc, want := range map[string]string{
		"PoweringOn": drivers.PowerOn, "PoweringOff": drivers.PowerOff, "Paused": drivers.PowerError, "": drivers.PowerError,
	} {
		if got := powerState(schemas.PowerState(bmc)); got != want {
			t.Errorf("powerState(%q) = %q, want %q", bmc, got, want)
		}
	}
	states, err := p.SupportedPowerStates(t.Context(), task)
	want := []string{drivers.PowerOn, drivers.PowerOff, drivers.Reboot, drivers.SoftReboot, drivers.SoftPowerOff}
	if err != nil || !slices.Equal(states, want) {
		t.Errorf("SupportedPowerStates = %v, %v", states, err)
	}
}

func TestTransitionalCountsAsTarget(t *testing.T) {
	// A BMC that reports PoweringOn for an hour: power on completes at
	// once, as in Ironic (PoweringOn counts as on).
	e := newEnv(t, &redfishtest.Options{PowerDelay: time.Hour, Transitional: true}, nil)
	if err := e.srv.SetPowerState(rackSystem, "Off"); err != nil {
		t.Fatal(err)
	}
	task, _ := e.task(e.info(""))
	if err := e.d.Power().SetPowerState(t.Context(), task, drivers.PowerOn, 0); err != nil {
		t.Fatal(err)
	}
	if st, _ := e.srv.System(rackSystem); st.PowerState != "PoweringOn" {
		t.Errorf("BMC state %s, want PoweringOn", st.PowerState)
	}
}

func TestSetPowerState(t *testing.T) {
	// The change lands after a delay: the driver must poll.
	e := newEnv(t, &redfishtest.Options{PowerDelay: 30 * time.Millisecond}, nil)
	task, _ := e.task(e.info(""))
	p := e.d.Power()
	steps := []struct {
		state, reset, bmc string
	}{
		{drivers.PowerOff, "ForceOff", "Off"},
		{drivers.PowerOn, "On", "On"},
		{drivers.SoftPowerOff, "GracefulShutdown", "Off"},
		{drivers.SoftReboot, "GracefulRestart", "On"},
		{drivers.Reboot, "ForceRestart", "On"},
	}
	for _, s := range steps {
		if err := p.SetPowerState(t.Context(), task, s.state, 0); err != nil {
			t.Fatalf("%s: %v", s.state, err)
		}
		st, _ := e.srv.System(rackSystem)
		if st.PowerState != s.bmc || st.Resets[len(st.Resets)-1] != s.reset {
			t.Errorf("%s: BMC %s after %v, want %s after %s", s.state, st.PowerState, st.Resets, s.bmc, s.reset)
		}
	}
	// Every wait was bounded by the poll intervals.
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, d := range e.sleeps {
		if d > testConfig().PowerStatePollMaxInterval {
			t.Errorf("waited %s, above the maximum interval", d)
		}
	}
}

func TestSetPowerStateTimeout(t *testing.T) {
	e := newEnv(t, &redfishtest.Options{PowerDelay: time.Hour}, nil)
	task, _ := e.task(e.info(""))
	err := e.d.Power().SetPowerState(t.Context(), task, drivers.PowerOff, 50*time.Millisecond)
	wantClass(t, err, "PowerStateFailure", "Failed to set node power state to power off.")
	if !errors.Is(err, exception.ErrInvalidState) {
		t.Errorf("PowerStateFailure is not an InvalidState: %v", err)
	}
	if got := e.resets(rackSystem); !slices.Equal(got, []string{"ForceOff"}) {
		t.Errorf("resets = %v", got)
	}
	if !strings.Contains(e.logs.String(), "timed out waiting for the power state") {
		t.Error("the timeout was not logged")
	}
}

func TestSetPowerStateDefaultTimeout(t *testing.T) {
	e := newEnv(t, &redfishtest.Options{PowerDelay: time.Hour}, func(c *Config) {
		c.PowerStateChangeTimeout = 40 * time.Millisecond
	})
	task, _ := e.task(e.info(""))
	err := e.d.Power().SetPowerState(t.Context(), task, drivers.SoftPowerOff, 0)
	wantClass(t, err, "PowerStateFailure", "power off")
}

func TestSetPowerStateCancelled(t *testing.T) {
	e := newEnv(t, &redfishtest.Options{PowerDelay: time.Hour}, nil)
	task, _ := e.task(e.info(""))
	ctx, cancel := context.WithTimeout(t.Context(), 50*time.Millisecond)
	defer cancel()
	err := e.d.Power().SetPowerState(ctx, task, drivers.PowerOff, time.Hour)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("SetPowerState with an expiring context = %v", err)
	}
}

func TestSetPowerStateRefused(t *testing.T) {
	e := newEnv(t, &redfishtest.Options{}, nil)
	task, _ := e.task(e.info(""))
	err := e.d.Power().SetPowerState(t.Context(), task, "hibernate", 0)
	wantClass(t, err, "RedfishError", "Setting power state to hibernate failed for node "+testNodeUUID,
		`The parameter "value" value "hibernate" is invalid`)

	// A reset the System does not advertise is refused before any POST.
	sys := "/redfish/v1/Systems/437XR1138R2"
	doc := systemDoc(t, e, sys)
	actions := doc["Actions"].(map[string]any)
	actions["#ComputerSystem.Reset"].(map[string]any)["ResetType@Redfish.AllowableValues"] = []any{"ForceOff"}
	setDoc(t, e, sys, doc)
	err = e.d.Power().SetPowerState(t.Context(), task, drivers.PowerOn, 0)
	wantClass(t, err, "RedfishError", `The parameter "value" value "On" is invalid. Valid values are: ForceOff`)
	if got := e.resets(sys); len(got) != 0 {
		t.Errorf("resets = %v", got)
	}

	// No Reset action at all.
	delete(actions, "#ComputerSystem.Reset")
	setDoc(t, e, sys, doc)
	err = e.d.Power().SetPowerState(t.Context(), task, drivers.PowerOff, 0)
	wantClass(t, err, "RedfishError", "The action #ComputerSystem.Reset is missing from the resource")
}

func TestReboot(t *testing.T) {
	e := newEnv(t, &redfishtest.Options{PowerDelay: 20 * time.Millisecond}, nil)
	task, _ := e.task(e.info(""))
	p := e.d.Power()
	if err := p.Reboot(t.Context(), task, 0); err != nil {
		t.Fatal(err)
	}
	if got := e.resets(rackSystem); !slices.Equal(got, []string{"ForceOff", "On"}) {
		t.Errorf("reboot from on: resets %v, want ForceOff then On", got)
	}
	if err := e.srv.SetPowerState(rackSystem, "Off"); err != nil {
		t.Fatal(err)
	}
	if err := p.Reboot(t.Context(), task, 0); err != nil {
		t.Fatal(err)
	}
	if got := e.resets(rackSystem); !slices.Equal(got, []string{"ForceOff", "On", "On"}) {
		t.Errorf("reboot from off: resets %v, want a single On", got)
	}
	if st, _ := e.srv.System(rackSystem); st.PowerState != "On" {
		t.Errorf("after reboot: %s", st.PowerState)
	}
}

func TestRebootTimeout(t *testing.T) {
	e := newEnv(t, &redfishtest.Options{PowerDelay: time.Hour}, nil)
	task, _ := e.task(e.info(""))
	err := e.d.Power().Reboot(t.Context(), task, 30*time.Millisecond)
	wantClass(t, err, "PowerStateFailure", "power off")
	if got := e.resets(rackSystem); !slices.Equal(got, []string{"ForceOff"}) {
		t.Errorf("resets = %v", got)
	}
}

func TestExclusiveLockRequired(t *testing.T) {
	e := newEnv(t, &redfishtest.Options{}, nil)
	task, _ := e.task(e.info(""))
	task.Shared = true
	ctx := t.Context()
	for name, err := range map[string]error{
		"set power":   e.d.Power().SetPowerState(ctx, task, drivers.PowerOff, 0),
		"reboot":      e.d.Power().Reboot(ctx, task, 0),
		"boot device": e.d.Management().SetBootDevice(ctx, task, drivers.BootDevicePXE, false),
		"boot mode":   e.d.Management().SetBootMode(ctx, task, BootModeUEFI),
		"nmi":         e.d.Management().InjectNMI(ctx, task),
	} {
		if !errors.Is(err, exception.ErrExclusiveLockRequired) {
			t.Errorf("%s under a shared lock: %v", name, err)
		}
	}
	if len(e.srv.Requests()) != 0 {
		t.Errorf("the BMC was contacted: %v", e.srv.Requests())
	}
}

// systemDoc reads a System as the BMC serves it.
func systemDoc(t *testing.T, e *env, sys string) map[string]any {
	t.Helper()
	task, _ := e.task(e.info(sys))
	o, err := e.d.open(t.Context(), task)
	if err != nil {
		t.Fatal(err)
	}
	defer o.done(t.Context())
	var doc map[string]any
	if err := json.Unmarshal(o.sys.RawData, &doc); err != nil {
		t.Fatal(err)
	}
	return doc
}

func setDoc(t *testing.T, e *env, sys string, doc map[string]any) {
	t.Helper()
	data, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	e.srv.SetResource(sys, data)
}

func TestResetBody(t *testing.T) {
	e := newEnv(t, &redfishtest.Options{}, nil)
	task, _ := e.task(e.info(""))
	if err := e.d.Power().SetPowerState(t.Context(), task, drivers.PowerOff, 0); err != nil {
		t.Fatal(err)
	}
	posts := e.requests("POST")
	if len(posts) != 1 || posts[0].Path != rackSystem+"/Actions/ComputerSystem.Reset" {
		t.Fatalf("POSTs = %+v", posts)
	}
	var body map[string]any
	if err := json.Unmarshal(posts[0].Body, &body); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(map[string]any{"ResetType": "ForceOff"}, body); diff != "" {
		t.Errorf("reset body (-want +got):\n%s", diff)
	}
}
