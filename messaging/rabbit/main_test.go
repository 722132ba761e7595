package rabbit

import (
	"bytes"
	"fmt"
	"os"
	"sync"
	"testing"

	"go.uber.org/goleak"
)

// summary is set by the integration benchmarks to print their table.
var summary func()

func TestMain(m *testing.M) {
	code := m.Run()
	if summary != nil {
		summary()
	}
	if code == 0 {
		if err := goleak.Find(); err != nil {
			fmt.Fprintf(os.Stderr, "goleak: %v\n", err)
			code = 1
		}
	}
	os.Exit(code)
}

// logSink collects log output, safe for concurrent writers.
type logSink struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (s *logSink) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.buf.Write(p)
}

func (s *logSink) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.buf.String()
}
