package messaging

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/ironic-go/ironic-go/internal/pyjson"
)

// Python module names used in failures.
const (
	ModuleBuiltins   = "builtins"
	ModuleDispatcher = "oslo_messaging.rpc.dispatcher"
)

// RemoteException is an error with a Python identity. A server sends the
// first RemoteException in a handler's error chain as an oslo failure, so
// a Python client re-raises the same class (if its module is allowed) with
// the same args and kwargs.
type RemoteException interface {
	error
	// RemoteModule is the Python module of the class, e.g. "builtins".
	RemoteModule() string
	// RemoteClass is the Python class name, e.g. "ValueError".
	RemoteClass() string
	// RemoteMessage is Python's str() of the exception.
	RemoteMessage() string
	// RemoteArgs are the exception's args and kwargs.
	RemoteArgs() (args []any, kwargs map[string]any)
}

// Exception is a Go error with a Python identity, for errors that are not
// of a richer type. NewException and the builtin helpers fill it.
type Exception struct {
	Module  string
	Class   string
	Message string
	Args    []any
	Kwargs  map[string]any
}

// NewException returns module.class(message) with args [message].
func NewException(module, class, message string) *Exception {
	return &Exception{Module: module, Class: class, Message: message, Args: []any{message}}
}

// BuiltinError returns the Python builtin exception class(message), e.g.
// BuiltinError("ValueError", "bad value").
func BuiltinError(class, message string) *Exception {
	return NewException(ModuleBuiltins, class, message)
}

func (e *Exception) Error() string { return qualified(e.Module, e.Class) + ": " + e.Message }

// RemoteModule implements RemoteException.
func (e *Exception) RemoteModule() string { return e.Module }

// RemoteClass implements RemoteException.
func (e *Exception) RemoteClass() string { return e.Class }

// RemoteMessage implements RemoteException.
func (e *Exception) RemoteMessage() string { return e.Message }

// RemoteArgs implements RemoteException.
func (e *Exception) RemoteArgs() ([]any, map[string]any) { return e.Args, e.Kwargs }

// UnsupportedVersionError is oslo's dispatcher UnsupportedVersion: no
// endpoint serves the requested namespace and version.
type UnsupportedVersionError struct {
	Version string // as requested ("1.0" when absent)
	Method  string
}

func (e *UnsupportedVersionError) Error() string { return e.RemoteMessage() }

// RemoteModule implements RemoteException.
func (e *UnsupportedVersionError) RemoteModule() string { return ModuleDispatcher }

// RemoteClass implements RemoteException.
func (e *UnsupportedVersionError) RemoteClass() string { return "UnsupportedVersion" }

// RemoteMessage implements RemoteException.
func (e *UnsupportedVersionError) RemoteMessage() string {
	return fmt.Sprintf("Endpoint does not support RPC version %s. Attempted method: %s", e.Version, e.Method)
}

// RemoteArgs implements RemoteException.
func (e *UnsupportedVersionError) RemoteArgs() ([]any, map[string]any) {
	return []any{e.RemoteMessage()}, nil
}

// Is matches ErrUnsupportedVersion.
func (e *UnsupportedVersionError) Is(target error) bool { return target == ErrUnsupportedVersion }

// NoSuchMethodError is oslo's dispatcher NoSuchMethod: a compatible
// endpoint exists but has no such public method.
type NoSuchMethodError struct {
	Method string
}

func (e *NoSuchMethodError) Error() string { return e.RemoteMessage() }

// RemoteModule implements RemoteException.
func (e *NoSuchMethodError) RemoteModule() string { return ModuleDispatcher }

// RemoteClass implements RemoteException.
func (e *NoSuchMethodError) RemoteClass() string { return "NoSuchMethod" }

// RemoteMessage implements RemoteException.
func (e *NoSuchMethodError) RemoteMessage() string {
	return "Endpoint does not support RPC method " + e.Method
}

// RemoteArgs implements RemoteException.
func (e *NoSuchMethodError) RemoteArgs() ([]any, map[string]any) {
	return []any{e.RemoteMessage()}, nil
}

// Is matches ErrNoSuchMethod.
func (e *NoSuchMethodError) Is(target error) bool { return target == ErrNoSuchMethod }

// RemoteError is a failure received from a server: the exception raised
// remotely, with its Python identity. It is itself a RemoteException, so a
// Go server that returns it re-raises the same class to its own caller.
type RemoteError struct {
	Module    string
	Class     string
	Message   string
	Traceback []string
	Args      []any          // numbers are json.Number
	Kwargs    map[string]any // numbers are json.Number
}

func (e *RemoteError) Error() string {
	return "remote " + qualified(e.Module, e.Class) + ": " + e.Message
}

// RemoteModule implements RemoteException.
func (e *RemoteError) RemoteModule() string { return e.Module }

// RemoteClass implements RemoteException.
func (e *RemoteError) RemoteClass() string { return e.Class }

// RemoteMessage implements RemoteException.
func (e *RemoteError) RemoteMessage() string { return e.Message }

// RemoteArgs implements RemoteException.
func (e *RemoteError) RemoteArgs() ([]any, map[string]any) { return e.Args, e.Kwargs }

// Is matches ErrUnsupportedVersion and ErrNoSuchMethod for the oslo
// dispatcher classes, and a *RemoteError target with the same module and
// class.
func (e *RemoteError) Is(target error) bool {
	switch target {
	case ErrUnsupportedVersion:
		return e.Module == ModuleDispatcher && e.Class == "UnsupportedVersion"
	case ErrNoSuchMethod:
		return e.Module == ModuleDispatcher && e.Class == "NoSuchMethod"
	}
	if t, ok := target.(*RemoteError); ok {
		return t.Module == e.Module && t.Class == e.Class
	}
	return false
}

func qualified(module, class string) string {
	if module == "" {
		return class
	}
	return module + "." + class
}

// EncodeFailure returns the oslo failure JSON for ex, the string a server
// puts in a reply's "failure" member.
func EncodeFailure(ex RemoteException) ([]byte, error) {
	return encodeFailure(ex, "", ex.Error())
}

// encodeFailure serializes ex as oslo's _drivers/common.serialize_remote_exception
// does: class, module, message, tb, args, kwargs, in that order. detail is
// the full Go error chain, kept in the traceback.
func encodeFailure(ex RemoteException, method, detail string) ([]byte, error) {
	module, class, msg := ex.RemoteModule(), ex.RemoteClass(), ex.RemoteMessage()
	if strings.HasSuffix(class, "_Remote") && strings.HasSuffix(module, "_Remote") {
		class = strings.TrimSuffix(class, "_Remote")
		module = strings.TrimSuffix(module, "_Remote")
	}
	args, kwargs := ex.RemoteArgs()
	if args == nil {
		args = []any{}
	}
	if kwargs == nil {
		kwargs = map[string]any{}
	}
	last := class
	if module != ModuleBuiltins {
		last = module + "." + class
	}
	tb := []string{"Traceback (most recent call last):\n"}
	if rerr, ok := ex.(*RemoteError); ok && len(rerr.Traceback) > 1 {
		tb = append(tb, rerr.Traceback[1:len(rerr.Traceback)-1]...)
	}
	if method != "" {
		tb = append(tb, fmt.Sprintf("  File \"ironic-go\", in %s\n    %s\n", method, strings.ReplaceAll(detail, "\n", " ")))
	}
	tb = append(tb, last+": "+msg+"\n")
	return pyjson.Marshal(pyjson.Object{
		{Key: "class", Value: class},
		{Key: "module", Value: module},
		{Key: "message", Value: msg},
		{Key: "tb", Value: tb},
		{Key: "args", Value: args},
		{Key: "kwargs", Value: kwargs},
	})
}

// DecodeFailure parses the JSON of an oslo failure (the string in a reply's
// "failure" member) into a RemoteError. A module of "exceptions" is read as
// "builtins", as oslo does.
func DecodeFailure(data []byte) (*RemoteError, error) {
	var f struct {
		Class   *string         `json:"class"`
		Module  string          `json:"module"`
		Message json.RawMessage `json:"message"`
		Tb      json.RawMessage `json:"tb"`
		Args    json.RawMessage `json:"args"`
		Kwargs  json.RawMessage `json:"kwargs"`
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	if err := dec.Decode(&f); err != nil {
		return nil, malformed("failure: %v", err)
	}
	if f.Class == nil || *f.Class == "" {
		return nil, malformed("failure without a class")
	}
	e := &RemoteError{Class: *f.Class, Module: f.Module, Message: pyStr(f.Message)}
	if e.Module == "exceptions" {
		e.Module = ModuleBuiltins
	}
	switch {
	case len(f.Tb) == 0 || f.Tb[0] == 'n':
	case f.Tb[0] == '"':
		var s string
		_ = json.Unmarshal(f.Tb, &s)
		e.Traceback = strings.SplitAfter(s, "\n")
	default:
		var tb []any
		if err := json.Unmarshal(f.Tb, &tb); err != nil {
			return nil, malformed("failure traceback: %v", err)
		}
		for _, line := range tb {
			if s, ok := line.(string); ok {
				e.Traceback = append(e.Traceback, s)
			}
		}
	}
	if len(f.Args) > 0 && f.Args[0] == '[' {
		if err := decodeNumbers(f.Args, &e.Args); err != nil {
			return nil, malformed("failure args: %v", err)
		}
	}
	if len(f.Kwargs) > 0 && f.Kwargs[0] == '{' {
		if err := decodeNumbers(f.Kwargs, &e.Kwargs); err != nil {
			return nil, malformed("failure kwargs: %v", err)
		}
	}
	return e, nil
}

// decodeNumbers decodes raw into dst as encoding/json with UseNumber
// does; untyped targets (*any, *map[string]any, *[]any) take a faster
// path.
func decodeNumbers(raw []byte, dst any) error {
	switch d := dst.(type) {
	case *any:
		v, err := decodeAny(raw)
		if err == nil {
			*d = v
		}
		return err
	case *map[string]any:
		if v, err := decodeAny(raw); err == nil {
			if m, ok := v.(map[string]any); ok {
				*d = m
				return nil
			}
			if v == nil {
				*d = nil
				return nil
			}
		}
	case *[]any:
		if v, err := decodeAny(raw); err == nil {
			if a, ok := v.([]any); ok {
				*d = a
				return nil
			}
			if v == nil {
				*d = nil
				return nil
			}
		}
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	return dec.Decode(dst)
}

// pyStr renders a JSON value as Python's str() of the decoded value would,
// for the common cases: a string as itself, null as None, true as True.
func pyStr(raw json.RawMessage) string {
	if len(raw) == 0 {
		return ""
	}
	switch raw[0] {
	case '"':
		var s string
		if json.Unmarshal(raw, &s) == nil {
			return s
		}
	case 'n':
		return "None"
	case 't':
		return "True"
	case 'f':
		return "False"
	}
	return strings.ToValidUTF8(string(raw), "\uFFFD")
}
