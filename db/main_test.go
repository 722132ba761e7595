package db_test

import (
	"os"
	"testing"
)

// TestMain runs the lock-race worker when the test binary is re-executed
// as one (see race_test.go); otherwise the tests.
func TestMain(m *testing.M) {
	if os.Getenv(raceWorkerEnv) != "" {
		os.Exit(runRaceWorker())
	}
	code := m.Run()
	for _, f := range afterAll {
		f()
	}
	os.Exit(code)
}

// afterAll are cleanups of resources shared by a whole test run (the
// ironic-dbsync template database).
var afterAll []func()
