package messaging

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/rs/zerolog"
)

// InmemBroker is an in-process stand-in for RabbitMQ with the topology oslo
// uses: topic exchanges with exact-key bindings, fanout exchanges, the
// default exchange that routes to the queue named by the key, message TTLs,
// competing consumers and mandatory publishing. Transports made on the same
// broker talk to each other like processes sharing a RabbitMQ.
type InmemBroker struct {
	mu       sync.Mutex
	queues   map[string]*inmemQueue
	topic    map[string]map[string]map[string]bool // exchange → key → queues
	fanout   map[string]map[string]bool            // exchange → queues
	offline  bool
	onlineCh chan struct{}
}

// NewInmemBroker returns an empty broker.
func NewInmemBroker() *InmemBroker {
	return &InmemBroker{
		queues:   map[string]*inmemQueue{},
		topic:    map[string]map[string]map[string]bool{},
		fanout:   map[string]map[string]bool{},
		onlineCh: make(chan struct{}),
	}
}

// SetOffline simulates a broker outage: while offline, sends fail (or wait,
// with a retry budget) and nothing is delivered.
func (b *InmemBroker) SetOffline(off bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.offline == off {
		return
	}
	b.offline = off
	if !off {
		close(b.onlineCh)
		b.onlineCh = make(chan struct{})
	}
}

// PublishRaw puts body with the given content type on the queues bound to
// exchange/key, for tests of malformed input. It reports whether any queue
// took it.
func (b *InmemBroker) PublishRaw(exchange, key, contentType string, body []byte) bool {
	b.mu.Lock()
	qs := b.route(exchange, key, false, exchange == "")
	b.mu.Unlock()
	for _, q := range qs {
		q.push(inmemMsg{body: append([]byte(nil), body...), ctype: contentType, exchange: exchange, key: key}, false)
	}
	return len(qs) > 0
}

// QueueLen returns the number of messages waiting in a queue (-1 if it
// does not exist).
func (b *InmemBroker) QueueLen(name string) int {
	b.mu.Lock()
	q := b.queues[name]
	b.mu.Unlock()
	if q == nil {
		return -1
	}
	q.mu.Lock()
	defer q.mu.Unlock()
	return len(q.msgs)
}

func (b *InmemBroker) declareQueue(name string) *inmemQueue {
	b.mu.Lock()
	defer b.mu.Unlock()
	q := b.queues[name]
	if q == nil {
		q = &inmemQueue{name: name, wait: make(chan struct{})}
		b.queues[name] = q
	}
	return q
}

func (b *InmemBroker) deleteQueue(name string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	delete(b.queues, name)
	for _, keys := range b.topic {
		for _, qs := range keys {
			delete(qs, name)
		}
	}
	for ex, qs := range b.fanout {
		delete(qs, name)
		if len(qs) == 0 {
			delete(b.fanout, ex) // auto-delete fanout exchange
		}
	}
}

func (b *InmemBroker) bindTopic(exchange, key, queue string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	keys := b.topic[exchange]
	if keys == nil {
		keys = map[string]map[string]bool{}
		b.topic[exchange] = keys
	}
	if keys[key] == nil {
		keys[key] = map[string]bool{}
	}
	keys[key][queue] = true
}

func (b *InmemBroker) bindFanout(exchange, queue string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.fanout[exchange] == nil {
		b.fanout[exchange] = map[string]bool{}
	}
	b.fanout[exchange][queue] = true
}

// route returns the queues a message goes to.
func (b *InmemBroker) route(exchange, key string, fanout, direct bool) []*inmemQueue {
	var names map[string]bool
	switch {
	case direct:
		if q := b.queues[key]; q != nil {
			return []*inmemQueue{q}
		}
		return nil
	case fanout:
		names = b.fanout[exchange]
	default:
		names = b.topic[exchange][key]
	}
	qs := make([]*inmemQueue, 0, len(names))
	for n := range names {
		if q := b.queues[n]; q != nil {
			qs = append(qs, q)
		}
	}
	return qs
}

type inmemMsg struct {
	body     []byte
	ctype    string
	exchange string
	key      string
	expires  time.Time
}

type inmemQueue struct {
	name string
	mu   sync.Mutex
	msgs []inmemMsg
	wait chan struct{} // closed and replaced on every push
}

func (q *inmemQueue) push(m inmemMsg, front bool) {
	q.mu.Lock()
	if front {
		q.msgs = append([]inmemMsg{m}, q.msgs...)
	} else {
		q.msgs = append(q.msgs, m)
	}
	close(q.wait)
	q.wait = make(chan struct{})
	q.mu.Unlock()
}

// pop takes the next live message, blocking until one arrives or stop closes.
func (q *inmemQueue) pop(stop <-chan struct{}) (inmemMsg, bool) {
	for {
		q.mu.Lock()
		now := time.Now()
		for len(q.msgs) > 0 {
			m := q.msgs[0]
			q.msgs[0] = inmemMsg{}
			q.msgs = q.msgs[1:]
			if !m.expires.IsZero() && now.After(m.expires) {
				continue // TTL expired while queued
			}
			q.mu.Unlock()
			return m, true
		}
		wait := q.wait
		q.mu.Unlock()
		select {
		case <-wait:
		case <-stop:
			return inmemMsg{}, false
		}
	}
}

// InmemConfig configures an InmemTransport.
type InmemConfig struct {
	// Broker is shared by the transports that talk to each other; nil
	// makes a private one.
	Broker *InmemBroker
	// ControlExchange is the default exchange (oslo's control_exchange);
	// empty means "openstack".
	ControlExchange string
	// Logger receives the transport's logs.
	Logger zerolog.Logger
}

// InmemTransport is a Transport on an InmemBroker. It moves the same
// encoded bytes as the RabbitMQ transport, so everything above messaging
// can be unit-tested without a broker.
type InmemTransport struct {
	broker   *InmemBroker
	exchange string
	log      zerolog.Logger

	mu        sync.Mutex
	closed    bool
	stop      chan struct{}
	listeners map[*inmemListener]bool
	replies   *ReplyRouter
	wg        sync.WaitGroup
}

var _ Transport = (*InmemTransport)(nil)

// NewInmemTransport returns a transport on cfg.Broker.
func NewInmemTransport(cfg InmemConfig) *InmemTransport {
	if cfg.Broker == nil {
		cfg.Broker = NewInmemBroker()
	}
	if cfg.ControlExchange == "" {
		cfg.ControlExchange = "openstack"
	}
	return &InmemTransport{broker: cfg.Broker, exchange: cfg.ControlExchange, log: cfg.Logger,
		stop: make(chan struct{}), listeners: map[*inmemListener]bool{}}
}

// Broker returns the transport's broker.
func (t *InmemTransport) Broker() *InmemBroker { return t.broker }

// Send implements Transport.
func (t *InmemTransport) Send(ctx context.Context, m *Outgoing) error {
	t.mu.Lock()
	closed := t.closed
	t.mu.Unlock()
	if closed {
		return ErrClosed
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	b := t.broker
	for {
		b.mu.Lock()
		if !b.offline {
			break
		}
		online := b.onlineCh
		b.mu.Unlock()
		if m.Retry == 0 {
			return fmt.Errorf("%w: broker offline", ErrDeliveryFailure)
		}
		select {
		case <-online:
		case <-ctx.Done():
			return fmt.Errorf("%w: broker offline: %w", ErrDeliveryFailure, ctx.Err())
		}
	}
	exchange := m.Exchange
	if exchange == "" {
		exchange = t.exchange
	}
	if m.Fanout {
		exchange = m.Topic + "_fanout"
	}
	key := m.RoutingKey()
	qs := b.route(exchange, key, m.Fanout, m.ReplyTo != "")
	b.mu.Unlock()
	if len(qs) == 0 {
		if m.Mandatory {
			return fmt.Errorf("%w: NO_ROUTE for %q", ErrUndeliverable, key)
		}
		return nil // unroutable messages vanish, as on RabbitMQ
	}
	msg := inmemMsg{body: append([]byte(nil), m.Body...), ctype: "application/json", exchange: exchange, key: key}
	if m.Expiration > 0 {
		msg.expires = time.Now().Add(m.Expiration)
	}
	for _, q := range qs {
		q.push(msg, false)
	}
	return nil
}

// Listen implements Transport.
func (t *InmemTransport) Listen(ctx context.Context, target Target, opts ListenOptions) (Listener, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.closed {
		return nil, ErrClosed
	}
	exchange := target.Exchange
	if exchange == "" {
		exchange = t.exchange
	}
	b := t.broker
	topicQ := b.declareQueue(target.Topic)
	b.bindTopic(exchange, target.Topic, target.Topic)
	serverName := target.Topic + "." + target.Server
	serverQ := b.declareQueue(serverName)
	b.bindTopic(exchange, serverName, serverName)
	fanoutName := target.Topic + "_fanout_" + newID()
	fanoutQ := b.declareQueue(fanoutName)
	b.bindFanout(target.Topic+"_fanout", fanoutName)

	prefetch := opts.Prefetch
	if prefetch <= 0 {
		prefetch = DefaultPoolSize
	}
	l := &inmemListener{t: t, fanout: fanoutName, ch: make(chan Delivery, prefetch),
		stop: make(chan struct{}), pending: map[*inmemPending]bool{}}
	for _, q := range []*inmemQueue{topicQ, serverQ, fanoutQ} {
		l.pullers.Go(func() { l.pull(q) })
	}
	t.listeners[l] = true
	return l, nil
}

// Replies implements Transport.
func (t *InmemTransport) Replies(ctx context.Context) (*ReplyRouter, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.closed {
		return nil, ErrClosed
	}
	if t.replies != nil {
		return t.replies, nil
	}
	name := "reply_" + newID()
	q := t.broker.declareQueue(name)
	r := NewReplyRouter(name, t.log)
	t.replies = r
	t.wg.Go(func() {
		for {
			m, ok := q.pop(t.stop)
			if !ok {
				return
			}
			r.Deliver(m.body)
		}
	})
	return r, nil
}

// Close implements Transport.
func (t *InmemTransport) Close() error {
	t.mu.Lock()
	if t.closed {
		t.mu.Unlock()
		return nil
	}
	t.closed = true
	ls := t.listeners
	t.listeners = nil
	close(t.stop)
	t.mu.Unlock()
	for l := range ls {
		_ = l.Stop(context.Background())
	}
	t.wg.Wait()
	return nil
}

type inmemPending struct {
	state atomic.Int32 // 0 pending, 1 settled, 2 returned to the queue
	q     *inmemQueue
	msg   inmemMsg
}

type inmemListener struct {
	t       *InmemTransport
	fanout  string
	ch      chan Delivery
	stop    chan struct{}
	pullers sync.WaitGroup

	mu       sync.Mutex
	pending  map[*inmemPending]bool
	stopOnce sync.Once
}

func (l *inmemListener) Deliveries() <-chan Delivery { return l.ch }

func (l *inmemListener) pull(q *inmemQueue) {
	for {
		m, ok := q.pop(l.stop)
		if !ok {
			return
		}
		p := &inmemPending{q: q, msg: m}
		settle := func() error {
			if !p.state.CompareAndSwap(0, 1) {
				return fmt.Errorf("%w: delivery already returned to its queue", ErrClosed)
			}
			l.mu.Lock()
			delete(l.pending, p)
			l.mu.Unlock()
			return nil
		}
		l.mu.Lock()
		l.pending[p] = true
		l.mu.Unlock()
		d := Delivery{Body: m.body, ContentType: m.ctype, Exchange: m.exchange,
			RoutingKey: m.key, Ack: settle, Reject: settle}
		select {
		case l.ch <- d:
		case <-l.stop:
			return
		}
	}
}

// Stop implements Listener: unsettled deliveries go back to their queues.
func (l *inmemListener) Stop(ctx context.Context) error {
	l.stopOnce.Do(func() {
		close(l.stop)
		l.pullers.Wait()
		l.mu.Lock()
		for p := range l.pending {
			if p.state.CompareAndSwap(0, 2) {
				p.q.push(p.msg, true)
			}
		}
		l.pending = nil
		l.mu.Unlock()
		close(l.ch)
		l.t.broker.deleteQueue(l.fanout)
		l.t.mu.Lock()
		delete(l.t.listeners, l)
		l.t.mu.Unlock()
	})
	return nil
}
