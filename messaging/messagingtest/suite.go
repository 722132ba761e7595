package messagingtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/ironic-go/ironic-go/messaging"
	"github.com/rs/zerolog"
)

// Factory returns a new transport on the shared broker under test, as if
// opened by a separate process. The suite closes it.
type Factory func(t *testing.T) messaging.Transport

// Unique returns a name made of prefix, the test's name and a random
// suffix, so tests sharing one broker never meet.
func Unique(t testing.TB, prefix string) string {
	var b [4]byte
	_, _ = rand.Read(b[:])
	name := regexp.MustCompile(`[^a-zA-Z0-9]+`).ReplaceAllString(t.Name(), "_")
	if len(name) > 40 {
		name = name[len(name)-40:]
	}
	return strings.ToLower(prefix + "_" + name + "_" + hex.EncodeToString(b[:]))
}

// TestLogger returns a zerolog logger writing to the test log.
func TestLogger(t testing.TB) zerolog.Logger {
	return zerolog.New(zerolog.NewTestWriter(t)).Level(zerolog.InfoLevel).With().Timestamp().Logger()
}

// fixture is one test's client, server and names.
type fixture struct {
	t        *testing.T
	exchange string
	topic    string
	client   *messaging.Client
	clientTr messaging.Transport
	serverTr messaging.Transport
	casts    chan castRecord
	inFlight atomic.Int32
	peak     atomic.Int32
	release  chan struct{}
}

type castRecord struct {
	server string
	args   map[string]any
	ctx    []string
}

// echoEndpoints are the endpoints the suite's servers expose, modelled on
// the ones used to capture the oslo vectors.
func (f *fixture) endpoints(server string) []messaging.Endpoint {
	methods := map[string]messaging.Handler{
		"echo": func(ctx context.Context, args messaging.Args) (any, error) {
			var m map[string]any
			if err := args.Decode(&m); err != nil {
				return nil, err
			}
			return map[string]any{"echo": m, "server": server}, nil
		},
		"raw": func(ctx context.Context, args messaging.Args) (any, error) {
			return json.RawMessage(args), nil
		},
		"none": func(ctx context.Context, args messaging.Args) (any, error) { return nil, nil },
		"ctx": func(ctx context.Context, args messaging.Args) (any, error) {
			rc, _ := messaging.RequestContextFrom(ctx)
			ci, _ := messaging.CallInfoFrom(ctx)
			out := map[string]any{"client_timeout": json.RawMessage(orNull(ci.ClientTimeout))}
			for _, k := range rc.Keys() {
				raw, _ := rc.Raw(k)
				out[k] = raw
			}
			return out, nil
		},
		"fail": func(ctx context.Context, args messaging.Args) (any, error) {
			var a struct{ Msg string }
			_ = args.Decode(&a)
			return nil, fmt.Errorf("wrapped by the handler: %w", messaging.BuiltinError("ValueError", a.Msg))
		},
		"plain_error": func(ctx context.Context, args messaging.Args) (any, error) {
			return nil, errors.New("something broke")
		},
		"custom": func(ctx context.Context, args messaging.Args) (any, error) {
			return nil, &messaging.Exception{Module: "remote_exc", Class: "CustomError", Message: "custom failure",
				Args: []any{"custom failure"}, Kwargs: map[string]any{"code": 42, "detail": "x"}}
		},
		"panic": func(ctx context.Context, args messaging.Args) (any, error) { panic("handler exploded") },
		"slow": func(ctx context.Context, args messaging.Args) (any, error) {
			var a struct{ Seconds float64 }
			_ = args.Decode(&a)
			select {
			case <-time.After(time.Duration(a.Seconds * float64(time.Second))):
			case <-ctx.Done():
				return nil, ctx.Err()
			}
			return fmt.Sprintf("slept %g", a.Seconds), nil
		},
		"block": func(ctx context.Context, args messaging.Args) (any, error) {
			n := f.inFlight.Add(1)
			defer f.inFlight.Add(-1)
			for {
				p := f.peak.Load()
				if n <= p || f.peak.CompareAndSwap(p, n) {
					break
				}
			}
			<-f.release
			return "released", nil
		},
		"record_cast": func(ctx context.Context, args messaging.Args) (any, error) {
			var m map[string]any
			_ = args.Decode(&m)
			rc, _ := messaging.RequestContextFrom(ctx)
			f.casts <- castRecord{server: server, args: m, ctx: rc.Keys()}
			return nil, nil
		},
		"_private": func(ctx context.Context, args messaging.Args) (any, error) { return "leaked", nil },
	}
	return []messaging.Endpoint{
		{Version: messaging.V(1, 40), Methods: methods},
		{Namespace: "ns1", Version: messaging.V(2, 3), Methods: map[string]messaging.Handler{
			"ns_method": func(ctx context.Context, args messaging.Args) (any, error) { return "ns1 ok", nil },
		}},
	}
}

func orNull(raw json.RawMessage) []byte {
	if len(raw) == 0 {
		return []byte("null")
	}
	return raw
}

func newFixture(t *testing.T, newTr Factory) *fixture {
	f := &fixture{t: t, exchange: Unique(t, "ex"), topic: Unique(t, "topic"),
		casts: make(chan castRecord, 16), release: make(chan struct{})}
	f.clientTr = newTr(t)
	f.serverTr = newTr(t)
	t.Cleanup(func() { f.clientTr.Close(); f.serverTr.Close() })
	f.client = messaging.NewClient(f.clientTr, messaging.Target{Exchange: f.exchange, Topic: f.topic},
		messaging.ClientConfig{Timeout: 10 * time.Second, Logger: TestLogger(t)})
	return f
}

// startServer starts a server named name on the fixture's topic.
func (f *fixture) startServer(name string, tr messaging.Transport, cfg messaging.ServerConfig) *messaging.Server {
	f.t.Helper()
	if tr == nil {
		tr = f.serverTr
	}
	cfg.Logger = TestLogger(f.t)
	srv, err := messaging.NewServer(tr, messaging.Target{Exchange: f.exchange, Topic: f.topic, Server: name},
		f.endpoints(name), cfg)
	if err != nil {
		f.t.Fatal(err)
	}
	if err := srv.Start(f.t.Context()); err != nil {
		f.t.Fatal(err)
	}
	f.t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := srv.Stop(ctx); err != nil {
			f.t.Errorf("stop server %s: %v", name, err)
		}
	})
	return srv
}

// RunTransportTests runs the oslo RPC semantics every transport must give:
// calls, casts, fanout, versions, namespaces, failures, timeouts,
// call-monitor heartbeats, duplicates, malformed bodies, pool bounds and
// graceful stop.
func RunTransportTests(t *testing.T, newTr Factory) {
	t.Run("CallEcho", func(t *testing.T) { t.Parallel(); testCallEcho(t, newTr) })
	t.Run("CastAndFanout", func(t *testing.T) { t.Parallel(); testCastAndFanout(t, newTr) })
	t.Run("Context", func(t *testing.T) { t.Parallel(); testContext(t, newTr) })
	t.Run("Versions", func(t *testing.T) { t.Parallel(); testVersions(t, newTr) })
	t.Run("Failures", func(t *testing.T) { t.Parallel(); testFailures(t, newTr) })
	t.Run("Timeout", func(t *testing.T) { t.Parallel(); testTimeout(t, newTr) })
	t.Run("CallMonitor", func(t *testing.T) { t.Parallel(); testCallMonitor(t, newTr) })
	t.Run("Undeliverable", func(t *testing.T) { t.Parallel(); testUndeliverable(t, newTr) })
	t.Run("BadInput", func(t *testing.T) { t.Parallel(); testBadInput(t, newTr) })
	t.Run("PoolBound", func(t *testing.T) { t.Parallel(); testPoolBound(t, newTr) })
	t.Run("StopDrains", func(t *testing.T) { t.Parallel(); testStopDrains(t, newTr) })
	t.Run("LargeMessage", func(t *testing.T) { t.Parallel(); testLargeMessage(t, newTr) })
	t.Run("ConcurrentCalls", func(t *testing.T) { t.Parallel(); testConcurrentCalls(t, newTr) })
}

func testCallEcho(t *testing.T, newTr Factory) {
	f := newFixture(t, newTr)
	f.startServer("s1", nil, messaging.ServerConfig{})
	args := map[string]any{"s": "h\u00e9llo \U0001F600 <&>", "f": json.Number("1.5"), "n": nil,
		"l": []any{json.Number("1"), "two", true}, "b": false, "i": json.Number("7"), "big": json.Number("12345678901234567890")}
	var got struct {
		Echo   map[string]any `json:"echo"`
		Server string         `json:"server"`
	}
	if err := f.client.Call(t.Context(), "echo", args, &got); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(args, got.Echo); diff != "" || got.Server != "s1" {
		t.Errorf("echo (-sent +received):\n%s server=%q", diff, got.Server)
	}
	var none json.RawMessage
	if err := f.client.Call(t.Context(), "none", nil, &none); err != nil || string(none) != "null" {
		t.Errorf("none = %s, %v; want null", none, err)
	}
	var direct struct{ Server string }
	if err := f.client.Prepare(messaging.WithServer("s1")).Call(t.Context(), "echo", nil, &direct); err != nil || direct.Server != "s1" {
		t.Errorf("call to server s1 = %+v, %v", direct, err)
	}
	var raw json.RawMessage
	if err := f.client.Call(t.Context(), "raw", json.RawMessage(`{"k": [1, {"z": null}]}`), &raw); err != nil {
		t.Fatal(err)
	}
	if string(raw) != `{"k": [1, {"z": null}]}` {
		t.Errorf("raw result = %s", raw)
	}
}

func testCastAndFanout(t *testing.T, newTr Factory) {
	f := newFixture(t, newTr)
	other := newTr(t)
	t.Cleanup(func() { other.Close() })
	f.startServer("s1", nil, messaging.ServerConfig{})
	f.startServer("s2", other, messaging.ServerConfig{})

	if err := f.client.Prepare(messaging.WithServer("s2")).Cast(t.Context(), "record_cast", map[string]any{"a": 1, "b": "two"}); err != nil {
		t.Fatal(err)
	}
	rec := f.waitCast(t)
	if rec.server != "s2" || rec.args["b"] != "two" {
		t.Errorf("server cast arrived as %+v, want on s2 with b=two", rec)
	}
	if len(rec.ctx) != 0 {
		t.Errorf("cast without a context carried context keys %v", rec.ctx)
	}
	if err := f.client.Prepare(messaging.WithFanout(true)).Cast(t.Context(), "record_cast", map[string]any{"fan": true}); err != nil {
		t.Fatal(err)
	}
	got := map[string]int{}
	for range 2 {
		got[f.waitCast(t).server]++
	}
	if got["s1"] != 1 || got["s2"] != 1 {
		t.Errorf("fanout reached %v, want s1 and s2 once each", got)
	}
	select {
	case extra := <-f.casts:
		t.Errorf("unexpected extra cast %+v", extra)
	case <-time.After(200 * time.Millisecond):
	}
	err := f.client.Prepare(messaging.WithFanout(true)).Call(t.Context(), "echo", nil, nil)
	if !errors.Is(err, messaging.ErrInvalidTarget) {
		t.Errorf("fanout call error = %v, want ErrInvalidTarget", err)
	}
}

func (f *fixture) waitCast(t *testing.T) castRecord {
	t.Helper()
	select {
	case r := <-f.casts:
		return r
	case <-time.After(10 * time.Second):
		t.Fatal("cast not received within 10s")
	}
	return castRecord{}
}

func testContext(t *testing.T, newTr Factory) {
	f := newFixture(t, newTr)
	f.startServer("s1", nil, messaging.ServerConfig{})
	rc := messaging.NewRequestContext()
	for k, v := range map[string]any{"user_id": "u-123", "project_id": "p-456", "roles": []string{"admin", "member"}, "is_admin": true, "auth_token": nil} {
		if err := rc.Set(k, v); err != nil {
			t.Fatal(err)
		}
	}
	ctx := messaging.WithRequestContext(t.Context(), rc)
	var got map[string]any
	if err := f.client.Call(ctx, "ctx", nil, &got); err != nil {
		t.Fatal(err)
	}
	want := map[string]any{"user_id": "u-123", "project_id": "p-456", "roles": []any{"admin", "member"},
		"is_admin": true, "auth_token": nil, "request_id": rc.RequestID(), "client_timeout": nil}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("server context (-want +got):\n%s", diff)
	}
}

func testVersions(t *testing.T, newTr Factory) {
	f := newFixture(t, newTr)
	f.startServer("s1", nil, messaging.ServerConfig{})
	ctx := t.Context()
	for _, v := range []messaging.Version{messaging.V(1, 0), messaging.V(1, 40), {}} {
		if err := f.client.Prepare(messaging.WithVersion(v)).Call(ctx, "none", nil, nil); err != nil {
			t.Errorf("version %q: %v", v, err)
		}
	}
	for _, v := range []messaging.Version{messaging.V(1, 41), messaging.V(2, 0), {Major: 1, Minor: 40, Revision: 1}} {
		err := f.client.Prepare(messaging.WithVersion(v)).Call(ctx, "none", nil, nil)
		var rerr *messaging.RemoteError
		if !errors.Is(err, messaging.ErrUnsupportedVersion) || !errors.As(err, &rerr) {
			t.Errorf("version %s: error %v, want remote UnsupportedVersion", v, err)
			continue
		}
		want := fmt.Sprintf("Endpoint does not support RPC version %s. Attempted method: none", v)
		if rerr.Message != want || rerr.Module != messaging.ModuleDispatcher {
			t.Errorf("version %s: %s.%s %q, want %q", v, rerr.Module, rerr.Class, rerr.Message, want)
		}
	}
	for _, m := range []string{"does_not_exist", "_private"} {
		err := f.client.Call(ctx, m, nil, nil)
		var rerr *messaging.RemoteError
		if !errors.Is(err, messaging.ErrNoSuchMethod) || !errors.As(err, &rerr) || rerr.Message != "Endpoint does not support RPC method "+m {
			t.Errorf("method %s: error %v, want NoSuchMethod", m, err)
		}
	}
	var s string
	ns := f.client.Prepare(messaging.WithNamespace("ns1"), messaging.WithVersion(messaging.V(2, 3)))
	if err := ns.Call(ctx, "ns_method", map[string]string{"k": "v"}, &s); err != nil || s != "ns1 ok" {
		t.Errorf("namespace call = %q, %v", s, err)
	}
	err := f.client.Prepare(messaging.WithNamespace("nsX")).Call(ctx, "ns_method", nil, nil)
	if !errors.Is(err, messaging.ErrUnsupportedVersion) || !strings.Contains(err.Error(), "RPC version 1.0. Attempted method: ns_method") {
		t.Errorf("unknown namespace: %v", err)
	}
	capped := f.client.Prepare(messaging.WithVersionCap(messaging.V(1, 40)), messaging.WithVersion(messaging.V(1, 41)))
	if capped.CanSendVersion(messaging.V(1, 41)) || !capped.CanSendVersion(messaging.V(1, 39)) {
		t.Error("CanSendVersion disagrees with the 1.40 cap")
	}
	if err := capped.Call(ctx, "none", nil, nil); !errors.Is(err, messaging.ErrVersionCap) {
		t.Errorf("call above cap: %v, want ErrVersionCap", err)
	}
}

func testFailures(t *testing.T, newTr Factory) {
	f := newFixture(t, newTr)
	f.startServer("s1", nil, messaging.ServerConfig{})
	ctx := t.Context()
	var rerr *messaging.RemoteError
	err := f.client.Call(ctx, "fail", map[string]string{"msg": "bad value"}, nil)
	if !errors.As(err, &rerr) || rerr.Module != "builtins" || rerr.Class != "ValueError" || rerr.Message != "bad value" {
		t.Fatalf("fail: %v, want remote builtins.ValueError: bad value", err)
	}
	if diff := cmp.Diff([]any{"bad value"}, rerr.Args); diff != "" {
		t.Errorf("args (-want +got): %s", diff)
	}
	if len(rerr.Traceback) < 2 || rerr.Traceback[len(rerr.Traceback)-1] != "ValueError: bad value\n" {
		t.Errorf("traceback %q", rerr.Traceback)
	}
	err = f.client.Call(ctx, "custom", nil, nil)
	if !errors.As(err, &rerr) || rerr.Class != "CustomError" || rerr.Module != "remote_exc" ||
		fmt.Sprint(rerr.Kwargs["code"]) != "42" || rerr.Kwargs["detail"] != "x" {
		t.Errorf("custom: %v %+v", err, rerr)
	}
	// An allowed module turns the failure into a typed error.
	type customErr struct{ *messaging.RemoteError }
	allowed := messaging.NewClient(f.clientTr, messaging.Target{Exchange: f.exchange, Topic: f.topic}, messaging.ClientConfig{
		AllowedRemoteModules: map[string]messaging.ExceptionDecoder{
			"remote_exc": func(r *messaging.RemoteError) error { return customErr{r} },
		}})
	var ce customErr
	if err := allowed.Call(ctx, "custom", nil, nil); !errors.As(err, &ce) {
		t.Errorf("allowed module: %v (%T), want customErr", err, err)
	}
	for _, m := range []string{"plain_error", "panic"} {
		err = f.client.Call(ctx, m, nil, nil)
		if !errors.As(err, &rerr) || rerr.Module != "builtins" || rerr.Class != "Exception" {
			t.Errorf("%s: %v, want builtins.Exception", m, err)
		}
	}
	// The server survived the panic.
	if err := f.client.Call(ctx, "none", nil, nil); err != nil {
		t.Errorf("after panic: %v", err)
	}
}

func testTimeout(t *testing.T, newTr Factory) {
	f := newFixture(t, newTr)
	c := f.client.Prepare(messaging.WithTimeout(300 * time.Millisecond))
	err := c.Call(t.Context(), "echo", nil, nil)
	var te *messaging.TimeoutError
	if !errors.As(err, &te) || !errors.Is(err, messaging.ErrTimeout) || !errors.Is(err, context.DeadlineExceeded) || te.Method != "echo" || te.MsgID == "" {
		t.Errorf("call with no server: %v, want a TimeoutError", err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 200*time.Millisecond)
	defer cancel()
	if err := f.client.Call(ctx, "echo", nil, nil); !errors.Is(err, messaging.ErrTimeout) {
		t.Errorf("ctx deadline: %v, want ErrTimeout", err)
	}
	ctx, cancel = context.WithCancel(t.Context())
	go func() { time.Sleep(100 * time.Millisecond); cancel() }()
	if err := f.client.Call(ctx, "echo", nil, nil); !errors.Is(err, context.Canceled) || errors.Is(err, messaging.ErrTimeout) {
		t.Errorf("cancelled call: %v, want context.Canceled", err)
	}
}

func testCallMonitor(t *testing.T, newTr Factory) {
	f := newFixture(t, newTr)
	f.startServer("s1", nil, messaging.ServerConfig{})
	c := f.client.Prepare(messaging.WithCallMonitorTimeout(2 * time.Second))
	var got string
	if err := c.Call(t.Context(), "slow", map[string]float64{"seconds": 3.5}, &got); err != nil || got != "slept 3.5" {
		t.Errorf("call-monitored slow call = %q, %v", got, err)
	}
	var ctxOut map[string]any
	if err := c.Call(t.Context(), "ctx", nil, &ctxOut); err != nil || fmt.Sprint(ctxOut["client_timeout"]) != "2" {
		t.Errorf("client_timeout seen by the server = %v, %v; want 2", ctxOut["client_timeout"], err)
	}
}

func testUndeliverable(t *testing.T, newTr Factory) {
	f := newFixture(t, newTr)
	c := f.client.Prepare(messaging.WithAtLeastOnce(true), messaging.WithTopic(Unique(t, "nobody")))
	if err := c.Cast(t.Context(), "echo", nil); !errors.Is(err, messaging.ErrUndeliverable) {
		t.Errorf("mandatory cast to nobody: %v, want ErrUndeliverable", err)
	}
	if err := c.Call(t.Context(), "echo", nil, nil); !errors.Is(err, messaging.ErrUndeliverable) {
		t.Errorf("mandatory call to nobody: %v, want ErrUndeliverable", err)
	}
	// Without at_least_once an unroutable cast vanishes, as on RabbitMQ.
	if err := f.client.Prepare(messaging.WithTopic(Unique(t, "nobody"))).Cast(t.Context(), "echo", nil); err != nil {
		t.Errorf("plain cast to nobody: %v", err)
	}
}

// rawRequest publishes a hand-built body to the fixture's server s1.
func (f *fixture) rawRequest(t *testing.T, body string) {
	t.Helper()
	err := f.clientTr.Send(t.Context(), &messaging.Outgoing{Exchange: f.exchange, Topic: f.topic, Server: "s1", Body: []byte(body)})
	if err != nil {
		t.Fatal(err)
	}
}

func testBadInput(t *testing.T, newTr Factory) {
	f := newFixture(t, newTr)
	f.startServer("s1", nil, messaging.ServerConfig{MissingReplyTimeout: time.Second})
	router, err := f.clientTr.Replies(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	replyQ := router.Queue()
	// Undecodable bodies are rejected; the server keeps serving.
	for _, body := range []string{
		`{"oslo.version": "2.0", "oslo.message": "{not json`,
		`not json at all`,
		`[1, 2]`,
		`{"oslo.version": "3.0", "oslo.message": "{\"method\": \"echo\", \"args\": {}}"}`,
		`{"oslo.version": "2.1", "oslo.message": "{\"method\": \"echo\", \"args\": {}}"}`,
		`{"oslo.version": "2.0", "oslo.message": "[]"}`,
		`{"oslo.version": 2, "oslo.message": "{}"}`,
	} {
		f.rawRequest(t, body)
	}
	// A reply queue that does not exist: retried, then given up, without
	// blocking other requests.
	f.rawRequest(t, `{"oslo.version": "2.0", "oslo.message": "{\"method\": \"echo\", \"args\": {}, \"_msg_id\": \"ffffffffffffffffffffffffffffffff\", \"_reply_q\": \"reply_ffffffffffffffffffffffffffffffff\", \"_timeout\": null, \"_unique_id\": \"`+Unique(t, "u")+`\"}"}`)
	// A duplicate _unique_id is dropped: only the first copy is answered.
	dup := `{"oslo.version": "2.0", "oslo.message": "{\"method\": \"record_cast\", \"args\": {\"dup\": %d}, \"_unique_id\": \"520d63e2bb0a4764aaa73ce5f999bd38\"}"}`
	f.rawRequest(t, fmt.Sprintf(dup, 1))
	f.rawRequest(t, fmt.Sprintf(dup, 2))
	if rec := f.waitCast(t); fmt.Sprint(rec.args["dup"]) != "1" {
		t.Errorf("first duplicate carried %v", rec.args)
	}
	// Malformed fields get oslo's Python errors as failures.
	cases := []struct{ fields, class, msg string }{
		{`\"args\": {}`, "TypeError", "attribute name must be string, not 'NoneType'"},
		{`\"method\": 5, \"args\": {}`, "TypeError", "attribute name must be string, not 'int'"},
		{`\"method\": \"echo\", \"args\": [1, 2]`, "AttributeError", "'list' object has no attribute 'items'"},
		{`\"method\": \"echo\", \"args\": \"x\"`, "AttributeError", "'str' object has no attribute 'items'"},
		{`\"method\": \"echo\", \"args\": {}, \"version\": \"1\"`, "IndexError", "list index out of range"},
		{`\"method\": \"echo\", \"args\": {}, \"version\": \"1.x\"`, "ValueError", "invalid literal for int() with base 10: 'x'"},
		{`\"method\": \"echo\", \"args\": {}, \"version\": 1.4`, "AttributeError", "'float' object has no attribute 'split'"},
		{`\"method\": \"echo\", \"args\": {}, \"namespace\": \"nope\"`, "UnsupportedVersion", "Endpoint does not support RPC version 1.0. Attempted method: echo"},
		{`\"method\": \"echo\", \"args\": {}, \"version\": \"2\"`, "UnsupportedVersion", "Endpoint does not support RPC version 2. Attempted method: echo"},
	}
	for _, c := range cases {
		rep := f.rawCall(t, router, replyQ, c.fields)
		var rerr *messaging.RemoteError
		if !errors.As(rep, &rerr) || rerr.Class != c.class || rerr.Message != c.msg {
			t.Errorf("%s: got %v, want %s: %s", c.fields, rep, c.class, c.msg)
		}
	}
	// Legacy un-enveloped requests are served.
	var legacy map[string]any
	if err := f.rawCallResult(t, replyQ, `{"method": "echo", "args": {"legacy": true}, "_msg_id": "%s", "_reply_q": "%s", "_timeout": null, "_unique_id": "%s"}`, &legacy); err != nil ||
		fmt.Sprint(legacy["echo"]) != "map[legacy:true]" {
		t.Errorf("legacy request: %v %v", legacy, err)
	}
	if err := f.client.Call(t.Context(), "none", nil, nil); err != nil {
		t.Errorf("server stopped serving after bad input: %v", err)
	}
}

// rawCall sends a call with hand-built fields through the client's reply
// queue and returns the decoded failure (or nil on success).
func (f *fixture) rawCall(t *testing.T, _ *messaging.ReplyRouter, replyQ, fields string) error {
	t.Helper()
	tmpl := `{"oslo.version": "2.0", "oslo.message": "{` + fields + `, \"_msg_id\": \"%s\", \"_reply_q\": \"%s\", \"_timeout\": null, \"_unique_id\": \"%s\"}"}`
	return f.rawCallResult(t, replyQ, tmpl, nil)
}

// rawCallResult publishes tmpl (with %s for msg id, reply queue and unique
// id) and waits for the reply through a throwaway client listener: it
// registers the msg id on the fixture client's router via a real Call-like
// wait implemented with a watcher server.
func (f *fixture) rawCallResult(t *testing.T, replyQ, tmpl string, result any) error {
	t.Helper()
	return RawCall(t.Context(), f.clientTr, messaging.Target{Exchange: f.exchange, Topic: f.topic, Server: "s1"}, tmpl, result)
}

func testPoolBound(t *testing.T, newTr Factory) {
	f := newFixture(t, newTr)
	f.startServer("s1", nil, messaging.ServerConfig{PoolSize: 2})
	var wg sync.WaitGroup
	errs := make(chan error, 5)
	for range 5 {
		wg.Go(func() { errs <- f.client.Call(t.Context(), "block", nil, nil) })
	}
	deadline := time.Now().Add(10 * time.Second)
	for f.inFlight.Load() < 2 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	time.Sleep(200 * time.Millisecond) // let any excess handler start, if the bound were broken
	if p := f.peak.Load(); p != 2 {
		t.Errorf("peak concurrent handlers = %d, want the pool size 2", p)
	}
	close(f.release)
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Errorf("blocked call: %v", err)
		}
	}
}

func testStopDrains(t *testing.T, newTr Factory) {
	f := newFixture(t, newTr)
	tr := newTr(t)
	t.Cleanup(func() { tr.Close() })
	srv, err := messaging.NewServer(tr, messaging.Target{Exchange: f.exchange, Topic: f.topic, Server: "s1"}, f.endpoints("s1"),
		messaging.ServerConfig{Logger: TestLogger(t)})
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Start(t.Context()); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() {
		var s string
		done <- f.client.Call(t.Context(), "slow", map[string]float64{"seconds": 0.5}, &s)
	}()
	time.Sleep(200 * time.Millisecond) // the call is being handled
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
	defer cancel()
	if err := srv.Stop(ctx); err != nil {
		t.Errorf("Stop: %v", err)
	}
	if err := <-done; err != nil {
		t.Errorf("in-flight call during Stop: %v", err)
	}
	if err := srv.Start(t.Context()); !errors.Is(err, messaging.ErrServerClosed) {
		t.Errorf("Start after Stop: %v, want ErrServerClosed", err)
	}
}

func testLargeMessage(t *testing.T, newTr Factory) {
	f := newFixture(t, newTr)
	f.startServer("s1", nil, messaging.ServerConfig{MaxMessageSize: 4 << 20})
	big := strings.Repeat("x", 3<<20)
	var got struct{ Echo map[string]string }
	if err := f.client.Call(t.Context(), "echo", map[string]string{"big": big}, &got); err != nil || got.Echo["big"] != big {
		t.Errorf("3 MiB echo failed: %v", err)
	}
	tooBig := strings.Repeat("y", 5<<20)
	err := f.client.Prepare(messaging.WithTimeout(time.Second)).Call(t.Context(), "echo", map[string]string{"big": tooBig}, nil)
	if !errors.Is(err, messaging.ErrTimeout) {
		t.Errorf("message over the limit: %v, want a timeout (rejected without reply, as oslo rejects undecodable input)", err)
	}
	if err := f.client.Call(t.Context(), "none", nil, nil); err != nil {
		t.Errorf("server stopped serving after a huge message: %v", err)
	}
}

func testConcurrentCalls(t *testing.T, newTr Factory) {
	f := newFixture(t, newTr)
	f.startServer("s1", nil, messaging.ServerConfig{})
	var wg sync.WaitGroup
	var failed atomic.Int32
	for i := range 200 {
		wg.Go(func() {
			var got struct{ Echo map[string]int }
			if err := f.client.Call(t.Context(), "echo", map[string]int{"i": i}, &got); err != nil || got.Echo["i"] != i {
				failed.Add(1)
				t.Errorf("call %d: %v %v", i, got, err)
			}
		})
	}
	wg.Wait()
	if failed.Load() != 0 {
		t.Errorf("%d of 200 concurrent calls failed", failed.Load())
	}
}

// RawCall publishes a hand-built call body to target over tr and waits up
// to 10 s for its reply, decoded into result. tmpl holds three %s: the
// _msg_id, the _reply_q and the _unique_id, filled in by RawCall. A failure
// reply returns a *messaging.RemoteError.
func RawCall(ctx context.Context, tr messaging.Transport, target messaging.Target, tmpl string, result any) error {
	router, err := tr.Replies(ctx)
	if err != nil {
		return err
	}
	var b [32]byte
	_, _ = rand.Read(b[:])
	msgID, uid := hex.EncodeToString(b[:16]), hex.EncodeToString(b[16:])
	pending := router.Expect(msgID)
	defer pending.Cancel()
	body := fmt.Sprintf(tmpl, msgID, router.Queue(), uid)
	if err := tr.Send(ctx, &messaging.Outgoing{Exchange: target.Exchange, Topic: target.Topic, Server: target.Server, Body: []byte(body)}); err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	raw, err := pending.Wait(ctx)
	if err != nil {
		return err
	}
	if result != nil {
		return json.Unmarshal(raw, result)
	}
	return nil
}
