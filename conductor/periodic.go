package conductor

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/ironic-go/ironic-go/conductor/states"
	"github.com/ironic-go/ironic-go/db"
	"github.com/ironic-go/ironic-go/drivers"
	"github.com/ironic-go/ironic-go/objects"
	"github.com/ironic-go/ironic-go/objects/exception"
)

// mapped returns a node filter that keeps the nodes the hash ring maps to
// this conductor (iter_nodes).
func (s *Service) mapped(ctx context.Context) func(n *objects.Node) bool {
	return func(n *objects.Node) bool {
		if n.UUID == nil || n.Driver == nil {
			return false
		}
		ok, err := s.ring.MappedTo(ctx, *n.Driver, *n.UUID, s.cfg.Host)
		if err != nil {
			s.log.Warn().Err(err).Msg("hash ring lookup failed")
		}
		return ok
	}
}

// skippable are the errors a periodic task moves past: the node is busy
// or gone.
func skippable(err error) bool {
	return errors.Is(err, exception.ErrNodeLocked) || errors.Is(err, exception.ErrNodeNotFound)
}

// ---- power state sync ----

// syncPowerStates is _sync_power_states: compare each mapped node's
// recorded power state with the hardware, with bounded concurrency.
func (s *Service) syncPowerStates(ctx context.Context) {
	nodes, err := s.store.ListNodes(ctx, db.NodeFilter{Maintenance: db.Ptr(false), Match: s.mapped(ctx)}, db.ListOptions{})
	if err != nil {
		s.log.Warn().Err(err).Msg("power state sync: cannot list nodes")
		return
	}
	work := make(chan *objects.Node)
	var wg sync.WaitGroup
	for range max(1, s.cfg.SyncPowerStateWorkers) {
		wg.Go(func() {
			for n := range work {
				s.syncNodePowerState(ctx, n)
			}
		})
	}
	for _, n := range nodes {
		if states.SyncExcluded(states.Of(n.ProvisionState)) || n.TargetPowerState != nil || n.Reservation != nil {
			continue
		}
		select {
		case work <- n:
		case <-ctx.Done():
		}
		if ctx.Err() != nil {
			break
		}
	}
	close(work)
	wg.Wait()
}

func (s *Service) syncNodePowerState(ctx context.Context, n *objects.Node) {
	err := s.mgr.tm.With(ctx, db.ByID(n.ID), AcquireOptions{Shared: true, Purpose: "power state sync", NoRetry: true}, func(t *Task) error {
		st := states.Of(t.Node.ProvisionState)
		if states.SyncExcluded(st) || t.Node.Maintenance || t.Node.TargetPowerState != nil || t.Node.Reservation != nil {
			return nil
		}
		key := t.Node.ID
		prev, _ := s.syncCounts.Load(key)
		count, _ := prev.(int)
		count = s.doSyncPowerState(ctx, t, count)
		if count == 0 {
			s.syncCounts.Delete(key)
		} else {
			s.syncCounts.Store(key, count)
		}
		return nil
	})
	if err != nil && !skippable(err) {
		s.log.Warn().Err(err).Int64("node_id", n.ID).Msg("power state sync failed for a node")
	}
}

// doSyncPowerState is conductor.manager.do_sync_power_state; it returns
// the node's new failure count.
func (s *Service) doSyncPowerState(ctx context.Context, t *Task, count int) int {
	count++
	node := t.Node
	power, err := iface[drivers.PowerInterface](t, drivers.InterfacePower)
	if err != nil {
		return 0
	}
	if node.PowerState == nil {
		if err := guard(t, func() error { return power.Validate(ctx, &t.Task) }); err != nil {
			return 0
		}
	}
	actual, err := guard1(t, func() (string, error) { return power.GetPowerState(ctx, &t.Task) })
	if err == nil && actual == string(states.PowerError) {
		err = fmt.Errorf("driver returned ERROR power state")
	}
	if err != nil {
		t.Log.Warn().Err(err).Int("attempt", count).Msg("power state sync: cannot get the power state")
		if count > s.cfg.PowerStateSyncMaxRetries {
			if uerr := t.UpgradeLock(ctx); uerr == nil {
				s.syncMaxRetriesExceeded(ctx, t, states.PowerError, err)
			}
		}
		return count
	}
	if node.PowerState != nil && *node.PowerState == actual {
		return 0
	}
	if err := t.UpgradeLock(ctx); err != nil {
		return count
	}
	node = t.Node
	if states.SyncExcluded(states.Of(node.ProvisionState)) || node.Maintenance {
		return 0
	}
	if node.PowerState == nil {
		t.Log.Info().Str("state", actual).Msg("power state sync: recording the power state of a node without one")
		node.PowerState = powerStatePtr(actual)
		node.MarkChanged("power_state")
		if err := t.SaveNode(ctx); err != nil {
			t.Log.Warn().Err(err).Msg("power state sync: cannot save")
		}
		return 0
	}
	if count > s.cfg.PowerStateSyncMaxRetries {
		s.syncMaxRetriesExceeded(ctx, t, states.PowerState(actual), nil)
		return count
	}
	if s.cfg.ForcePowerStateDuringSync {
		want := states.PowerState(*node.PowerState)
		t.Log.Warn().Str("actual", actual).Str("expected", string(want)).Msg("power state sync: forcing the hardware to the recorded power state")
		if err := s.mgr.nodePowerAction(ctx, t, want, 0); err != nil {
			t.Log.Error().Err(err).Msg("power state sync: cannot force the power state")
		}
	} else {
		t.Log.Warn().Str("actual", actual).Str("recorded", *node.PowerState).Msg("power state sync: recording the hardware's power state")
		node.PowerState = powerStatePtr(actual)
		node.MarkChanged("power_state")
		if err := t.SaveNode(ctx); err != nil {
			t.Log.Warn().Err(err).Msg("power state sync: cannot save")
		}
	}
	return count
}

// syncMaxRetriesExceeded is handle_sync_power_state_max_retries_exceeded.
func (s *Service) syncMaxRetriesExceeded(ctx context.Context, t *Task, actual states.PowerState, cause error) {
	node := t.Node
	msg := fmt.Sprintf("During sync_power_state, max retries exceeded for node %s, node state %s does not match expected state '%s'. "+
		"Updating DB state to '%s' Switching node to maintenance mode.", t.NodeUUID(), actual, deref(node.PowerState), actual)
	if cause != nil {
		msg += " Error: " + errorText(cause)
	}
	node.PowerState = actual.Ptr()
	node.Maintenance = true
	node.MaintenanceReason = &msg
	node.MarkChanged("power_state", "maintenance", "maintenance_reason")
	setLastError(node, &msg)
	if err := t.SaveNode(ctx); err != nil {
		t.Log.Error().Err(err).Msg("cannot record the power sync failure")
	}
	t.Log.Error().Msg(msg)
}

// ---- provision timeouts ----

// checkProvisionTimeouts runs Ironic's _check_deploy_timeouts,
// _check_deploying_status, _check_cleanwait_timeouts and
// _check_inspect_timeouts (all at check_provision_state_interval).
func (s *Service) checkProvisionTimeouts(ctx context.Context) {
	if d := s.cfg.DeployCallbackTimeout; d > 0 {
		s.failIfInState(ctx, db.NodeFilter{Reserved: db.Ptr(false), Maintenance: db.Ptr(false),
			ProvisionState: db.Ptr(string(states.DeployWait)), ProvisionedBefore: &d},
			states.DeployWait, "provision_updated_at", s.cleanupAfterTimeout, "", false)
	}
	s.checkDeployingStatus(ctx)
	if d := s.cfg.CleanCallbackTimeout; d > 0 {
		s.failIfInState(ctx, db.NodeFilter{Reserved: db.Ptr(false), Maintenance: db.Ptr(false),
			ProvisionState: db.Ptr(string(states.CleanWait)), ProvisionedBefore: &d},
			states.CleanWait, "provision_updated_at", s.cleanupCleanWaitTimeout, "", true)
	}
	if d := s.cfg.InspectTimeout; d > 0 {
		s.failIfInState(ctx, db.NodeFilter{Reserved: db.Ptr(false), ProvisionState: db.Ptr(string(states.Inspecting)),
			InspectionStartedBefore: &d},
			states.Inspecting, "inspection_started_at", nil, "timeout reached while inspecting the node", false)
	}
}

// failIfInState is _fail_if_in_state: fire "fail" on the mapped nodes
// matching f that are still in state under the lock, at most
// periodic_max_workers of them, stopping when the pool is full.
func (s *Service) failIfInState(ctx context.Context, f db.NodeFilter, state states.State, sortKey string,
	callback func(ctx context.Context, t *Task) error, lastError string, keepTarget bool) {
	f.Match = s.mapped(ctx)
	nodes, err := s.store.ListNodes(ctx, f, db.ListOptions{SortKey: sortKey})
	if err != nil {
		s.log.Warn().Err(err).Str("state", string(state)).Msg("provision timeout check: cannot list nodes")
		return
	}
	workers := 0
	for _, n := range nodes {
		err := s.mgr.tm.With(ctx, db.ByID(n.ID), exclusive("node state check"), func(t *Task) error {
			if t.Node.Maintenance || states.Of(t.Node.ProvisionState) != state {
				return nil
			}
			target := states.NoState
			if keepTarget {
				target = states.Of(t.Node.TargetProvisionState)
			}
			t.Log.Warn().Str("state", string(state)).Msg("provision timeout reached; failing the node")
			if callback != nil {
				t.purpose = "timeout cleanup"
				return t.processEvent(ctx, states.EventFail, func(ctx context.Context) error { return callback(ctx, t) },
					provisioningErrorHandler(t), target)
			}
			setLastError(t.Node, &lastError)
			return t.processEvent(ctx, states.EventFail, nil, nil, target)
		})
		switch {
		case errors.Is(err, exception.ErrNoFreeConductorWorker):
			return
		case err != nil && skippable(err):
			continue
		case err != nil:
			s.log.Warn().Err(err).Int64("node_id", n.ID).Msg("provision timeout check failed for a node")
			continue
		}
		workers++
		if workers >= s.cfg.PeriodicMaxWorkers {
			return
		}
	}
}

// cleanupAfterTimeout is utils.cleanup_after_timeout.
func (s *Service) cleanupAfterTimeout(ctx context.Context, t *Task) error {
	msg := fmt.Sprintf("Timeout reached while waiting for callback for node %s", t.NodeUUID())
	setLastError(t.Node, &msg)
	t.Log.Error().Msg(msg)
	if err := t.SaveNode(ctx); err != nil {
		return err
	}
	deploy, err := iface[drivers.DeployInterface](t, drivers.InterfaceDeploy)
	if err == nil {
		err = deploy.CleanUp(ctx, &t.Task)
	}
	if err != nil {
		var ie *exception.Error
		if errors.As(err, &ie) {
			setLastError(t.Node, strp(fmt.Sprintf("Cleanup failed for node %s after deploy timeout: %s", t.NodeUUID(), ie.Msg)))
		} else {
			setLastError(t.Node, strp("Deploy timed out, but an unhandled exception was encountered while aborting. More info may be found in the log file."))
		}
		return t.SaveNode(ctx)
	}
	return nil
}

// cleanupCleanWaitTimeout is utils.cleanup_cleanwait_timeout.
func (s *Service) cleanupCleanWaitTimeout(ctx context.Context, t *Task) error {
	msg := fmt.Sprintf("Timeout reached while cleaning the node. Please check if the ramdisk responsible for the cleaning is running on the node. Failed on step %s.", exception.PyRepr(t.Node.CleanStep))
	return s.mgr.cleaningError(ctx, t, msg, true, false)
}

// checkDeployingStatus is _check_deploying_status: deployments held by a
// conductor that stopped heartbeating are released and failed.
func (s *Service) checkDeployingStatus(ctx context.Context) {
	f := db.NodeFilter{ProvisionState: db.Ptr(string(states.Deploying)), Maintenance: db.Ptr(false), Match: s.mapped(ctx)}
	nodes, err := s.store.ListNodesReservedByOffline(ctx, f, db.ListOptions{})
	if err != nil {
		s.log.Warn().Err(err).Msg("deploying status check: cannot list nodes")
		return
	}
	for _, n := range nodes {
		if n.Reservation == nil {
			continue
		}
		holder := *n.Reservation
		err := s.store.ReleaseNode(ctx, holder, db.ByID(n.ID))
		switch {
		case errors.Is(err, exception.ErrNodeNotFound), errors.Is(err, exception.ErrNodeLocked):
			continue
		case err != nil && !errors.Is(err, exception.ErrNodeNotLocked):
			s.log.Warn().Err(err).Int64("node_id", n.ID).Msg("cannot release a lock of an offline conductor")
			continue
		}
		s.log.Warn().Str("offline_conductor", holder).Int64("node_id", n.ID).Msg("released a deploying node held by an offline conductor")
		s.failIfInState(ctx, db.NodeFilter{ProvisionState: db.Ptr(string(states.Deploying))}, states.Deploying,
			"provision_updated_at", s.cleanupAfterTimeout, "", false)
	}
}

// failInterruptedDeploys is init_host's
// _fail_if_in_state({reserved: False, provision_state: deploying}).
func (s *Service) failInterruptedDeploys(ctx context.Context) {
	s.failIfInState(ctx, db.NodeFilter{Reserved: db.Ptr(false), ProvisionState: db.Ptr(string(states.Deploying))},
		states.Deploying, "provision_updated_at", nil,
		fmt.Sprintf("The deployment can't be resumed by conductor %s. Moving to fail state.", s.cfg.Host), false)
}

// ---- takeover ----

// syncLocalState is _sync_local_state: take over the active nodes the
// ring now maps to this conductor.
func (s *Service) syncLocalState(ctx context.Context) {
	f := db.NodeFilter{Reserved: db.Ptr(false), Maintenance: db.Ptr(false), ProvisionState: db.Ptr(string(states.Active)), Match: s.mapped(ctx)}
	nodes, err := s.store.ListNodes(ctx, f, db.ListOptions{})
	if err != nil {
		s.log.Warn().Err(err).Msg("takeover: cannot list nodes")
		return
	}
	workers := 0
	for _, n := range nodes {
		if n.ConductorAffinity != nil && *n.ConductorAffinity == s.mgr.conductorID {
			continue
		}
		err := s.mgr.tm.With(ctx, db.ByID(n.ID), exclusive("node take over"), func(t *Task) error {
			node := t.Node
			if node.Maintenance || states.Of(node.ProvisionState) != states.Active ||
				(node.ConductorAffinity != nil && *node.ConductorAffinity == s.mgr.conductorID) {
				return nil
			}
			t.purpose = "_do_takeover"
			return t.Spawn(ctx, func(ctx context.Context) error { return s.mgr.takeOver(ctx, t) })
		})
		switch {
		case errors.Is(err, exception.ErrNoFreeConductorWorker):
			return
		case err != nil:
			if !skippable(err) {
				s.log.Warn().Err(err).Int64("node_id", n.ID).Msg("takeover failed for a node")
			}
			continue
		}
		workers++
		if workers >= s.cfg.PeriodicMaxWorkers {
			return
		}
	}
}
