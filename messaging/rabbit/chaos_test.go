//go:build integration && chaos

package rabbit

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/ironic-go/ironic-go/messaging"
)

// TestChaosBrokerRestart restarts the RabbitMQ application under a running
// Go server and client (every connection dropped, every non-durable queue
// gone): both reconnect, declare everything again under the same names,
// and calls succeed again; a call in flight during the outage ends with a
// result or a timeout error, never later than its timeout.
//
// It disrupts the shared broker, so it runs only with the chaos tag
// (`make chaos`, serially), never in `make test`.
func TestChaosBrokerRestart(t *testing.T) {
	cfg := testConfig(t, nil)
	topic := unique(t, "topic")
	cleanupTopology(t, cfg.ControlExchange, topic, "s1")
	srvTr := dial(t, cfg)
	cliTr := dial(t, cfg)
	echoServer(t, srvTr, "", topic, "s1", nil)
	client := messaging.NewClient(cliTr, messaging.Target{Topic: topic}, messaging.ClientConfig{Timeout: 5 * time.Second})
	ctx := context.Background()
	if err := client.Call(ctx, "echo", map[string]int{"before": 1}, nil); err != nil {
		t.Fatal(err)
	}
	router, err := cliTr.Replies(ctx)
	if err != nil {
		t.Fatal(err)
	}
	replyQ := router.Queue()

	inFlight := make(chan error, 1)
	var elapsed time.Duration
	go func() {
		start := time.Now()
		err := client.Call(ctx, "sleep", map[string]int{"ms": 3000}, nil)
		elapsed = time.Since(start)
		inFlight <- err
	}()
	time.Sleep(200 * time.Millisecond)
	rabbitmqctl(t, "stop_app")
	time.Sleep(2 * time.Second)
	rabbitmqctl(t, "start_app")
	rabbitmqctl(t, "await_startup")

	if err := <-inFlight; err != nil && !errors.Is(err, messaging.ErrTimeout) {
		t.Errorf("call in flight across the restart: %v (neither a result nor a timeout)", err)
	}
	if elapsed > 5*time.Second+time.Second {
		t.Errorf("call in flight took %s, beyond its 5s timeout", elapsed)
	}
	deadline := time.Now().Add(60 * time.Second)
	for {
		err := client.Prepare(messaging.WithTimeout(2*time.Second)).Call(ctx, "echo", map[string]int{"after": 1}, nil)
		if err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no successful call within 60s of the restart: %v", err)
		}
		time.Sleep(200 * time.Millisecond)
	}
	if r, _ := cliTr.Replies(ctx); r.Queue() != replyQ {
		t.Errorf("reply queue renamed by the restart: %s → %s", replyQ, r.Queue())
	}
	qs := listQueues(t)
	for _, q := range []string{topic, topic + ".s1", replyQ} {
		if _, ok := qs[q]; !ok {
			t.Errorf("queue %s not declared again after the restart", q)
		}
	}
}
