package redfish

import (
	"errors"
	"fmt"
	"time"

	"github.com/rs/zerolog"
)

// Auth types (redfish_auth_type, [redfish] auth_type).
const (
	AuthAuto    = "auto"
	AuthBasic   = "basic"
	AuthSession = "session"
)

// Config holds the [redfish] options this driver uses, plus [conductor]
// power_state_change_timeout, with Ironic's defaults from DefaultConfig.
type Config struct {
	// ConnectionAttempts is connection_attempts (5): how many times a
	// connection to the BMC (and the read of the node's System) is tried
	// before RedfishConnectionError.
	ConnectionAttempts int
	// ConnectionRetryInterval is connection_retry_interval (4 s).
	ConnectionRetryInterval time.Duration
	// ConnectionCacheSize is connection_cache_size (1000): authenticated
	// connections kept for reuse, least recently used evicted; 0 disables
	// the cache.
	ConnectionCacheSize int
	// AuthType is auth_type ("auto"), the default of redfish_auth_type.
	AuthType string
	// PowerStateChangeTimeout is [conductor] power_state_change_timeout
	// (60 s): how long a power change may take to show when the caller
	// gives no timeout.
	PowerStateChangeTimeout time.Duration
	// PowerStatePollInterval is the first wait before the power state is
	// read back after a change (1 s, Ironic's initial delay); later waits
	// grow by half each time, up to PowerStatePollMaxInterval (Ironic
	// backs off the same way).
	PowerStatePollInterval time.Duration
	// PowerStatePollMaxInterval caps the wait between reads (10 s).
	PowerStatePollMaxInterval time.Duration
	// RequestTimeout bounds one HTTP request to the BMC (60 s, sushy's).
	RequestTimeout time.Duration
	// MaxResponseBytes bounds a BMC response body (16 MiB).
	MaxResponseBytes int64
	// Logger receives the driver's logs; the zero value discards.
	// Passwords are never logged.
	Logger zerolog.Logger
}

// DefaultConfig returns Ironic's defaults.
func DefaultConfig() Config {
	return Config{
		ConnectionAttempts:        5,
		ConnectionRetryInterval:   4 * time.Second,
		ConnectionCacheSize:       1000,
		AuthType:                  AuthAuto,
		PowerStateChangeTimeout:   60 * time.Second,
		PowerStatePollInterval:    time.Second,
		PowerStatePollMaxInterval: 10 * time.Second,
		RequestTimeout:            60 * time.Second,
		MaxResponseBytes:          16 << 20,
	}
}

// Validate reports every invalid option (oslo.config's min= bounds and
// choices).
func (c Config) Validate() error {
	var errs []error
	if c.ConnectionAttempts < 1 {
		errs = append(errs, fmt.Errorf("redfish: connection_attempts must be at least 1, not %d", c.ConnectionAttempts))
	}
	if c.ConnectionRetryInterval < 0 {
		errs = append(errs, fmt.Errorf("redfish: connection_retry_interval must not be negative, not %s", c.ConnectionRetryInterval))
	}
	if c.ConnectionCacheSize < 0 {
		errs = append(errs, fmt.Errorf("redfish: connection_cache_size must not be negative, not %d", c.ConnectionCacheSize))
	}
	switch c.AuthType {
	case AuthAuto, AuthBasic, AuthSession:
	default:
		errs = append(errs, fmt.Errorf("redfish: auth_type must be one of auto, basic, session, not %q", c.AuthType))
	}
	if c.PowerStateChangeTimeout <= 0 {
		errs = append(errs, fmt.Errorf("redfish: power_state_change_timeout must be positive, not %s", c.PowerStateChangeTimeout))
	}
	if c.PowerStatePollInterval <= 0 || c.PowerStatePollMaxInterval < c.PowerStatePollInterval {
		errs = append(errs, errors.New("redfish: power state poll intervals must be positive, the maximum not below the first"))
	}
	if c.RequestTimeout <= 0 {
		errs = append(errs, fmt.Errorf("redfish: request timeout must be positive, not %s", c.RequestTimeout))
	}
	if c.MaxResponseBytes <= 0 {
		errs = append(errs, fmt.Errorf("redfish: response size limit must be positive, not %d", c.MaxResponseBytes))
	}
	return errors.Join(errs...)
}
