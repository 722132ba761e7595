//go:build integration

package rabbit

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/ironic-go/ironic-go/messaging"
	amqp "github.com/rabbitmq/amqp091-go"
	"github.com/rs/zerolog"
)

const defaultAMQPURL = "amqp://guest:guest@127.0.0.1:5672/"

// amqpURL is the broker under test.
func amqpURL() string {
	if u := os.Getenv("IRONIC_GO_AMQP_URL"); u != "" {
		return u
	}
	return defaultAMQPURL
}

// rawConn opens a plain amqp091 connection for test set-up and checks, or
// fails the test with the fix.
func rawConn(t testing.TB) *amqp.Connection {
	t.Helper()
	c, err := amqp.Dial(amqpURL())
	if err != nil {
		t.Fatalf("cannot reach RabbitMQ at %s (set IRONIC_GO_AMQP_URL, or start it: make deps / rabbitmq-server -detached): %v",
			redactURL(amqpURL()), err)
	}
	t.Cleanup(func() { _ = c.Close() })
	return c
}

func redactURL(s string) string {
	u, err := messaging.ParseURL(s)
	if err != nil {
		return "(unparsable URL)"
	}
	return u.String()
}

// rawChannel opens a channel on a fresh raw connection.
func rawChannel(t testing.TB) *amqp.Channel {
	t.Helper()
	ch, err := rawConn(t).Channel()
	if err != nil {
		t.Fatalf("open channel: %v", err)
	}
	return ch
}

// unique returns prefix + a sanitized test name + a random suffix.
func unique(t testing.TB, prefix string) string {
	var b [4]byte
	_, _ = rand.Read(b[:])
	name := regexp.MustCompile(`[^a-zA-Z0-9]+`).ReplaceAllString(t.Name(), "_")
	if len(name) > 30 {
		name = name[len(name)-30:]
	}
	return strings.ToLower(prefix + "_" + name + "_" + hex.EncodeToString(b[:]))
}

// testConfig is DefaultConfig with a unique connection name, fast
// reconnects and logs captured in buf.
func testConfig(t testing.TB, buf *logSink) Config {
	cfg := DefaultConfig()
	cfg.ConnectionName = unique(t, "rt")
	cfg.ReconnectDelay = 200 * time.Millisecond
	cfg.RetryInterval = 200 * time.Millisecond
	cfg.RetryBackoff = 200 * time.Millisecond
	cfg.IntervalMax = time.Second
	cfg.ControlExchange = unique(t, "ex")
	w := zerolog.MultiLevelWriter(zerolog.NewTestWriter(t))
	if buf != nil {
		w = zerolog.MultiLevelWriter(zerolog.NewTestWriter(t), buf)
	}
	cfg.Logger = zerolog.New(w).Level(zerolog.InfoLevel).With().Timestamp().Logger()
	return cfg
}

// dial opens a transport on the test broker, closed at cleanup.
func dial(t testing.TB, cfg Config) *Transport {
	t.Helper()
	return dialURL(t, amqpURL(), cfg)
}

func dialURL(t testing.TB, url string, cfg Config) *Transport {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	tr, err := Dial(ctx, url, cfg)
	if err != nil {
		t.Fatalf("Dial (is RabbitMQ running? make deps): %v", err)
	}
	t.Cleanup(func() {
		if err := tr.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return tr
}

// cleanupTopology deletes a server's topic queues and the exchange, which
// oslo never deletes.
func cleanupTopology(t testing.TB, exchange, topic string, servers ...string) {
	t.Cleanup(func() {
		c, err := amqp.Dial(amqpURL())
		if err != nil {
			t.Errorf("cleanup: %v", err)
			return
		}
		defer c.Close()
		del := func(f func(ch *amqp.Channel) error) {
			ch, err := c.Channel()
			if err != nil {
				return
			}
			_ = f(ch)
			_ = ch.Close()
		}
		for _, q := range append([]string{topic}, prefixed(topic+".", servers)...) {
			del(func(ch *amqp.Channel) error { _, err := ch.QueueDelete(q, false, false, false); return err })
		}
		if exchange != "" {
			del(func(ch *amqp.Channel) error { return ch.ExchangeDelete(exchange, false, false) })
		}
		del(func(ch *amqp.Channel) error { return ch.ExchangeDelete(topic+"_fanout", false, false) })
	})
}

// deleteReplyQueueAtCleanup closes tr and removes its reply queue, which
// oslo leaves to x-expires.
func deleteReplyQueueAtCleanup(t testing.TB, tr *Transport, name string) {
	t.Cleanup(func() {
		_ = tr.Close()
		c, err := amqp.Dial(amqpURL())
		if err != nil {
			return
		}
		defer c.Close()
		if ch, err := c.Channel(); err == nil {
			_, _ = ch.QueueDelete(name, false, false, false)
		}
	})
}

func prefixed(p string, ss []string) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = p + s
	}
	return out
}

// rabbitmqctl runs rabbitmqctl with args and returns stdout.
func rabbitmqctl(t testing.TB, args ...string) []byte {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, "rabbitmqctl", args...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("rabbitmqctl %s (needs rabbitmqctl on PATH and access to the node: run as root): %v: %s",
			strings.Join(args, " "), err, stderr.String())
	}
	return out
}

// queueInfo is one row of rabbitmqctl list_queues.
type queueInfo struct {
	Name       string  `json:"name"`
	Durable    bool    `json:"durable"`
	AutoDelete bool    `json:"auto_delete"`
	Exclusive  any     `json:"exclusive"` // "" for quorum queues
	Arguments  [][]any `json:"arguments"` // [key, AMQP type, value]
	Consumers  int     `json:"consumers"`
	Type       string  `json:"type"`
}

// args returns the arguments as key → [AMQP type, value].
func (q queueInfo) args() map[string][]any {
	m := map[string][]any{}
	for _, a := range q.Arguments {
		if len(a) == 3 {
			if k, ok := a[0].(string); ok {
				m[k] = a[1:]
			}
		}
	}
	return m
}

func listQueues(t testing.TB) map[string]queueInfo {
	t.Helper()
	out := rabbitmqctl(t, "list_queues", "-q", "--formatter", "json", "name", "durable", "auto_delete", "exclusive", "arguments", "consumers", "type")
	var rows []queueInfo
	if err := json.Unmarshal(out, &rows); err != nil {
		t.Fatalf("decode list_queues: %v\n%s", err, out)
	}
	m := map[string]queueInfo{}
	for _, r := range rows {
		m[r.Name] = r
	}
	return m
}

// exchangeInfo is one row of rabbitmqctl list_exchanges.
type exchangeInfo struct {
	Name       string `json:"name"`
	Type       string `json:"type"`
	Durable    bool   `json:"durable"`
	AutoDelete bool   `json:"auto_delete"`
}

func listExchanges(t testing.TB) map[string]exchangeInfo {
	t.Helper()
	out := rabbitmqctl(t, "list_exchanges", "-q", "--formatter", "json", "name", "type", "durable", "auto_delete")
	var rows []exchangeInfo
	if err := json.Unmarshal(out, &rows); err != nil {
		t.Fatalf("decode list_exchanges: %v\n%s", err, out)
	}
	m := map[string]exchangeInfo{}
	for _, r := range rows {
		m[r.Name] = r
	}
	return m
}

// connectionsNamed returns the pids of the connections whose
// connection_name contains name.
func connectionsNamed(t testing.TB, name string) []string {
	t.Helper()
	// The JSON formatter prints pids in a form close_connection refuses;
	// the table output gives "<node.x.y.z>\tclient_properties".
	out := rabbitmqctl(t, "list_connections", "-q", "pid", "client_properties")
	var pids []string
	for _, line := range strings.Split(string(out), "\n") {
		pid, props, ok := strings.Cut(line, "\t")
		if ok && strings.Contains(props, name) {
			pids = append(pids, pid)
		}
	}
	return pids
}

// killConnections closes, broker side, every connection whose
// connection_name contains name, and returns how many it closed.
func killConnections(t testing.TB, name string) int {
	t.Helper()
	conns := connectionsNamed(t, name)
	for _, c := range conns {
		rabbitmqctl(t, "close_connection", c, "ironic-go test: killed on purpose")
	}
	return len(conns)
}

// eventually polls cond every 100 ms until it holds or d passes.
func eventually(t testing.TB, d time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting for %s", d, what)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// echoServer starts a messaging.Server on tr for topic/server with an
// "echo" method (returns its args and the server name) and a "note" cast
// method that reports to notes.
func echoServer(t testing.TB, tr messaging.Transport, exchange, topic, server string, notes chan<- string) *messaging.Server {
	t.Helper()
	ep := messaging.Endpoint{Methods: map[string]messaging.Handler{
		"echo": func(ctx context.Context, args messaging.Args) (any, error) {
			var m map[string]any
			if err := args.Decode(&m); err != nil {
				return nil, err
			}
			return map[string]any{"echo": m, "server": server}, nil
		},
		"note": func(ctx context.Context, args messaging.Args) (any, error) {
			var m struct {
				Text string `json:"text"`
			}
			if err := args.Decode(&m); err != nil {
				return nil, err
			}
			if notes != nil {
				notes <- server + ":" + m.Text
			}
			return nil, nil
		},
		"sleep": func(ctx context.Context, args messaging.Args) (any, error) {
			var m struct {
				Ms int `json:"ms"`
			}
			if err := args.Decode(&m); err != nil {
				return nil, err
			}
			select {
			case <-time.After(time.Duration(m.Ms) * time.Millisecond):
			case <-ctx.Done():
			}
			return m.Ms, nil
		},
	}}
	srv, err := messaging.NewServer(tr, messaging.Target{Exchange: exchange, Topic: topic, Server: server},
		[]messaging.Endpoint{ep}, messaging.ServerConfig{PoolSize: 16, MissingReplyTimeout: 2 * time.Second})
	if err != nil {
		t.Fatalf("NewServer: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := srv.Start(ctx); err != nil {
		t.Fatalf("server start: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		if err := srv.Stop(ctx); err != nil {
			t.Errorf("server stop: %v", err)
		}
	})
	return srv
}

// consumerTags returns, per queue, the consumer tags of its consumers.
func consumerTags(t testing.TB) map[string][]string {
	t.Helper()
	out := rabbitmqctl(t, "list_consumers", "-q", "--formatter", "json", "queue_name", "consumer_tag")
	var rows []struct {
		Queue string `json:"queue_name"`
		Tag   string `json:"consumer_tag"`
	}
	if err := json.Unmarshal(out, &rows); err != nil {
		t.Fatalf("decode list_consumers: %v\n%s", err, out)
	}
	m := map[string][]string{}
	for _, r := range rows {
		m[r.Queue] = append(m[r.Queue], r.Tag)
	}
	return m
}
