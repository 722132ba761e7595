//go:build integration

package rpcapi

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/ironic-go/ironic-go/messaging"
	"github.com/ironic-go/ironic-go/messaging/messagingtest"
	"github.com/ironic-go/ironic-go/messaging/rabbit"
	"github.com/ironic-go/ironic-go/messaging/rabbit/rabbittest"
	"github.com/ironic-go/ironic-go/objects/exception"
)

var capture = flag.Bool("rpcapi.capture", false, "rewrite testdata/golden/python_requests.json with what Debian's client sends")

// The interop tests put ironic-go's rpcapi beside Debian's python3-ironic
// on the real RabbitMQ: Go and Python clients send every test case to a
// Python oslo.messaging server that records what arrives
// (testdata/recorder.py), and Debian's client calls a Go conductor
// endpoint serving the method table.

func checkIronic(t *testing.T) {
	t.Helper()
	messagingtest.RequirePython(t, "oslo_messaging", "ironic.conductor.rpcapi")
}

// startPeer runs testdata/<script> with args (messagingtest.StartPyScript).
func startPeer(t *testing.T, script string, args ...string) *messagingtest.PyPeer {
	t.Helper()
	dir, err := filepath.Abs("testdata")
	if err != nil {
		t.Fatal(err)
	}
	return messagingtest.StartPyScript(t, dir, script, args...)
}

// nextJSON waits for the peer's next line of kind and decodes it.
func nextJSON(t *testing.T, p *messagingtest.PyPeer, kind string, d time.Duration, v any) bool {
	t.Helper()
	s, ok := p.WaitLine(kind, d)
	if ok {
		decodeJSON(t, []byte(s), v)
	}
	return ok
}

// record is one request the recorder saw.
type record struct {
	request
	Side         string `json:"side"`
	Result       any    `json:"result"`
	CtxIsAdmin   any    `json:"ctx_is_admin"`
	CtxRequestID string `json:"ctx_request_id"`
	CtxError     string `json:"ctx_error"`
}

func amqpURL() string { return strings.Replace(rabbittest.URL(), "amqp://", "rabbit://", 1) }

func dialGo(t *testing.T, exchange string) *rabbit.Transport {
	t.Helper()
	cfg := rabbit.DefaultConfig()
	cfg.ControlExchange = exchange
	cfg.ConnectionName = messagingtest.Unique(t, "conn")
	cfg.Logger = messagingtest.TestLogger(t)
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
	defer cancel()
	tr, err := rabbit.Dial(ctx, amqpURL(), cfg)
	if err != nil {
		t.Fatalf("dial RabbitMQ at %s (make deps starts it, or set IRONIC_GO_AMQP_URL): %v", rabbittest.Redacted(amqpURL()), err)
	}
	t.Cleanup(func() {
		if r, err := tr.Replies(context.Background()); err == nil {
			rabbittest.DeleteQueuesAtCleanup(t, r.Queue())
		}
		_ = tr.Close()
	})
	return tr
}

// contextFromDict rebuilds a Python context dict as a RequestContext.
func contextFromDict(t *testing.T, raw string) *messaging.RequestContext {
	t.Helper()
	var m map[string]json.RawMessage
	if err := json.Unmarshal([]byte(raw), &m); err != nil {
		t.Fatal(err)
	}
	rc := &messaging.RequestContext{}
	for k, v := range m {
		rc.SetRaw(k, v)
	}
	return rc
}

// TestInteropGoAndPythonClientsSendTheSame sends every case of
// testdata/cases.json with Debian's ConductorAPI (capped at 1.40) and with
// the Go ConductorAPI to the recorder and compares what arrived; then
// checks that the recorder's canned results (serialized by Ironic's own
// object serializer) decode into the Go result types, that Ironic
// exceptions raised by Python come back typed, and what a Python conductor
// makes of Go's AdminContext.
func TestInteropGoAndPythonClientsSendTheSame(t *testing.T) {
	t.Parallel()
	checkIronic(t)
	cases := loadCases(t)
	exchange := messagingtest.Unique(t, "ex")
	topicPy, topicGo, host := messagingtest.Unique(t, "py"), messagingtest.Unique(t, "go"), "h"
	rabbittest.DeleteTopologyAtCleanup(t, exchange, topicPy, host)
	rabbittest.DeleteTopologyAtCleanup(t, "", topicGo, host)
	resultsPath, _ := filepath.Abs(filepath.Join("testdata", "results.json"))
	casesPath, _ := filepath.Abs(filepath.Join("testdata", "cases.json"))

	rec := startPeer(t, "recorder.py", amqpURL(), exchange, resultsPath, topicPy+":"+host+":py", topicGo+":"+host+":go")
	if _, ok := rec.WaitLine("READY", 60*time.Second); !ok {
		t.Fatal("recorder.py did not start (see its stderr above)")
	}

	// Debian's client first.
	cli := startPeer(t, "pyclient.py", amqpURL(), exchange, topicPy, host, casesPath)
	pyCtx, ok := cli.WaitLine("CTX", 60*time.Second)
	if !ok {
		t.Fatal("pyclient.py printed no context")
	}
	for _, c := range cases {
		var done struct {
			ID    string `json:"id"`
			OK    bool   `json:"ok"`
			Error string `json:"error"`
		}
		if !nextJSON(t, cli, "DONE", 60*time.Second, &done) {
			t.Fatalf("pyclient.py stopped before %s", c.ID)
		}
		if !done.OK {
			t.Errorf("python %s: %s", done.ID, done.Error)
		}
	}
	var pyReplyQ string
	if nextJSON(t, cli, "REPLYQ", 30*time.Second, &pyReplyQ) && pyReplyQ != "" {
		rabbittest.DeleteQueuesAtCleanup(t, pyReplyQ)
	}

	// Then Go, with the same context.
	tr := dialGo(t, exchange)
	api, err := New(tr, Config{Topic: topicGo, Timeout: 30 * time.Second, Logger: messagingtest.TestLogger(t)}, nil)
	if err != nil {
		t.Fatal(err)
	}
	ctx := messaging.WithRequestContext(t.Context(), contextFromDict(t, pyCtx))
	goResults := map[string]any{}
	for _, c := range cases {
		var opts []CallOption
		if optsFor(c.Method) != nil {
			opts = append(opts, WithTopic(topicGo+"."+host))
		}
		res, err := callGo(t, ctx, api, c, opts...)
		if err != nil {
			t.Errorf("go %s: %v", c.ID, err)
			continue
		}
		goResults[c.ID] = res
	}

	// Collect the records: per side and method, in arrival order.
	bySide := map[string]map[string][]record{"py": {}, "go": {}}
	for range 2 * len(cases) {
		var r record
		if !nextJSON(t, rec, "RECORD", 60*time.Second, &r) {
			t.Fatalf("the recorder saw fewer than %d requests", 2*len(cases))
		}
		bySide[r.Side][r.Method] = append(bySide[r.Side][r.Method], r)
	}
	golden := map[string]request{}
	seen := map[string]int{}
	var notes []string
	for _, c := range cases {
		i := seen[c.Method]
		seen[c.Method]++
		py, gor := bySide["py"][c.Method], bySide["go"][c.Method]
		if i >= len(py) || i >= len(gor) {
			t.Errorf("%s: python sent %d, go %d requests of %s", c.ID, len(py), len(gor), c.Method)
			continue
		}
		p, g := py[i], gor[i]
		golden[c.ID] = request{Method: p.Method, Version: p.Version, Args: p.Args, Call: p.Call}
		notes = append(notes, compareRequests(t, c.ID, p.request, g.request)...)
		if diff := cmp.Diff(p.Ctxt, g.Ctxt); diff != "" {
			t.Errorf("%s: context differs (-python +go):\n%s", c.ID, diff)
		}
		if g.CtxError != "" {
			t.Errorf("%s: Ironic cannot rebuild Go's context: %s", c.ID, g.CtxError)
		}
		// The canned result, as Ironic serialized it, decoded by Go.
		if res, ok := goResults[c.ID]; ok && res != nil && g.Result != nil {
			notes = append(notes, compareValues(t, c.ID+" result", g.Result, jsonValue(t, res))...)
		}
	}
	slices.Sort(notes)
	notes = slices.Compact(notes)
	for _, n := range notes {
		t.Logf("difference (expected): %s", n)
	}
	if *capture {
		out, err := json.MarshalIndent(golden, "", " ")
		if err != nil {
			t.Fatal(err)
		}
		if err := os.MkdirAll(filepath.Join("testdata", "golden"), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join("testdata", "golden", "python_requests.json"), append(out, '\n'), 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("wrote testdata/golden/python_requests.json (%d requests)", len(golden))
	}

	t.Run("exceptions", func(t *testing.T) {
		api := api
		ctx := messaging.WithRequestContext(t.Context(), AdminContext())
		call := func(class string) error {
			err := api.DestroyNode(ctx, "raise:"+class, WithTopic(topicGo+"."+host))
			var r record
			if !nextJSON(t, rec, "RECORD", 30*time.Second, &r) {
				t.Fatalf("recorder did not see raise:%s", class)
			}
			return err
		}

		err := call("NodeLocked")
		var exc *exception.Error
		if !errors.As(err, &exc) || exc.Class != "NodeLocked" {
			t.Fatalf("NodeLocked came back as %T %v", err, err)
		}
		if !errors.Is(err, exception.ErrNodeLocked) || !errors.Is(err, exception.ErrConflict) || exc.Code() != 409 {
			t.Errorf("NodeLocked: Is(ErrNodeLocked)=%v Is(ErrConflict)=%v code=%d", errors.Is(err, exception.ErrNodeLocked),
				errors.Is(err, exception.ErrConflict), exc.Code())
		}
		want := exception.NodeLocked(testNode, "cond-b")
		if exc.Msg != want.Msg || exc.Kwargs["node"] != testNode || exc.Kwargs["host"] != "cond-b" {
			t.Errorf("NodeLocked: got %q %v, want %q", exc.Msg, exc.Kwargs, want.Msg)
		}
		var rie *RemoteIronicError
		if !errors.As(err, &rie) || len(rie.Remote.Traceback) == 0 {
			t.Errorf("NodeLocked: the remote failure (traceback) is not in the chain: %v", err)
		}

		err = call("InvalidParameterValue")
		if !errors.Is(err, exception.ErrInvalidParameterValue) || !errors.Is(err, exception.ErrInvalid) ||
			!strings.Contains(err.Error(), "bad 'value'") {
			t.Errorf("InvalidParameterValue came back as %T %v", err, err)
		}

		err = call("NoFreeConductorWorker")
		if !errors.Is(err, exception.ErrNoFreeConductorWorker) || !errors.Is(err, exception.ErrTemporaryFailure) {
			t.Errorf("NoFreeConductorWorker came back as %T %v", err, err)
		}

		for _, class := range []string{"ValueError", "NotInGo"} {
			err := call(class)
			var re *messaging.RemoteError
			if !errors.As(err, &re) || re.Class != class || errors.As(err, &exc) {
				t.Errorf("%s came back as %T %v, want only a *messaging.RemoteError", class, err, err)
			}
		}
	})

	t.Run("admin_context", func(t *testing.T) {
		ctx := messaging.WithRequestContext(t.Context(), AdminContext())
		if err := api.InjectNMI(ctx, "admin-context-probe", WithTopic(topicGo+"."+host)); err != nil {
			t.Fatal(err)
		}
		var r record
		if !nextJSON(t, rec, "RECORD", 30*time.Second, &r) {
			t.Fatal("recorder did not see the probe")
		}
		keys := slices.Sorted(func(yield func(string) bool) {
			for k := range r.Ctxt {
				if k != "client_timeout" && !yield(k) { // oslo's dispatcher adds client_timeout
					return
				}
			}
		})
		want := []string{"auth_token", "domain_id", "domain_name", "is_admin", "is_public_api", "read_only", "request_id",
			"roles", "show_deleted", "tenant", "user"}
		if !cmp.Equal(keys, want) {
			t.Errorf("AdminContext keys %v, want Ironic 7.0.0's %v", keys, want)
		}
		if r.CtxError != "" || r.CtxIsAdmin != true || !strings.HasPrefix(r.CtxRequestID, "req-") {
			t.Errorf("Ironic's RequestContext.from_dict of Go's AdminContext: is_admin=%v request_id=%q error=%q",
				r.CtxIsAdmin, r.CtxRequestID, r.CtxError)
		}
	})
}

// TestInteropPythonClientGoConductor has Debian's ConductorAPI (capped at
// 1.40) call a Go conductor endpoint built from the method table with
// canned handlers: every request decodes (including update_node's
// reset_interfaces, which the 1.40 signature lacks), and every result
// comes back to Python as the canned value.
func TestInteropPythonClientGoConductor(t *testing.T) {
	t.Parallel()
	checkIronic(t)
	cases := loadCases(t)
	exchange := messagingtest.Unique(t, "ex")
	topic, host := messagingtest.Unique(t, "t"), "goh"
	rabbittest.DeleteTopologyAtCleanup(t, exchange, topic, host)
	casesPath, _ := filepath.Abs(filepath.Join("testdata", "cases.json"))

	tr := dialGo(t, exchange)
	results := loadResults(t)
	seen := make(chan served, 2*len(cases))
	ep := cannedEndpoint(t, messagingtest.TestLogger(t), results, seen)
	srv, err := messaging.NewServer(tr, messaging.Target{Topic: topic, Server: host}, []messaging.Endpoint{ep.Messaging()},
		messaging.ServerConfig{Logger: messagingtest.TestLogger(t)})
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Start(t.Context()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = srv.Stop(ctx)
	})

	cli := startPeer(t, "pyclient.py", amqpURL(), exchange, topic, host, casesPath)
	if _, ok := cli.WaitLine("CTX", 60*time.Second); !ok {
		t.Fatal("pyclient.py printed no context")
	}
	for _, c := range cases {
		var done struct {
			ID     string `json:"id"`
			OK     bool   `json:"ok"`
			Error  string `json:"error"`
			Result any    `json:"result"`
		}
		if !nextJSON(t, cli, "DONE", 60*time.Second, &done) {
			t.Fatalf("pyclient.py stopped before %s", c.ID)
		}
		if !done.OK {
			t.Errorf("python %s against the Go conductor: %s", done.ID, done.Error)
			continue
		}
		var want any
		if raw, ok := results[c.Method]; ok {
			decodeJSON(t, raw, &want)
		}
		if want == nil {
			if done.Result != nil {
				t.Errorf("%s: python got %v, want None", c.ID, done.Result)
			}
			continue
		}
		for _, n := range compareValues(t, c.ID+" result", done.Result, want) {
			t.Logf("difference (expected): %s", n)
		}
	}
	var q string
	if nextJSON(t, cli, "REPLYQ", 30*time.Second, &q) && q != "" {
		rabbittest.DeleteQueuesAtCleanup(t, q)
	}
	// The conductor saw every request, update_node with its extra argument.
	for range cases {
		select {
		case s := <-seen:
			if s.method == MethodUpdateNode {
				if string(s.extra["reset_interfaces"]) != "false" {
					t.Errorf("update_node extra arguments %v, want reset_interfaces=false", s.extra)
				}
			}
			if s.ctx == nil || s.ctx.RequestID() == "" {
				t.Errorf("%s: no request context", s.method)
			}
		case <-time.After(30 * time.Second):
			t.Fatal("the Go conductor saw fewer requests than python sent")
		}
	}
}
