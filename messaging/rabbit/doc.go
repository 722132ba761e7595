// Package rabbit is the AMQP 0-9-1 transport of package messaging, on
// github.com/rabbitmq/amqp091-go: oslo.messaging's rabbit driver, with the
// same exchanges, queues, flags and arguments, message properties,
// publisher confirms, mandatory replies and reconnect behaviour, so Go and
// Python services share a broker and a topic.
//
// # Design
//
// [Dial] returns a [Transport]. Sends go through one publisher connection
// whose confirm-mode channels are pooled (rpc_conn_pool_size): each channel
// carries one publish at a time and declares the exchanges it publishes to
// once. Each Listener and the reply queue consumer have their own
// connection, supervised by a goroutine that reconnects with oslo's
// back-off after a connection loss, a channel error or a broker
// basic.cancel, and declares everything again under the same names.
//
// Mirrors oslo_messaging/_drivers/impl_rabbit.py and amqpdriver.py
// (oslo.messaging 14.0.3).
package rabbit
