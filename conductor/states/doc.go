// Package states holds Ironic's provision state machine at RPC API 1.40
// (Ironic 7.0.0, Ocata): the provision states and events as typed wire
// strings, the state groups the conductor and the API consult, the default
// targets, the API verbs, the transition table and [Machine], which applies
// it with Ironic's target rule. Power states, boot devices and console
// types live here too, as the conductor's vocabulary.
//
// # NOSTATE
//
// Python's NOSTATE is None. Here it is the zero value of each type:
// [NoState] (State("")) and [NoPower] (PowerState("")). [Of] and
// [State.Ptr] convert to and from the nullable *string of objects.Node, so
// a nil provision_state or target_provision_state reads as NoState and
// NoState is written back as null. The empty string is never a valid wire
// value, so nothing is lost.
//
// # Errors
//
// A refused transition, an unknown start state or an invalid target is an
// [*InvalidStateError] whose message is the one Ironic's fsm puts in its
// InvalidState exception (automaton's wording), and which matches
// [ErrInvalidState] with errors.Is. The package imports only the standard
// library; the conductor turns these errors into exception.InvalidState,
// or InvalidStateRequested where Ironic does.
//
// The package has no mutable global state: tables are returned as fresh
// copies and a Machine is a small value owned by one task.
//
// Mirrors ironic.common.states, ironic.common.fsm and
// ironic.common.boot_devices (7.0.0).
package states
