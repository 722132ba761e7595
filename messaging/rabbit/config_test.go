package rabbit

import (
	"context"
	"errors"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/ironic-go/ironic-go/messaging"
	"github.com/rs/zerolog"
)

// TestDefaultConfigIsOslos checks the defaults against oslo.messaging
// 14.0.3's option defaults.
func TestDefaultConfigIsOslos(t *testing.T) {
	want := Config{
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
	got := DefaultConfig()
	if diff := cmp.Diff(want, got, cmpopts.IgnoreFields(Config{}, "Logger")); diff != "" {
		t.Errorf("defaults (-want +got):\n%s", diff)
	}
	if err := got.Validate(); err != nil {
		t.Errorf("defaults do not validate: %v", err)
	}
}

// TestApplyQuery checks the URL options: names, oslo.config value syntax,
// the misspelled quorum options, last value wins, errors joined.
func TestApplyQuery(t *testing.T) {
	q := url.Values{}
	q.Set("amqp_durable_queues", "True")
	q.Set("amqp_auto_delete", "yes")
	q.Set("rabbit_quorum_queue", "1")
	q.Set("rabbit_quorum_delivery_limit", "5")
	q.Set("rabbit_quroum_max_memory_length", " 100 ")
	q.Set("rabbit_quroum_max_memory_bytes", "4096")
	q.Set("rabbit_transient_queues_ttl", "60")
	q.Add("rabbit_qos_prefetch_count", "3")
	q.Add("rabbit_qos_prefetch_count", "10")
	q.Set("heartbeat_timeout_threshold", "20")
	q.Set("kombu_reconnect_delay", "0.5")
	q.Set("rabbit_retry_interval", "2")
	q.Set("rabbit_retry_backoff", "3")
	q.Set("rabbit_interval_max", "10")
	q.Set("kombu_missing_consumer_retry_timeout", "30")
	q.Set("enable_cancel_on_failover", "on")
	q.Set("rabbit_login_method", "PLAIN")
	q.Set("rpc_conn_pool_size", "7")
	q.Set("direct_mandatory_flag", "off")
	q.Set("heartbeat_rate", "3") // accepted, unused
	cfg := DefaultConfig()
	if err := cfg.ApplyQuery(q); err != nil {
		t.Fatal(err)
	}
	want := DefaultConfig()
	want.DurableQueues, want.AutoDelete, want.QuorumQueue = true, true, true
	want.QuorumDeliveryLimit, want.QuorumMaxMemoryLength, want.QuorumMaxMemoryBytes = 5, 100, 4096
	want.TransientQueuesTTL = time.Minute
	want.QosPrefetchCount = 10
	want.HeartbeatTimeoutThreshold = 20 * time.Second
	want.ReconnectDelay = 500 * time.Millisecond
	want.RetryInterval, want.RetryBackoff, want.IntervalMax = 2*time.Second, 3*time.Second, 10*time.Second
	want.MissingConsumerRetryTimeout = 30 * time.Second
	want.EnableCancelOnFailover = true
	want.LoginMethod = "PLAIN"
	want.ConnPoolSize = 7
	want.DirectMandatoryFlag = false
	if diff := cmp.Diff(want, cfg, cmpopts.IgnoreFields(Config{}, "Logger")); diff != "" {
		t.Errorf("config (-want +got):\n%s", diff)
	}

	bad := url.Values{}
	bad.Set("rabbit_quorum_max_memory_length", "1") // the later, correct spelling is not an option in 14.0.3
	bad.Set("amqp_durable_queues", "maybe")
	bad.Set("rabbit_qos_prefetch_count", "ten")
	bad.Set("kombu_compression", "gzip")
	cfg = DefaultConfig()
	err := cfg.ApplyQuery(bad)
	if !errors.Is(err, ErrConfig) {
		t.Fatalf("err = %v, want ErrConfig", err)
	}
	for _, name := range []string{"rabbit_quorum_max_memory_length", "amqp_durable_queues", "rabbit_qos_prefetch_count", "kombu_compression"} {
		if !strings.Contains(err.Error(), name) {
			t.Errorf("error does not name %s: %v", name, err)
		}
	}
}

// TestValidate checks that every problem is reported, including oslo's
// quorum-and-HA RuntimeError.
func TestValidate(t *testing.T) {
	cfg := DefaultConfig()
	cfg.ControlExchange = ""
	cfg.QuorumQueue, cfg.HAQueues = true, true
	cfg.TransientQueuesTTL = 0
	cfg.QosPrefetchCount = -1
	cfg.ConnPoolSize = 0
	cfg.LoginMethod = "EXTERNAL"
	cfg.ReconnectDelay = 5 * time.Second
	cfg.SSLCertFile = "/x.pem"
	err := cfg.Validate()
	if !errors.Is(err, ErrConfig) {
		t.Fatalf("err = %v, want ErrConfig", err)
	}
	for _, s := range []string{"control_exchange", "rabbit_quorum_queue and rabbit_ha_queues", "rabbit_transient_queues_ttl",
		"rabbit_qos_prefetch_count", "rpc_conn_pool_size", "rabbit_login_method", "kombu_reconnect_delay", "ssl_key_file"} {
		if !strings.Contains(err.Error(), s) {
			t.Errorf("error does not mention %q: %v", s, err)
		}
	}
	if n := len(err.(interface{ Unwrap() []error }).Unwrap()); n != 8 {
		t.Errorf("%d problems reported, want 8", n)
	}
}

// TestNewRejects checks the URL checks done before any connection.
func TestNewRejects(t *testing.T) {
	for _, raw := range []string{
		"memory://",
		"rabbit://u:p@h/?no_such_option=1",
		"rabbit://u:p@h/?rabbit_quorum_queue=true&rabbit_ha_queues=true",
	} {
		u, err := messaging.ParseURL(raw)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := New(u, DefaultConfig()); err == nil {
			t.Errorf("New(%s) accepted", u)
		}
	}
}

// TestEndpoints checks default ports, hosts and credentials.
func TestEndpoints(t *testing.T) {
	u, _ := messaging.ParseURL("rabbit://a:pw@h1,b@[::1]:5673/vh")
	got := endpoints(u)
	if len(got) != 2 || got[0].addr != "h1:5672" || got[0].user != "a" || got[0].password.Reveal() != "pw" ||
		got[1].addr != "[::1]:5673" || got[1].user != "b" {
		t.Errorf("endpoints = %+v", got)
	}
	u, _ = messaging.ParseURL("amqps://h")
	if got := endpoints(u); got[0].addr != "h:5671" {
		t.Errorf("amqps default port: %s", got[0].addr)
	}
	u, _ = messaging.ParseURL("rabbit://")
	if got := endpoints(u); got[0].addr != "localhost:5672" || got[0].user != "guest" {
		t.Errorf("no host: %+v", got[0])
	}
}

// TestBackoff checks oslo's sequence: delay, then delay + interval growing
// by backoff up to the cap (jitter is at most 10%).
func TestBackoff(t *testing.T) {
	cfg := DefaultConfig()
	for n, want := range map[int]time.Duration{1: 1 * time.Second, 2: 2 * time.Second, 3: 4 * time.Second,
		4: 6 * time.Second, 20: 31 * time.Second, 100: 31 * time.Second} {
		got := backoff(&cfg, n)
		if got < want || got > want+want/10 {
			t.Errorf("backoff(%d) = %s, want %s (+10%%)", n, got, want)
		}
	}
}

// TestRedact checks that a password in an error message is masked and the
// error still unwraps.
func TestRedact(t *testing.T) {
	d := &dialer{secrets: []string{"s3cr3t"}}
	base := errors.New("auth failed for amqp://u:s3cr3t@h")
	err := d.redact(base)
	if strings.Contains(err.Error(), "s3cr3t") || !errors.Is(err, base) {
		t.Errorf("redact: %v", err)
	}
	if other := errors.New("x"); d.redact(other) != other { //nolint:errorlint // identity, not matching
		t.Error("redact changed an error without a password")
	}
}

// TestSendUnreachable checks retry budgets against a port nothing listens
// on: retry 0 fails after one try, retry N after N+1, both with oslo's
// message and ErrDeliveryFailure; a negative retry ends with ctx. The
// password never shows.
func TestSendUnreachable(t *testing.T) {
	u, _ := messaging.ParseURL("rabbit://user:hunter2pw@127.0.0.1:1/")
	cfg := DefaultConfig()
	cfg.ReconnectDelay, cfg.RetryInterval, cfg.RetryBackoff = 10*time.Millisecond, 10*time.Millisecond, 0
	var logs logSink
	cfg.Logger = zerolog.New(&logs)
	tr, err := New(u, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer tr.Close()
	ctx := context.Background()
	for retry, tries := range map[int]string{0: "after 1 tries", 2: "after 3 tries"} {
		err := tr.Send(ctx, &messaging.Outgoing{Topic: "t", Body: []byte("{}"), Retry: retry})
		if !errors.Is(err, messaging.ErrDeliveryFailure) || !errors.Is(err, ErrConnect) ||
			!strings.Contains(err.Error(), "Unable to connect to AMQP server on 127.0.0.1:1 "+tries) {
			t.Errorf("retry %d: %v", retry, err)
		}
	}
	tctx, cancel := context.WithTimeout(ctx, 200*time.Millisecond)
	defer cancel()
	err = tr.Send(tctx, &messaging.Outgoing{Topic: "t", Body: []byte("{}"), Retry: -1})
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("retry -1: %v", err)
	}
	if _, err := tr.Listen(ctx, messaging.Target{Topic: "t", Server: "s"}, messaging.ListenOptions{}); !errors.Is(err, ErrConnect) {
		t.Errorf("Listen: %v", err)
	} else if strings.Contains(err.Error(), "hunter2pw") {
		t.Errorf("password in error: %v", err)
	}
	dctx, dcancel := context.WithTimeout(ctx, 5*time.Second)
	defer dcancel()
	if _, err := Dial(dctx, u.String(), cfg); err == nil || !strings.Contains(err.Error(), "127.0.0.1:1") {
		t.Errorf("Dial error does not name the host: %v", err)
	}
	_ = tr.Close()
	if err := tr.Send(ctx, &messaging.Outgoing{Topic: "t"}); !errors.Is(err, messaging.ErrClosed) {
		t.Errorf("Send after Close: %v", err)
	}
	if err := tr.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	if strings.Contains(logs.String(), "hunter2pw") {
		t.Errorf("password in logs:\n%s", logs.String())
	}
}

// FuzzApplyQuery checks that any transport URL query is either refused
// with ErrConfig or applied deterministically, without panics.
func FuzzApplyQuery(f *testing.F) {
	for _, s := range []string{
		"amqp_durable_queues=true",
		"rabbit_quorum_queue=true&rabbit_quorum_delivery_limit=5&rabbit_quroum_max_memory_length=100",
		"rabbit_qos_prefetch_count=10&rabbit_transient_queues_ttl=60&heartbeat_timeout_threshold=20&enable_cancel_on_failover=true",
		"kombu_reconnect_delay=0.5&ssl=1&ssl_ca_file=/x",
		"rabbit_ha_queues=yes&rabbit_quorum_queue=on",
		"nope=1",
		"rabbit_transient_queues_ttl=-1",
		"kombu_reconnect_delay=1e400",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		q, err := url.ParseQuery(raw)
		if err != nil {
			return
		}
		a, b := DefaultConfig(), DefaultConfig()
		errA, errB := a.ApplyQuery(q), b.ApplyQuery(q)
		if (errA == nil) != (errB == nil) {
			t.Fatalf("non-deterministic: %v vs %v", errA, errB)
		}
		if errA != nil {
			if !errors.Is(errA, ErrConfig) {
				t.Fatalf("error does not match ErrConfig: %v", errA)
			}
			return
		}
		if diff := cmp.Diff(a, b, cmpopts.IgnoreFields(Config{}, "Logger")); diff != "" {
			t.Fatalf("non-deterministic config:\n%s", diff)
		}
		if err := a.Validate(); err != nil && !errors.Is(err, ErrConfig) {
			t.Fatalf("Validate error does not match ErrConfig: %v", err)
		}
	})
}
