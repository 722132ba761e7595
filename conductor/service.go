package conductor

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/rs/zerolog"

	"github.com/ironic-go/ironic-go/db"
	"github.com/ironic-go/ironic-go/drivers"
	"github.com/ironic-go/ironic-go/messaging"
	"github.com/ironic-go/ironic-go/objects/exception"
	"github.com/ironic-go/ironic-go/rpcapi/hashring"
)

// ManagerTopic is the conductors' RPC topic; each serves it and
// "<topic>.<host>" (what clients route to).
const ManagerTopic = hashring.TopicConductorManager

// Deps are what a Service is built from; cmd wires the concrete pieces.
type Deps struct {
	Config    Config
	Transport messaging.Transport
	Store     db.API
	Registry  *drivers.Registry
	// HashRing configures the ring that maps nodes to conductors.
	HashRing hashring.Config
	// ExecutorPoolSize bounds concurrent RPC handlers
	// (executor_thread_pool_size).
	ExecutorPoolSize int
	// MissingReplyTimeout is kombu_missing_consumer_retry_timeout.
	MissingReplyTimeout time.Duration
	// Exchange is the control exchange; empty means the transport's.
	Exchange string
	// Topic is the conductor topic served (bare and "<topic>.<host>");
	// empty means ManagerTopic, which Ironic fixes. Tests sharing a broker
	// give each conductor group its own.
	Topic string
}

// Service is one conductor: registration, heartbeat, the RPC server,
// periodic tasks and takeover, and a graceful stop (Ironic's RPCService +
// BaseConductorManager).
type Service struct {
	cfg   Config
	deps  Deps
	log   zerolog.Logger
	mgr   *Manager
	pool  *WorkerPool
	ring  *hashring.Manager
	store db.API

	server *messaging.Server

	mu      sync.Mutex
	started bool
	stopped bool
	cancel  context.CancelFunc
	loops   sync.WaitGroup
	// syncCounts is do_sync_power_state's per-node failure counter.
	syncCounts sync.Map
}

// NewService validates the configuration and builds the conductor.
func NewService(d Deps) (*Service, error) {
	if err := d.Config.Validate(); err != nil {
		return nil, err
	}
	if d.Transport == nil || d.Store == nil || d.Registry == nil {
		return nil, fmt.Errorf("%w: transport, store and registry are required", ErrConfig)
	}
	if len(d.Registry.HardwareTypes()) == 0 {
		return nil, exception.NewMessage("NoDriversLoaded", fmt.Sprintf(
			"Conductor %s cannot be started because no hardware types were loaded.", d.Config.Host), map[string]any{"conductor": d.Config.Host})
	}
	log := d.Config.Logger.With().Str("host", d.Config.Host).Logger()
	d.Config.Logger = log
	pool := NewWorkerPool(d.Config.WorkersPoolSize, d.Config.WorkersBacklog, log.With().Str("component", "pool").Logger())
	d.HashRing.Logger = log
	ring, err := hashring.NewManager(d.HashRing, d.Store)
	if err != nil {
		return nil, err
	}
	s := &Service{cfg: d.Config, deps: d, log: log, pool: pool, ring: ring, store: d.Store}
	s.mgr = NewManager(d.Config, d.Store, d.Registry, pool)
	return s, nil
}

// topic returns the topic the conductor serves.
func (s *Service) topic() string {
	if s.deps.Topic != "" {
		return s.deps.Topic
	}
	return ManagerTopic
}

// Manager returns the RPC manager.
func (s *Service) Manager() *Manager { return s.mgr }

// Ring returns the conductor's hash ring manager.
func (s *Service) Ring() *hashring.Manager { return s.ring }

// Start brings the conductor up, as Ironic's RPCService.start and
// init_host: it starts serving its topics, clears its own stale
// reservations and pending power operations, registers itself and its
// hardware interfaces, starts the heartbeat and the periodic tasks, and
// fails deployments that were interrupted on the nodes it now owns.
func (s *Service) Start(ctx context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.started {
		return fmt.Errorf("conductor: already started")
	}
	s.started = true
	host := s.cfg.Host

	if ids, err := s.store.ClearNodeTargetPowerState(ctx, host); err != nil {
		return fmt.Errorf("clear pending power operations: %w", err)
	} else if len(ids) > 0 {
		s.log.Warn().Strs("nodes", ids).Msg("pending power operations aborted due to conductor restart")
	}
	if ids, err := s.store.ClearNodeReservations(ctx, host); err != nil {
		return fmt.Errorf("clear stale reservations: %w", err)
	} else if len(ids) > 0 {
		s.log.Warn().Strs("nodes", ids).Msg("cleared stale reservations of this conductor")
	}

	ep := s.mgr.Endpoint()
	if missing := ep.Missing(); len(missing) > 0 {
		return fmt.Errorf("conductor: no handler for %v", missing)
	}
	srv, err := messaging.NewServer(s.deps.Transport,
		messaging.Target{Exchange: s.deps.Exchange, Topic: s.topic(), Server: host},
		[]messaging.Endpoint{ep.Messaging()},
		messaging.ServerConfig{PoolSize: s.deps.ExecutorPoolSize, MissingReplyTimeout: s.deps.MissingReplyTimeout,
			MapError: func(err error) messaging.RemoteException { return MapError(err) }, Logger: s.log})
	if err != nil {
		return err
	}
	if err := srv.Start(ctx); err != nil {
		return err
	}
	s.server = srv

	rows := s.deps.Registry.HardwareInterfaces()
	ifaces := make([]db.HardwareInterface, len(rows))
	for i, r := range rows {
		ifaces[i] = db.HardwareInterface{HardwareType: r.HardwareType, InterfaceType: string(r.InterfaceType),
			InterfaceName: r.InterfaceName, Default: r.Default}
	}
	reg := db.ConductorRegistration{Hostname: host, Drivers: []string{}, HardwareInterfaces: ifaces}
	cond, err := s.store.RegisterConductor(ctx, reg, false)
	if errors.Is(err, exception.ErrConductorAlreadyRegistered) {
		s.log.Warn().Msg("a conductor with this hostname is already registered online; taking its row over")
		cond, err = s.store.RegisterConductor(ctx, reg, true)
	}
	if err != nil {
		stopCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
		defer cancel()
		_ = srv.Stop(stopCtx)
		return fmt.Errorf("register conductor %s: %w", host, err)
	}
	s.mgr.conductorID = cond.ID
	s.ring.Reset()
	s.log.Info().Int64("conductor_id", cond.ID).Int("hardware_interfaces", len(ifaces)).
		Strs("hardware_types", s.deps.Registry.HardwareTypes()).Msg("conductor registered")

	loopCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	s.cancel = cancel
	s.every(loopCtx, "heartbeat", s.cfg.HeartbeatInterval, s.keepalive)
	s.every(loopCtx, "sync_power_states", s.cfg.SyncPowerStateInterval, s.syncPowerStates)
	s.every(loopCtx, "check_provision_timeouts", s.cfg.CheckProvisionStateInterval, s.checkProvisionTimeouts)
	s.every(loopCtx, "sync_local_state", s.cfg.SyncLocalStateInterval, s.syncLocalState)

	s.failInterruptedDeploys(loopCtx)
	s.log.Info().Msg("conductor started")
	return nil
}

// every runs fn every interval until ctx ends (not at all if interval <= 0).
func (s *Service) every(ctx context.Context, name string, interval time.Duration, fn func(ctx context.Context)) {
	if interval <= 0 {
		s.log.Info().Str("task", name).Msg("periodic task disabled")
		return
	}
	s.loops.Go(func() {
		t := time.NewTicker(interval)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				func() {
					defer func() {
						if r := recover(); r != nil {
							s.log.Error().Str("task", name).Msgf("periodic task panicked: %v", r)
						}
					}()
					fn(ctx)
				}()
			}
		}
	})
}

// keepalive is the heartbeat: touch our conductor row.
func (s *Service) keepalive(ctx context.Context) {
	if err := s.store.TouchConductor(ctx, s.cfg.Host); err != nil {
		s.log.Warn().Err(err).Msg("conductor heartbeat failed")
	}
}

// Stop shuts the conductor down gracefully: stop consuming RPC (requests
// not yet taken stay queued for another conductor), stop the periodic
// tasks, let in-flight work finish within ctx (or ShutdownTimeout) and
// then cancel it, release every lock this conductor still holds, and
// unregister. It returns ctx.Err() if it had to cancel work.
func (s *Service) Stop(ctx context.Context) error {
	s.mu.Lock()
	if s.stopped || !s.started {
		s.stopped = true
		s.mu.Unlock()
		return nil
	}
	s.stopped = true
	s.mu.Unlock()
	if _, ok := ctx.Deadline(); !ok && s.cfg.ShutdownTimeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, s.cfg.ShutdownTimeout)
		defer cancel()
	}
	var errs []error
	if s.server != nil {
		if err := s.server.Stop(ctx); err != nil {
			errs = append(errs, fmt.Errorf("stop RPC server: %w", err))
		}
	}
	if s.cancel != nil {
		s.cancel()
	}
	s.loops.Wait()
	if err := s.pool.Stop(ctx); err != nil {
		errs = append(errs, fmt.Errorf("in-flight work cancelled: %w", err))
	}
	bg, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer cancel()
	if ids, err := s.store.ClearNodeReservations(bg, s.cfg.Host); err != nil {
		errs = append(errs, fmt.Errorf("release locks: %w", err))
	} else if len(ids) > 0 {
		s.log.Warn().Strs("nodes", ids).Msg("released locks left at shutdown")
	}
	if err := s.store.UnregisterConductor(bg, s.cfg.Host); err != nil && !errors.Is(err, exception.ErrConductorNotFound) {
		errs = append(errs, fmt.Errorf("unregister: %w", err))
	}
	s.log.Info().Msg("conductor stopped")
	return errors.Join(errs...)
}
