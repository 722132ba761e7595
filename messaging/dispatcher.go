package messaging

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
)

// Handler serves one RPC method. args is the request's keyword arguments,
// a JSON object. The result is encoded as JSON (nil is null). An error is
// sent to a caller as an oslo failure: the first RemoteException in its
// chain keeps its Python identity.
type Handler func(ctx context.Context, args Args) (any, error)

// Args is a request's keyword arguments, the raw JSON object.
type Args json.RawMessage

// Decode decodes the arguments into v, a pointer to a struct with json
// tags or a map. Unknown arguments are ignored. Numbers decoded into
// untyped values (any) are json.Number, so an integer stays an integer if
// it is sent back.
func (a Args) Decode(v any) error {
	if len(a) == 0 {
		return nil
	}
	if err := decodeNumbers(a, v); err != nil {
		return BuiltinError("TypeError", fmt.Sprintf("invalid arguments: %v", err))
	}
	return nil
}

// Typed adapts a function with a typed argument struct to a Handler.
func Typed[A, R any](f func(ctx context.Context, args A) (R, error)) Handler {
	return func(ctx context.Context, raw Args) (any, error) {
		var a A
		if err := raw.Decode(&a); err != nil {
			return nil, err
		}
		return f(ctx, a)
	}
}

// Endpoint is a set of methods served under one namespace and version, as
// an oslo endpoint object with its target.
type Endpoint struct {
	// Namespace must equal the request's; empty is the null namespace.
	Namespace string
	// Version is the implemented version; zero means 1.0.
	Version Version
	// Methods maps wire names to handlers. Names starting with "_" are
	// never called (oslo's DefaultRPCAccessPolicy).
	Methods map[string]Handler
}

// dispatch finds the handler for req exactly as oslo's RPCDispatcher does,
// including the Python errors it raises for malformed method, version and
// args values.
func dispatch(endpoints []Endpoint, req *incomingRequest) (Handler, Args, error) {
	version := "1.0"
	if req.version != nil {
		s, ok := jsonString(req.version)
		if !ok {
			return nil, nil, BuiltinError("AttributeError", fmt.Sprintf("'%s' object has no attribute 'split'", pyTypeName(req.version)))
		}
		version = s
	}
	found := false
	for i := range endpoints {
		ep := &endpoints[i]
		if !namespaceMatches(ep.Namespace, req.namespace) {
			continue
		}
		ok, err := versionIsCompatible(ep.Version.orDefault().String(), version)
		if err != nil {
			return nil, nil, err
		}
		if !ok {
			continue
		}
		name, isStr := req.methodName()
		if !isStr {
			return nil, nil, BuiltinError("TypeError", fmt.Sprintf("attribute name must be string, not '%s'", pyTypeName(req.method)))
		}
		if h := ep.Methods[name]; h != nil && !strings.HasPrefix(name, "_") {
			args := req.args
			if args == nil {
				args = json.RawMessage("{}")
			}
			if args[0] != '{' {
				return nil, nil, BuiltinError("AttributeError", fmt.Sprintf("'%s' object has no attribute 'items'", pyTypeName(args)))
			}
			return h, Args(args), nil
		}
		found = true
	}
	method := "None"
	if req.method != nil {
		method = pyStr(req.method)
	}
	if found {
		return nil, nil, &NoSuchMethodError{Method: method}
	}
	return nil, nil, &UnsupportedVersionError{Version: version, Method: method}
}

func namespaceMatches(endpoint string, requested json.RawMessage) bool {
	if requested == nil {
		return endpoint == ""
	}
	s, ok := jsonString(requested)
	return ok && s == endpoint && s != ""
}

// versionIsCompatible is oslo's _utils.version_is_compatible, with the
// Python errors it raises on malformed input.
func versionIsCompatible(impVersion, version string) (bool, error) {
	parts := strings.Split(version, ".")
	imp := strings.Split(impVersion, ".")
	rev, impRev := "0", "0"
	if len(parts) > 2 {
		rev = parts[2]
	}
	if len(imp) > 2 {
		impRev = imp[2]
	}
	atoi := func(s string) (int, error) {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil {
			return 0, BuiltinError("ValueError", fmt.Sprintf("invalid literal for int() with base 10: %s", pyRepr(s)))
		}
		return n, nil
	}
	major, err := atoi(parts[0])
	if err != nil {
		return false, err
	}
	impMajor, _ := atoi(imp[0])
	if major != impMajor {
		return false, nil
	}
	if len(parts) < 2 {
		return false, BuiltinError("IndexError", "list index out of range")
	}
	minor, err := atoi(parts[1])
	if err != nil {
		return false, err
	}
	impMinor, _ := atoi(imp[1])
	if minor > impMinor {
		return false, nil
	}
	if minor == impMinor {
		r, err := atoi(rev)
		if err != nil {
			return false, err
		}
		ir, _ := atoi(impRev)
		if r > ir {
			return false, nil
		}
	}
	return true, nil
}

func jsonString(raw json.RawMessage) (string, bool) { return unquote(raw) }

// pyTypeName names the Python type a JSON value decodes to.
func pyTypeName(raw json.RawMessage) string {
	if len(raw) == 0 {
		return "NoneType"
	}
	switch c := raw[0]; {
	case c == '"':
		return "str"
	case c == '{':
		return "dict"
	case c == '[':
		return "list"
	case c == 't' || c == 'f':
		return "bool"
	case c == 'n':
		return "NoneType"
	case strings.ContainsAny(string(raw), ".eE"):
		return "float"
	}
	return "int"
}

// pyRepr is Python's repr() of a str.
func pyRepr(s string) string {
	if strings.Contains(s, "'") && !strings.Contains(s, `"`) {
		return `"` + s + `"`
	}
	return "'" + strings.ReplaceAll(strings.ReplaceAll(s, `\`, `\\`), "'", `\'`) + "'"
}
