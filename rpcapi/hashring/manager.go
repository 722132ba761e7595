package hashring

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"math/rand/v2"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/rs/zerolog"
)

// ConductorLister reports ring membership.
type ConductorLister interface {
	// ActiveDriverHosts returns, for each driver name, the hostnames of the
	// active conductors that support it. At RPC API 1.40 that is Ironic's
	// get_active_driver_dict() (classic drivers from conductors.drivers)
	// updated with get_active_hardware_type_dict() (a hardware type
	// replaces a classic driver of the same name); a conductor is active
	// when online is true and its heartbeat (updated_at) is within
	// heartbeat_timeout (60 s). Drivers with no hosts may be omitted. It
	// may block on I/O and must honour ctx.
	ActiveDriverHosts(ctx context.Context) (map[string][]string, error)
}

// ConductorListerFunc adapts a function to [ConductorLister].
type ConductorListerFunc func(ctx context.Context) (map[string][]string, error)

// ActiveDriverHosts calls f(ctx).
func (f ConductorListerFunc) ActiveDriverHosts(ctx context.Context) (map[string][]string, error) {
	return f(ctx)
}

// Config mirrors the hash ring options of Ironic's [DEFAULT] section at
// 7.0.0. Start from [DefaultConfig].
type Config struct {
	// HashPartitionExponent is hash_partition_exponent: each conductor gets
	// 2^HashPartitionExponent points. Default 5. We accept 0 to 20.
	HashPartitionExponent int
	// HashDistributionReplicas is hash_distribution_replicas: how many
	// conductors each node maps to. Default 1 (Ironic calls more
	// experimental; newer Ironic removed it).
	HashDistributionReplicas int
	// HashRingResetInterval is hash_ring_reset_interval: how long a loaded
	// set of rings is used before the next lookup reloads it. Default 180 s
	// (newer Ironic: 15 s).
	HashRingResetInterval time.Duration
	// Logger receives debug logs of ring loads. The zero value logs nothing.
	Logger zerolog.Logger
}

// DefaultConfig returns Ironic 7.0.0's defaults.
func DefaultConfig() Config {
	return Config{
		HashPartitionExponent:    5,
		HashDistributionReplicas: 1,
		HashRingResetInterval:    180 * time.Second,
	}
}

// MaxPartitionExponent is the largest HashPartitionExponent we accept
// (Ironic sets no bound).
const MaxPartitionExponent = 20

// Validate returns every problem of c, joined.
func (c Config) Validate() error {
	var errs []error
	if c.HashPartitionExponent < 0 || c.HashPartitionExponent > MaxPartitionExponent {
		errs = append(errs, fmt.Errorf("hashring: hash_partition_exponent %d not in [0, %d]", c.HashPartitionExponent, MaxPartitionExponent))
	}
	if c.HashDistributionReplicas < 1 {
		errs = append(errs, fmt.Errorf("hashring: hash_distribution_replicas %d must be at least 1", c.HashDistributionReplicas))
	}
	if c.HashRingResetInterval < 0 {
		errs = append(errs, fmt.Errorf("hashring: hash_ring_reset_interval %s must not be negative", c.HashRingResetInterval))
	}
	return errors.Join(errs...)
}

// Manager is Ironic's HashRingManager: one [Ring] per driver name, built
// from a [ConductorLister], reused for HashRingResetInterval after it was
// loaded, and dropped by [Manager.Reset].
//
// A Manager is safe for concurrent use. Lookups on fresh rings take no
// lock. When the rings are stale, one caller queries the lister while the
// others wait for its result (or their ctx); no lock is held during the
// query. Ironic keeps one ring cache per process; share one Manager
// likewise.
type Manager struct {
	cfg Config
	src ConductorLister
	log zerolog.Logger

	cur atomic.Pointer[snapshot] // nil: must load

	mu       sync.Mutex // guards gen and inflight; never held during a query
	gen      uint64     // incremented by Reset; a load from an older gen is not kept
	inflight *load

	pmu    sync.Mutex         // guards points; held while building rings, never during a query
	points map[string][]point // host → its points, reused by the next load
}

type snapshot struct {
	rings    map[string]*Ring
	loadedAt time.Time
}

// load is one query of the lister, shared by the callers that wait for it.
type load struct {
	done chan struct{} // closed when snap or err is set
	gen  uint64
	snap *snapshot
	err  error
}

// NewManager returns a Manager over src. It does not query src yet.
func NewManager(cfg Config, src ConductorLister) (*Manager, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if src == nil {
		return nil, errors.New("hashring: nil ConductorLister")
	}
	return &Manager{cfg: cfg, src: src, log: cfg.Logger.With().Str("component", "hashring").Logger()}, nil
}

// Config returns the configuration m was built with.
func (m *Manager) Config() Config { return m.cfg }

// Reset drops the cached rings, as HashRingManager.reset(): the next lookup
// queries the lister, even if a query started before Reset is still
// running. It does not block.
func (m *Manager) Reset() {
	m.mu.Lock()
	m.gen++
	m.inflight = nil
	m.cur.Store(nil)
	m.mu.Unlock()
	m.log.Debug().Msg("Resetting cached hash rings")
}

// Ring returns the ring of driver. It loads the rings first if they are
// missing or older than HashRingResetInterval, which may block on the
// lister. An unknown driver gives a [*DriverNotFoundError]; a failed
// query gives the lister's error, wrapped. Callers must not modify the
// returned ring: it is shared until the next load.
func (m *Manager) Ring(ctx context.Context, driver string) (*Ring, error) {
	s, err := m.rings(ctx)
	if err != nil {
		return nil, err
	}
	r, ok := s.rings[driver]
	if !ok {
		return nil, &DriverNotFoundError{Driver: driver, NoConductors: len(s.rings) == 0}
	}
	return r, nil
}

// Drivers returns the names of the drivers that have a ring, sorted. It
// loads the rings as [Manager.Ring] does.
func (m *Manager) Drivers(ctx context.Context) ([]string, error) {
	s, err := m.rings(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]string, 0, len(s.rings))
	for d := range s.rings {
		out = append(out, d)
	}
	slices.Sort(out)
	return out, nil
}

// Hosts returns the conductors nodeUUID maps to under driver:
// ring.get_nodes(uuid, replicas=hash_distribution_replicas), primary
// first. Errors are those of [Manager.Ring].
func (m *Manager) Hosts(ctx context.Context, driver, nodeUUID string) ([]string, error) {
	r, err := m.Ring(ctx, driver)
	if err != nil {
		return nil, err
	}
	return r.GetNodes(nodeUUID, nil, m.cfg.HashDistributionReplicas), nil
}

// Topic returns the RPC topic of the conductor that handles nodeUUID under
// driver, as rpcapi's get_topic_for: "ironic.conductor_manager.<host>"
// with the first host of [Manager.Hosts]. Ironic takes an arbitrary one of
// the replicas (set.pop()); we take the primary. Errors match
// [ErrDriverNotFound] (Ironic's DriverNotFound, turned into NoValidHost by
// rpcapi) or [ErrNoHosts], or are the lister's.
func (m *Manager) Topic(ctx context.Context, driver, nodeUUID string) (string, error) {
	r, err := m.Ring(ctx, driver)
	if err != nil {
		return "", err
	}
	return r.Topic(nodeUUID, m.cfg.HashDistributionReplicas)
}

// DriverTopic returns the topic of a random conductor supporting driver,
// as rpcapi's get_topic_for_driver. Errors are those of [Manager.Ring].
func (m *Manager) DriverTopic(ctx context.Context, driver string) (string, error) {
	r, err := m.Ring(ctx, driver)
	if err != nil {
		return "", err
	}
	hosts := r.Nodes()
	if len(hosts) == 0 {
		return "", fmt.Errorf("hashring: driver %q: %w", driver, ErrNoHosts)
	}
	return HostTopic(hosts[rand.IntN(len(hosts))]), nil
}

// MappedTo reports whether nodeUUID under driver is handled by host, as
// the conductor's _mapped_to_this_conductor: host is among
// [Manager.Hosts]. An unknown driver is not mapped (false, nil); only a
// failed query is an error.
func (m *Manager) MappedTo(ctx context.Context, driver, nodeUUID, host string) (bool, error) {
	r, err := m.Ring(ctx, driver)
	if errors.Is(err, ErrDriverNotFound) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	var buf [8]string
	return slices.Contains(r.AppendNodes(buf[:0], nodeUUID, nil, m.cfg.HashDistributionReplicas), host), nil
}

// fresh reports whether s may still be used, as Ironic's
// updated_at >= time.time() - hash_ring_reset_interval.
func (m *Manager) fresh(s *snapshot) bool {
	return s != nil && time.Since(s.loadedAt) <= m.cfg.HashRingResetInterval
}

// rings returns fresh rings, loading them or waiting for a load in flight.
func (m *Manager) rings(ctx context.Context) (*snapshot, error) {
	for {
		if s := m.cur.Load(); m.fresh(s) {
			return s, nil
		}
		m.mu.Lock()
		if s := m.cur.Load(); m.fresh(s) {
			m.mu.Unlock()
			return s, nil
		}
		l, leader := m.inflight, false
		if l == nil {
			l, leader = &load{done: make(chan struct{}), gen: m.gen}, true
			m.inflight = l
		}
		m.mu.Unlock()

		if leader {
			m.run(ctx, l)
		} else {
			select {
			case <-l.done:
			case <-ctx.Done():
				return nil, fmt.Errorf("hashring: waiting for rings: %w", context.Cause(ctx))
			}
		}
		if l.err == nil {
			return l.snap, nil
		}
		// A follower whose leader gave up on its own ctx tries again.
		if !leader && ctx.Err() == nil && isCtxErr(l.err) {
			continue
		}
		return nil, l.err
	}
}

func isCtxErr(err error) bool {
	return errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)
}

// run queries the lister for l and publishes the result.
func (m *Manager) run(ctx context.Context, l *load) {
	finished := false
	defer func() {
		if !finished { // the lister panicked: release the followers, then re-panic
			l.err = errors.New("hashring: ConductorLister panicked")
		}
		m.mu.Lock()
		if m.inflight == l {
			m.inflight = nil
		}
		if l.err == nil && m.gen == l.gen {
			m.cur.Store(l.snap)
		}
		m.mu.Unlock()
		close(l.done)
	}()
	m.log.Debug().Msg("Rebuilding cached hash rings")
	l.snap, l.err = m.load(ctx)
	finished = true
	if l.err != nil {
		m.log.Debug().Err(l.err).Msg("Loading hash rings failed")
		return
	}
	if ev := m.log.Debug(); ev.Enabled() {
		ev.Strs("drivers", slices.Sorted(maps.Keys(l.snap.rings))).Msg("Finished rebuilding hash rings")
	}
}

// load builds one ring per driver from the lister.
func (m *Manager) load(ctx context.Context) (*snapshot, error) {
	d2h, err := m.src.ActiveDriverHosts(ctx)
	if err != nil {
		return nil, fmt.Errorf("hashring: list active conductors: %w", err)
	}
	// The md5 work of a host's points is done once and reused while the
	// host stays active: a reload with the same conductors only sorts.
	m.pmu.Lock()
	defer m.pmu.Unlock()
	next := make(map[string][]point, len(m.points))
	pts := func(host string, n int) []point {
		p, ok := next[host]
		if !ok {
			if p, ok = m.points[host]; !ok {
				p = pointsOf(host, n)
			}
			next[host] = p
		}
		return p
	}
	partitions := 1 << m.cfg.HashPartitionExponent
	rings := make(map[string]*Ring, len(d2h))
	for driver, hosts := range d2h {
		if len(hosts) == 0 {
			continue
		}
		// Sorted so that the rare colliding host names resolve the same
		// way on every load.
		rings[driver] = newRing(slices.Sorted(slices.Values(hosts)), partitions, pts)
	}
	m.points = next
	return &snapshot{rings: rings, loadedAt: time.Now()}, nil
}
