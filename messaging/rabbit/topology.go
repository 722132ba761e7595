package rabbit

import (
	"math"

	amqp "github.com/rabbitmq/amqp091-go"
)

// exchangeSpec is one exchange.declare, with oslo's flags.
type exchangeSpec struct {
	Name       string
	Kind       string
	Durable    bool
	AutoDelete bool
}

// arg is one queue argument. Arguments are kept in oslo's order
// (x-ha-policy, x-queue-type, the quorum limits, x-expires); amqp091-go
// writes a Table in map order, which RabbitMQ does not mind.
type arg struct {
	Key   string
	Value any
}

// queueSpec is one queue.declare, its bind and its consumer.
type queueSpec struct {
	Name       string
	Durable    bool
	AutoDelete bool
	Args       []arg
	// Exchange is declared before the queue and bound to it with BindKey;
	// nil for the reply queue, which only the default exchange reaches.
	Exchange *exchangeSpec
	BindKey  string
	// Tag is the consumer tag: "1", "2", "3" per connection, as py-amqp.
	Tag string
}

// table returns the arguments as an AMQP table (nil when empty, which
// amqp091-go writes as an empty table).
func (q queueSpec) table() amqp.Table {
	if len(q.Args) == 0 {
		return nil
	}
	t := make(amqp.Table, len(q.Args))
	for _, a := range q.Args {
		t[a.Key] = a.Value
	}
	return t
}

// intArg encodes n as py-amqp does: type I (int32) when it fits, else a
// 64-bit integer.
func intArg(n int64) any {
	if n >= math.MinInt32 && n <= math.MaxInt32 {
		return int32(n)
	}
	return n
}

// durableTopic is oslo's Connection.durable: amqp_durable_queues or
// rabbit_quorum_queue.
func (c *Config) durableTopic() bool { return c.DurableQueues || c.QuorumQueue }

// topicExchange returns E's declaration, shared by servers and clients.
func (c *Config) topicExchange(name string) exchangeSpec {
	return exchangeSpec{Name: name, Kind: amqp.ExchangeTopic, Durable: c.durableTopic(), AutoDelete: c.AutoDelete}
}

// fanoutExchange returns "<topic>_fanout": never durable, always
// auto-delete.
func fanoutExchange(topic string) exchangeSpec {
	return exchangeSpec{Name: topic + "_fanout", Kind: amqp.ExchangeFanout, AutoDelete: true}
}

// topicQueueArgs are the arguments of the queues "<topic>" and
// "<topic>.<server>" (oslo's _get_queue_arguments with no TTL).
func (c *Config) topicQueueArgs() []arg {
	var args []arg
	if c.HAQueues {
		args = append(args, arg{"x-ha-policy", "all"})
	}
	if c.QuorumQueue {
		args = append(args, arg{"x-queue-type", "quorum"})
		if c.QuorumDeliveryLimit != 0 {
			args = append(args, arg{"x-delivery-limit", intArg(int64(c.QuorumDeliveryLimit))})
		}
		if c.QuorumMaxMemoryLength != 0 {
			args = append(args, arg{"x-max-in-memory-length", intArg(int64(c.QuorumMaxMemoryLength))})
		}
		if c.QuorumMaxMemoryBytes != 0 {
			args = append(args, arg{"x-max-in-memory-bytes", intArg(int64(c.QuorumMaxMemoryBytes))})
		}
	}
	return args
}

// transientQueueArgs are the arguments of the fanout and reply queues:
// never quorum in oslo 14.0.3, always x-expires.
func (c *Config) transientQueueArgs() []arg {
	var args []arg
	if c.HAQueues {
		args = append(args, arg{"x-ha-policy", "all"})
	}
	if ttl := c.TransientQueuesTTL.Milliseconds(); ttl > 0 {
		args = append(args, arg{"x-expires", intArg(ttl)})
	}
	return args
}

// consumerArgs are the basic.consume arguments.
func (c *Config) consumerArgs() amqp.Table {
	if c.EnableCancelOnFailover {
		return amqp.Table{"x-cancel-on-ha-failover": true}
	}
	return nil
}

// serverQueues returns a server's three queues in oslo's declare and
// consume order: "<topic>", "<topic>.<server>", "<topic>_fanout_<uuid>".
func (c *Config) serverQueues(exchange, topic, server, fanoutID string) []queueSpec {
	ex := c.topicExchange(exchange)
	fx := fanoutExchange(topic)
	serverQ := topic + "." + server
	return []queueSpec{
		{Name: topic, Durable: c.durableTopic(), AutoDelete: c.AutoDelete, Args: c.topicQueueArgs(),
			Exchange: &ex, BindKey: topic, Tag: "1"},
		{Name: serverQ, Durable: c.durableTopic(), AutoDelete: c.AutoDelete, Args: c.topicQueueArgs(),
			Exchange: &ex, BindKey: serverQ, Tag: "2"},
		{Name: topic + "_fanout_" + fanoutID, Args: c.transientQueueArgs(),
			Exchange: &fx, BindKey: topic, Tag: "3"},
	}
}

// replyQueue returns the reply queue "reply_<uuid>": no exchange, no bind.
func (c *Config) replyQueue(name string) queueSpec {
	return queueSpec{Name: name, Args: c.transientQueueArgs(), Tag: "1"}
}

// opKind is one AMQP method of a consumer's setup.
type opKind int

const (
	opQos opKind = iota
	opExchangeDeclare
	opQueueDeclare
	opQueueBind
	opConsume
)

// op is one step of a consumer's setup.
type op struct {
	kind     opKind
	prefetch int
	exchange *exchangeSpec
	queue    *queueSpec
}

// setupPlan returns a consuming channel's setup in oslo's order
// (oslo_wire.md §2.4): basic.qos if prefetch > 0; for each queue its
// exchange.declare, queue.declare and queue.bind; then the consumers.
func setupPlan(queues []queueSpec, prefetch int) []op {
	var ops []op
	if prefetch > 0 {
		ops = append(ops, op{kind: opQos, prefetch: prefetch})
	}
	for i := range queues {
		q := &queues[i]
		if q.Exchange != nil {
			ops = append(ops, op{kind: opExchangeDeclare, exchange: q.Exchange})
		}
		ops = append(ops, op{kind: opQueueDeclare, queue: q})
		if q.Exchange != nil {
			ops = append(ops, op{kind: opQueueBind, queue: q})
		}
	}
	for i := range queues {
		ops = append(ops, op{kind: opConsume, queue: &queues[i]})
	}
	return ops
}
