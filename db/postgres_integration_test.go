//go:build integration

package db_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"sync"
	"testing"
	"time"

	"github.com/ironic-go/ironic-go/db"
	"github.com/ironic-go/ironic-go/db/dbtest"
)

// TestPostgresConformance runs the suite on PostgreSQL with our own
// migrations, each test in its own schema.
func TestPostgresConformance(t *testing.T) {
	dsn := dbtest.PostgresDSN()
	dbtest.Admin(t, dsn) // a missing server fails here with the fix
	dbtest.RunAPITests(t, func(t *testing.T, cfg db.Config) db.API {
		s := dbtest.MustOpen(t, dbtest.NewSchema(t, dsn), cfg)
		if owner, _ := s.SchemaOwner(); owner != db.OwnerGoose {
			t.Fatalf("schema owner %s, want goose", owner)
		}
		return s
	})
}

// TestIronicDBSyncConformance runs the suite on databases made by Ironic's
// own ironic-dbsync (each test gets a copy of one template database).
func TestIronicDBSyncConformance(t *testing.T) {
	tmpl := ironicTemplate(t)
	dbtest.RunAPITests(t, func(t *testing.T, cfg db.Config) db.API {
		s := dbtest.MustOpen(t, dbtest.NewDatabase(t, dbtest.PostgresDSN(), tmpl), cfg)
		if owner, rev := s.SchemaOwner(); owner != db.OwnerIronic || rev != "4dbec778866e" {
			t.Fatalf("schema owner %s revision %s, want ironic-dbsync 4dbec778866e", owner, rev)
		}
		return s
	})
}

var ironicTmpl struct {
	once sync.Once
	name string
	err  error
}

// ironicTemplate creates, once per test run, a database with Ironic's own
// `ironic-dbsync upgrade`, dropped after all tests.
func ironicTemplate(t *testing.T) string {
	t.Helper()
	dsn := dbtest.PostgresDSN()
	dbtest.Admin(t, dsn)
	ironicTmpl.once.Do(func() {
		var b [4]byte
		_, _ = rand.Read(b[:])
		name := "ironic_go_dbsync_" + hex.EncodeToString(b[:])
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
		defer cancel()
		ironicTmpl.err = dbtest.CreateIronicDatabase(ctx, dsn, name)
		afterAll = append(afterAll, func() { _ = dbtest.DropDatabase(context.Background(), dsn, name) })
		ironicTmpl.name = name
	})
	if ironicTmpl.err != nil {
		t.Fatalf("cannot create a database with ironic-dbsync: %v", ironicTmpl.err)
	}
	return ironicTmpl.name
}
