package rpcapi

import (
	"context"
	"errors"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/ironic-go/ironic-go/messaging"
	"github.com/ironic-go/ironic-go/objects"
	"github.com/ironic-go/ironic-go/objects/exception"
	"github.com/ironic-go/ironic-go/rpcapi/hashring"
)

// fakeLister is a ConductorLister whose membership tests change.
type fakeLister struct {
	mu    sync.Mutex
	d2h   map[string][]string
	err   error
	calls atomic.Int32
}

func (f *fakeLister) ActiveDriverHosts(context.Context) (map[string][]string, error) {
	f.calls.Add(1)
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.err != nil {
		return nil, f.err
	}
	out := make(map[string][]string, len(f.d2h))
	for k, v := range f.d2h {
		out[k] = append([]string(nil), v...)
	}
	return out, nil
}

func (f *fakeLister) set(d2h map[string][]string, err error) {
	f.mu.Lock()
	f.d2h, f.err = d2h, err
	f.mu.Unlock()
}

func newRoutingAPI(t *testing.T, cfg Config, lister *fakeLister) *ConductorAPI {
	t.Helper()
	ring, err := hashring.NewManager(hashring.DefaultConfig(), lister)
	if err != nil {
		t.Fatal(err)
	}
	api, err := New(messaging.NewInmemTransport(messaging.InmemConfig{}), cfg, ring)
	if err != nil {
		t.Fatal(err)
	}
	return api
}

func node(uuid, driver string) *objects.Node {
	return &objects.Node{UUID: &uuid, Driver: &driver}
}

// TestGetTopicForVectors routes the §3.4 vectors (set A: cond-a, cond-b,
// cond-c) as Ironic's get_topic_for does.
func TestGetTopicForVectors(t *testing.T) {
	lister := &fakeLister{d2h: map[string][]string{"ipmi": {"cond-a", "cond-b", "cond-c"}, "fake": {"cond-a", "cond-b"}}}
	api := newRoutingAPI(t, Config{}, lister)
	for uuid, want := range map[string]string{
		"1be26c0b-03f2-4d2e-ae87-c02d7f33c123": "cond-c",
		"6d5d0b8a-1c5e-4a7b-9f3e-2f0c7f6c9e41": "cond-a",
		"a8c2e6b4-3f1d-4e2a-8b7c-5d9e0f1a2b3c": "cond-a",
		"f47ac10b-58cc-4372-a567-0e02b2c3d479": "cond-c",
		"00000000-0000-0000-0000-000000000001": "cond-b",
		"3b241101-e2bb-4255-8caf-4136c566a962": "cond-b",
		"9e107d9d-372b-4d5b-8c4e-1a2b3c4d5e6f": "cond-a",
	} {
		got, err := api.GetTopicFor(t.Context(), node(uuid, "ipmi"))
		if err != nil || got != "ironic.conductor_manager."+want {
			t.Errorf("%s: %q %v, want %s", uuid, got, err, want)
		}
	}
	// Set B (cond-a, cond-b) under the other driver.
	got, err := api.GetTopicFor(t.Context(), node("1be26c0b-03f2-4d2e-ae87-c02d7f33c123", "fake"))
	if err != nil || got != "ironic.conductor_manager.cond-b" {
		t.Errorf("set B: %q %v", got, err)
	}
}

func TestGetTopicForUsesConfiguredTopic(t *testing.T) {
	lister := &fakeLister{d2h: map[string][]string{"ipmi": {"cond-a"}}}
	api := newRoutingAPI(t, Config{Topic: "my.topic"}, lister)
	got, err := api.GetTopicFor(t.Context(), node(testNode, "ipmi"))
	if err != nil || got != "my.topic.cond-a" {
		t.Fatalf("%q %v", got, err)
	}
	got, err = api.GetTopicForDriver(t.Context(), "ipmi")
	if err != nil || got != "my.topic.cond-a" {
		t.Fatalf("%q %v", got, err)
	}
}

func TestGetTopicForNoValidHost(t *testing.T) {
	for name, d2h := range map[string]map[string][]string{
		"other driver only": {"redfish": {"cond-a"}},
		"no conductors":     {},
	} {
		t.Run(name, func(t *testing.T) {
			api := newRoutingAPI(t, Config{}, &fakeLister{d2h: d2h})
			_, err := api.GetTopicFor(t.Context(), node(testNode, "ipmi"))
			var exc *exception.Error
			if !errors.As(err, &exc) || exc.Class != "NoValidHost" || !errors.Is(err, exception.ErrNoValidHost) ||
				!errors.Is(err, exception.ErrNotFound) || exc.Code() != 404 {
				t.Fatalf("got %T %v", err, err)
			}
			if exc.Kwargs["reason"] != "No conductor service registered which supports driver ipmi." {
				t.Errorf("reason %q", exc.Kwargs["reason"])
			}
			if exc.Msg != "No valid host was found. Reason: No conductor service registered which supports driver ipmi." {
				t.Errorf("message %q", exc.Msg)
			}
			if !errors.Is(err, hashring.ErrDriverNotFound) {
				t.Errorf("the hashring cause is not wrapped: %v", err)
			}
		})
	}
	api := newRoutingAPI(t, Config{}, &fakeLister{d2h: map[string][]string{"ipmi": {"cond-a"}}})
	_, err := api.GetTopicFor(t.Context(), &objects.Node{UUID: new(testNode)})
	var exc *exception.Error
	if !errors.As(err, &exc) || !strings.HasSuffix(exc.Msg, "supports driver None.") {
		t.Errorf("node without driver: %v", err)
	}
}

func TestGetTopicForDriver(t *testing.T) {
	lister := &fakeLister{d2h: map[string][]string{"ipmi": {"cond-a", "cond-b", "cond-c"}}}
	api := newRoutingAPI(t, Config{}, lister)
	seen := map[string]bool{}
	for range 200 {
		got, err := api.GetTopicForDriver(t.Context(), "ipmi")
		if err != nil {
			t.Fatal(err)
		}
		seen[got] = true
	}
	if len(seen) != 3 || !seen["ironic.conductor_manager.cond-a"] || !seen["ironic.conductor_manager.cond-b"] || !seen["ironic.conductor_manager.cond-c"] {
		t.Errorf("random choice over 200 lookups gave %v", seen)
	}
	_, err := api.GetTopicForDriver(t.Context(), "redfish")
	var exc *exception.Error
	if !errors.As(err, &exc) || exc.Class != "DriverNotFound" || exc.Kwargs["driver_name"] != "redfish" ||
		exc.Msg != "Could not find the following driver(s) or hardware type(s): redfish." {
		t.Fatalf("got %T %v", err, err)
	}
}

// TestRingResetPolicy: Ironic 7.0.0 resets the ring before every lookup;
// with CachedRing the cache is used and a missing driver triggers one
// reload.
func TestRingResetPolicy(t *testing.T) {
	t.Run("7.0.0", func(t *testing.T) {
		lister := &fakeLister{d2h: map[string][]string{"ipmi": {"cond-a"}}}
		api := newRoutingAPI(t, Config{}, lister)
		for range 3 {
			if _, err := api.GetTopicFor(t.Context(), node(testNode, "ipmi")); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := api.GetTopicForDriver(t.Context(), "ipmi"); err != nil {
			t.Fatal(err)
		}
		if n := lister.calls.Load(); n != 4 {
			t.Errorf("%d loads for 4 lookups", n)
		}
		lister.set(map[string][]string{"ipmi": {"cond-b"}}, nil)
		if got, _ := api.GetTopicFor(t.Context(), node(testNode, "ipmi")); got != "ironic.conductor_manager.cond-b" {
			t.Errorf("membership change not seen at once: %s", got)
		}
	})
	t.Run("cached", func(t *testing.T) {
		lister := &fakeLister{d2h: map[string][]string{"ipmi": {"cond-a"}}}
		api := newRoutingAPI(t, Config{CachedRing: true}, lister)
		for range 3 {
			if _, err := api.GetTopicFor(t.Context(), node(testNode, "ipmi")); err != nil {
				t.Fatal(err)
			}
		}
		if n := lister.calls.Load(); n != 1 {
			t.Errorf("%d loads for 3 cached lookups", n)
		}
		lister.set(map[string][]string{"ipmi": {"cond-a"}, "redfish": {"cond-r"}}, nil)
		got, err := api.GetTopicFor(t.Context(), node(testNode, "redfish"))
		if err != nil || got != "ironic.conductor_manager.cond-r" {
			t.Errorf("new driver after one reload: %q %v", got, err)
		}
		if n := lister.calls.Load(); n != 2 {
			t.Errorf("%d loads, want 2", n)
		}
		_, err = api.GetTopicForDriver(t.Context(), "nope")
		if !errors.Is(err, exception.ErrDriverNotFound) {
			t.Errorf("unknown driver: %v", err)
		}
		if n := lister.calls.Load(); n != 3 {
			t.Errorf("%d loads, want one reload for the unknown driver", n)
		}
	})
}

func TestRoutingErrors(t *testing.T) {
	listErr := errors.New("database is down")
	api := newRoutingAPI(t, Config{}, &fakeLister{err: listErr})
	_, err := api.GetTopicFor(t.Context(), node(testNode, "ipmi"))
	var exc *exception.Error
	if !errors.Is(err, listErr) || errors.As(err, &exc) {
		t.Errorf("lister failure: %v", err)
	}
	_, err = api.GetTopicForDriver(t.Context(), "ipmi")
	if !errors.Is(err, listErr) || errors.As(err, &exc) {
		t.Errorf("lister failure: %v", err)
	}
	if _, err := api.GetTopicFor(t.Context(), nil); !errors.Is(err, ErrNilArgument) {
		t.Errorf("nil node: %v", err)
	}
	if _, err := api.GetTopicFor(t.Context(), &objects.Node{Driver: new("ipmi")}); !errors.Is(err, ErrNilArgument) {
		t.Errorf("node without uuid: %v", err)
	}
	noRing, err := New(messaging.NewInmemTransport(messaging.InmemConfig{}), Config{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := noRing.GetTopicFor(t.Context(), node(testNode, "ipmi")); !errors.Is(err, ErrNoRing) {
		t.Errorf("no ring: %v", err)
	}
	if _, err := noRing.GetTopicForDriver(t.Context(), "ipmi"); !errors.Is(err, ErrNoRing) {
		t.Errorf("no ring: %v", err)
	}
}

func TestNewConfig(t *testing.T) {
	if _, err := New(nil, Config{}, nil); err == nil {
		t.Error("nil transport accepted")
	}
	tr := messaging.NewInmemTransport(messaging.InmemConfig{})
	if _, err := New(tr, Config{Timeout: -1}, nil); err == nil {
		t.Error("negative timeout accepted")
	}
	api, err := New(tr, Config{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	cfg := api.Config()
	if cfg.Topic != "ironic.conductor_manager" || cfg.VersionCap != messaging.V(1, 40) || cfg.Timeout != messaging.DefaultResponseTimeout {
		t.Errorf("defaults %+v", cfg)
	}
}
