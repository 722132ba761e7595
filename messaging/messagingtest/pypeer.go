package messagingtest

import (
	"bufio"
	"context"
	"embed"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
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

// RequirePython fails the test, with the apt command that fixes it, when
// Debian's Python cannot import modules (e.g. "oslo_messaging",
// "ironic.conductor.rpcapi").
func RequirePython(t testing.TB, modules ...string) {
	t.Helper()
	py := Python()
	code := "import " + strings.Join(modules, ", ")
	out, err := exec.CommandContext(context.Background(), py, "-c", code).CombinedOutput()
	if err != nil {
		t.Fatalf("Python peer unavailable: %s -c %q: %v\n%s\nInstall Debian's packages (make deps: python3-oslo.messaging, "+
			"python3-ironic, python3-tooz, python3-psycopg2) or set IRONIC_GO_PYTHON.", py, code, err, out)
	}
}

// PyPeer is a running Python peer: a script that talks in stdout lines
// starting with a KIND word (READY, RESULT, DONE...) followed by a JSON
// payload, and may read requests on stdin.
type PyPeer struct {
	t     testing.TB
	name  string
	stdin io.WriteCloser

	mu    sync.Mutex
	cond  *sync.Cond
	lines []string // unread stdout lines
	done  bool
	exit  error
}

// PeerDir writes the embedded peer scripts (oslo_server.py,
// oslo_client.py, oslo_bench.py and their modules) to a temporary
// directory and returns it.
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
// with args; see StartPyScript. If waitReady, it returns once the peer
// printed READY.
func StartPyPeer(t testing.TB, script string, waitReady bool, args ...string) *PyPeer {
	t.Helper()
	RequirePython(t, "oslo_messaging")
	p := StartPyScript(t, PeerDir(t), script, args...)
	if waitReady {
		if _, ok := p.WaitLine("READY", 60*time.Second); !ok {
			t.Fatalf("%s did not print READY within 60s", script)
		}
	}
	return p
}

// StartPyScript runs dir/script with args under Debian's Python, with dir
// as working directory and PYTHONPATH. When the test ends the peer's stdin
// is closed, then it gets SIGTERM, then SIGKILL after 15 s; its stderr
// goes to the test log.
func StartPyScript(t testing.TB, dir, script string, args ...string) *PyPeer {
	t.Helper()
	// The peer lives until the test's cleanup stops it, so it is not tied
	// to a context.
	cmd := exec.CommandContext(context.Background(), Python(), append([]string{filepath.Join(dir, script)}, args...)...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "PYTHONPATH="+dir, "PYTHONUNBUFFERED=1")
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
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
	p := &PyPeer{t: t, name: script, stdin: stdin}
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
			// py-amqp's harmless notice when a channel closes under it.
			if line := sc.Text(); !strings.Contains(line, "during closing channel") {
				t.Logf("%s stderr: %s", script, line)
			}
		}
	})
	exited := make(chan struct{})
	go func() {
		readers.Wait()
		err := cmd.Wait()
		p.mu.Lock()
		p.done, p.exit = true, err
		p.cond.Broadcast()
		p.mu.Unlock()
		close(exited)
	}()
	t.Cleanup(func() {
		_ = stdin.Close()
		_ = cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-exited:
		case <-time.After(15 * time.Second):
			_ = cmd.Process.Kill()
			<-exited
		}
	})
	return p
}

// WaitLine waits up to timeout for the next unread stdout line starting
// with kind and returns the rest of it. It returns false at the timeout or
// once the peer exited without such a line.
func (p *PyPeer) WaitLine(kind string, timeout time.Duration) (string, bool) {
	deadline := time.Now().Add(timeout)
	timer := time.AfterFunc(timeout, func() { p.mu.Lock(); p.cond.Broadcast(); p.mu.Unlock() })
	defer timer.Stop()
	p.mu.Lock()
	defer p.mu.Unlock()
	for {
		for i, l := range p.lines {
			if rest, ok := strings.CutPrefix(l, kind+" "); ok || l == kind {
				p.lines = slices.Delete(p.lines, i, i+1)
				return strings.TrimSpace(rest), true
			}
		}
		if p.done || !time.Now().Before(deadline) {
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
		p.t.Fatalf("peer %s line %s %q: %v", p.name, kind, s, err)
	}
	return true
}

// Send writes one line (a JSON-encoded v, or v itself if it is a string)
// to the peer's stdin.
func (p *PyPeer) Send(v any) error {
	line, ok := v.(string)
	if !ok {
		b, err := json.Marshal(v)
		if err != nil {
			return err
		}
		line = string(b)
	}
	if _, err := io.WriteString(p.stdin, line+"\n"); err != nil {
		return fmt.Errorf("peer %s: write: %w", p.name, err)
	}
	return nil
}

// Wait waits up to timeout for the peer to exit and returns its error.
func (p *PyPeer) Wait(timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	timer := time.AfterFunc(timeout, func() { p.mu.Lock(); p.cond.Broadcast(); p.mu.Unlock() })
	defer timer.Stop()
	p.mu.Lock()
	defer p.mu.Unlock()
	for !p.done {
		if !time.Now().Before(deadline) {
			return os.ErrDeadlineExceeded
		}
		p.cond.Wait()
	}
	return p.exit
}
