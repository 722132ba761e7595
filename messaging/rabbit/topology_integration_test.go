//go:build integration

package rabbit

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/ironic-go/ironic-go/messaging"
	amqp "github.com/rabbitmq/amqp091-go"
)

// pyQueue is how Python oslo.messaging 14.0.3 declares a queue under some
// options, written out independently of the driver's tables.
type pyQueue struct {
	durable, autoDelete bool
	args                amqp.Table
}

// TestTopologyVariants starts a listener and a reply consumer under each
// option variant, then checks on the broker (rabbitmqctl) the flags and
// arguments of every queue and exchange, and redeclares each with Python's
// flags on a raw channel: a 406 PRECONDITION_FAILED there would break a
// mixed Go/Python fleet.
func TestTopologyVariants(t *testing.T) {
	t.Parallel()
	expires := func(ms int32) amqp.Table { return amqp.Table{"x-expires": ms} }
	variants := map[string]struct {
		query          string
		exchDurable    bool
		exchAutoDelete bool
		topic          pyQueue
		transient      pyQueue
		queueType      string
	}{
		"default": {topic: pyQueue{}, transient: pyQueue{args: expires(1800000)}, queueType: "classic"},
		"durable": {query: "amqp_durable_queues=true", exchDurable: true,
			topic: pyQueue{durable: true}, transient: pyQueue{args: expires(1800000)}, queueType: "classic"},
		"autodelete": {query: "amqp_auto_delete=true", exchAutoDelete: true,
			topic: pyQueue{autoDelete: true}, transient: pyQueue{args: expires(1800000)}, queueType: "classic"},
		"quorum": {query: "rabbit_quorum_queue=true&rabbit_quorum_delivery_limit=5&rabbit_quroum_max_memory_length=100",
			exchDurable: true,
			topic: pyQueue{durable: true, args: amqp.Table{"x-queue-type": "quorum", "x-delivery-limit": int32(5),
				"x-max-in-memory-length": int32(100)}},
			transient: pyQueue{args: expires(1800000)}, queueType: "quorum"},
		"ha": {query: "rabbit_ha_queues=true",
			topic:     pyQueue{args: amqp.Table{"x-ha-policy": "all"}},
			transient: pyQueue{args: amqp.Table{"x-ha-policy": "all", "x-expires": int32(1800000)}}, queueType: "classic"},
		"transient ttl": {query: "rabbit_transient_queues_ttl=60&rabbit_qos_prefetch_count=10&enable_cancel_on_failover=true",
			topic: pyQueue{}, transient: pyQueue{args: expires(60000)}, queueType: "classic"},
	}
	for name, v := range variants {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			cfg := testConfig(t, nil)
			topic := unique(t, "topic")
			cleanupTopology(t, cfg.ControlExchange, topic, "srv")
			tr := dialURL(t, amqpURL()+"?"+v.query, cfg)
			ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
			defer cancel()
			l, err := tr.Listen(ctx, messaging.Target{Topic: topic, Server: "srv"}, messaging.ListenOptions{Prefetch: 4})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = l.Stop(context.Background()) })
			router, err := tr.Replies(ctx)
			if err != nil {
				t.Fatal(err)
			}
			deleteReplyQueueAtCleanup(t, tr, router.Queue())
			fanoutQ, _ := FanoutQueue(l)
			if !strings.HasPrefix(fanoutQ, topic+"_fanout_") || len(fanoutQ) != len(topic)+len("_fanout_")+32 {
				t.Errorf("fanout queue name %q", fanoutQ)
			}
			if q := router.Queue(); !strings.HasPrefix(q, "reply_") || len(q) != len("reply_")+32 {
				t.Errorf("reply queue name %q", q)
			}

			// What the broker holds.
			queues := listQueues(t)
			check := func(name string, want pyQueue, wantType string) {
				t.Helper()
				q, ok := queues[name]
				if !ok {
					t.Errorf("queue %s missing", name)
					return
				}
				if q.Durable != want.durable || q.AutoDelete != want.autoDelete || q.Exclusive == true {
					t.Errorf("queue %s durable=%v auto_delete=%v exclusive=%v, want %v %v false",
						name, q.Durable, q.AutoDelete, q.Exclusive, want.durable, want.autoDelete)
				}
				wantArgs := map[string][]any{}
				for k, a := range want.args {
					switch x := a.(type) {
					case int32:
						wantArgs[k] = []any{"signedint", float64(x)}
					case string:
						wantArgs[k] = []any{"longstr", x}
					default:
						wantArgs[k] = []any{"?", x}
					}
				}
				if diff := cmp.Diff(wantArgs, q.Args()); diff != "" {
					t.Errorf("queue %s arguments (-python +broker):\n%s", name, diff)
				}
				if q.Type != wantType {
					t.Errorf("queue %s type %s, want %s", name, q.Type, wantType)
				}
			}
			check(topic, v.topic, v.queueType)
			check(topic+".srv", v.topic, v.queueType)
			check(fanoutQ, v.transient, "classic")
			check(router.Queue(), v.transient, "classic")
			tags := consumerTags(t)
			for q, tag := range map[string]string{topic: "1", topic + ".srv": "2", fanoutQ: "3", router.Queue(): "1"} {
				if diff := cmp.Diff([]string{tag}, tags[q]); diff != "" {
					t.Errorf("consumers of %s (-want +got):\n%s", q, diff)
				}
			}
			exchanges := listExchanges(t)
			if e := exchanges[cfg.ControlExchange]; e.Type != "topic" || e.Durable != v.exchDurable || e.AutoDelete != v.exchAutoDelete {
				t.Errorf("exchange %s: %+v", cfg.ControlExchange, e)
			}
			if e := exchanges[topic+"_fanout"]; e.Type != "fanout" || e.Durable || !e.AutoDelete {
				t.Errorf("exchange %s: %+v", topic+"_fanout", e)
			}

			// Python's declarations are equivalent (no 406).
			ch := rawChannel(t)
			redeclare := func(what string, f func() error) {
				t.Helper()
				if err := f(); err != nil {
					t.Errorf("python redeclare of %s: %v", what, err)
					ch = rawChannel(t)
				}
			}
			redeclare("E", func() error {
				return ch.ExchangeDeclare(cfg.ControlExchange, "topic", v.exchDurable, v.exchAutoDelete, false, false, nil)
			})
			redeclare("fanout exchange", func() error {
				return ch.ExchangeDeclare(topic+"_fanout", "fanout", false, true, false, false, nil)
			})
			for _, q := range []string{topic, topic + ".srv"} {
				redeclare(q, func() error {
					_, err := ch.QueueDeclare(q, v.topic.durable, v.topic.autoDelete, false, false, v.topic.args)
					return err
				})
			}
			for _, q := range []string{fanoutQ, router.Queue()} {
				redeclare(q, func() error {
					_, err := ch.QueueDeclare(q, false, false, false, false, v.transient.args)
					return err
				})
			}
			// And a different declaration is refused: the check has teeth.
			_, err = ch.QueueDeclare(fanoutQ, false, false, false, false, expires(1234))
			var aerr *amqp.Error
			if !errors.As(err, &aerr) || aerr.Code != amqp.PreconditionFailed {
				t.Errorf("mismatched redeclare: %v, want 406", err)
			}
		})
	}
}

// TestListenerStop checks Stop: unacknowledged deliveries go back to their
// queue, the fanout queue is deleted, Deliveries is closed, and a second
// Stop is harmless.
func TestListenerStop(t *testing.T) {
	t.Parallel()
	cfg := testConfig(t, nil)
	topic := unique(t, "topic")
	cleanupTopology(t, cfg.ControlExchange, topic, "srv")
	tr := dial(t, cfg)
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
	defer cancel()
	l, err := tr.Listen(ctx, messaging.Target{Topic: topic, Server: "srv"}, messaging.ListenOptions{Prefetch: 4})
	if err != nil {
		t.Fatal(err)
	}
	fanoutQ, _ := FanoutQueue(l)
	if err := tr.Send(ctx, &messaging.Outgoing{Topic: topic, Server: "srv", Body: []byte(`{"a": 1}`)}); err != nil {
		t.Fatal(err)
	}
	var d messaging.Delivery
	select {
	case d = <-l.Deliveries():
	case <-ctx.Done():
		t.Fatal("no delivery")
	}
	if d.RoutingKey != topic+".srv" || d.Exchange != cfg.ControlExchange || d.ContentType != "application/json" {
		t.Errorf("delivery %q %q %q", d.Exchange, d.RoutingKey, d.ContentType)
	}
	if err := l.Stop(ctx); err != nil {
		t.Fatal(err)
	}
	if _, ok := <-l.Deliveries(); ok {
		t.Error("Deliveries still open after Stop")
	}
	if err := d.Ack(); err == nil {
		t.Error("ack after Stop succeeded; want an error (the channel is closed)")
	}
	if err := l.Stop(ctx); err != nil {
		t.Errorf("second Stop: %v", err)
	}
	ch := rawChannel(t)
	q, err := ch.QueueDeclarePassive(topic+".srv", false, false, false, false, nil)
	if err != nil {
		t.Fatal(err)
	}
	if q.Messages != 1 {
		t.Errorf("%s holds %d messages after Stop, want the unacknowledged one back", q.Name, q.Messages)
	}
	if _, ok := listQueues(t)[fanoutQ]; ok {
		t.Errorf("fanout queue %s still exists after Stop", fanoutQ)
	}
}

// TestUndeliverable checks basic.return handling: a mandatory cast to a
// key no queue is bound to, and a reply to a reply queue that does not
// exist, both fail with ErrUndeliverable; the same cast without mandatory
// succeeds; the channel stays usable.
func TestUndeliverable(t *testing.T) {
	t.Parallel()
	cfg := testConfig(t, nil)
	topic := unique(t, "topic")
	cleanupTopology(t, cfg.ControlExchange, topic)
	tr := dial(t, cfg)
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
	defer cancel()

	client := messaging.NewClient(tr, messaging.Target{Topic: topic}, messaging.ClientConfig{Timeout: 5 * time.Second})
	err := client.Prepare(messaging.WithAtLeastOnce(true)).Cast(ctx, "m", nil)
	if !errors.Is(err, messaging.ErrUndeliverable) {
		t.Errorf("mandatory cast to an unbound key: %v, want ErrUndeliverable", err)
	}
	var uerr *UndeliverableError
	if !errors.As(err, &uerr) || uerr.Code != 312 || uerr.RoutingKey != topic || uerr.Exchange != cfg.ControlExchange {
		t.Errorf("return details: %+v", uerr)
	}
	if err := client.Cast(ctx, "m", nil); err != nil {
		t.Errorf("plain cast to an unbound key: %v", err)
	}

	err = tr.Send(ctx, &messaging.Outgoing{ReplyTo: "reply_ffffffffffffffffffffffffffffffff", Mandatory: true,
		Body: []byte(`{"oslo.version": "2.0", "oslo.message": "{}"}`)})
	if !errors.Is(err, messaging.ErrUndeliverable) {
		t.Errorf("reply to a missing queue: %v, want ErrUndeliverable", err)
	}

	// Many concurrent mandatory sends, half of them unroutable, each get
	// their own outcome on the shared channels.
	ch := rawChannel(t)
	bound := unique(t, "q")
	if _, err := ch.QueueDeclare(bound, false, true, false, false, nil); err != nil {
		t.Fatal(err)
	}
	errs := make(chan error, 100)
	for i := range 100 {
		go func() {
			key := "reply_missing_" + topic
			if i%2 == 0 {
				key = bound
			}
			err := tr.Send(ctx, &messaging.Outgoing{ReplyTo: key, Mandatory: true, Body: []byte(`{}`)})
			switch {
			case i%2 == 0 && err != nil:
				errs <- err
			case i%2 == 1 && !errors.Is(err, messaging.ErrUndeliverable):
				errs <- errors.New("unroutable send not reported: " + errString(err))
			default:
				errs <- nil
			}
		}()
	}
	for range 100 {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
	q, err := ch.QueueDeclarePassive(bound, false, true, false, false, nil)
	if err != nil || q.Messages != 50 {
		t.Errorf("bound queue holds %d messages (%v), want 50", q.Messages, err)
	}
}

func errString(err error) string {
	if err == nil {
		return "nil"
	}
	return err.Error()
}
