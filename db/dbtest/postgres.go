package dbtest

import (
	"bytes"
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/lib/pq"

	"github.com/ironic-go/ironic-go/db"
)

// DefaultPostgresDSN is the PostgreSQL server the integration tests use
// unless IRONIC_GO_PG_DSN says otherwise.
const DefaultPostgresDSN = "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"

// PostgresDSN returns IRONIC_GO_PG_DSN, or [DefaultPostgresDSN].
func PostgresDSN() string {
	if v := os.Getenv("IRONIC_GO_PG_DSN"); v != "" {
		return v
	}
	return DefaultPostgresDSN
}

// SQLiteOpener opens each test's store on a new SQLite file in its
// t.TempDir(), through the embedded-default path (connection "").
func SQLiteOpener() Opener {
	return func(t *testing.T, cfg db.Config) db.API {
		t.Helper()
		cfg.SQLitePath = filepath.Join(t.TempDir(), "ironic.sqlite")
		return MustOpen(t, "", cfg)
	}
}

// MustOpen opens a store and closes it at cleanup; failure is fatal.
func MustOpen(t testing.TB, connection string, cfg db.Config) *db.Store {
	t.Helper()
	s, err := db.Open(context.Background(), connection, cfg)
	if err != nil {
		t.Fatalf("db.Open: %v", err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

// UniqueName returns a lowercase SQL identifier made of prefix, the
// test's name and a random suffix, at most 63 bytes (PostgreSQL's limit).
func UniqueName(t testing.TB, prefix string) string {
	var b [4]byte
	_, _ = rand.Read(b[:])
	name := strings.ToLower(regexp.MustCompile(`[^a-zA-Z0-9]+`).ReplaceAllString(t.Name(), "_"))
	suffix := "_" + hex.EncodeToString(b[:])
	if room := 63 - len(prefix) - 1 - len(suffix); len(name) > room {
		name = name[len(name)-room:]
	}
	return strings.Trim(prefix+"_"+name, "_") + suffix
}

// Admin opens a plain connection to the server dsn names; an unreachable
// server fails the test with the fix.
func Admin(t testing.TB, dsn string) *sql.DB {
	t.Helper()
	conn, err := pq.NewConnector(dsn)
	if err != nil {
		t.Fatalf("bad PostgreSQL DSN %s: %v", maskDSN(dsn), err)
	}
	adb := sql.OpenDB(conn)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := adb.PingContext(ctx); err != nil {
		_ = adb.Close()
		t.Fatalf("cannot reach PostgreSQL at %s: %v. Is it running? Start it with "+
			"`pg_ctlcluster --skip-systemctl-redirect 15 main start` (or `make deps`), or set IRONIC_GO_PG_DSN", maskDSN(dsn), err)
	}
	t.Cleanup(func() { _ = adb.Close() })
	return adb
}

func maskDSN(dsn string) string {
	u, err := url.Parse(dsn)
	if err != nil {
		return "(unparsable DSN)"
	}
	return u.Redacted()
}

// WithSearchPath returns dsn with its search_path set to schema (through
// libpq's options parameter, which lib/pq and psycopg2 both honour).
func WithSearchPath(dsn, schema string) string {
	u, err := url.Parse(dsn)
	if err != nil {
		return dsn
	}
	q := u.Query()
	q.Set("options", "-csearch_path="+schema)
	u.RawQuery = q.Encode()
	return u.String()
}

// WithDatabase returns dsn naming database name instead.
func WithDatabase(dsn, name string) string {
	u, err := url.Parse(dsn)
	if err != nil {
		return dsn
	}
	u.Path = "/" + name
	return u.String()
}

// NewSchema creates an empty schema in the database dsn names, drops it
// (CASCADE) at cleanup, and returns dsn with search_path set to it.
func NewSchema(t testing.TB, dsn string) string {
	t.Helper()
	adb := Admin(t, dsn)
	name := UniqueName(t, "s")
	if _, err := adb.ExecContext(context.Background(), `CREATE SCHEMA `+pq.QuoteIdentifier(name)); err != nil {
		t.Fatalf("create schema %s: %v", name, err)
	}
	t.Cleanup(func() {
		if _, err := adb.ExecContext(context.Background(), `DROP SCHEMA `+pq.QuoteIdentifier(name)+` CASCADE`); err != nil {
			t.Errorf("drop schema %s: %v", name, err)
		}
	})
	return WithSearchPath(dsn, name)
}

// NewDatabase creates a database on the server dsn names, as a copy of
// template when it is not "", drops it at cleanup, and returns its DSN.
func NewDatabase(t testing.TB, dsn, template string) string {
	t.Helper()
	adb := Admin(t, dsn)
	name := UniqueName(t, "d")
	q := `CREATE DATABASE ` + pq.QuoteIdentifier(name)
	if template != "" {
		q += ` TEMPLATE ` + pq.QuoteIdentifier(template)
	}
	var err error
	for range 50 { // a template may not be copied while someone else copies it
		if _, err = adb.ExecContext(context.Background(), q); err == nil || !strings.Contains(err.Error(), "is being accessed by other users") {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if err != nil {
		t.Fatalf("create database %s: %v", name, err)
	}
	t.Cleanup(func() {
		if err := DropDatabase(context.Background(), dsn, name); err != nil {
			t.Errorf("%v", err)
		}
	})
	return WithDatabase(dsn, name)
}

// DropDatabase drops a database, closing its other sessions.
func DropDatabase(ctx context.Context, dsn, name string) error {
	conn, err := pq.NewConnector(dsn)
	if err != nil {
		return err
	}
	adb := sql.OpenDB(conn)
	defer adb.Close()
	if _, err := adb.ExecContext(ctx, `DROP DATABASE IF EXISTS `+pq.QuoteIdentifier(name)+` WITH (FORCE)`); err != nil {
		return fmt.Errorf("drop database %s: %w", name, err)
	}
	return nil
}

// SQLAlchemyURL turns a lib/pq URL into the SQLAlchemy URL Ironic's
// [database] connection takes (postgresql+psycopg2://...).
func SQLAlchemyURL(dsn string) string {
	u, err := url.Parse(dsn)
	if err != nil {
		return dsn
	}
	u.Scheme = "postgresql+psycopg2"
	return u.String()
}

// IronicDBSync is the ironic-dbsync command (Debian's ironic-common).
func IronicDBSync() string {
	if p, err := exec.LookPath("ironic-dbsync"); err == nil {
		return p
	}
	return "/usr/bin/ironic-dbsync"
}

// CreateIronicDatabase creates database name on the server dsn names and
// runs Ironic's own `ironic-dbsync upgrade` on it, so its tables are
// exactly Ironic's. Drop it with DropDatabase.
func CreateIronicDatabase(ctx context.Context, dsn, name string) error {
	conn, err := pq.NewConnector(dsn)
	if err != nil {
		return err
	}
	adb := sql.OpenDB(conn)
	defer adb.Close()
	if _, err := adb.ExecContext(ctx, `CREATE DATABASE `+pq.QuoteIdentifier(name)); err != nil {
		return fmt.Errorf("create database %s: %w", name, err)
	}
	dir, err := os.MkdirTemp("", "ironic-dbsync-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	conf := filepath.Join(dir, "ironic.conf")
	body := fmt.Sprintf("[DEFAULT]\nstate_path = %s\n[database]\nconnection = %s\n", dir, SQLAlchemyURL(WithDatabase(dsn, name)))
	if err := os.WriteFile(conf, []byte(body), 0o600); err != nil {
		return err
	}
	cmd := exec.CommandContext(ctx, IronicDBSync(), "--config-file", conf, "upgrade")
	cmd.WaitDelay = 10 * time.Second
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("ironic-dbsync upgrade on %s: %w (is ironic-common installed? apt-get install ironic-common)\n%s", name, err, out.String())
	}
	return nil
}
