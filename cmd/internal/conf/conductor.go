package conf

import (
	"time"

	"github.com/ironic-go/ironic-go/conductor"
)

// ConductorFrom reads [DEFAULT] host and graceful_shutdown_timeout and the
// [conductor] section onto Ironic's defaults (conductor.DefaultConfig).
// defaultHost is [DEFAULT] host's default, [FQDN] for the daemon. Every
// problem is reported, joined, wrapping ErrInvalid. The Logger is left for
// the caller to set.
func ConductorFrom(f *Files, defaultHost string) (conductor.Config, error) {
	var errs []error
	c := readConductor(f, defaultHost, &errs)
	return c, invalid(errs)
}

func readConductor(f *Files, defaultHost string, errs *[]error) conductor.Config {
	def := f.Section("DEFAULT", errs)
	r := f.Section("conductor", errs)
	c := conductor.DefaultConfig(def.String("host", defaultHost))
	zero, one, three := 0, 1, 3

	c.ShutdownTimeout = seconds(def, "graceful_shutdown_timeout", c.ShutdownTimeout, &zero)
	c.HeartbeatInterval = seconds(r, "heartbeat_interval", c.HeartbeatInterval, &one)
	c.HeartbeatTimeout = seconds(r, "heartbeat_timeout", c.HeartbeatTimeout, &one)
	c.WorkersPoolSize = r.Int("workers_pool_size", c.WorkersPoolSize, &three)
	c.PeriodicMaxWorkers = r.Int("periodic_max_workers", c.PeriodicMaxWorkers, &one)
	// The periodic tasks' intervals: zero or less disables the task, as
	// in Ironic.
	c.SyncPowerStateInterval = seconds(r, "sync_power_state_interval", c.SyncPowerStateInterval, nil)
	c.PowerStateSyncMaxRetries = r.Int("power_state_sync_max_retries", c.PowerStateSyncMaxRetries, &zero)
	c.SyncPowerStateWorkers = r.Int("sync_power_state_workers", c.SyncPowerStateWorkers, &one)
	c.ForcePowerStateDuringSync = r.Bool("force_power_state_during_sync", c.ForcePowerStateDuringSync)
	c.NodeLockedRetryAttempts = r.Int("node_locked_retry_attempts", c.NodeLockedRetryAttempts, &one)
	c.NodeLockedRetryInterval = seconds(r, "node_locked_retry_interval", c.NodeLockedRetryInterval, &zero)
	c.SoftPowerOffTimeout = seconds(r, "soft_power_off_timeout", c.SoftPowerOffTimeout, &one)
	c.CheckProvisionStateInterval = seconds(r, "check_provision_state_interval", c.CheckProvisionStateInterval, nil)
	c.SyncLocalStateInterval = seconds(r, "sync_local_state_interval", c.SyncLocalStateInterval, nil)
	// The timeouts: 0 disables.
	c.DeployCallbackTimeout = seconds(r, "deploy_callback_timeout", c.DeployCallbackTimeout, &zero)
	c.CleanCallbackTimeout = seconds(r, "clean_callback_timeout", c.CleanCallbackTimeout, &zero)
	// inspect_wait_timeout is newer Ironic's name of inspect_timeout (the
	// 1.40 name); the new name wins when both are set, as in oslo.config.
	if r.Has("inspect_wait_timeout") {
		c.InspectTimeout = seconds(r, "inspect_wait_timeout", c.InspectTimeout, &zero)
	} else {
		c.InspectTimeout = seconds(r, "inspect_timeout", c.InspectTimeout, &zero)
	}
	c.AutomatedClean = r.Bool("automated_clean", c.AutomatedClean)
	if err := c.Validate(); err != nil {
		*errs = append(*errs, err)
	}
	return c
}

// seconds reads an option Ironic declares as an integer number of
// seconds (IntOpt), with an optional minimum.
func seconds(r *Reader, key string, def time.Duration, min *int) time.Duration {
	n := r.Int(key, int(def/time.Second), min)
	return time.Duration(n) * time.Second
}
