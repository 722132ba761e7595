// Package rpcapi is the client of the Ironic conductor RPC API 1.0–1.40 and
// the method table that conductors serve it from: a Go program calls any
// conductor, Go or Python, sending each method exactly as Ironic's own
// ironic.conductor.rpcapi.ConductorAPI sends it.
//
// # Design
//
// Every RPC method is declared once, as a [Method] value of the table
// ([Methods] lists them): its wire name, the version it is sent at, call or
// cast, how its topic is chosen, an argument struct whose json tags are the
// wire names of its keyword arguments, its result type and the exceptions
// Ironic documents for it. [ConductorAPI] encodes requests with it; a
// conductor decodes them with it through [Register] (or [Handle]), so the
// two sides cannot drift.
//
// Versions are typed and capped. Each argument may carry the version that
// introduced it (`rpc:"since=1.39,optional"`): under a version cap below
// that version an optional argument left at its zero value is not sent and
// the request goes out at the older version, as Ironic downgrades
// (change_node_power_state without a timeout is sent at 1.6 under a cap
// of 1.38). Anything else above the cap fails before a byte is sent with an
// error matching [messaging.ErrVersionCap].
//
// Routing follows rpcapi's get_topic_for and get_topic_for_driver over a
// [hashring.Manager]; failures from a conductor come back as
// *exception.Error for ironic.common.exception classes, and stay
// *messaging.RemoteError otherwise.
//
// Mirrors ironic.conductor.rpcapi (ironic 7.0.0, RPC API 1.40).
package rpcapi
