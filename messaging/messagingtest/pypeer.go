package messagingtest

import (
	"bufio"
	"context"
	"embed"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

//go:embed peers/*.py
var peerScripts embed.FS

// Python returns the interpreter for the Python peers: IRONIC_GO_PYTHON or
// Debian's /usr/bin/python3 (the one with python3-oslo.messaging).
func Python() string {
	if p := os.Getenv("IRONIC_GO_PYTHON"); p != "" {
		return p
	}
	return "/usr/bin/python3"
}

// AMQPURL returns the broker URL for integration tests: IRONIC_GO_AMQP_URL
// or the local RabbitMQ.
func AMQPURL() string {
	if u := os.Getenv("IRONIC_GO_AMQP_URL"); u != "" {
		return u
	}
	return "rabbit://guest:guest@127.0.0.1:5672/"
}

// PyPeer is a running Python oslo.messaging peer.
type PyPeer struct {
	t    testing.TB
	cmd  *exec.Cmd
	mu   sync.Mutex
	cond *sync.Cond
	// lines holds the peer's stdout lines that start with a KIND word
	// (READY, CAST, RESULT, DONE...).
	lines []string
	exit  chan error
}

// PeerDir writes the embedded peer scripts to a temporary directory once
// per test and returns it.
func PeerDir(t testing.TB) string {
	t.Helper()
	dir := t.TempDir()
	entries, err := peerScripts.ReadDir("peers")
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		data, _ := peerScripts.ReadFile("peers/" + e.Name())
		if err := os.WriteFile(filepath.Join(dir, e.Name()), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// StartPyPeer runs one of the embedded peer scripts (e.g. "oslo_server.py")
// with args under Debian's Python. If waitReady, it returns once the peer
// printed READY. The peer is stopped (SIGTERM) when the test ends.
func StartPyPeer(t testing.TB, script string, waitReady bool, args ...string) *PyPeer {
	t.Helper()
	py := Python()
	check := exec.CommandContext(context.Background(), py, "-c", "import oslo_messaging")
	if out, err := check.CombinedOutput(); err != nil {
		t.Fatalf("Python peer unavailable: %s -c 'import oslo_messaging': %v\n%s\nInstall Debian's python3-oslo.messaging (apt-get install python3-oslo.messaging) or set IRONIC_GO_PYTHON.", py, err, out)
	}
	dir := PeerDir(t)
	// The peer lives until the test's cleanup stops it (SIGTERM, then
	// SIGKILL), so it is not tied to a context.
	cmd := exec.CommandContext(context.Background(), py, append([]string{filepath.Join(dir, script)}, args...)...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "PYTHONPATH="+dir, "PYTHONUNBUFFERED=1")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", script, err)
	}
	p := &PyPeer{t: t, cmd: cmd, exit: make(chan error, 1)}
	p.cond = sync.NewCond(&p.mu)
	var readers sync.WaitGroup
	readers.Go(func() {
		sc := bufio.NewScanner(stdout)
		sc.Buffer(make([]byte, 1<<20), 64<<20)
		for sc.Scan() {
			p.mu.Lock()
			p.lines = append(p.lines, sc.Text())
			p.cond.Broadcast()
			p.mu.Unlock()
		}
	})
	readers.Go(func() {
		sc := bufio.NewScanner(stderr)
		sc.Buffer(make([]byte, 1<<20), 16<<20)
		for sc.Scan() {
			t.Logf("%s stderr: %s", script, sc.Text())
		}
	})
	go func() {
		readers.Wait()
		p.exit <- cmd.Wait()
		p.mu.Lock()
		p.lines = append(p.lines, "EXITED")
		p.cond.Broadcast()
		p.mu.Unlock()
	}()
	t.Cleanup(func() {
		_ = stdin.Close()
		_ = cmd.Process.Signal(syscall.SIGTERM)
		select {
		case err := <-p.exit:
			_ = err // a peer killed by SIGTERM exits non-zero
		case <-time.After(15 * time.Second):
			_ = cmd.Process.Kill()
			err := <-p.exit
			_ = err
		}
	})
	if waitReady {
		if _, ok := p.WaitLine("READY", 60*time.Second); !ok {
			t.Fatalf("%s did not print READY within 60s", script)
		}
	}
	return p
}

// WaitLine waits for the next unread stdout line starting with kind and
// returns the rest of it.
func (p *PyPeer) WaitLine(kind string, timeout time.Duration) (string, bool) {
	deadline := time.Now().Add(timeout)
	timer := time.AfterFunc(timeout, func() { p.mu.Lock(); p.cond.Broadcast(); p.mu.Unlock() })
	defer timer.Stop()
	p.mu.Lock()
	defer p.mu.Unlock()
	for {
		for i, l := range p.lines {
			if l == kind || strings.HasPrefix(l, kind+" ") {
				p.lines = append(p.lines[:i], p.lines[i+1:]...)
				return strings.TrimSpace(strings.TrimPrefix(l, kind)), true
			}
			if l == "EXITED" {
				return "", false
			}
		}
		if time.Now().After(deadline) {
			return "", false
		}
		p.cond.Wait()
	}
}

// WaitJSON waits for the next line of kind and decodes its JSON payload.
func (p *PyPeer) WaitJSON(kind string, timeout time.Duration, v any) bool {
	p.t.Helper()
	s, ok := p.WaitLine(kind, timeout)
	if !ok {
		return false
	}
	if err := json.Unmarshal([]byte(s), v); err != nil {
		p.t.Fatalf("peer %s line %q: %v", kind, s, err)
	}
	return true
}

// Wait waits for the peer to exit and returns its error.
func (p *PyPeer) Wait(timeout time.Duration) error {
	select {
	case err := <-p.exit:
		p.exit <- err
		return err
	case <-time.After(timeout):
		return os.ErrDeadlineExceeded
	}
}
