package rabbit

import (
	"crypto/tls"
	"errors"
	"fmt"
	"math"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/rs/zerolog"
)

// ErrConfig matches every configuration problem reported by
// [Config.Validate] and by the transport URL's query options.
var ErrConfig = errors.New("rabbit: invalid configuration")

// Config mirrors oslo.messaging 14's [oslo_messaging_rabbit] section plus
// the [DEFAULT] options the driver reads. Start from [DefaultConfig]: the
// zero value is not valid. Options given in the transport URL's query
// ("rabbit://h/?rabbit_qos_prefetch_count=10") override these fields, as
// oslo allows.
type Config struct {
	// ControlExchange is [DEFAULT] control_exchange: the topic exchange of
	// targets that name none.
	ControlExchange string

	// DurableQueues is amqp_durable_queues: the topic exchange and the
	// queues "<topic>" and "<topic>.<server>" are durable.
	DurableQueues bool
	// AutoDelete is amqp_auto_delete: the topic exchange and the topic
	// queues are auto-delete.
	AutoDelete bool
	// HAQueues is rabbit_ha_queues: every queue gets x-ha-policy "all".
	HAQueues bool
	// QuorumQueue is rabbit_quorum_queue: the topic queues are durable
	// quorum queues (and the topic exchange durable). Fanout and reply
	// queues stay classic, as in oslo 14.0.3.
	QuorumQueue bool
	// QuorumDeliveryLimit is rabbit_quorum_delivery_limit (x-delivery-limit;
	// 0 leaves it out).
	QuorumDeliveryLimit int
	// QuorumMaxMemoryLength is rabbit_quroum_max_memory_length (sic):
	// x-max-in-memory-length, 0 leaves it out.
	QuorumMaxMemoryLength int
	// QuorumMaxMemoryBytes is rabbit_quroum_max_memory_bytes (sic):
	// x-max-in-memory-bytes, 0 leaves it out.
	QuorumMaxMemoryBytes int
	// TransientQueuesTTL is rabbit_transient_queues_ttl: x-expires of the
	// fanout and reply queues. Whole seconds, at least one.
	TransientQueuesTTL time.Duration
	// QosPrefetchCount is rabbit_qos_prefetch_count. When positive it is the
	// basic.qos prefetch of every consuming channel; when zero, a listener
	// uses its ListenOptions.Prefetch and the reply consumer sends no qos.
	QosPrefetchCount int
	// HeartbeatTimeoutThreshold is heartbeat_timeout_threshold, the AMQP
	// heartbeat proposed to the broker. Zero takes the broker's value
	// (amqp091-go cannot turn heartbeats off).
	HeartbeatTimeoutThreshold time.Duration
	// ReconnectDelay is kombu_reconnect_delay, added to every reconnect
	// back-off sleep.
	ReconnectDelay time.Duration
	// RetryInterval, RetryBackoff and IntervalMax are rabbit_retry_interval,
	// rabbit_retry_backoff and rabbit_interval_max: the reconnect back-off
	// starts at RetryInterval, grows by RetryBackoff and is capped at
	// IntervalMax.
	RetryInterval time.Duration
	RetryBackoff  time.Duration
	IntervalMax   time.Duration
	// MissingConsumerRetryTimeout is kombu_missing_consumer_retry_timeout.
	// The transport does not use it: pass it to
	// messaging.ServerConfig.MissingReplyTimeout.
	MissingConsumerRetryTimeout time.Duration
	// EnableCancelOnFailover is enable_cancel_on_failover: consumers carry
	// x-cancel-on-ha-failover.
	EnableCancelOnFailover bool
	// LoginMethod is rabbit_login_method: AMQPLAIN (default) or PLAIN.
	LoginMethod string

	// SSL is ssl: connect over TLS (also implied by the amqps scheme).
	SSL bool
	// SSLCAFile is ssl_ca_file. As in oslo, the broker certificate is only
	// verified when a CA file is given; the host name only with
	// SSLEnforceHostnameVerification.
	SSLCAFile string
	// SSLCertFile and SSLKeyFile are ssl_cert_file and ssl_key_file, the
	// client certificate.
	SSLCertFile string
	SSLKeyFile  string
	// SSLVersion is ssl_version; accepted and ignored (Go negotiates TLS
	// 1.2 or later).
	SSLVersion string
	// SSLEnforceHostnameVerification is ssl_enforce_hostname_verification.
	SSLEnforceHostnameVerification bool
	// TLSConfig, when set, replaces the TLS configuration built from the
	// ssl_* options. Not an oslo option.
	TLSConfig *tls.Config

	// ConnPoolSize is rpc_conn_pool_size: the most publisher channels open
	// at once, so the most concurrent publishes.
	ConnPoolSize int
	// DirectMandatoryFlag is direct_mandatory_flag: replies are published
	// mandatory, so a missing reply queue is reported.
	DirectMandatoryFlag bool

	// ConnectionName is put first in every connection's connection_name
	// client property ("<name>:<pid>:<uuid>") in place of the program
	// name, so an operator (or a test) can find its connections. Not an
	// oslo option.
	ConnectionName string
	// ConnectTimeout bounds one TCP connect plus the AMQP handshake. Not an
	// oslo option; zero means 10 s.
	ConnectTimeout time.Duration

	// Logger receives the transport's logs (component=rabbit): lifecycle
	// at info, reconnects at warn, per-message events at debug. The zero
	// value logs nothing.
	Logger zerolog.Logger
}

// DefaultConfig returns oslo.messaging 14.0.3's defaults.
func DefaultConfig() Config {
	return Config{
		ControlExchange:             "openstack",
		TransientQueuesTTL:          1800 * time.Second,
		HeartbeatTimeoutThreshold:   60 * time.Second,
		ReconnectDelay:              time.Second,
		RetryInterval:               time.Second,
		RetryBackoff:                2 * time.Second,
		IntervalMax:                 30 * time.Second,
		MissingConsumerRetryTimeout: 60 * time.Second,
		LoginMethod:                 "AMQPLAIN",
		ConnPoolSize:                30,
		DirectMandatoryFlag:         true,
		ConnectTimeout:              10 * time.Second,
	}
}

// Validate reports every problem with c, joined, each matching ErrConfig.
func (c *Config) Validate() error {
	var errs []error
	bad := func(format string, args ...any) {
		errs = append(errs, fmt.Errorf("%w: "+format, append([]any{ErrConfig}, args...)...))
	}
	if c.ControlExchange == "" {
		bad("control_exchange is empty")
	}
	if c.QuorumQueue && c.HAQueues {
		bad("rabbit_quorum_queue and rabbit_ha_queues both enabled, queue type is quorum or HA (mirrored) not both")
	}
	for _, o := range []struct {
		name string
		v    int
	}{
		{"rabbit_quorum_delivery_limit", c.QuorumDeliveryLimit},
		{"rabbit_quroum_max_memory_length", c.QuorumMaxMemoryLength},
		{"rabbit_quroum_max_memory_bytes", c.QuorumMaxMemoryBytes},
		{"rabbit_qos_prefetch_count", c.QosPrefetchCount},
	} {
		if o.v < 0 {
			bad("%s must not be negative (got %d)", o.name, o.v)
		}
	}
	if c.QosPrefetchCount > math.MaxUint16 {
		bad("rabbit_qos_prefetch_count %d exceeds %d", c.QosPrefetchCount, math.MaxUint16)
	}
	if c.TransientQueuesTTL < time.Second {
		bad("rabbit_transient_queues_ttl must be at least 1 second (got %s)", c.TransientQueuesTTL)
	}
	if c.HeartbeatTimeoutThreshold < 0 || c.HeartbeatTimeoutThreshold > math.MaxUint16*time.Second {
		bad("heartbeat_timeout_threshold out of range (got %s)", c.HeartbeatTimeoutThreshold)
	}
	for _, o := range []struct {
		name string
		v    time.Duration
	}{
		{"kombu_reconnect_delay", c.ReconnectDelay},
		{"rabbit_retry_interval", c.RetryInterval},
		{"rabbit_retry_backoff", c.RetryBackoff},
		{"rabbit_interval_max", c.IntervalMax},
		{"kombu_missing_consumer_retry_timeout", c.MissingConsumerRetryTimeout},
		{"connect timeout", c.ConnectTimeout},
	} {
		if o.v < 0 {
			bad("%s must not be negative (got %s)", o.name, o.v)
		}
	}
	if c.ReconnectDelay > 4500*time.Millisecond {
		bad("kombu_reconnect_delay must be at most 4.5 seconds (got %s)", c.ReconnectDelay)
	}
	switch strings.ToUpper(c.LoginMethod) {
	case "", "AMQPLAIN", "PLAIN":
	default:
		bad("rabbit_login_method %q is not supported (AMQPLAIN or PLAIN)", c.LoginMethod)
	}
	if c.ConnPoolSize < 1 {
		bad("rpc_conn_pool_size must be at least 1 (got %d)", c.ConnPoolSize)
	}
	if (c.SSLCertFile == "") != (c.SSLKeyFile == "") {
		bad("ssl_cert_file and ssl_key_file go together")
	}
	return errors.Join(errs...)
}

// queryOption parses one URL query value into a Config field.
type queryOption func(c *Config, v string) error

// ignoredOptions are [oslo_messaging_rabbit] options accepted in a URL
// query and not used by this driver.
var ignoredOptions = map[string]bool{
	"ssl_enforce_fips_mode":   true,
	"heartbeat_in_pthread":    true,
	"heartbeat_rate":          true,
	"kombu_failover_strategy": true,
	"conn_pool_min_size":      true,
	"conn_pool_ttl":           true,
}

var queryOptions = map[string]queryOption{
	"amqp_durable_queues":                  boolOpt(func(c *Config) *bool { return &c.DurableQueues }),
	"amqp_auto_delete":                     boolOpt(func(c *Config) *bool { return &c.AutoDelete }),
	"rabbit_ha_queues":                     boolOpt(func(c *Config) *bool { return &c.HAQueues }),
	"rabbit_quorum_queue":                  boolOpt(func(c *Config) *bool { return &c.QuorumQueue }),
	"rabbit_quorum_delivery_limit":         intOpt(func(c *Config) *int { return &c.QuorumDeliveryLimit }),
	"rabbit_quroum_max_memory_length":      intOpt(func(c *Config) *int { return &c.QuorumMaxMemoryLength }),
	"rabbit_quroum_max_memory_bytes":       intOpt(func(c *Config) *int { return &c.QuorumMaxMemoryBytes }),
	"rabbit_transient_queues_ttl":          secondsOpt(func(c *Config) *time.Duration { return &c.TransientQueuesTTL }),
	"rabbit_qos_prefetch_count":            intOpt(func(c *Config) *int { return &c.QosPrefetchCount }),
	"heartbeat_timeout_threshold":          secondsOpt(func(c *Config) *time.Duration { return &c.HeartbeatTimeoutThreshold }),
	"kombu_reconnect_delay":                floatSecondsOpt(func(c *Config) *time.Duration { return &c.ReconnectDelay }),
	"rabbit_retry_interval":                secondsOpt(func(c *Config) *time.Duration { return &c.RetryInterval }),
	"rabbit_retry_backoff":                 secondsOpt(func(c *Config) *time.Duration { return &c.RetryBackoff }),
	"rabbit_interval_max":                  secondsOpt(func(c *Config) *time.Duration { return &c.IntervalMax }),
	"kombu_missing_consumer_retry_timeout": secondsOpt(func(c *Config) *time.Duration { return &c.MissingConsumerRetryTimeout }),
	"enable_cancel_on_failover":            boolOpt(func(c *Config) *bool { return &c.EnableCancelOnFailover }),
	"rabbit_login_method":                  strOpt(func(c *Config) *string { return &c.LoginMethod }),
	"ssl":                                  boolOpt(func(c *Config) *bool { return &c.SSL }),
	"ssl_ca_file":                          strOpt(func(c *Config) *string { return &c.SSLCAFile }),
	"ssl_cert_file":                        strOpt(func(c *Config) *string { return &c.SSLCertFile }),
	"ssl_key_file":                         strOpt(func(c *Config) *string { return &c.SSLKeyFile }),
	"ssl_version":                          strOpt(func(c *Config) *string { return &c.SSLVersion }),
	"ssl_enforce_hostname_verification":    boolOpt(func(c *Config) *bool { return &c.SSLEnforceHostnameVerification }),
	"rpc_conn_pool_size":                   intOpt(func(c *Config) *int { return &c.ConnPoolSize }),
	"direct_mandatory_flag":                boolOpt(func(c *Config) *bool { return &c.DirectMandatoryFlag }),
	"kombu_compression": func(c *Config, v string) error {
		if v != "" {
			return errors.New("compression is not supported by this driver")
		}
		return nil
	},
}

// ApplyQuery sets the options given in a transport URL's query, as oslo's
// ConfigOptsProxy does: each name must be an [oslo_messaging_rabbit]
// option and each value must parse as that option's type. When a name is
// repeated, the last value wins. Every problem is reported, joined.
func (c *Config) ApplyQuery(q url.Values) error {
	names := make([]string, 0, len(q))
	for name := range q {
		names = append(names, name)
	}
	sort.Strings(names)
	var errs []error
	for _, name := range names {
		vals := q[name]
		if len(vals) == 0 {
			continue
		}
		v := vals[len(vals)-1]
		if ignoredOptions[name] {
			continue
		}
		opt, ok := queryOptions[name]
		if !ok {
			errs = append(errs, fmt.Errorf("%w: transport URL option %q is not an [oslo_messaging_rabbit] option", ErrConfig, name))
			continue
		}
		if err := opt(c, v); err != nil {
			errs = append(errs, fmt.Errorf("%w: transport URL option %s=%q: %w", ErrConfig, name, v, err))
		}
	}
	return errors.Join(errs...)
}

// parseBool accepts what oslo.config's Boolean type accepts.
func parseBool(v string) (bool, error) {
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "true", "1", "on", "yes":
		return true, nil
	case "false", "0", "off", "no":
		return false, nil
	}
	return false, errors.New("not a boolean")
}

func parseInt(v string) (int, error) {
	n, err := strconv.Atoi(strings.TrimSpace(v))
	if err != nil {
		return 0, errors.New("not an integer")
	}
	return n, nil
}

func boolOpt(field func(*Config) *bool) queryOption {
	return func(c *Config, v string) error {
		b, err := parseBool(v)
		if err == nil {
			*field(c) = b
		}
		return err
	}
}

func intOpt(field func(*Config) *int) queryOption {
	return func(c *Config, v string) error {
		n, err := parseInt(v)
		if err == nil {
			*field(c) = n
		}
		return err
	}
}

func secondsOpt(field func(*Config) *time.Duration) queryOption {
	return func(c *Config, v string) error {
		n, err := parseInt(v)
		if err != nil {
			return err
		}
		if n > math.MaxInt32 || n < math.MinInt32 {
			return errors.New("out of range")
		}
		*field(c) = time.Duration(n) * time.Second
		return nil
	}
}

func floatSecondsOpt(field func(*Config) *time.Duration) queryOption {
	return func(c *Config, v string) error {
		f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
		if err != nil || math.IsNaN(f) || math.IsInf(f, 0) || math.Abs(f) > 1e6 {
			return errors.New("not a number of seconds")
		}
		*field(c) = time.Duration(f * float64(time.Second))
		return nil
	}
}

func strOpt(field func(*Config) *string) queryOption {
	return func(c *Config, v string) error {
		*field(c) = v
		return nil
	}
}
