// Package exception holds every Ironic exception that crosses the RPC
// boundary, with the Python identity the messaging layer needs to send it
// as an oslo failure and to rebuild it from one.
//
// One type, [*Error], carries a class name of ironic.common.exception, the
// kwargs and the message. A table generated from Debian's python3-ironic
// 21.4 (177 classes) gives each class its parent, HTTP code and _msg_fmt.
// [Error.Is] follows the parents, as Python's isinstance, so
// errors.Is(NodeLocked(n, h), ErrConflict) holds; every class has a
// sentinel (ErrNodeLocked, ErrConflict, ErrNotFound, ErrInvalid...).
//
// Messages are built as IronicException builds them: _msg_fmt % kwargs
// with Python's %-formatting (%(name)s, %(name)r, %(name)d...), falling
// back to the unformatted _msg_fmt when formatting fails. Kwargs go on the
// wire as ironic_lib encodes them: each value json.dumps'd (so strings
// arrive double-quoted) or str()'d when JSON cannot hold it, then "code"
// as a plain int. [FromRemote] reverses this for a received failure;
// [FromError] gives any Go error an Ironic identity (IronicException, 500).
//
// Go values stand for Python values: nil for None, bool, integers, floats,
// string, slices for lists and maps for dicts (keys sorted, since Go maps
// have no order); an error or a fmt.Stringer is an object that JSON cannot
// hold, sent as its str().
//
// The package imports only the standard library; *Error satisfies
// messaging.RemoteException structurally.
//
// Mirrors ironic.common.exception and ironic_lib.exception.IronicException.
//
//go:generate go run gen_classes.go
package exception
