// Package objects holds Ironic's versioned objects (Node, Port, Portgroup,
// VolumeConnector, VolumeTarget, Conductor, Chassis) at the versions of RPC
// API 1.40, their change tracking, and their "ironic_object.*" wire
// envelope. Objects are plain structs: assign fields directly, and
// [Node.Changes] reports what a database save must write (the fields named
// in the received "ironic_object.changes", plus every field whose value
// differs from the last [Node.ResetChanges]).
//
// Decoding accepts the object's own version and any other minor of the same
// major, so that newer clients (Debian's ironic sends Node 1.37) interoperate:
// unknown fields are ignored. Encoding always writes this package's versions.
//
// Values of the objects are not safe for concurrent mutation; the package has
// no mutable global state.
//
// Mirrors ironic.objects (oslo.versionedobjects base).
package objects
