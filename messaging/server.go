package messaging

import (
	"context"
	"errors"
	"fmt"
	"runtime/debug"
	"sync"
	"time"

	"github.com/ironic-go/ironic-go/internal/pyjson"
	"github.com/rs/zerolog"
)

// Server defaults, as oslo.messaging's.
const (
	// DefaultPoolSize is executor_thread_pool_size.
	DefaultPoolSize = 64
	// DefaultMissingReplyTimeout is kombu_missing_consumer_retry_timeout.
	DefaultMissingReplyTimeout = 60 * time.Second
	// DefaultMaxMessageSize is RabbitMQ's default max_message_size.
	DefaultMaxMessageSize = 128 << 20

	missingReplyRetryInterval = 250 * time.Millisecond
	duplicateWindow           = 16
	obsoleteQueueTTL          = 60 * time.Second
	obsoleteQueueMax          = 200
)

// ServerConfig tunes a Server. The zero value gives oslo's defaults.
type ServerConfig struct {
	// PoolSize bounds concurrent handlers (executor_thread_pool_size). The
	// listener's prefetch is set to match, so requests beyond the pool stay
	// in the broker for other servers of the topic.
	PoolSize int
	// MissingReplyTimeout is how long a reply to a missing reply queue is
	// retried (kombu_missing_consumer_retry_timeout).
	MissingReplyTimeout time.Duration
	// MaxMessageSize rejects larger request bodies (logged, no reply).
	MaxMessageSize int
	// MapError gives a Python identity to handler errors that have none.
	// The default sends them as builtins.Exception.
	MapError func(error) RemoteException
	// Logger receives the server's logs; the zero value logs nothing.
	Logger zerolog.Logger
}

// Server serves endpoints on a target, as oslo's RPCServer with the
// threading executor: requests are acknowledged before dispatch, run on a
// bounded pool, and calls are answered on the caller's reply queue.
type Server struct {
	tr        Transport
	target    Target
	endpoints []Endpoint
	cfg       ServerConfig
	log       zerolog.Logger

	mu       sync.Mutex
	started  bool
	stopped  bool
	listener Listener
	loopDone chan struct{}

	slots    chan struct{}
	handlers sync.WaitGroup
	// handlerCtx is the parent of every handler's ctx; cancelled when Stop
	// gives up waiting.
	handlerCtx    context.Context
	cancelHandler context.CancelFunc
	stopping      chan struct{}

	obsolete obsoleteQueues
}

// NewServer returns a server for target (which needs a topic and a server
// name) and endpoints, in the order they are tried.
func NewServer(tr Transport, target Target, endpoints []Endpoint, cfg ServerConfig) (*Server, error) {
	if target.Topic == "" || target.Server == "" {
		return nil, fmt.Errorf("%w: a server target needs a topic and a server name (%s)", ErrInvalidTarget, target)
	}
	if cfg.PoolSize <= 0 {
		cfg.PoolSize = DefaultPoolSize
	}
	if cfg.MissingReplyTimeout <= 0 {
		cfg.MissingReplyTimeout = DefaultMissingReplyTimeout
	}
	if cfg.MaxMessageSize <= 0 {
		cfg.MaxMessageSize = DefaultMaxMessageSize
	}
	if cfg.MapError == nil {
		cfg.MapError = func(err error) RemoteException { return BuiltinError("Exception", err.Error()) }
	}
	hctx, cancel := context.WithCancel(context.Background())
	return &Server{
		tr: tr, target: target, endpoints: endpoints, cfg: cfg,
		log:        cfg.Logger.With().Str("topic", target.Topic).Str("server", target.Server).Logger(),
		slots:      make(chan struct{}, cfg.PoolSize),
		handlerCtx: hctx, cancelHandler: cancel,
		stopping: make(chan struct{}),
		obsolete: obsoleteQueues{at: map[string]time.Time{}},
	}, nil
}

// Start declares the target's queues and begins serving. It returns once
// the consumers are running.
func (s *Server) Start(ctx context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.stopped {
		return ErrServerClosed
	}
	if s.started {
		return nil
	}
	l, err := s.tr.Listen(ctx, s.target, ListenOptions{Prefetch: s.cfg.PoolSize})
	if err != nil {
		return fmt.Errorf("listen on %s: %w", s.target, err)
	}
	s.listener, s.started = l, true
	s.loopDone = make(chan struct{})
	go s.consume(l.Deliveries())
	s.log.Info().Int("pool", s.cfg.PoolSize).Msg("RPC server started")
	return nil
}

// Stop stops consuming (unacknowledged requests return to the broker) and
// waits for running handlers. If ctx ends first, it cancels the handlers'
// contexts and returns ctx.Err().
func (s *Server) Stop(ctx context.Context) error {
	s.mu.Lock()
	if s.stopped {
		s.mu.Unlock()
		return nil
	}
	s.stopped = true
	close(s.stopping)
	l, done := s.listener, s.loopDone
	s.mu.Unlock()

	var errs []error
	if l != nil {
		if err := l.Stop(ctx); err != nil {
			errs = append(errs, fmt.Errorf("stop listener: %w", err))
		}
		select {
		case <-done:
		case <-ctx.Done():
		}
	}
	drained := make(chan struct{})
	go func() { s.handlers.Wait(); close(drained) }()
	select {
	case <-drained:
	case <-ctx.Done():
		s.cancelHandler()
		errs = append(errs, fmt.Errorf("handlers still running: %w", ctx.Err()))
	}
	s.cancelHandler()
	s.log.Info().Msg("RPC server stopped")
	return errors.Join(errs...)
}

// maxAckBatch bounds the deliveries a server takes, acknowledges and
// dispatches at once.
const maxAckBatch = 32

// consume is the listener loop: one goroutine per server. It takes a
// delivery when a pool slot is free, with whatever else has already
// arrived while slots remain, acknowledges them (a batch in one frame
// where the transport can) and only then dispatches them, as oslo
// acknowledges before dispatch.
func (s *Server) consume(deliveries <-chan Delivery) {
	defer close(s.loopDone)
	var seen dedup
	batch := make([]Delivery, 0, maxAckBatch)
	for d := range deliveries {
		select {
		case s.slots <- struct{}{}:
		case <-s.stopping:
			// Not acknowledged: it goes back to the queue when the
			// listener's channel closes.
			continue
		}
		batch = append(batch[:0], d)
		batch = s.takeArrived(deliveries, batch)
		for _, req := range s.accept(batch, &seen) {
			s.handlers.Add(1)
			go func() {
				defer s.handlers.Done()
				defer func() { <-s.slots }()
				s.handle(req)
			}()
		}
		clear(batch) // drop the bodies
	}
}

// takeArrived appends the deliveries already waiting, one per free pool
// slot (which it takes), up to maxAckBatch.
func (s *Server) takeArrived(deliveries <-chan Delivery, batch []Delivery) []Delivery {
	for len(batch) < maxAckBatch {
		select {
		case s.slots <- struct{}{}:
		default:
			return batch
		}
		select {
		case d, ok := <-deliveries:
			if ok {
				batch = append(batch, d)
				continue
			}
		case <-s.stopping:
		default:
		}
		<-s.slots
		return batch
	}
	return batch
}

// accept decodes and acknowledges a batch of deliveries, each holding a
// pool slot, and returns the requests to dispatch; the slots of the others
// are released. Undecodable messages are rejected without requeue and
// logged once, as oslo does; a request whose acknowledgement fails is
// dropped (the broker delivers it again); a duplicate _unique_id is
// acknowledged and ignored.
func (s *Server) accept(batch []Delivery, seen *dedup) []*incomingRequest {
	reqs := make([]*incomingRequest, 0, len(batch))
	good := make([]*Delivery, 0, len(batch))
	for i := range batch {
		d := &batch[i]
		if req, ok := s.decode(d); ok {
			reqs = append(reqs, req)
			good = append(good, d)
		} else {
			<-s.slots
		}
	}
	errs := ackAll(good)
	out := reqs[:0]
	for i, req := range reqs {
		switch {
		case errs[i] != nil:
			s.log.Warn().Err(errs[i]).Str("msg_id", req.msgID).Msg("ack failed; message dropped without dispatch")
		case req.uniqueID != "" && !seen.add(req.uniqueID):
			s.log.Info().Str("unique_id", req.uniqueID).Msg("ignoring duplicate message")
		default:
			out = append(out, req)
			continue
		}
		<-s.slots
	}
	return out
}

// ackAll acknowledges ds, those of one AckGroup in one AckBatch call, and
// returns an error per delivery.
func ackAll(ds []*Delivery) []error {
	if len(ds) == 1 { // the usual batch when not under load
		return []error{ds[0].Ack()}
	}
	errs := make([]error, len(ds))
	acked := make([]bool, len(ds))
	for i, d := range ds {
		switch {
		case acked[i]:
		case d.Group == nil:
			errs[i] = d.Ack()
		default:
			// A batch has one group, two around a reconnect.
			var idx []int
			var members []*Delivery
			for j := i; j < len(ds); j++ {
				if ds[j].Group == d.Group {
					idx, members, acked[j] = append(idx, j), append(members, ds[j]), true
				}
			}
			for k, err := range d.Group.AckBatch(members) {
				errs[idx[k]] = err
			}
		}
	}
	return errs
}

// decode checks and decodes a delivery. An undecodable one is rejected
// without requeue and logged once, as oslo does.
func (s *Server) decode(d *Delivery) (*incomingRequest, bool) {
	var req *incomingRequest
	var err error
	switch {
	case len(d.Body) > s.cfg.MaxMessageSize:
		err = malformed("body of %d bytes exceeds the %d-byte limit", len(d.Body), s.cfg.MaxMessageSize)
	case d.ContentType != "application/json":
		err = malformed("content type %q is not application/json", d.ContentType)
	default:
		req, err = decodeRequest(d.Body)
	}
	if err != nil {
		s.log.Warn().Err(err).Str("routing_key", d.RoutingKey).Int("bytes", len(d.Body)).
			Msg("failed to process message; rejected without requeue")
		if rerr := d.Reject(); rerr != nil {
			s.log.Warn().Err(rerr).Msg("reject failed")
		}
		return nil, false
	}
	return req, true
}

// handle dispatches one request and answers it if it is a call.
func (s *Server) handle(req *incomingRequest) {
	method, _ := req.methodName()
	log := s.log.With().Str("method", method).Str("msg_id", req.msgID).Logger()
	ci := &CallInfo{Method: method, MsgID: req.msgID, ClientTimeout: req.timeout}
	if ns, ok := jsonString(req.namespace); ok {
		ci.Namespace = ns
	}
	if v, ok := jsonString(req.version); ok {
		ci.Version = v
	}
	ctx := context.WithValue(s.handlerCtx, callInfoKey{}, ci)
	if req.ctx != nil {
		ctx = WithRequestContext(ctx, req.ctx)
		if id := req.ctx.RequestID(); id != "" {
			log = log.With().Str("request_id", id).Logger()
		}
	}

	var stopHeartbeat func()
	if req.msgID != "" {
		if iv := secondsToTimeout(req.timeout) / 2; iv >= time.Second {
			stopHeartbeat = s.heartbeat(req, iv, log)
		}
	}
	result, err := s.invoke(ctx, req, &log)
	if stopHeartbeat != nil {
		stopHeartbeat()
	}
	if req.msgID == "" {
		if err != nil {
			log.Warn().Err(err).Msg("cast failed")
		}
		return
	}
	var resultJSON, failure []byte
	if err == nil {
		if resultJSON, err = pyjson.Marshal(result); err != nil {
			err = BuiltinError("TypeError", fmt.Sprintf("result of %s is not JSON serializable: %v", method, err))
		}
	}
	if err != nil {
		var rex RemoteException
		if !errors.As(err, &rex) {
			rex = s.cfg.MapError(err)
		}
		if failure, err = encodeFailure(rex, method, err.Error()); err != nil {
			log.Error().Err(err).Msg("cannot encode failure")
			failure, _ = encodeFailure(BuiltinError("Exception", err.Error()), method, err.Error())
		}
		resultJSON = nil
	}
	s.reply(req.replyQ, encodeReply(req.msgID, newID(), resultJSON, failure, true), log)
}

// invoke runs the dispatcher and the handler, turning a panic into an error.
func (s *Server) invoke(ctx context.Context, req *incomingRequest, log *zerolog.Logger) (result any, err error) {
	defer func() {
		if p := recover(); p != nil {
			log.Error().Str("stack", string(debug.Stack())).Msgf("handler panic: %v", p)
			err = fmt.Errorf("panic: %v", p)
		}
	}()
	h, args, err := dispatch(s.endpoints, req)
	if err != nil {
		log.Debug().Err(err).Msg("dispatch refused")
		return nil, err
	}
	result, err = h(ctx, args)
	if err != nil {
		log.Debug().Err(err).Msg("handler returned an error")
	}
	return result, err
}

// heartbeat sends call-monitor replies every interval until stopped.
func (s *Server) heartbeat(req *incomingRequest, interval time.Duration, log zerolog.Logger) (stop func()) {
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		t := time.NewTicker(interval)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				body := encodeReply(req.msgID, newID(), nil, nil, false)
				ctx, cancel := context.WithTimeout(context.Background(), interval)
				err := s.tr.Send(ctx, &Outgoing{ReplyTo: req.replyQ, Body: body, Mandatory: true, Retry: 0})
				cancel()
				if err != nil {
					log.Info().Err(err).Msg("call-monitor heartbeat failed; heartbeats stopped")
					return
				}
			}
		}
	})
	return func() { close(done); wg.Wait() }
}

// reply publishes a reply, retrying while the reply queue is missing as
// oslo does (every 0.25 s for MissingReplyTimeout), then remembering the
// queue as obsolete so later replies to it are dropped at once.
func (s *Server) reply(queue string, body []byte, log zerolog.Logger) {
	if s.obsolete.has(queue) {
		log.Info().Str("reply_q", queue).Msg("reply queue is obsolete; reply dropped")
		return
	}
	deadline := time.Now().Add(s.cfg.MissingReplyTimeout)
	for {
		ctx, cancel := context.WithDeadline(context.Background(), deadline)
		err := s.tr.Send(ctx, &Outgoing{ReplyTo: queue, Body: body, Mandatory: true, Retry: -1})
		cancel()
		if err == nil {
			return
		}
		if !errors.Is(err, ErrUndeliverable) || time.Now().Add(missingReplyRetryInterval).After(deadline) {
			if errors.Is(err, ErrUndeliverable) {
				s.obsolete.add(queue)
			}
			log.Warn().Err(err).Str("reply_q", queue).Msg("reply could not be delivered; giving up")
			return
		}
		log.Debug().Str("reply_q", queue).Msg("reply queue missing; retrying")
		select {
		case <-time.After(missingReplyRetryInterval):
		case <-s.handlerCtx.Done():
			return
		}
	}
}

// dedup remembers the last few _unique_ids seen by a listener.
type dedup struct {
	ids  [duplicateWindow]string
	next int
}

// add records id and reports whether it was new.
func (d *dedup) add(id string) bool {
	for _, s := range d.ids {
		if s == id {
			return false
		}
	}
	d.ids[d.next] = id
	d.next = (d.next + 1) % duplicateWindow
	return true
}

// obsoleteQueues is oslo's ObsoleteReplyQueuesCache.
type obsoleteQueues struct {
	mu sync.Mutex
	at map[string]time.Time
}

func (o *obsoleteQueues) add(q string) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if len(o.at) >= obsoleteQueueMax {
		for k, t := range o.at {
			if time.Since(t) > obsoleteQueueTTL || len(o.at) >= obsoleteQueueMax {
				delete(o.at, k)
			}
		}
	}
	o.at[q] = time.Now()
}

func (o *obsoleteQueues) has(q string) bool {
	o.mu.Lock()
	defer o.mu.Unlock()
	t, ok := o.at[q]
	if ok && time.Since(t) > obsoleteQueueTTL {
		delete(o.at, q)
		return false
	}
	return ok
}
