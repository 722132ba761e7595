package rpcapi

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/ironic-go/ironic-go/messaging"
	"github.com/ironic-go/ironic-go/objects"
	"github.com/ironic-go/ironic-go/objects/exception"
	"github.com/rs/zerolog"
)

// TestHandleToleratesNewerArguments: what Debian's client sends to a 1.40
// conductor decodes, the extra arguments are logged and handed over.
func TestHandleToleratesNewerArguments(t *testing.T) {
	var logs bytes.Buffer
	log := zerolog.New(&logs).Level(zerolog.DebugLevel)
	ep := NewEndpoint(log)
	var got HeartbeatArgs
	var extra map[string]json.RawMessage
	Register(ep, RPCHeartbeat, func(ctx context.Context, a HeartbeatArgs) (None, error) {
		got, extra = a, ExtraArgs(ctx)
		return None{}, nil
	})
	h := ep.Messaging().Methods[MethodHeartbeat]
	res, err := h(t.Context(), messaging.Args(`{"node_id": "`+testNode+`", "callback_url": "http://x:9999",
		"agent_version": "9.4.0", "agent_token": "secret", "agent_verify_ca": null, "agent_status": "ok", "agent_status_message": null}`))
	if err != nil {
		t.Fatal(err)
	}
	if b, _ := json.Marshal(res); string(b) != "null" {
		t.Errorf("result %s, want null", b)
	}
	if got.NodeID != testNode || got.CallbackURL != "http://x:9999" {
		t.Errorf("args %+v", got)
	}
	if len(extra) != 5 || string(extra["agent_version"]) != `"9.4.0"` {
		t.Errorf("extra %v", extra)
	}
	if !strings.Contains(logs.String(), `"args":["agent_status","agent_status_message","agent_token","agent_verify_ca","agent_version"]`) ||
		!strings.Contains(logs.String(), `"level":"debug"`) || !strings.Contains(logs.String(), `"method":"heartbeat"`) {
		t.Errorf("log %s", logs.String())
	}

	// Handle alone logs on the ctx logger.
	logs.Reset()
	h = Handle(RPCUpdateNode, func(ctx context.Context, a NodeObjArgs) (*objects.Node, error) { return a.NodeObj, nil })
	nodeJSON := `{"ironic_object.name": "Node", "ironic_object.namespace": "ironic", "ironic_object.version": "1.37",
		"ironic_object.data": {"uuid": "` + testNode + `", "traits": null, "protected": false}, "ironic_object.changes": ["protected"]}`
	res, err = h(log.WithContext(t.Context()), messaging.Args(`{"node_obj": `+nodeJSON+`, "reset_interfaces": false}`))
	if err != nil {
		t.Fatal(err)
	}
	n := res.(*objects.Node)
	if n.UUID == nil || *n.UUID != testNode {
		t.Errorf("node %+v", n)
	}
	if !strings.Contains(logs.String(), `"args":["reset_interfaces"]`) {
		t.Errorf("log %s", logs.String())
	}
	if ExtraArgs(t.Context()) != nil {
		t.Error("ExtraArgs of a bare ctx")
	}
}

func TestHandleMissingArguments(t *testing.T) {
	h := Handle(RPCVendorPassthru, func(context.Context, VendorPassthruArgs) (VendorPassthruResult, error) {
		t.Fatal("handler called")
		return VendorPassthruResult{}, nil
	})
	for args, want := range map[string]string{
		`{"node_id": "x", "driver_method": "m", "http_method": "POST"}`: "ConductorManager.vendor_passthru() missing 1 required positional argument: 'info'",
		`{"node_id": "x", "driver_method": "m"}`:                        "ConductorManager.vendor_passthru() missing 2 required positional arguments: 'http_method' and 'info'",
		`{}`:                                                            "ConductorManager.vendor_passthru() missing 4 required positional arguments: 'node_id', 'driver_method', 'http_method', and 'info'",
		`[1]`:                                                           "ConductorManager.vendor_passthru() argument after ** must be a mapping",
	} {
		_, err := h(t.Context(), messaging.Args(args))
		var ex *messaging.Exception
		if !errors.As(err, &ex) || ex.Module != "builtins" || ex.Class != "TypeError" || ex.Message != want {
			t.Errorf("%s: %v, want TypeError %q", args, err, want)
		}
	}
	// Arguments with a default may be missing.
	h = Handle(RPCChangeNodePowerState, func(_ context.Context, a ChangeNodePowerStateArgs) (None, error) {
		if a.Timeout != nil || a.NewState != "power on" {
			t.Errorf("args %+v", a)
		}
		return None{}, nil
	})
	if _, err := h(t.Context(), messaging.Args(`{"node_id": "x", "new_state": "power on"}`)); err != nil {
		t.Fatal(err)
	}
	// A value of the wrong type is a TypeError too.
	if _, err := h(t.Context(), messaging.Args(`{"node_id": "x", "new_state": ["power on"]}`)); err == nil {
		t.Fatal("a list new_state decoded")
	}
}

func TestNodeIDDecoding(t *testing.T) {
	for in, want := range map[string]NodeID{`"` + testNode + `"`: testNode, `42`: "42", `null`: "", ` 7 `: "7"} {
		var id NodeID
		if err := json.Unmarshal([]byte(in), &id); err != nil || id != want {
			t.Errorf("%s: %q %v", in, id, err)
		}
	}
	for _, in := range []string{`1.5`, `true`, `{}`, `[]`, `1e3`} {
		var id NodeID
		if err := json.Unmarshal([]byte(in), &id); err == nil {
			t.Errorf("%s decoded to %q", in, id)
		}
	}
	if err := new(NodeID).UnmarshalJSON(nil); err == nil {
		t.Error("empty input decoded")
	}
}

func TestEndpointMissingAndVersion(t *testing.T) {
	ep := NewEndpoint(zerolog.Nop())
	if len(ep.Missing()) != 39 {
		t.Fatalf("missing %d", len(ep.Missing()))
	}
	Register(ep, RPCInjectNMI, func(context.Context, NodeArgs) (None, error) { return None{}, nil })
	if m := ep.Missing(); len(m) != 38 || contains(m, MethodInjectNMI) {
		t.Fatalf("missing %v", m)
	}
	me := ep.Messaging()
	if me.Version != messaging.V(1, 40) || me.Namespace != "" || len(me.Methods) != 1 {
		t.Fatalf("endpoint %+v", me)
	}
}

func contains(l []string, s string) bool {
	for _, x := range l {
		if x == s {
			return true
		}
	}
	return false
}

// TestResultEncoding checks what the server adapter sends for each result
// type: the same JSON a Python conductor returns.
func TestResultEncoding(t *testing.T) {
	tr, f := true, false
	reason := "not supported"
	pxe := "pxe"
	for name, tc := range map[string]struct {
		v    any
		want string
	}{
		"None":         {None{}, `null`},
		"boot device":  {BootDevice{BootDevice: &pxe, Persistent: &f}, `{"boot_device": "pxe", "persistent": false}`},
		"unknown boot": {BootDevice{}, `{"boot_device": null, "persistent": null}`},
		"passthru":     {VendorPassthruResult{Return: map[string]any{"a": 1}, Async: false, Attach: true}, `{"return": {"a": 1}, "async": false, "attach": true}`},
		"validation": {map[string]InterfaceValidation{"power": {Result: &tr}, "raid": {Reason: &reason}},
			`{"power": {"result": true}, "raid": {"result": null, "reason": "not supported"}}`},
		"vendor method": {map[string]VendorMethod{"m": {HTTPMethods: []string{"POST"}, Async: true, RequireExclusiveLock: &tr}},
			`{"m": {"http_methods": ["POST"], "async": true, "description": "", "attach": false, "require_exclusive_lock": true}}`},
		"vif list":      {[]VIF{{ID: "v1"}}, `[{"id": "v1"}]`},
		"console":       {ConsoleInfo{"type": "socat", "url": "tcp://192.0.2.1:8023"}, `{"type": "socat", "url": "tcp://192.0.2.1:8023"}`},
		"object action": {ObjectActionResult{Updates: map[string]any{"maintenance": true}}, `[{"maintenance": true}, null]`},
		"object nil":    {ObjectValue{}, `null`},
	} {
		got, err := json.Marshal(tc.v)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		var g, w any
		decodeJSON(t, got, &g)
		decodeJSON(t, []byte(tc.want), &w)
		if !cmp.Equal(g, w) {
			t.Errorf("%s: %s, want %s", name, got, tc.want)
		}
	}
}

func TestObjectActionResultDecoding(t *testing.T) {
	var r ObjectActionResult
	if err := json.Unmarshal([]byte(`[{"power_state": "power on", "obj_what_changed": ["power_state"], "n": 3}, {"x": 1}]`), &r); err != nil {
		t.Fatal(err)
	}
	if r.Updates["n"] != json.Number("3") || string(r.Result) != `{"x": 1}` {
		t.Errorf("%+v", r)
	}
	for _, bad := range []string{`{}`, `[1]`, `[1, 2, 3]`, `[[], null]`} {
		if err := json.Unmarshal([]byte(bad), &r); err == nil {
			t.Errorf("%s decoded", bad)
		}
	}
	var ov ObjectValue
	if err := json.Unmarshal([]byte(`{"ironic_object.name": "Chassis", "ironic_object.namespace": "ironic", "ironic_object.version": "1.3", "ironic_object.data": {"id": 1}}`), &ov); err != nil {
		t.Fatal(err)
	}
	if ov.ObjName() != "Chassis" {
		t.Errorf("decoded %v", ov.Object)
	}
	if err := json.Unmarshal([]byte(`{"ironic_object.name": "Nope", "ironic_object.namespace": "ironic", "ironic_object.version": "1.0", "ironic_object.data": {}}`), &ov); err == nil {
		t.Error("unknown object decoded")
	}
	if err := json.Unmarshal([]byte(`null`), &ov); err != nil || ov.Object != nil {
		t.Errorf("null: %v %v", ov.Object, err)
	}
	var none None
	if err := json.Unmarshal([]byte(`{"anything": 1}`), &none); err != nil {
		t.Error(err)
	}
}

// TestRemoteExceptions: a conductor's Ironic exception comes back typed,
// anything else as *messaging.RemoteError.
func TestRemoteExceptions(t *testing.T) {
	e := newInmemEnv(t, Config{})
	err := e.api.ChangeNodePowerState(t.Context(), "raise:NodeLocked", "power on", 0, WithTopic(hostTopic()))
	e.waitServed(t)
	var exc *exception.Error
	if !errors.As(err, &exc) || exc.Class != "NodeLocked" || !errors.Is(err, exception.ErrNodeLocked) ||
		!errors.Is(err, exception.ErrConflict) || exc.Code() != 409 {
		t.Fatalf("got %T %v", err, err)
	}
	if exc.Kwargs["node"] != testNode || exc.Kwargs["host"] != "cond-b" || exc.Msg != exception.NodeLocked(testNode, "cond-b").Msg {
		t.Errorf("kwargs %v msg %q", exc.Kwargs, exc.Msg)
	}
	var rie *RemoteIronicError
	var re *messaging.RemoteError
	if !errors.As(err, &rie) || !errors.As(err, &re) || re.Module != exception.Module || re.Class != "NodeLocked" {
		t.Errorf("remote failure not in the chain: %v", err)
	}
	if !strings.HasPrefix(err.Error(), "rpcapi: change_node_power_state: Node "+testNode+" is locked by host cond-b") {
		t.Errorf("message %q", err)
	}
	// A Go error is sent by the server as builtins.Exception.
	err = e.api.InjectNMI(t.Context(), "raise:plain", WithTopic(hostTopic()))
	e.waitServed(t)
	if !errors.As(err, &re) || re.Module != "builtins" || errors.As(err, &exc) {
		t.Errorf("plain error came back as %T %v", err, err)
	}
	// A class of the Ironic module unknown to ironic-go stays a RemoteError.
	err = e.api.InjectNMI(t.Context(), "raise:SomethingNew", WithTopic(hostTopic()))
	e.waitServed(t)
	if !errors.As(err, &re) || re.Class != "SomethingNew" || errors.As(err, &exc) {
		t.Errorf("unknown class came back as %T %v", err, err)
	}
	// The cast never reports the conductor's errors.
	if err := e.api.ContinueNodeClean(t.Context(), "raise:NodeLocked", WithTopic(hostTopic())); err != nil {
		t.Errorf("cast: %v", err)
	}
	e.waitServed(t)
}

func TestDecodeIronicException(t *testing.T) {
	dec := AllowedRemoteModules()
	re := &messaging.RemoteError{Module: "ironic_lib.exception", Class: "IronicException", Message: "boom",
		Kwargs: map[string]any{"code": json.Number("500")}}
	err := dec["ironic_lib.exception"](re)
	var exc *exception.Error
	if !errors.As(err, &exc) || exc.Class != "IronicException" || exc.Msg != "boom" {
		t.Fatalf("IronicException: %T %v", err, err)
	}
	re = &messaging.RemoteError{Module: exception.Module, Class: "DriverNotFound", Message: "Could not find the following driver(s) or hardware type(s): x.",
		Kwargs: map[string]any{"driver_name": `"x"`, "code": json.Number("404")}}
	err = dec[exception.Module](re)
	if !errors.Is(err, exception.ErrDriverNotFound) {
		t.Fatalf("DriverNotFound: %v", err)
	}
	var rie *RemoteIronicError
	if !errors.As(err, &rie) || rie.Err.Kwargs["driver_name"] != "x" {
		t.Errorf("DriverNotFound: %v", err)
	}
	// nil, not a typed nil, for classes it does not know.
	if err := dec[exception.Module](&messaging.RemoteError{Module: exception.Module, Class: "Nope"}); err != nil {
		t.Fatalf("unknown class: %#v", err)
	}
}

func TestNilArguments(t *testing.T) {
	e := newInmemEnv(t, Config{})
	ctx := t.Context()
	for name, f := range map[string]func() error{
		"create_node":              func() error { _, err := e.api.CreateNode(ctx, nil); return err },
		"update_node":              func() error { _, err := e.api.UpdateNode(ctx, nil); return err },
		"update_port":              func() error { _, err := e.api.UpdatePort(ctx, nil); return err },
		"update_portgroup":         func() error { _, err := e.api.UpdatePortgroup(ctx, nil); return err },
		"destroy_portgroup":        func() error { return e.api.DestroyPortgroup(ctx, nil) },
		"destroy_port":             func() error { return e.api.DestroyPort(ctx, nil) },
		"object_action":            func() error { _, err := e.api.ObjectAction(ctx, nil, "save", nil, nil); return err },
		"object_backport_versions": func() error { _, err := e.api.ObjectBackportVersions(ctx, nil, nil); return err },
		"destroy_volume_connector": func() error { return e.api.DestroyVolumeConnector(ctx, nil) },
		"update_volume_connector":  func() error { _, err := e.api.UpdateVolumeConnector(ctx, nil); return err },
		"destroy_volume_target":    func() error { return e.api.DestroyVolumeTarget(ctx, nil) },
		"update_volume_target":     func() error { _, err := e.api.UpdateVolumeTarget(ctx, nil); return err },
	} {
		if err := f(); !errors.Is(err, ErrNilArgument) {
			t.Errorf("%s(nil): %v", name, err)
		}
	}
	if n := len(e.rec.take()); n != 0 {
		t.Errorf("%d requests sent", n)
	}
}

// TestNilCollectionsAreSentEmpty: nil maps and lists go out as {} and [],
// as Ironic's API always passes them.
func TestNilCollectionsAreSentEmpty(t *testing.T) {
	e := newInmemEnv(t, Config{})
	ctx, topic := t.Context(), WithTopic(hostTopic())
	if _, err := e.api.VendorPassthru(ctx, testNode, "m", "POST", nil, topic); err != nil {
		t.Fatal(err)
	}
	if err := e.api.DoNodeClean(ctx, testNode, nil, topic); err != nil {
		t.Fatal(err)
	}
	if _, err := e.api.ObjectClassActionVersions(ctx, "Node", "list", map[string]string{"Node": "1.21"}, nil, nil); err != nil {
		t.Fatal(err)
	}
	for _, out := range e.rec.take() {
		e.waitServed(t)
		r := decodeRequest(t, out.Body)
		for k, v := range r.Args {
			if v == nil {
				t.Errorf("%s: %s sent as null", r.Method, k)
			}
		}
	}
}

func TestCallTimeoutOption(t *testing.T) {
	// No conductor listens on this topic: the call times out after the
	// per-call timeout.
	e := newInmemEnv(t, Config{})
	err := e.api.InjectNMI(t.Context(), testNode, WithTopic("nobody.listens"), WithTimeout(50*time.Millisecond))
	if !errors.Is(err, messaging.ErrTimeout) || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("got %v", err)
	}
}
