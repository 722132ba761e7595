//go:build integration

package conductor_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ironic-go/ironic-go/db"
	"github.com/ironic-go/ironic-go/objects"
	"github.com/ironic-go/ironic-go/objects/exception"
	"github.com/ironic-go/ironic-go/rpcapi"
)

// The end-to-end tests run one scenario, covering every method of RPC API
// 1.40 with its results, its exceptions and the node states they leave,
// twice against a Go conductor on RabbitMQ and PostgreSQL (its own
// schema): once from ironic-go's rpcapi, once from Debian's python3-ironic
// ConductorAPI capped at 1.40 (testdata/pyapi.py), which sees Ironic's own
// exception classes. Ports, portgroups and volume objects are inserted in
// the database, as Ironic 7.0.0's API does, before the calls that use
// them.

// scenario is the state the steps of one run share.
type scenario struct {
	t    *testing.T
	env  *itEnv
	cond *itConductor
	// uuids of the nodes and objects by name.
	uuids map[string]string
}

func (s *scenario) uuid(name string) string {
	u, ok := s.uuids[name]
	if !ok {
		u = newUUID()
		s.uuids[name] = u
	}
	return u
}

// nodeTopic is the topic the API would route the node's calls to (one
// conductor: its own).
func (s *scenario) topic() string { return s.env.hostTopic(s.cond.host) }

func (s *scenario) node(name string) *objects.Node {
	s.t.Helper()
	n, err := s.env.store.GetNodeByUUID(context.WithoutCancel(s.t.Context()), s.uuid(name))
	if err != nil {
		s.t.Fatalf("node %s: %v", name, err)
	}
	return n
}

// loadNode is what the API does before update_node: load the node, then
// patch it (the patched fields are its changes).
func (s *scenario) loadNode(name string, changes map[string]any) *objects.Node {
	s.t.Helper()
	n := s.node(name)
	n.ResetChanges()
	for f, v := range changes {
		if err := n.Set(f, v); err != nil {
			s.t.Fatalf("set %s: %v", f, err)
		}
	}
	return n
}

// setField writes node fields directly in the database (a test shortcut
// to a starting state, e.g. a cleaning that waits for its agent).
func (s *scenario) setFields(name string, fields map[string]any) {
	s.t.Helper()
	n := s.loadNode(name, fields)
	if _, err := s.env.store.UpdateNode(context.WithoutCancel(s.t.Context()), n); err != nil {
		s.t.Fatal(err)
	}
}

// newNode is the node POST /v1/nodes builds, with its fields.
func (s *scenario) newNodeFields(name string, extra map[string]any) map[string]any {
	f := map[string]any{"uuid": s.uuid(name), "name": "e2e-" + name, "driver": "fake-hardware",
		"provision_state": "enroll", "properties": map[string]any{"cpus": 4, "memory_mb": 1024, "local_gb": 10}}
	for k, v := range extra {
		f[k] = v
	}
	return f
}

func nodeFromFields(t *testing.T, fields map[string]any) *objects.Node {
	t.Helper()
	n := &objects.Node{}
	for k, v := range fields {
		if err := n.Set(k, v); err != nil {
			t.Fatalf("node field %s: %v", k, err)
		}
	}
	return n
}

// e2eStep is one call of the scenario, made the same way by both clients.
type e2eStep struct {
	name string
	// node is the node the call concerns: it is snapshotted before, and
	// must be unlocked (and unchanged after an error) afterwards. "" for
	// driver-level and object calls.
	node string
	// bare sends the call to the bare topic (object_*), not the
	// conductor's.
	bare   bool
	setup  func(s *scenario)
	method string
	py     func(s *scenario) map[string]any
	gocall func(ctx context.Context, s *scenario, api *rpcapi.ConductorAPI, to rpcapi.CallOption) (any, error)
	// err is the Ironic class the exception must be an instance of; ""
	// means the call succeeds. class is the exact class when it differs,
	// code the HTTP status.
	err   string
	class string
	code  int
	// msg is a substring of the exception's message.
	msg string
	// result checks the call's result, as JSON.
	result func(t *testing.T, s *scenario, res any)
	// wait is the node state to reach after a successful call (the lock
	// released too).
	wait func(n *objects.Node) bool
	// gone: the node is deleted by the call.
	gone bool
	// after runs after the checks (undoing setup).
	after func(s *scenario)
}

// outcome is what a client saw.
type outcome struct {
	result     any
	errClass   string
	errCode    int
	errMsg     string
	isInstance bool
}

// e2eClient makes one step's call.
type e2eClient func(s *scenario, st e2eStep) outcome

func goClient(api *rpcapi.ConductorAPI) e2eClient {
	return func(s *scenario, st e2eStep) outcome {
		to := rpcapi.WithTopic(s.topic())
		if st.bare {
			to = rpcapi.WithTopic("")
		}
		res, err := st.gocall(s.t.Context(), s, api, to)
		if err != nil {
			var ie *exception.Error
			if !errors.As(err, &ie) {
				s.t.Fatalf("%s: %v (%T), not an Ironic exception", st.name, err, err)
			}
			return outcome{errClass: ie.Class, errCode: ie.Code(), errMsg: ie.Msg,
				isInstance: st.err != "" && exception.IsSubclass(ie.Class, st.err)}
		}
		return outcome{result: asJSON(s.t, res)}
	}
}

func pyClient(p *pyPeer) e2eClient {
	return func(s *scenario, st e2eStep) outcome {
		req := pyRequest{ID: st.name, Method: st.method, Kwargs: st.py(s), Expect: st.err}
		if !st.bare {
			req.Topic = s.topic()
		}
		r := p.call(req)
		if !r.OK {
			e := r.Error
			o := outcome{errClass: e.Class, errMsg: e.Message}
			if e.Code != nil {
				o.errCode = *e.Code
			}
			if e.IsInstance != nil {
				o.isInstance = *e.IsInstance
			}
			return o
		}
		var v any
		if len(r.Result) > 0 {
			if err := json.Unmarshal(r.Result, &v); err != nil {
				s.t.Fatal(err)
			}
		}
		return outcome{result: v}
	}
}

// asJSON is v as a decoded JSON value.
func asJSON(t *testing.T, v any) any {
	t.Helper()
	if _, ok := v.(rpcapi.None); ok {
		return nil
	}
	raw, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var out any
	if err := json.Unmarshal(raw, &out); err != nil {
		t.Fatal(err)
	}
	return out
}

// objData returns the ironic_object.data of an encoded object.
func objData(t *testing.T, v any) map[string]any {
	t.Helper()
	m, _ := v.(map[string]any)
	d, ok := m["ironic_object.data"].(map[string]any)
	if !ok {
		t.Fatalf("not an object: %s", jsonString(v))
	}
	return d
}

// snapshot is what must not change when a call fails.
type snapshot struct {
	provision, target, power, targetPower, reservation, lastError string
	maintenance, console                                          bool
	extra                                                         string
}

func snap(n *objects.Node) snapshot {
	return snapshot{deref(n.ProvisionState), deref(n.TargetProvisionState), deref(n.PowerState), deref(n.TargetPowerState),
		deref(n.Reservation), deref(n.LastError), n.Maintenance, n.ConsoleEnabled, jsonString(n.Extra)}
}

// runScenario runs the steps with client against a fresh Go conductor.
func runScenario(t *testing.T, env *itEnv, cond *itConductor, client e2eClient) {
	s := &scenario{t: t, env: env, cond: cond, uuids: map[string]string{}}
	for _, st := range e2eSteps() {
		if t.Failed() {
			t.Fatalf("stopping before %q", st.name)
		}
		if st.setup != nil {
			st.setup(s)
		}
		var before *objects.Node
		if st.node != "" {
			if n, err := env.store.GetNodeByUUID(t.Context(), s.uuid(st.node)); err == nil {
				before = n
			}
		}
		o := client(s, st)
		t.Logf("%s → %s%s", st.name, o.errClass, strings.TrimPrefix(" "+jsonString(o.result), " null"))
		switch {
		case st.err == "" && o.errClass != "":
			t.Errorf("%s: %s (%d): %s", st.name, o.errClass, o.errCode, o.errMsg)
		case st.err != "" && o.errClass == "":
			t.Errorf("%s: succeeded with %s, want %s", st.name, jsonString(o.result), st.err)
		case st.err != "":
			want := st.class
			if want == "" {
				want = st.err
			}
			if o.errClass != want || !o.isInstance || o.errCode != st.code {
				t.Errorf("%s: %s (code %d, isinstance %s: %v): %s; want %s (code %d)",
					st.name, o.errClass, o.errCode, st.err, o.isInstance, o.errMsg, want, st.code)
			}
			if st.msg != "" && !strings.Contains(o.errMsg, st.msg) {
				t.Errorf("%s: message %q does not contain %q", st.name, o.errMsg, st.msg)
			}
			if before != nil {
				after := waitFor(t, env.store, s.uuid(st.node), "the node as it was", 10*time.Second, func(n *objects.Node) bool {
					return deref(n.Reservation) == deref(before.Reservation)
				})
				if a, b := snap(after), snap(before); a != b {
					t.Errorf("%s: the failed call changed the node:\n before %+v\n after  %+v", st.name, b, a)
				}
			}
		default:
			if st.result != nil {
				st.result(t, s, o.result)
			}
			switch {
			case st.gone:
				deadline := time.Now().Add(10 * time.Second)
				for {
					_, err := env.store.GetNodeByUUID(t.Context(), s.uuid(st.node))
					if errors.Is(err, exception.ErrNodeNotFound) {
						break
					}
					if time.Now().After(deadline) {
						t.Fatalf("%s: node still there: %v", st.name, err)
					}
					time.Sleep(20 * time.Millisecond)
				}
			case st.node != "":
				cond := st.wait
				if cond == nil {
					cond = func(*objects.Node) bool { return true }
				}
				waitFor(t, env.store, s.uuid(st.node), st.name, 20*time.Second, func(n *objects.Node) bool {
					return n.Reservation == nil && cond(n)
				})
			}
		}
		if st.after != nil {
			st.after(s)
		}
	}
	if left := reservations(t, env.store); len(left) != 0 {
		t.Errorf("reservations left: %v", left)
	}
}

func state(provision string) func(n *objects.Node) bool {
	return func(n *objects.Node) bool {
		return deref(n.ProvisionState) == provision && n.TargetProvisionState == nil
	}
}

func resultEquals(want string) func(t *testing.T, s *scenario, res any) {
	return func(t *testing.T, _ *scenario, res any) {
		t.Helper()
		var w any
		if err := json.Unmarshal([]byte(want), &w); err != nil {
			t.Fatal(err)
		}
		if jsonString(res) != jsonString(w) {
			t.Errorf("result %s, want %s", jsonString(res), want)
		}
	}
}

// Shorthands for the node_id calls.
func nodeKw(s *scenario, name string, kv ...any) map[string]any {
	m := map[string]any{"node_id": s.uuid(name)}
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i].(string)] = kv[i+1]
	}
	return m
}

func e2eSteps() []e2eStep {
	unit := func(err error) (any, error) { return rpcapi.None{}, err }
	createNode := func(name string, extra map[string]any) e2eStep {
		return e2eStep{
			name: "create_node " + name, method: "create_node",
			py: func(s *scenario) map[string]any {
				return map[string]any{"node_obj": map[string]any{"$new": "Node", "fields": s.newNodeFields(name, extra)}}
			},
			gocall: func(ctx context.Context, s *scenario, api *rpcapi.ConductorAPI, to rpcapi.CallOption) (any, error) {
				return api.CreateNode(ctx, nodeFromFields(s.t, s.newNodeFields(name, extra)), to)
			},
		}
	}
	updateNode := func(name string, changes map[string]any) e2eStep {
		return e2eStep{
			name: fmt.Sprintf("update_node %s %v", name, slices.Sorted(mapsKeys(changes))), node: name, method: "update_node",
			py: func(s *scenario) map[string]any {
				// Debian's client always adds reset_interfaces=False (RPC 1.46).
				return map[string]any{"node_obj": load("Node", s.uuid(name), changes)}
			},
			gocall: func(ctx context.Context, s *scenario, api *rpcapi.ConductorAPI, to rpcapi.CallOption) (any, error) {
				return api.UpdateNode(ctx, s.loadNode(name, changes), to)
			},
		}
	}
	power := func(name, target string) e2eStep {
		return e2eStep{
			name: "change_node_power_state " + name + " " + target, node: name, method: "change_node_power_state",
			py: func(s *scenario) map[string]any { return nodeKw(s, name, "new_state", target) },
			gocall: func(ctx context.Context, s *scenario, api *rpcapi.ConductorAPI, to rpcapi.CallOption) (any, error) {
				return unit(api.ChangeNodePowerState(ctx, s.uuid(name), target, 0, to))
			},
		}
	}
	provision := func(name, action string) e2eStep {
		return e2eStep{
			name: "do_provisioning_action " + name + " " + action, node: name, method: "do_provisioning_action",
			py: func(s *scenario) map[string]any { return nodeKw(s, name, "action", action) },
			gocall: func(ctx context.Context, s *scenario, api *rpcapi.ConductorAPI, to rpcapi.CallOption) (any, error) {
				return unit(api.DoProvisioningAction(ctx, s.uuid(name), action, to))
			},
		}
	}
	nodeCall := func(method, name string, g func(ctx context.Context, api *rpcapi.ConductorAPI, uuid string, to rpcapi.CallOption) (any, error)) e2eStep {
		return e2eStep{
			name: method + " " + name, node: name, method: method,
			py: func(s *scenario) map[string]any { return nodeKw(s, name) },
			gocall: func(ctx context.Context, s *scenario, api *rpcapi.ConductorAPI, to rpcapi.CallOption) (any, error) {
				return g(ctx, api, s.uuid(name), to)
			},
		}
	}
	vendor := func(name, method, http string, info map[string]any) e2eStep {
		return e2eStep{
			name: fmt.Sprintf("vendor_passthru %s %s %s %v", name, http, method, info), node: name, method: "vendor_passthru",
			py: func(s *scenario) map[string]any {
				return nodeKw(s, name, "driver_method", method, "http_method", http, "info", info)
			},
			gocall: func(ctx context.Context, s *scenario, api *rpcapi.ConductorAPI, to rpcapi.CallOption) (any, error) {
				return api.VendorPassthru(ctx, s.uuid(name), method, http, info, to)
			},
		}
	}
	driverCall := func(method, driver string, g func(ctx context.Context, api *rpcapi.ConductorAPI, to rpcapi.CallOption) (any, error)) e2eStep {
		return e2eStep{
			name: method + " " + driver, method: method,
			py: func(*scenario) map[string]any { return map[string]any{"driver_name": driver} },
			gocall: func(ctx context.Context, _ *scenario, api *rpcapi.ConductorAPI, to rpcapi.CallOption) (any, error) {
				return g(ctx, api, to)
			},
		}
	}
	with := func(st e2eStep, f func(*e2eStep)) e2eStep { f(&st); return st }
	fails := func(st e2eStep, class string, code int, msg string) e2eStep {
		st.err, st.code, st.msg = class, code, msg
		return st
	}
	waits := func(st e2eStep, cond func(n *objects.Node) bool) e2eStep { st.wait = cond; return st }

	raidOK := map[string]any{"logical_disks": []any{map[string]any{"size_gb": 100, "raid_level": "1", "is_root_volume": true}}}
	raidBad := map[string]any{"logical_disks": []any{map[string]any{"size_gb": "big", "raid_level": "1"}}}

	return []e2eStep{
		// ---- enrolment ----
		with(createNode("main", nil), func(st *e2eStep) {
			st.result = func(t *testing.T, s *scenario, res any) {
				d := objData(t, res)
				if d["uuid"] != s.uuid("main") || d["provision_state"] != "enroll" || d["power_interface"] != "fake" ||
					d["deploy_interface"] != "fake" || d["vendor_interface"] != "fake" || d["network_interface"] != "noop" {
					t.Errorf("created node: %s", jsonString(d))
				}
			}
		}),
		createNode("strict", map[string]any{"power_interface": strictName}),
		createNode("assoc", nil),
		fails(createNode("unknown-driver", map[string]any{"driver": "no-such-driver"}), "DriverNotFound", 404, "no-such-driver"),
		fails(createNode("bad-properties", map[string]any{"properties": map[string]any{"cpus": "many"}}), "InvalidParameterValue", 400, "cpus"),
		with(fails(createNode("bad-interface", map[string]any{"power_interface": "ipmitool"}), "InvalidParameterValue", 400, "ipmitool"),
			func(st *e2eStep) { st.class = "InterfaceNotFoundInEntrypoint" }),
		with(updateNode("main", map[string]any{"extra": map[string]any{"owner": "e2e"}, "driver_info": map[string]any{"fake_address": "192.0.2.1"}}),
			func(st *e2eStep) {
				st.result = func(t *testing.T, s *scenario, res any) {
					d := objData(t, res)
					if jsonString(d["extra"]) != `{"owner":"e2e"}` || d["reservation"] != nil {
						t.Errorf("updated node: extra %s reservation %v", jsonString(d["extra"]), d["reservation"])
					}
				}
				st.wait = func(n *objects.Node) bool {
					return n.Extra["owner"] == "e2e" && n.DriverInfo["fake_address"] == "192.0.2.1"
				}
			}),
		with(fails(updateNode("main", map[string]any{"power_interface": "nope"}), "InvalidParameterValue", 400, "nope"),
			func(st *e2eStep) { st.class = "InterfaceNotFoundInEntrypoint" }),

		// ---- validation and a driver_info that fails it ----
		with(nodeCall("validate_driver_interfaces", "main", func(ctx context.Context, api *rpcapi.ConductorAPI, u string, to rpcapi.CallOption) (any, error) {
			return api.ValidateDriverInterfaces(ctx, u, to)
		}), func(st *e2eStep) {
			st.result = func(t *testing.T, _ *scenario, res any) {
				m, _ := res.(map[string]any)
				for _, i := range []string{"power", "deploy", "management", "boot", "console", "network", "inspect", "raid", "storage"} {
					if r, _ := m[i].(map[string]any); r["result"] != true {
						t.Errorf("validate %s: %s", i, jsonString(m[i]))
					}
				}
			}
		}),
		with(nodeCall("validate_driver_interfaces", "strict", func(ctx context.Context, api *rpcapi.ConductorAPI, u string, to rpcapi.CallOption) (any, error) {
			return api.ValidateDriverInterfaces(ctx, u, to)
		}), func(st *e2eStep) {
			st.result = func(t *testing.T, _ *scenario, res any) {
				m, _ := res.(map[string]any)
				p, _ := m["power"].(map[string]any)
				if r, _ := p["reason"].(string); p["result"] != false || !strings.Contains(r, "strict_address") {
					t.Errorf("validate power of a node without strict_address: %s", jsonString(p))
				}
			}
		}),
		with(fails(power("strict", "power on"), "InvalidParameterValue", 400, "strict_address"),
			func(st *e2eStep) { st.class = "MissingParameterValue" }),

		// ---- manage, power ----
		waits(provision("main", "manage"), func(n *objects.Node) bool { return state("manageable")(n) && n.PowerState == nil }),
		waits(power("main", "power on"), func(n *objects.Node) bool { return deref(n.PowerState) == "power on" && n.TargetPowerState == nil }),
		waits(power("main", "rebooting"), func(n *objects.Node) bool { return deref(n.PowerState) == "power on" && n.TargetPowerState == nil }),
		fails(power("main", "dance"), "InvalidParameterValue", 400, "dance"),
		fails(e2eStep{
			name: "change_node_power_state of an unknown node", node: "main", method: "change_node_power_state",
			py: func(s *scenario) map[string]any { return nodeKw(s, "ghost", "new_state", "power on") },
			gocall: func(ctx context.Context, s *scenario, api *rpcapi.ConductorAPI, to rpcapi.CallOption) (any, error) {
				return unit(api.ChangeNodePowerState(ctx, s.uuid("ghost"), "power on", 0, to))
			},
		}, "NodeNotFound", 404, ""),
		with(fails(power("main", "power off"), "NodeLocked", 409, "other-conductor"), func(st *e2eStep) {
			st.name = "change_node_power_state while another conductor holds the node"
			st.setup = func(s *scenario) {
				if _, err := s.env.store.ReserveNode(s.t.Context(), "other-conductor", db.ByUUID(s.uuid("main"))); err != nil {
					s.t.Fatal(err)
				}
			}
			st.after = func(s *scenario) {
				if err := s.env.store.ReleaseNode(s.t.Context(), "other-conductor", db.ByUUID(s.uuid("main"))); err != nil {
					s.t.Fatal(err)
				}
			}
		}),

		// ---- vendor passthru ----
		with(vendor("main", "third_method_sync", "POST", map[string]any{"bar": "meow"}), func(st *e2eStep) {
			st.result = resultEquals(`{"return": true, "async": false, "attach": false}`)
		}),
		with(vendor("main", "second_method", "POST", map[string]any{"bar": "kazoo"}), func(st *e2eStep) {
			st.result = resultEquals(`{"return": null, "async": true, "attach": false}`)
			st.wait = func(n *objects.Node) bool { return n.LastError == nil }
		}),
		with(vendor("main", "fourth_method_shared_lock", "POST", map[string]any{"bar": "woof"}), func(st *e2eStep) {
			st.result = resultEquals(`{"return": null, "async": true, "attach": false}`)
		}),
		fails(vendor("main", "no_such_method", "POST", map[string]any{}), "InvalidParameterValue", 400, "No handler for method no_such_method"),
		fails(vendor("main", "third_method_sync", "GET", map[string]any{"bar": "meow"}), "InvalidParameterValue", 400, "does not support HTTP GET"),
		with(fails(vendor("main", "third_method_sync", "POST", map[string]any{}), "InvalidParameterValue", 400, "bar"),
			func(st *e2eStep) { st.class = "MissingParameterValue" }),
		with(nodeCall("get_node_vendor_passthru_methods", "main", func(ctx context.Context, api *rpcapi.ConductorAPI, u string, to rpcapi.CallOption) (any, error) {
			return api.GetNodeVendorPassthruMethods(ctx, u, to)
		}), func(st *e2eStep) {
			st.result = resultEquals(`{
				"second_method": {"http_methods": ["POST"], "async": true, "description": "Test if the value of bar is kazoo", "attach": false, "require_exclusive_lock": true},
				"third_method_sync": {"http_methods": ["POST"], "async": false, "description": "Test if the value of bar is meow", "attach": false, "require_exclusive_lock": true},
				"fourth_method_shared_lock": {"http_methods": ["POST"], "async": true, "description": "Test if the value of bar is woof", "attach": false, "require_exclusive_lock": false}}`)
		}),
		fails(e2eStep{
			name: "driver_vendor_passthru of a method fake-hardware lacks", method: "driver_vendor_passthru",
			py: func(*scenario) map[string]any {
				return map[string]any{"driver_name": "fake-hardware", "driver_method": "no_such_method", "http_method": "POST", "info": map[string]any{}}
			},
			gocall: func(ctx context.Context, _ *scenario, api *rpcapi.ConductorAPI, to rpcapi.CallOption) (any, error) {
				return api.DriverVendorPassthru(ctx, "fake-hardware", "no_such_method", "POST", map[string]any{}, to)
			},
		}, "InvalidParameterValue", 400, "No handler for method no_such_method"),
		with(driverCall("get_driver_vendor_passthru_methods", "fake-hardware", func(ctx context.Context, api *rpcapi.ConductorAPI, to rpcapi.CallOption) (any, error) {
			return api.GetDriverVendorPassthruMethods(ctx, "fake-hardware", to)
		}), func(st *e2eStep) { st.result = resultEquals(`{}`) }),

		// ---- driver properties ----
		with(driverCall("get_driver_properties", "fake-hardware", func(ctx context.Context, api *rpcapi.ConductorAPI, to rpcapi.CallOption) (any, error) {
			return api.GetDriverProperties(ctx, "fake-hardware", to)
		}), func(st *e2eStep) {
			st.result = func(t *testing.T, _ *scenario, res any) {
				if m, _ := res.(map[string]any); m["B1"] != "B1 description. Required." {
					t.Errorf("fake-hardware properties: %s", jsonString(res))
				}
			}
		}),
		fails(driverCall("get_driver_properties", "no-such-driver", func(ctx context.Context, api *rpcapi.ConductorAPI, to rpcapi.CallOption) (any, error) {
			return api.GetDriverProperties(ctx, "no-such-driver", to)
		}), "DriverNotFound", 404, "no-such-driver"),
		with(driverCall("get_raid_logical_disk_properties", "fake-hardware", func(ctx context.Context, api *rpcapi.ConductorAPI, to rpcapi.CallOption) (any, error) {
			return api.GetRAIDLogicalDiskProperties(ctx, "fake-hardware", to)
		}), func(st *e2eStep) {
			st.result = func(t *testing.T, _ *scenario, res any) {
				m, _ := res.(map[string]any)
				if m["raid_level"] == nil || m["size_gb"] == nil {
					t.Errorf("RAID logical disk properties: %s", jsonString(res))
				}
			}
		}),

		// ---- management ----
		{
			name: "set_boot_device main pxe", node: "main", method: "set_boot_device",
			py: func(s *scenario) map[string]any { return nodeKw(s, "main", "device", "pxe", "persistent", true) },
			gocall: func(ctx context.Context, s *scenario, api *rpcapi.ConductorAPI, to rpcapi.CallOption) (any, error) {
				return unit(api.SetBootDevice(ctx, s.uuid("main"), "pxe", true, to))
			},
		},
		fails(e2eStep{
			name: "set_boot_device main cdrom", node: "main", method: "set_boot_device",
			py: func(s *scenario) map[string]any { return nodeKw(s, "main", "device", "cdrom", "persistent", false) },
			gocall: func(ctx context.Context, s *scenario, api *rpcapi.ConductorAPI, to rpcapi.CallOption) (any, error) {
				return unit(api.SetBootDevice(ctx, s.uuid("main"), "cdrom", false, to))
			},
		}, "InvalidParameterValue", 400, "cdrom"),
		with(nodeCall("get_boot_device", "main", func(ctx context.Context, api *rpcapi.ConductorAPI, u string, to rpcapi.CallOption) (any, error) {
			return api.GetBootDevice(ctx, u, to)
		}), func(st *e2eStep) { st.result = resultEquals(`{"boot_device": "pxe", "persistent": false}`) }),
		with(nodeCall("get_supported_boot_devices", "main", func(ctx context.Context, api *rpcapi.ConductorAPI, u string, to rpcapi.CallOption) (any, error) {
			return api.GetSupportedBootDevices(ctx, u, to)
		}), func(st *e2eStep) { st.result = resultEquals(`["pxe"]`) }),
		fails(nodeCall("inject_nmi", "main", func(ctx context.Context, api *rpcapi.ConductorAPI, u string, to rpcapi.CallOption) (any, error) {
			return unit(api.InjectNMI(ctx, u, to))
		}), "UnsupportedDriverExtension", 400, "inject_nmi"),

		// ---- RAID ----
		waits(e2eStep{
			name: "set_target_raid_config main", node: "main", method: "set_target_raid_config",
			py: func(s *scenario) map[string]any { return nodeKw(s, "main", "target_raid_config", raidOK) },
			gocall: func(ctx context.Context, s *scenario, api *rpcapi.ConductorAPI, to rpcapi.CallOption) (any, error) {
				return unit(api.SetTargetRAIDConfig(ctx, s.uuid("main"), raidOK, to))
			},
		}, func(n *objects.Node) bool { return jsonString(n.TargetRAIDConfig) == jsonString(raidOK) }),
		fails(e2eStep{
			name: "set_target_raid_config main invalid", node: "main", method: "set_target_raid_config",
			py: func(s *scenario) map[string]any { return nodeKw(s, "main", "target_raid_config", raidBad) },
			gocall: func(ctx context.Context, s *scenario, api *rpcapi.ConductorAPI, to rpcapi.CallOption) (any, error) {
				return unit(api.SetTargetRAIDConfig(ctx, s.uuid("main"), raidBad, to))
			},
		}, "InvalidParameterValue", 400, "RAID"),

		// ---- console ----
		fails(nodeCall("get_console_information", "main", func(ctx context.Context, api *rpcapi.ConductorAPI, u string, to rpcapi.CallOption) (any, error) {
			return api.GetConsoleInformation(ctx, u, to)
		}), "NodeConsoleNotEnabled", 400, "not enabled"),
		waits(e2eStep{
			name: "set_console_mode main on", node: "main", method: "set_console_mode",
			py: func(s *scenario) map[string]any { return nodeKw(s, "main", "enabled", true) },
			gocall: func(ctx context.Context, s *scenario, api *rpcapi.ConductorAPI, to rpcapi.CallOption) (any, error) {
				return unit(api.SetConsoleMode(ctx, s.uuid("main"), true, to))
			},
		}, func(n *objects.Node) bool { return n.ConsoleEnabled }),
		with(nodeCall("get_console_information", "main", func(ctx context.Context, api *rpcapi.ConductorAPI, u string, to rpcapi.CallOption) (any, error) {
			return api.GetConsoleInformation(ctx, u, to)
		}), func(st *e2eStep) {
			st.name += " (enabled)"
			st.result = func(t *testing.T, _ *scenario, res any) {
				// Ironic's fake console returns {}, passed through.
				m, ok := res.(map[string]any)
				if !ok || len(m) != 0 {
					t.Errorf("fake console information: %s", jsonString(res))
				}
			}
		}),
		waits(e2eStep{
			name: "set_console_mode main off", node: "main", method: "set_console_mode",
			py: func(s *scenario) map[string]any { return nodeKw(s, "main", "enabled", false) },
			gocall: func(ctx context.Context, s *scenario, api *rpcapi.ConductorAPI, to rpcapi.CallOption) (any, error) {
				return unit(api.SetConsoleMode(ctx, s.uuid("main"), false, to))
			},
		}, func(n *objects.Node) bool { return !n.ConsoleEnabled }),

		// ---- inspection, manual cleaning, agent heartbeat, VIFs ----
		waits(nodeCall("inspect_hardware", "main", func(ctx context.Context, api *rpcapi.ConductorAPI, u string, to rpcapi.CallOption) (any, error) {
			return unit(api.InspectHardware(ctx, u, to))
		}), func(n *objects.Node) bool { return state("manageable")(n) && n.InspectionFinishedAt != nil }),
		waits(e2eStep{
			name: "do_node_clean main (manual, no steps)", node: "main", method: "do_node_clean",
			py: func(s *scenario) map[string]any { return nodeKw(s, "main", "clean_steps", []any{}) },
			gocall: func(ctx context.Context, s *scenario, api *rpcapi.ConductorAPI, to rpcapi.CallOption) (any, error) {
				return unit(api.DoNodeClean(ctx, s.uuid("main"), []map[string]any{}, to))
			},
		}, func(n *objects.Node) bool { return state("manageable")(n) && n.LastError == nil }),
		{
			name: "heartbeat main", node: "main", method: "heartbeat",
			py: func(s *scenario) map[string]any {
				return nodeKw(s, "main", "callback_url", "http://192.0.2.10:9999", "agent_version", "3.0.0")
			},
			gocall: func(ctx context.Context, s *scenario, api *rpcapi.ConductorAPI, to rpcapi.CallOption) (any, error) {
				return unit(api.Heartbeat(ctx, s.uuid("main"), "http://192.0.2.10:9999", to))
			},
		},
		{
			name: "vif_attach main", node: "main", method: "vif_attach",
			py: func(s *scenario) map[string]any {
				return nodeKw(s, "main", "vif_info", map[string]any{"id": "vif-e2e"})
			},
			gocall: func(ctx context.Context, s *scenario, api *rpcapi.ConductorAPI, to rpcapi.CallOption) (any, error) {
				return unit(api.VIFAttach(ctx, s.uuid("main"), map[string]any{"id": "vif-e2e"}, to))
			},
		},
		with(nodeCall("vif_list", "main", func(ctx context.Context, api *rpcapi.ConductorAPI, u string, to rpcapi.CallOption) (any, error) {
			return api.VIFList(ctx, u, to)
		}), func(st *e2eStep) { st.result = resultEquals(`[]`) }),
		{
			name: "vif_detach main", node: "main", method: "vif_detach",
			py: func(s *scenario) map[string]any { return nodeKw(s, "main", "vif_id", "vif-e2e") },
			gocall: func(ctx context.Context, s *scenario, api *rpcapi.ConductorAPI, to rpcapi.CallOption) (any, error) {
				return unit(api.VIFDetach(ctx, s.uuid("main"), "vif-e2e", to))
			},
		},

		// ---- ports, portgroups, volume connectors and targets ----
		{
			name: "update_port", node: "main", method: "update_port",
			setup: func(s *scenario) { s.createChildren() },
			py: func(s *scenario) map[string]any {
				return map[string]any{"port_obj": load("Port", s.uuid("port"), map[string]any{"pxe_enabled": false, "extra": map[string]any{"p": 1}})}
			},
			gocall: func(ctx context.Context, s *scenario, api *rpcapi.ConductorAPI, to rpcapi.CallOption) (any, error) {
				p, err := s.env.store.GetPortByUUID(ctx, s.uuid("port"))
				if err != nil {
					return nil, err
				}
				p.ResetChanges()
				p.PXEEnabled = false
				p.Extra = map[string]any{"p": 1}
				p.MarkChanged("pxe_enabled", "extra")
				return api.UpdatePort(ctx, p, to)
			},
			result: func(t *testing.T, s *scenario, res any) {
				d := objData(t, res)
				if d["uuid"] != s.uuid("port") || d["pxe_enabled"] != false || jsonString(d["extra"]) != `{"p":1}` {
					t.Errorf("updated port: %s", jsonString(d))
				}
				p, err := s.env.store.GetPortByUUID(t.Context(), s.uuid("port"))
				if err != nil || p.PXEEnabled || p.Extra["p"] == nil {
					t.Errorf("port in the database: %+v, %v", p, err)
				}
			},
		},
		{
			name: "update_portgroup", node: "main", method: "update_portgroup",
			py: func(s *scenario) map[string]any {
				return map[string]any{"portgroup_obj": load("Portgroup", s.uuid("portgroup"), map[string]any{"extra": map[string]any{"pg": "x"}})}
			},
			gocall: func(ctx context.Context, s *scenario, api *rpcapi.ConductorAPI, to rpcapi.CallOption) (any, error) {
				pg, err := s.env.store.GetPortgroupByUUID(ctx, s.uuid("portgroup"))
				if err != nil {
					return nil, err
				}
				pg.ResetChanges()
				pg.Extra = map[string]any{"pg": "x"}
				pg.MarkChanged("extra")
				return api.UpdatePortgroup(ctx, pg, to)
			},
			result: func(t *testing.T, s *scenario, res any) {
				if d := objData(t, res); jsonString(d["extra"]) != `{"pg":"x"}` {
					t.Errorf("updated portgroup: %s", jsonString(d))
				}
			},
		},
		{
			name: "update_volume_connector", node: "main", method: "update_volume_connector",
			py: func(s *scenario) map[string]any {
				return map[string]any{"connector": load("VolumeConnector", s.uuid("connector"), map[string]any{"extra": map[string]any{"vc": "x"}})}
			},
			gocall: func(ctx context.Context, s *scenario, api *rpcapi.ConductorAPI, to rpcapi.CallOption) (any, error) {
				vc, err := s.env.store.GetVolumeConnectorByUUID(ctx, s.uuid("connector"))
				if err != nil {
					return nil, err
				}
				vc.ResetChanges()
				vc.Extra = map[string]any{"vc": "x"}
				vc.MarkChanged("extra")
				return api.UpdateVolumeConnector(ctx, vc, to)
			},
			result: func(t *testing.T, s *scenario, res any) {
				if d := objData(t, res); jsonString(d["extra"]) != `{"vc":"x"}` {
					t.Errorf("updated volume connector: %s", jsonString(d))
				}
			},
		},
		{
			name: "update_volume_target", node: "main", method: "update_volume_target",
			py: func(s *scenario) map[string]any {
				return map[string]any{"target": load("VolumeTarget", s.uuid("target"), map[string]any{"extra": map[string]any{"vt": "x"}})}
			},
			gocall: func(ctx context.Context, s *scenario, api *rpcapi.ConductorAPI, to rpcapi.CallOption) (any, error) {
				vt, err := s.env.store.GetVolumeTargetByUUID(ctx, s.uuid("target"))
				if err != nil {
					return nil, err
				}
				vt.ResetChanges()
				vt.Extra = map[string]any{"vt": "x"}
				vt.MarkChanged("extra")
				return api.UpdateVolumeTarget(ctx, vt, to)
			},
			result: func(t *testing.T, s *scenario, res any) {
				if d := objData(t, res); jsonString(d["extra"]) != `{"vt":"x"}` {
					t.Errorf("updated volume target: %s", jsonString(d))
				}
			},
		},

		// ---- object indirection (bare topic) ----
		{
			name: "object_class_action_versions Node.get_by_uuid", bare: true, method: "object_class_action_versions",
			py: func(s *scenario) map[string]any {
				return map[string]any{"objname": "Node", "objmethod": "get_by_uuid", "object_versions": map[string]any{"Node": "1.21"},
					"args": []any{s.uuid("main")}, "kwargs": map[string]any{}}
			},
			gocall: func(ctx context.Context, s *scenario, api *rpcapi.ConductorAPI, to rpcapi.CallOption) (any, error) {
				return api.ObjectClassActionVersions(ctx, "Node", "get_by_uuid", map[string]string{"Node": "1.21"}, []any{s.uuid("main")}, nil, to)
			},
			result: func(t *testing.T, s *scenario, res any) {
				if d := objData(t, res); d["uuid"] != s.uuid("main") || d["provision_state"] != "manageable" {
					t.Errorf("Node.get_by_uuid: %s", jsonString(d))
				}
			},
		},
		{
			name: "object_action Node.save", node: "main", bare: true, method: "object_action",
			py: func(s *scenario) map[string]any {
				return map[string]any{"objinst": load("Node", s.uuid("main"), map[string]any{"extra": map[string]any{"via": "object_action"}}),
					"objmethod": "save", "args": []any{}, "kwargs": map[string]any{}}
			},
			gocall: func(ctx context.Context, s *scenario, api *rpcapi.ConductorAPI, to rpcapi.CallOption) (any, error) {
				return api.ObjectAction(ctx, s.loadNode("main", map[string]any{"extra": map[string]any{"via": "object_action"}}), "save", nil, nil, to)
			},
			result: func(t *testing.T, s *scenario, res any) {
				// OVO's object_action: (updates, result), updates holding
				// obj_what_changed (a set, [] after save).
				pair, _ := res.([]any)
				upd, _ := pair[0].(map[string]any)
				if len(pair) != 2 || pair[1] != nil || jsonString(upd["obj_what_changed"]) != "[]" {
					t.Errorf("object_action result: %s", jsonString(res))
				}
			},
			wait: func(n *objects.Node) bool { return n.Extra["via"] == "object_action" },
		},
		{
			name: "object_backport_versions Node 1.21", bare: true, method: "object_backport_versions",
			py: func(s *scenario) map[string]any {
				return map[string]any{"objinst": load("Node", s.uuid("main"), nil), "object_versions": map[string]any{"Node": "1.21"}}
			},
			gocall: func(ctx context.Context, s *scenario, api *rpcapi.ConductorAPI, to rpcapi.CallOption) (any, error) {
				return api.ObjectBackportVersions(ctx, s.node("main"), map[string]string{"Node": "1.21"}, to)
			},
			result: func(t *testing.T, s *scenario, res any) {
				if d := objData(t, res); d["uuid"] != s.uuid("main") {
					t.Errorf("backported node: %s", jsonString(res))
				}
			},
		},
		{
			name: "destroy_port", node: "main", method: "destroy_port",
			py: func(s *scenario) map[string]any { return map[string]any{"port": load("Port", s.uuid("port"), nil)} },
			gocall: func(ctx context.Context, s *scenario, api *rpcapi.ConductorAPI, to rpcapi.CallOption) (any, error) {
				p, err := s.env.store.GetPortByUUID(ctx, s.uuid("port"))
				if err != nil {
					return nil, err
				}
				return unit(api.DestroyPort(ctx, p, to))
			},
			result: func(t *testing.T, s *scenario, _ any) {
				if _, err := s.env.store.GetPortByUUID(t.Context(), s.uuid("port")); !errors.Is(err, exception.ErrPortNotFound) {
					t.Errorf("port after destroy_port: %v", err)
				}
			},
		},
		{
			name: "destroy_portgroup", node: "main", method: "destroy_portgroup",
			py: func(s *scenario) map[string]any {
				return map[string]any{"portgroup": load("Portgroup", s.uuid("portgroup"), nil)}
			},
			gocall: func(ctx context.Context, s *scenario, api *rpcapi.ConductorAPI, to rpcapi.CallOption) (any, error) {
				pg, err := s.env.store.GetPortgroupByUUID(ctx, s.uuid("portgroup"))
				if err != nil {
					return nil, err
				}
				return unit(api.DestroyPortgroup(ctx, pg, to))
			},
			result: func(t *testing.T, s *scenario, _ any) {
				if _, err := s.env.store.GetPortgroupByUUID(t.Context(), s.uuid("portgroup")); !errors.Is(err, exception.ErrPortgroupNotFound) {
					t.Errorf("portgroup after destroy_portgroup: %v", err)
				}
			},
		},
		{
			name: "destroy_volume_connector", node: "main", method: "destroy_volume_connector",
			py: func(s *scenario) map[string]any {
				return map[string]any{"connector": load("VolumeConnector", s.uuid("connector"), nil)}
			},
			gocall: func(ctx context.Context, s *scenario, api *rpcapi.ConductorAPI, to rpcapi.CallOption) (any, error) {
				vc, err := s.env.store.GetVolumeConnectorByUUID(ctx, s.uuid("connector"))
				if err != nil {
					return nil, err
				}
				return unit(api.DestroyVolumeConnector(ctx, vc, to))
			},
			result: func(t *testing.T, s *scenario, _ any) {
				if _, err := s.env.store.GetVolumeConnectorByUUID(t.Context(), s.uuid("connector")); !errors.Is(err, exception.ErrVolumeConnectorNotFound) {
					t.Errorf("connector after destroy_volume_connector: %v", err)
				}
			},
		},
		{
			name: "destroy_volume_target", node: "main", method: "destroy_volume_target",
			py: func(s *scenario) map[string]any {
				return map[string]any{"target": load("VolumeTarget", s.uuid("target"), nil)}
			},
			gocall: func(ctx context.Context, s *scenario, api *rpcapi.ConductorAPI, to rpcapi.CallOption) (any, error) {
				vt, err := s.env.store.GetVolumeTargetByUUID(ctx, s.uuid("target"))
				if err != nil {
					return nil, err
				}
				return unit(api.DestroyVolumeTarget(ctx, vt, to))
			},
			result: func(t *testing.T, s *scenario, _ any) {
				if _, err := s.env.store.GetVolumeTargetByUUID(t.Context(), s.uuid("target")); !errors.Is(err, exception.ErrVolumeTargetNotFound) {
					t.Errorf("target after destroy_volume_target: %v", err)
				}
			},
		},

		// ---- provide, deploy, tear down ----
		waits(provision("main", "provide"), state("available")),
		waits(e2eStep{
			name: "do_node_deploy main", node: "main", method: "do_node_deploy",
			py: func(s *scenario) map[string]any { return nodeKw(s, "main", "rebuild", false, "configdrive", nil) },
			gocall: func(ctx context.Context, s *scenario, api *rpcapi.ConductorAPI, to rpcapi.CallOption) (any, error) {
				return unit(api.DoNodeDeploy(ctx, s.uuid("main"), false, "", to))
			},
		}, func(n *objects.Node) bool { return state("active")(n) && n.ConductorAffinity != nil }),
		fails(updateNode("main", map[string]any{"boot_interface": "fake"}), "InvalidState", 409, ""),
		fails(provision("main", "manage"), "InvalidStateRequested", 400, "manage"),
		fails(nodeCall("destroy_node", "main", func(ctx context.Context, api *rpcapi.ConductorAPI, u string, to rpcapi.CallOption) (any, error) {
			return unit(api.DestroyNode(ctx, u, to))
		}), "InvalidState", 409, "active"),
		waits(e2eStep{
			name: "do_node_deploy main (rebuild)", node: "main", method: "do_node_deploy",
			py: func(s *scenario) map[string]any { return nodeKw(s, "main", "rebuild", true, "configdrive", nil) },
			gocall: func(ctx context.Context, s *scenario, api *rpcapi.ConductorAPI, to rpcapi.CallOption) (any, error) {
				return unit(api.DoNodeDeploy(ctx, s.uuid("main"), true, "", to))
			},
		}, state("active")),
		waits(nodeCall("do_node_tear_down", "main", func(ctx context.Context, api *rpcapi.ConductorAPI, u string, to rpcapi.CallOption) (any, error) {
			return unit(api.DoNodeTearDown(ctx, u, to))
		}), state("available")),

		// ---- cleaning driven by an agent: abort, continue ----
		with(waits(provision("main", "abort"), func(n *objects.Node) bool {
			return deref(n.ProvisionState) == "clean failed" && strings.Contains(deref(n.LastError), "By request")
		}), func(st *e2eStep) {
			st.setup = func(s *scenario) {
				s.setFields("main", map[string]any{"provision_state": "clean wait", "target_provision_state": "available"})
			}
		}),
		waits(provision("main", "manage"), state("manageable")),
		waits(e2eStep{
			name: "continue_node_clean main (cast)", node: "main", method: "continue_node_clean",
			setup: func(s *scenario) {
				s.setFields("main", map[string]any{"provision_state": "clean wait", "target_provision_state": "manageable",
					"clean_step": map[string]any{}, "driver_internal_info": map[string]any{"clean_steps": []any{}}})
			},
			py: func(s *scenario) map[string]any { return nodeKw(s, "main") },
			gocall: func(ctx context.Context, s *scenario, api *rpcapi.ConductorAPI, to rpcapi.CallOption) (any, error) {
				return unit(api.ContinueNodeClean(ctx, s.uuid("main"), to))
			},
		}, state("manageable")),

		// ---- adoption ----
		waits(provision("main", "adopt"), func(n *objects.Node) bool { return state("active")(n) && n.ConductorAffinity != nil }),

		// ---- deletion ----
		updateNode("assoc", map[string]any{"instance_uuid": "5b0e2f1c-8c3f-4a8e-9d8b-1f2e3d4c5b6a"}),
		with(fails(nodeCall("destroy_node", "assoc", func(ctx context.Context, api *rpcapi.ConductorAPI, u string, to rpcapi.CallOption) (any, error) {
			return unit(api.DestroyNode(ctx, u, to))
		}), "InvalidState", 409, "5b0e2f1c"), func(st *e2eStep) { st.class = "NodeAssociated" }),
		updateNode("assoc", map[string]any{"instance_uuid": nil}),
		with(nodeCall("destroy_node", "assoc", func(ctx context.Context, api *rpcapi.ConductorAPI, u string, to rpcapi.CallOption) (any, error) {
			return unit(api.DestroyNode(ctx, u, to))
		}), func(st *e2eStep) { st.gone = true }),
		with(nodeCall("destroy_node", "strict", func(ctx context.Context, api *rpcapi.ConductorAPI, u string, to rpcapi.CallOption) (any, error) {
			return unit(api.DestroyNode(ctx, u, to))
		}), func(st *e2eStep) { st.gone = true }),
		waits(nodeCall("do_node_tear_down", "main", func(ctx context.Context, api *rpcapi.ConductorAPI, u string, to rpcapi.CallOption) (any, error) {
			return unit(api.DoNodeTearDown(ctx, u, to))
		}), state("available")),
		with(nodeCall("destroy_node", "main", func(ctx context.Context, api *rpcapi.ConductorAPI, u string, to rpcapi.CallOption) (any, error) {
			return unit(api.DestroyNode(ctx, u, to))
		}), func(st *e2eStep) { st.gone = true }),
		with(fails(nodeCall("destroy_node", "main", func(ctx context.Context, api *rpcapi.ConductorAPI, u string, to rpcapi.CallOption) (any, error) {
			return unit(api.DestroyNode(ctx, u, to))
		}), "NodeNotFound", 404, ""), func(st *e2eStep) { st.name += " (again)" }),
	}
}

func mapsKeys(m map[string]any) func(yield func(string) bool) {
	return func(yield func(string) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

// createChildren inserts a port, a portgroup, a volume connector and a
// volume target of the main node in the database, as Ironic 7.0.0's API
// does (no RPC).
func (s *scenario) createChildren() {
	s.t.Helper()
	ctx := s.t.Context()
	node := s.node("main")
	id := node.ID
	pg, err := s.env.store.CreatePortgroup(ctx, &objects.Portgroup{UUID: new(s.uuid("portgroup")), NodeID: &id,
		Name: new("pg-e2e"), Address: new("52:54:00:ab:cd:ef"), StandalonePortsSupported: true})
	if err != nil {
		s.t.Fatal(err)
	}
	if _, err := s.env.store.CreatePort(ctx, &objects.Port{UUID: new(s.uuid("port")), NodeID: &id,
		Address: new("52:54:00:12:34:56"), PortgroupID: &pg.ID, PXEEnabled: true}); err != nil {
		s.t.Fatal(err)
	}
	if _, err := s.env.store.CreateVolumeConnector(ctx, &objects.VolumeConnector{UUID: new(s.uuid("connector")), NodeID: &id,
		Type: new("iqn"), ConnectorID: new("iqn.2017-01.org.example:" + s.uuid("connector")[:8])}); err != nil {
		s.t.Fatal(err)
	}
	if _, err := s.env.store.CreateVolumeTarget(ctx, &objects.VolumeTarget{UUID: new(s.uuid("target")), NodeID: &id,
		VolumeType: new("iscsi"), BootIndex: new(int64(0)), VolumeID: new("vol-" + s.uuid("target")[:8])}); err != nil {
		s.t.Fatal(err)
	}
}

// TestEndToEndGoClient runs the scenario from ironic-go's rpcapi.
func TestEndToEndGoClient(t *testing.T) {
	t.Parallel()
	env := newItEnv(t, 0)
	cond := env.startConductor("cond", conductorOptions{})
	runScenario(t, env, cond, goClient(env.client("api")))
}

// TestEndToEndPythonClient runs the scenario from Debian's python3-ironic
// ConductorAPI (capped at 1.40, explicit topics), which must see Ironic's
// own exception classes.
func TestEndToEndPythonClient(t *testing.T) {
	t.Parallel()
	env := newItEnv(t, 0)
	cond := env.startConductor("cond", conductorOptions{})
	runScenario(t, env, cond, pyClient(env.startPyAPI()))
}
