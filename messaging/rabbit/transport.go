package rabbit

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"

	"github.com/ironic-go/ironic-go/messaging"
	amqp "github.com/rabbitmq/amqp091-go"
	"github.com/rs/zerolog"
)

// Transport is oslo.messaging's rabbit driver on amqp091-go: a messaging
// Transport over RabbitMQ with the topology, properties and reconnect
// behaviour of oslo.messaging 14. It is safe for concurrent use.
//
// A Transport keeps one publisher connection (publishes use pooled
// confirm-mode channels), one connection per Listener and one for the
// reply queue, each redialled on loss.
type Transport struct {
	cfg    Config
	url    *messaging.URL
	dialer *dialer
	log    zerolog.Logger
	pub    *publisher

	closed atomic.Bool
	done   chan struct{}
	wg     sync.WaitGroup

	mu        sync.Mutex
	listeners map[*listener]struct{}

	replyMu sync.Mutex
	router  atomic.Pointer[messaging.ReplyRouter]
	replies *consumer
}

var _ messaging.Transport = (*Transport)(nil)

// Dial parses the transport URL ("rabbit://user:pass@host:5672,host2/vhost
// ?option=value"; schemes rabbit, amqp, kombu and, for TLS, amqps), applies
// its query options over cfg, validates the result and opens the publisher
// connection, trying each broker once. The error names the brokers tried
// and never contains a password.
func Dial(ctx context.Context, rawURL string, cfg Config) (*Transport, error) {
	u, err := messaging.ParseURL(rawURL)
	if err != nil {
		return nil, err
	}
	t, err := New(u, cfg)
	if err != nil {
		return nil, err
	}
	if _, err := t.pub.connect(ctx); err != nil {
		_ = t.Close()
		return nil, fmt.Errorf("rabbit: dial %s: %w", u, err)
	}
	return t, nil
}

// New returns a Transport for u that connects on first use.
func New(u *messaging.URL, cfg Config) (*Transport, error) {
	switch u.Scheme {
	case "rabbit", "amqp", "amqps":
	default:
		return nil, fmt.Errorf("%w: scheme %q is not an AMQP 0-9-1 scheme (rabbit, amqp, amqps)", messaging.ErrBadURL, u.Scheme)
	}
	if err := cfg.ApplyQuery(u.Query); err != nil {
		return nil, err
	}
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	tlsOn := cfg.SSL || u.Scheme == "amqps"
	tc, err := buildTLS(&cfg, tlsOn)
	if err != nil {
		return nil, err
	}
	eps := shuffle(endpoints(u))
	d := &dialer{cfg: &cfg, eps: eps, tls: tc, prefix: connectionPrefix(&cfg), vhost: u.VirtualHost}
	if d.vhost == "" {
		d.vhost = "/"
	}
	for _, ep := range eps {
		if p := ep.password.Reveal(); p != "" {
			d.secrets = append(d.secrets, p)
		}
	}
	t := &Transport{
		cfg:       cfg,
		url:       u,
		dialer:    d,
		log:       cfg.Logger.With().Str("component", "rabbit").Logger(),
		done:      make(chan struct{}),
		listeners: map[*listener]struct{}{},
	}
	d.cfg = &t.cfg
	t.pub = newPublisher(t)
	t.log.Info().Str("url", u.String()).Bool("tls", tlsOn).Msg("transport created")
	return t, nil
}

// Config returns the configuration in effect (cfg with the URL's options).
func (t *Transport) Config() Config { return t.cfg }

// URL returns the transport URL (its String masks passwords).
func (t *Transport) URL() *messaging.URL { return t.url }

// ControlExchange is the exchange of targets that name none.
func (t *Transport) ControlExchange() string { return t.cfg.ControlExchange }

// Listen implements messaging.Transport: it opens a connection for the
// server target, declares E, "<topic>", "<topic>.<server>", the fanout
// exchange and "<topic>_fanout_<uuid>" exactly as oslo does, and consumes
// them with tags "1", "2", "3". The prefetch is rabbit_qos_prefetch_count
// if set, else opts.Prefetch.
func (t *Transport) Listen(ctx context.Context, target messaging.Target, opts messaging.ListenOptions) (messaging.Listener, error) {
	if t.closed.Load() {
		return nil, messaging.ErrClosed
	}
	if target.Topic == "" || target.Server == "" {
		return nil, fmt.Errorf("%w: a server target needs a topic and a server name (%s)", messaging.ErrInvalidTarget, target)
	}
	exchange := target.Exchange
	if exchange == "" {
		exchange = t.cfg.ControlExchange
	}
	prefetch := t.cfg.QosPrefetchCount
	if prefetch <= 0 {
		prefetch = opts.Prefetch
	}
	queues := t.cfg.serverQueues(exchange, target.Topic, target.Server, uuidHex())
	l := &listener{t: t, out: make(chan messaging.Delivery)}
	c := newConsumer(t, "listener "+target.Topic+"."+target.Server, queues, prefetch)
	c.deleteOnStop = queues[2].Name
	c.handle = l.handle
	c.onExit = func() { close(l.out) }
	l.c = c
	if err := c.start(ctx); err != nil {
		return nil, fmt.Errorf("rabbit: listen on %s: %w", target, err)
	}
	t.mu.Lock()
	if t.closed.Load() {
		t.mu.Unlock()
		_ = c.stopWait(context.Background())
		return nil, messaging.ErrClosed
	}
	t.listeners[l] = struct{}{}
	t.mu.Unlock()
	return l, nil
}

// FanoutQueue returns the name of l's fanout queue, for tests and tools.
func FanoutQueue(l messaging.Listener) (string, bool) {
	rl, ok := l.(*listener)
	if !ok {
		return "", false
	}
	return rl.c.deleteOnStop, true
}

// Replies implements messaging.Transport: on first use it opens the reply
// connection, declares "reply_<uuid>" and consumes it; the queue keeps its
// name across reconnects.
func (t *Transport) Replies(ctx context.Context) (*messaging.ReplyRouter, error) {
	if r := t.router.Load(); r != nil && !t.closed.Load() {
		return r, nil
	}
	t.replyMu.Lock()
	defer t.replyMu.Unlock()
	if t.closed.Load() {
		return nil, messaging.ErrClosed
	}
	if r := t.router.Load(); r != nil {
		return r, nil
	}
	name := "reply_" + uuidHex()
	router := messaging.NewReplyRouter(name, t.log)
	c := newConsumer(t, "reply "+name, []queueSpec{t.cfg.replyQueue(name)}, t.cfg.QosPrefetchCount)
	c.batchAck = true
	c.handle = func(d amqp.Delivery, _ *acker) bool {
		router.Deliver(d.Body)
		return true
	}
	if err := c.start(ctx); err != nil {
		return nil, fmt.Errorf("rabbit: reply queue %s: %w", name, err)
	}
	t.replies = c
	t.router.Store(router)
	return router, nil
}

// Close stops every listener and the reply consumer (deleting the
// listeners' fanout queues) and closes every connection. It is idempotent.
func (t *Transport) Close() error {
	if !t.closed.CompareAndSwap(false, true) {
		return nil
	}
	close(t.done)
	ctx, cancel := context.WithTimeout(context.Background(), 2*closeTimeout)
	defer cancel()

	t.mu.Lock()
	ls := t.listeners
	t.listeners = map[*listener]struct{}{}
	t.mu.Unlock()
	var errs []error
	var wg sync.WaitGroup
	var emu sync.Mutex
	for l := range ls {
		wg.Go(func() {
			if err := l.c.stopWait(ctx); err != nil {
				emu.Lock()
				errs = append(errs, err)
				emu.Unlock()
			}
		})
	}
	t.replyMu.Lock()
	rc := t.replies
	t.replyMu.Unlock()
	if rc != nil {
		wg.Go(func() {
			if err := rc.stopWait(ctx); err != nil {
				emu.Lock()
				errs = append(errs, err)
				emu.Unlock()
			}
		})
	}
	wg.Wait()
	t.pub.close()
	t.wg.Wait()
	t.log.Info().Msg("transport closed")
	return errors.Join(errs...)
}

// listener is a server's consumer: its deliveries go to out until Stop.
type listener struct {
	t   *Transport
	c   *consumer
	out chan messaging.Delivery
}

func (l *listener) Deliveries() <-chan messaging.Delivery { return l.out }

// Stop cancels the consumers, deletes the fanout queue, closes the channel
// (unacknowledged deliveries go back to their queues) and closes
// Deliveries. It is idempotent.
func (l *listener) Stop(ctx context.Context) error {
	err := l.c.stopWait(ctx)
	l.t.mu.Lock()
	delete(l.t.listeners, l)
	l.t.mu.Unlock()
	return err
}

// handle hands one delivery to the server.
func (l *listener) handle(d amqp.Delivery, ack *acker) bool {
	tag := d.DeliveryTag
	md := messaging.Delivery{
		Body:        d.Body,
		ContentType: d.ContentType,
		Exchange:    d.Exchange,
		RoutingKey:  d.RoutingKey,
		Ack:         func() error { return ack.ack(tag) },
		Reject:      func() error { return ack.reject(tag) },
		Group:       ack,
		Tag:         tag,
	}
	select {
	case l.out <- md:
		l.c.log.Debug().Str("exchange", d.Exchange).Str("routing_key", d.RoutingKey).Int("bytes", len(d.Body)).
			Msg("delivered")
		return true
	case <-l.c.stop:
		return false
	}
}
