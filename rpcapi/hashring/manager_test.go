package hashring

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"maps"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/rs/zerolog"
)

// staticLister returns a copy of d2h and counts its calls.
type staticLister struct {
	mu    sync.Mutex
	d2h   map[string][]string
	calls atomic.Int64
}

func (l *staticLister) ActiveDriverHosts(ctx context.Context) (map[string][]string, error) {
	l.calls.Add(1)
	l.mu.Lock()
	defer l.mu.Unlock()
	out := make(map[string][]string, len(l.d2h))
	for d, h := range l.d2h {
		out[d] = slices.Clone(h)
	}
	return out, nil
}

func (l *staticLister) set(d2h map[string][]string) {
	l.mu.Lock()
	l.d2h = d2h
	l.mu.Unlock()
}

func newTestManager(t *testing.T, cfg Config, src ConductorLister) *Manager {
	t.Helper()
	cfg.Logger = zerolog.New(zerolog.NewTestWriter(t)).Level(zerolog.DebugLevel)
	m, err := NewManager(cfg, src)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func TestManagerLookups(t *testing.T) {
	v := loadVectors(t)
	setA := v.Sets["A"].Hosts
	src := &staticLister{d2h: map[string][]string{
		"ipmi":          {"cond-c", "cond-a", "cond-b", "cond-a"},
		"fake-hardware": {"cond-a"},
		"no-hosts":      {},
	}}
	cfg := DefaultConfig()
	cfg.HashDistributionReplicas = 2
	m := newTestManager(t, cfg, src)
	ctx := t.Context()

	r, err := m.Ring(ctx, "ipmi")
	if err != nil {
		t.Fatal(err)
	}
	if diff := diffNodes(setA, r.Nodes()); diff != "" {
		t.Errorf("ipmi ring nodes (-want +got):\n%s", diff)
	}
	drivers, err := m.Drivers(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if diff := diffNodes([]string{"fake-hardware", "ipmi"}, drivers); diff != "" {
		t.Errorf("drivers (-want +got):\n%s", diff)
	}
	for _, k := range v.Keys {
		hosts, err := m.Hosts(ctx, "ipmi", k.UUID)
		if err != nil {
			t.Fatal(err)
		}
		if diff := diffNodes(k.A.Walk, hosts); diff != "" {
			t.Errorf("%s: hosts with replicas 2 (-want +got):\n%s", k.UUID, diff)
		}
		topic, err := m.Topic(ctx, "ipmi", k.UUID)
		if err != nil || topic != HostTopic(k.A.Owner) {
			t.Errorf("%s: Topic = %q, %v, want %q", k.UUID, topic, err, HostTopic(k.A.Owner))
		}
		for _, h := range setA {
			mapped, err := m.MappedTo(ctx, "ipmi", k.UUID, h)
			if err != nil {
				t.Fatal(err)
			}
			if want := slices.Contains(k.A.Walk, h); mapped != want {
				t.Errorf("%s: MappedTo(%s) = %v, want %v", k.UUID, h, mapped, want)
			}
		}
	}
	if topic, err := m.DriverTopic(ctx, "ipmi"); err != nil || !slices.Contains([]string{
		"ironic.conductor_manager.cond-a", "ironic.conductor_manager.cond-b", "ironic.conductor_manager.cond-c",
	}, topic) {
		t.Errorf("DriverTopic = %q, %v", topic, err)
	}
	if topic, err := m.DriverTopic(ctx, "fake-hardware"); err != nil || topic != "ironic.conductor_manager.cond-a" {
		t.Errorf("DriverTopic(fake-hardware) = %q, %v", topic, err)
	}

	for _, d := range []string{"redfish", "no-hosts"} {
		_, err := m.Ring(ctx, d)
		var dnf *DriverNotFoundError
		if !errors.As(err, &dnf) || dnf.Driver != d || dnf.NoConductors {
			t.Errorf("Ring(%s) error = %#v, want DriverNotFoundError", d, err)
		}
		if !errors.Is(err, ErrDriverNotFound) || errors.Is(err, ErrNoHosts) {
			t.Errorf("Ring(%s) error %v: Is(ErrDriverNotFound) %v, Is(ErrNoHosts) %v", d, err,
				errors.Is(err, ErrDriverNotFound), errors.Is(err, ErrNoHosts))
		}
		if _, err := m.Topic(ctx, d, "x"); !errors.Is(err, ErrDriverNotFound) {
			t.Errorf("Topic(%s): %v", d, err)
		}
		if _, err := m.DriverTopic(ctx, d); !errors.Is(err, ErrDriverNotFound) {
			t.Errorf("DriverTopic(%s): %v", d, err)
		}
		if mapped, err := m.MappedTo(ctx, d, "x", "cond-a"); mapped || err != nil {
			t.Errorf("MappedTo(%s) = %v, %v, want false, nil", d, mapped, err)
		}
	}
	if n := src.calls.Load(); n != 1 {
		t.Errorf("lister called %d times, want 1 (cached)", n)
	}

	// No conductors at all: DriverNotFound that also matches ErrNoHosts.
	src.set(map[string][]string{})
	m.Reset()
	_, err = m.Ring(ctx, "ipmi")
	var dnf *DriverNotFoundError
	if !errors.As(err, &dnf) || !dnf.NoConductors || !errors.Is(err, ErrNoHosts) || !errors.Is(err, ErrDriverNotFound) {
		t.Errorf("empty membership: %v", err)
	}
}

func TestManagerCacheInterval(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		src := &staticLister{d2h: map[string][]string{"ipmi": {"cond-a"}}}
		m := newTestManager(t, DefaultConfig(), src)
		ctx := t.Context()
		topic := func() string {
			t.Helper()
			tp, err := m.Topic(ctx, "ipmi", "1be26c0b-03f2-4d2e-ae87-c02d7f33c123")
			if err != nil {
				t.Fatal(err)
			}
			return tp
		}
		calls := func(want int64, when string) {
			t.Helper()
			if n := src.calls.Load(); n != want {
				t.Errorf("%s: %d lister calls, want %d", when, n, want)
			}
		}
		calls(0, "before the first lookup")
		topic()
		topic()
		calls(1, "two lookups")
		src.set(map[string][]string{"ipmi": {"cond-b"}})
		time.Sleep(180 * time.Second) // updated_at >= now - 180 still holds
		if tp := topic(); tp != HostTopic("cond-a") {
			t.Errorf("within the interval: %s, want the cached cond-a", tp)
		}
		calls(1, "at the interval")
		time.Sleep(time.Second)
		if tp := topic(); tp != HostTopic("cond-b") {
			t.Errorf("past the interval: %s, want the reloaded cond-b", tp)
		}
		calls(2, "past the interval")
		src.set(map[string][]string{"ipmi": {"cond-c"}})
		m.Reset()
		if tp := topic(); tp != HostTopic("cond-c") {
			t.Errorf("after Reset: %s, want cond-c", tp)
		}
		calls(3, "after Reset")
	})
}

func TestManagerZeroInterval(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		src := &staticLister{d2h: map[string][]string{"ipmi": {"cond-a"}}}
		cfg := DefaultConfig()
		cfg.HashRingResetInterval = 0
		m := newTestManager(t, cfg, src)
		for range 3 {
			if _, err := m.Ring(t.Context(), "ipmi"); err != nil {
				t.Fatal(err)
			}
			time.Sleep(time.Millisecond)
		}
		if n := src.calls.Load(); n != 3 {
			t.Errorf("interval 0: %d lister calls, want 3", n)
		}
	})
}

var errBoom = errors.New("database is gone")

func TestManagerListerError(t *testing.T) {
	var calls atomic.Int64
	m := newTestManager(t, DefaultConfig(), ConductorListerFunc(func(ctx context.Context) (map[string][]string, error) {
		if calls.Add(1) == 1 {
			return nil, errBoom
		}
		return map[string][]string{"ipmi": {"cond-a"}}, nil
	}))
	_, err := m.Ring(t.Context(), "ipmi")
	if !errors.Is(err, errBoom) || errors.Is(err, ErrDriverNotFound) {
		t.Fatalf("error = %v, want the lister's", err)
	}
	if _, err := m.Ring(t.Context(), "ipmi"); err != nil {
		t.Fatalf("a failed load must not be cached: %v", err)
	}
	if mapped, err := m.MappedTo(t.Context(), "ipmi", "x", "cond-a"); !mapped || err != nil {
		t.Errorf("MappedTo = %v, %v", mapped, err)
	}
}

// blockingLister blocks its first call until release is closed or ctx
// ends; its n-th call returns the single host "v<n>" for "ipmi".
type blockingLister struct {
	release chan struct{}
	calls   atomic.Int64
	panics  bool
}

func (l *blockingLister) ActiveDriverHosts(ctx context.Context) (map[string][]string, error) {
	n := l.calls.Add(1)
	if n == 1 {
		select {
		case <-l.release:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
		if l.panics {
			panic("lister bug")
		}
	}
	return map[string][]string{"ipmi": {fmt.Sprintf("v%d", n)}}, nil
}

func onlyHost(t *testing.T, r *Ring) string {
	t.Helper()
	n := r.Nodes()
	if len(n) != 1 {
		t.Fatalf("ring nodes %v, want one", n)
	}
	return n[0]
}

func TestManagerWaitersShareOneLoad(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		src := &blockingLister{release: make(chan struct{})}
		m := newTestManager(t, DefaultConfig(), src)
		var wg sync.WaitGroup
		hosts := make([]string, 10)
		for i := range hosts {
			wg.Go(func() {
				r, err := m.Ring(t.Context(), "ipmi")
				if err != nil {
					t.Error(err)
					return
				}
				hosts[i] = onlyHost(t, r)
			})
		}
		synctest.Wait()
		if n := src.calls.Load(); n != 1 {
			t.Errorf("%d lister calls while 10 lookups wait, want 1", n)
		}
		close(src.release)
		wg.Wait()
		for i, h := range hosts {
			if h != "v1" {
				t.Errorf("waiter %d got %q, want v1", i, h)
			}
		}
	})
}

func TestManagerResetDuringLoad(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		src := &blockingLister{release: make(chan struct{})}
		m := newTestManager(t, DefaultConfig(), src)
		var first string
		var wg sync.WaitGroup
		wg.Go(func() {
			r, err := m.Ring(t.Context(), "ipmi")
			if err != nil {
				t.Error(err)
				return
			}
			first = onlyHost(t, r)
		})
		synctest.Wait() // the first load is blocked in the lister
		m.Reset()       // must not wait for it: no lock is held during the query
		r, err := m.Ring(t.Context(), "ipmi")
		if err != nil {
			t.Fatal(err)
		}
		if h := onlyHost(t, r); h != "v2" {
			t.Errorf("lookup after Reset got %s, want a fresh load v2", h)
		}
		close(src.release)
		wg.Wait()
		if first != "v1" {
			t.Errorf("the caller of the interrupted load got %q, want v1", first)
		}
		// The load that started before Reset is not cached.
		r, err = m.Ring(t.Context(), "ipmi")
		if err != nil {
			t.Fatal(err)
		}
		if h := onlyHost(t, r); h != "v2" {
			t.Errorf("cached ring is %s, want v2", h)
		}
		if n := src.calls.Load(); n != 2 {
			t.Errorf("%d lister calls, want 2", n)
		}
	})
}

func TestManagerCancellation(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		src := &blockingLister{release: make(chan struct{})}
		m := newTestManager(t, DefaultConfig(), src)
		leaderCtx, cancelLeader := context.WithCancel(t.Context())
		quitterCtx, cancelQuitter := context.WithCancel(t.Context())
		var leaderErr, quitterErr, patientErr error
		var patientHost string
		var wg sync.WaitGroup
		wg.Go(func() { _, leaderErr = m.Ring(leaderCtx, "ipmi") })
		synctest.Wait()
		wg.Go(func() { _, quitterErr = m.Ring(quitterCtx, "ipmi") })
		wg.Go(func() {
			r, err := m.Ring(t.Context(), "ipmi")
			patientErr = err
			if err == nil {
				patientHost = onlyHost(t, r)
			}
		})
		synctest.Wait()
		cancelQuitter()
		synctest.Wait()
		if !errors.Is(quitterErr, context.Canceled) {
			t.Errorf("waiter with a cancelled ctx: %v, want context.Canceled", quitterErr)
		}
		cancelLeader() // the leader's query fails; the patient waiter loads again
		wg.Wait()
		if !errors.Is(leaderErr, context.Canceled) {
			t.Errorf("leader: %v, want context.Canceled", leaderErr)
		}
		if patientErr != nil || patientHost != "v2" {
			t.Errorf("patient waiter: %q, %v, want v2 from a second load", patientHost, patientErr)
		}
	})
}

func TestManagerListerPanic(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		src := &blockingLister{release: make(chan struct{}), panics: true}
		m := newTestManager(t, DefaultConfig(), src)
		var recovered any
		var followerErr error
		var wg sync.WaitGroup
		wg.Go(func() {
			defer func() { recovered = recover() }()
			_, _ = m.Ring(t.Context(), "ipmi")
		})
		synctest.Wait()
		wg.Go(func() { _, followerErr = m.Ring(t.Context(), "ipmi") })
		synctest.Wait()
		close(src.release)
		wg.Wait()
		if recovered == nil {
			t.Error("the lister's panic did not reach its caller")
		}
		if followerErr == nil || !strings.Contains(followerErr.Error(), "panicked") {
			t.Errorf("waiter: %v, want a panic error", followerErr)
		}
		if _, err := m.Ring(t.Context(), "ipmi"); err != nil {
			t.Errorf("after a panic: %v", err)
		}
	})
}

// TestManagerConcurrent races lookups against resets and reloads (run
// with -race); every ring seen must be one whole membership version.
func TestManagerConcurrent(t *testing.T) {
	var version atomic.Int64
	src := ConductorListerFunc(func(ctx context.Context) (map[string][]string, error) {
		v := version.Add(1)
		hosts := make([]string, 3)
		for i := range hosts {
			hosts[i] = fmt.Sprintf("v%d-cond-%d", v, i)
		}
		return map[string][]string{"ipmi": hosts, "redfish": hosts[:1]}, nil
	})
	cfg := DefaultConfig()
	cfg.HashRingResetInterval = time.Millisecond
	m, err := NewManager(cfg, src)
	if err != nil {
		t.Fatal(err)
	}
	keys := randomUUIDs(rand.New(rand.NewPCG(9, 10)), 64)
	ctx := t.Context()
	stop := make(chan struct{})
	var resets sync.WaitGroup
	for range 2 {
		resets.Go(func() {
			for {
				select {
				case <-stop:
					return
				default:
					m.Reset()
					time.Sleep(50 * time.Microsecond)
				}
			}
		})
	}
	var lookups sync.WaitGroup
	for g := range 8 {
		lookups.Go(func() {
			for i := range 500 {
				k := keys[(g+i)%len(keys)]
				r, err := m.Ring(ctx, "ipmi")
				if err != nil {
					t.Error(err)
					return
				}
				nodes := r.Nodes()
				prefix, _, _ := strings.Cut(nodes[0], "-")
				if len(nodes) != 3 || !strings.HasPrefix(nodes[2], prefix+"-") {
					t.Errorf("ring mixes versions: %v", nodes)
					return
				}
				h, _ := r.Lookup(k)
				if !slices.Contains(nodes, h) {
					t.Errorf("Lookup %s not in %v", h, nodes)
				}
				if tp, err := m.Topic(ctx, "ipmi", k); err != nil || !strings.HasPrefix(tp, TopicConductorManager+".v") {
					t.Errorf("Topic = %q, %v", tp, err)
				}
				if _, err := m.MappedTo(ctx, "redfish", k, "x"); err != nil {
					t.Error(err)
				}
			}
		})
	}
	lookups.Wait()
	close(stop)
	resets.Wait()
	if version.Load() < 2 {
		t.Errorf("only %d loads; the test did not exercise reloads", version.Load())
	}
}

func TestConfig(t *testing.T) {
	c := DefaultConfig()
	if c.HashPartitionExponent != 5 || c.HashDistributionReplicas != 1 || c.HashRingResetInterval != 180*time.Second {
		t.Errorf("defaults = %+v", c)
	}
	if err := c.Validate(); err != nil {
		t.Errorf("defaults invalid: %v", err)
	}
	bad := Config{HashPartitionExponent: -1, HashDistributionReplicas: 0, HashRingResetInterval: -time.Second}
	err := bad.Validate()
	if err == nil {
		t.Fatal("invalid config accepted")
	}
	for _, opt := range []string{"hash_partition_exponent", "hash_distribution_replicas", "hash_ring_reset_interval"} {
		if !strings.Contains(err.Error(), opt) {
			t.Errorf("error %q does not name %s", err, opt)
		}
	}
	if _, err := NewManager(bad, ConductorListerFunc(nil)); err == nil {
		t.Error("NewManager accepted an invalid config")
	}
	if _, err := NewManager(DefaultConfig(), nil); err == nil {
		t.Error("NewManager accepted a nil lister")
	}
	c.HashPartitionExponent = MaxPartitionExponent + 1
	if c.Validate() == nil {
		t.Error("exponent above the maximum accepted")
	}
}

func TestManagerLogs(t *testing.T) {
	var buf bytes.Buffer
	cfg := DefaultConfig()
	cfg.Logger = zerolog.New(&buf).Level(zerolog.DebugLevel)
	m, err := NewManager(cfg, &staticLister{d2h: map[string][]string{"ipmi": {"cond-a"}}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := m.Ring(t.Context(), "ipmi"); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Rebuilding cached hash rings", `"drivers":["ipmi"]`, `"component":"hashring"`} {
		if !strings.Contains(buf.String(), want) {
			t.Errorf("logs lack %s:\n%s", want, buf.String())
		}
	}
}

// TestManagerReusesPoints reloads overlapping memberships: rings built
// from cached points equal fresh ones, and departed hosts leave the cache.
func TestManagerReusesPoints(t *testing.T) {
	src := &staticLister{}
	m := newTestManager(t, DefaultConfig(), src)
	keys := randomUUIDs(rand.New(rand.NewPCG(11, 12)), 500)
	for i, hosts := range [][]string{
		{"cond-a", "cond-b", "cond-c"},
		{"cond-b", "cond-c", "cond-d", "cond-e"},
		{"cond-e", "cond-a"},
	} {
		src.set(map[string][]string{"ipmi": hosts, "redfish": hosts[:1]})
		m.Reset()
		for driver, want := range map[string]*Ring{"ipmi": New(hosts, DefaultPartitions), "redfish": New(hosts[:1], DefaultPartitions)} {
			r, err := m.Ring(t.Context(), driver)
			if err != nil {
				t.Fatal(err)
			}
			if r.Len() != want.Len() {
				t.Errorf("load %d %s: %d points, want %d", i, driver, r.Len(), want.Len())
			}
			for _, k := range keys {
				if diff := diffNodes(want.GetNodes(k, nil, 3), r.GetNodes(k, nil, 3)); diff != "" {
					t.Fatalf("load %d %s key %s (-fresh +cached):\n%s", i, driver, k, diff)
				}
			}
		}
		m.pmu.Lock()
		cached := slices.Sorted(maps.Keys(m.points))
		m.pmu.Unlock()
		if diff := diffNodes(slices.Sorted(slices.Values(hosts)), cached); diff != "" {
			t.Errorf("load %d: cached hosts (-want +got):\n%s", i, diff)
		}
	}
}
