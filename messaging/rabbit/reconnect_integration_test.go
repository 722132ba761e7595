//go:build integration

package rabbit

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ironic-go/ironic-go/messaging"
	"github.com/rs/zerolog"
)

// TestConnectionKilledDuringCalls kills every connection of a client and a
// server (rabbitmqctl close_connection, found by the test's connection
// name) while calls are in flight. Each call returns a result or a timeout
// within its timeout; the listener and the reply consumer come back with
// the same queue names and consumer tags; the server serves again.
func TestConnectionKilledDuringCalls(t *testing.T) {
	t.Parallel()
	cfg := testConfig(t, nil)
	topic := unique(t, "topic")
	cleanupTopology(t, cfg.ControlExchange, topic, "srv")
	srvTr := dial(t, cfg)
	cliTr := dial(t, cfg)
	srv := echoServer(t, srvTr, "", topic, "srv", nil)
	_ = srv
	ctx, cancel := context.WithTimeout(t.Context(), 90*time.Second)
	defer cancel()
	router, err := cliTr.Replies(ctx)
	if err != nil {
		t.Fatal(err)
	}
	deleteReplyQueueAtCleanup(t, cliTr, router.Queue())
	replyQ := router.Queue()
	var fanoutQ string
	srvTr.mu.Lock()
	for l := range srvTr.listeners {
		fanoutQ, _ = FanoutQueue(l)
	}
	srvTr.mu.Unlock()
	if fanoutQ == "" {
		t.Fatal("no listener")
	}

	const callTimeout = 3 * time.Second
	client := messaging.NewClient(cliTr, messaging.Target{Topic: topic}, messaging.ClientConfig{Timeout: callTimeout})
	var ok, timedOut atomic.Int64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	errs := make(chan error, 100)
	for w := range 8 {
		wg.Go(func() {
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				start := time.Now()
				var r struct {
					Echo struct {
						W, I int
					} `json:"echo"`
				}
				err := client.Call(ctx, "echo", map[string]int{"w": w, "i": i}, &r)
				took := time.Since(start)
				switch {
				case took > callTimeout+5*time.Second:
					errs <- fmt.Errorf("call returned after %s, timeout %s", took, callTimeout)
				case err == nil && (r.Echo.W != w || r.Echo.I != i):
					errs <- fmt.Errorf("call (%d,%d) got the reply of (%d,%d)", w, i, r.Echo.W, r.Echo.I)
				case err == nil:
					ok.Add(1)
				case errors.Is(err, messaging.ErrTimeout):
					timedOut.Add(1)
				default:
					errs <- fmt.Errorf("call: %w", err)
				}
			}
		})
	}
	eventually(t, 20*time.Second, "calls to succeed before the kill", func() bool { return ok.Load() > 20 })
	before := ok.Load()
	if n := killConnections(t, cfg.ConnectionName); n < 4 {
		t.Errorf("killed %d connections, want at least 4 (publisher and listener, publisher and reply)", n)
	}
	eventually(t, 30*time.Second, "calls to succeed again after the kill", func() bool { return ok.Load() > before+50 })
	close(stop)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	t.Logf("%d calls succeeded, %d timed out", ok.Load(), timedOut.Load())

	// Same names, same consumer tags, new connections.
	tags := consumerTags(t)
	for q, tag := range map[string]string{topic: "1", topic + ".srv": "2", fanoutQ: "3", replyQ: "1"} {
		if !slices.Equal(tags[q], []string{tag}) {
			t.Errorf("after reconnect, consumers of %s are %v, want [%s]", q, tags[q], tag)
		}
	}
	if router.Queue() != replyQ {
		t.Errorf("reply queue renamed %s → %s", replyQ, router.Queue())
	}
	if n := len(connectionsNamed(t, cfg.ConnectionName)); n < 4 {
		t.Errorf("%d connections after reconnect, want 4", n)
	}
}

// TestBrokerCancel deletes the server's fanout queue and the client's
// reply queue behind their backs: the broker's basic.cancel makes each
// consumer reconnect and declare its queue again under the same name, as
// oslo does (vector 46).
func TestBrokerCancel(t *testing.T) {
	t.Parallel()
	cfg := testConfig(t, nil)
	topic := unique(t, "topic")
	cleanupTopology(t, cfg.ControlExchange, topic, "srv")
	srvTr := dial(t, cfg)
	cliTr := dial(t, cfg)
	notes := make(chan string, 10)
	echoServer(t, srvTr, "", topic, "srv", notes)
	ctx, cancel := context.WithTimeout(t.Context(), 60*time.Second)
	defer cancel()
	router, err := cliTr.Replies(ctx)
	if err != nil {
		t.Fatal(err)
	}
	deleteReplyQueueAtCleanup(t, cliTr, router.Queue())
	var fanoutQ string
	srvTr.mu.Lock()
	for l := range srvTr.listeners {
		fanoutQ, _ = FanoutQueue(l)
	}
	srvTr.mu.Unlock()

	ch := rawChannel(t)
	for _, q := range []string{fanoutQ, router.Queue()} {
		if _, err := ch.QueueDelete(q, false, false, false); err != nil {
			t.Fatal(err)
		}
	}
	eventually(t, 20*time.Second, "the queues to be declared again", func() bool {
		tags := consumerTags(t)
		return slices.Equal(tags[fanoutQ], []string{"3"}) && slices.Equal(tags[router.Queue()], []string{"1"})
	})
	client := messaging.NewClient(cliTr, messaging.Target{Topic: topic}, messaging.ClientConfig{Timeout: 10 * time.Second})
	if err := client.Prepare(messaging.WithFanout(true)).Cast(ctx, "note", map[string]string{"text": "again"}); err != nil {
		t.Fatal(err)
	}
	if n := recv(t, notes); n != "srv:again" {
		t.Errorf("fanout after cancel reached %q", n)
	}
	if err := client.Call(ctx, "echo", nil, nil); err != nil {
		t.Errorf("call after the reply queue came back: %v", err)
	}
}

// TestFailover gives a URL whose first broker is unreachable: the
// transport connects to the second, and so do its consumers.
func TestFailover(t *testing.T) {
	t.Parallel()
	good, err := messaging.ParseURL(amqpURL())
	if err != nil || len(good.Hosts) != 1 {
		t.Fatalf("IRONIC_GO_AMQP_URL must name one broker: %v", err)
	}
	bad := good.Hosts[0]
	bad.Hostname, bad.Port = "127.0.0.1", 1
	u := *good
	u.Hosts = []messaging.Host{bad, good.Hosts[0]}
	cfg := testConfig(t, nil)
	topic := unique(t, "topic")
	cleanupTopology(t, cfg.ControlExchange, topic, "srv")
	tr, err := New(&u, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = tr.Close() })
	// Undo the shuffle: the unreachable broker comes first.
	tr.dialer.eps = endpoints(&u)
	echoServer(t, tr, "", topic, "srv", nil)
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	router, err := tr.Replies(ctx)
	if err != nil {
		t.Fatal(err)
	}
	deleteReplyQueueAtCleanup(t, tr, router.Queue())
	client := messaging.NewClient(tr, messaging.Target{Topic: topic}, messaging.ClientConfig{Timeout: 10 * time.Second})
	if err := client.Call(ctx, "echo", nil, nil); err != nil {
		t.Fatalf("call through the second broker: %v", err)
	}
	if n := len(connectionsNamed(t, cfg.ConnectionName)); n != 3 {
		t.Errorf("%d connections to the second broker, want 3 (publisher, listener, reply)", n)
	}
}

// TestPasswordNeverShown uses a broker user with a unique password, has
// the transport connect, fail, reconnect and log at debug, and checks that
// the password appears in no log line and no error.
func TestPasswordNeverShown(t *testing.T) {
	t.Parallel()
	user := unique(t, "user")
	password := "pw-" + unique(t, "secret")
	rabbitmqctl(t, "add_user", user, password)
	t.Cleanup(func() { rabbitmqctl(t, "delete_user", user) })
	base, err := messaging.ParseURL(amqpURL())
	if err != nil {
		t.Fatal(err)
	}
	vhost := base.VirtualHost
	if vhost == "" {
		vhost = "/"
	}
	rabbitmqctl(t, "set_permissions", "-p", vhost, user, ".*", ".*", ".*")
	withUser := func(pw string) string {
		u := *base
		u.Hosts = []messaging.Host{{Hostname: base.Hosts[0].Hostname, Port: base.Hosts[0].Port, Username: user, Password: messaging.Secret(pw)}}
		s := u.String()
		return strings.Replace(s, user+":***@", user+":"+pw+"@", 1)
	}

	var logs logSink
	cfg := testConfig(t, &logs)
	cfg.Logger = cfg.Logger.Level(zerolog.DebugLevel)
	topic := unique(t, "topic")
	cleanupTopology(t, cfg.ControlExchange, topic, "srv")
	var errs []string
	ctx, cancel := context.WithTimeout(t.Context(), 60*time.Second)
	defer cancel()

	if _, err := Dial(ctx, withUser("wrong-"+password), cfg); err == nil {
		t.Error("Dial with a wrong password succeeded")
	} else {
		errs = append(errs, err.Error())
	}
	if _, err := Dial(ctx, strings.Replace(withUser(password), base.Hosts[0].Address(5672), "127.0.0.1:1", 1), cfg); err == nil {
		t.Error("Dial to a closed port succeeded")
	} else {
		errs = append(errs, err.Error())
	}
	tr := dialURL(t, withUser(password), cfg)
	echoServer(t, tr, "", topic, "srv", nil)
	router, err := tr.Replies(ctx)
	if err != nil {
		t.Fatal(err)
	}
	deleteReplyQueueAtCleanup(t, tr, router.Queue())
	client := messaging.NewClient(tr, messaging.Target{Topic: topic}, messaging.ClientConfig{Timeout: 10 * time.Second})
	if err := client.Call(ctx, "echo", nil, nil); err != nil {
		t.Fatal(err)
	}
	killConnections(t, cfg.ConnectionName)
	eventually(t, 30*time.Second, "a call after the kill", func() bool {
		err := client.Call(ctx, "echo", nil, nil)
		if err != nil {
			errs = append(errs, err.Error())
		}
		return err == nil
	})
	errs = append(errs, fmt.Sprint(tr.URL()), fmt.Sprintf("%+v", tr.Config()))
	all := logs.String() + strings.Join(errs, "\n")
	if !strings.Contains(logs.String(), "reconnect") {
		t.Errorf("no reconnect logged; the check would prove little:\n%s", logs.String())
	}
	if strings.Contains(all, password) {
		t.Errorf("password found in logs or errors:\n%s", all)
	}
}
