// Package messaging implements oslo.messaging's RPC semantics: targets and
// versions, call, cast and fanout, reply routing, call-monitor heartbeats,
// remote failures and the request context, over a [Transport] that only
// moves bytes. It knows nothing of Ironic.
//
// # Design
//
// The envelope (oslo.version 2.0), the inner message, the reply and the
// failure codec live here once. A [Transport] publishes encoded bodies and
// delivers received ones: [InmemTransport] in-process for unit tests, and
// messaging/rabbit on AMQP 0-9-1 against RabbitMQ. Bodies are byte-for-byte
// what Python's oslo.messaging 14 writes for the same ids and inputs.
//
// A [Client] sends requests and waits for replies on the transport's single
// reply queue. A [Server] consumes a target's queues, acknowledges each
// request before dispatching it (at-most-once, as oslo), runs handlers on a
// bounded pool and answers calls.
//
// Mirrors oslo_messaging (rpc/client.py, rpc/server.py, rpc/dispatcher.py,
// _drivers/common.py, _drivers/amqpdriver.py).
package messaging
