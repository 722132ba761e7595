package rpcapi

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/ironic-go/ironic-go/messaging"
	"github.com/ironic-go/ironic-go/objects"
	"github.com/ironic-go/ironic-go/objects/exception"
	"github.com/rs/zerolog"
)

// testNode is the UUID of the node of the test cases.
const testNode = "1be26c0b-03f2-4d2e-ae87-c02d7f33c123"

// testCase is one call of testdata/cases.json, which the Python client
// (testdata/pyclient.py) sends too.
type testCase struct {
	ID        string                     `json:"id"`
	Method    string                     `json:"method"`
	Kwargs    map[string]json.RawMessage `json:"kwargs"`
	PyKwargs  map[string]any             `json:"py_kwargs"`
	GoOnly    bool                       `json:"go_only"`
	kwargsAny map[string]any
}

func decodeJSON(t testing.TB, data []byte, v any) {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	if err := dec.Decode(v); err != nil {
		t.Fatalf("decode %.200s: %v", data, err)
	}
}

func readTestdata(t testing.TB, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func loadCases(t testing.TB) []testCase {
	t.Helper()
	var cases []testCase
	decodeJSON(t, readTestdata(t, "cases.json"), &cases)
	for i := range cases {
		decodeJSON(t, mustJSON(t, cases[i].Kwargs), &cases[i].kwargsAny)
	}
	return cases
}

// loadResults returns the canned result of each method (object specs
// built with the objects package and encoded).
func loadResults(t testing.TB) map[string]json.RawMessage {
	t.Helper()
	var specs map[string]json.RawMessage
	decodeJSON(t, readTestdata(t, "results.json"), &specs)
	out := make(map[string]json.RawMessage, len(specs))
	for k, v := range specs {
		out[k] = mustJSON(t, buildValue(t, v))
	}
	return out
}

func mustJSON(t testing.TB, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// objectSpec is {"$object": name, "set": {...}, "changes": {...}}.
type objectSpec struct {
	Object  string                     `json:"$object"`
	Set     map[string]json.RawMessage `json:"set"`
	Changes map[string]json.RawMessage `json:"changes"`
	Reset   *bool                      `json:"reset"`
}

// buildObject builds an object as testdata/pyironic.py's build_object.
func buildObject(t testing.TB, raw json.RawMessage) objects.Object {
	t.Helper()
	var spec objectSpec
	decodeJSON(t, raw, &spec)
	o, ok := objects.New(spec.Object)
	if !ok {
		t.Fatalf("unknown object %q", spec.Object)
	}
	set := func(fields map[string]json.RawMessage) {
		for _, k := range slices.Sorted(maps.Keys(fields)) {
			var v any
			decodeJSON(t, fields[k], &v)
			if err := o.Set(k, v); err != nil {
				t.Fatalf("%s.%s = %s: %v", spec.Object, k, fields[k], err)
			}
		}
	}
	set(spec.Set)
	if spec.Reset == nil || *spec.Reset {
		o.ResetChanges()
	}
	set(spec.Changes)
	return o
}

// buildValue replaces the object specs of a JSON value by objects.
func buildValue(t testing.TB, raw json.RawMessage) any {
	t.Helper()
	raw = bytes.TrimSpace(raw)
	switch {
	case len(raw) > 0 && raw[0] == '{':
		var m map[string]json.RawMessage
		decodeJSON(t, raw, &m)
		if _, ok := m["$object"]; ok {
			return buildObject(t, raw)
		}
		out := make(map[string]any, len(m))
		for k, v := range m {
			out[k] = buildValue(t, v)
		}
		return out
	case len(raw) > 0 && raw[0] == '[':
		var l []json.RawMessage
		decodeJSON(t, raw, &l)
		out := make([]any, len(l))
		for i, v := range l {
			out[i] = buildValue(t, v)
		}
		return out
	}
	var v any
	decodeJSON(t, raw, &v)
	return v
}

// callGo makes the call of c with the Go client and returns its typed
// result.
func callGo(t testing.TB, ctx context.Context, api *ConductorAPI, c testCase, opts ...CallOption) (any, error) {
	t.Helper()
	kw := c.kwargsAny
	str := func(k string) string {
		s, _ := kw[k].(string)
		return s
	}
	obj := func(k string) objects.Object { return buildObject(t, c.Kwargs[k]) }
	dict := func(k string) map[string]any {
		m, _ := kw[k].(map[string]any)
		return m
	}
	strDict := func(k string) map[string]string {
		out := map[string]string{}
		for key, v := range dict(k) {
			out[key] = v.(string)
		}
		return out
	}
	list := func(k string) []any {
		l, _ := kw[k].([]any)
		return l
	}
	node := str("node_id")
	switch c.Method {
	case MethodCreateNode:
		return api.CreateNode(ctx, obj("node_obj").(*objects.Node), opts...)
	case MethodUpdateNode:
		return api.UpdateNode(ctx, obj("node_obj").(*objects.Node), opts...)
	case MethodChangeNodePowerState:
		timeout := 0
		if n, ok := kw["timeout"].(json.Number); ok {
			i, _ := n.Int64()
			timeout = int(i)
		}
		return nil, api.ChangeNodePowerState(ctx, node, str("new_state"), timeout, opts...)
	case MethodVendorPassthru:
		return api.VendorPassthru(ctx, node, str("driver_method"), str("http_method"), dict("info"), opts...)
	case MethodDriverVendorPassthru:
		return api.DriverVendorPassthru(ctx, str("driver_name"), str("driver_method"), str("http_method"), dict("info"), opts...)
	case MethodGetNodeVendorPassthruMethods:
		return api.GetNodeVendorPassthruMethods(ctx, node, opts...)
	case MethodGetDriverVendorPassthruMethods:
		return api.GetDriverVendorPassthruMethods(ctx, str("driver_name"), opts...)
	case MethodDoNodeDeploy:
		rebuild, _ := kw["rebuild"].(bool)
		return nil, api.DoNodeDeploy(ctx, node, rebuild, str("configdrive"), opts...)
	case MethodDoNodeTearDown:
		return nil, api.DoNodeTearDown(ctx, node, opts...)
	case MethodDoProvisioningAction:
		return nil, api.DoProvisioningAction(ctx, node, str("action"), opts...)
	case MethodContinueNodeClean:
		return nil, api.ContinueNodeClean(ctx, node, opts...)
	case MethodValidateDriverInterfaces:
		return api.ValidateDriverInterfaces(ctx, node, opts...)
	case MethodDestroyNode:
		return nil, api.DestroyNode(ctx, node, opts...)
	case MethodGetConsoleInformation:
		return api.GetConsoleInformation(ctx, node, opts...)
	case MethodSetConsoleMode:
		enabled, _ := kw["enabled"].(bool)
		return nil, api.SetConsoleMode(ctx, node, enabled, opts...)
	case MethodUpdatePort:
		return api.UpdatePort(ctx, obj("port_obj").(*objects.Port), opts...)
	case MethodUpdatePortgroup:
		return api.UpdatePortgroup(ctx, obj("portgroup_obj").(*objects.Portgroup), opts...)
	case MethodDestroyPortgroup:
		return nil, api.DestroyPortgroup(ctx, obj("portgroup").(*objects.Portgroup), opts...)
	case MethodGetDriverProperties:
		return api.GetDriverProperties(ctx, str("driver_name"), opts...)
	case MethodSetBootDevice:
		persistent, _ := kw["persistent"].(bool)
		return nil, api.SetBootDevice(ctx, node, str("device"), persistent, opts...)
	case MethodGetBootDevice:
		return api.GetBootDevice(ctx, node, opts...)
	case MethodInjectNMI:
		return nil, api.InjectNMI(ctx, node, opts...)
	case MethodGetSupportedBootDevices:
		return api.GetSupportedBootDevices(ctx, node, opts...)
	case MethodInspectHardware:
		return nil, api.InspectHardware(ctx, node, opts...)
	case MethodDestroyPort:
		return nil, api.DestroyPort(ctx, obj("port").(*objects.Port), opts...)
	case MethodSetTargetRAIDConfig:
		return nil, api.SetTargetRAIDConfig(ctx, node, dict("target_raid_config"), opts...)
	case MethodGetRAIDLogicalDiskProperties:
		return api.GetRAIDLogicalDiskProperties(ctx, str("driver_name"), opts...)
	case MethodDoNodeClean:
		var steps []map[string]any
		for _, s := range list("clean_steps") {
			steps = append(steps, s.(map[string]any))
		}
		return nil, api.DoNodeClean(ctx, node, steps, opts...)
	case MethodHeartbeat:
		return nil, api.Heartbeat(ctx, node, str("callback_url"), opts...)
	case MethodObjectClassActionVersions:
		return api.ObjectClassActionVersions(ctx, str("objname"), str("objmethod"), strDict("object_versions"), list("args"), dict("kwargs"), opts...)
	case MethodObjectAction:
		return api.ObjectAction(ctx, obj("objinst"), str("objmethod"), list("args"), dict("kwargs"), opts...)
	case MethodObjectBackportVersions:
		return api.ObjectBackportVersions(ctx, obj("objinst"), strDict("object_versions"), opts...)
	case MethodDestroyVolumeConnector:
		return nil, api.DestroyVolumeConnector(ctx, obj("connector").(*objects.VolumeConnector), opts...)
	case MethodUpdateVolumeConnector:
		return api.UpdateVolumeConnector(ctx, obj("connector").(*objects.VolumeConnector), opts...)
	case MethodDestroyVolumeTarget:
		return nil, api.DestroyVolumeTarget(ctx, obj("target").(*objects.VolumeTarget), opts...)
	case MethodUpdateVolumeTarget:
		return api.UpdateVolumeTarget(ctx, obj("target").(*objects.VolumeTarget), opts...)
	case MethodVIFAttach:
		return nil, api.VIFAttach(ctx, node, dict("vif_info"), opts...)
	case MethodVIFDetach:
		return nil, api.VIFDetach(ctx, node, str("vif_id"), opts...)
	case MethodVIFList:
		return api.VIFList(ctx, node, opts...)
	}
	t.Fatalf("callGo: no Go call for %s", c.Method)
	return nil, nil
}

// request is a decoded request message, as the recorder reports it.
type request struct {
	Method  string         `json:"method"`
	Version any            `json:"version"`
	Args    map[string]any `json:"args"`
	Call    bool           `json:"call"`
	Ctxt    map[string]any `json:"ctxt,omitempty"`
	Topic   string         `json:"-"`
}

// decodeRequest decodes an oslo envelope body.
func decodeRequest(t testing.TB, body []byte) request {
	t.Helper()
	var env struct {
		Msg string `json:"oslo.message"`
	}
	decodeJSON(t, body, &env)
	var m map[string]any
	decodeJSON(t, []byte(env.Msg), &m)
	r := request{Method: m["method"].(string), Version: m["version"], Ctxt: map[string]any{}}
	r.Args, _ = m["args"].(map[string]any)
	_, r.Call = m["_msg_id"]
	for k, v := range m {
		if c, ok := strings.CutPrefix(k, "_context_"); ok {
			r.Ctxt[c] = v
		}
	}
	return r
}

// knownDifferences are where Debian's client (RPC 1.55 capped at 1.40)
// sends what Ironic 7.0.0 does not: reported, not failed.
var knownDifferences = map[string][]string{
	MethodUpdateNode: {"reset_interfaces"}, // always sent by ironic >= 12 (1.46), even capped
}

// compareRequests compares what Go sent with what Python sent for the same
// call: method, version, call/cast and arguments, with objects compared
// by name, namespace, changes and the values of the fields Go encodes.
// Differences of object versions and known extra arguments are returned
// as notes; anything else fails t.
func compareRequests(t testing.TB, id string, py, gor request) (notes []string) {
	t.Helper()
	if py.Method != gor.Method || !cmp.Equal(py.Version, gor.Version) || py.Call != gor.Call {
		t.Errorf("%s: python sent %s v%v call=%v, go sent %s v%v call=%v", id, py.Method, py.Version, py.Call,
			gor.Method, gor.Version, gor.Call)
	}
	pyArgs := maps.Clone(py.Args)
	for _, k := range knownDifferences[py.Method] {
		if v, ok := pyArgs[k]; ok {
			if _, inGo := gor.Args[k]; !inGo {
				notes = append(notes, fmt.Sprintf("%s: python also sends %s=%v (newer than 1.40)", id, k, v))
				delete(pyArgs, k)
			}
		}
	}
	if !cmp.Equal(slices.Sorted(maps.Keys(pyArgs)), slices.Sorted(maps.Keys(gor.Args))) {
		t.Errorf("%s: argument names: python %v, go %v", id, slices.Sorted(maps.Keys(pyArgs)), slices.Sorted(maps.Keys(gor.Args)))
		return notes
	}
	for k, pv := range pyArgs {
		notes = append(notes, compareValues(t, id+" "+k, pv, gor.Args[k])...)
	}
	return notes
}

// compareValues compares two JSON values; object envelopes compare as
// compareObjects does.
func compareValues(t testing.TB, where string, py, gov any) (notes []string) {
	t.Helper()
	pm, pok := py.(map[string]any)
	gm, gok := gov.(map[string]any)
	if pok && gok {
		if _, isObj := pm[objects.KeyName]; isObj {
			return compareObjects(t, where, pm, gm)
		}
	}
	if !cmp.Equal(py, gov) {
		t.Errorf("%s: python %v, go %v\n%s", where, py, gov, cmp.Diff(py, gov))
	}
	return nil
}

// compareObjects compares two ironic_object envelopes: name, namespace,
// changes (as sets), and data on the fields of our version of the object;
// fields only Python's newer version has, and the version difference, are
// notes.
func compareObjects(t testing.TB, where string, py, gov map[string]any) (notes []string) {
	t.Helper()
	for _, k := range []string{objects.KeyName, objects.KeyNamespace} {
		if !cmp.Equal(py[k], gov[k]) {
			t.Errorf("%s: %s python %v, go %v", where, k, py[k], gov[k])
		}
	}
	if py[objects.KeyVersion] != gov[objects.KeyVersion] {
		notes = append(notes, fmt.Sprintf("%s: %s version python %v, go %v", where, py[objects.KeyName], py[objects.KeyVersion], gov[objects.KeyVersion]))
	}
	changes := func(m map[string]any) []string {
		var out []string
		l, _ := m[objects.KeyChanges].([]any)
		for _, c := range l {
			out = append(out, c.(string))
		}
		slices.Sort(out)
		return out
	}
	if pc, gc := changes(py), changes(gov); !cmp.Equal(pc, gc) {
		t.Errorf("%s: changes python %v, go %v", where, pc, gc)
	}
	name, _ := gov[objects.KeyName].(string)
	o, ok := objects.New(name)
	if !ok {
		t.Errorf("%s: unknown object %q", where, name)
		return notes
	}
	ours := map[string]bool{}
	for _, f := range objects.FieldNames(o) {
		ours[f] = true
	}
	pd, _ := py[objects.KeyData].(map[string]any)
	gd, _ := gov[objects.KeyData].(map[string]any)
	var pyOnly []string
	for k := range gd {
		if !ours[k] {
			t.Errorf("%s: go sent field %s outside its schema", where, k)
		}
	}
	for k, pv := range pd {
		if !ours[k] {
			pyOnly = append(pyOnly, fmt.Sprintf("%s=%v", k, pv))
			continue
		}
		gv, ok := gd[k]
		if !ok {
			t.Errorf("%s: field %s sent by python only", where, k)
			continue
		}
		compareValues(t, where+"."+k, pv, gv)
	}
	for k := range gd {
		if _, ok := pd[k]; !ok {
			t.Errorf("%s: field %s sent by go only", where, k)
		}
	}
	if len(pyOnly) > 0 {
		slices.Sort(pyOnly)
		notes = append(notes, fmt.Sprintf("%s: fields of python's newer %s only: %s", where, name, strings.Join(pyOnly, ", ")))
	}
	return notes
}

// recordingTransport records the requests a client publishes.
type recordingTransport struct {
	*messaging.InmemTransport
	mu   sync.Mutex
	sent []*messaging.Outgoing
}

func (r *recordingTransport) Send(ctx context.Context, m *messaging.Outgoing) error {
	if m.ReplyTo == "" {
		r.mu.Lock()
		cp := *m
		cp.Body = slices.Clone(m.Body)
		r.sent = append(r.sent, &cp)
		r.mu.Unlock()
	}
	return r.InmemTransport.Send(ctx, m)
}

// take returns and forgets the recorded requests.
func (r *recordingTransport) take() []*messaging.Outgoing {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := r.sent
	r.sent = nil
	return out
}

var _ messaging.Transport = (*recordingTransport)(nil)

// served is what a canned handler saw.
type served struct {
	method string
	args   any
	extra  map[string]json.RawMessage
	ctx    *messaging.RequestContext
}

// cannedHandler serves m with its canned result, reporting each request on
// seen. A node_id "raise:<Class>" returns that exception.
func cannedHandler[A, R any](t testing.TB, m *Method[A, R], results map[string]json.RawMessage, seen chan<- served) func(context.Context, A) (R, error) {
	return func(ctx context.Context, a A) (R, error) {
		var r R
		rc, _ := messaging.RequestContextFrom(ctx)
		seen <- served{method: m.Name(), args: a, extra: ExtraArgs(ctx), ctx: rc}
		var probe struct {
			NodeID string `json:"node_id"`
		}
		_ = json.Unmarshal(mustJSON(t, a), &probe)
		if cls, ok := strings.CutPrefix(probe.NodeID, "raise:"); ok {
			switch cls {
			case "NodeLocked":
				return r, exception.NodeLocked(testNode, "cond-b")
			case "plain":
				return r, errors.New("a Go error without a Python identity")
			}
			return r, exception.New(cls, nil)
		}
		if raw, ok := results[m.Name()]; ok {
			if err := json.Unmarshal(raw, &r); err != nil {
				return r, fmt.Errorf("canned result of %s: %w", m.Name(), err)
			}
		}
		return r, nil
	}
}

func canned[A, R any](t testing.TB, ep *Endpoint, m *Method[A, R], results map[string]json.RawMessage, seen chan<- served) {
	Register(ep, m, cannedHandler(t, m, results, seen))
}

// cannedEndpoint registers a canned handler for every method of the table.
func cannedEndpoint(t testing.TB, log zerolog.Logger, results map[string]json.RawMessage, seen chan<- served) *Endpoint {
	ep := NewEndpoint(log)
	canned(t, ep, RPCCreateNode, results, seen)
	canned(t, ep, RPCUpdateNode, results, seen)
	canned(t, ep, RPCChangeNodePowerState, results, seen)
	canned(t, ep, RPCVendorPassthru, results, seen)
	canned(t, ep, RPCDriverVendorPassthru, results, seen)
	canned(t, ep, RPCGetNodeVendorPassthruMethods, results, seen)
	canned(t, ep, RPCGetDriverVendorPassthruMethods, results, seen)
	canned(t, ep, RPCDoNodeDeploy, results, seen)
	canned(t, ep, RPCDoNodeTearDown, results, seen)
	canned(t, ep, RPCDoProvisioningAction, results, seen)
	canned(t, ep, RPCContinueNodeClean, results, seen)
	canned(t, ep, RPCValidateDriverInterfaces, results, seen)
	canned(t, ep, RPCDestroyNode, results, seen)
	canned(t, ep, RPCGetConsoleInformation, results, seen)
	canned(t, ep, RPCSetConsoleMode, results, seen)
	canned(t, ep, RPCUpdatePort, results, seen)
	canned(t, ep, RPCUpdatePortgroup, results, seen)
	canned(t, ep, RPCDestroyPortgroup, results, seen)
	canned(t, ep, RPCGetDriverProperties, results, seen)
	canned(t, ep, RPCSetBootDevice, results, seen)
	canned(t, ep, RPCGetBootDevice, results, seen)
	canned(t, ep, RPCInjectNMI, results, seen)
	canned(t, ep, RPCGetSupportedBootDevices, results, seen)
	canned(t, ep, RPCInspectHardware, results, seen)
	canned(t, ep, RPCDestroyPort, results, seen)
	canned(t, ep, RPCSetTargetRAIDConfig, results, seen)
	canned(t, ep, RPCGetRAIDLogicalDiskProperties, results, seen)
	canned(t, ep, RPCDoNodeClean, results, seen)
	canned(t, ep, RPCHeartbeat, results, seen)
	canned(t, ep, RPCObjectClassActionVersions, results, seen)
	canned(t, ep, RPCObjectAction, results, seen)
	canned(t, ep, RPCObjectBackportVersions, results, seen)
	canned(t, ep, RPCDestroyVolumeConnector, results, seen)
	canned(t, ep, RPCUpdateVolumeConnector, results, seen)
	canned(t, ep, RPCDestroyVolumeTarget, results, seen)
	canned(t, ep, RPCUpdateVolumeTarget, results, seen)
	canned(t, ep, RPCVIFAttach, results, seen)
	canned(t, ep, RPCVIFDetach, results, seen)
	canned(t, ep, RPCVIFList, results, seen)
	return ep
}

// jsonValue returns v as a generic JSON value (numbers as json.Number).
func jsonValue(t testing.TB, v any) any {
	t.Helper()
	var out any
	decodeJSON(t, mustJSON(t, v), &out)
	return out
}

// inmemEnv is a Go client and a Go conductor serving canned results on one
// in-memory broker.
type inmemEnv struct {
	rec     *recordingTransport
	server  *messaging.InmemTransport
	api     *ConductorAPI
	results map[string]json.RawMessage
	seen    chan served
}

const testHost = "cond-a"

func newInmemEnv(t *testing.T, cfg Config) *inmemEnv {
	t.Helper()
	broker := messaging.NewInmemBroker()
	e := &inmemEnv{
		rec:     &recordingTransport{InmemTransport: messaging.NewInmemTransport(messaging.InmemConfig{Broker: broker, ControlExchange: "ironic"})},
		server:  messaging.NewInmemTransport(messaging.InmemConfig{Broker: broker, ControlExchange: "ironic"}),
		results: loadResults(t),
		seen:    make(chan served, 256),
	}
	log := zerolog.New(zerolog.NewTestWriter(t)).Level(zerolog.DebugLevel)
	ep := cannedEndpoint(t, log, e.results, e.seen)
	if missing := ep.Missing(); len(missing) > 0 {
		t.Fatalf("endpoint misses %v", missing)
	}
	srv, err := messaging.NewServer(e.server, messaging.Target{Topic: TopicConductorManager, Server: testHost},
		[]messaging.Endpoint{ep.Messaging()}, messaging.ServerConfig{Logger: log})
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Start(t.Context()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Stop(ctx)
		_ = e.rec.Close()
		_ = e.server.Close()
	})
	cfg.Logger = log
	if cfg.Timeout == 0 {
		cfg.Timeout = 10 * time.Second
	}
	e.api, err = New(e.rec, cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// hostTopic is the topic get_topic_for gives for the test conductor.
func hostTopic() string { return TopicConductorManager + "." + testHost }

// optsFor routes a case as Ironic does: object_* methods to the bare
// topic, the others to the conductor's host topic.
func optsFor(method string) []CallOption {
	for _, m := range Methods() {
		if m.Name == method && m.Route == RouteBare {
			return nil
		}
	}
	return []CallOption{WithTopic(hostTopic())}
}

// waitServed returns the next request the canned conductor saw.
func (e *inmemEnv) waitServed(t *testing.T) served {
	t.Helper()
	select {
	case s := <-e.seen:
		return s
	case <-time.After(10 * time.Second):
		t.Fatal("the conductor saw no request")
		return served{}
	}
}
