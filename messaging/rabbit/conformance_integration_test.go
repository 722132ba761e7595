//go:build integration

package rabbit

import (
	"context"
	"sync"
	"testing"

	"github.com/ironic-go/ironic-go/messaging"
	"github.com/ironic-go/ironic-go/messaging/messagingtest"
	amqp "github.com/rabbitmq/amqp091-go"
)

// TestConformance runs the transport conformance suite (the oslo RPC
// semantics every messaging.Transport must give) on RabbitMQ.
func TestConformance(t *testing.T) {
	t.Parallel()
	messagingtest.RunTransportTests(t, func(t *testing.T) messaging.Transport {
		tr := dial(t, testConfig(t, nil))
		rec := &recorder{Transport: tr, exchanges: map[string]bool{}, queues: map[string]bool{}}
		t.Cleanup(func() { rec.cleanup(t) })
		return rec
	})
}

// recorder is a Transport that remembers the exchanges and queues its use
// creates, so the test can delete them (oslo never deletes the topic queues
// and exchanges, nor reply queues).
type recorder struct {
	*Transport
	mu        sync.Mutex
	exchanges map[string]bool
	queues    map[string]bool
}

func (r *recorder) Listen(ctx context.Context, target messaging.Target, opts messaging.ListenOptions) (messaging.Listener, error) {
	ex := target.Exchange
	if ex == "" {
		ex = r.cfg.ControlExchange
	}
	r.mu.Lock()
	r.exchanges[ex] = true
	r.exchanges[target.Topic+"_fanout"] = true
	r.queues[target.Topic] = true
	r.queues[target.Topic+"."+target.Server] = true
	r.mu.Unlock()
	return r.Transport.Listen(ctx, target, opts)
}

func (r *recorder) Send(ctx context.Context, m *messaging.Outgoing) error {
	r.mu.Lock()
	switch {
	case m.ReplyTo != "":
	case m.Fanout:
		r.exchanges[m.Topic+"_fanout"] = true
	case m.Exchange != "":
		r.exchanges[m.Exchange] = true
	default:
		r.exchanges[r.cfg.ControlExchange] = true
	}
	r.mu.Unlock()
	return r.Transport.Send(ctx, m)
}

func (r *recorder) Replies(ctx context.Context) (*messaging.ReplyRouter, error) {
	rr, err := r.Transport.Replies(ctx)
	if err == nil {
		r.mu.Lock()
		r.queues[rr.Queue()] = true
		r.mu.Unlock()
	}
	return rr, err
}

func (r *recorder) cleanup(t *testing.T) {
	_ = r.Close()
	c, err := amqp.Dial(amqpURL())
	if err != nil {
		t.Errorf("cleanup: %v", err)
		return
	}
	defer c.Close()
	r.mu.Lock()
	defer r.mu.Unlock()
	for q := range r.queues {
		if ch, err := c.Channel(); err == nil {
			_, _ = ch.QueueDelete(q, false, false, false)
			_ = ch.Close()
		}
	}
	for ex := range r.exchanges {
		if ch, err := c.Channel(); err == nil {
			_ = ch.ExchangeDelete(ex, false, false)
			_ = ch.Close()
		}
	}
}
