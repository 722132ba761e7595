package rabbit

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"sync/atomic"

	"github.com/ironic-go/ironic-go/messaging"
	amqp "github.com/rabbitmq/amqp091-go"
)

// publisherChannels is the number of confirm-mode channels per publisher
// connection. Publishes are pipelined on them, so the broker confirms
// several at once.
const publisherChannels = 2

// publisher is the send side: one connection (redialled on loss) with a
// few confirm-mode channels on which publishes are pipelined. Every
// publish waits for its own confirm (by delivery tag); a basic.return,
// which the broker sends before that confirm, is matched to its message.
// At most rpc_conn_pool_size publishes are in flight at once.
type publisher struct {
	t     *Transport
	slots chan struct{}

	live atomic.Pointer[pubConn] // fast path: the live connection

	mu     sync.Mutex
	closed bool
	conn   *pubConn
	dial   *dialCall
}

// pubConn is one publisher connection and its channels.
type pubConn struct {
	c    *amqpConn
	dead chan struct{} // closed when the connection is gone
	next atomic.Uint32
	mu   sync.Mutex // opening channels
	chs  []atomic.Pointer[pubChannel]
}

// dialCall is a dial in progress that other senders wait for.
type dialCall struct {
	done chan struct{}
	conn *pubConn
	err  error
}

// pubChannel is one confirm-mode channel.
type pubChannel struct {
	ch      *amqp.Channel
	returns chan amqp.Return
	closes  chan *amqp.Error

	mu      sync.Mutex // publishing, and the returns' bookkeeping
	pending map[uint64]*pendingPub

	declMu   sync.Mutex // channel RPCs (exchange.declare)
	declared sync.Map   // exchange name → true once declared on this channel
}

// pendingPub is a mandatory message waiting for its confirm.
type pendingPub struct {
	exchange, key string
	body          []byte
	ret           *amqp.Return
}

// route is where and how one message is published.
type route struct {
	declare   *exchangeSpec // nil: the default exchange
	exchange  string
	key       string
	mandatory bool
	msg       amqp.Publishing
}

func newPublisher(t *Transport) *publisher {
	return &publisher{t: t, slots: make(chan struct{}, t.cfg.ConnPoolSize)}
}

// connect returns the live connection, dialling (one round over the
// brokers) if there is none. Concurrent callers share one dial.
func (p *publisher) connect(ctx context.Context) (*pubConn, error) {
	if c := p.live.Load(); c != nil && !c.c.IsClosed() {
		return c, nil
	}
	for {
		p.mu.Lock()
		if p.closed {
			p.mu.Unlock()
			return nil, messaging.ErrClosed
		}
		if c := p.conn; c != nil && !c.c.IsClosed() {
			p.mu.Unlock()
			return c, nil
		}
		if call := p.dial; call != nil {
			p.mu.Unlock()
			select {
			case <-call.done:
			case <-ctx.Done():
				return nil, ctx.Err()
			}
			if call.err != nil && isCtxErr(call.err) && ctx.Err() == nil {
				continue // the dialling sender gave up; try again ourselves
			}
			if call.err != nil {
				return nil, call.err
			}
			continue
		}
		call := &dialCall{done: make(chan struct{})}
		p.dial = call
		p.mu.Unlock()

		c, err := p.t.dialer.dialRound(ctx)
		p.mu.Lock()
		p.dial = nil
		switch {
		case err != nil:
			call.err = err
		case p.closed:
			call.err = messaging.ErrClosed
			p.t.wg.Go(c.shut)
		default:
			pc := &pubConn{c: c, dead: make(chan struct{}), chs: make([]atomic.Pointer[pubChannel], publisherChannels)}
			p.conn = pc
			p.live.Store(pc)
			call.conn = pc
			p.t.wg.Go(func() { p.watch(pc) })
		}
		p.mu.Unlock()
		close(call.done)
		if call.err == nil {
			p.t.log.Info().Str("host", c.addr).Str("connection_name", c.name).Msg("publisher connected to AMQP server")
			return call.conn, nil
		}
		return nil, call.err
	}
}

// watch logs the broker's flow control (connection.blocked) and waits for
// the connection to close, then forgets it.
func (p *publisher) watch(pc *pubConn) {
	blocked := pc.c.NotifyBlocked(make(chan amqp.Blocking, 4))
	var err *amqp.Error
	ok := false
wait:
	for {
		select {
		case b, open := <-blocked:
			if !open {
				blocked = nil
				continue
			}
			if b.Active {
				p.t.log.Error().Str("host", pc.c.addr).Str("reason", b.Reason).Msg("the broker has blocked the connection")
			} else {
				p.t.log.Info().Str("host", pc.c.addr).Msg("the broker has unblocked the connection")
			}
		case err, ok = <-pc.c.closed:
			break wait
		}
	}
	close(pc.dead)
	p.mu.Lock()
	if p.conn == pc {
		p.conn = nil
		p.live.CompareAndSwap(pc, nil)
	}
	closed := p.closed
	p.mu.Unlock()
	if ok && err != nil && !closed {
		p.t.log.Warn().Str("host", pc.c.addr).Err(err).Msg("publisher connection lost; reconnecting on next send")
	}
}

// channel returns one of the connection's channels, round-robin, opening
// it (again) if needed.
func (pc *pubConn) channel() (*pubChannel, error) {
	slot := &pc.chs[pc.next.Add(1)%uint32(len(pc.chs))]
	if c := slot.Load(); c != nil && !c.ch.IsClosed() {
		return c, nil
	}
	pc.mu.Lock()
	defer pc.mu.Unlock()
	if c := slot.Load(); c != nil && !c.ch.IsClosed() {
		return c, nil
	}
	ch, err := pc.c.Channel()
	if err != nil {
		return nil, err
	}
	if err := ch.Confirm(false); err != nil {
		_ = ch.Close()
		return nil, err
	}
	c := &pubChannel{
		ch:      ch,
		returns: ch.NotifyReturn(make(chan amqp.Return, 256)),
		closes:  ch.NotifyClose(make(chan *amqp.Error, 1)),
		pending: map[uint64]*pendingPub{},
	}
	slot.Store(c)
	return c, nil
}

// close closes the connection.
func (p *publisher) close() {
	p.mu.Lock()
	p.closed = true
	pc := p.conn
	p.conn = nil
	p.live.Store(nil)
	p.mu.Unlock()
	if pc != nil {
		pc.c.shut()
	}
}

// declare declares an exchange once per channel, as oslo's
// _declared_exchanges cache.
func (c *pubChannel) declare(d *exchangeSpec) error {
	if d == nil {
		return nil
	}
	if _, ok := c.declared.Load(d.Name); ok {
		return nil
	}
	c.declMu.Lock()
	defer c.declMu.Unlock()
	if _, ok := c.declared.Load(d.Name); ok {
		return nil
	}
	if err := c.ch.ExchangeDeclare(d.Name, d.Kind, d.Durable, d.AutoDelete, false, false, nil); err != nil {
		return fmt.Errorf("declare exchange %s: %w", d.Name, err)
	}
	c.declared.Store(d.Name, true)
	return nil
}

// publish sends one message on c and waits for its confirm. A message the
// broker returned gives an error matching messaging.ErrUndeliverable.
func (c *pubChannel) publish(ctx context.Context, r *route) error {
	if err := c.declare(r.declare); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	var p *pendingPub
	var dc *amqp.DeferredConfirmation
	var err error
	if r.mandatory {
		// Registered before any basic.return can be matched (drainers
		// hold c.mu).
		c.mu.Lock()
		dc, err = c.ch.PublishWithDeferredConfirm(r.exchange, r.key, true, false, r.msg)
		if err == nil {
			p = &pendingPub{exchange: r.exchange, key: r.key, body: r.msg.Body}
			c.pending[dc.DeliveryTag] = p
		}
		c.mu.Unlock()
	} else {
		dc, err = c.ch.PublishWithDeferredConfirm(r.exchange, r.key, false, false, r.msg)
	}
	if err != nil {
		return err
	}
	select {
	case <-dc.Done():
	case <-ctx.Done():
		if p != nil {
			c.mu.Lock()
			delete(c.pending, dc.DeliveryTag)
			c.drainReturns()
			c.mu.Unlock()
		}
		return ctx.Err()
	}
	var ret *amqp.Return
	if p != nil {
		// The broker sends basic.return before basic.ack, and amqp091-go
		// queues it before closing dc: it is in c.returns now.
		c.mu.Lock()
		c.drainReturns()
		ret = p.ret
		delete(c.pending, dc.DeliveryTag)
		c.mu.Unlock()
	}
	if !dc.Acked() {
		select {
		case e, ok := <-c.closes:
			if ok && e != nil {
				return e
			}
		default:
		}
		if c.ch.IsClosed() {
			return amqp.ErrClosed
		}
		return fmt.Errorf("%w: the broker refused the message (basic.nack)", messaging.ErrDeliveryFailure)
	}
	if ret != nil {
		return &UndeliverableError{Exchange: ret.Exchange, RoutingKey: ret.RoutingKey,
			Code: int(ret.ReplyCode), Reason: ret.ReplyText}
	}
	return nil
}

// drainReturns matches every queued basic.return to the oldest pending
// mandatory message with the same exchange, key and body (returns come in
// publishing order). Callers hold c.mu.
func (c *pubChannel) drainReturns() {
	for {
		select {
		case ret, ok := <-c.returns:
			if !ok {
				return
			}
			var best *pendingPub
			var bestTag uint64
			for tag, p := range c.pending {
				if p.ret == nil && p.exchange == ret.Exchange && p.key == ret.RoutingKey &&
					bytes.Equal(p.body, ret.Body) && (best == nil || tag < bestTag) {
					best, bestTag = p, tag
				}
			}
			if best != nil {
				best.ret = &ret
			}
		default:
			return
		}
	}
}

// UndeliverableError is a mandatory message the broker returned
// (basic.return), oslo's MessageUndeliverable. It matches
// messaging.ErrUndeliverable.
type UndeliverableError struct {
	Exchange   string
	RoutingKey string
	Code       int
	Reason     string
}

func (e *UndeliverableError) Error() string {
	ex := e.Exchange
	if ex == "" {
		ex = "(default)"
	}
	return fmt.Sprintf("%v: broker returned the message to exchange %s with routing key %q: %d %s",
		messaging.ErrUndeliverable, ex, e.RoutingKey, e.Code, e.Reason)
}

// Is matches messaging.ErrUndeliverable.
func (e *UndeliverableError) Is(target error) bool { return target == messaging.ErrUndeliverable }

// DeliveryFailureError is oslo's MessageDeliveryFailure: the broker could
// not be reached within the retry budget. It matches
// messaging.ErrDeliveryFailure and ErrConnect.
type DeliveryFailureError struct {
	Host  string
	Tries int
	Err   error
}

func (e *DeliveryFailureError) Error() string {
	return fmt.Sprintf("%v: Unable to connect to AMQP server on %s after %d tries: %v",
		messaging.ErrDeliveryFailure, e.Host, e.Tries, e.Err)
}

// Is matches messaging.ErrDeliveryFailure and ErrConnect.
func (e *DeliveryFailureError) Is(target error) bool {
	return target == messaging.ErrDeliveryFailure || target == ErrConnect
}

// Unwrap returns the last error.
func (e *DeliveryFailureError) Unwrap() error { return e.Err }

func isCtxErr(err error) bool {
	return errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)
}

// routeOf maps an Outgoing message to its exchange, key and properties
// (oslo_wire.md §4).
func (t *Transport) routeOf(m *messaging.Outgoing) *route {
	r := &route{
		key:       m.RoutingKey(),
		mandatory: m.Mandatory,
		msg: amqp.Publishing{
			ContentType:     "application/json",
			ContentEncoding: "utf-8",
			DeliveryMode:    amqp.Persistent,
			Body:            m.Body,
		},
	}
	switch {
	case m.ReplyTo != "":
		if !t.cfg.DirectMandatoryFlag {
			r.mandatory = false
		}
	case m.Fanout:
		ex := fanoutExchange(m.Topic)
		r.declare, r.exchange = &ex, ex.Name
		r.mandatory = false
	default:
		name := m.Exchange
		if name == "" {
			name = t.cfg.ControlExchange
		}
		ex := t.cfg.topicExchange(name)
		r.declare, r.exchange = &ex, name
		if m.Expiration > 0 {
			r.msg.Expiration = strconv.FormatInt(max(m.Expiration.Milliseconds(), 1), 10)
		}
	}
	return r
}

// Send implements messaging.Transport: it publishes m with a publisher
// confirm. While the broker cannot be reached it retries, m.Retry times
// (negative: until ctx ends), with oslo's back-off between attempts.
func (t *Transport) Send(ctx context.Context, m *messaging.Outgoing) error {
	if t.closed.Load() {
		return messaging.ErrClosed
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	p := t.pub
	select {
	case p.slots <- struct{}{}:
	case <-ctx.Done():
		return ctx.Err()
	case <-t.done:
		return messaging.ErrClosed
	}
	defer func() { <-p.slots }()

	r := t.routeOf(m)
	tries := 0
	redeclared := false
	for {
		err := t.sendOnce(ctx, r)
		if err == nil {
			t.log.Debug().Str("exchange", r.exchange).Str("routing_key", r.key).Int("bytes", len(r.msg.Body)).
				Bool("mandatory", r.mandatory).Msg("published")
			return nil
		}
		var aerr *amqp.Error
		switch {
		case errors.Is(err, messaging.ErrUndeliverable):
			t.log.Debug().Err(err).Msg("message returned by the broker")
			return err
		case t.closed.Load() || errors.Is(err, messaging.ErrClosed):
			return messaging.ErrClosed
		case ctx.Err() != nil:
			return fmt.Errorf("rabbit: send to %s %q: %w", exchangeName(r.exchange), r.key, ctx.Err())
		case errors.As(err, &aerr) && aerr.Code == amqp.NotFound && !redeclared:
			// An auto-delete exchange went away after we declared it:
			// a new channel declares it again (oslo's channel revive).
			redeclared = true
			continue
		case errors.As(err, &aerr) && aerr.Server && !connectionError(aerr):
			// A channel error (precondition failed, access refused):
			// retrying will not help.
			return fmt.Errorf("rabbit: send to %s %q: %w", exchangeName(r.exchange), r.key, err)
		case errors.Is(err, messaging.ErrDeliveryFailure):
			return err
		}
		tries++
		if m.Retry >= 0 && tries > m.Retry {
			return &DeliveryFailureError{Host: t.dialer.last(), Tries: tries, Err: err}
		}
		wait := backoff(&t.cfg, tries)
		t.log.Warn().Err(err).Int("try", tries).Dur("retry_in", wait).Msg("send failed; retrying")
		if !sleep(ctx, t.done, wait) {
			if t.closed.Load() {
				return messaging.ErrClosed
			}
			return fmt.Errorf("rabbit: send to %s %q: %w (last error: %w)", exchangeName(r.exchange), r.key, ctx.Err(), err)
		}
	}
}

// sendOnce publishes on one of the publisher's channels.
func (t *Transport) sendOnce(ctx context.Context, r *route) error {
	pc, err := t.pub.connect(ctx)
	if err != nil {
		return err
	}
	c, err := pc.channel()
	if err != nil {
		return err
	}
	return c.publish(ctx, r)
}

// connectionError reports whether an AMQP error closed the connection
// rather than only a channel.
func connectionError(e *amqp.Error) bool {
	switch e.Code {
	case amqp.ConnectionForced, amqp.InvalidPath, amqp.FrameError, amqp.SyntaxError, amqp.CommandInvalid,
		amqp.ChannelError, amqp.UnexpectedFrame, amqp.ResourceError, amqp.NotAllowed, amqp.NotImplemented,
		amqp.InternalError:
		return true
	}
	return false
}

func exchangeName(s string) string {
	if s == "" {
		return "default exchange"
	}
	return "exchange " + s
}
