package conductor

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/rs/zerolog"

	"github.com/ironic-go/ironic-go/conductor/states"
	"github.com/ironic-go/ironic-go/db"
	"github.com/ironic-go/ironic-go/drivers"
	"github.com/ironic-go/ironic-go/messaging"
	"github.com/ironic-go/ironic-go/objects"
	"github.com/ironic-go/ironic-go/objects/exception"
)

// TaskManager takes node locks and builds the tasks that handlers and
// background workers act on, as Ironic's task_manager. Exclusive locks are
// the nodes.reservation column, set to this conductor's host with one
// conditional UPDATE and retried while another holder has it; shared locks
// only read the node.
type TaskManager struct {
	store db.API
	reg   *drivers.Registry
	pool  *WorkerPool
	cfg   Config
	log   zerolog.Logger
}

// NewTaskManager returns a task manager for the conductor host cfg.Host.
func NewTaskManager(store db.API, reg *drivers.Registry, pool *WorkerPool, cfg Config) *TaskManager {
	return &TaskManager{store: store, reg: reg, pool: pool, cfg: cfg, log: cfg.Logger}
}

// AcquireOptions select the kind of lock.
type AcquireOptions struct {
	// Shared takes a shared (read-only) lock: no reservation is written.
	Shared bool
	// DriverName builds the task's driver for this hardware type instead
	// of the node's (update_node changing the driver).
	DriverName string
	// Purpose is logged with the lock.
	Purpose string
	// NoRetry fails at once with NodeLocked instead of retrying
	// (periodic tasks).
	NoRetry bool
}

// Task is a node under a lock, with its driver and state machine: the
// drivers.Task the drivers see, plus what the conductor needs to release
// the lock and run background work. It implements drivers.TaskHost.
type Task struct {
	drivers.Task

	tm      *TaskManager
	purpose string
	fsm     *states.Machine
	// reqCtx carries the request's values into background work.
	reqCtx context.Context

	spawnFn    func(ctx context.Context) error
	errHandler func(err error)
	released   bool
}

var (
	_ drivers.TaskHost         = (*Task)(nil)
	_ drivers.PortCreator      = (*Task)(nil)
	_ drivers.DependentsLoader = (*Task)(nil)
)

// ParseNodeRef reads an RPC node_id (a UUID or an integer id) as Ironic's
// Node.get does: anything else is InvalidIdentity.
func ParseNodeRef(id string) (db.Ref, error) {
	return db.ParseRef(id)
}

// Acquire locks the node and loads it and its driver (ports, portgroups,
// volume connectors and targets are read on first use). On any error
// after the lock is taken the lock is released again. The caller must
// Release the task (or use With).
func (tm *TaskManager) Acquire(ctx context.Context, ref db.Ref, opts AcquireOptions) (*Task, error) {
	t := &Task{tm: tm, purpose: opts.Purpose, reqCtx: ctx}
	t.Shared = opts.Shared
	t.Host = t
	var node *objects.Node
	var err error
	if opts.Shared {
		node, err = tm.store.GetNode(ctx, ref)
	} else {
		node, err = tm.reserve(ctx, ref, opts.NoRetry)
	}
	if err != nil {
		return nil, err
	}
	t.Node = node
	t.released = opts.Shared
	if rc, ok := messaging.RequestContextFrom(ctx); ok {
		t.RequestID = rc.RequestID()
	}
	t.Log = tm.log.With().Str("node", t.NodeUUID()).Str("request_id", t.RequestID).Logger()
	if err := t.load(opts.DriverName); err != nil {
		t.Release(ctx)
		return nil, err
	}
	t.Log.Debug().Bool("shared", opts.Shared).Str("purpose", opts.Purpose).Msg("node lock acquired")
	return t, nil
}

// load builds the node's driver and FSM. Ports and the other dependent
// objects are read on first use (LoadPorts and the others).
func (t *Task) load(driverName string) error {
	node := t.Node
	if driverName != "" {
		node = node.Clone()
		node.Driver = &driverName
	}
	var err error
	if t.Driver, err = t.tm.reg.DriverFor(node); err != nil {
		return err
	}
	return t.initFSM()
}

func (t *Task) initFSM() error {
	m, err := states.New(states.Of(t.Node.ProvisionState), states.Of(t.Node.TargetProvisionState))
	if err != nil {
		// A state this conductor does not know (from a newer Ironic):
		// the task still works; events will be refused.
		t.Log.Warn().Err(err).Msg("node provision state unknown to the 1.40 state machine")
		m = &states.Machine{}
	}
	t.fsm = m
	return nil
}

// reserve takes the exclusive lock, retrying on NodeLocked as Ironic does
// (node_locked_retry_attempts, node_locked_retry_interval apart).
func (tm *TaskManager) reserve(ctx context.Context, ref db.Ref, noRetry bool) (*objects.Node, error) {
	attempts := tm.cfg.NodeLockedRetryAttempts
	if noRetry || attempts < 1 {
		attempts = 1
	}
	for i := 1; ; i++ {
		node, err := tm.store.ReserveNode(ctx, tm.cfg.Host, ref)
		if err == nil || !errors.Is(err, exception.ErrNodeLocked) || i >= attempts {
			return node, err
		}
		select {
		case <-time.After(tm.cfg.NodeLockedRetryInterval):
		case <-ctx.Done():
			return nil, err
		}
	}
}

// Release gives the exclusive lock back. It is idempotent and never
// fails: it retries on database errors for a while, and logs if the lock
// could not be released (a restart of this conductor clears it).
func (t *Task) Release(ctx context.Context) {
	if t.released {
		return
	}
	t.released = true
	ref := db.ByID(t.Node.ID)
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer cancel()
	for attempt := 0; ; attempt++ {
		err := t.tm.store.ReleaseNode(ctx, t.tm.cfg.Host, ref)
		switch {
		case err == nil, errors.Is(err, exception.ErrNodeNotFound):
			t.Log.Debug().Str("purpose", t.purpose).Msg("node lock released")
			return
		case errors.Is(err, exception.ErrNodeNotLocked), errors.Is(err, exception.ErrNodeLocked):
			t.Log.Warn().Err(err).Msg("node lock was not ours at release")
			return
		}
		t.Log.Warn().Err(err).Int("attempt", attempt+1).Msg("releasing the node lock failed; retrying")
		select {
		case <-time.After(time.Duration(attempt+1) * 200 * time.Millisecond):
		case <-ctx.Done():
			t.Log.Error().Err(err).Msg("node lock could not be released; it is cleared when this conductor restarts")
			return
		}
	}
}

// UpgradeLock implements drivers.TaskHost.
func (t *Task) UpgradeLock(ctx context.Context) error {
	if !t.Shared {
		return nil
	}
	node, err := t.tm.reserve(ctx, db.ByID(t.Node.ID), false)
	if err != nil {
		return err
	}
	t.Node, t.Shared, t.released = node, false, false
	t.Log.Debug().Msg("lock upgraded to exclusive")
	return t.initFSM()
}

// SaveNode implements drivers.TaskHost: it writes the node's changed
// fields and reloads it.
func (t *Task) SaveNode(ctx context.Context) error {
	if len(t.Node.Changes()) == 0 {
		return nil
	}
	node, err := t.tm.store.UpdateNode(ctx, t.Node)
	if err != nil {
		return err
	}
	t.Node = node
	return nil
}

// Spawn implements drivers.TaskHost: fn runs in the worker pool after the
// current call returns, keeping the lock until it ends (spawn_after).
func (t *Task) Spawn(_ context.Context, fn func(ctx context.Context) error) error {
	t.spawnFn = fn
	return nil
}

// CreatePort implements drivers.PortCreator: it inserts port for the
// task's node (exclusive lock required) and appends it to t.Ports.
func (t *Task) CreatePort(ctx context.Context, port *objects.Port) (*objects.Port, error) {
	if t.Shared {
		return nil, exception.ExclusiveLockRequired()
	}
	if _, err := t.ListPorts(ctx); err != nil {
		return nil, err
	}
	id := t.Node.ID
	port.NodeID = &id
	created, err := t.tm.store.CreatePort(ctx, port)
	if err != nil {
		return nil, err
	}
	t.Ports = append(t.Ports, created)
	return created, nil
}

// LoadPorts implements drivers.DependentsLoader.
func (t *Task) LoadPorts(ctx context.Context) ([]*objects.Port, error) {
	return t.tm.store.ListPortsByNodeID(ctx, t.Node.ID)
}

// LoadPortgroups implements drivers.DependentsLoader.
func (t *Task) LoadPortgroups(ctx context.Context) ([]*objects.Portgroup, error) {
	return t.tm.store.ListPortgroupsByNodeID(ctx, t.Node.ID)
}

// LoadVolumeConnectors implements drivers.DependentsLoader.
func (t *Task) LoadVolumeConnectors(ctx context.Context) ([]*objects.VolumeConnector, error) {
	return t.tm.store.ListVolumeConnectorsByNodeID(ctx, t.Node.ID)
}

// LoadVolumeTargets implements drivers.DependentsLoader.
func (t *Task) LoadVolumeTargets(ctx context.Context) ([]*objects.VolumeTarget, error) {
	return t.tm.store.ListVolumeTargetsByNodeID(ctx, t.Node.ID)
}

// ProcessEvent implements drivers.TaskHost.
func (t *Task) ProcessEvent(ctx context.Context, event, target string) error {
	return t.processEvent(ctx, states.Event(event), nil, nil, states.State(target))
}

// processEvent fires event on the node's state machine, as Ironic's
// task.process_event: the new provision state and target are saved; with a
// callback, last_error is cleared and the callback is spawned after the
// call, and errHandler (if any) restores the previous states if the spawn
// fails.
func (t *Task) processEvent(ctx context.Context, event states.Event, callback func(ctx context.Context) error,
	errHandler func(err error, prevState, prevTarget states.State), target states.State) error {
	prev, prevTarget := states.Of(t.Node.ProvisionState), states.Of(t.Node.TargetProvisionState)
	if err := t.fsm.Process(event, target); err != nil {
		return exception.InvalidState(err.Error())
	}
	if callback != nil && errHandler != nil {
		t.errHandler = func(err error) { errHandler(err, prev, prevTarget) }
	}
	cur := t.fsm.Current()
	t.Node.ProvisionState = cur.Ptr()
	if callback == nil && states.IsStable(cur) {
		t.Node.TargetProvisionState = nil
	} else {
		t.Node.TargetProvisionState = t.fsm.Target().Ptr()
	}
	t.Node.MarkChanged("provision_state", "target_provision_state")
	if callback != nil {
		t.Node.LastError = nil
		t.Node.MarkChanged("last_error")
		t.spawnFn = callback
	}
	if err := t.SaveNode(ctx); err != nil {
		return err
	}
	t.Log.Info().Str("event", string(event)).Str("from", string(prev)).Str("to", string(cur)).Msg("provision state changed")
	return nil
}

// With acquires the node, runs fn, and then, as leaving Ironic's
// task_manager context does: if fn succeeded and spawned work, submits it
// to the worker pool and keeps the lock until the work ends (the work's
// error goes to the node's last_error if it has none); if the pool is full
// it runs the error hook, releases the lock and returns
// NoFreeConductorWorker; otherwise it releases the lock. The lock is
// released even if fn panics.
func (tm *TaskManager) With(ctx context.Context, ref db.Ref, opts AcquireOptions, fn func(t *Task) error) (err error) {
	t, err := tm.Acquire(ctx, ref, opts)
	if err != nil {
		return err
	}
	defer func() {
		if r := recover(); r != nil {
			t.Release(ctx)
			panic(r)
		}
	}()
	err = fn(t)
	if err != nil || t.spawnFn == nil {
		t.Release(ctx)
		return err
	}
	return t.submit(ctx)
}

// submit hands the spawned work to the pool, which then owns the lock.
func (t *Task) submit(ctx context.Context) error {
	fn := t.spawnFn
	t.spawnFn = nil
	wctx := context.WithoutCancel(t.reqCtx)
	err := t.tm.pool.Submit(func(poolCtx context.Context) error {
		ctx, cancel := context.WithCancel(wctx)
		defer cancel()
		stop := context.AfterFunc(poolCtx, cancel)
		defer stop()
		return fn(ctx)
	}, func(err error) {
		if err != nil {
			t.recordAsyncError(wctx, err)
		}
		t.Release(wctx)
	})
	if err != nil {
		if t.errHandler != nil {
			t.errHandler(err)
		}
		t.Release(ctx)
		return err
	}
	return nil
}

// recordAsyncError sets last_error as Ironic's thread-done callback does.
func (t *Task) recordAsyncError(ctx context.Context, err error) {
	t.Log.Error().Err(err).Msg("asynchronous work failed")
	if t.Node.LastError != nil {
		return
	}
	msg := fmt.Sprintf("Async execution of %s failed with error: %s", t.purpose, errorText(err))
	t.Node.LastError = &msg
	t.Node.MarkChanged("last_error")
	if serr := t.SaveNode(ctx); serr != nil {
		t.Log.Error().Err(serr).Msg("cannot record the error of asynchronous work")
	}
}

// errorText is the message Ironic shows for an error: an Ironic exception's
// own message, or the Go error text.
func errorText(err error) string {
	var ex *exception.Error
	if errors.As(err, &ex) {
		return ex.Msg
	}
	return err.Error()
}
