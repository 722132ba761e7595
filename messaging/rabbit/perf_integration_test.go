//go:build integration

package rabbit

import (
	"context"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/ironic-go/ironic-go/messaging"
	amqp "github.com/rabbitmq/amqp091-go"
)

// perfConcurrency is the number of concurrent callers of the call
// benchmarks.
const perfConcurrency = 32

// BenchmarkTransportCall measures Go→Go calls (messaging.Client to
// messaging.Server over this transport) at concurrency 32.
func BenchmarkTransportCall(b *testing.B) {
	cfg := DefaultConfig()
	cfg.ControlExchange = unique(b, "ex")
	cfg.ConnectionName = unique(b, "bench")
	topic := unique(b, "topic")
	cleanupTopology(b, cfg.ControlExchange, topic, "s1")
	srvTr := dial(b, cfg)
	cliTr := dial(b, cfg)
	echoServer(b, srvTr, "", topic, "s1", nil)
	client := messaging.NewClient(cliTr, messaging.Target{Topic: topic}, messaging.ClientConfig{Timeout: 30 * time.Second})
	ctx := context.Background()
	router, err := cliTr.Replies(ctx)
	if err != nil {
		b.Fatal(err)
	}
	deleteReplyQueueAtCleanup(b, cliTr, router.Queue())
	call := func() error {
		var r map[string]any
		return client.Call(ctx, "echo", map[string]any{"x": 1}, &r)
	}
	runConcurrent(b, call)
}

// BenchmarkRawAMQPCall is the baseline: the same request/reply round trip
// written directly on amqp091-go (one reply queue, no envelope, no
// confirms), at concurrency 32.
func BenchmarkRawAMQPCall(b *testing.B) {
	b.Run("plain", func(b *testing.B) { benchRaw(b, rawOpts{}) })
	b.Run("confirm", func(b *testing.B) { benchRaw(b, rawOpts{confirm: true}) })
	b.Run("oslo-like", func(b *testing.B) {
		benchRaw(b, rawOpts{confirm: true, persistent: true, mandatoryReply: true, topic: true, expiration: true, qos: 16})
	})
}

type rawOpts struct {
	confirm, persistent, mandatoryReply, topic, expiration bool
	qos                                                    int
}

func benchRaw(b *testing.B, o rawOpts) {
	confirm := o.confirm
	q := unique(b, "rawq")
	srvConn := rawConn(b)
	cliConn := rawConn(b)
	sch, err := srvConn.Channel()
	if err != nil {
		b.Fatal(err)
	}
	if _, err := sch.QueueDeclare(q, false, true, false, false, nil); err != nil {
		b.Fatal(err)
	}
	reqEx := ""
	if o.topic {
		reqEx = q + "_ex"
		if err := sch.ExchangeDeclare(reqEx, "topic", false, true, false, false, nil); err != nil {
			b.Fatal(err)
		}
		if err := sch.QueueBind(q, q, reqEx, false, nil); err != nil {
			b.Fatal(err)
		}
	}
	if o.qos > 0 {
		_ = sch.Qos(o.qos, 0, false)
	}
	reqs, err := sch.Consume(q, "", false, false, false, false, nil)
	if err != nil {
		b.Fatal(err)
	}
	spubs := make(chan *amqp.Channel, 16)
	for range 16 {
		c, _ := srvConn.Channel()
		if confirm {
			_ = c.Confirm(false)
		}
		spubs <- c
	}
	publish := func(pubs chan *amqp.Channel, ex, key string, mandatory bool, p amqp.Publishing) error {
		c := <-pubs
		defer func() { pubs <- c }()
		if o.persistent {
			p.DeliveryMode = 2
		}
		dc, err := c.PublishWithDeferredConfirm(ex, key, mandatory, false, p)
		if err != nil || dc == nil {
			return err
		}
		dc.Wait()
		return nil
	}
	var swg sync.WaitGroup
	swg.Go(func() {
		var hw sync.WaitGroup
		for d := range reqs {
			_ = d.Ack(false)
			hw.Go(func() {
				_ = publish(spubs, "", d.ReplyTo, o.mandatoryReply, amqp.Publishing{CorrelationId: d.CorrelationId, Body: d.Body})
			})
		}
		hw.Wait()
	})
	cch, _ := cliConn.Channel()
	rq, err := cch.QueueDeclare("", false, true, true, false, nil)
	if err != nil {
		b.Fatal(err)
	}
	reps, err := cch.Consume(rq.Name, "", false, false, false, false, nil)
	if err != nil {
		b.Fatal(err)
	}
	var mu sync.Mutex
	waiting := map[string]chan struct{}{}
	var cwg sync.WaitGroup
	cwg.Go(func() {
		for d := range reps {
			_ = d.Ack(false)
			mu.Lock()
			ch := waiting[d.CorrelationId]
			delete(waiting, d.CorrelationId)
			mu.Unlock()
			if ch != nil {
				close(ch)
			}
		}
	})
	pubs := make(chan *amqp.Channel, perfConcurrency)
	for range perfConcurrency {
		c, _ := cliConn.Channel()
		if confirm {
			_ = c.Confirm(false)
		}
		pubs <- c
	}
	var seq atomic.Int64
	call := func() error {
		id := strconv.FormatInt(seq.Add(1), 10)
		done := make(chan struct{})
		mu.Lock()
		waiting[id] = done
		mu.Unlock()
		p := amqp.Publishing{CorrelationId: id, ReplyTo: rq.Name, Body: []byte(`{"x": 1}`)}
		if o.expiration {
			p.Expiration = "60000"
		}
		err := publish(pubs, reqEx, q, false, p)
		if err != nil {
			return err
		}
		<-done
		return nil
	}
	runConcurrent(b, call)
	_ = sch.Close()
	_ = cch.Close()
	swg.Wait()
	cwg.Wait()
}

// runConcurrent runs b.N calls over perfConcurrency goroutines and reports
// calls/s.
func runConcurrent(b *testing.B, call func() error) {
	b.ReportAllocs()
	var next atomic.Int64
	beam0, self0 := beamCPU(), selfCPU()
	start := time.Now()
	b.ResetTimer()
	var wg sync.WaitGroup
	for range perfConcurrency {
		wg.Go(func() {
			for next.Add(1) <= int64(b.N) {
				if err := call(); err != nil {
					b.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
	b.StopTimer()
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "calls/s")
	if beam0 > 0 {
		b.ReportMetric(float64((beamCPU()-beam0).Microseconds())/float64(b.N), "beam-cpu-us/call")
	}
	b.ReportMetric(float64((selfCPU()-self0).Microseconds())/float64(b.N), "go-cpu-us/call")
}

// beamCPU returns the CPU time used so far by the RabbitMQ node (beam.smp),
// or 0 if it cannot be found.
func beamCPU() time.Duration {
	out, err := exec.Command("pgrep", "-f", "beam.smp").Output()
	if err != nil {
		return 0
	}
	var total time.Duration
	for _, pid := range strings.Fields(string(out)) {
		stat, err := os.ReadFile("/proc/" + pid + "/stat")
		if err != nil {
			continue
		}
		f := strings.Fields(string(stat[strings.LastIndexByte(string(stat), ')')+2:]))
		ut, _ := strconv.ParseInt(f[11], 10, 64)
		st, _ := strconv.ParseInt(f[12], 10, 64)
		total += time.Duration(ut+st) * 10 * time.Millisecond
	}
	return total
}

// selfCPU returns this process's CPU time.
func selfCPU() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkInmemCall is the messaging layer alone (same client and server
// over the in-memory transport), to tell its CPU from the transport's.
func BenchmarkInmemCall(b *testing.B) {
	broker := messaging.NewInmemBroker()
	srvTr := messaging.NewInmemTransport(messaging.InmemConfig{Broker: broker})
	cliTr := messaging.NewInmemTransport(messaging.InmemConfig{Broker: broker})
	b.Cleanup(func() { _ = cliTr.Close(); _ = srvTr.Close() })
	echoServer(b, srvTr, "", "t", "s1", nil)
	client := messaging.NewClient(cliTr, messaging.Target{Topic: "t"}, messaging.ClientConfig{Timeout: 30 * time.Second})
	ctx := context.Background()
	runConcurrent(b, func() error {
		var r map[string]any
		return client.Call(ctx, "echo", map[string]any{"x": 1}, &r)
	})
}
