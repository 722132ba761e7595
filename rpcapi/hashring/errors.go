package hashring

import (
	"errors"
	"fmt"
)

// Sentinel errors. Match them with errors.Is.
var (
	// ErrDriverNotFound matches every [DriverNotFoundError]: no active
	// conductor supports the driver. Ironic raises DriverNotFound, which
	// its rpcapi turns into NoValidHost.
	ErrDriverNotFound = errors.New("hashring: driver not found")
	// ErrNoHosts is a lookup on a ring without hosts (tooz returns an empty
	// set there, and Ironic's set.pop() fails). It also matches a
	// [DriverNotFoundError] raised while no conductor at all is active,
	// which newer Ironic reports as TemporaryFailure.
	ErrNoHosts = errors.New("hashring: no hosts in ring")
	// ErrUnknownNode is tooz's UnknownNode: [Ring.RemoveNode] of a host
	// that is not in the ring.
	ErrUnknownNode = errors.New("hashring: unknown node")
)

// DriverNotFoundError is returned by [Manager.Ring] and the Manager lookups
// for a driver that no active conductor supports. It matches
// [ErrDriverNotFound], and also [ErrNoHosts] when NoConductors is set.
type DriverNotFoundError struct {
	Driver string
	// NoConductors is set when the membership listed no driver at all.
	NoConductors bool
}

func (e *DriverNotFoundError) Error() string {
	if e.NoConductors {
		return fmt.Sprintf("hashring: driver %q not found: no active conductors", e.Driver)
	}
	return fmt.Sprintf("hashring: driver %q not found: no active conductor supports it", e.Driver)
}

// Is matches ErrDriverNotFound, and ErrNoHosts when NoConductors is set.
func (e *DriverNotFoundError) Is(target error) bool {
	return target == ErrDriverNotFound || (e.NoConductors && target == ErrNoHosts)
}
