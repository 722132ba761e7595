package rpcapi

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/ironic-go/ironic-go/messaging"
	"github.com/ironic-go/ironic-go/objects"
	"github.com/ironic-go/ironic-go/objects/exception"
	"github.com/ironic-go/ironic-go/rpcapi/hashring"
	"github.com/rs/zerolog"
)

// TopicConductorManager is Ironic's conductor topic (rpc.MANAGER_TOPIC),
// the default [Config.Topic].
const TopicConductorManager = hashring.TopicConductorManager

// ConductorLister reports hash ring membership (the active conductors per
// driver); the database store satisfies it. It is hashring's interface,
// named here as the design names it.
type ConductorLister = hashring.ConductorLister

// Sentinel errors. Match them with errors.Is.
var (
	// ErrNoRing is returned by the routing methods of a ConductorAPI built
	// without a hash ring manager.
	ErrNoRing = errors.New("rpcapi: no hash ring manager")
	// ErrNilArgument is returned for a nil node or object argument, or a
	// node without a UUID to route.
	ErrNilArgument = errors.New("rpcapi: nil argument")
)

// Config configures a [ConductorAPI]. The zero value is Ironic 7.0.0's
// client: topic "ironic.conductor_manager", version cap 1.40, 60 s calls.
type Config struct {
	// Topic is the conductor topic, the default topic of every call
	// (Ironic's `topic or self.topic`) and the prefix of the per-host
	// topics the routing methods return. Empty means
	// TopicConductorManager.
	Topic string
	// VersionCap refuses, before sending, requests above it (Ironic's
	// version_cap, pinned for rolling upgrades). Zero means [APIVersion].
	VersionCap messaging.Version
	// Timeout is rpc_response_timeout, the time a call waits for its reply
	// when ctx has no earlier deadline. Zero means 60 s.
	Timeout time.Duration
	// CachedRing selects the routing of newer Ironic: the ring manager's
	// cache is used and, when the driver is not found, reset and tried
	// once more. When false (Ironic 7.0.0), the manager is reset before
	// every lookup, so each routing decision reads fresh membership; that
	// also drops the cache of anyone sharing the Manager, as Ironic's
	// process-wide ring cache did.
	CachedRing bool
	// Logger receives debug logs; the zero value logs nothing.
	Logger zerolog.Logger
}

// ConductorAPI is the client of the conductor RPC API, as
// ironic.conductor.rpcapi.ConductorAPI: one method per RPC method, each
// sent at the version Ironic sends it at, to the topic given with
// [WithTopic] or else the bare conductor topic. The request context
// travels from ctx ([messaging.WithRequestContext]); when ctx carries none,
// a fresh [AdminContext] is sent. Calls block until the reply, the ctx
// deadline or the configured timeout. A ConductorAPI is safe for
// concurrent use.
type ConductorAPI struct {
	cfg    Config
	client *messaging.Client
	ring   *hashring.Manager
	log    zerolog.Logger
}

// New returns a client over tr (whose control_exchange is Ironic's
// "ironic" exchange) routing with ring, which may be nil if the caller
// always gives topics.
func New(tr messaging.Transport, cfg Config, ring *hashring.Manager) (*ConductorAPI, error) {
	if tr == nil {
		return nil, errors.New("rpcapi: nil transport")
	}
	if cfg.Topic == "" {
		cfg.Topic = TopicConductorManager
	}
	if cfg.VersionCap.IsZero() {
		cfg.VersionCap = APIVersion()
	}
	if cfg.Timeout < 0 {
		return nil, fmt.Errorf("rpcapi: negative rpc_response_timeout %s", cfg.Timeout)
	}
	if cfg.Timeout == 0 {
		cfg.Timeout = messaging.DefaultResponseTimeout
	}
	log := cfg.Logger.With().Str("component", "rpcapi").Logger()
	client := messaging.NewClient(tr, messaging.Target{Topic: cfg.Topic, Version: messaging.V(1, 0)},
		messaging.ClientConfig{Timeout: cfg.Timeout, VersionCap: cfg.VersionCap,
			AllowedRemoteModules: AllowedRemoteModules(), Logger: log})
	return &ConductorAPI{cfg: cfg, client: client, ring: ring, log: log}, nil
}

// Config returns the configuration in effect (defaults filled in).
func (a *ConductorAPI) Config() Config { return a.cfg }

// CanSendVersion reports whether v is within the version cap, as
// RPCClient.can_send_version.
func (a *ConductorAPI) CanSendVersion(v messaging.Version) bool { return a.client.CanSendVersion(v) }

// CallOption changes one call, as the topic keyword of Ironic's client
// methods.
type CallOption func(*callOptions)

type callOptions struct {
	topic   string
	timeout time.Duration
}

// WithTopic sends the request to topic (usually one returned by
// [ConductorAPI.GetTopicFor] or [ConductorAPI.GetTopicForDriver]) instead
// of the bare conductor topic. An empty topic keeps the default.
func WithTopic(topic string) CallOption { return func(o *callOptions) { o.topic = topic } }

// WithTimeout bounds the wait for this call's reply instead of
// rpc_response_timeout.
func WithTimeout(d time.Duration) CallOption { return func(o *callOptions) { o.timeout = d } }

// invoke sends m with args and decodes the result.
func invoke[A, R any](ctx context.Context, a *ConductorAPI, m *Method[A, R], args *A, opts []CallOption) (R, error) {
	var res R
	var o callOptions
	for _, opt := range opts {
		opt(&o)
	}
	version, kw, err := m.request(args, a.cfg.VersionCap)
	if err != nil {
		return res, err
	}
	popts := []messaging.Option{messaging.WithVersion(version)}
	if o.topic != "" {
		popts = append(popts, messaging.WithTopic(o.topic))
	}
	if o.timeout > 0 {
		popts = append(popts, messaging.WithTimeout(o.timeout))
	}
	client := a.client.Prepare(popts...)
	if _, ok := messaging.RequestContextFrom(ctx); !ok {
		ctx = messaging.WithRequestContext(ctx, AdminContext())
	}
	if m.info.Kind == Cast {
		err = client.Cast(ctx, m.info.Name, kw)
	} else {
		err = client.Call(ctx, m.info.Name, kw, &res)
	}
	if err != nil {
		return res, fmt.Errorf("rpcapi: %s: %w", m.info.Name, err)
	}
	return res, nil
}

// GetTopicFor returns the topic of the conductor node is mapped to on the
// hash ring of its driver, "<topic>.<host>", as rpcapi's get_topic_for.
// It may block on the ring manager's ConductorLister. When no active
// conductor has the node's driver it returns Ironic's NoValidHost ("No
// conductor service registered which supports driver <d>."), which also
// wraps the hashring error; a lister failure is returned wrapped.
func (a *ConductorAPI) GetTopicFor(ctx context.Context, node *objects.Node) (string, error) {
	if node == nil {
		return "", fmt.Errorf("rpcapi: get_topic_for: %w", ErrNilArgument)
	}
	if node.UUID == nil {
		return "", fmt.Errorf("rpcapi: get_topic_for: node without uuid: %w", ErrNilArgument)
	}
	if a.ring == nil {
		return "", ErrNoRing
	}
	driver, uuid := deref(node.Driver), *node.UUID
	hosts, err := a.lookup(ctx, driver, func(ctx context.Context) ([]string, error) {
		return a.ring.Hosts(ctx, driver, uuid)
	})
	if err == nil && len(hosts) == 0 {
		err = fmt.Errorf("hashring: no conductor for node %s: %w", uuid, hashring.ErrNoHosts)
	}
	if err != nil {
		if errors.Is(err, hashring.ErrDriverNotFound) || errors.Is(err, hashring.ErrNoHosts) {
			d := driver
			if node.Driver == nil {
				d = "None"
			}
			nvh := exception.NoValidHost(fmt.Sprintf("No conductor service registered which supports driver %s.", d))
			return "", fmt.Errorf("rpcapi: topic for node %s: %w (%w)", uuid, nvh, err)
		}
		return "", fmt.Errorf("rpcapi: topic for node %s: %w", uuid, err)
	}
	return a.cfg.Topic + "." + hosts[0], nil
}

// GetTopicForDriver returns the topic of a random conductor that has
// driverName, "<topic>.<host>", as rpcapi's get_topic_for_driver. It may
// block on the ring manager's ConductorLister. When no active conductor
// has the driver it returns Ironic's DriverNotFound, which also wraps the
// hashring error.
func (a *ConductorAPI) GetTopicForDriver(ctx context.Context, driverName string) (string, error) {
	if a.ring == nil {
		return "", ErrNoRing
	}
	hosts, err := a.lookup(ctx, driverName, func(ctx context.Context) ([]string, error) {
		r, err := a.ring.Ring(ctx, driverName)
		if err != nil {
			return nil, err
		}
		return r.Nodes(), nil
	})
	if err == nil && len(hosts) == 0 {
		err = fmt.Errorf("hashring: driver %q: %w", driverName, hashring.ErrNoHosts)
	}
	if err != nil {
		if errors.Is(err, hashring.ErrDriverNotFound) || errors.Is(err, hashring.ErrNoHosts) {
			return "", fmt.Errorf("rpcapi: topic for driver %s: %w (%w)", driverName, exception.DriverNotFound(driverName), err)
		}
		return "", fmt.Errorf("rpcapi: topic for driver %s: %w", driverName, err)
	}
	return a.cfg.Topic + "." + hosts[rand.IntN(len(hosts))], nil
}

// lookup runs find with the configured ring refresh policy.
func (a *ConductorAPI) lookup(ctx context.Context, driver string, find func(context.Context) ([]string, error)) ([]string, error) {
	if !a.cfg.CachedRing {
		a.ring.Reset()
		return find(ctx)
	}
	hosts, err := find(ctx)
	if errors.Is(err, hashring.ErrDriverNotFound) {
		a.log.Debug().Str("driver", driver).Msg("driver not in the cached hash ring, reloading")
		a.ring.Reset()
		hosts, err = find(ctx)
	}
	return hosts, err
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// AllowedRemoteModules returns Ironic's allowed_remote_exmods as decoders:
// failures of ironic.common.exception (and ironic_lib.exception, where
// IronicException itself lives) become *exception.Error, matched with
// errors.As and errors.Is (exception.ErrNodeLocked, exception.ErrConflict,
// ...). A class unknown to the exception package stays *messaging.RemoteError.
func AllowedRemoteModules() map[string]messaging.ExceptionDecoder {
	return map[string]messaging.ExceptionDecoder{
		exception.Module:       decodeIronicException,
		"ironic_lib.exception": decodeIronicException,
	}
}

func decodeIronicException(re *messaging.RemoteError) error {
	exc := exception.FromRemote(re.Module, re.Class, re.Message, re.Kwargs)
	if exc == nil {
		return nil // keep the *messaging.RemoteError
	}
	return &RemoteIronicError{Err: exc, Remote: re}
}

// RemoteIronicError is an Ironic exception raised by a conductor: Err is
// the typed exception, Remote the failure as received (with the remote
// traceback). Both are in its chain, so errors.As finds either, and
// errors.Is matches Err's class and its ancestors.
type RemoteIronicError struct {
	Err    *exception.Error
	Remote *messaging.RemoteError
}

// Error returns the exception's message (Python's str(exc)).
func (e *RemoteIronicError) Error() string { return e.Err.Error() }

// Unwrap returns Err and Remote.
func (e *RemoteIronicError) Unwrap() []error { return []error{e.Err, e.Remote} }

// AdminContext returns the request context of Ironic 7.0.0's
// get_admin_context() with a fresh request_id: the eleven keys of its
// RequestContext.to_dict(), is_admin true and no token, user or tenant.
func AdminContext() *messaging.RequestContext {
	rc := &messaging.RequestContext{}
	null := []byte("null")
	rc.SetRaw("auth_token", null)
	rc.SetRaw("user", null)
	rc.SetRaw("tenant", null)
	rc.SetRaw("is_admin", []byte("true"))
	rc.SetRaw("read_only", []byte("false"))
	rc.SetRaw("show_deleted", []byte("false"))
	_ = rc.Set("request_id", messaging.NewRequestID())
	rc.SetRaw("domain_id", null)
	rc.SetRaw("roles", []byte("[]"))
	rc.SetRaw("domain_name", null)
	rc.SetRaw("is_public_api", []byte("false"))
	return rc
}
