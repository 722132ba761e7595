package conf

import (
	"errors"
	"flag"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ironic-go/ironic-go/drivers"
)

// ironicDefaults are Ironic's documented defaults (ironic_1_40.md §5, §9;
// oslo.service, oslo.messaging, oslo.db), written out here rather than
// taken from the packages' DefaultConfig, so a drift in either shows.
func TestDaemonDefaultsAreIronics(t *testing.T) {
	d, err := DaemonFrom(load(t, "[DEFAULT]\n"), "cond.example.org")
	if err != nil {
		t.Fatal(err)
	}
	c := d.Conductor
	for _, tc := range []struct {
		name      string
		got, want any
	}{
		{"host", c.Host, "cond.example.org"},
		{"graceful_shutdown_timeout", c.ShutdownTimeout, 60 * time.Second},
		{"heartbeat_interval", c.HeartbeatInterval, 10 * time.Second},
		{"heartbeat_timeout", c.HeartbeatTimeout, 60 * time.Second},
		{"workers_pool_size", c.WorkersPoolSize, 100},
		{"periodic_max_workers", c.PeriodicMaxWorkers, 8},
		{"sync_power_state_interval", c.SyncPowerStateInterval, 60 * time.Second},
		{"power_state_sync_max_retries", c.PowerStateSyncMaxRetries, 3},
		{"sync_power_state_workers", c.SyncPowerStateWorkers, 8},
		{"force_power_state_during_sync", c.ForcePowerStateDuringSync, true},
		{"node_locked_retry_attempts", c.NodeLockedRetryAttempts, 3},
		{"node_locked_retry_interval", c.NodeLockedRetryInterval, time.Second},
		{"soft_power_off_timeout", c.SoftPowerOffTimeout, 600 * time.Second},
		{"check_provision_state_interval", c.CheckProvisionStateInterval, 60 * time.Second},
		{"deploy_callback_timeout", c.DeployCallbackTimeout, 1800 * time.Second},
		{"clean_callback_timeout", c.CleanCallbackTimeout, 1800 * time.Second},
		{"inspect_timeout", c.InspectTimeout, 1800 * time.Second},
		{"sync_local_state_interval", c.SyncLocalStateInterval, 180 * time.Second},
		{"automated_clean", c.AutomatedClean, true},
		{"hash_partition_exponent", d.HashRing.HashPartitionExponent, 5},
		{"hash_distribution_replicas", d.HashRing.HashDistributionReplicas, 1},
		{"hash_ring_reset_interval", d.HashRing.HashRingResetInterval, 180 * time.Second},
		{"enabled_hardware_types", strings.Join(d.Drivers.EnabledHardwareTypes, ","), "ipmi,redfish"},
		{"default_storage_interface", d.Drivers.DefaultInterfaces[drivers.InterfaceStorage], "noop"},
		{"enabled_storage_interfaces", strings.Join(d.Drivers.EnabledInterfaces[drivers.InterfaceStorage], ","), "noop"},
		{"enabled_power_interfaces (computed)", len(d.Drivers.EnabledInterfaces[drivers.InterfacePower]), 0},
		{"transport_url", d.Messaging.TransportURL, "rabbit://"},
		{"control_exchange", d.Messaging.Rabbit.ControlExchange, "ironic"},
		{"rpc_response_timeout", d.Messaging.ResponseTimeout, 60 * time.Second},
		{"executor_thread_pool_size", d.Messaging.ExecutorPoolSize, 64},
		{"connection name", d.Messaging.Rabbit.ConnectionName, "cond.example.org"},
		{"state_path", d.Database.StatePath, "/var/lib/ironic"},
		{"[database] connection", d.Database.Connection, ""},
		{"embedded", d.Database.Embedded(), true},
		{"sqlite path", d.Database.Config.SQLitePath, "/var/lib/ironic/ironic.sqlite"},
		{"parsed connection", d.Database.Parsed.String(), "sqlite:////var/lib/ironic/ironic.sqlite"},
		{"max_pool_size", d.Database.Config.MaxIdleConns, 5},
		{"max_pool_size + max_overflow", d.Database.Config.MaxOpenConns, 55},
		{"connection_recycle_time", d.Database.Config.ConnMaxLifetime, time.Hour},
		{"db heartbeat_timeout", d.Database.Config.HeartbeatTimeout, 60 * time.Second},
		{"debug", d.Logging.Debug, false},
		{"use_json (unset)", d.Logging.JSON == nil, true},
		{"log_file", d.Logging.File, ""},
	} {
		if tc.got != tc.want {
			t.Errorf("%s = %v, want %v", tc.name, tc.got, tc.want)
		}
	}
}

const overrides = `[DEFAULT]
host = cond-7
transport_url = rabbit://ironic:s3cret@mq1:5672,ironic:s3cret@mq2:5672/ironic
control_exchange = baremetal
rpc_response_timeout = 30
executor_thread_pool_size = 16
state_path = /srv/ironic
enabled_hardware_types = fake-hardware, ipmi
enabled_power_interfaces = fake,ipmitool
default_power_interface = fake
default_storage_interface =
hash_partition_exponent = 7
hash_distribution_replicas = 2
hash_ring_reset_interval = 15
graceful_shutdown_timeout = 0
debug = true
use_json = false
log_dir = /var/log/ironic
log_file = conductor.log

[database]
connection = postgresql+psycopg2://ironic:dbs3cret@db.example.org/ironic
max_pool_size = 10
max_overflow = 20
connection_recycle_time = 600

[conductor]
heartbeat_interval = 5
heartbeat_timeout = 30
workers_pool_size = 50
periodic_max_workers = 4
sync_power_state_interval = -1
power_state_sync_max_retries = 0
sync_power_state_workers = 2
force_power_state_during_sync = false
node_locked_retry_attempts = 5
node_locked_retry_interval = 2
soft_power_off_timeout = 100
check_provision_state_interval = 0
deploy_callback_timeout = 0
clean_callback_timeout = 900
inspect_timeout = 60
inspect_wait_timeout = 120
sync_local_state_interval = 90
automated_clean = false

[oslo_messaging_rabbit]
amqp_durable_queues = true
heartbeat_timeout_threshold = 30
`

func TestDaemonOverrides(t *testing.T) {
	d, err := DaemonFrom(load(t, overrides), "unused")
	if err != nil {
		t.Fatal(err)
	}
	c := d.Conductor
	for _, tc := range []struct {
		name      string
		got, want any
	}{
		{"host", c.Host, "cond-7"},
		{"graceful_shutdown_timeout 0 (endless)", c.ShutdownTimeout, time.Duration(0)},
		{"heartbeat_interval", c.HeartbeatInterval, 5 * time.Second},
		{"heartbeat_timeout", c.HeartbeatTimeout, 30 * time.Second},
		{"db heartbeat_timeout", d.Database.Config.HeartbeatTimeout, 30 * time.Second},
		{"workers_pool_size", c.WorkersPoolSize, 50},
		{"periodic_max_workers", c.PeriodicMaxWorkers, 4},
		{"sync_power_state_interval (disabled)", c.SyncPowerStateInterval, -time.Second},
		{"power_state_sync_max_retries", c.PowerStateSyncMaxRetries, 0},
		{"sync_power_state_workers", c.SyncPowerStateWorkers, 2},
		{"force_power_state_during_sync", c.ForcePowerStateDuringSync, false},
		{"node_locked_retry_attempts", c.NodeLockedRetryAttempts, 5},
		{"node_locked_retry_interval", c.NodeLockedRetryInterval, 2 * time.Second},
		{"soft_power_off_timeout", c.SoftPowerOffTimeout, 100 * time.Second},
		{"check_provision_state_interval", c.CheckProvisionStateInterval, time.Duration(0)},
		{"deploy_callback_timeout", c.DeployCallbackTimeout, time.Duration(0)},
		{"clean_callback_timeout", c.CleanCallbackTimeout, 900 * time.Second},
		{"inspect_wait_timeout wins over inspect_timeout", c.InspectTimeout, 120 * time.Second},
		{"sync_local_state_interval", c.SyncLocalStateInterval, 90 * time.Second},
		{"automated_clean", c.AutomatedClean, false},
		{"hash_partition_exponent", d.HashRing.HashPartitionExponent, 7},
		{"hash_distribution_replicas", d.HashRing.HashDistributionReplicas, 2},
		{"hash_ring_reset_interval", d.HashRing.HashRingResetInterval, 15 * time.Second},
		{"enabled_hardware_types", strings.Join(d.Drivers.EnabledHardwareTypes, ","), "fake-hardware,ipmi"},
		{"enabled_power_interfaces", strings.Join(d.Drivers.EnabledInterfaces[drivers.InterfacePower], ","), "fake,ipmitool"},
		{"default_power_interface", d.Drivers.DefaultInterfaces[drivers.InterfacePower], "fake"},
		{"default_storage_interface empty: computed", d.Drivers.DefaultInterfaces[drivers.InterfaceStorage], ""},
		{"control_exchange", d.Messaging.Rabbit.ControlExchange, "baremetal"},
		{"rpc_response_timeout", d.Messaging.ResponseTimeout, 30 * time.Second},
		{"executor_thread_pool_size", d.Messaging.ExecutorPoolSize, 16},
		{"brokers", len(d.Messaging.URL.Hosts), 2},
		{"amqp_durable_queues", d.Messaging.Rabbit.DurableQueues, true},
		{"heartbeat_timeout_threshold", d.Messaging.Rabbit.HeartbeatTimeoutThreshold, 30 * time.Second},
		{"connection name", d.Messaging.Rabbit.ConnectionName, "cond-7"},
		{"embedded", d.Database.Embedded(), false},
		{"backend", string(d.Database.Parsed.Backend), "postgresql"},
		{"parsed connection masks", strings.Contains(d.Database.Parsed.String(), "dbs3cret"), false},
		{"parsed connection", strings.HasSuffix(d.Database.Parsed.String(), "@db.example.org/ironic"), true},
		{"sqlite path (unused)", d.Database.Config.SQLitePath, "/srv/ironic/ironic.sqlite"},
		{"max_pool_size", d.Database.Config.MaxIdleConns, 10},
		{"max_open", d.Database.Config.MaxOpenConns, 30},
		{"connection_recycle_time", d.Database.Config.ConnMaxLifetime, 600 * time.Second},
		{"debug", d.Logging.Debug, true},
		{"use_json", d.Logging.JSON != nil && !*d.Logging.JSON, true},
		{"log_file in log_dir", d.Logging.File, "/var/log/ironic/conductor.log"},
	} {
		if tc.got != tc.want {
			t.Errorf("%s = %v, want %v", tc.name, tc.got, tc.want)
		}
	}
	if _, ok := d.Drivers.DefaultInterfaces[drivers.InterfaceStorage]; ok {
		t.Error("an empty default_storage_interface must leave the default to be computed")
	}
	// The inspect_timeout name alone (Ironic 7.0.0's).
	old, err := ConductorFrom(load(t, "[conductor]\ninspect_timeout = 42\n"), "h")
	if err != nil || old.InspectTimeout != 42*time.Second {
		t.Errorf("inspect_timeout alone: %v, %v", old.InspectTimeout, err)
	}
}

func TestLaterFileOverridesSections(t *testing.T) {
	d, err := DaemonFrom(load(t, overrides, "[conductor]\nheartbeat_interval = 3\n[DEFAULT]\nhost = cond-8\n"), "x")
	if err != nil {
		t.Fatal(err)
	}
	if d.Conductor.HeartbeatInterval != 3*time.Second || d.Conductor.Host != "cond-8" || d.Messaging.Rabbit.ConnectionName != "cond-8" ||
		d.Conductor.HeartbeatTimeout != 30*time.Second {
		t.Errorf("later file: interval %s host %s conn %s timeout %s", d.Conductor.HeartbeatInterval, d.Conductor.Host,
			d.Messaging.Rabbit.ConnectionName, d.Conductor.HeartbeatTimeout)
	}
}

// Every bad value is reported in one error, with its option and file
// location, and no password from the file appears in it.
func TestBadValuesReportedTogether(t *testing.T) {
	const bad = `[DEFAULT]
transport_url = rabbit://ironic:tr4nsp0rt@mq1:notaport/
rpc_response_timeout = soon
executor_thread_pool_size = 0
hash_partition_exponent = 99
hash_distribution_replicas = 0
graceful_shutdown_timeout = -5
debug = perhaps
enabled_power_interfaces = ipmitool

[database]
connection = mysql+pymysql://ironic:dbp4ss@db/ironic
max_pool_size = zero

[conductor]
heartbeat_interval = 0
workers_pool_size = 2
force_power_state_during_sync = maybe
node_locked_retry_attempts = 0
soft_power_off_timeout = ten
inspect_wait_timeout = -1

[oslo_messaging_rabbit]
rabbit_qos_prefetch_count = lots
`
	_, err := DaemonFrom(load(t, bad), "h")
	if !errors.Is(err, ErrInvalid) {
		t.Fatalf("want ErrInvalid, got %v", err)
	}
	msg := err.Error()
	for _, want := range []string{
		"transport_url", "rpc_response_timeout", "executor_thread_pool_size", "hash_partition_exponent",
		"hash_distribution_replicas", "graceful_shutdown_timeout", "[DEFAULT] debug", "[database] connection",
		"max_pool_size", "heartbeat_interval", "workers_pool_size", "force_power_state_during_sync",
		"node_locked_retry_attempts", "soft_power_off_timeout", "inspect_wait_timeout", "rabbit_qos_prefetch_count",
	} {
		if !strings.Contains(msg, want) {
			t.Errorf("problem with %s not reported in:\n%s", want, msg)
		}
	}
	for _, secret := range []string{"tr4nsp0rt", "dbp4ss"} {
		if strings.Contains(msg, secret) {
			t.Errorf("password %q in the error:\n%s", secret, msg)
		}
	}
	if !strings.Contains(msg, "doc0:") {
		t.Errorf("no file location in:\n%s", msg)
	}
}

func TestDatabaseConnections(t *testing.T) {
	for _, tc := range []struct {
		conf, backend, shown string
		embedded             bool
	}{
		{"[DEFAULT]\nstate_path = ./.state\n", "sqlite", "sqlite:///.state/ironic.sqlite", true},
		{"[database]\nconnection = sqlite:////tmp/x/ironic.db\n", "sqlite", "sqlite:////tmp/x/ironic.db", false},
		{"[DEFAULT]\nstate_path = /st\n[database]\nconnection = sqlite:///$state_path/other.db\n", "sqlite", "sqlite:////st/other.db", false},
		{"[database]\nconnection = postgresql://postgres@127.0.0.1:5432/test?sslmode=disable\n", "postgresql", "postgresql://postgres@127.0.0.1:5432/test?sslmode=disable", false},
		{"[database]\nconnection = postgresql://ironic:pw0rd@h/ironic\n", "postgresql", "", false},
	} {
		d, err := DatabaseFrom(load(t, tc.conf))
		if err != nil {
			t.Errorf("%q: %v", tc.conf, err)
			continue
		}
		shown := d.Parsed.String()
		if tc.shown == "" { // a password: masked, whatever the mask
			if strings.Contains(shown, "pw0rd") || !strings.HasSuffix(shown, "@h/ironic") {
				t.Errorf("password not masked: %s", shown)
			}
			shown = ""
		}
		if string(d.Parsed.Backend) != tc.backend || shown != tc.shown || d.Embedded() != tc.embedded {
			t.Errorf("%q: backend %s shown %s embedded %v", tc.conf, d.Parsed.Backend, d.Parsed.String(), d.Embedded())
		}
	}
	_, err := DatabaseFrom(load(t, "[database]\nconnection = oracle://u:t0ps3cret@h/db\n"))
	if err == nil || strings.Contains(err.Error(), "t0ps3cret") || !strings.Contains(err.Error(), "[database] connection") {
		t.Errorf("bad scheme: %v", err)
	}
}

func TestDriversMapping(t *testing.T) {
	c, err := DriversFrom(load(t, "[DEFAULT]\nenabled_hardware_types = fake-hardware\nenabled_storage_interfaces = fake\ndefault_deploy_interface = fake\n"))
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(c.EnabledHardwareTypes, []string{"fake-hardware"}) ||
		!slices.Equal(c.EnabledInterfaces[drivers.InterfaceStorage], []string{"fake"}) ||
		c.DefaultInterfaces[drivers.InterfaceDeploy] != "fake" || c.DefaultInterfaces[drivers.InterfaceStorage] != "noop" {
		t.Errorf("drivers config %+v", c)
	}
	// An empty enabled_storage_interfaces is computed, like the others.
	c, err = DriversFrom(load(t, "[DEFAULT]\nenabled_storage_interfaces =\n"))
	if err != nil || len(c.EnabledInterfaces[drivers.InterfaceStorage]) != 0 {
		t.Errorf("empty enabled_storage_interfaces: %v %v", c.EnabledInterfaces, err)
	}
}

func TestLogging(t *testing.T) {
	l, err := LoggingFrom(load(t, "[DEFAULT]\nuse_json = yes\nlog_file = /abs/c.log\nlog_dir = /ignored\n"))
	if err != nil || l.JSON == nil || !*l.JSON || l.File != "/abs/c.log" || l.Debug {
		t.Errorf("logging %+v %v", l, err)
	}
}

func TestFlagsAndDefaultFiles(t *testing.T) {
	home := t.TempDir()
	if files, _ := DefaultFiles("ironic", "ironic-conductor", home); slices.ContainsFunc(files, func(p string) bool { return strings.HasPrefix(p, home) }) {
		t.Errorf("found files in an empty home: %v", files)
	}
	os.MkdirAll(filepath.Join(home, ".ironic"), 0o755)
	os.WriteFile(filepath.Join(home, ".ironic", "ironic.conf"), []byte("[DEFAULT]\nhost = a\n"), 0o600)
	os.WriteFile(filepath.Join(home, "ironic.conf"), []byte("[DEFAULT]\nhost = shadowed\n"), 0o600)
	os.WriteFile(filepath.Join(home, "ironic-conductor.conf"), []byte("[DEFAULT]\nhost = b\n"), 0o600)
	files, _ := DefaultFiles("ironic", "ironic-conductor", home)
	if len(files) < 2 || files[0] != filepath.Join(home, ".ironic", "ironic.conf") || files[1] != filepath.Join(home, "ironic-conductor.conf") {
		t.Errorf("default files %v", files)
	}

	var fl Flags
	fs := flagSet(&fl)
	if err := fs.Parse([]string{"--config-file", files[0], "--config-file", files[1]}); err != nil {
		t.Fatal(err)
	}
	f, err := fl.Load("ironic", "ironic-conductor")
	if err != nil {
		t.Fatal(err)
	}
	var errs []error
	if h := f.Section("DEFAULT", &errs).String("host", ""); h != "b" {
		t.Errorf("later --config-file must win: host %q", h)
	}
}

func TestFQDN(t *testing.T) {
	if h := FQDN(); h == "" || strings.ContainsAny(h, " \n") {
		t.Errorf("FQDN() = %q", h)
	}
}

func flagSet(fl *Flags) *flag.FlagSet {
	fs := flag.NewFlagSet("test", flag.ContinueOnError)
	fl.Register(fs)
	return fs
}
