package messaging

import (
	"context"
	"time"
)

// Transport moves encoded messages between clients and servers. It knows
// the broker's topology but not the message format: the envelope, methods,
// versions and failures are this package's job.
//
// Implementations: [InmemTransport], and rabbit.Transport in
// messaging/rabbit. All methods are safe for concurrent use.
type Transport interface {
	// Send publishes msg and returns once the broker has taken it
	// (publisher confirm). A mandatory message with no queue to go to
	// returns an error matching ErrUndeliverable; a broker that cannot be
	// reached within msg.Retry returns one matching ErrDeliveryFailure.
	// It returns ctx.Err() if ctx ends first.
	Send(ctx context.Context, msg *Outgoing) error

	// Listen declares a server target's queues and bindings ("<topic>",
	// "<topic>.<server>" and a fanout queue) and starts consuming them.
	// The Listener survives reconnects: its Deliveries channel stays open
	// until Stop or Close.
	Listen(ctx context.Context, target Target, opts ListenOptions) (Listener, error)

	// Replies returns the transport's reply router, declaring the single
	// reply queue and starting its consumer on first use. Every call
	// returns the same router.
	Replies(ctx context.Context) (*ReplyRouter, error)

	// Close stops every listener and consumer and releases connections.
	Close() error
}

// Outgoing is one message to publish.
type Outgoing struct {
	// Exchange is the topic exchange for requests; empty means the
	// transport's control_exchange. Ignored for replies and fanout.
	Exchange string
	// Topic and Server select the routing key "<topic>" or
	// "<topic>.<server>".
	Topic  string
	Server string
	// Fanout publishes to the "<topic>_fanout" exchange.
	Fanout bool
	// ReplyTo, when set, makes this a reply: it goes through the default
	// exchange to the queue of that name.
	ReplyTo string
	// Body is the encoded message.
	Body []byte
	// Expiration is the request's time to live in the queue (calls); zero
	// means none.
	Expiration time.Duration
	// Mandatory asks the broker to return the message if no queue is bound
	// (replies; requests with at_least_once).
	Mandatory bool
	// Retry bounds reconnect attempts: negative retries until ctx ends, 0
	// does not retry, N allows N attempts.
	Retry int
}

// RoutingKey returns the key the message is published with.
func (m *Outgoing) RoutingKey() string {
	switch {
	case m.ReplyTo != "":
		return m.ReplyTo
	case m.Fanout:
		return ""
	case m.Server != "":
		return m.Topic + "." + m.Server
	}
	return m.Topic
}

// ListenOptions tune a listener.
type ListenOptions struct {
	// Prefetch bounds the deliveries handed out and not yet acknowledged;
	// zero means the transport's default.
	Prefetch int
}

// Listener is a server's consumer of its target's queues.
type Listener interface {
	// Deliveries returns the channel of received requests. It is closed
	// when the listener stops.
	Deliveries() <-chan Delivery
	// Stop cancels the consumers, deletes the listener's fanout queue and
	// closes Deliveries. Deliveries not yet acknowledged go back to their
	// queue.
	Stop(ctx context.Context) error
}

// Delivery is one received request body.
type Delivery struct {
	Body        []byte
	ContentType string
	// Exchange and RoutingKey say how the message arrived (for logs).
	Exchange   string
	RoutingKey string
	// Ack acknowledges the delivery; Reject drops it without requeueing.
	Ack    func() error
	Reject func() error
	// Group, when not nil, can acknowledge this delivery together with
	// others of the same group in fewer broker frames (a server takes
	// what has already arrived at once); Tag is the delivery's id in it.
	Group AckGroup
	Tag   uint64
}

// AckGroup acknowledges several deliveries at once: a transport whose
// broker can acknowledge many deliveries with one frame implements it.
type AckGroup interface {
	// AckBatch acknowledges the deliveries of ds, which all carry this
	// group, and returns one error per delivery (nil: acknowledged).
	AckBatch(ds []*Delivery) []error
}
