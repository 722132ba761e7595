package objects

import (
	"errors"
	"fmt"
)

// Python modules of the errors below.
const (
	moduleOVO      = "oslo_versionedobjects.exception"
	moduleBuiltins = "builtins"
)

// ErrMalformed is returned (wrapped) for a primitive that is not a well
// formed ironic_object envelope: not a JSON object, a missing or mistyped
// "ironic_object.*" key, or data that is not an object.
var ErrMalformed = errors.New("objects: malformed object primitive")

// ErrUnknownField is returned (wrapped in *FieldError) by Set for a name
// that is not a field of the object.
var ErrUnknownField = errors.New("objects: unknown field")

// UnsupportedObjectError is oslo.versionedobjects' UnsupportedObjectError:
// the namespace is not "ironic" or the object name is not registered.
type UnsupportedObjectError struct {
	ObjType string // "namespace.name" for a foreign namespace, else the name
}

func (e *UnsupportedObjectError) Error() string { return "objects: " + e.RemoteMessage() }

// RemoteModule implements messaging.RemoteException.
func (e *UnsupportedObjectError) RemoteModule() string { return moduleOVO }

// RemoteClass implements messaging.RemoteException.
func (e *UnsupportedObjectError) RemoteClass() string { return "UnsupportedObjectError" }

// RemoteMessage implements messaging.RemoteException.
func (e *UnsupportedObjectError) RemoteMessage() string {
	return "Unsupported object type " + e.ObjType
}

// RemoteArgs implements messaging.RemoteException.
func (e *UnsupportedObjectError) RemoteArgs() ([]any, map[string]any) {
	return []any{e.RemoteMessage()}, map[string]any{"objtype": e.ObjType}
}

// IncompatibleObjectVersionError is oslo.versionedobjects'
// IncompatibleObjectVersion: the object's major version is not ours (or the
// version string is not a version).
type IncompatibleObjectVersionError struct {
	ObjName   string
	ObjVer    string // as received
	Supported string // our version
}

func (e *IncompatibleObjectVersionError) Error() string { return "objects: " + e.RemoteMessage() }

// RemoteModule implements messaging.RemoteException.
func (e *IncompatibleObjectVersionError) RemoteModule() string { return moduleOVO }

// RemoteClass implements messaging.RemoteException.
func (e *IncompatibleObjectVersionError) RemoteClass() string { return "IncompatibleObjectVersion" }

// RemoteMessage implements messaging.RemoteException.
func (e *IncompatibleObjectVersionError) RemoteMessage() string {
	return fmt.Sprintf("Version %s of %s is not supported, supported version is %s", e.ObjVer, e.ObjName, e.Supported)
}

// RemoteArgs implements messaging.RemoteException.
func (e *IncompatibleObjectVersionError) RemoteArgs() ([]any, map[string]any) {
	return []any{e.RemoteMessage()}, map[string]any{"objname": e.ObjName, "objver": e.ObjVer, "supported": e.Supported}
}

// FieldError reports a value that a field refuses, from Set or from
// decoding. Err is the cause: a *ValueError (what oslo.versionedobjects
// raises: null on a non-nullable field, a value of the wrong type) or an
// Ironic exception (InvalidMAC for MAC address fields).
type FieldError struct {
	Object string // object name, e.g. "Node"
	Field  string // wire name
	Err    error
}

func (e *FieldError) Error() string {
	return fmt.Sprintf("objects: %s.%s: %v", e.Object, e.Field, e.Err)
}

func (e *FieldError) Unwrap() error { return e.Err }

// ValueError is Python's builtins.ValueError as oslo.versionedobjects
// raises it for a refused field value.
type ValueError struct {
	Msg string
}

func (e *ValueError) Error() string { return e.Msg }

// RemoteModule implements messaging.RemoteException.
func (e *ValueError) RemoteModule() string { return moduleBuiltins }

// RemoteClass implements messaging.RemoteException.
func (e *ValueError) RemoteClass() string { return "ValueError" }

// RemoteMessage implements messaging.RemoteException.
func (e *ValueError) RemoteMessage() string { return e.Msg }

// RemoteArgs implements messaging.RemoteException.
func (e *ValueError) RemoteArgs() ([]any, map[string]any) { return []any{e.Msg}, nil }

func valueErrorf(format string, args ...any) error {
	return &ValueError{Msg: fmt.Sprintf(format, args...)}
}
