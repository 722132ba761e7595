//go:build integration

package main

import (
	"bufio"
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	amqp "github.com/rabbitmq/amqp091-go"

	ironicconf "github.com/ironic-go/ironic-go/cmd/internal/conf"
	"github.com/ironic-go/ironic-go/db"
	"github.com/ironic-go/ironic-go/db/dbtest"
	"github.com/ironic-go/ironic-go/messaging/rabbit/rabbittest"
)

// bins is where TestMain built ironic-conductor and ironicctl.
var bins string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "ironic-go-cmd-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	code := func() int {
		goCmd, err := exec.LookPath("go")
		if err != nil {
			goCmd = "/usr/local/go/bin/go"
		}
		// The binaries carry the race detector too: a race in the daemon
		// makes it exit 66 and the test fail.
		build := exec.Command(goCmd, "build", "-race", "-o", dir+string(filepath.Separator),
			"github.com/ironic-go/ironic-go/cmd/ironic-conductor", "github.com/ironic-go/ironic-go/cmd/ironicctl")
		if out, err := build.CombinedOutput(); err != nil {
			fmt.Fprintf(os.Stderr, "go build: %v\n%s", err, out)
			return 1
		}
		bins = dir
		return m.Run()
	}()
	os.RemoveAll(dir)
	os.Exit(code)
}

func suffix(t *testing.T) string {
	t.Helper()
	b := make([]byte, 4)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(b)
}

// syncBuffer collects a process's output.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// proc is a started ironic-conductor.
type proc struct {
	cmd    *exec.Cmd
	stderr *syncBuffer
	done   chan struct{}
}

func startConductor(t *testing.T, conf string) *proc {
	t.Helper()
	cmd := exec.CommandContext(t.Context(), filepath.Join(bins, "ironic-conductor"), "--config-file", conf)
	cmd.Cancel = func() error { return cmd.Process.Kill() }
	cmd.WaitDelay = 10 * time.Second
	p := &proc{cmd: cmd, stderr: &syncBuffer{}, done: make(chan struct{})}
	cmd.Stderr = p.stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { _ = cmd.Wait(); close(p.done) }()
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		<-p.done
		if t.Failed() {
			t.Logf("ironic-conductor stderr:\n%s", p.stderr)
		}
	})
	return p
}

// waitRunning waits for the daemon's "running" log line.
func (p *proc) waitRunning(t *testing.T) {
	t.Helper()
	deadline := time.After(90 * time.Second)
	for !strings.Contains(p.stderr.String(), "ironic-conductor running") {
		select {
		case <-p.done:
			t.Fatalf("ironic-conductor exited at start (%v): %s", p.cmd.ProcessState, p.stderr)
		case <-deadline:
			t.Fatalf("ironic-conductor not running after 90s: %s", p.stderr)
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// stop sends SIGTERM and returns the exit status.
func (p *proc) stop(t *testing.T) int {
	t.Helper()
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case <-p.done:
	case <-time.After(90 * time.Second):
		t.Fatalf("ironic-conductor still running 90s after SIGTERM: %s", p.stderr)
	}
	return p.cmd.ProcessState.ExitCode()
}

// ironicctl runs the CLI with the test's configuration.
func ironicctl(t *testing.T, conf string, args ...string) (string, string, error) {
	t.Helper()
	cmd := exec.CommandContext(t.Context(), filepath.Join(bins, "ironicctl"), append([]string{"--config-file", conf}, args...)...)
	cmd.Cancel = func() error { return cmd.Process.Kill() }
	cmd.WaitDelay = 10 * time.Second
	var out, errs bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errs
	err := cmd.Run()
	return out.String(), errs.String(), err
}

// readmeSteps returns the ironicctl commands of README.md's "Try it" section
// (without the "ironicctl" word) and the output the last one is shown
// to print.
func readmeSteps(t *testing.T) ([][]string, string) {
	t.Helper()
	readme, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	_, section, ok := strings.Cut(string(readme), "\n## Try it\n")
	if !ok {
		t.Fatal(`README.md has no "## Try it" section`)
	}
	var steps [][]string
	var blocks []string
	var cur *strings.Builder
	sc := bufio.NewScanner(strings.NewReader(section))
	for sc.Scan() && len(blocks) < 2 {
		line := sc.Text()
		switch {
		case strings.HasPrefix(line, "```") && cur == nil:
			cur = &strings.Builder{}
		case strings.HasPrefix(line, "```"):
			blocks = append(blocks, cur.String())
			cur = nil
		case cur != nil:
			cur.WriteString(line + "\n")
			if w := strings.Fields(line); len(blocks) == 0 && len(w) > 0 && w[0] == "ironicctl" {
				steps = append(steps, w[1:])
			}
		}
	}
	if len(steps) == 0 || len(blocks) < 2 {
		t.Fatalf("README.md's Try it section has no ironicctl commands followed by their output")
	}
	return steps, blocks[1]
}

// deleteTopology removes what the conductor declared on the broker and
// oslo leaves behind: its server queue and exchange, and the topic queue
// and fanout exchange that all conductors share, if no one uses them.
func deleteTopology(t *testing.T, exchange, host string) {
	t.Cleanup(func() {
		c, err := amqp.Dial(rabbittest.URL())
		if err != nil {
			t.Errorf("cleanup: %v", err)
			return
		}
		defer c.Close()
		do := func(f func(ch *amqp.Channel) error) {
			if ch, err := c.Channel(); err == nil {
				_ = f(ch) // a shared queue in use closes the channel: keep it
				_ = ch.Close()
			}
		}
		topic := "ironic.conductor_manager"
		do(func(ch *amqp.Channel) error {
			_, err := ch.QueueDelete(topic+"."+host, false, false, false)
			return err
		})
		do(func(ch *amqp.Channel) error { _, err := ch.QueueDelete(topic, true, true, false); return err })
		do(func(ch *amqp.Channel) error { return ch.ExchangeDelete(topic+"_fanout", true, false) })
		do(func(ch *amqp.Channel) error { return ch.ExchangeDelete(exchange, false, false) })
	})
}

func writeFile(t *testing.T, path, text string) string {
	t.Helper()
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestTryItFromTheREADME runs the README's "Try it" steps with ironicctl
// against a real ironic-conductor on RabbitMQ and the embedded SQLite
// database, then stops the conductor with SIGTERM.
func TestTryItFromTheREADME(t *testing.T) {
	t.Parallel()
	tryIt(t, "", "")
}

// TestTryItOnPostgreSQL does the same with the conductor on PostgreSQL
// (its own schema, a SQLAlchemy URL as Ironic's [database] connection,
// with a password the trust authentication ignores) and debug logs, and
// checks that the password appears in no output.
func TestTryItOnPostgreSQL(t *testing.T) {
	t.Parallel()
	dsn := dbtest.NewSchema(t, dbtest.PostgresDSN())
	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatal(err)
	}
	secret := "pgs3cret" + suffix(t)
	u.User = url.UserPassword(u.User.Username(), secret)
	tryIt(t, "[DEFAULT]\ndebug = true\n[database]\nconnection = "+dbtest.SQLAlchemyURL(u.String())+"\n", secret)
}

// tryIt starts a conductor with its own host, exchange and state
// directory (plus extra configuration), runs the README's steps, stops
// it, and checks what it left in the database. secret, if not empty,
// must appear in no output.
func tryIt(t *testing.T, extra, secret string) {
	rabbittest.RawConn(t) // fails with the fix if RabbitMQ is not there
	id := suffix(t)
	host, exchange := "itest-cond-"+id, "itest-ironic-"+id
	deleteTopology(t, exchange, host)
	dir := t.TempDir()
	state := filepath.Join(dir, "state")
	conf := writeFile(t, filepath.Join(dir, "ironic.conf"), fmt.Sprintf(`[DEFAULT]
host = %s
transport_url = %s
control_exchange = %s
state_path = %s
enabled_hardware_types = fake-hardware
graceful_shutdown_timeout = 30
[conductor]
heartbeat_interval = 2
`, host, rabbittest.URL(), exchange, state)+extra)
	var outputs []string
	defer func() {
		for _, o := range outputs {
			if secret != "" && strings.Contains(o, secret) {
				t.Errorf("the password is in an output:\n%s", o)
			}
		}
	}()

	p := startConductor(t, conf)
	p.waitRunning(t)
	if conns := rabbittest.ConnectionsNamed(t, host+":"); len(conns) == 0 {
		t.Errorf("no RabbitMQ connection is named after host %s", host)
	}

	steps, shown := readmeSteps(t)
	var last string
	for _, step := range steps {
		out, errs, err := ironicctl(t, conf, step...)
		outputs = append(outputs, out, errs)
		if err != nil {
			t.Fatalf("ironicctl %s: %v\nstdout:\n%s\nstderr:\n%s", strings.Join(step, " "), err, out, errs)
		}
		t.Logf("ironicctl %s\n%s", strings.Join(step, " "), out)
		last = out
	}
	if last != shown {
		t.Errorf("the last Try it step printed\n%s\nREADME.md shows\n%s", last, shown)
	}
	out, _, err := ironicctl(t, conf, "node-show", "demo", "--fields", "power_state")
	if err != nil || !strings.Contains(out, "power_state  power on") {
		t.Fatalf("power state after Try it: %q, %v", out, err)
	}
	// A conductor error comes back with Ironic's class.
	if _, errs, err := ironicctl(t, conf, "node-set-provision-state", "demo", "deploy"); err == nil ||
		!strings.Contains(errs, "InvalidStateRequested (HTTP 400)") {
		t.Errorf("deploy from manageable: %v %q", err, errs)
	}

	code := p.stop(t)
	outputs = append(outputs, p.stderr.String())
	if code != 0 {
		t.Fatalf("exit status %d after SIGTERM, want 0", code)
	}
	d, err := ironicconf.Load([]string{conf}, nil)
	if err != nil {
		t.Fatal(err)
	}
	dbc, err := ironicconf.DatabaseFrom(d)
	if err != nil {
		t.Fatal(err)
	}
	store, err := db.Open(t.Context(), dbc.Connection, dbc.Config)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	conds, err := store.ListConductors(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if len(conds) != 1 || conds[0].Hostname != host || conds[0].Online {
		t.Errorf("conductors after stop: %+v (want %s offline)", conds, host)
	}
	nodes, err := store.ListNodes(t.Context(), db.NodeFilter{}, db.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(nodes) != 1 {
		t.Fatalf("want the demo node, got %d nodes", len(nodes))
	}
	if n := nodes[0]; n.Reservation != nil || n.PowerState == nil || *n.PowerState != "power on" {
		t.Errorf("node after stop: reservation %v power_state %v", n.Reservation, n.PowerState)
	}
}

// TestStartupFailuresOfTheBinary runs the built daemon on each refused
// configuration: exit status 1, one line on stderr, no password.
func TestStartupFailuresOfTheBinary(t *testing.T) {
	t.Parallel()
	rabbittest.RawConn(t)
	for _, sf := range startupFailures {
		t.Run(sf.name, func(t *testing.T) {
			t.Parallel()
			extra := ""
			if sf.needsBroker {
				id := suffix(t)
				extra = fmt.Sprintf("[DEFAULT]\nhost = itest-fail-%s\ntransport_url = %s\ncontrol_exchange = itest-fail-%s\n",
					id, rabbittest.URL(), id)
			}
			conf := sf.writeConf(t, extra)
			cmd := exec.CommandContext(t.Context(), filepath.Join(bins, "ironic-conductor"), "--config-file", conf)
			cmd.Cancel = func() error { return cmd.Process.Kill() }
			cmd.WaitDelay = 10 * time.Second
			var stdout, stderr bytes.Buffer
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			err := cmd.Run()
			var ee *exec.ExitError
			if err != nil && !errors.As(err, &ee) {
				t.Fatal(err)
			}
			sf.check(t, cmd.ProcessState.ExitCode(), stderr.String())
			if stdout.Len() != 0 {
				t.Errorf("stdout: %q", stdout.String())
			}
		})
	}
}
