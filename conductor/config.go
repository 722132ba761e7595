package conductor

import (
	"errors"
	"fmt"
	"time"

	"github.com/rs/zerolog"
)

// ErrConfig is an invalid conductor configuration.
var ErrConfig = errors.New("conductor: invalid configuration")

// Config holds the conductor's options: [DEFAULT] host and the [conductor]
// section of ironic.conf, with Ironic's names and defaults.
type Config struct {
	// Host is [DEFAULT] host: this conductor's name in the conductors
	// table, in node reservations and in its topic.
	Host string
	// HeartbeatInterval is heartbeat_interval (10 s).
	HeartbeatInterval time.Duration
	// HeartbeatTimeout is heartbeat_timeout (60 s): a conductor silent for
	// longer is dead for its peers.
	HeartbeatTimeout time.Duration
	// WorkersPoolSize is workers_pool_size (100, at least 3).
	WorkersPoolSize int
	// WorkersBacklog is how much work may wait for a worker before
	// NoFreeConductorWorker (100, fixed in Ironic).
	WorkersBacklog int
	// PeriodicMaxWorkers is periodic_max_workers (8): nodes a periodic
	// task acts on at once.
	PeriodicMaxWorkers int
	// SyncPowerStateInterval is sync_power_state_interval (60 s; 0 or less
	// disables the task).
	SyncPowerStateInterval time.Duration
	// PowerStateSyncMaxRetries is power_state_sync_max_retries (3).
	PowerStateSyncMaxRetries int
	// SyncPowerStateWorkers is sync_power_state_workers (8).
	SyncPowerStateWorkers int
	// ForcePowerStateDuringSync is [conductor]
	// force_power_state_during_sync (true).
	ForcePowerStateDuringSync bool
	// NodeLockedRetryAttempts and NodeLockedRetryInterval are how a lock
	// is retried (3 attempts, 1 s apart).
	NodeLockedRetryAttempts int
	NodeLockedRetryInterval time.Duration
	// SoftPowerOffTimeout is soft_power_off_timeout (600 s).
	SoftPowerOffTimeout time.Duration
	// CheckProvisionStateInterval is check_provision_state_interval (60 s).
	CheckProvisionStateInterval time.Duration
	// DeployCallbackTimeout, CleanCallbackTimeout and InspectTimeout are
	// deploy_callback_timeout, clean_callback_timeout and inspect_timeout
	// (1800 s each; 0 disables).
	DeployCallbackTimeout time.Duration
	CleanCallbackTimeout  time.Duration
	InspectTimeout        time.Duration
	// SyncLocalStateInterval is sync_local_state_interval (180 s): the
	// takeover of active nodes newly mapped here.
	SyncLocalStateInterval time.Duration
	// AutomatedClean is automated_clean (true).
	AutomatedClean bool
	// ShutdownTimeout bounds a graceful stop: in-flight work gets this
	// long before it is cancelled (graceful_shutdown_timeout, 60 s).
	ShutdownTimeout time.Duration
	// Logger receives the conductor's logs.
	Logger zerolog.Logger
}

// DefaultConfig returns Ironic's defaults for host.
func DefaultConfig(host string) Config {
	return Config{
		Host:                        host,
		HeartbeatInterval:           10 * time.Second,
		HeartbeatTimeout:            60 * time.Second,
		WorkersPoolSize:             100,
		WorkersBacklog:              100,
		PeriodicMaxWorkers:          8,
		SyncPowerStateInterval:      60 * time.Second,
		PowerStateSyncMaxRetries:    3,
		SyncPowerStateWorkers:       8,
		ForcePowerStateDuringSync:   true,
		NodeLockedRetryAttempts:     3,
		NodeLockedRetryInterval:     time.Second,
		SoftPowerOffTimeout:         600 * time.Second,
		CheckProvisionStateInterval: 60 * time.Second,
		DeployCallbackTimeout:       1800 * time.Second,
		CleanCallbackTimeout:        1800 * time.Second,
		InspectTimeout:              1800 * time.Second,
		SyncLocalStateInterval:      180 * time.Second,
		AutomatedClean:              true,
		ShutdownTimeout:             60 * time.Second,
	}
}

// Validate reports every problem, joined.
func (c Config) Validate() error {
	var errs []error
	bad := func(format string, args ...any) {
		errs = append(errs, fmt.Errorf("%w: "+format, append([]any{ErrConfig}, args...)...))
	}
	if c.Host == "" {
		bad("[DEFAULT] host is empty")
	}
	if c.WorkersPoolSize < 3 {
		bad("[conductor] workers_pool_size must be at least 3 (got %d)", c.WorkersPoolSize)
	}
	if c.HeartbeatInterval <= 0 {
		bad("[conductor] heartbeat_interval must be positive")
	}
	if c.HeartbeatTimeout <= 0 {
		bad("[conductor] heartbeat_timeout must be positive")
	}
	if c.NodeLockedRetryAttempts < 1 {
		bad("[conductor] node_locked_retry_attempts must be at least 1")
	}
	if c.PeriodicMaxWorkers < 1 {
		bad("[conductor] periodic_max_workers must be at least 1")
	}
	if c.SyncPowerStateWorkers < 1 {
		bad("[conductor] sync_power_state_workers must be at least 1")
	}
	if c.PowerStateSyncMaxRetries < 0 {
		bad("[conductor] power_state_sync_max_retries must not be negative")
	}
	return errors.Join(errs...)
}
