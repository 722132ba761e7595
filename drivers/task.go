package drivers

import (
	"context"
	"errors"

	"github.com/rs/zerolog"

	"github.com/ironic-go/ironic-go/objects"
	"github.com/ironic-go/ironic-go/objects/exception"
)

// ErrNoHost is returned by the Task methods that need the conductor when
// the task has no Host (e.g. in a driver's unit test).
var ErrNoHost = errors.New("drivers: task has no host")

// ErrNoPortCreator is returned by Task.CreatePort when the task's Host is
// not a PortCreator.
var ErrNoPortCreator = errors.New("drivers: task host cannot create ports")

// TaskHost is what the conductor does for a driver that the driver cannot
// do itself: locking, persistence, background work and the state machine.
// The conductor's task implements it; drivers see it only through the
// Task methods.
type TaskHost interface {
	// UpgradeLock turns a shared lock into an exclusive one: it reserves
	// the node (retrying as Ironic does, NodeLocked when that fails),
	// reloads task.Node and clears task.Shared. No-op when exclusive.
	UpgradeLock(ctx context.Context) error
	// SaveNode writes task.Node's changed fields (node.save()).
	SaveNode(ctx context.Context) error
	// Spawn runs fn in the conductor's worker pool once the current
	// request is answered; the node lock is held until fn returns
	// (spawn_after). fn gets the worker's context, which outlives the
	// request's. NoFreeConductorWorker when the pool is full. An error
	// from fn is recorded in the node's last_error, as Ironic does.
	Spawn(ctx context.Context, fn func(ctx context.Context) error) error
	// ProcessEvent fires a provision state event on the node, with an
	// optional target ("" for none), updates its provision states and
	// saves it (task.process_event). InvalidState when not allowed.
	ProcessEvent(ctx context.Context, event, target string) error
}

// PortCreator is an optional TaskHost capability: creating ports for the
// task's node, as hardware inspection does
// (inspect_utils.create_ports_if_not_exist). The conductor's task
// implements it.
type PortCreator interface {
	// CreatePort inserts port for the task's node (it sets port's
	// node_id), appends the stored port to task.Ports and returns it.
	// Errors: ExclusiveLockRequired under a shared lock, MACAlreadyExists,
	// InvalidMAC, PortAlreadyExists.
	CreatePort(ctx context.Context, port *objects.Port) (*objects.Port, error)
}

// DependentsLoader is an optional TaskHost capability: reading the node's
// ports, portgroups, volume connectors and targets, which a Task loads on
// first use (Ironic's task.ports and the others are lazy too). The
// conductor's task implements it.
type DependentsLoader interface {
	LoadPorts(ctx context.Context) ([]*objects.Port, error)
	LoadPortgroups(ctx context.Context) ([]*objects.Portgroup, error)
	LoadVolumeConnectors(ctx context.Context) ([]*objects.VolumeConnector, error)
	LoadVolumeTargets(ctx context.Context) ([]*objects.VolumeTarget, error)
}

// Task is the node a driver acts on and what the conductor loaded with it
// (TaskManager). The conductor builds it under the node's lock, sets
// Driver from [Registry.DriverFor] and Host to itself. A driver may change
// Node's fields and then call SaveNode; it must not keep the Task after
// the call that received it returns (except inside Spawn).
//
// A Task is used by one goroutine at a time.
type Task struct {
	// Node is the node, decoded from the database.
	Node *objects.Node
	// Ports, Portgroups, VolumeConnectors and VolumeTargets are the
	// node's, loaded through the Host on first use by ListPorts,
	// ListPortgroups, ListVolumeConnectors and ListVolumeTargets (read
	// them through those); a test may set them directly.
	Ports            []*objects.Port
	Portgroups       []*objects.Portgroup
	VolumeConnectors []*objects.VolumeConnector
	VolumeTargets    []*objects.VolumeTarget
	// Driver is the node's composed driver.
	Driver *Driver
	// Shared is true while the task holds a shared (read-only) lock.
	Shared bool
	// RequestID is the RPC request's id, for logs.
	RequestID string
	// Log is scoped to the node and request; the zero value discards.
	Log zerolog.Logger
	// Host is the conductor side of the task.
	Host TaskHost
}

// NodeUUID returns the node's UUID, or "" if unset.
func (t *Task) NodeUUID() string {
	if t.Node == nil || t.Node.UUID == nil {
		return ""
	}
	return *t.Node.UUID
}

// DriverName returns the node's driver (hardware type), or "" if unset.
func (t *Task) DriverName() string {
	if t.Node == nil || t.Node.Driver == nil {
		return ""
	}
	return *t.Node.Driver
}

// RequireExclusive returns ExclusiveLockRequired if the task holds a
// shared lock (@require_exclusive_lock).
func (t *Task) RequireExclusive() error {
	if t.Shared {
		return exception.ExclusiveLockRequired()
	}
	return nil
}

// UpgradeLock asks the conductor for an exclusive lock; see
// [TaskHost.UpgradeLock].
func (t *Task) UpgradeLock(ctx context.Context) error {
	if t.Host == nil {
		return ErrNoHost
	}
	return t.Host.UpgradeLock(ctx)
}

// SaveNode asks the conductor to save the node; see [TaskHost.SaveNode].
func (t *Task) SaveNode(ctx context.Context) error {
	if t.Host == nil {
		return ErrNoHost
	}
	return t.Host.SaveNode(ctx)
}

// Spawn asks the conductor to run fn in the background; see
// [TaskHost.Spawn].
func (t *Task) Spawn(ctx context.Context, fn func(ctx context.Context) error) error {
	if t.Host == nil {
		return ErrNoHost
	}
	return t.Host.Spawn(ctx, fn)
}

// ProcessEvent asks the conductor to fire a provision state event; see
// [TaskHost.ProcessEvent].
func (t *Task) ProcessEvent(ctx context.Context, event, target string) error {
	if t.Host == nil {
		return ErrNoHost
	}
	return t.Host.ProcessEvent(ctx, event, target)
}

// CreatePort asks the conductor to create a port for the node; see
// [PortCreator]. ErrNoHost without a Host, ErrNoPortCreator when the Host
// cannot.
func (t *Task) CreatePort(ctx context.Context, port *objects.Port) (*objects.Port, error) {
	if t.Host == nil {
		return nil, ErrNoHost
	}
	pc, ok := t.Host.(PortCreator)
	if !ok {
		return nil, ErrNoPortCreator
	}
	return pc.CreatePort(ctx, port)
}

// ListPorts returns the node's ports, loading them on first use.
func (t *Task) ListPorts(ctx context.Context) ([]*objects.Port, error) {
	return loadOnce(ctx, t, &t.Ports, DependentsLoader.LoadPorts)
}

// ListPortgroups returns the node's portgroups, loading them on first use.
func (t *Task) ListPortgroups(ctx context.Context) ([]*objects.Portgroup, error) {
	return loadOnce(ctx, t, &t.Portgroups, DependentsLoader.LoadPortgroups)
}

// ListVolumeConnectors returns the node's volume connectors, loading them
// on first use.
func (t *Task) ListVolumeConnectors(ctx context.Context) ([]*objects.VolumeConnector, error) {
	return loadOnce(ctx, t, &t.VolumeConnectors, DependentsLoader.LoadVolumeConnectors)
}

// ListVolumeTargets returns the node's volume targets, loading them on
// first use.
func (t *Task) ListVolumeTargets(ctx context.Context) ([]*objects.VolumeTarget, error) {
	return loadOnce(ctx, t, &t.VolumeTargets, DependentsLoader.LoadVolumeTargets)
}

// loadOnce fills *have through the host's DependentsLoader unless it is
// set already (loaded, or set by a test); a load stores a non-nil slice,
// so an empty result is not read again. A host without a loader leaves it
// as it is.
func loadOnce[T any](ctx context.Context, t *Task, have *[]T,
	load func(DependentsLoader, context.Context) ([]T, error)) ([]T, error) {
	if *have != nil {
		return *have, nil
	}
	l, ok := t.Host.(DependentsLoader)
	if !ok {
		return nil, nil
	}
	v, err := load(l, ctx)
	if err != nil {
		return nil, err
	}
	if v == nil {
		v = []T{}
	}
	*have = v
	return v, nil
}
