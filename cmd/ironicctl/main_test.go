package main

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/ironic-go/ironic-go/db"
	"github.com/ironic-go/ironic-go/objects"
	"github.com/ironic-go/ironic-go/objects/exception"
)

func ctl(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var o, e bytes.Buffer
	code = run(t.Context(), args, &o, &e)
	return code, o.String(), e.String()
}

func TestCommandTable(t *testing.T) {
	seen := map[string]bool{}
	for _, c := range commands {
		if seen[c.name] {
			t.Errorf("command %s twice", c.name)
		}
		seen[c.name] = true
		if got := len(strings.Fields(c.args)); got != c.nargs {
			t.Errorf("%s: usage %q names %d arguments, nargs is %d", c.name, c.args, got, c.nargs)
		}
		if c.help == "" || c.run == nil {
			t.Errorf("%s: no help or no run", c.name)
		}
	}
	for _, want := range []string{"node-create", "node-list", "node-show", "node-delete", "node-set-provision-state",
		"node-manage", "node-provide", "node-deploy", "node-undeploy", "node-set-power-state", "node-validate",
		"node-get-boot-device", "node-set-boot-device", "driver-properties", "conductor-list"} {
		if !seen[want] {
			t.Errorf("no %s command", want)
		}
	}
}

func TestUsageAndExitCodes(t *testing.T) {
	if code, out, _ := ctl(t, "help"); code != 0 || !strings.Contains(out, "node-set-power-state NODE on|off|reboot") {
		t.Errorf("help: %d %q", code, out)
	}
	if code, _, _ := ctl(t); code != 2 {
		t.Errorf("no command: exit %d", code)
	}
	if code, _, errs := ctl(t, "node-dance"); code != 2 || !strings.Contains(errs, `unknown command "node-dance"`) {
		t.Errorf("unknown command: %d %q", code, errs)
	}
	if code, _, errs := ctl(t, "node-show"); code != 2 || !strings.Contains(errs, "usage: ironicctl node-show") {
		t.Errorf("missing argument: %d %q", code, errs)
	}
	if code, _, errs := ctl(t, "node-create", "--name", "x"); code != 2 || !strings.Contains(errs, "--driver is required") {
		t.Errorf("node-create without driver: %d %q", code, errs)
	}
	if code, _, _ := ctl(t, "node-show", "--help"); code != 0 {
		t.Errorf("command --help: exit %d", code)
	}
}

func TestParseInterspersed(t *testing.T) {
	for _, tc := range []struct {
		args []string
		pos  []string
		wait int
	}{
		{[]string{"demo", "--wait", "5", "on"}, []string{"demo", "on"}, 5},
		{[]string{"--wait=7", "demo", "on"}, []string{"demo", "on"}, 7},
		{[]string{"demo", "on", "-wait", "3"}, []string{"demo", "on"}, 3},
		{[]string{"--", "-odd-name", "on"}, []string{"-odd-name", "on"}, 0},
		{[]string{"demo", "--", "--wait"}, []string{"demo", "--wait"}, 0},
	} {
		fs := flag.NewFlagSet("t", flag.ContinueOnError)
		var o opts
		waitFlag(fs, &o)
		pos, err := parseInterspersed(fs, tc.args)
		if err != nil || !slices.Equal(pos, tc.pos) || o.wait != tc.wait {
			t.Errorf("%q: pos %q wait %d err %v", tc.args, pos, o.wait, err)
		}
	}
}

func TestDescribe(t *testing.T) {
	got := describe(exception.NodeLocked("1be26c0b-03f2-4d2e-ae87-c02d7f33c123", "cond-a"))
	if !strings.HasPrefix(got, "NodeLocked (HTTP 409): Node 1be26c0b-03f2-4d2e-ae87-c02d7f33c123 is locked by host cond-a") {
		t.Errorf("describe = %q", got)
	}
}

func TestMaskSecrets(t *testing.T) {
	m := maskSecrets(map[string]any{"ipmi_password": "hunter2", "redfish_password": "x", "ipmi_username": "admin", "ipmi_address": "10.0.0.1"})
	if m["ipmi_password"] != "******" || m["redfish_password"] != "******" || m["ipmi_username"] != "admin" || m["ipmi_address"] != "10.0.0.1" {
		t.Errorf("masked: %v", m)
	}
}

// writeConf writes an ironic.conf using the embedded database of dir.
func writeConf(t *testing.T, dir string) string {
	t.Helper()
	p := filepath.Join(dir, "ironic.conf")
	text := "[DEFAULT]\nstate_path = " + filepath.Join(dir, "state") + "\ntransport_url = rabbit://u:ctls3cret@127.0.0.1:1/\n"
	if err := os.WriteFile(p, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestNoDatabaseYet(t *testing.T) {
	conf := writeConf(t, t.TempDir())
	code, _, errs := ctl(t, "--config-file", conf, "node-list")
	if code != 1 || !strings.Contains(errs, "no database at") || !strings.Contains(errs, "start ironic-conductor") {
		t.Errorf("node-list without a database: %d %q", code, errs)
	}
}

// The read-only commands work on the database alone; the RPC ones report
// an unreachable broker in one line without its password.
func TestReadOnlyCommandsOnTheDatabase(t *testing.T) {
	dir := t.TempDir()
	conf := writeConf(t, dir)
	if err := os.MkdirAll(filepath.Join(dir, "state"), 0o700); err != nil {
		t.Fatal(err)
	}
	store, err := db.Open(t.Context(), "", db.Config{SQLitePath: filepath.Join(dir, "state", "ironic.sqlite")})
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	ctx := t.Context()
	if _, err := store.RegisterConductor(ctx, db.ConductorRegistration{Hostname: "cond-x", Drivers: []string{},
		HardwareInterfaces: []db.HardwareInterface{{HardwareType: "fake-hardware", InterfaceType: "power", InterfaceName: "fake", Default: true}}}, false); err != nil {
		t.Fatal(err)
	}
	n := &objects.Node{UUID: new("0f8a2b44-5d4b-4a6c-9b1e-6d2f0d8e4a11"), Name: new("demo"), Driver: new("fake-hardware"),
		ProvisionState: new("enroll"), DriverInfo: map[string]any{"ipmi_password": "n0tsh0wn", "ipmi_address": "10.1.2.3"}}
	if _, err := store.CreateNode(ctx, n); err != nil {
		t.Fatal(err)
	}

	code, out, errs := ctl(t, "--config-file", conf, "node-list")
	if code != 0 || !strings.Contains(out, "0f8a2b44-5d4b-4a6c-9b1e-6d2f0d8e4a11  demo") || !strings.Contains(out, "enroll") {
		t.Errorf("node-list: %d %q %q", code, out, errs)
	}
	code, out, _ = ctl(t, "node-show", "demo", "--config-file", conf)
	if code != 0 || !strings.Contains(out, "ipmi_address") || strings.Contains(out, "n0tsh0wn") || !strings.Contains(out, `"ipmi_password":"******"`) {
		t.Errorf("node-show: %d %q", code, out)
	}
	code, out, _ = ctl(t, "--config-file", conf, "node-show", "0f8a2b44-5d4b-4a6c-9b1e-6d2f0d8e4a11", "--fields", "provision_state,driver")
	if code != 0 || out != "Field            Value\nprovision_state  enroll\ndriver           fake-hardware\n" {
		t.Errorf("node-show --fields: %d %q", code, out)
	}
	if code, _, errs := ctl(t, "--config-file", conf, "node-show", "demo", "--fields", "colour"); code != 1 || !strings.Contains(errs, `unknown node field "colour"`) {
		t.Errorf("bad field: %d %q", code, errs)
	}
	if code, _, errs := ctl(t, "--config-file", conf, "node-show", "nope"); code != 1 || errs != "ironicctl: NodeNotFound (HTTP 404): Node nope could not be found.\n" {
		t.Errorf("unknown node: %d %q", code, errs)
	}
	code, out, _ = ctl(t, "--config-file", conf, "conductor-list")
	if code != 0 || !strings.Contains(out, "cond-x") || !strings.Contains(out, "true") {
		t.Errorf("conductor-list: %d %q", code, out)
	}
	code, out, _ = ctl(t, "--config-file", conf, "driver-list")
	if code != 0 || !strings.Contains(out, "fake-hardware        cond-x") {
		t.Errorf("driver-list: %d %q", code, out)
	}
	code, _, errs = ctl(t, "--config-file", conf, "node-set-power-state", "demo", "on")
	if code != 1 || !strings.Contains(errs, "message broker") || strings.Contains(errs, "ctls3cret") || strings.Count(errs, "\n") != 1 {
		t.Errorf("unreachable broker: %d %q", code, errs)
	}
	if code, _, errs := ctl(t, "--config-file", conf, "node-set-power-state", "demo", "sideways"); code != 1 || !strings.Contains(errs, `unknown power state "sideways"`) {
		t.Errorf("bad power state: %d %q", code, errs)
	}
	if code, _, errs := ctl(t, "--config-file", conf, "node-set-provision-state", "demo", "fly"); code != 1 || !strings.Contains(errs, `unknown provision verb "fly"`) {
		t.Errorf("bad verb: %d %q", code, errs)
	}
}
