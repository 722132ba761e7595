//go:build integration

package db_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"sync"
	"syscall"
	"testing"
	"time"
)

// pyPeer is testdata/ironic_peer.py: Ironic's own objects and db API on
// the same database, answering JSON requests.
type pyPeer struct {
	t      *testing.T
	in     io.WriteCloser
	out    *bufio.Reader
	mu     sync.Mutex
	stderr *lockedBuffer
}

type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func python() string {
	if p := os.Getenv("IRONIC_GO_PYTHON"); p != "" {
		return p
	}
	return "/usr/bin/python3"
}

// startPeer starts the peer on the SQLAlchemy URL and waits for READY.
func startPeer(t *testing.T, url string) *pyPeer {
	t.Helper()
	cmd := exec.CommandContext(t.Context(), python(), "testdata/ironic_peer.py", url)
	cmd.Cancel = func() error { return cmd.Process.Signal(syscall.SIGTERM) }
	cmd.WaitDelay = 5 * time.Second
	p := &pyPeer{t: t, stderr: &lockedBuffer{}}
	cmd.Stderr = p.stderr
	in, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatalf("start %s: %v (install python3-ironic: apt-get install python3-ironic, or set IRONIC_GO_PYTHON)", python(), err)
	}
	p.in, p.out = in, bufio.NewReaderSize(out, 1<<20)
	t.Cleanup(func() {
		_ = in.Close()
		_ = cmd.Wait()
		if t.Failed() {
			t.Logf("ironic_peer.py stderr:\n%s", p.stderr.String())
		}
	})
	ready := make(chan error, 1)
	go func() {
		line, err := p.out.ReadString('\n')
		if err == nil && line != "READY\n" {
			err = fmt.Errorf("unexpected first line %q", line)
		}
		ready <- err
	}()
	select {
	case err := <-ready:
		if err != nil {
			t.Fatalf("ironic_peer.py did not start: %v\n%s", err, p.stderr.String())
		}
	case <-time.After(2 * time.Minute):
		t.Fatalf("ironic_peer.py not ready after 2 minutes\n%s", p.stderr.String())
	}
	return p
}

// pyReply is one answer: OK holds the result, or Error the exception.
type pyReply struct {
	OK      json.RawMessage `json:"ok"`
	Error   string          `json:"error"`
	Message string          `json:"message"`
	Kwargs  map[string]any  `json:"kwargs"`
}

// call sends one request and returns the reply.
func (p *pyPeer) call(req map[string]any) pyReply {
	p.t.Helper()
	p.mu.Lock()
	defer p.mu.Unlock()
	b, err := json.Marshal(req)
	if err != nil {
		p.t.Fatal(err)
	}
	if _, err := p.in.Write(append(b, '\n')); err != nil {
		p.t.Fatalf("write to peer: %v\n%s", err, p.stderr.String())
	}
	line, err := p.out.ReadBytes('\n')
	if err != nil {
		p.t.Fatalf("read from peer: %v\n%s", err, p.stderr.String())
	}
	var r pyReply
	if err := json.Unmarshal(line, &r); err != nil {
		p.t.Fatalf("bad reply %q: %v", line, err)
	}
	return r
}

// ok sends a request that must succeed and decodes its result into out
// (numbers as json.Number).
func (p *pyPeer) ok(req map[string]any, out any) {
	p.t.Helper()
	r := p.call(req)
	if r.Error != "" {
		p.t.Fatalf("peer %v: %s: %s", req["op"], r.Error, r.Message)
	}
	if out != nil {
		dec := json.NewDecoder(bytes.NewReader(r.OK))
		dec.UseNumber()
		if err := dec.Decode(out); err != nil {
			p.t.Fatalf("peer %v result %s: %v", req["op"], r.OK, err)
		}
	}
}
