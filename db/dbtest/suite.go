package dbtest

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/jmoiron/sqlx"

	"github.com/ironic-go/ironic-go/db"
	"github.com/ironic-go/ironic-go/objects"
	"github.com/ironic-go/ironic-go/objects/exception"
)

// Opener opens a fresh, empty store for one test, with cfg (whose Now is
// the suite's clock). The store must be isolated from every other test's
// (its own file, schema or database) and closed at t's cleanup.
type Opener func(t *testing.T, cfg db.Config) db.API

// Epoch is the time the suite's clocks start at.
var Epoch = time.Date(2024, 5, 6, 7, 8, 9, 123456000, time.UTC)

// env is one test's store and clock.
type env struct {
	t     *testing.T
	ctx   context.Context
	api   db.API
	clock *Clock
}

// RunAPITests runs the conformance suite against stores made by open.
// Subtests run in parallel; each opens its own store.
func RunAPITests(t *testing.T, open Opener) {
	cases := []struct {
		name string
		fn   func(e *env)
	}{
		{"NodeCreateDefaults", testNodeCreateDefaults},
		{"NodeRoundTripAllFields", testNodeRoundTripAllFields},
		{"NodeCreateInvalid", testNodeCreateInvalid},
		{"NodeUniqueness", testNodeUniqueness},
		{"NodeGetErrors", testNodeGetErrors},
		{"NodeUpdateChangedFieldsOnly", testNodeUpdateChangedFieldsOnly},
		{"NodeProvisionTimestamps", testNodeProvisionTimestamps},
		{"NodeListFilters", testNodeListFilters},
		{"NodeListOrderAndLimit", testNodeListOrderAndLimit},
		{"NodeDestroyCascade", testNodeDestroyCascade},
		{"NodeTouchAndPowerClear", testNodeTouchAndPowerClear},
		{"ReserveRelease", testReserveRelease},
		{"ReserveConcurrent", testReserveConcurrent},
		{"ClearReservations", testClearReservations},
		{"ReservedByOffline", testReservedByOffline},
		{"Ports", testPorts},
		{"Portgroups", testPortgroups},
		{"VolumeConnectors", testVolumeConnectors},
		{"VolumeTargets", testVolumeTargets},
		{"Chassis", testChassis},
		{"ConductorRegistration", testConductorRegistration},
		{"ConductorMembership", testConductorMembership},
		{"HardwareInterfaces", testHardwareInterfaces},
		{"JSONColumns", testJSONColumns},
		{"RowVersions", testRowVersions},
		{"Cancelled", testCancelled},
		{"Closed", testClosed},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			clock := NewClock(Epoch)
			cfg := db.DefaultConfig()
			cfg.Now = clock.Now
			api := open(t, cfg)
			c.fn(&env{t: t, ctx: t.Context(), api: api, clock: clock})
		})
	}
}

// raw returns the store's pool, for tests that must write what the API
// never writes (corrupt JSON).
func (e *env) raw() *sqlx.DB {
	e.t.Helper()
	r, ok := e.api.(interface{ DB() *sqlx.DB })
	if !ok {
		e.t.Fatalf("%T has no DB() *sqlx.DB: the suite needs raw access for this test", e.api)
	}
	return r.DB()
}

// must fails the test on err.
func (e *env) must(err error, what string, args ...any) {
	e.t.Helper()
	if err != nil {
		e.t.Fatalf("%s: %v", fmt.Sprintf(what, args...), err)
	}
}

// wantExc checks that err is the Ironic exception class (exactly), and
// that its kwargs hold want's entries.
func wantExc(t *testing.T, err error, class string, want map[string]any) {
	t.Helper()
	var ie *exception.Error
	if !errors.As(err, &ie) {
		t.Fatalf("got error %v (%T), want exception %s", err, err, class)
	}
	if ie.Class != class {
		t.Fatalf("got exception %s (%v), want %s", ie.Class, ie, class)
	}
	for k, v := range want {
		if got := ie.Kwargs[k]; fmt.Sprint(got) != fmt.Sprint(v) {
			t.Errorf("%s kwarg %s = %v, want %v", class, k, got, v)
		}
	}
}

var ignoreTrack = cmpopts.IgnoreUnexported(objects.Node{}, objects.Port{}, objects.Portgroup{},
	objects.VolumeConnector{}, objects.VolumeTarget{}, objects.Conductor{}, objects.Chassis{})

// same fails the test if got differs from want (tracking state ignored).
func same(t *testing.T, what string, want, got any) {
	t.Helper()
	if d := cmp.Diff(want, got, ignoreTrack); d != "" {
		t.Errorf("%s mismatch (-want +got):\n%s", what, d)
	}
}

func ptr[T any](v T) *T { return &v }

func uuidOf(n *objects.Node) string {
	if n == nil || n.UUID == nil {
		return ""
	}
	return *n.UUID
}

// newNode creates a node with a name and driver.
func (e *env) newNode(name string, mod ...func(*objects.Node)) *objects.Node {
	e.t.Helper()
	n := &objects.Node{Name: ptr(name), Driver: ptr("fake-hardware")}
	for _, m := range mod {
		m(n)
	}
	out, err := e.api.CreateNode(e.ctx, n)
	e.must(err, "create node %s", name)
	return out
}

func uuids(l []*objects.Node) []string {
	out := make([]string, 0, len(l))
	for _, n := range l {
		out = append(out, uuidOf(n))
	}
	return out
}
