package conf

import (
	"fmt"
	"path/filepath"
	"strings"

	"github.com/ironic-go/ironic-go/db"
)

// DefaultStatePath is Ironic's packaged [DEFAULT] state_path.
const DefaultStatePath = "/var/lib/ironic"

// Database is the storage the daemon and the CLI open.
type Database struct {
	// Connection is [database] connection, as written (secret: it may hold
	// a password; print Parsed instead). Empty means the embedded SQLite
	// file Config.SQLitePath.
	Connection string
	// Parsed is Connection parsed; its String masks the password.
	Parsed db.Connection
	// StatePath is [DEFAULT] state_path.
	StatePath string
	// Config holds the pool options ([database] max_pool_size,
	// max_overflow, connection_recycle_time), [conductor]
	// heartbeat_timeout, [DEFAULT] default_portgroup_mode, and SQLitePath
	// = $state_path/ironic.sqlite. Its Logger is left for the caller.
	Config db.Config
}

// Embedded reports whether the database is the embedded SQLite default
// (no [database] connection).
func (d Database) Embedded() bool { return strings.TrimSpace(d.Connection) == "" }

// DatabaseFrom reads [database] and the [DEFAULT] and [conductor] options
// the storage layer uses, and checks the connection string
// (db.ParseConnection). Errors never contain the password.
func DatabaseFrom(f *Files) (Database, error) {
	var errs []error
	d := readDatabase(f, &errs)
	return d, invalid(errs)
}

func readDatabase(f *Files, errs *[]error) Database {
	def := f.Section("DEFAULT", errs)
	r := f.Section("database", errs)
	cond := f.Section("conductor", &[]error{}) // heartbeat_timeout is reported by readConductor
	zero, one := 0, 1
	d := Database{
		Connection: r.String("connection", ""),
		StatePath:  def.String("state_path", DefaultStatePath),
		Config:     db.DefaultConfig(),
	}
	d.Config.SQLitePath = filepath.Join(d.StatePath, "ironic.sqlite")
	d.Config.HeartbeatTimeout = seconds(cond, "heartbeat_timeout", d.Config.HeartbeatTimeout, &one)
	d.Config.DefaultPortgroupMode = def.String("default_portgroup_mode", d.Config.DefaultPortgroupMode)
	pool := r.Int("max_pool_size", d.Config.MaxIdleConns, &one)
	overflow := r.Int("max_overflow", d.Config.MaxOpenConns-d.Config.MaxIdleConns, &zero)
	d.Config.MaxIdleConns = pool
	d.Config.MaxOpenConns = pool + overflow
	d.Config.ConnMaxLifetime = seconds(r, "connection_recycle_time", d.Config.ConnMaxLifetime, &one)
	if err := d.Config.Validate(); err != nil {
		*errs = append(*errs, err)
	}
	c, err := db.ParseConnection(d.Connection, d.Config.SQLitePath)
	if err != nil {
		*errs = append(*errs, fmt.Errorf("[database] connection: %w", err))
	}
	d.Parsed = c
	return d
}
