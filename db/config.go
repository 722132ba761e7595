package db

import (
	"errors"
	"fmt"
	"time"

	"github.com/rs/zerolog"
)

// Config holds the options of the storage layer. Start from
// [DefaultConfig]; the zero value of each field means its default.
type Config struct {
	// SQLitePath is the embedded default database: the SQLite file used
	// when the connection string is empty (Ironic's default is
	// $state_path/ironic.sqlite).
	SQLitePath string
	// HeartbeatTimeout is [conductor] heartbeat_timeout: a conductor whose
	// last heartbeat is older is not active (hash ring) and is offline
	// (takeover of its reservations). Default 60 s.
	HeartbeatTimeout time.Duration
	// DefaultPortgroupMode is [DEFAULT] default_portgroup_mode, the mode of
	// a portgroup created without one. Default "active-backup".
	DefaultPortgroupMode string
	// MaxOpenConns caps the connection pool: [database] max_pool_size +
	// max_overflow (5 + 50 in oslo.db). Default 55. SQLite uses at most 8.
	MaxOpenConns int
	// MaxIdleConns is [database] max_pool_size: idle connections kept.
	// Default 5.
	MaxIdleConns int
	// ConnMaxLifetime is [database] connection_recycle_time. Default 1 h.
	ConnMaxLifetime time.Duration
	// Logger receives lifecycle logs (open, migrations, cleared
	// reservations). The zero value logs nothing. Passwords are never
	// logged.
	Logger zerolog.Logger
	// Now is the clock for heartbeats, timestamps and age filters, in UTC.
	// Nil means time.Now. Conductors of one cluster compare each other's
	// timestamps, so their clocks must agree, as in Ironic.
	Now func() time.Time
}

// DefaultConfig returns Ironic's and oslo.db's defaults.
func DefaultConfig() Config {
	return Config{
		HeartbeatTimeout:     60 * time.Second,
		DefaultPortgroupMode: "active-backup",
		MaxOpenConns:         55,
		MaxIdleConns:         5,
		ConnMaxLifetime:      time.Hour,
	}
}

// withDefaults fills zero fields from DefaultConfig.
func (c Config) withDefaults() Config {
	d := DefaultConfig()
	if c.HeartbeatTimeout == 0 {
		c.HeartbeatTimeout = d.HeartbeatTimeout
	}
	if c.DefaultPortgroupMode == "" {
		c.DefaultPortgroupMode = d.DefaultPortgroupMode
	}
	if c.MaxOpenConns == 0 {
		c.MaxOpenConns = d.MaxOpenConns
	}
	if c.MaxIdleConns == 0 {
		c.MaxIdleConns = d.MaxIdleConns
	}
	if c.ConnMaxLifetime == 0 {
		c.ConnMaxLifetime = d.ConnMaxLifetime
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	return c
}

// Validate returns every problem of c, joined.
func (c Config) Validate() error {
	var errs []error
	if c.HeartbeatTimeout < 0 {
		errs = append(errs, fmt.Errorf("db: heartbeat_timeout %s must not be negative", c.HeartbeatTimeout))
	}
	if c.MaxOpenConns < 0 {
		errs = append(errs, fmt.Errorf("db: max open connections %d must not be negative", c.MaxOpenConns))
	}
	if c.MaxIdleConns < 0 {
		errs = append(errs, fmt.Errorf("db: max idle connections %d must not be negative", c.MaxIdleConns))
	}
	if c.ConnMaxLifetime < 0 {
		errs = append(errs, fmt.Errorf("db: connection_recycle_time %s must not be negative", c.ConnMaxLifetime))
	}
	return errors.Join(errs...)
}
