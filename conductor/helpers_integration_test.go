//go:build integration

package conductor_test

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/ironic-go/ironic-go/conductor"
	"github.com/ironic-go/ironic-go/db"
	"github.com/ironic-go/ironic-go/db/dbtest"
	"github.com/ironic-go/ironic-go/messaging/messagingtest"
	"github.com/ironic-go/ironic-go/messaging/rabbit"
	"github.com/ironic-go/ironic-go/messaging/rabbit/rabbittest"
	"github.com/ironic-go/ironic-go/rpcapi"
	"github.com/ironic-go/ironic-go/rpcapi/hashring"
)

// itEnv is one integration test's world on the shared RabbitMQ and
// PostgreSQL: its own control exchange and conductor topic (so no other
// test's conductor can take its requests, not even on the bare topic),
// and its own PostgreSQL schema, dropped at the end.
type itEnv struct {
	t        *testing.T
	exchange string
	topic    string
	// dsn is the lib/pq DSN of the test's schema (search_path set).
	dsn string
	// hbTimeout is heartbeat_timeout for the stores (ring membership).
	hbTimeout time.Duration
	// store is the test's own connection to the database.
	store *db.Store
}

func newItEnv(t *testing.T, hbTimeout time.Duration) *itEnv {
	t.Helper()
	if hbTimeout == 0 {
		hbTimeout = 60 * time.Second
	}
	e := &itEnv{
		t:         t,
		exchange:  messagingtest.Unique(t, "ironic"),
		topic:     messagingtest.Unique(t, "ironic.conductor_manager"),
		dsn:       dbtest.NewSchema(t, dbtest.PostgresDSN()),
		hbTimeout: hbTimeout,
	}
	rabbittest.RawConn(t) // fails with the fix when RabbitMQ is down
	rabbittest.DeleteTopologyAtCleanup(t, e.exchange, e.topic)
	// The conductors' fanout queues (named "<topic>_fanout_<uuid>"; oslo
	// leaves them to x-expires), once the conductors have stopped.
	t.Cleanup(func() {
		var fanout []string
		for name := range rabbittest.Queues(t) {
			if strings.HasPrefix(name, e.topic+"_fanout_") {
				fanout = append(fanout, name)
			}
		}
		rabbittest.DeleteQueuesAtCleanup(t, fanout...)
	})
	e.store = e.openStore()
	return e
}

// openStore opens a connection pool of its own on the test's schema
// (creating the tables the first time), as a separate process would.
func (e *itEnv) openStore() *db.Store {
	e.t.Helper()
	cfg := db.DefaultConfig()
	cfg.HeartbeatTimeout = e.hbTimeout
	cfg.Logger = testLogger(e.t)
	return dbtest.MustOpen(e.t, e.dsn, cfg)
}

// dial connects to RabbitMQ with the test's control exchange; the
// connection and its reply queue go at cleanup.
func (e *itEnv) dial(name string) *rabbit.Transport { return dialRabbit(e.t, e.exchange, name) }

// dialRabbit connects to RabbitMQ with control exchange exchange; the
// connection and its reply queue go at cleanup.
func dialRabbit(tb testing.TB, exchange, name string) *rabbit.Transport {
	tb.Helper()
	cfg := rabbit.DefaultConfig()
	cfg.ControlExchange = exchange
	cfg.ConnectionName = messagingtest.Unique(tb, name)
	cfg.Logger = zerolog.New(zerolog.NewTestWriter(tb)).Level(zerolog.WarnLevel)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	tr, err := rabbit.Dial(ctx, messagingtest.AMQPURL(), cfg)
	if err != nil {
		tb.Fatalf("dial RabbitMQ at %s (start it: make deps; or set IRONIC_GO_AMQP_URL): %v",
			rabbittest.Redacted(messagingtest.AMQPURL()), err)
	}
	tb.Cleanup(func() {
		if r, err := tr.Replies(context.Background()); err == nil {
			rabbittest.DeleteQueuesAtCleanup(tb, r.Queue())
		}
		_ = tr.Close()
	})
	return tr
}

// itConductor is a Go conductor of the test: its own RabbitMQ
// connection and database pool, as if it were a separate process.
type itConductor struct {
	host  string
	svc   *conductor.Service
	tr    *rabbit.Transport
	store *db.Store

	mu      sync.Mutex
	stopped bool
}

// conductorOptions tune an integration conductor.
type conductorOptions struct {
	drivers testDrivers
	config  func(*conductor.Config)
	ring    hashring.Config
}

// startConductor starts a Go conductor named host (made unique to the
// test) on the test's exchange, topic and schema. It is stopped at
// cleanup unless the test stopped it.
func (e *itEnv) startConductor(name string, o conductorOptions) *itConductor {
	e.t.Helper()
	c := &itConductor{host: messagingtest.Unique(e.t, name)}
	rabbittest.DeleteTopologyAtCleanup(e.t, "", e.topic, c.host)
	c.store = e.openStore()
	c.tr = e.dial(name)
	cfg := conductor.DefaultConfig(c.host)
	cfg.Logger = testLogger(e.t).With().Str("conductor", name).Logger()
	cfg.HeartbeatTimeout = e.hbTimeout
	cfg.NodeLockedRetryInterval = 100 * time.Millisecond
	if o.config != nil {
		o.config(&cfg)
	}
	ring := o.ring
	if ring.HashPartitionExponent == 0 {
		ring = hashring.DefaultConfig()
	}
	svc, err := conductor.NewService(conductor.Deps{Config: cfg, Transport: c.tr, Store: c.store,
		Registry: o.drivers.registry(e.t), HashRing: ring, Topic: e.topic})
	if err != nil {
		e.t.Fatal(err)
	}
	if err := svc.Start(e.t.Context()); err != nil {
		e.t.Fatalf("start conductor %s: %v", c.host, err)
	}
	c.svc = svc
	e.t.Cleanup(func() {
		if err := c.stop(); err != nil {
			e.t.Errorf("stop conductor %s: %v", c.host, err)
		}
	})
	return c
}

// stop stops the conductor gracefully (once).
func (c *itConductor) stop() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.stopped {
		return nil
	}
	c.stopped = true
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	return c.svc.Stop(ctx)
}

// client returns a Go rpcapi client routing over the test's database,
// with Ironic 7.0.0's uncached ring.
func (e *itEnv) client(name string) *rpcapi.ConductorAPI {
	e.t.Helper()
	ring, err := hashring.NewManager(hashring.DefaultConfig(), e.store)
	if err != nil {
		e.t.Fatal(err)
	}
	api, err := rpcapi.New(e.dial(name), rpcapi.Config{Topic: e.topic, Timeout: 30 * time.Second}, ring)
	if err != nil {
		e.t.Fatal(err)
	}
	return api
}

// hostTopic is the topic of one conductor of the test.
func (e *itEnv) hostTopic(host string) string { return e.topic + "." + host }

// ---- Python peers ----

// checkIronic fails the test with the fix when Debian's python3-ironic is
// not importable.
func checkIronic(t *testing.T) {
	t.Helper()
	messagingtest.RequirePython(t, "oslo_messaging", "ironic.conductor.rpcapi", "psycopg2")
}

// pyPeer is a running Python helper from testdata/ speaking JSON lines.
type pyPeer struct {
	*messagingtest.PyPeer
	t    *testing.T
	name string
}

// startPyPeer runs testdata/<script> with args under Debian's Python and
// waits for its READY line (messagingtest.StartPyScript stops it at the
// end of the test).
func startPyPeer(t *testing.T, script string, args ...string) *pyPeer {
	t.Helper()
	checkIronic(t)
	dir, err := filepath.Abs("testdata")
	if err != nil {
		t.Fatal(err)
	}
	// Registered before the peer starts, so it runs after the peer has
	// stopped and printed the name of its reply queue.
	var p *pyPeer
	t.Cleanup(func() {
		if q, ok := p.WaitLine("REPLYQ", 0); ok {
			var name string
			if json.Unmarshal([]byte(q), &name) == nil && name != "" {
				rabbittest.DeleteQueuesAtCleanup(t, name)
			}
		}
	})
	p = &pyPeer{PyPeer: messagingtest.StartPyScript(t, dir, script, args...), t: t, name: script}
	if _, ok := p.WaitLine("READY", 90*time.Second); !ok {
		t.Fatalf("%s did not start (no READY line)", script)
	}
	return p
}

// pyRequest is one call for pyapi.py.
type pyRequest struct {
	ID     string         `json:"id"`
	Method string         `json:"method,omitempty"`
	Kwargs map[string]any `json:"kwargs,omitempty"`
	Topic  string         `json:"topic,omitempty"`
	Expect string         `json:"expect,omitempty"`
	// Batch makes its requests at once, one Python thread each.
	Batch []pyRequest `json:"batch,omitempty"`
}

// pyError is how pyapi.py describes the exception a call raised.
type pyError struct {
	Class      string   `json:"class"`
	Bases      []string `json:"bases"`
	Code       *int     `json:"code"`
	Message    string   `json:"message"`
	IsInstance *bool    `json:"isinstance"`
}

// pyResult is one DONE line of pyapi.py.
type pyResult struct {
	ID      string          `json:"id"`
	OK      bool            `json:"ok"`
	Result  json.RawMessage `json:"result"`
	Error   *pyError        `json:"error"`
	Results []pyResult      `json:"results"`
}

// call sends req and waits for its DONE line.
func (p *pyPeer) call(req pyRequest) pyResult {
	p.t.Helper()
	line, err := json.Marshal(req)
	if err != nil {
		p.t.Fatal(err)
	}
	if err := p.Send(string(line)); err != nil {
		p.t.Fatalf("%s: write request: %v", p.name, err)
	}
	raw, ok := p.WaitLine("DONE", 120*time.Second)
	if !ok {
		p.t.Fatalf("%s: no answer to %s %s", p.name, req.ID, req.Method)
	}
	var res pyResult
	if err := json.Unmarshal([]byte(raw), &res); err != nil {
		p.t.Fatalf("%s: DONE %q: %v", p.name, raw, err)
	}
	if res.ID != req.ID {
		p.t.Fatalf("%s: answer for %s while waiting for %s", p.name, res.ID, req.ID)
	}
	return res
}

// load is the pyapi.py spec of an object the API loads by UUID and
// patches with changes.
func load(class, uuid string, changes map[string]any) map[string]any {
	return map[string]any{"$load": class, "uuid": uuid, "changes": changes}
}

// startPyAPI runs pyapi.py against the test's exchange, topic and schema.
func (e *itEnv) startPyAPI() *pyPeer {
	e.t.Helper()
	return startPyPeer(e.t, "pyapi.py", messagingtest.AMQPURL(), e.exchange, e.topic, dbtest.SQLAlchemyURL(e.dsn))
}

func jsonString(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprintf("%v", v)
	}
	return string(b)
}
