//go:build integration

package redfish

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/ironic-go/ironic-go/drivers"
	"github.com/ironic-go/ironic-go/drivers/redfish/redfishtest"
)

// Integration tests comparing the driver with Debian's Ironic 21.4
// redfish driver (python3-ironic, python3-sushy) run by
// testdata/ironic_redfish.py against the same fake BMC.

func python() string {
	if p := os.Getenv("IRONIC_GO_PYTHON"); p != "" {
		return p
	}
	return "/usr/bin/python3"
}

// runIronic sends req to testdata/ironic_redfish.py and decodes its
// answer into out.
func runIronic(t *testing.T, req, out any) {
	t.Helper()
	in, err := json.Marshal(req)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.CommandContext(t.Context(), python(), "testdata/ironic_redfish.py")
	cmd.Cancel = func() error { return cmd.Process.Signal(syscall.SIGTERM) }
	cmd.WaitDelay = 5 * time.Second
	cmd.Stdin = bytes.NewReader(in)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("%s testdata/ironic_redfish.py: %v\n%s\nIs Debian's Ironic installed? "+
			"apt-get install python3-ironic python3-sushy (or set IRONIC_GO_PYTHON)", python(), err, stderr.String())
	}
	if stderr.Len() > 0 {
		t.Logf("python stderr:\n%s", stderr.String())
	}
	dec := json.NewDecoder(&stdout)
	dec.UseNumber()
	if err := dec.Decode(out); err != nil {
		t.Fatalf("decoding the answer of ironic_redfish.py: %v (%q)", err, stdout.String())
	}
}

func TestIronicParseDriverInfo(t *testing.T) {
	caFile, caDir := caFixtures(t)
	var cases []driverInfoCase
	var req []map[string]any
	for _, c := range driverInfoCases(caFile, caDir) {
		if c.ironic {
			cases = append(cases, c)
			req = append(req, map[string]any{"name": c.name, "info": c.info})
		}
	}
	var got []map[string]any
	runIronic(t, map[string]any{"op": "parse", "node": testNodeUUID, "cases": req}, &got)
	if len(got) != len(cases) {
		t.Fatalf("%d answers for %d cases", len(got), len(cases))
	}
	for i, c := range cases {
		py := got[i]
		di, err := parseCase(c)
		if cls, ok := py["class"].(string); ok {
			ie := exc(t, err)
			if ie.Class != cls || ie.Msg != py["message"] {
				t.Errorf("%s: Go %s %q, Ironic %s %q", c.name, ie.Class, ie.Msg, cls, py["message"])
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: Go %v, Ironic accepts %v", c.name, err, py)
			continue
		}
		verify := fmt.Sprint(py["verify_ca"])
		goVals := []string{di.address, di.systemID, di.verifyCA.String(), di.authType}
		pyVals := []string{fmt.Sprint(py["address"]), fmt.Sprint(py["system_id"]), verify, fmt.Sprint(py["auth_type"])}
		if diff := cmp.Diff(pyVals, goVals); diff != "" {
			t.Errorf("%s (-ironic +go):\n%s", c.name, diff)
		}
	}
}

func TestIronicProperties(t *testing.T) {
	var got map[string]string
	runIronic(t, map[string]any{"op": "properties"}, &got)
	if diff := cmp.Diff(got, Properties()); diff != "" {
		t.Errorf("COMMON_PROPERTIES (-ironic +go):\n%s", diff)
	}
}

// normalize turns json.Number into int64 or float64.
func normalize(v any) any {
	switch x := v.(type) {
	case json.Number:
		if i, err := x.Int64(); err == nil {
			return i
		}
		f, _ := x.Float64()
		return f
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = normalize(e)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = normalize(e)
		}
		return out
	}
	return v
}

// TestIronicInspect runs Ironic's redfish inspection on every mockup
// topology and compares it with the expectations the Go driver meets.
func TestIronicInspect(t *testing.T) {
	for _, c := range inspectCases() {
		t.Run(c.name, func(t *testing.T) {
			srv := redfishtest.Start(t, redfishtest.Options{Mockup: c.mockup, Password: testPassword, Username: "admin"})
			info := map[string]any{InfoAddress: srv.URL, InfoUsername: "admin", InfoPassword: testPassword}
			if c.system != "" {
				info[InfoSystemID] = c.system
			}
			var got struct {
				State      string
				Properties map[string]any
				Macs       []string
				ErrorClass string `json:"error_class"`
				Error      string
			}
			runIronic(t, map[string]any{"op": "inspect", "node": testNodeUUID, "info": info}, &got)
			if failed := got.ErrorClass + ": " + got.Error; got.ErrorClass != "" || c.ironicFails != "" {
				if c.ironicFails == "" || !strings.HasPrefix(failed, c.ironicFails) {
					t.Fatalf("Ironic: %q, want failure %q", failed, c.ironicFails)
				}
				t.Logf("known difference: Ironic fails with %s; the Go driver finishes", failed)
			}
			switch {
			case c.ironicFails != "" && len(got.Properties) == 0:
				// sushy refuses the System itself (a required field is
				// missing): Ironic computed nothing.
				t.Logf("Ironic cannot read this System at all")
			default:
				if diff := cmp.Diff(c.props, normalize(got.Properties)); diff != "" {
					t.Errorf("properties (-go +ironic):\n%s", diff)
				}
			}
			if diff := cmp.Diff(c.macs, got.Macs, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("MACs (-go +ironic):\n%s", diff)
			}
			if got.State != drivers.StateManageable && c.ironicFails == "" {
				t.Errorf("state %q", got.State)
			}
		})
	}
}

// step is one scenario operation: name and arguments, as the Python
// script takes them.
type step []any

// runGoSteps runs a scenario with the Go driver and returns what the
// Python script returns for it.
func runGoSteps(t *testing.T, e *env, info map[string]any, steps []step) (results []map[string]any, internal map[string]any) {
	t.Helper()
	task, _ := e.task(info)
	ctx := t.Context()
	p, m := e.d.Power(), e.d.Management()
	for _, s := range steps {
		var res any
		var err error
		switch s[0] {
		case "set_power_state":
			err = p.SetPowerState(ctx, task, s[1].(string), 0)
		case "reboot":
			err = p.Reboot(ctx, task, 0)
		case "get_power_state":
			res, err = p.GetPowerState(ctx, task)
		case "set_boot_device":
			err = m.SetBootDevice(ctx, task, s[1].(string), s[2].(bool))
		case "get_boot_device":
			var bd drivers.BootDevice
			bd, err = m.GetBootDevice(ctx, task)
			res = bd.Map()
		case "set_boot_mode":
			err = m.SetBootMode(ctx, task, s[1].(string))
		case "get_boot_mode":
			var mode string
			mode, err = m.GetBootMode(ctx, task)
			if mode != "" {
				res = mode
			}
		case "inject_nmi":
			err = m.InjectNMI(ctx, task)
		default:
			t.Fatalf("unknown step %v", s)
		}
		if err != nil {
			ie := exc(t, err)
			results = append(results, map[string]any{"error_class": ie.Class, "error": ie.Msg})
			continue
		}
		results = append(results, map[string]any{"result": res})
	}
	return results, task.Node.DriverInternalInfo
}

// mutations returns the POST and PATCH requests a server received
// (sessions aside), with their bodies decoded.
func mutations(t *testing.T, srv *redfishtest.Server) []string {
	t.Helper()
	var out []string
	for _, r := range srv.Requests() {
		if (r.Method != "POST" && r.Method != "PATCH") || strings.Contains(r.Path, "SessionService") {
			continue
		}
		var body any
		if err := json.Unmarshal(r.Body, &body); err != nil {
			t.Fatalf("%s %s: %v", r.Method, r.Path, err)
		}
		data, _ := json.Marshal(body)
		out = append(out, r.Method+" "+r.Path+" "+strconv.Itoa(r.Status)+" "+string(data))
	}
	return out
}

// TestIronicScenarios runs the same operations with Ironic and with the
// Go driver against two identical fake BMCs and compares the results, the
// requests each BMC received and where each BMC ended.
func TestIronicScenarios(t *testing.T) {
	scenarios := []struct {
		name   string
		opts   redfishtest.Options
		system string
		steps  []step
	}{
		{name: "emulator", opts: redfishtest.Options{PowerDelay: 300 * time.Millisecond}, steps: []step{
			{"get_power_state"},
			{"set_boot_device", "pxe", true},
			{"set_boot_device", "disk", false},
			{"get_boot_device"},
			{"set_power_state", "power off"},
			{"get_power_state"},
			{"set_power_state", "power on"},
			{"reboot"},
			{"inject_nmi"},
			{"get_boot_mode"},
			{"set_boot_mode", "bios"},
			{"get_boot_mode"},
			{"set_power_state", "soft power off"},
			{"set_power_state", "soft rebooting"},
		}},
		{name: "continuous refused", opts: redfishtest.Options{ExactBootEnabled: true, RefuseContinuous: true, ConsumeOnce: true},
			steps: []step{
				{"set_boot_device", "pxe", true},
				{"get_boot_device"},
				{"set_power_state", "power off"},
				{"set_power_state", "power on"},
				{"get_boot_device"},
				{"reboot"},
				{"get_boot_device"},
				{"set_boot_device", "cdrom", false},
				{"reboot"},
			}},
		{name: "blade without boot mode", opts: redfishtest.Options{Mockup: redfishtest.MockupBladed, AcceptNMI: true},
			system: "/redfish/v1/Systems/529QB9452R6", steps: []step{
				{"get_boot_mode"},
				{"set_boot_mode", "uefi"},
				{"inject_nmi"},
				{"set_boot_device", "bios", true},
				{"get_boot_device"},
			}},
		{name: "sessions", opts: redfishtest.Options{Auth: redfishtest.AuthSessionOnly}, steps: []step{
			{"get_power_state"},
			{"set_power_state", "power off"},
			{"set_boot_device", "cdrom", true},
		}},
	}
	for _, sc := range scenarios {
		t.Run(sc.name, func(t *testing.T) {
			opts := sc.opts
			opts.Username, opts.Password = "admin", testPassword
			pySrv := redfishtest.Start(t, opts)
			e := newEnv(t, &opts, func(c *Config) {
				c.PowerStatePollInterval, c.PowerStatePollMaxInterval = 50*time.Millisecond, 200*time.Millisecond
			})
			goSrv := e.srv

			pyInfo := map[string]any{InfoAddress: pySrv.URL, InfoUsername: "admin", InfoPassword: testPassword}
			goInfo := map[string]any{InfoAddress: goSrv.URL, InfoUsername: "admin", InfoPassword: testPassword}
			if sc.system != "" {
				pyInfo[InfoSystemID], goInfo[InfoSystemID] = sc.system, sc.system
			}
			var py struct {
				Steps              []map[string]any
				DriverInternalInfo map[string]any `json:"driver_internal_info"`
			}
			runIronic(t, map[string]any{"op": "scenario", "node": testNodeUUID, "info": pyInfo, "steps": sc.steps}, &py)
			goSteps, goInternal := runGoSteps(t, e, goInfo, sc.steps)

			for i, s := range sc.steps {
				p, g := normalize(py.Steps[i]).(map[string]any), goSteps[i]
				if pc, ok := p["error_class"]; ok {
					// Ironic's message goes on with sushy's "Extended
					// information"; the Go one stops before.
					pyMsg := strings.ReplaceAll(fmt.Sprint(p["error"]), pySrv.URL, goSrv.URL)
					if g["error_class"] != pc || !strings.HasPrefix(pyMsg, fmt.Sprint(g["error"])) {
						t.Errorf("step %v: Ironic %s %q, Go %v %q", s, pc, p["error"], g["error_class"], g["error"])
					} else {
						t.Logf("step %v: both %s\n  ironic: %s\n  go:     %s", s, pc, p["error"], g["error"])
					}
					continue
				}
				if diff := cmp.Diff(p, g); diff != "" {
					t.Errorf("step %v (-ironic +go):\n%s", s, diff)
				}
			}
			if diff := cmp.Diff(normalize(py.DriverInternalInfo), goInternal, cmpEmptyMaps); diff != "" {
				t.Errorf("driver_internal_info (-ironic +go):\n%s", diff)
			}
			if diff := cmp.Diff(mutations(t, pySrv), mutations(t, goSrv)); diff != "" {
				t.Errorf("requests the BMC received (-ironic +go):\n%s", diff)
			}
			for _, id := range pySrv.Systems() {
				ps, _ := pySrv.System(id)
				gs, _ := goSrv.System(id)
				ps.ID, gs.ID = "", ""
				if diff := cmp.Diff(ps, gs); diff != "" {
					t.Errorf("BMC state of %s (-ironic +go):\n%s", id, diff)
				}
			}
			if opts.Auth != redfishtest.AuthBasic {
				if n := countAuth(goSrv.Requests())["basic"]; n != 0 {
					t.Errorf("Go used basic authentication %d times", n)
				}
			}
		})
	}
}

var cmpEmptyMaps = cmp.Transformer("emptyNil", func(m map[string]any) map[string]any {
	if len(m) == 0 {
		return nil
	}
	return m
})
