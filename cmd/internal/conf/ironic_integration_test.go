//go:build integration

package conf

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"
)

func python() string {
	if p := os.Getenv("IRONIC_GO_PYTHON"); p != "" {
		return p
	}
	return "/usr/bin/python3"
}

// TestDefaultsMatchDebiansIronic compares the defaults of every option we
// map with those Debian's python3-ironic (21.4) registers, and FQDN with
// socket.getfqdn(). Where ironic-go follows Ironic 7.0.0 (RPC API 1.40) or
// lacks a driver, the difference is listed and checked too.
func TestDefaultsMatchDebiansIronic(t *testing.T) {
	cmd := exec.CommandContext(t.Context(), python(), "testdata/ironic_defaults.py")
	cmd.Cancel = func() error { return cmd.Process.Kill() }
	cmd.WaitDelay = 10 * time.Second
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%s testdata/ironic_defaults.py: %v\n%s\n(install Debian's python3-ironic: make deps, or set IRONIC_GO_PYTHON)", python(), err, stderr.String())
	}
	var py map[string]any
	if err := json.Unmarshal(out, &py); err != nil {
		t.Fatalf("%v: %s", err, out)
	}

	d, err := DaemonFrom(NewFiles(), FQDN())
	if err != nil {
		t.Fatal(err)
	}
	c, m, db := d.Conductor, d.Messaging, d.Database.Config
	secs := func(d time.Duration) string { return fmt.Sprint(int(d / time.Second)) }
	ours := map[string]string{
		"DEFAULT.host":                                               c.Host,
		"DEFAULT.control_exchange":                                   m.Rabbit.ControlExchange,
		"DEFAULT.transport_url":                                      m.TransportURL,
		"DEFAULT.rpc_response_timeout":                               secs(m.ResponseTimeout),
		"DEFAULT.executor_thread_pool_size":                          fmt.Sprint(m.ExecutorPoolSize),
		"DEFAULT.enabled_hardware_types":                             strings.Join(d.Drivers.EnabledHardwareTypes, ","),
		"DEFAULT.default_storage_interface":                          d.Drivers.DefaultInterfaces["storage"],
		"DEFAULT.hash_partition_exponent":                            fmt.Sprint(d.HashRing.HashPartitionExponent),
		"DEFAULT.graceful_shutdown_timeout":                          secs(c.ShutdownTimeout),
		"DEFAULT.debug":                                              fmt.Sprint(d.Logging.Debug),
		"DEFAULT.use_json":                                           "false", // unset: decided by the terminal, see below
		"DEFAULT.default_portgroup_mode":                             db.DefaultPortgroupMode,
		"conductor.heartbeat_interval":                               secs(c.HeartbeatInterval),
		"conductor.heartbeat_timeout":                                secs(c.HeartbeatTimeout),
		"conductor.workers_pool_size":                                fmt.Sprint(c.WorkersPoolSize),
		"conductor.periodic_max_workers":                             fmt.Sprint(c.PeriodicMaxWorkers),
		"conductor.sync_power_state_interval":                        secs(c.SyncPowerStateInterval),
		"conductor.power_state_sync_max_retries":                     fmt.Sprint(c.PowerStateSyncMaxRetries),
		"conductor.sync_power_state_workers":                         fmt.Sprint(c.SyncPowerStateWorkers),
		"conductor.force_power_state_during_sync":                    fmt.Sprint(c.ForcePowerStateDuringSync),
		"conductor.node_locked_retry_attempts":                       fmt.Sprint(c.NodeLockedRetryAttempts),
		"conductor.node_locked_retry_interval":                       secs(c.NodeLockedRetryInterval),
		"conductor.soft_power_off_timeout":                           secs(c.SoftPowerOffTimeout),
		"conductor.check_provision_state_interval":                   secs(c.CheckProvisionStateInterval),
		"conductor.deploy_callback_timeout":                          secs(c.DeployCallbackTimeout),
		"conductor.clean_callback_timeout":                           secs(c.CleanCallbackTimeout),
		"conductor.inspect_wait_timeout":                             secs(c.InspectTimeout),
		"conductor.sync_local_state_interval":                        secs(c.SyncLocalStateInterval),
		"conductor.automated_clean":                                  fmt.Sprint(c.AutomatedClean),
		"database.max_pool_size":                                     fmt.Sprint(db.MaxIdleConns),
		"database.max_overflow":                                      fmt.Sprint(db.MaxOpenConns - db.MaxIdleConns),
		"database.connection_recycle_time":                           secs(db.ConnMaxLifetime),
		"database.connection":                                        "<nil>", // empty: the embedded SQLite file
		"oslo_messaging_rabbit.rabbit_transient_queues_ttl":          secs(m.Rabbit.TransientQueuesTTL),
		"oslo_messaging_rabbit.heartbeat_timeout_threshold":          secs(m.Rabbit.HeartbeatTimeoutThreshold),
		"oslo_messaging_rabbit.kombu_missing_consumer_retry_timeout": secs(m.Rabbit.MissingConsumerRetryTimeout),
		"getfqdn": FQDN(),
	}
	if d.Database.Connection != "" {
		ours["database.connection"] = d.Database.Connection
	}
	for k, v := range py {
		var want string
		switch x := v.(type) {
		case nil:
			want = "<nil>"
		case []any:
			var s []string
			for _, e := range x {
				s = append(s, fmt.Sprint(e))
			}
			want = strings.Join(s, ",")
		default:
			want = fmt.Sprint(x)
		}
		got, ok := ours[k]
		if !ok {
			t.Errorf("%s: not compared", k)
			continue
		}
		if got != want {
			t.Errorf("%s: ours %q, Debian's Ironic %q", k, got, want)
		}
	}
	if len(py) != len(ours) {
		t.Errorf("compared %d options, Python gave %d", len(ours), len(py))
	}
	// The deliberate differences.
	if d.Logging.JSON != nil {
		t.Error("use_json unset must leave the choice to the terminal")
	}
	if d.HashRing.HashRingResetInterval != 180*time.Second || d.HashRing.HashDistributionReplicas != 1 {
		t.Error("hash ring: Ironic 7.0.0's hash_ring_reset_interval 180 (21.4: 15) and hash_distribution_replicas 1 (gone in 21.4)")
	}
	if d.Database.StatePath != "/var/lib/ironic" {
		t.Error("state_path: the packaged /var/lib/ironic (Ironic's bare default is its Python package directory)")
	}
	if got := strings.Join(d.Drivers.EnabledInterfaces["storage"], ","); got != "noop" {
		t.Errorf("enabled_storage_interfaces %q: Ironic's cinder,noop less cinder", got)
	}
}
