package redfish

import (
	"testing"

	"go.uber.org/goleak"
)

// TestMain fails the run if a test leaves goroutines behind: servers,
// drivers and their HTTP connections are closed by each test's cleanup.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}
