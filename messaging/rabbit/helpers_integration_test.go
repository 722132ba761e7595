//go:build integration

package rabbit

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/ironic-go/ironic-go/messaging"
	"github.com/ironic-go/ironic-go/messaging/rabbit/rabbittest"
	amqp "github.com/rabbitmq/amqp091-go"
	"github.com/rs/zerolog"
)

// amqpURL is the broker under test.
func amqpURL() string { return rabbittest.URL() }

// rawConn opens a plain amqp091 connection for set-up and checks.
func rawConn(t testing.TB) *amqp.Connection { return rabbittest.RawConn(t) }

// rawChannel opens a channel on a fresh raw connection.
func rawChannel(t testing.TB) *amqp.Channel { return rabbittest.RawChannel(t) }

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
	rabbittest.DeleteTopologyAtCleanup(t, exchange, topic, servers...)
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

// rabbitmqctl runs rabbitmqctl with args and returns stdout.
func rabbitmqctl(t testing.TB, args ...string) []byte { return rabbittest.Ctl(t, args...) }

// queueInfo is one row of rabbitmqctl list_queues.
type queueInfo = rabbittest.Queue

func listQueues(t testing.TB) map[string]queueInfo { return rabbittest.Queues(t) }

// exchangeInfo is one row of rabbitmqctl list_exchanges.
type exchangeInfo = rabbittest.Exchange

func listExchanges(t testing.TB) map[string]exchangeInfo { return rabbittest.Exchanges(t) }

// connectionsNamed returns the pids of the connections whose
// connection_name contains name.
func connectionsNamed(t testing.TB, name string) []string {
	return rabbittest.ConnectionsNamed(t, name)
}

// killConnections closes, broker side, every connection whose
// connection_name contains name, and returns how many it closed.
func killConnections(t testing.TB, name string) int { return rabbittest.KillConnections(t, name) }

// eventually polls cond until it holds or d passes.
func eventually(t testing.TB, d time.Duration, what string, cond func() bool) {
	t.Helper()
	rabbittest.Eventually(t, d, what, cond)
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
func consumerTags(t testing.TB) map[string][]string { return rabbittest.ConsumerTags(t) }
