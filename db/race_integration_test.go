//go:build integration

package db_test

import (
	"testing"

	"github.com/ironic-go/ironic-go/db/dbtest"
)

// TestLockRacePostgres: 50 goroutines here and 3 worker processes (4
// goroutines each) race for one node, 10,000 rounds
// (IRONIC_GO_DB_RACE_ROUNDS overrides).
func TestLockRacePostgres(t *testing.T) {
	conn := dbtest.NewSchema(t, dbtest.PostgresDSN())
	runLockRace(t, conn, "", 50, 3, 4, envInt("IRONIC_GO_DB_RACE_ROUNDS", 10000))
}
