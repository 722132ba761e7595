// Package hashring places Ironic nodes on conductors with a consistent hash
// ring that gives exactly the placement of python3-tooz's HashRing, so that
// Go and Python conductors and API services agree on which conductor owns
// a node.
//
// # Design
//
// A [Ring] is tooz's HashRing: each host gets partitions×weight points, the
// md5 of the host name repeated 2, 3, … times (tooz's running digest), as
// 128-bit integers on a sorted circle. A key (a node UUID string, hashed
// with md5 exactly as given) goes to the first point strictly after it,
// wrapping to the first point; replicas continue clockwise and skip ignored
// and already chosen hosts. Lookups read an immutable table through an
// atomic pointer, so a Ring is safe for concurrent use and lookups take no
// lock and, with [Ring.Lookup] or [Ring.AppendNodes], allocate nothing.
//
// A [Manager] is Ironic's HashRingManager at RPC API 1.40: one ring per
// driver name (classic driver or hardware type), built from the active
// conductors a [ConductorLister] reports, cached for
// hash_ring_reset_interval and dropped by [Manager.Reset]. It returns
// sentinel errors ([ErrDriverNotFound], [ErrNoHosts]) that the rpcapi layer
// maps to Ironic's DriverNotFound and NoValidHost.
//
// Mirrors tooz.hashring (tooz 3.1.0) and ironic.common.hash_ring
// (ironic 7.0.0, compared with 21.4).
package hashring
