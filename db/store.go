package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
	"github.com/rs/zerolog"
	_ "modernc.org/sqlite" // registers the "sqlite" driver (pure Go, no cgo)

	"github.com/ironic-go/ironic-go/objects/exception"
)

// Compile-time check.
var _ API = (*Store)(nil)

// SchemaOwner says who manages a database's tables.
type SchemaOwner string

// Schema owners.
const (
	// OwnerGoose: this package's embedded migrations (goose).
	OwnerGoose SchemaOwner = "goose"
	// OwnerIronic: Ironic's ironic-dbsync (alembic); never migrated here.
	OwnerIronic SchemaOwner = "ironic-dbsync"
)

// Store is the [API] on a PostgreSQL or SQLite database. It is safe for
// concurrent use. Close it when done.
type Store struct {
	db      *sqlx.DB
	d       dialect
	cfg     Config
	log     zerolog.Logger
	conn    Connection
	owner   SchemaOwner
	alembic string // alembic revision when owner is OwnerIronic

	// wsem serializes this process's writers on SQLite (one writer at a
	// time; other processes wait in busy_timeout). nil on PostgreSQL.
	wsem   chan struct{}
	closed atomic.Bool
}

// Open connects to the database named by connection (see
// [ParseConnection]; "" is the SQLite file cfg.SQLitePath), checks it,
// and prepares its tables:
//
//   - a database made by Ironic's ironic-dbsync (it has an
//     alembic_version table) is used as it is, never migrated;
//   - any other database gets this package's embedded migrations (goose),
//     which create Ironic 21.4's tables, column for column.
//
// Either way Open then checks that every column it uses exists
// ([ErrSchema] if not). Errors never contain the password.
func Open(ctx context.Context, connection string, cfg Config) (*Store, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	cfg = cfg.withDefaults()
	c, err := ParseConnection(connection, cfg.SQLitePath)
	if err != nil {
		return nil, err
	}
	s := &Store{cfg: cfg, conn: c, d: dialect{backend: c.Backend}}
	s.log = cfg.Logger.With().Str("component", "db").Str("database", c.String()).Logger()

	var sdb *sql.DB
	switch c.Backend {
	case BackendPostgreSQL:
		connector, err := pq.NewConnector(c.dsn)
		if err != nil {
			return nil, redact(fmt.Errorf("%w: %s: %w", ErrBadConnection, c, err), c.secret)
		}
		sdb = sql.OpenDB(connector)
		sdb.SetMaxOpenConns(cfg.MaxOpenConns)
		sdb.SetMaxIdleConns(cfg.MaxIdleConns)
		s.db = sqlx.NewDb(sdb, "postgres")
	case BackendSQLite:
		sdb, err = sql.Open("sqlite", c.dsn)
		if err != nil {
			return nil, fmt.Errorf("%w: %s: %w", ErrBadConnection, c, err)
		}
		sdb.SetMaxOpenConns(min(cfg.MaxOpenConns, 8))
		sdb.SetMaxIdleConns(min(cfg.MaxOpenConns, 8))
		s.db = sqlx.NewDb(sdb, "sqlite3") // "?" placeholders
		s.wsem = make(chan struct{}, 1)
	}
	sdb.SetConnMaxLifetime(cfg.ConnMaxLifetime)

	if err := s.prepare(ctx); err != nil {
		_ = sdb.Close()
		return nil, err
	}
	s.log.Info().Str("backend", string(c.Backend)).Str("schema_owner", string(s.owner)).Msg("database ready")
	return s, nil
}

// prepare pings, migrates or detects Ironic's schema, and checks columns.
func (s *Store) prepare(ctx context.Context) error {
	if err := s.db.PingContext(ctx); err != nil {
		return s.fail("open", err)
	}
	rev, ironic, err := s.alembicRevision(ctx)
	if err != nil {
		return s.fail("open", err)
	}
	if ironic {
		s.owner, s.alembic = OwnerIronic, rev
		s.log.Info().Str("alembic_revision", rev).Msg("database managed by ironic-dbsync: not migrating")
	} else {
		s.owner = OwnerGoose
		if err := s.migrate(ctx); err != nil {
			return err
		}
	}
	return s.checkColumns(ctx)
}

// Close releases the connection pool.
func (s *Store) Close() error {
	if s.closed.Swap(true) {
		return nil
	}
	return s.db.Close()
}

// Backend returns the engine in use.
func (s *Store) Backend() Backend { return s.conn.Backend }

// SchemaOwner tells whether the tables are ours (goose) or Ironic's
// (ironic-dbsync), and for Ironic's the alembic revision.
func (s *Store) SchemaOwner() (SchemaOwner, string) { return s.owner, s.alembic }

// String returns the connection string with the password masked.
func (s *Store) String() string { return s.conn.String() }

// DB returns the underlying pool, for tests and tools. Writes made through
// it bypass the SQLite writer serialization.
func (s *Store) DB() *sqlx.DB { return s.db }

// now is the current time in UTC at the database's precision.
func (s *Store) now() time.Time { return s.cfg.Now().UTC().Truncate(time.Microsecond) }

// q rebinds a query written with "?" placeholders for the driver.
func (s *Store) q(query string) string { return s.db.Rebind(query) }

// lockWrite takes this process's SQLite writer slot (no-op on PostgreSQL).
func (s *Store) lockWrite(ctx context.Context) (func(), error) {
	if s.wsem == nil {
		return func() {}, nil
	}
	select {
	case s.wsem <- struct{}{}:
		return func() { <-s.wsem }, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// check fails calls on a closed store.
func (s *Store) check() error {
	if s.closed.Load() {
		return ErrClosed
	}
	return nil
}

// write runs fn in a transaction (BEGIN IMMEDIATE on SQLite), committing
// if fn returns nil. Errors are mapped by fail.
func (s *Store) write(ctx context.Context, op string, fn func(tx *sqlx.Tx) error) error {
	if err := s.check(); err != nil {
		return err
	}
	unlock, err := s.lockWrite(ctx)
	if err != nil {
		return s.fail(op, err)
	}
	defer unlock()
	tx, err := s.db.BeginTxx(ctx, nil)
	if err != nil {
		return s.fail(op, err)
	}
	if err := fn(tx); err != nil {
		_ = tx.Rollback()
		return s.fail(op, err)
	}
	if err := tx.Commit(); err != nil {
		return s.fail(op, err)
	}
	return nil
}

// exec1 runs a single write statement outside an explicit transaction.
func (s *Store) exec1(ctx context.Context, fn func() error) error {
	unlock, err := s.lockWrite(ctx)
	if err != nil {
		return err
	}
	defer unlock()
	return fn()
}

// fail maps an error for the caller: Ironic exceptions and typed errors
// pass through, connection failures match ErrConnection, the rest is
// wrapped with the operation; the password is masked in all of them.
func (s *Store) fail(op string, err error) error {
	if err == nil {
		return nil
	}
	var ie *exception.Error
	var je *JSONColumnError
	switch {
	case errors.As(err, &ie), errors.As(err, &je), errors.Is(err, ErrClosed):
		// already meaningful
	case isConnectionError(err):
		err = &connError{op: op, err: err}
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		err = fmt.Errorf("db: %s: %w", op, err)
	default:
		err = fmt.Errorf("db: %s: %w", op, err)
	}
	return redact(err, s.conn.secret)
}

// violation describes a refused write.
type violation struct {
	unique  bool
	fk      bool
	columns []string // the unique constraint's columns, when known
}

// classify tells unique and foreign-key violations apart from other
// errors, on both engines.
func classify(err error) violation {
	var st sqlStater
	if errors.As(err, &st) {
		switch st.SQLState() {
		case "23505":
			var pe *pq.Error
			if errors.As(err, &pe) {
				return violation{unique: true, columns: pgKeyColumns(pe.Detail)}
			}
			return violation{unique: true}
		case "23503":
			return violation{fk: true}
		}
		return violation{}
	}
	msg := err.Error()
	if i := strings.Index(msg, "UNIQUE constraint failed: "); i >= 0 {
		rest := msg[i+len("UNIQUE constraint failed: "):]
		if j := strings.Index(rest, " ("); j >= 0 {
			rest = rest[:j]
		}
		var cols []string
		for _, c := range strings.Split(rest, ",") {
			c = strings.TrimSpace(c)
			if _, col, ok := strings.Cut(c, "."); ok {
				c = col
			}
			cols = append(cols, c)
		}
		return violation{unique: true, columns: cols}
	}
	if strings.Contains(msg, "FOREIGN KEY constraint failed") {
		return violation{fk: true}
	}
	return violation{}
}

// pgKeyColumns reads the columns of "Key (a, b)=(x, y) already exists.".
func pgKeyColumns(detail string) []string {
	_, rest, ok := strings.Cut(detail, "Key (")
	if !ok {
		return nil
	}
	cols, _, ok := strings.Cut(rest, ")=(")
	if !ok {
		return nil
	}
	var out []string
	for _, c := range strings.Split(cols, ",") {
		out = append(out, strings.Trim(strings.TrimSpace(c), `"`))
	}
	return out
}

func (v violation) has(col string) bool {
	for _, c := range v.columns {
		if c == col {
			return true
		}
	}
	return false
}
