// Package messagingtest holds test helpers for the messaging layer: a
// conformance suite that every messaging.Transport passes (the in-memory
// one in unit tests, RabbitMQ in integration tests) and the launcher of
// Python oslo.messaging peers. Production code never imports it.
package messagingtest
