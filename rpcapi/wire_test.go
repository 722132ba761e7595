package rpcapi

import (
	"errors"
	"fmt"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/ironic-go/ironic-go/messaging"
)

// loadGolden returns what Debian's python3-ironic ConductorAPI (capped at
// 1.40) sent for each case, captured by the integration test
// (-rpcapi.capture).
func loadGolden(t testing.TB) map[string]request {
	t.Helper()
	var g map[string]request
	decodeJSON(t, readTestdata(t, "golden/python_requests.json"), &g)
	return g
}

var adminKeys = []string{"auth_token", "domain_id", "domain_name", "is_admin", "is_public_api", "read_only",
	"request_id", "roles", "show_deleted", "tenant", "user"}

// TestWireMatchesPython sends every case with the Go client to a Go
// conductor serving canned results, and checks each request against what
// Ironic's own client sent for the same call: method, version, call or
// cast, argument names and values, objects; then the routing, the context
// and the decoded result.
func TestWireMatchesPython(t *testing.T) {
	e := newInmemEnv(t, Config{})
	golden := loadGolden(t)
	cases := loadCases(t)
	if len(golden) != len(cases) {
		t.Fatalf("golden has %d requests for %d cases", len(golden), len(cases))
	}
	covered := map[string]bool{}
	for _, c := range cases {
		t.Run(c.ID, func(t *testing.T) {
			res, err := callGo(t, t.Context(), e.api, c, optsFor(c.Method)...)
			if err != nil {
				t.Fatal(err)
			}
			s := e.waitServed(t)
			if s.method != c.Method {
				t.Fatalf("conductor served %s", s.method)
			}
			sent := e.rec.take()
			if len(sent) != 1 {
				t.Fatalf("%d requests sent", len(sent))
			}
			out := sent[0]
			wantTopic := hostTopic()
			if optsFor(c.Method) == nil {
				wantTopic = TopicConductorManager
			}
			if out.Topic != wantTopic || out.Server != "" || out.Exchange != "" || out.Fanout {
				t.Errorf("published to exchange %q topic %q server %q fanout %v, want the control exchange and %q",
					out.Exchange, out.Topic, out.Server, out.Fanout, wantTopic)
			}
			got := decodeRequest(t, out.Body)
			for _, n := range compareRequests(t, c.ID, golden[c.ID], got) {
				t.Log(n)
			}
			keys := slices.Sorted(func(yield func(string) bool) {
				for k := range got.Ctxt {
					if !yield(k) {
						return
					}
				}
			})
			if !cmp.Equal(keys, adminKeys) || got.Ctxt["is_admin"] != true {
				t.Errorf("context %v, want a 7.0.0 admin context", got.Ctxt)
			}
			if want, ok := e.results[c.Method]; ok && res != nil {
				var w any
				decodeJSON(t, want, &w)
				if diff := cmp.Diff(w, jsonValue(t, res)); diff != "" {
					t.Errorf("result (-canned +decoded):\n%s", diff)
				}
			}
			covered[c.Method] = true
		})
	}
	for _, m := range Methods() {
		if !covered[m.Name] {
			t.Errorf("no case covers %s", m.Name)
		}
	}
}

// TestRequestContextTravels checks that the caller's context is sent as
// is (not replaced by the admin context).
func TestRequestContextTravels(t *testing.T) {
	e := newInmemEnv(t, Config{})
	rc := messaging.NewRequestContext()
	if err := rc.Set("user", "u1"); err != nil {
		t.Fatal(err)
	}
	if err := rc.Set("roles", []string{"admin", "member"}); err != nil {
		t.Fatal(err)
	}
	ctx := messaging.WithRequestContext(t.Context(), rc)
	if err := e.api.InjectNMI(ctx, testNode, WithTopic(hostTopic())); err != nil {
		t.Fatal(err)
	}
	s := e.waitServed(t)
	if s.ctx == nil || s.ctx.RequestID() != rc.RequestID() || s.ctx.Str("user") != "u1" || s.ctx.Len() != 3 {
		t.Fatalf("conductor saw context %v", s.ctx)
	}
}

// capCase is what one case gives under a cap.
type capCase struct {
	version string // "" = refused
	drop    []string
}

// TestVersionCap1_20 is the example of the brief: under cap 1.20 every
// method above 1.20 is refused before anything is sent, except the calls
// Ironic downgrades.
func TestVersionCap1_20(t *testing.T) {
	want := map[string]capCase{
		"change_node_power_state":         {version: "1.6", drop: []string{"timeout"}},
		"change_node_power_state_timeout": {},
		"do_node_deploy":                  {version: "1.15", drop: []string{"configdrive"}},
		"do_node_deploy_rebuild":          {},
	}
	golden := loadGolden(t)
	for id, g := range golden {
		if _, ok := want[id]; ok {
			continue
		}
		v := messaging.MustParseVersion(g.Version.(string))
		if v.Less(messaging.V(1, 21)) {
			want[id] = capCase{version: v.String()}
		} else {
			want[id] = capCase{}
		}
	}
	checkCap(t, messaging.V(1, 20), want)
}

// TestVersionCapDowngrades covers the downgrade of each optional argument.
func TestVersionCapDowngrades(t *testing.T) {
	for _, tc := range []struct {
		cap  messaging.Version
		want map[string]capCase
	}{
		{messaging.V(1, 38), map[string]capCase{
			"change_node_power_state":         {version: "1.6", drop: []string{"timeout"}},
			"change_node_power_state_timeout": {},
			"do_node_deploy":                  {version: "1.22"},
			"do_node_deploy_rebuild":          {version: "1.22"},
			"inject_nmi":                      {},
			"vif_list":                        {version: "1.38"},
		}},
		{messaging.V(1, 39), map[string]capCase{
			"change_node_power_state":         {version: "1.39"},
			"change_node_power_state_timeout": {version: "1.39"},
			"inject_nmi":                      {},
		}},
		{messaging.V(1, 14), map[string]capCase{
			"change_node_power_state": {version: "1.6", drop: []string{"timeout"}},
			"do_node_deploy":          {version: "1.6", drop: []string{"rebuild", "configdrive"}},
			"do_node_deploy_rebuild":  {},
			"update_node":             {version: "1.1"},
			"update_port":             {version: "1.13"},
		}},
		{messaging.V(1, 5), map[string]capCase{
			"change_node_power_state":    {},
			"do_node_deploy":             {},
			"validate_driver_interfaces": {version: "1.5"},
			"do_node_tear_down":          {},
		}},
		{messaging.V(2, 0), map[string]capCase{"update_node": {}, "inject_nmi": {}}},
	} {
		t.Run(tc.cap.String(), func(t *testing.T) { checkCap(t, tc.cap, tc.want) })
	}
}

// TestVersionCapSweep runs every case under every cap from 1.0 to 1.40:
// each is either refused with a VersionCapError and nothing sent, or sent
// at a version within the cap with a subset of Ironic's arguments, and
// exactly as Ironic sends it once the cap reaches its version.
func TestVersionCapSweep(t *testing.T) {
	golden := loadGolden(t)
	cases := loadCases(t)
	for minor := 0; minor <= 40; minor++ {
		capV := messaging.V(1, minor)
		e := newInmemEnv(t, Config{VersionCap: capV})
		for _, c := range cases {
			g := golden[c.ID]
			gv := messaging.MustParseVersion(g.Version.(string))
			_, err := callGo(t, t.Context(), e.api, c, optsFor(c.Method)...)
			sent := e.rec.take()
			if err != nil {
				var vce *messaging.VersionCapError
				if !errors.As(err, &vce) || !errors.Is(err, messaging.ErrVersionCap) || vce.Cap != capV || len(sent) != 0 {
					t.Errorf("cap %s %s: %v (%T), %d sent", capV, c.ID, err, err, len(sent))
				}
				if !capV.Less(gv) {
					t.Errorf("cap %s %s refused although Ironic sends it at %s", capV, c.ID, gv)
				}
				continue
			}
			e.waitServed(t)
			if len(sent) != 1 {
				t.Fatalf("cap %s %s: %d sent", capV, c.ID, len(sent))
			}
			got := decodeRequest(t, sent[0].Body)
			v := messaging.MustParseVersion(got.Version.(string))
			if !capV.CanServe(v) {
				t.Errorf("cap %s %s: sent at %s", capV, c.ID, v)
			}
			for k := range got.Args {
				if _, ok := g.Args[k]; !ok {
					t.Errorf("cap %s %s: argument %s not sent by Ironic", capV, c.ID, k)
				}
			}
			if !capV.Less(gv) {
				compareRequests(t, fmt.Sprintf("cap %s %s", capV, c.ID), g, got)
			}
		}
	}
}

func checkCap(t *testing.T, capV messaging.Version, want map[string]capCase) {
	t.Helper()
	e := newInmemEnv(t, Config{VersionCap: capV})
	golden := loadGolden(t)
	if !e.api.CanSendVersion(capV) || e.api.CanSendVersion(messaging.V(capV.Major, capV.Minor+1)) {
		t.Errorf("CanSendVersion around the cap %s", capV)
	}
	for _, c := range loadCases(t) {
		w, ok := want[c.ID]
		if !ok {
			continue
		}
		_, err := callGo(t, t.Context(), e.api, c, optsFor(c.Method)...)
		sent := e.rec.take()
		if w.version == "" {
			if !errors.Is(err, messaging.ErrVersionCap) || len(sent) != 0 {
				t.Errorf("cap %s %s: err %v, %d sent; want a local VersionCapError", capV, c.ID, err, len(sent))
			}
			continue
		}
		if err != nil || len(sent) != 1 {
			t.Errorf("cap %s %s: err %v, %d sent", capV, c.ID, err, len(sent))
			continue
		}
		e.waitServed(t)
		got := decodeRequest(t, sent[0].Body)
		if got.Version != w.version {
			t.Errorf("cap %s %s: sent at %v, want %s", capV, c.ID, got.Version, w.version)
		}
		wantArgs := map[string]any{}
		for k, v := range golden[c.ID].Args {
			if !slices.Contains(w.drop, k) {
				wantArgs[k] = v
			}
		}
		g := golden[c.ID]
		g.Args, g.Version = wantArgs, w.version
		compareRequests(t, fmt.Sprintf("cap %s %s", capV, c.ID), g, got)
	}
}

// TestVersionCapErrorNamesTheArgument checks the message of a refused
// argument.
func TestVersionCapErrorNamesTheArgument(t *testing.T) {
	e := newInmemEnv(t, Config{VersionCap: messaging.V(1, 38)})
	err := e.api.ChangeNodePowerState(t.Context(), testNode, "power off", 10, WithTopic(hostTopic()))
	var vce *messaging.VersionCapError
	if !errors.As(err, &vce) || vce.Version != messaging.V(1, 39) || vce.Cap != messaging.V(1, 38) {
		t.Fatalf("got %v", err)
	}
	want := "rpcapi: change_node_power_state: argument timeout needs version 1.39: messaging: requested message version, 1.39 is incompatible. It needs to be equal in major version and less than or equal in minor version as the specified version cap 1.38"
	if err.Error() != want {
		t.Errorf("message:\n%s\nwant\n%s", err, want)
	}
	err = e.api.InjectNMI(t.Context(), testNode)
	if err == nil || err.Error() != "rpcapi: inject_nmi: messaging: requested message version, 1.40 is incompatible. It needs to be equal in major version and less than or equal in minor version as the specified version cap 1.38" {
		t.Errorf("inject_nmi: %v", err)
	}
	if n := len(e.rec.take()); n != 0 {
		t.Errorf("%d requests sent", n)
	}
}
