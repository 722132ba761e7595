package rpcapi

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"sync"

	"github.com/ironic-go/ironic-go/internal/pyjson"
	"github.com/ironic-go/ironic-go/messaging"
	"github.com/rs/zerolog"
)

// APIVersion returns the conductor RPC API version this package speaks,
// 1.40: the default version cap of a [ConductorAPI] and the version an
// [Endpoint] serves.
func APIVersion() messaging.Version { return messaging.V(1, 40) }

// Kind says whether a method is a call (the caller waits for the result)
// or a cast (fire and forget).
type Kind uint8

// The kinds of method.
const (
	Call Kind = iota
	Cast
)

// String returns "call" or "cast".
func (k Kind) String() string {
	if k == Cast {
		return "cast"
	}
	return "call"
}

// Route says how Ironic's client chooses the topic of a method.
type Route uint8

// The routes.
const (
	// RouteNode: the conductor the node maps to on the hash ring
	// ([ConductorAPI.GetTopicFor]).
	RouteNode Route = iota
	// RouteDriver: a random conductor that has the driver
	// ([ConductorAPI.GetTopicForDriver]).
	RouteDriver
	// RouteBare: the bare topic "ironic.conductor_manager", any conductor.
	RouteBare
)

// String returns "node", "driver" or "bare".
func (r Route) String() string {
	switch r {
	case RouteDriver:
		return "driver"
	case RouteBare:
		return "bare"
	}
	return "node"
}

// ArgInfo describes one keyword argument of a method.
type ArgInfo struct {
	// Name is the wire name, the key in the request's "args".
	Name string
	// Since is the version that introduced the argument.
	Since messaging.Version
	// Optional is set when the conductor's method has a default for the
	// argument: a request may leave it out. Under a version cap below
	// Since, an optional argument at its Go zero value is left out and the
	// request is sent at an older version.
	Optional bool
}

// MethodInfo describes one RPC method of the table.
type MethodInfo struct {
	// Name is the wire name, e.g. "change_node_power_state".
	Name string
	// Version is the version Ironic 7.0.0 sends the method at.
	Version messaging.Version
	// MinVersion is the oldest version the method can be sent at, with
	// every optional argument newer than it left out. It equals Version
	// for most methods.
	MinVersion messaging.Version
	Kind       Kind
	Route      Route
	// Args are the keyword arguments in the order Ironic's client passes
	// them.
	Args []ArgInfo
	// Raises are the classes of ironic.common.exception the method is
	// documented to raise (Ironic's :raises: and expected_exceptions; a
	// subclass may be listed beside its parent, as Ironic does).
	Raises []string
	// Result is the Go type of the result, for documentation.
	Result string
}

// Method is one RPC method of the conductor API: A is the argument struct
// (json tags give the wire names, rpc tags the version that introduced an
// argument) and R the result type. The values of this package's table are
// the only Methods; they are immutable and safe for concurrent use.
type Method[A, R any] struct {
	info   MethodInfo
	fields []argField
	names  map[string]bool
}

// argField is an argument's place in the struct A.
type argField struct {
	ArgInfo
	index []int
}

// Info returns the method's description.
func (m *Method[A, R]) Info() MethodInfo {
	info := m.info
	info.Args = slices.Clone(info.Args)
	info.Raises = slices.Clone(info.Raises)
	return info
}

// Name returns the wire name.
func (m *Method[A, R]) Name() string { return m.info.Name }

// Version returns the version Ironic sends the method at.
func (m *Method[A, R]) Version() messaging.Version { return m.info.Version }

var registry struct {
	mu      sync.Mutex
	methods []MethodInfo
}

// Methods returns the description of every method of the table, sorted by
// name. A conductor checks with it that it serves them all.
func Methods() []MethodInfo {
	registry.mu.Lock()
	defer registry.mu.Unlock()
	out := make([]MethodInfo, len(registry.methods))
	for i, m := range registry.methods {
		out[i] = m
		out[i].Args = slices.Clone(m.Args)
		out[i].Raises = slices.Clone(m.Raises)
	}
	slices.SortFunc(out, func(a, b MethodInfo) int { return strings.Compare(a.Name, b.Name) })
	return out
}

// define builds a Method from its description and the tags of A. It
// panics on a malformed declaration: the table is checked at start-up.
func define[A, R any](name, version, minVersion string, kind Kind, route Route, raises ...string) *Method[A, R] {
	m := &Method[A, R]{info: MethodInfo{Name: name, Version: messaging.MustParseVersion(version), Kind: kind,
		Route: route, Raises: raises, Result: typeName[R]()}, names: map[string]bool{}}
	m.info.MinVersion = m.info.Version
	if minVersion != "" {
		m.info.MinVersion = messaging.MustParseVersion(minVersion)
	}
	t := reflect.TypeFor[A]()
	if t.Kind() != reflect.Struct {
		panic(fmt.Sprintf("rpcapi: %s: arguments %s are not a struct", name, t))
	}
	top := m.info.MinVersion
	for i := range t.NumField() {
		sf := t.Field(i)
		wire, _, _ := strings.Cut(sf.Tag.Get("json"), ",")
		if !sf.IsExported() || wire == "" || wire == "-" {
			panic(fmt.Sprintf("rpcapi: %s: field %s has no wire name", name, sf.Name))
		}
		f := argField{ArgInfo: ArgInfo{Name: wire, Since: m.info.MinVersion}, index: sf.Index}
		for opt := range strings.SplitSeq(sf.Tag.Get("rpc"), ",") {
			switch {
			case opt == "":
			case opt == "optional":
				f.Optional = true
			case strings.HasPrefix(opt, "since="):
				f.Since = messaging.MustParseVersion(strings.TrimPrefix(opt, "since="))
			default:
				panic(fmt.Sprintf("rpcapi: %s: field %s: unknown rpc tag %q", name, sf.Name, opt))
			}
		}
		if f.Since.Less(m.info.MinVersion) {
			panic(fmt.Sprintf("rpcapi: %s: argument %s older than the method", name, wire))
		}
		if top.Less(f.Since) {
			top = f.Since
		}
		if m.info.MinVersion.Less(f.Since) && !f.Optional {
			panic(fmt.Sprintf("rpcapi: %s: argument %s newer than the method must be optional", name, wire))
		}
		m.fields = append(m.fields, f)
		m.info.Args = append(m.info.Args, f.ArgInfo)
		m.names[wire] = true
	}
	if top != m.info.Version {
		panic(fmt.Sprintf("rpcapi: %s: version %s but its newest argument is %s", name, m.info.Version, top))
	}
	registry.mu.Lock()
	registry.methods = append(registry.methods, m.info)
	registry.mu.Unlock()
	return m
}

func typeName[T any]() string { return reflect.TypeFor[T]().String() }

// request returns the keyword arguments of a request for args, in
// declaration order, and the version to send it at under versionCap (zero:
// no cap). An argument newer than the cap is left out if it is optional
// and zero; otherwise the request is refused with a *messaging.VersionCapError.
func (m *Method[A, R]) request(args *A, versionCap messaging.Version) (messaging.Version, pyjson.Object, error) {
	canSend := func(v messaging.Version) bool { return versionCap.IsZero() || versionCap.CanServe(v) }
	rv := reflect.ValueOf(args).Elem()
	version := m.info.MinVersion
	kw := make(pyjson.Object, 0, len(m.fields))
	for _, f := range m.fields {
		v := rv.FieldByIndex(f.index)
		if m.info.MinVersion.Less(f.Since) && !canSend(f.Since) {
			if f.Optional && v.IsZero() {
				continue
			}
			return messaging.Version{}, nil, fmt.Errorf("rpcapi: %s: argument %s needs version %s: %w",
				m.info.Name, f.Name, f.Since, &messaging.VersionCapError{Version: f.Since, Cap: versionCap})
		}
		if version.Less(f.Since) {
			version = f.Since
		}
		kw = append(kw, pyjson.KV{Key: f.Name, Value: v.Interface()})
	}
	if !canSend(version) {
		return messaging.Version{}, nil, fmt.Errorf("rpcapi: %s: %w", m.info.Name,
			&messaging.VersionCapError{Version: version, Cap: versionCap})
	}
	return version, kw, nil
}

// decodeArgs decodes a request's keyword arguments into A, as the
// conductor's method binds them: a missing argument without a default is
// Python's TypeError; arguments A does not know (sent by newer clients)
// are returned, not refused.
func (m *Method[A, R]) decodeArgs(raw messaging.Args) (A, map[string]json.RawMessage, error) {
	var a A
	var kw map[string]json.RawMessage
	if len(raw) > 0 {
		if err := json.Unmarshal(raw, &kw); err != nil {
			return a, nil, messaging.BuiltinError("TypeError", fmt.Sprintf("%s() argument after ** must be a mapping", m.pyName()))
		}
	}
	var missing []string
	for _, f := range m.fields {
		if _, ok := kw[f.Name]; !ok && !f.Optional {
			missing = append(missing, f.Name)
		}
	}
	if len(missing) > 0 {
		return a, nil, messaging.BuiltinError("TypeError", missingArgs(m.pyName(), missing))
	}
	var unknown map[string]json.RawMessage
	for k, v := range kw {
		if !m.names[k] {
			if unknown == nil {
				unknown = map[string]json.RawMessage{}
			}
			unknown[k] = v
		}
	}
	if err := raw.Decode(&a); err != nil {
		return a, nil, err
	}
	return a, unknown, nil
}

// pyName is the method's __qualname__ on Ironic's conductor.
func (m *Method[A, R]) pyName() string { return "ConductorManager." + m.info.Name }

// missingArgs is CPython's message for missing positional arguments.
func missingArgs(fn string, names []string) string {
	q := make([]string, len(names))
	for i, n := range names {
		q[i] = "'" + n + "'"
	}
	var list string
	switch len(q) {
	case 1:
		list = q[0]
	case 2:
		list = q[0] + " and " + q[1]
	default:
		list = strings.Join(q[:len(q)-1], ", ") + ", and " + q[len(q)-1]
	}
	plural := "argument"
	if len(q) > 1 {
		plural = "arguments"
	}
	return fmt.Sprintf("%s() missing %d required positional %s: %s", fn, len(q), plural, list)
}

type extraArgsKey struct{}

// ExtraArgs returns the keyword arguments of the request being served that
// the method table does not know (newer clients send more, e.g.
// update_node's reset_interfaces), as raw JSON. A handler built by
// [Handle] or [Register] receives them in its ctx.
func ExtraArgs(ctx context.Context) map[string]json.RawMessage {
	m, _ := ctx.Value(extraArgsKey{}).(map[string]json.RawMessage)
	return m
}

// Handle adapts f to serve m: it decodes the request's arguments into A
// (arguments unknown to m are ignored, logged at debug on the zerolog
// logger of ctx and available through [ExtraArgs]; a missing argument that
// has no default is Python's TypeError) and returns f's result, which the
// server encodes as Ironic's conductor does. For a cast the result is
// dropped.
func Handle[A, R any](m *Method[A, R], f func(ctx context.Context, args A) (R, error)) messaging.Handler {
	return handle(m, f, nil)
}

func handle[A, R any](m *Method[A, R], f func(ctx context.Context, args A) (R, error), log *zerolog.Logger) messaging.Handler {
	return func(ctx context.Context, raw messaging.Args) (any, error) {
		a, unknown, err := m.decodeArgs(raw)
		if err != nil {
			return nil, err
		}
		if len(unknown) > 0 {
			l := log
			if l == nil {
				l = zerolog.Ctx(ctx)
			}
			if ev := l.Debug(); ev.Enabled() {
				names := make([]string, 0, len(unknown))
				for k := range unknown {
					names = append(names, k)
				}
				slices.Sort(names)
				ev.Str("method", m.info.Name).Strs("args", names).Msg("ignoring arguments unknown to RPC API 1.40")
			}
			ctx = context.WithValue(ctx, extraArgsKey{}, unknown)
		}
		r, err := f(ctx, a)
		if err != nil {
			return nil, err
		}
		return r, nil
	}
}

// Endpoint collects a conductor's handlers for the methods of the table
// and builds the messaging endpoint that serves them at [APIVersion]. It
// is not safe for concurrent registration; build it before serving.
type Endpoint struct {
	log      zerolog.Logger
	handlers map[string]messaging.Handler
}

// NewEndpoint returns an empty Endpoint logging to log (the zero value
// logs nothing).
func NewEndpoint(log zerolog.Logger) *Endpoint {
	return &Endpoint{log: log.With().Str("component", "rpcapi").Logger(), handlers: map[string]messaging.Handler{}}
}

// Register serves m with f on e (see [Handle]), replacing an earlier
// handler of m.
func Register[A, R any](e *Endpoint, m *Method[A, R], f func(ctx context.Context, args A) (R, error)) {
	e.handlers[m.info.Name] = handle(m, f, &e.log)
}

// Missing returns the names of the table's methods that have no handler,
// sorted.
func (e *Endpoint) Missing() []string {
	var out []string
	for _, m := range Methods() {
		if e.handlers[m.Name] == nil {
			out = append(out, m.Name)
		}
	}
	return out
}

// Messaging returns the messaging endpoint (null namespace, version
// [APIVersion]) with the registered handlers.
func (e *Endpoint) Messaging() messaging.Endpoint {
	methods := make(map[string]messaging.Handler, len(e.handlers))
	for k, h := range e.handlers {
		methods[k] = h
	}
	return messaging.Endpoint{Version: APIVersion(), Methods: methods}
}
