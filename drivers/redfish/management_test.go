package redfish

import (
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/ironic-go/ironic-go/drivers"
	"github.com/ironic-go/ironic-go/drivers/redfish/redfishtest"
	"github.com/ironic-go/ironic-go/objects/exception"
)

// bootPatches returns the Boot objects of the PATCHes the BMC accepted.
func (e *env) bootPatches() []map[string]any {
	e.t.Helper()
	var out []map[string]any
	for _, r := range e.requests("PATCH") {
		if r.Status != 204 {
			continue
		}
		var body struct{ Boot map[string]any }
		if err := json.Unmarshal(r.Body, &body); err != nil {
			e.t.Fatal(err)
		}
		out = append(out, body.Boot)
	}
	return out
}

func TestSupportedBootDevices(t *testing.T) {
	e := newEnv(t, nil, nil)
	got, err := e.d.Management().SupportedBootDevices(t.Context(), nil)
	want := []string{"pxe", "disk", "cdrom", "bios"}
	if err != nil || !slices.Equal(got, want) {
		t.Errorf("SupportedBootDevices = %v, %v", got, err)
	}
}

// TestBootDeviceEmulator runs against the emulator quirk: Enabled always
// reads "Continuous".
func TestBootDeviceEmulator(t *testing.T) {
	e := newEnv(t, &redfishtest.Options{}, nil)
	task, _ := e.task(e.info(""))
	m := e.d.Management()
	ctx := t.Context()

	// Persistent: the BMC already reads Continuous, so Enabled is not sent.
	if err := m.SetBootDevice(ctx, task, drivers.BootDeviceDisk, true); err != nil {
		t.Fatal(err)
	}
	// One-time: Enabled differs, so it is sent.
	if err := m.SetBootDevice(ctx, task, drivers.BootDeviceCDROM, false); err != nil {
		t.Fatal(err)
	}
	want := []map[string]any{
		{"BootSourceOverrideTarget": "Hdd"},
		{"BootSourceOverrideTarget": "Cd", "BootSourceOverrideEnabled": "Once"},
	}
	if diff := cmp.Diff(want, e.bootPatches()); diff != "" {
		t.Errorf("PATCHes (-want +got):\n%s", diff)
	}
	bd, err := m.GetBootDevice(ctx, task)
	if err != nil {
		t.Fatal(err)
	}
	// The target round-trips; Enabled reads back Continuous.
	if diff := cmp.Diff(map[string]any{"boot_device": "cdrom", "persistent": true}, bd.Map()); diff != "" {
		t.Errorf("GetBootDevice (-want +got):\n%s", diff)
	}
	if st, _ := e.srv.System(rackSystem); st.BootEnabled != "Once" || st.BootTarget != "Cd" {
		t.Errorf("stored override %+v", st)
	}
}

func TestBootDeviceExact(t *testing.T) {
	e := newEnv(t, &redfishtest.Options{ExactBootEnabled: true}, nil)
	task, _ := e.task(e.info(""))
	m := e.d.Management()
	ctx := t.Context()
	for _, c := range []struct {
		device     string
		persistent bool
		target     string
	}{
		{"pxe", true, "Pxe"}, {"bios", false, "BiosSetup"}, {"disk", false, "Hdd"},
	} {
		if err := m.SetBootDevice(ctx, task, c.device, c.persistent); err != nil {
			t.Fatal(err)
		}
		bd, err := m.GetBootDevice(ctx, task)
		if err != nil {
			t.Fatal(err)
		}
		if bd.Device != c.device || bd.Persistent == nil || *bd.Persistent != c.persistent {
			t.Errorf("after set %s/%v: %v", c.device, c.persistent, bd.Map())
		}
	}
	// The mockup starts with Once; the last set was Once already, so its
	// PATCH carried no Enabled.
	patches := e.bootPatches()
	if _, has := patches[len(patches)-1]["BootSourceOverrideEnabled"]; has {
		t.Errorf("Enabled patched although unchanged: %v", patches[len(patches)-1])
	}
	// A target outside the Redfish map reads as unknown.
	if err := e.srv.SetBoot(rackSystem, "Usb", "Disabled", ""); err != nil {
		t.Fatal(err)
	}
	bd, err := m.GetBootDevice(ctx, task)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(map[string]any{"boot_device": nil, "persistent": nil}, bd.Map()); diff != "" {
		t.Errorf("unknown target (-want +got):\n%s", diff)
	}
}

func TestBootDeviceSupermicro(t *testing.T) {
	e := newEnv(t, &redfishtest.Options{}, nil)
	task, _ := e.task(e.info(""))
	task.Node.Properties["vendor"] = "SuperMicro"
	if err := e.d.Management().SetBootDevice(t.Context(), task, drivers.BootDevicePXE, true); err != nil {
		t.Fatal(err)
	}
	want := []map[string]any{{"BootSourceOverrideTarget": "Pxe", "BootSourceOverrideEnabled": "Continuous"}}
	if diff := cmp.Diff(want, e.bootPatches()); diff != "" {
		t.Errorf("Supermicro always sends Enabled (-want +got):\n%s", diff)
	}
}

func TestBootDeviceErrors(t *testing.T) {
	e := newEnv(t, &redfishtest.Options{}, nil)
	task, _ := e.task(e.info(""))
	m := e.d.Management()
	err := m.SetBootDevice(t.Context(), task, "floppy", false)
	wantClass(t, err, "InvalidParameterValue", "Invalid boot device floppy specified.")

	// A target the System does not allow is refused before any PATCH.
	doc := systemDoc(t, e, rackSystem)
	doc["Boot"].(map[string]any)["BootSourceOverrideTarget@Redfish.AllowableValues"] = []any{"Pxe", "Hdd"}
	setDoc(t, e, rackSystem, doc)
	err = m.SetBootDevice(t.Context(), task, drivers.BootDeviceCDROM, false)
	wantClass(t, err, "RedfishError", "Redfish set boot device failed for node "+testNodeUUID,
		`The parameter "target" value "Cd" is invalid. Valid values are: Pxe, Hdd`)
	if len(e.requests("PATCH")) != 0 {
		t.Error("a refused target was sent")
	}

	// The DPU of the SmartNIC mockup has no Boot object: the BMC refuses.
	s := newEnv(t, &redfishtest.Options{Mockup: redfishtest.MockupSmartNIC}, nil)
	dpu, _ := s.task(s.info("/redfish/v1/Systems/Card1-SoC"))
	err = s.d.Management().SetBootDevice(t.Context(), dpu, drivers.BootDevicePXE, false)
	wantClass(t, err, "RedfishError", "HTTP PATCH "+s.srv.URL+"/redfish/v1/Systems/Card1-SoC returned code 400. Base.1.8.PropertyUnknown")
	bd, err := s.d.Management().GetBootDevice(t.Context(), dpu)
	if err != nil || bd.Device != "" || bd.Persistent != nil {
		t.Errorf("DPU boot device = %v, %v", bd.Map(), err)
	}
}

// TestContinuousFallback: a BMC refusing "Continuous" gets "Once", the
// device is remembered and re-applied before every power on.
func TestContinuousFallback(t *testing.T) {
	e := newEnv(t, &redfishtest.Options{ExactBootEnabled: true, RefuseContinuous: true, ConsumeOnce: true}, nil)
	task, host := e.task(e.info(""))
	m, p := e.d.Management(), e.d.Power()
	ctx := t.Context()
	if err := m.SetBootDevice(ctx, task, drivers.BootDevicePXE, true); err != nil {
		t.Fatal(err)
	}
	if got := task.Node.DriverInternalInfo[internalBootDevice]; got != "pxe" {
		t.Fatalf("driver_internal_info.%s = %v, want pxe", internalBootDevice, got)
	}
	if host.saves != 1 {
		t.Errorf("node saved %d times, want 1", host.saves)
	}
	if st, _ := e.srv.System(rackSystem); st.BootTarget != "Pxe" || st.BootEnabled != "Once" {
		t.Fatalf("BMC override %+v, want Pxe once", st)
	}
	if !containsLog(e, "could not set a persistent boot device") {
		t.Error("the fallback was not logged")
	}

	// A reboot consumes the once override; the driver re-applies it
	// before powering on, every time.
	patches := []string{
		// The System read at the start still says Once: only the target.
		`PATCH {"Boot":{"BootSourceOverrideTarget":"Pxe"}}`,
		// The first boot consumed the override: Enabled differs now.
		`PATCH {"Boot":{"BootSourceOverrideEnabled":"Once","BootSourceOverrideTarget":"Pxe"}}`,
	}
	for i := range 2 {
		e.srv.ResetRequests()
		if err := p.Reboot(ctx, task, 0); err != nil {
			t.Fatal(err)
		}
		st, _ := e.srv.System(rackSystem)
		if st.BootTarget != "None" || st.BootEnabled != "Disabled" {
			t.Errorf("after a reboot the BMC still has %s/%s: the override was not used", st.BootTarget, st.BootEnabled)
		}
		var order []string
		for _, r := range e.srv.Requests() {
			if r.Method == "PATCH" || r.Method == "POST" {
				order = append(order, r.Method+" "+string(r.Body))
			}
		}
		want := []string{`POST {"ResetType":"ForceOff"}`, patches[i], `POST {"ResetType":"On"}`}
		if diff := cmp.Diff(want, order); diff != "" {
			t.Errorf("reboot requests (-want +got):\n%s", diff)
		}
	}
	// Power on alone also re-applies it.
	if err := p.SetPowerState(ctx, task, drivers.PowerOff, 0); err != nil {
		t.Fatal(err)
	}
	if err := p.SetPowerState(ctx, task, drivers.PowerOn, 0); err != nil {
		t.Fatal(err)
	}
	if st, _ := e.srv.System(rackSystem); st.BootPatches != 4 {
		t.Errorf("boot patches = %d, want 4 (fallback, two reboots, power on)", st.BootPatches)
	}

	// Setting a device again forgets the remembered one.
	if err := m.SetBootDevice(ctx, task, drivers.BootDeviceDisk, false); err != nil {
		t.Fatal(err)
	}
	if _, ok := task.Node.DriverInternalInfo[internalBootDevice]; ok {
		t.Error("redfish_boot_device kept after a new boot device")
	}
	e.srv.ResetRequests()
	if err := p.SetPowerState(ctx, task, drivers.PowerOff, 0); err != nil {
		t.Fatal(err)
	}
	if err := p.SetPowerState(ctx, task, drivers.PowerOn, 0); err != nil {
		t.Fatal(err)
	}
	if n := len(e.requests("PATCH")); n != 0 {
		t.Errorf("%d PATCHes on power on without a remembered device", n)
	}
}

func TestRestoreBootDeviceCompat(t *testing.T) {
	e := newEnv(t, &redfishtest.Options{ExactBootEnabled: true}, nil)
	task, _ := e.task(e.info(""))
	// Older Ironic stored sushy constants.
	task.Node.DriverInternalInfo[internalBootDevice] = "bios setup"
	if err := e.srv.SetPowerState(rackSystem, "Off"); err != nil {
		t.Fatal(err)
	}
	if err := e.d.Power().SetPowerState(t.Context(), task, drivers.PowerOn, 0); err != nil {
		t.Fatal(err)
	}
	if st, _ := e.srv.System(rackSystem); st.BootTarget != "BiosSetup" {
		t.Errorf("restored target %s", st.BootTarget)
	}
	task.Node.DriverInternalInfo[internalBootDevice] = "tape"
	err := e.d.Power().SetPowerState(t.Context(), task, drivers.PowerOn, 0)
	wantClass(t, err, "RedfishError", `unexpected redfish_boot_device "tape"`)
}

func TestRestoreFailureOnlyWarns(t *testing.T) {
	e := newEnv(t, &redfishtest.Options{}, nil)
	task, _ := e.task(e.info("/redfish/v1/Systems/437XR1138R2"))
	task.Node.DriverInternalInfo[internalBootDevice] = "pxe"
	doc := systemDoc(t, e, rackSystem)
	doc["Boot"].(map[string]any)["BootSourceOverrideTarget@Redfish.AllowableValues"] = []any{"Hdd"}
	setDoc(t, e, rackSystem, doc)
	if err := e.d.Power().SetPowerState(t.Context(), task, drivers.PowerOn, 0); err != nil {
		t.Fatalf("a failed restore must not fail power on: %v", err)
	}
	if !containsLog(e, "unable to recover the boot device") {
		t.Error("the failed restore was not logged")
	}
}

func TestBootMode(t *testing.T) {
	e := newEnv(t, &redfishtest.Options{}, nil)
	task, _ := e.task(e.info(""))
	m := e.d.Management()
	ctx := t.Context()
	modes, _ := m.SupportedBootModes(ctx, task)
	if !slices.Equal(modes, []string{"uefi", "bios"}) {
		t.Errorf("SupportedBootModes = %v", modes)
	}
	if got, err := m.GetBootMode(ctx, task); err != nil || got != BootModeUEFI {
		t.Errorf("GetBootMode = %q, %v", got, err)
	}
	if err := m.SetBootMode(ctx, task, BootModeBIOS); err != nil {
		t.Fatal(err)
	}
	if got, _ := m.GetBootMode(ctx, task); got != BootModeBIOS {
		t.Errorf("after set bios: %q", got)
	}
	if diff := cmp.Diff([]map[string]any{{"BootSourceOverrideMode": "Legacy"}}, e.bootPatches()); diff != "" {
		t.Errorf("PATCH (-want +got):\n%s", diff)
	}
	wantClass(t, m.SetBootMode(ctx, task, "csm"), "InvalidParameterValue", "Invalid boot mode csm specified.")

	// The bladed mockup reports no mode and refuses one.
	b := newEnv(t, &redfishtest.Options{Mockup: redfishtest.MockupBladed}, nil)
	blade, _ := b.task(b.info("/redfish/v1/Systems/529QB9450R6"))
	if got, err := b.d.Management().GetBootMode(ctx, blade); err != nil || got != "" {
		t.Errorf("blade boot mode %q, %v", got, err)
	}
	err := b.d.Management().SetBootMode(ctx, blade, BootModeUEFI)
	wantClass(t, err, "UnsupportedDriverExtension", "set_boot_mode")
	// The BMC's answer stays in the chain.
	var he *HTTPError
	if !errors.As(err, &he) || he.StatusCode != 400 || !errors.Is(err, exception.ErrUnsupportedDriverExtension) {
		t.Errorf("HTTP error not in the chain: %v", err)
	}
}

func TestInjectNMI(t *testing.T) {
	e := newEnv(t, &redfishtest.Options{}, nil)
	task, _ := e.task(e.info(""))
	err := e.d.Management().InjectNMI(t.Context(), task)
	// The emulator advertises Nmi but answers 501; Ironic raises
	// RedfishError.
	wantClass(t, err, "RedfishError", "Redfish inject NMI failed for node "+testNodeUUID,
		"HTTP POST "+e.srv.URL+rackSystem+"/Actions/ComputerSystem.Reset returned code 501", "Base.1.8.ActionNotSupported")
	var he *HTTPError
	if !errors.As(err, &he) || he.StatusCode != 501 {
		t.Errorf("the 501 is not in the chain: %v", err)
	}
	if err := drivers.InjectNMI(t.Context(), task, e.d.Management()); err == nil {
		t.Error("drivers.InjectNMI succeeded")
	}

	ok := newEnv(t, &redfishtest.Options{AcceptNMI: true}, nil)
	task, _ = ok.task(ok.info(""))
	if err := ok.d.Management().InjectNMI(t.Context(), task); err != nil {
		t.Fatal(err)
	}
	if st, _ := ok.srv.System(rackSystem); st.NMIs != 1 || st.PowerState != "On" {
		t.Errorf("after NMI: %+v", st)
	}
}

func TestSensorsData(t *testing.T) {
	e := newEnv(t, &redfishtest.Options{Mockup: redfishtest.MockupTelemetry}, nil)
	task, _ := e.task(e.info(""))
	data, err := e.d.Management().GetSensorsData(t.Context(), task)
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"Fan", "Temperature", "Power", "Drive"} {
		if _, ok := data[k].(map[string]any); !ok {
			t.Errorf("no %s group: %v", k, data)
		}
	}
	if len(data["Temperature"].(map[string]any)) == 0 && len(data["Fan"].(map[string]any)) == 0 {
		t.Errorf("no thermal sensor read from the telemetry mockup: %v", data)
	}
	for name, v := range data["Temperature"].(map[string]any) {
		m := v.(map[string]any)
		if _, ok := m["reading_celsius"]; !ok {
			t.Errorf("%s lacks reading_celsius: %v", name, m)
		}
	}

	r := newEnv(t, &redfishtest.Options{}, nil)
	task, _ = r.task(r.info(""))
	data, err = r.d.Management().GetSensorsData(t.Context(), task)
	if err != nil {
		t.Fatal(err)
	}
	drives := data["Drive"].(map[string]any)
	d, ok := drives["SATA Bay 1:1@437XR1138R2"].(map[string]any)
	if !ok || d["capacity_bytes"] != int64(8000000000000) || d["state"] != "Enabled" {
		t.Errorf("drive sensors = %v", drives)
	}
}

func containsLog(e *env, s string) bool { return strings.Contains(e.logs.String(), s) }
