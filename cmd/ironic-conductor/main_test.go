package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rs/zerolog"

	"github.com/ironic-go/ironic-go/cmd/internal/conf"
	"github.com/ironic-go/ironic-go/drivers"
	"github.com/ironic-go/ironic-go/drivers/ipmi"
	"github.com/ironic-go/ironic-go/drivers/redfish"
)

// startupFailure is a configuration the daemon must refuse at start with
// exit status 1 and one line on standard error.
type startupFailure struct {
	name string
	// conf is the file's text; "%s" is replaced with the test's state
	// directory. Empty: the file does not exist.
	conf string
	// needsBroker: the failure comes after the broker connection (it
	// needs a reachable RabbitMQ, given as transport_url by the test).
	needsBroker bool
	// want are strings the line contains; secret must not appear.
	want   []string
	secret string
}

var startupFailures = []startupFailure{
	{name: "missing file", want: []string{"config file", "no such file"}},
	{name: "syntax error", conf: "[DEFAULT]\nstate_path = %s\n[conductor\nheartbeat_interval = 1\n",
		want: []string{"syntax error", "invalid section header"}},
	{name: "bad values", conf: "[DEFAULT]\nstate_path = %s\ntransport_url = rabbit://ironic:b4dv4lue@127.0.0.1:1/\n" +
		"[conductor]\nworkers_pool_size = 1\nheartbeat_interval = often\n",
		want: []string{"workers_pool_size", "heartbeat_interval"}, secret: "b4dv4lue"},
	{name: "unknown hardware type", conf: "[DEFAULT]\nstate_path = %s\nenabled_hardware_types = fake-hardware,idrac\n" +
		"transport_url = rabbit://ironic:hw5ecret@127.0.0.1:1/\n",
		want: []string{"enabled_hardware_types", "idrac", "this build has: fake-hardware"}, secret: "hw5ecret"},
	{name: "unknown interface", conf: "[DEFAULT]\nstate_path = %s\nenabled_hardware_types = fake-hardware\n" +
		"enabled_power_interfaces = fake,idrac-redfish\n",
		want: []string{"enabled_power_interfaces", "idrac-redfish", "this build has: fake"}},
	{name: "default not enabled", conf: "[DEFAULT]\nstate_path = %s\nenabled_hardware_types = fake-hardware\n" +
		"default_deploy_interface = direct\n",
		want: []string{"InterfaceNotFoundInEntrypoint", "direct"}},
	{name: "unreachable broker", conf: "[DEFAULT]\nstate_path = %s\nenabled_hardware_types = fake-hardware\n" +
		"transport_url = rabbit://ironic:unr3achable@127.0.0.1:1/\n",
		want: []string{"message broker", "127.0.0.1:1", "refused"}, secret: "unr3achable"},
	{name: "unreachable database", needsBroker: true, conf: "[DEFAULT]\nstate_path = %s\nenabled_hardware_types = fake-hardware\n" +
		"[database]\nconnection = postgresql://ironic:dbunr3achable@127.0.0.1:1/ironic?sslmode=disable&connect_timeout=5\n",
		want: []string{"database", "127.0.0.1:1"}, secret: "dbunr3achable"},
}

// writeConf writes the failure's configuration (plus extra lines) into a
// temporary directory and returns its path ("" for the missing file).
func (sf startupFailure) writeConf(t *testing.T, extra string) string {
	t.Helper()
	dir := t.TempDir()
	path := filepath.Join(dir, "ironic.conf")
	if sf.conf == "" {
		return path
	}
	text := fmt.Sprintf(sf.conf, filepath.Join(dir, "state")) + extra
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// check verifies the exit status and the single line of stderr.
func (sf startupFailure) check(t *testing.T, code int, stderr string) {
	t.Helper()
	if code != 1 {
		t.Errorf("exit status %d, want 1; stderr:\n%s", code, stderr)
	}
	lines := strings.Split(strings.TrimRight(stderr, "\n"), "\n")
	if len(lines) != 1 || !strings.HasPrefix(lines[0], prog+": ") {
		t.Errorf("want one line \"%s: ...\", got %d:\n%s", prog, len(lines), stderr)
	}
	for _, w := range sf.want {
		if !strings.Contains(stderr, w) {
			t.Errorf("%q missing from %q", w, stderr)
		}
	}
	if sf.secret != "" && strings.Contains(stderr, sf.secret) {
		t.Errorf("password %q printed: %q", sf.secret, stderr)
	}
}

// TestStartupFailures runs the daemon in-process on each configuration
// that fails before anything is reachable.
func TestStartupFailures(t *testing.T) {
	for _, sf := range startupFailures {
		if sf.needsBroker {
			continue
		}
		t.Run(sf.name, func(t *testing.T) {
			t.Parallel()
			path := sf.writeConf(t, "")
			errf, err := os.Create(filepath.Join(t.TempDir(), "stderr"))
			if err != nil {
				t.Fatal(err)
			}
			defer errf.Close()
			code := run(t.Context(), []string{"--config-file", path}, errf)
			out, _ := os.ReadFile(errf.Name())
			sf.check(t, code, string(out))
		})
	}
}

func TestUsage(t *testing.T) {
	errf, err := os.Create(filepath.Join(t.TempDir(), "stderr"))
	if err != nil {
		t.Fatal(err)
	}
	defer errf.Close()
	if code := run(t.Context(), []string{"--no-such-flag"}, errf); code != 2 {
		t.Errorf("bad flag: exit %d, want 2", code)
	}
	if code := run(t.Context(), []string{"stray"}, errf); code != 2 {
		t.Errorf("stray argument: exit %d, want 2", code)
	}
	if code := run(t.Context(), []string{"--help"}, errf); code != 0 {
		t.Errorf("--help: exit %d, want 0", code)
	}
}

func TestDriversErrorNamesWhatThisBuildHas(t *testing.T) {
	hw, err := newHardware(conf.Daemon{IPMI: ipmi.DefaultConfig(), Redfish: redfish.DefaultConfig()}, zerolog.Nop())
	if err != nil {
		t.Fatal(err)
	}
	defer hw.Close()
	_, err = drivers.NewRegistry(drivers.Config{EnabledHardwareTypes: []string{"fake-hardware"},
		EnabledInterfaces: map[drivers.InterfaceType][]string{drivers.InterfaceBoot: {"pxe", "fake"}}}, hw.catalogs()...)
	got := driversError(err, hw.catalogs()).Error()
	if !strings.Contains(got, "[DEFAULT] enabled_boot_interfaces: unknown boot interface pxe") || !strings.Contains(got, "this build has: fake") {
		t.Errorf("driversError = %q", got)
	}
}

func TestStartupGateHoldsLogsUntilOpen(t *testing.T) {
	var out strings.Builder
	g := &startupGate{out: &out, hold: true}
	fmt.Fprintln(g, "early")
	if out.Len() != 0 {
		t.Fatal("held line written")
	}
	g.open()
	fmt.Fprintln(g, "late")
	if out.String() != "early\nlate\n" {
		t.Errorf("gate wrote %q", out.String())
	}
}
