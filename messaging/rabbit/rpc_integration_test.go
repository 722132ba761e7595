//go:build integration

package rabbit

import (
	"context"
	"fmt"
	"sort"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/ironic-go/ironic-go/messaging"
)

// TestCallCastFanout runs call, cast, server-directed call and fanout cast
// through messaging.Client and messaging.Server over two transports (a
// client process and a server process).
func TestCallCastFanout(t *testing.T) {
	t.Parallel()
	cfg := testConfig(t, nil)
	topic := unique(t, "topic")
	cleanupTopology(t, cfg.ControlExchange, topic, "s1", "s2")
	srvTr := dial(t, cfg)
	cliTr := dial(t, cfg)
	notes := make(chan string, 10)
	echoServer(t, srvTr, "", topic, "s1", notes)
	echoServer(t, srvTr, "", topic, "s2", notes)
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()

	client := messaging.NewClient(cliTr, messaging.Target{Topic: topic}, messaging.ClientConfig{Timeout: 10 * time.Second})
	router, err := cliTr.Replies(ctx)
	if err != nil {
		t.Fatal(err)
	}
	deleteReplyQueueAtCleanup(t, cliTr, router.Queue())

	type echoArgs struct {
		X int    `json:"x"`
		S string `json:"s"`
	}
	var got struct {
		Echo   echoArgs `json:"echo"`
		Server string   `json:"server"`
	}
	if err := client.Call(ctx, "echo", echoArgs{X: 1, S: "héllo"}, &got); err != nil {
		t.Fatalf("call: %v", err)
	}
	if diff := cmp.Diff(echoArgs{X: 1, S: "héllo"}, got.Echo); diff != "" {
		t.Errorf("echo (-want +got):\n%s", diff)
	}

	if err := client.Prepare(messaging.WithServer("s2")).Call(ctx, "echo", nil, &got); err != nil {
		t.Fatalf("call to s2: %v", err)
	}
	if got.Server != "s2" {
		t.Errorf("server-directed call answered by %v, want s2", got.Server)
	}

	if err := client.Prepare(messaging.WithServer("s1")).Cast(ctx, "note", map[string]any{"text": "direct"}); err != nil {
		t.Fatalf("cast: %v", err)
	}
	if n := recv(t, notes); n != "s1:direct" {
		t.Errorf("cast reached %q, want s1:direct", n)
	}

	if err := client.Prepare(messaging.WithFanout(true)).Cast(ctx, "note", map[string]any{"text": "all"}); err != nil {
		t.Fatalf("fanout cast: %v", err)
	}
	both := []string{recv(t, notes), recv(t, notes)}
	sort.Strings(both)
	if diff := cmp.Diff([]string{"s1:all", "s2:all"}, both); diff != "" {
		t.Errorf("fanout (-want +got):\n%s", diff)
	}

	// Concurrent calls share the reply queue and the channel pool.
	errs := make(chan error, 64)
	for i := range 64 {
		go func() {
			var r struct {
				Echo struct {
					I int `json:"i"`
				} `json:"echo"`
			}
			err := client.Call(ctx, "echo", map[string]any{"i": i}, &r)
			if err == nil && r.Echo.I != i {
				err = fmt.Errorf("call %d got the reply to call %d", i, r.Echo.I)
			}
			errs <- err
		}()
	}
	for range 64 {
		if err := <-errs; err != nil {
			t.Errorf("concurrent call: %v", err)
		}
	}
}

func recv(t *testing.T, ch <-chan string) string {
	t.Helper()
	select {
	case s := <-ch:
		return s
	case <-time.After(10 * time.Second):
		t.Fatal("timed out waiting for a cast")
		return ""
	}
}
