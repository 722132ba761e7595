package exception

import (
	"encoding/json"
	"errors"
	"math/big"
	"strconv"
	"strings"
)

// Module is the Python module of every class here, as failures name it.
const Module = "ironic.common.exception"

// libModule is where IronicException itself is defined: a Python server
// raising a bare IronicException names this module in its failure.
const libModule = "ironic_lib.exception"

// Error is an Ironic exception that can cross the RPC boundary: an
// instance of class Class of ironic.common.exception.
//
// It satisfies messaging.RemoteException, so a server sends it as an oslo
// failure that a Python client re-raises as the same class.
type Error struct {
	// Class is the class name in ironic.common.exception, e.g. "NodeLocked".
	Class string
	// Kwargs are the keyword arguments the exception was built with, as Go
	// values, plus "code" (the HTTP status) as IronicException adds it.
	Kwargs map[string]any
	// Msg is Python's str(exc): the class's format applied to Kwargs, or
	// the message given explicitly.
	Msg string

	// codeGiven records that "code" was passed by the caller rather than
	// added from the class: Python then sends it JSON-encoded, like the
	// other kwargs.
	codeGiven bool
}

// classRow is one class of the table: its name, parent, HTTP code (0:
// inherited) and _msg_fmt ("": inherited).
type classRow struct {
	name, parent string
	code         int
	format       string
}

// ClassInfo describes an exception class as Python resolves it.
type ClassInfo struct {
	Name   string // e.g. "NodeLocked"
	Parent string // e.g. "Conflict"; "" for IronicException
	Code   int    // the HTTP status (class attribute code)
	Format string // _msg_fmt, %-format with %(name)s placeholders
}

var classes = func() map[string]*ClassInfo {
	m := make(map[string]*ClassInfo, len(classTable))
	for _, r := range classTable {
		m[r.name] = &ClassInfo{Name: r.name, Parent: r.parent, Code: r.code, Format: r.format}
	}
	// Resolve inherited values in table order: Python defines a parent
	// before its subclasses.
	for _, r := range classTable {
		c := m[r.name]
		if p := m[r.parent]; p != nil {
			if c.Code == 0 {
				c.Code = p.Code
			}
			if c.Format == "" {
				c.Format = p.Format
			}
		}
	}
	return m
}()

// Lookup returns the class called name.
func Lookup(name string) (ClassInfo, bool) {
	c, ok := classes[name]
	if !ok {
		return ClassInfo{}, false
	}
	return *c, true
}

// Classes returns every class, parents before their subclasses.
func Classes() []ClassInfo {
	out := make([]ClassInfo, 0, len(classTable))
	for _, r := range classTable {
		out = append(out, *classes[r.name])
	}
	return out
}

// IsSubclass reports whether class is ancestor or one of its subclasses,
// as Python's issubclass. Unknown classes are subclasses only of
// themselves.
func IsSubclass(class, ancestor string) bool {
	for n := class; n != ""; {
		if n == ancestor {
			return true
		}
		c, ok := classes[n]
		if !ok {
			return false
		}
		n = c.Parent
	}
	return false
}

// New returns the exception class built with kwargs, as Python's
// class(**kwargs): the message is the class's format applied to kwargs
// with %-formatting; when that fails (a missing key, a wrong type) it is
// the unformatted format, as IronicException falls back. "code" is added
// to the kwargs unless given. An unknown class behaves as a direct
// subclass of IronicException.
func New(class string, kwargs map[string]any) *Error {
	return NewMessage(class, "", kwargs)
}

// NewMessage returns the exception class built with an explicit message,
// as Python's class(message, **kwargs). An empty message is formatted from
// kwargs, as New does.
func NewMessage(class, message string, kwargs map[string]any) *Error {
	e := &Error{Class: class, Kwargs: make(map[string]any, len(kwargs)+1)}
	for k, v := range kwargs {
		e.Kwargs[k] = v
	}
	info := classInfo(class)
	if message == "" {
		var err error
		if message, err = pyFormat(info.Format, kwargs); err != nil {
			message = info.Format
		}
	}
	e.Msg = message
	if _, ok := e.Kwargs["code"]; ok {
		e.codeGiven = true
	} else {
		e.Kwargs["code"] = info.Code
	}
	return e
}

// classInfo returns the class, or the IronicException defaults for an
// unknown one.
func classInfo(class string) *ClassInfo {
	if c, ok := classes[class]; ok {
		return c
	}
	return classes["IronicException"]
}

// Error returns the message, Python's str(exc) (the class name when the
// message is empty, as for the sentinels).
func (e *Error) Error() string {
	if e.Msg == "" {
		return e.Class
	}
	return e.Msg
}

// Code returns the HTTP status: the "code" kwarg when it is an integer,
// else the class's code.
func (e *Error) Code() int {
	if c, ok := intValue(e.Kwargs["code"]); ok {
		return c
	}
	return classInfo(e.Class).Code
}

// Is reports whether target is an *Error whose class is e's class or one
// of its ancestors: errors.Is(NodeLocked(n, h), ErrConflict) is true.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	if !ok || t == nil {
		return false
	}
	return IsSubclass(e.Class, t.Class)
}

// RemoteModule implements messaging.RemoteException: ironic.common.exception.
func (e *Error) RemoteModule() string { return Module }

// RemoteClass implements messaging.RemoteException.
func (e *Error) RemoteClass() string { return e.Class }

// RemoteMessage implements messaging.RemoteException: the message.
func (e *Error) RemoteMessage() string { return e.Msg }

// RemoteArgs implements messaging.RemoteException: args is [message], as
// IronicException passes the message to Exception; kwargs are encoded as
// ironic_lib's _ensure_exception_kwargs_serializable does: each value
// json.dumps'd (so a string arrives double-quoted), or str() when JSON
// cannot hold it, then "code" added as a plain int.
func (e *Error) RemoteArgs() ([]any, map[string]any) {
	kw := make(map[string]any, len(e.Kwargs)+1)
	for k, v := range e.Kwargs {
		if k == "code" && !e.codeGiven {
			if c, ok := intValue(v); ok {
				kw[k] = c
				continue
			}
		}
		kw[k] = encodeKwarg(v)
	}
	if _, ok := kw["code"]; !ok {
		kw["code"] = classInfo(e.Class).Code
	}
	return []any{e.Msg}, kw
}

// encodeKwarg is json.dumps(v), falling back to str(v).
func encodeKwarg(v any) string {
	p := toPy(v)
	if s, ok := p.jsonDumps(); ok {
		return s
	}
	return p.str()
}

// FromRemote returns the *Error for a failure received from a server, or
// nil when module.class is not a known Ironic class (the caller keeps its
// *messaging.RemoteError then). message becomes Msg as is; kwargs are
// decoded from their wire form (each JSON-encoded string value decoded,
// values that are not JSON kept as strings; numbers become int or
// float64). Module "ironic_lib.exception" is accepted for IronicException,
// the module a Python server names when it raises the base class.
func FromRemote(module, class, message string, kwargs map[string]any) *Error {
	if strings.HasSuffix(module, "_Remote") && strings.HasSuffix(class, "_Remote") {
		module = strings.TrimSuffix(module, "_Remote")
		class = strings.TrimSuffix(class, "_Remote")
	}
	if _, ok := classes[class]; !ok {
		return nil
	}
	if module != Module && (module != libModule || class != "IronicException") {
		return nil
	}
	e := &Error{Class: class, Msg: message, Kwargs: make(map[string]any, len(kwargs)+1)}
	for k, v := range kwargs {
		e.Kwargs[k] = decodeKwarg(v)
		if k == "code" {
			if _, isStr := v.(string); isStr {
				e.codeGiven = true
			}
		}
	}
	if _, ok := e.Kwargs["code"]; !ok {
		e.Kwargs["code"] = classes[class].Code
	}
	return e
}

// decodeKwarg reverses encodeKwarg as far as it can.
func decodeKwarg(v any) any {
	switch x := v.(type) {
	case string:
		if d, ok := decodeJSONValue(x); ok {
			return d
		}
		return x
	case json.Number:
		return numberValue(x)
	case []any, map[string]any:
		return normalizeNumbers(x)
	}
	return v
}

// intValue reads an integer kwarg (as the "code" one) of any Go integer
// type, json.Number or decimal string.
func intValue(v any) (int, bool) {
	switch x := v.(type) {
	case int:
		return x, true
	case int64:
		return int(x), true
	case int32:
		return int(x), true
	case uint:
		return int(x), true
	case uint32:
		return int(x), true
	case uint64:
		return int(x), true
	case float64:
		if x == float64(int(x)) {
			return int(x), true
		}
	case json.Number:
		if i, err := x.Int64(); err == nil {
			return int(i), true
		}
	case string:
		if i, err := strconv.Atoi(strings.TrimSpace(x)); err == nil {
			return i, true
		}
	case *big.Int:
		if x != nil && x.IsInt64() {
			return int(x.Int64()), true
		}
	}
	return 0, false
}

// FromError returns err as an Ironic exception, for a server to send: the
// first *Error in err's chain; else a remote exception of a known Ironic
// class found in the chain (a *messaging.RemoteError being passed on);
// else IronicException (HTTP 500) with err's text as message. nil for nil.
func FromError(err error) *Error {
	if err == nil {
		return nil
	}
	if e, ok := errors.AsType[*Error](err); ok {
		return e
	}
	if r, ok := errors.AsType[remoteException](err); ok {
		_, kwargs := r.RemoteArgs()
		if e := FromRemote(r.RemoteModule(), r.RemoteClass(), r.RemoteMessage(), kwargs); e != nil {
			return e
		}
	}
	return NewMessage("IronicException", err.Error(), nil)
}

// remoteException is messaging.RemoteException, declared here so this
// package does not import messaging.
type remoteException interface {
	error
	RemoteModule() string
	RemoteClass() string
	RemoteMessage() string
	RemoteArgs() ([]any, map[string]any)
}
