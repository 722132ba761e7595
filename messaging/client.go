package messaging

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/rs/zerolog"
)

// DefaultResponseTimeout is oslo's [DEFAULT] rpc_response_timeout.
const DefaultResponseTimeout = 60 * time.Second

// ExceptionDecoder turns a remote failure from an allowed module into a
// typed Go error (for example Ironic's exceptions).
type ExceptionDecoder func(*RemoteError) error

// ClientConfig holds a client's defaults.
type ClientConfig struct {
	// Timeout is the call timeout when the ctx has no earlier deadline
	// (rpc_response_timeout); zero means DefaultResponseTimeout.
	Timeout time.Duration
	// VersionCap refuses requests above it before sending; zero: no cap.
	VersionCap Version
	// Retry bounds reconnect attempts for sending (oslo's retry): negative
	// means until the deadline, 0 none. The zero ClientConfig means -1.
	Retry *int
	// AllowedRemoteModules is allowed_remote_exmods: failures whose module
	// is a key are handed to its decoder. Others stay *RemoteError, as a
	// Python client raises RemoteError for them.
	AllowedRemoteModules map[string]ExceptionDecoder
	// Logger receives debug logs; the zero value logs nothing.
	Logger zerolog.Logger
}

// Client sends requests to a target, as oslo_messaging.RPCClient.
// It is safe for concurrent use; Prepare returns a modified copy.
type Client struct {
	tr        Transport
	target    Target
	timeout   time.Duration
	cmTimeout time.Duration
	retry     int
	cap       Version
	mandatory bool
	remote    map[string]ExceptionDecoder
	log       zerolog.Logger
}

// NewClient returns a client of target over tr.
func NewClient(tr Transport, target Target, cfg ClientConfig) *Client {
	c := &Client{tr: tr, target: target, timeout: cfg.Timeout, retry: -1, cap: cfg.VersionCap,
		remote: cfg.AllowedRemoteModules, log: cfg.Logger}
	if c.timeout <= 0 {
		c.timeout = DefaultResponseTimeout
	}
	if cfg.Retry != nil {
		c.retry = *cfg.Retry
	}
	return c
}

// Option changes a prepared client, as the keyword arguments of oslo's
// RPCClient.prepare().
type Option func(*Client)

// WithExchange sets the target exchange.
func WithExchange(exchange string) Option { return func(c *Client) { c.target.Exchange = exchange } }

// WithTopic sets the target topic.
func WithTopic(topic string) Option { return func(c *Client) { c.target.Topic = topic } }

// WithServer directs requests to one server ("<topic>.<server>").
func WithServer(server string) Option { return func(c *Client) { c.target.Server = server } }

// WithFanout makes casts go to every server of the topic.
func WithFanout(fanout bool) Option { return func(c *Client) { c.target.Fanout = fanout } }

// WithNamespace sets the endpoint namespace.
func WithNamespace(ns string) Option { return func(c *Client) { c.target.Namespace = ns } }

// WithVersion sets the version requests are sent at.
func WithVersion(v Version) Option { return func(c *Client) { c.target.Version = v } }

// WithTimeout sets the call timeout.
func WithTimeout(d time.Duration) Option { return func(c *Client) { c.timeout = d } }

// WithRetry sets the reconnect budget (negative: until the deadline).
func WithRetry(n int) Option { return func(c *Client) { c.retry = n } }

// WithVersionCap sets the version cap.
func WithVersionCap(v Version) Option { return func(c *Client) { c.cap = v } }

// WithCallMonitorTimeout asks the server for heartbeats every d/2 and
// fails a call that hears nothing for d (oslo's call_monitor_timeout).
func WithCallMonitorTimeout(d time.Duration) Option { return func(c *Client) { c.cmTimeout = d } }

// WithAtLeastOnce publishes requests as mandatory, so a request no queue
// takes fails at once with ErrUndeliverable (oslo's at_least_once).
func WithAtLeastOnce(on bool) Option { return func(c *Client) { c.mandatory = on } }

// Prepare returns a copy of c with opts applied.
func (c *Client) Prepare(opts ...Option) *Client {
	cp := *c
	for _, o := range opts {
		o(&cp)
	}
	if cp.timeout <= 0 {
		cp.timeout = DefaultResponseTimeout
	}
	return &cp
}

// Target returns the client's target.
func (c *Client) Target() Target { return c.target }

// CanSendVersion reports whether v is within the version cap.
func (c *Client) CanSendVersion(v Version) bool {
	return c.cap.IsZero() || c.cap.CanServe(v)
}

func (c *Client) checkCap() error {
	if c.target.Version.IsZero() || c.CanSendVersion(c.target.Version) {
		return nil
	}
	return &VersionCapError{Version: c.target.Version, Cap: c.cap}
}

// Call sends method(args) and waits for the reply, which it decodes into
// reply (a pointer, or nil to discard it; numbers decoded into untyped
// values are json.Number). args must encode to a JSON
// object: a struct with json tags, a map, or nil for no arguments. The
// request context in ctx travels as _context_ keys.
//
// The call ends at the earlier of ctx's deadline and the client timeout;
// it then returns a *TimeoutError (matching ErrTimeout and
// context.DeadlineExceeded). A failure raised by the server returns a
// *RemoteError, or what the allowed module's decoder makes of it.
func (c *Client) Call(ctx context.Context, method string, args, reply any) error {
	if err := c.target.validateSend(true); err != nil {
		return err
	}
	if err := c.checkCap(); err != nil {
		return err
	}
	router, err := c.tr.Replies(ctx)
	if err != nil {
		return fmt.Errorf("call %s: %w", method, err)
	}
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	deadline, _ := ctx.Deadline()

	req := &outgoingRequest{method: method, args: args, namespace: c.target.Namespace,
		version: c.target.Version, call: true, msgID: newID(), replyQ: router.Queue(),
		uniqueID: newID()}
	if c.cmTimeout > 0 {
		secs := c.cmTimeout.Seconds()
		req.timeout = &secs
	}
	req.ctx, _ = RequestContextFrom(ctx)
	body, err := encodeRequest(req)
	if err != nil {
		return fmt.Errorf("call %s: encode: %w", method, err)
	}
	timeoutErr := &TimeoutError{Topic: c.target.Topic, Method: method, MsgID: req.msgID}
	ch := router.register(req.msgID)
	defer router.unregister(req.msgID)

	ttl := time.Until(deadline).Round(time.Millisecond)
	if ttl < time.Millisecond {
		return timeoutErr
	}
	out := &Outgoing{Exchange: c.target.Exchange, Topic: c.target.Topic, Server: c.target.Server,
		Body: body, Expiration: ttl, Mandatory: c.mandatory, Retry: c.retry}
	if err := c.tr.Send(ctx, out); err != nil {
		if errors.Is(ctx.Err(), context.DeadlineExceeded) {
			return timeoutErr
		}
		return fmt.Errorf("call %s: %w", method, err)
	}
	c.log.Debug().Str("method", method).Str("msg_id", req.msgID).Str("topic", c.target.Topic).Msg("call sent")

	var cm <-chan time.Time
	var cmTimer *time.Timer
	if c.cmTimeout > 0 {
		cmTimer = time.NewTimer(c.cmTimeout)
		defer cmTimer.Stop()
		cm = cmTimer.C
	}
	var last json.RawMessage
	for {
		select {
		case rep := <-ch:
			if !rep.ending {
				if rep.result != nil {
					last = rep.result // legacy multi-part reply
				}
				if cmTimer != nil {
					cmTimer.Reset(c.cmTimeout)
				}
				continue
			}
			if rep.failure != nil {
				return c.remoteError(rep.failure)
			}
			result := rep.result
			if result == nil {
				result = last
			}
			return decodeResult(result, reply)
		case <-cm:
			timeoutErr.CallMonitor = true
			return timeoutErr
		case <-ctx.Done():
			if errors.Is(ctx.Err(), context.DeadlineExceeded) {
				return timeoutErr
			}
			return fmt.Errorf("call %s (msg_id %s): %w", method, req.msgID, ctx.Err())
		}
	}
}

func (c *Client) remoteError(failure []byte) error {
	rerr, err := DecodeFailure(failure)
	if err != nil {
		return err
	}
	if dec, ok := c.remote[rerr.Module]; ok && dec != nil {
		if typed := dec(rerr); typed != nil {
			return typed
		}
	}
	return rerr
}

func decodeResult(result json.RawMessage, reply any) error {
	if reply == nil {
		return nil
	}
	if raw, ok := reply.(*json.RawMessage); ok {
		if result == nil {
			result = json.RawMessage("null")
		}
		*raw = append((*raw)[:0], result...)
		return nil
	}
	if result == nil {
		return nil
	}
	if err := decodeNumbers(result, reply); err != nil {
		return fmt.Errorf("%w: reply does not decode into %T: %w", ErrMalformed, reply, err)
	}
	return nil
}

// Cast sends method(args) without waiting for a result. It returns once the
// broker has accepted the message (or with an error: a cast is never
// dropped silently). When ctx has no deadline, the client timeout bounds
// the send.
func (c *Client) Cast(ctx context.Context, method string, args any) error {
	if err := c.target.validateSend(false); err != nil {
		return err
	}
	if err := c.checkCap(); err != nil {
		return err
	}
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, c.timeout)
		defer cancel()
	}
	req := &outgoingRequest{method: method, args: args, namespace: c.target.Namespace,
		version: c.target.Version, uniqueID: newID()}
	req.ctx, _ = RequestContextFrom(ctx)
	body, err := encodeRequest(req)
	if err != nil {
		return fmt.Errorf("cast %s: encode: %w", method, err)
	}
	out := &Outgoing{Exchange: c.target.Exchange, Topic: c.target.Topic, Server: c.target.Server,
		Fanout: c.target.Fanout, Body: body, Mandatory: c.mandatory && !c.target.Fanout, Retry: c.retry}
	if err := c.tr.Send(ctx, out); err != nil {
		return fmt.Errorf("cast %s to %s: %w", method, c.target, err)
	}
	return nil
}

// secondsToTimeout is the inverse of the _timeout encoding, for servers.
func secondsToTimeout(raw json.RawMessage) time.Duration {
	var f float64
	if len(raw) == 0 || json.Unmarshal(raw, &f) != nil || f <= 0 || math.IsInf(f, 0) || f > 1e9 {
		return 0
	}
	return time.Duration(f * float64(time.Second))
}
