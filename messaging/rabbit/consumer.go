package rabbit

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	amqp "github.com/rabbitmq/amqp091-go"
	"github.com/rs/zerolog"
)

// errStopped is returned by a consumer's setup when it was stopped.
var errStopped = errors.New("rabbit: consumer stopped")

// consumer owns one consuming connection (a server's listener or the reply
// queue's consumer): it declares its queues, consumes them and, when the
// connection or channel is lost or the broker cancels a consumer, reconnects
// with oslo's back-off and declares everything again under the same names.
type consumer struct {
	t        *Transport
	what     string
	queues   []queueSpec
	prefetch int
	// deleteOnStop is the queue removed by a graceful stop (the fanout
	// queue), or "".
	deleteOnStop string
	// handle takes one delivery and the acker of its channel; it returns
	// false once the consumer is stopping and the delivery was not taken.
	handle func(amqp.Delivery, *acker) bool
	// batchAck acknowledges deliveries after handle, coalesced into
	// basic.ack multiple=true (see ackLoop); only for the reply queue,
	// whose deliveries are all acknowledged in order. Otherwise handle's
	// delivery carries its own Ack.
	batchAck bool
	// onExit runs once every forwarder has returned.
	onExit func()
	log    zerolog.Logger

	ctx    context.Context // cancelled by stop: aborts a setup in progress
	cancel context.CancelFunc
	stop   chan struct{}
	once   sync.Once
	done   chan struct{}
	fwd    sync.WaitGroup

	mu   sync.Mutex
	live *amqpConn // the current connection, for an abort
}

// session is one connection's channel and its notifications.
type session struct {
	conn    *amqpConn
	ch      *amqp.Channel
	closes  chan *amqp.Error
	cancels chan string
}

func newConsumer(t *Transport, what string, queues []queueSpec, prefetch int) *consumer {
	ctx, cancel := context.WithCancel(context.Background())
	return &consumer{t: t, what: what, queues: queues, prefetch: prefetch,
		log: t.log.With().Str("consumer", what).Logger(),
		ctx: ctx, cancel: cancel, stop: make(chan struct{}), done: make(chan struct{})}
}

// start opens the first session (failing if no broker can be reached) and
// runs the supervisor.
func (c *consumer) start(ctx context.Context) error {
	s, err := c.open(ctx)
	if err != nil {
		c.cancel()
		return err
	}
	c.log.Info().Str("host", s.conn.addr).Str("connection_name", s.conn.name).Msg("consuming")
	c.t.wg.Go(func() { c.run(s) })
	return nil
}

// open dials one round of brokers and sets the channel up: qos, declares,
// binds and consumers, in oslo's order (oslo_wire.md §2.4).
func (c *consumer) open(ctx context.Context) (*session, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	stopWatch := context.AfterFunc(c.ctx, cancel)
	defer stopWatch()

	conn, err := c.t.dialer.dialRound(ctx)
	if err != nil {
		if c.ctx.Err() != nil {
			return nil, errStopped
		}
		return nil, err
	}
	abort := context.AfterFunc(ctx, conn.abort)
	s, err := c.setup(conn)
	if !abort() && err == nil {
		err = ctx.Err() // aborted just as the setup completed
	}
	if err != nil {
		conn.abort()
		if c.ctx.Err() != nil {
			return nil, errStopped
		}
		if ctx.Err() != nil {
			return nil, fmt.Errorf("set up %s on %s: %w", c.what, conn.addr, ctx.Err())
		}
		return nil, c.t.dialer.redact(fmt.Errorf("set up %s on %s: %w", c.what, conn.addr, err))
	}
	c.mu.Lock()
	c.live = conn
	c.mu.Unlock()
	return s, nil
}

func (c *consumer) setup(conn *amqpConn) (*session, error) {
	ch, err := conn.Channel()
	if err != nil {
		return nil, err
	}
	s := &session{conn: conn, ch: ch,
		closes:  ch.NotifyClose(make(chan *amqp.Error, 1)),
		cancels: ch.NotifyCancel(make(chan string, len(c.queues)+1)),
	}
	args := c.t.cfg.consumerArgs()
	var dchs []<-chan amqp.Delivery
	for _, o := range setupPlan(c.queues, c.prefetch) {
		switch o.kind {
		case opQos:
			if err := ch.Qos(o.prefetch, 0, false); err != nil {
				return nil, fmt.Errorf("basic.qos: %w", err)
			}
		case opExchangeDeclare:
			x := o.exchange
			if err := ch.ExchangeDeclare(x.Name, x.Kind, x.Durable, x.AutoDelete, false, false, nil); err != nil {
				return nil, fmt.Errorf("declare exchange %s: %w", x.Name, err)
			}
		case opQueueDeclare:
			q := o.queue
			if _, err := ch.QueueDeclare(q.Name, q.Durable, q.AutoDelete, false, false, q.table()); err != nil {
				return nil, fmt.Errorf("declare queue %s: %w", q.Name, err)
			}
		case opQueueBind:
			q := o.queue
			if err := ch.QueueBind(q.Name, q.BindKey, q.Exchange.Name, false, nil); err != nil {
				return nil, fmt.Errorf("bind queue %s to %s: %w", q.Name, q.Exchange.Name, err)
			}
		case opConsume:
			d, err := ch.Consume(o.queue.Name, o.queue.Tag, false, false, false, false, args)
			if err != nil {
				return nil, fmt.Errorf("consume %s: %w", o.queue.Name, err)
			}
			dchs = append(dchs, d)
		}
	}
	var ack *acker // the listener's; the reply queue acknowledges in ackLoop
	if !c.batchAck {
		ack = newAcker(ch)
	}
	for _, d := range dchs {
		if c.batchAck {
			acks := make(chan uint64, 256)
			c.fwd.Go(func() { ackLoop(ch, acks) })
			c.fwd.Go(func() {
				defer close(acks)
				for del := range d {
					if !c.handle(del, ack) {
						return
					}
					acks <- del.DeliveryTag
				}
			})
			continue
		}
		c.fwd.Go(func() { c.forward(d, ack) })
	}
	return s, nil
}

// forward hands one consumer's deliveries over until its channel closes or
// the consumer stops.
func (c *consumer) forward(d <-chan amqp.Delivery, ack *acker) {
	for del := range d {
		if !c.handle(del, ack) {
			return
		}
	}
}

// Reply acknowledgements are coalesced: one basic.ack multiple=true per
// ackBatch deliveries or per ackDelay, whichever comes first. A delayed ack
// costs a call nothing (its reply is already handed over); after a
// connection loss, replies not yet acknowledged come again and are dropped
// as late replies.
const (
	ackBatch = 64
	ackDelay = time.Millisecond
)

// ackLoop acknowledges the delivery tags it receives, in order, coalescing
// them into basic.ack multiple=true.
func ackLoop(ch *amqp.Channel, tags <-chan uint64) {
	var last uint64
	pending := 0
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	defer timer.Stop()
	flush := func() {
		if pending > 0 {
			_ = ch.Ack(last, true) // fails only once the channel is gone
			pending = 0
		}
		timer.Stop()
	}
	for {
		select {
		case tag, ok := <-tags:
			if !ok {
				flush()
				return
			}
			last = tag
			pending++
			if pending >= ackBatch {
				flush()
			} else if pending == 1 {
				timer.Reset(ackDelay)
			}
		case <-timer.C:
			flush()
		}
	}
}

// run supervises the sessions until stop.
func (c *consumer) run(s *session) {
	defer close(c.done)
	defer func() {
		c.fwd.Wait()
		if c.onExit != nil {
			c.onExit()
		}
	}()
	for {
		err := c.watch(s)
		if err == nil {
			c.shutdown(s)
			return
		}
		c.log.Warn().Str("host", s.conn.addr).Err(c.t.dialer.redact(err)).Msg("consumer lost; reconnecting")
		s.conn.abort()
		c.mu.Lock()
		c.live = nil
		c.mu.Unlock()
		s = c.reconnect()
		if s == nil {
			return
		}
	}
}

// watch blocks until the session fails (returning why) or the consumer
// stops (returning nil).
func (c *consumer) watch(s *session) error {
	select {
	case <-c.stop:
		return nil
	case e, ok := <-s.conn.closed:
		if ok && e != nil {
			return fmt.Errorf("connection closed: %w", e)
		}
		return errors.New("connection closed")
	case e, ok := <-s.closes:
		if ok && e != nil {
			return fmt.Errorf("channel closed: %w", e)
		}
		return errors.New("channel closed")
	case tag, ok := <-s.cancels:
		if !ok {
			return errors.New("channel closed")
		}
		return fmt.Errorf("consumer %s cancelled by the broker", tag)
	}
}

// reconnect opens a new session with back-off until it succeeds (nil if
// the consumer stops first).
func (c *consumer) reconnect() *session {
	for n := 1; ; n++ {
		if !sleep(c.ctx, c.stop, backoff(&c.t.cfg, n)) {
			return nil
		}
		s, err := c.open(c.ctx)
		if err == nil {
			if c.ctx.Err() != nil {
				c.shutdown(s)
				return nil
			}
			c.log.Info().Str("host", s.conn.addr).Str("connection_name", s.conn.name).Int("attempt", n).
				Msg("reconnected; queues declared again and consuming")
			return s
		}
		if errors.Is(err, errStopped) {
			return nil
		}
		c.log.Warn().Err(err).Int("attempt", n).Dur("retry_in", backoff(&c.t.cfg, n+1)).Msg("reconnect failed")
	}
}

// shutdown is the graceful stop: cancel the consumers, delete the fanout
// queue, close the channel (unacknowledged deliveries go back to their
// queues) and the connection. A Stop whose ctx ends aborts it.
func (c *consumer) shutdown(s *session) {
	for _, q := range c.queues {
		if err := s.ch.Cancel(q.Tag, false); err != nil {
			break
		}
	}
	if c.deleteOnStop != "" {
		if _, err := s.ch.QueueDelete(c.deleteOnStop, false, false, false); err != nil {
			c.log.Info().Err(err).Str("queue", c.deleteOnStop).Msg("could not delete queue")
		}
	}
	_ = s.ch.Close()
	s.conn.shut()
	c.mu.Lock()
	c.live = nil
	c.mu.Unlock()
}

// stopWait stops the consumer and waits for it. If ctx ends first, the
// connection is aborted (so the graceful steps are cut short) and ctx.Err()
// returned once everything has stopped.
func (c *consumer) stopWait(ctx context.Context) error {
	c.once.Do(func() {
		close(c.stop)
		c.cancel()
	})
	select {
	case <-c.done:
		return nil
	case <-ctx.Done():
	}
	c.mu.Lock()
	live := c.live
	c.mu.Unlock()
	if live != nil {
		live.abort()
	}
	<-c.done
	return ctx.Err()
}
