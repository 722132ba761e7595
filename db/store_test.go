package db_test

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rs/zerolog"
	_ "modernc.org/sqlite"

	"github.com/ironic-go/ironic-go/db"
	"github.com/ironic-go/ironic-go/rpcapi/hashring"
)

// The store is the hash ring's membership source.
var _ hashring.ConductorLister = (*db.Store)(nil)

// TestOpenUnreachable: a server that is not there gives ErrConnection, and
// neither the error nor the logs show the password.
func TestOpenUnreachable(t *testing.T) {
	var logs bytes.Buffer
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
	defer cancel()
	_, err := db.Open(ctx, "postgresql+psycopg2://ironic:Sekr1tPw@127.0.0.1:1/ironic?connect_timeout=5",
		db.Config{Logger: zerolog.New(&logs)})
	if !errors.Is(err, db.ErrConnection) {
		t.Fatalf("got %v, want ErrConnection", err)
	}
	if strings.Contains(err.Error(), "Sekr1tPw") || strings.Contains(logs.String(), "Sekr1tPw") {
		t.Errorf("password shown: %v / %s", err, logs.String())
	}
}

func TestOpenBadInput(t *testing.T) {
	if _, err := db.Open(t.Context(), "", db.Config{}); !errors.Is(err, db.ErrBadConnection) {
		t.Errorf("no connection and no default: %v", err)
	}
	if _, err := db.Open(t.Context(), "", db.Config{SQLitePath: "x", HeartbeatTimeout: -1}); err == nil {
		t.Errorf("negative heartbeat timeout accepted")
	}
	if _, err := db.Open(t.Context(), "sqlite:////nonexistent-dir/x/y.db", db.Config{}); err == nil {
		t.Errorf("SQLite file in a missing directory opened")
	}
}

// TestReopenKeepsData: a second Open of the same file finds the schema
// (goose does nothing) and the rows.
func TestReopenKeepsData(t *testing.T) {
	path := filepath.Join(t.TempDir(), "ironic.sqlite")
	var logs bytes.Buffer
	s, err := db.Open(t.Context(), "sqlite:///"+path, db.Config{Logger: zerolog.New(&logs)})
	must(t, err)
	_, err = s.RegisterConductor(t.Context(), db.ConductorRegistration{Hostname: "h"}, false)
	must(t, err)
	must(t, s.Close())
	if !strings.Contains(logs.String(), "applied migration") {
		t.Errorf("first open applied no migration: %s", logs.String())
	}
	logs.Reset()
	s, err = db.Open(t.Context(), "sqlite:///"+path, db.Config{Logger: zerolog.New(&logs)})
	must(t, err)
	defer s.Close()
	if strings.Contains(logs.String(), "applied migration") {
		t.Errorf("second open migrated again: %s", logs.String())
	}
	if _, err := s.GetConductor(t.Context(), "h", true); err != nil {
		t.Errorf("row lost: %v", err)
	}
	if owner, _ := s.SchemaOwner(); owner != db.OwnerGoose || s.Backend() != db.BackendSQLite {
		t.Errorf("owner %s backend %s", owner, s.Backend())
	}
}

// TestIronicSchemaDetection: a database with alembic_version is never
// migrated; if its tables lack our columns Open says so.
func TestIronicSchemaDetection(t *testing.T) {
	path := filepath.Join(t.TempDir(), "old.sqlite")
	raw, err := sql.Open("sqlite", path)
	must(t, err)
	_, err = raw.Exec(`CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL);
		INSERT INTO alembic_version VALUES ('2581ebaf0cb2');
		CREATE TABLE nodes (id INTEGER PRIMARY KEY, uuid VARCHAR(36));`)
	must(t, err)
	must(t, raw.Close())
	_, err = db.Open(t.Context(), "sqlite:///"+path, db.Config{})
	if !errors.Is(err, db.ErrSchema) || !strings.Contains(err.Error(), "ironic-dbsync upgrade") {
		t.Fatalf("old Ironic schema: %v", err)
	}
	raw, err = sql.Open("sqlite", path)
	must(t, err)
	defer raw.Close()
	var n int
	must(t, raw.QueryRow(`SELECT count(*) FROM sqlite_master WHERE name = 'goose_db_version'`).Scan(&n))
	if n != 0 {
		t.Errorf("goose ran on an ironic-dbsync database")
	}
}

// TestIronicSchemaOnSQLite: our migrations' tables under an
// alembic_version table are taken as Ironic's and used as they are.
func TestIronicSchemaOnSQLite(t *testing.T) {
	path := filepath.Join(t.TempDir(), "ironic.sqlite")
	s, err := db.Open(t.Context(), "sqlite:///"+path, db.Config{})
	must(t, err)
	must(t, s.Close())
	raw, err := sql.Open("sqlite", path)
	must(t, err)
	_, err = raw.Exec(`DROP TABLE goose_db_version; CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL);
		INSERT INTO alembic_version VALUES ('4dbec778866e')`)
	must(t, err)
	must(t, raw.Close())
	s, err = db.Open(t.Context(), "sqlite:///"+path, db.Config{})
	must(t, err)
	defer s.Close()
	if owner, rev := s.SchemaOwner(); owner != db.OwnerIronic || rev != "4dbec778866e" {
		t.Errorf("owner %s rev %s", owner, rev)
	}
}
