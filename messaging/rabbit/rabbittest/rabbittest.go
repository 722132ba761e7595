// Package rabbittest holds helpers for integration tests against a real
// RabbitMQ: the broker URL, raw amqp091 connections for set-up and checks,
// rabbitmqctl queries, killing a test's own connections by name, and
// removing the topology oslo never deletes. Production code never imports
// it.
package rabbittest

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/ironic-go/ironic-go/messaging"
	amqp "github.com/rabbitmq/amqp091-go"
)

// URL returns the broker under test: IRONIC_GO_AMQP_URL or the local
// RabbitMQ with guest/guest.
func URL() string {
	if u := os.Getenv("IRONIC_GO_AMQP_URL"); u != "" {
		return u
	}
	return "amqp://guest:guest@127.0.0.1:5672/"
}

// Redacted returns u with its password masked.
func Redacted(u string) string {
	p, err := messaging.ParseURL(u)
	if err != nil {
		return "(unparsable URL)"
	}
	return p.String()
}

// RawConn opens a plain amqp091 connection (closed at cleanup), or fails
// the test with the fix.
func RawConn(t testing.TB) *amqp.Connection {
	t.Helper()
	c, err := amqp.Dial(strings.Replace(URL(), "rabbit://", "amqp://", 1))
	if err != nil {
		t.Fatalf("cannot reach RabbitMQ at %s (start it: make deps, or rabbitmq-server -detached; or set IRONIC_GO_AMQP_URL): %v", Redacted(URL()), err)
	}
	t.Cleanup(func() { _ = c.Close() })
	return c
}

// RawChannel opens a channel on a new raw connection.
func RawChannel(t testing.TB) *amqp.Channel {
	t.Helper()
	ch, err := RawConn(t).Channel()
	if err != nil {
		t.Fatalf("open channel: %v", err)
	}
	return ch
}

// Ctl runs rabbitmqctl and returns its stdout.
func Ctl(t testing.TB, args ...string) []byte {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, "rabbitmqctl", args...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("rabbitmqctl %s (needs rabbitmqctl on PATH and access to the node, i.e. root): %v: %s", strings.Join(args, " "), err, stderr.String())
	}
	return out
}

// Queue is one row of rabbitmqctl list_queues.
type Queue struct {
	Name       string `json:"name"`
	Durable    bool   `json:"durable"`
	AutoDelete bool   `json:"auto_delete"`
	// Exclusive is a bool, or "" for quorum queues.
	Exclusive any `json:"exclusive"`
	// Arguments are rabbitmqctl's [name, type, value] triples.
	Arguments json.RawMessage `json:"arguments"`
	Consumers int             `json:"consumers"`
	Messages  int             `json:"messages"`
	Type      string          `json:"type"`
}

// Args returns the arguments as name → [AMQP type, value].
func (q Queue) Args() map[string][]any {
	var triples [][]any
	_ = json.Unmarshal(q.Arguments, &triples)
	m := map[string][]any{}
	for _, tr := range triples {
		if len(tr) == 3 {
			if k, ok := tr[0].(string); ok {
				m[k] = tr[1:]
			}
		}
	}
	return m
}

// Argument returns the value and AMQP type rabbitmqctl reports for the
// queue argument name ("signedint", "longstr", ...).
func (q Queue) Argument(name string) (value any, typ string, ok bool) {
	var triples [][]any
	if json.Unmarshal(q.Arguments, &triples) != nil {
		return nil, "", false
	}
	for _, tr := range triples {
		if len(tr) == 3 && tr[0] == name {
			typ, _ := tr[1].(string)
			return tr[2], typ, true
		}
	}
	return nil, "", false
}

// Queues lists the broker's queues by name.
func Queues(t testing.TB) map[string]Queue {
	t.Helper()
	out := Ctl(t, "list_queues", "-q", "--formatter", "json", "name", "durable", "auto_delete", "exclusive", "arguments", "consumers", "messages", "type")
	var rows []Queue
	if err := json.Unmarshal(out, &rows); err != nil {
		t.Fatalf("decode list_queues: %v\n%s", err, out)
	}
	m := make(map[string]Queue, len(rows))
	for _, r := range rows {
		m[r.Name] = r
	}
	return m
}

// Exchange is one row of rabbitmqctl list_exchanges.
type Exchange struct {
	Name       string `json:"name"`
	Type       string `json:"type"`
	Durable    bool   `json:"durable"`
	AutoDelete bool   `json:"auto_delete"`
}

// Exchanges lists the broker's exchanges by name.
func Exchanges(t testing.TB) map[string]Exchange {
	t.Helper()
	out := Ctl(t, "list_exchanges", "-q", "--formatter", "json", "name", "type", "durable", "auto_delete")
	var rows []Exchange
	if err := json.Unmarshal(out, &rows); err != nil {
		t.Fatalf("decode list_exchanges: %v\n%s", err, out)
	}
	m := make(map[string]Exchange, len(rows))
	for _, r := range rows {
		m[r.Name] = r
	}
	return m
}

// ConnectionsNamed returns the broker pids of the connections whose
// client properties (connection_name) contain name.
func ConnectionsNamed(t testing.TB, name string) []string {
	t.Helper()
	out := Ctl(t, "list_connections", "-q", "--no-table-headers", "pid", "client_properties")
	var pids []string
	for _, line := range strings.Split(string(out), "\n") {
		pid, props, ok := strings.Cut(line, "\t")
		if ok && strings.Contains(props, name) {
			pids = append(pids, pid)
		}
	}
	return pids
}

// KillConnections closes, broker side, every connection whose
// connection_name contains name (only the test's own), and returns how
// many it closed.
func KillConnections(t testing.TB, name string) int {
	t.Helper()
	conns := ConnectionsNamed(t, name)
	for _, c := range conns {
		Ctl(t, "close_connection", c, "ironic-go test: killed on purpose")
	}
	return len(conns)
}

// DeleteTopologyAtCleanup removes, when the test ends, what oslo servers
// never delete: the topic queues of topic and its servers, the fanout
// exchange and the exchange (if not empty).
func DeleteTopologyAtCleanup(t testing.TB, exchange, topic string, servers ...string) {
	t.Cleanup(func() {
		c, err := amqp.Dial(strings.Replace(URL(), "rabbit://", "amqp://", 1))
		if err != nil {
			t.Errorf("cleanup: %v", err)
			return
		}
		defer c.Close()
		del := func(f func(ch *amqp.Channel) error) {
			if ch, err := c.Channel(); err == nil {
				_ = f(ch)
				_ = ch.Close()
			}
		}
		queues := []string{topic}
		for _, s := range servers {
			queues = append(queues, topic+"."+s)
		}
		for _, q := range queues {
			del(func(ch *amqp.Channel) error { _, err := ch.QueueDelete(q, false, false, false); return err })
		}
		del(func(ch *amqp.Channel) error { return ch.ExchangeDelete(topic+"_fanout", false, false) })
		if exchange != "" {
			del(func(ch *amqp.Channel) error { return ch.ExchangeDelete(exchange, false, false) })
		}
	})
}

// DeleteQueuesAtCleanup deletes the named queues when the test ends (reply
// queues, which oslo leaves to x-expires).
func DeleteQueuesAtCleanup(t testing.TB, names ...string) {
	t.Cleanup(func() {
		c, err := amqp.Dial(strings.Replace(URL(), "rabbit://", "amqp://", 1))
		if err != nil {
			return
		}
		defer c.Close()
		for _, n := range names {
			if ch, err := c.Channel(); err == nil {
				_, _ = ch.QueueDelete(n, false, false, false)
				_ = ch.Close()
			}
		}
	})
}

// ConsumerTags returns, per queue, the consumer tags of its consumers.
func ConsumerTags(t testing.TB) map[string][]string {
	t.Helper()
	out := Ctl(t, "list_consumers", "-q", "--formatter", "json", "queue_name", "consumer_tag")
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

// Eventually polls cond every 50 ms until it holds or d passes.
func Eventually(t testing.TB, d time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting for %s", d, what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
