package conductor_test

import (
	"testing"

	"go.uber.org/goleak"
)

// TestMain fails the run if a test leaves goroutines behind: every
// conductor, transport, store and worker a test starts is stopped by its
// cleanup.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}
