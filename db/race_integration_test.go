//go:build integration

package db_test

import (
	"net/url"
	"testing"

	"github.com/ironic-go/ironic-go/db/dbtest"
)

// TestLockRacePostgres: 50 goroutines here and 3 worker processes (4
// goroutines each) race for one node, 10,000 rounds
// (IRONIC_GO_DB_RACE_ROUNDS overrides). The sessions run with
// synchronous_commit off: visibility and row locking are unchanged, only
// the wait for the WAL flush (which bounds the rounds per second, not the
// outcome) is skipped.
func TestLockRacePostgres(t *testing.T) {
	conn := dbtest.NewSchema(t, dbtest.PostgresDSN())
	u, err := url.Parse(conn)
	must(t, err)
	q := u.Query()
	q.Set("options", q.Get("options")+" -csynchronous_commit=off")
	u.RawQuery = q.Encode()
	runLockRace(t, u.String(), "", 50, 3, 4, envInt("IRONIC_GO_DB_RACE_ROUNDS", 10000))
}
