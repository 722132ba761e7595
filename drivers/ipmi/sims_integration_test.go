//go:build integration

package ipmi

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// Simulators used by the integration tests: OpenIPMI's ipmi_sim (one
// process per BMC, state in files a test can read) and multibmc.py (many
// pyghmi BMCs in one process, or faultbmc.py, its fault-injecting
// subclass). Both are Debian packages that scripts/deps.sh installs.

const (
	simUser = "admin"
	// simPass is the BMCs' password; tests check it never leaks.
	simPass = "s3cr3t-BMC-pa55"
)

func pythonBin() string {
	if p := os.Getenv("IRONIC_GO_PYTHON"); p != "" {
		return p
	}
	return "/usr/bin/python3"
}

func testdataPath(t testing.TB, name string) string {
	t.Helper()
	p, err := filepath.Abs(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// chassisctl returns the chassis control program given to ipmi_sim
// (testdata/chassisctl/chassisctl.c, compiled with the system's C compiler
// once per source version into the temporary directory).
func chassisctl(t testing.TB) string {
	t.Helper()
	chassisctlOnce.Do(func() {
		srcPath := testdataPath(t, "chassisctl/chassisctl.c")
		src, err := os.ReadFile(srcPath)
		if err != nil {
			chassisctlErr = err
			return
		}
		cc, err := exec.LookPath("cc")
		if err != nil {
			chassisctlErr = fmt.Errorf("no C compiler (cc) for testdata/chassisctl: install gcc (scripts/deps.sh does): %w", err)
			return
		}
		sum := sha256.Sum256(src)
		chassisctlPath = filepath.Join(os.TempDir(), "ironic-go-chassisctl-"+hex.EncodeToString(sum[:8]))
		if _, err := os.Stat(chassisctlPath); err == nil {
			return
		}
		tmp := chassisctlPath + ".tmp" + strconv.Itoa(os.Getpid())
		out, err := exec.CommandContext(context.Background(), cc, "-O2", "-Wall", "-o", tmp, srcPath).CombinedOutput()
		if err != nil {
			chassisctlErr = fmt.Errorf("build testdata/chassisctl: %w\n%s", err, out)
			return
		}
		chassisctlErr = os.Rename(tmp, chassisctlPath)
	})
	if chassisctlErr != nil {
		t.Fatal(chassisctlErr)
	}
	return chassisctlPath
}

var (
	chassisctlOnce sync.Once
	chassisctlPath string
	chassisctlErr  error
)

func needBinary(t testing.TB, name, pkg string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		t.Fatalf("%s not found: install it with `apt-get install %s` (scripts/deps.sh does)", name, pkg)
	}
	return p
}

// portsMu serializes free-port picking within the test binary.
var portsMu sync.Mutex

// freeUDPPorts returns n consecutive UDP ports free on addr, from a random
// start so that parallel test binaries rarely collide.
func freeUDPPorts(t testing.TB, addr string, n int) int {
	t.Helper()
	portsMu.Lock()
	defer portsMu.Unlock()
	for range 200 {
		base := 20000 + rand.IntN(40000-n)
		ok := true
		for p := base; p < base+n && ok; p++ {
			c, err := net.ListenPacket("udp", net.JoinHostPort(addr, strconv.Itoa(p)))
			if err != nil {
				ok = false
				break
			}
			c.Close()
		}
		if ok {
			return base
		}
	}
	t.Fatalf("no %d free consecutive UDP ports on %s", n, addr)
	return 0
}

// bound reports whether some process has bound addr:port (UDP).
func bound(addr string, port int) bool {
	c, err := net.ListenPacket("udp", net.JoinHostPort(addr, strconv.Itoa(port)))
	if err != nil {
		return true
	}
	c.Close()
	return false
}

// logWriter copies a process's output to the test log, line by line.
func logWriter(t testing.TB, prefix string) *os.File {
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	go func() {
		defer r.Close()
		sc := bufio.NewScanner(r)
		for sc.Scan() {
			t.Logf("%s: %s", prefix, sc.Text())
		}
	}()
	return w
}

// ipmiSim is one OpenIPMI ipmi_sim BMC.
type ipmiSim struct {
	t       testing.TB
	addr    string
	port    int
	dir     string // lan.conf, state/ (chassisctl files), persist/
	user    string
	pass    string
	ctlLog  string // if set, chassis control requests are logged there
	cmd     *exec.Cmd
	mu      sync.Mutex
	stopped chan struct{}
}

// startIPMISim starts ipmi_sim on addr (a loopback address) and a free
// port; it is stopped when the test ends.
func startIPMISim(t testing.TB, addr string) *ipmiSim { return startIPMISimLog(t, addr, "") }

// startIPMISimLog is startIPMISim whose chassis control program appends
// "<unix time> <op> <param>" to ctlLog for every request
// (chassisctl -log).
func startIPMISimLog(t testing.TB, addr, ctlLog string) *ipmiSim {
	t.Helper()
	needBinary(t, "ipmi_sim", "openipmi")
	s := &ipmiSim{t: t, addr: addr, dir: t.TempDir(), user: simUser, pass: simPass, ctlLog: ctlLog}
	if err := os.MkdirAll(filepath.Join(s.dir, "state"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(s.dir, "persist"), 0o755); err != nil {
		t.Fatal(err)
	}
	for try := 0; ; try++ {
		s.port = freeUDPPorts(t, addr, 1)
		s.writeConf()
		if err := s.start(); err == nil {
			break
		} else if try == 5 {
			t.Fatal(err)
		}
	}
	t.Cleanup(s.stop)
	return s
}

func (s *ipmiSim) writeConf() {
	tmpl, err := os.ReadFile(testdataPath(s.t, "lan.conf.in"))
	if err != nil {
		s.t.Fatal(err)
	}
	ctl := chassisctl(s.t) + " " + filepath.Join(s.dir, "state")
	if s.ctlLog != "" {
		ctl = chassisctl(s.t) + " -log " + s.ctlLog + " " + filepath.Join(s.dir, "state")
	}
	conf := strings.NewReplacer("@NAME@", "sim"+strconv.Itoa(s.port), "@ADDR@", s.addr, "@PORT@", strconv.Itoa(s.port),
		"@CTL@", ctl, "@USER@", s.user, "@PASS@", s.pass).Replace(string(tmpl))
	if err := os.WriteFile(filepath.Join(s.dir, "lan.conf"), []byte(conf), 0o644); err != nil {
		s.t.Fatal(err)
	}
}

// start runs the simulator and waits until it listens.
func (s *ipmiSim) start() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	cmd := exec.Command("ipmi_sim", "-c", filepath.Join(s.dir, "lan.conf"), "-f", testdataPath(s.t, "sim.emu"),
		"-s", filepath.Join(s.dir, "persist"), "-n")
	w := logWriter(s.t, "ipmi_sim:"+strconv.Itoa(s.port))
	cmd.Stdout, cmd.Stderr = w, w
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		w.Close()
		return fmt.Errorf("start ipmi_sim: %w", err)
	}
	w.Close()
	done := make(chan struct{})
	go func() { _ = cmd.Wait(); close(done) }()
	deadline := time.Now().Add(10 * time.Second)
	for !bound(s.addr, s.port) {
		select {
		case <-done:
			return fmt.Errorf("ipmi_sim on %s:%d exited at start", s.addr, s.port)
		default:
		}
		if time.Now().After(deadline) {
			_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
			<-done
			return fmt.Errorf("ipmi_sim on %s:%d did not listen", s.addr, s.port)
		}
		time.Sleep(5 * time.Millisecond)
	}
	s.cmd, s.stopped = cmd, done
	return nil
}

// stop kills the simulator (its process group: chassisctl children too).
func (s *ipmiSim) stop() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cmd == nil {
		return
	}
	_ = syscall.Kill(-s.cmd.Process.Pid, syscall.SIGKILL)
	<-s.stopped
	s.cmd = nil
}

// restart stops and starts the simulator on the same port and state.
func (s *ipmiSim) restart() {
	s.t.Helper()
	s.stop()
	for range 50 {
		if err := s.start(); err == nil {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	s.t.Fatal("ipmi_sim did not restart")
}

// state returns a chassisctl state file ("power", "boot", "events"), ""
// if absent.
func (s *ipmiSim) state(name string) string {
	b, err := os.ReadFile(filepath.Join(s.dir, "state", name))
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(b))
}

func (s *ipmiSim) setState(name, value string) {
	if err := os.WriteFile(filepath.Join(s.dir, "state", name), []byte(value+"\n"), 0o644); err != nil {
		s.t.Fatal(err)
	}
}

// driverInfo returns the node driver_info for this BMC.
func (s *ipmiSim) driverInfo() map[string]any {
	return map[string]any{"ipmi_address": s.addr, "ipmi_port": int64(s.port), "ipmi_username": s.user,
		"ipmi_password": s.pass, "ipmi_cipher_suite": int64(3)}
}

// ipmitool runs the ipmitool CLI against the simulator: an independent
// client cross-checking what the BMC was told.
func ipmitool(t testing.TB, addr string, port int, args ...string) string {
	t.Helper()
	needBinary(t, "ipmitool", "ipmitool")
	full := append([]string{"-I", "lanplus", "-C", "3", "-H", addr, "-p", strconv.Itoa(port), "-U", simUser, "-P", simPass}, args...)
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, "ipmitool", full...).CombinedOutput()
	if err != nil {
		t.Fatalf("ipmitool %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

// multiBMC is a multibmc.py (or faultbmc.py) process serving count BMCs
// on consecutive ports of 127.0.0.1.
type multiBMC struct {
	base, count int
	stdin       io.WriteCloser
	out         chan string
	mu          sync.Mutex
	// stop ends the process (once; the test's cleanup calls it too).
	stop func()
}

// startMultiBMC starts script (multibmc.py or faultbmc.py) with count
// BMCs; it is stopped when the test ends.
func startMultiBMC(t testing.TB, script string, count int) *multiBMC {
	t.Helper()
	py := pythonBin()
	if err := exec.Command(py, "-c", "import pyghmi.ipmi.bmc").Run(); err != nil {
		t.Fatalf("%s cannot import pyghmi: install python3-pyghmi (scripts/deps.sh does): %v", py, err)
	}
	base := freeUDPPorts(t, "127.0.0.1", count)
	ctx, cancel := context.WithCancel(context.Background())
	cmd := exec.CommandContext(ctx, py, testdataPath(t, script), strconv.Itoa(base), strconv.Itoa(count), simUser, simPass)
	cmd.Cancel = func() error { return cmd.Process.Signal(syscall.SIGTERM) }
	cmd.WaitDelay = 5 * time.Second
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	w := logWriter(t, script)
	cmd.Stderr = w
	if err := cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", script, err)
	}
	w.Close()
	var once sync.Once
	stop := func() {
		once.Do(func() {
			cancel()
			_ = cmd.Wait()
		})
	}
	t.Cleanup(stop)
	ready := make(chan error, 1)
	lines := make(chan string, 100)
	go func() {
		sc := bufio.NewScanner(stdout)
		first := true
		for sc.Scan() {
			if first && strings.HasPrefix(sc.Text(), "listening on") {
				ready <- nil
				first = false
				continue
			}
			select {
			case lines <- sc.Text():
			default:
			}
		}
		if first {
			ready <- fmt.Errorf("%s exited before listening", script)
		}
	}()
	select {
	case err := <-ready:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(60 * time.Second):
		t.Fatalf("%s did not start", script)
	}
	return &multiBMC{base: base, count: count, stdin: stdin, out: lines, stop: stop}
}

func (m *multiBMC) driverInfo(i int) map[string]any {
	return map[string]any{"ipmi_address": "127.0.0.1", "ipmi_port": int64(m.base + i), "ipmi_username": simUser,
		"ipmi_password": simPass, "ipmi_cipher_suite": int64(3)}
}

// command sends a control line to faultbmc.py and waits for its answer.
func (m *multiBMC) command(t testing.TB, line string) string {
	t.Helper()
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.stdin == nil {
		t.Fatal("no control channel")
	}
	if _, err := fmt.Fprintln(m.stdin, line); err != nil {
		t.Fatal(err)
	}
	select {
	case s := <-m.out:
		return s
	case <-time.After(10 * time.Second):
		t.Fatalf("no answer to %q", line)
	}
	return ""
}

// syncBuffer is a goroutine-safe log sink.
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
