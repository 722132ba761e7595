package db

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"hash/fnv"
	"io/fs"
	"strings"

	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"
)

//go:embed migrations
var migrationFiles embed.FS

// Migrations returns the embedded migration files of a backend (goose SQL
// files), for inspection and tools.
func Migrations(b Backend) (fs.FS, error) {
	return fs.Sub(migrationFiles, "migrations/"+map[Backend]string{
		BackendPostgreSQL: "postgres", BackendSQLite: "sqlite",
	}[b])
}

// alembicRevision reports whether the database (the current schema on
// PostgreSQL) has Ironic's alembic_version table, and its revision.
func (s *Store) alembicRevision(ctx context.Context) (string, bool, error) {
	var exists bool
	var err error
	switch s.d.backend {
	case BackendPostgreSQL:
		err = s.db.GetContext(ctx, &exists, `SELECT to_regclass('alembic_version') IS NOT NULL`)
	case BackendSQLite:
		err = s.db.GetContext(ctx, &exists, `SELECT count(*) > 0 FROM sqlite_master WHERE type = 'table' AND name = 'alembic_version'`)
	}
	if err != nil || !exists {
		return "", false, err
	}
	var rev sql.NullString
	err = s.db.GetContext(ctx, &rev, `SELECT version_num FROM alembic_version LIMIT 1`)
	if errors.Is(err, sql.ErrNoRows) {
		err = nil
	}
	return rev.String, true, err
}

// migrate applies the embedded migrations with goose. On PostgreSQL a
// session advisory lock (keyed by database and schema) lets several
// conductors start at once; on SQLite goose's transactions are BEGIN
// IMMEDIATE, which serializes them.
func (s *Store) migrate(ctx context.Context) error {
	fsys, err := Migrations(s.d.backend)
	if err != nil {
		return fmt.Errorf("db: migrations: %w", err)
	}
	opts := []goose.ProviderOption{goose.WithDisableGlobalRegistry(true), goose.WithLogger(gooseLogger{s})}
	dialect := goose.DialectSQLite3
	if s.d.backend == BackendPostgreSQL {
		dialect = goose.DialectPostgres
		var where string
		if err := s.db.GetContext(ctx, &where, `SELECT current_database() || '.' || coalesce(current_schema(), '')`); err != nil {
			return s.fail("migrate", err)
		}
		if strings.HasSuffix(where, ".") {
			return fmt.Errorf("%w: no schema to create the tables in (check search_path)", ErrSchema)
		}
		h := fnv.New64a()
		_, _ = h.Write([]byte("ironic-go:" + where))
		locker, err := lock.NewPostgresSessionLocker(
			lock.WithLockID(int64(h.Sum64()>>1)),
			lock.WithLockTimeout(1, 300), // probe every second, for 5 minutes
		)
		if err != nil {
			return fmt.Errorf("db: migrations: %w", err)
		}
		opts = append(opts, goose.WithSessionLocker(locker))
	}
	p, err := goose.NewProvider(dialect, s.db.DB, fsys, opts...)
	if err != nil {
		return fmt.Errorf("db: migrations: %w", err)
	}
	res, err := p.Up(ctx)
	if err != nil {
		return s.fail("migrate", err)
	}
	for _, r := range res {
		s.log.Info().Int64("version", r.Source.Version).Str("file", r.Source.Path).Dur("took", r.Duration).Msg("applied migration")
	}
	return nil
}

// gooseLogger sends goose's messages to the store's logger at debug.
type gooseLogger struct{ s *Store }

func (g gooseLogger) Printf(format string, v ...any) {
	g.s.log.Debug().Msg(strings.TrimSpace(fmt.Sprintf(format, v...)))
}

func (g gooseLogger) Fatalf(format string, v ...any) {
	g.s.log.Error().Msg(strings.TrimSpace(fmt.Sprintf(format, v...)))
}

// requiredColumns are the columns this package reads or writes beyond the
// objects' own fields.
var requiredColumns = map[string][]string{
	"nodes":                         {"version", "deploy_step", "network_data", "conductor_group", "protected", "retired"},
	"ports":                         {"version", "is_smartnic"},
	"portgroups":                    {"version"},
	"volume_connectors":             {"version"},
	"volume_targets":                {"version"},
	"chassis":                       {"version"},
	"conductors":                    {"version", "online", "conductor_group"},
	"conductor_hardware_interfaces": {"id", "conductor_id", "hardware_type", "interface_type", "interface_name", "default", "created_at", "updated_at"},
	"node_tags":                     {"node_id"},
	"node_traits":                   {"node_id"},
	"bios_settings":                 {"node_id"},
	"allocations":                   {"node_id"},
	"node_history":                  {"node_id"},
	"node_inventory":                {"node_id"},
}

// checkColumns selects every column used from every table used, so that a
// schema too old (or not Ironic's) fails at Open, not mid-operation.
func (s *Store) checkColumns(ctx context.Context) error {
	check := func(tbl string, cols []string) error {
		quoted := make([]string, len(cols))
		for i, c := range cols {
			quoted[i] = quoteIdent(c)
		}
		rows, err := s.db.QueryContext(ctx, "SELECT "+strings.Join(quoted, ", ")+" FROM "+tbl+" WHERE 1 = 0")
		if err != nil {
			if isConnectionError(err) {
				return s.fail("open", err)
			}
			hint := "run the embedded migrations on an empty database"
			if s.owner == OwnerIronic {
				hint = fmt.Sprintf("alembic revision %s is older than Ironic 21.4's 4dbec778866e: run ironic-dbsync upgrade", s.alembic)
			}
			return fmt.Errorf("%w: table %s: %w (%s)", ErrSchema, tbl, err, hint)
		}
		return rows.Close()
	}
	for _, t := range allTablesForSchemaTest {
		cols := make([]string, 0, len(t.cols))
		for _, c := range t.cols {
			cols = append(cols, c.name)
		}
		if err := check(t.name, append(cols, requiredColumns[t.name]...)); err != nil {
			return err
		}
	}
	for tbl, cols := range requiredColumns {
		if err := check(tbl, cols); err != nil {
			return err
		}
	}
	return nil
}
