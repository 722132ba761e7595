//go:build integration

package rabbit

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/ironic-go/ironic-go/messaging"
	"github.com/ironic-go/ironic-go/messaging/messagingtest"
	amqp "github.com/rabbitmq/amqp091-go"
)

// The RPC benchmark compares, in one run on the same broker:
//   - go:     messaging.Client → messaging.Server over this transport (oslo
//     envelope, publisher confirms, mandatory replies, as oslo does);
//   - raw:    the same request/reply written directly on amqp091-go, with a
//     body of the same size, no confirms (the fastest amqp091-go can do);
//   - raw-confirm: raw with publisher confirms on both publishes (the
//     delivery guarantees oslo asks for);
//   - python: Debian's oslo.messaging client → oslo.messaging server.
// TestMain prints the table of ratios after the benchmarks.

// benchPayload is the call arguments of every variant.
var benchPayload = map[string]any{"node_id": "1be26c0b-03f2-4d2e-ae87-c02d7f33c123", "driver_name": "fake-hardware"}

// benchResult is one measurement for the summary table.
type benchResult struct {
	perSec, p50, p99 float64
}

var (
	benchMu      sync.Mutex
	benchResults = map[string]benchResult{}
)

func record(name string, r benchResult) {
	benchMu.Lock()
	defer benchMu.Unlock()
	benchResults[name] = r
}

// printBenchSummary prints the ratio table, if benchmarks ran.
func printBenchSummary() {
	benchMu.Lock()
	defer benchMu.Unlock()
	if len(benchResults) == 0 {
		return
	}
	names := make([]string, 0, len(benchResults))
	for k := range benchResults {
		names = append(names, k)
	}
	sort.Strings(names)
	fmt.Println("\nRPC benchmark summary (same run, same broker):")
	fmt.Printf("%-28s %12s %10s %10s\n", "variant", "ops/s", "p50 ms", "p99 ms")
	for _, n := range names {
		r := benchResults[n]
		fmt.Printf("%-28s %12.0f %10.2f %10.2f\n", n, r.perSec, r.p50, r.p99)
	}
	ratio := func(a, b string) {
		ra, oka := benchResults[a]
		rb, okb := benchResults[b]
		if oka && okb && rb.perSec > 0 {
			fmt.Printf("  %-26s / %-26s = %6.2fx\n", a, b, ra.perSec/rb.perSec)
		}
	}
	fmt.Println("ratios:")
	for _, c := range []string{"c=1", "c=8", "c=32"} {
		ratio("call/go/"+c, "call/raw/"+c)
		ratio("call/go/"+c, "call/raw-confirm/"+c)
		ratio("call/go/"+c, "call/python/"+c)
	}
	ratio("cast/go/c=32", "cast/raw/c=32")
	ratio("cast/go/c=32", "cast/raw-confirm/c=32")
}

var benchConcurrency = []int{1, 8, 32}

// BenchmarkRPC is the comparison described above.
func BenchmarkRPC(b *testing.B) {
	for _, c := range benchConcurrency {
		name := fmt.Sprintf("c=%d", c)
		b.Run("call/go/"+name, func(b *testing.B) { benchGoCall(b, c) })
		b.Run("call/raw/"+name, func(b *testing.B) { benchRaw(b, c, false) })
		b.Run("call/raw-confirm/"+name, func(b *testing.B) { benchRaw(b, c, true) })
		b.Run("call/python/"+name, func(b *testing.B) { benchPython(b, c) })
	}
	b.Run("cast/go/c=32", func(b *testing.B) { benchGoCast(b, 32) })
	b.Run("cast/raw/c=32", func(b *testing.B) { benchRawCast(b, 32, false) })
	b.Run("cast/raw-confirm/c=32", func(b *testing.B) { benchRawCast(b, 32, true) })
}

func benchGoCall(b *testing.B, conc int) {
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
	runConcurrent(b, conc, func() error {
		var r map[string]any
		return client.Call(ctx, "echo", benchPayload, &r)
	})
}

// benchBody is an oslo-encoded echo call, the size of what Go sends.
var benchBody = []byte(`{"oslo.version": "2.0", "oslo.message": "{\"method\": \"echo\", \"args\": {\"driver_name\": \"fake-hardware\", \"node_id\": \"1be26c0b-03f2-4d2e-ae87-c02d7f33c123\"}, \"_msg_id\": \"dc4cd99d42de44f4a710d91d62d41399\", \"_reply_q\": \"reply_39db744de7864b5595202ac03795044e\", \"_timeout\": null, \"_unique_id\": \"618c05f035a440b290a693bc681c46b5\"}"}`)

// benchRaw is a request/reply on amqp091-go directly: one request queue,
// one reply queue with correlation ids, bodies the size of oslo's.
func benchRaw(b *testing.B, conc int, confirm bool) {
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
	reqs, err := sch.Consume(q, "", false, false, false, false, nil)
	if err != nil {
		b.Fatal(err)
	}
	spubs := rawPublishers(b, srvConn, 16, confirm)
	var swg sync.WaitGroup
	swg.Go(func() {
		var hw sync.WaitGroup
		for d := range reqs {
			_ = d.Ack(false)
			hw.Go(func() {
				_ = rawPublish(spubs, "", d.ReplyTo, amqp.Publishing{CorrelationId: d.CorrelationId, Body: d.Body})
			})
		}
		hw.Wait()
	})
	cch, _ := cliConn.Channel()
	rq, err := cch.QueueDeclare("", false, true, true, false, nil)
	if err != nil {
		b.Fatal(err)
	}
	reps, err := cch.Consume(rq.Name, "", true, false, false, false, nil)
	if err != nil {
		b.Fatal(err)
	}
	var mu sync.Mutex
	waiting := map[string]chan struct{}{}
	var cwg sync.WaitGroup
	cwg.Go(func() {
		for d := range reps {
			mu.Lock()
			ch := waiting[d.CorrelationId]
			delete(waiting, d.CorrelationId)
			mu.Unlock()
			if ch != nil {
				close(ch)
			}
		}
	})
	pubs := rawPublishers(b, cliConn, max(conc, 1), confirm)
	var seq atomic.Int64
	runConcurrent(b, conc, func() error {
		id := strconv.FormatInt(seq.Add(1), 10)
		done := make(chan struct{})
		mu.Lock()
		waiting[id] = done
		mu.Unlock()
		if err := rawPublish(pubs, "", q, amqp.Publishing{CorrelationId: id, ReplyTo: rq.Name, Body: benchBody}); err != nil {
			return err
		}
		<-done
		return nil
	})
	_ = sch.Close()
	_ = cch.Close()
	swg.Wait()
	cwg.Wait()
}

// rawPublishers opens n channels (in confirm mode if asked) as a pool.
func rawPublishers(b *testing.B, conn *amqp.Connection, n int, confirm bool) chan *amqp.Channel {
	pubs := make(chan *amqp.Channel, n)
	for range n {
		c, err := conn.Channel()
		if err != nil {
			b.Fatal(err)
		}
		if confirm {
			if err := c.Confirm(false); err != nil {
				b.Fatal(err)
			}
		}
		pubs <- c
	}
	return pubs
}

// rawPublish publishes on a pooled channel and waits for the confirm if
// the channel is in confirm mode.
func rawPublish(pubs chan *amqp.Channel, ex, key string, p amqp.Publishing) error {
	c := <-pubs
	defer func() { pubs <- c }()
	dc, err := c.PublishWithDeferredConfirm(ex, key, false, false, p)
	if err != nil || dc == nil {
		return err
	}
	dc.Wait()
	return nil
}

// benchGoCast measures casts end to end: from the first Cast until the
// server has handled all of them.
func benchGoCast(b *testing.B, conc int) {
	cfg := DefaultConfig()
	cfg.ControlExchange = unique(b, "ex")
	cfg.ConnectionName = unique(b, "bench")
	topic := unique(b, "topic")
	cleanupTopology(b, cfg.ControlExchange, topic, "s1")
	srvTr := dial(b, cfg)
	cliTr := dial(b, cfg)
	var got atomic.Int64
	done := make(chan struct{})
	target := int64(b.N)
	srv, err := messaging.NewServer(srvTr, messaging.Target{Topic: topic, Server: "s1"}, []messaging.Endpoint{{
		Methods: map[string]messaging.Handler{"echo": func(context.Context, messaging.Args) (any, error) {
			if got.Add(1) == target {
				close(done)
			}
			return nil, nil
		}},
	}}, messaging.ServerConfig{})
	if err != nil {
		b.Fatal(err)
	}
	if err := srv.Start(context.Background()); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = srv.Stop(context.Background()) })
	client := messaging.NewClient(cliTr, messaging.Target{Topic: topic}, messaging.ClientConfig{Timeout: 30 * time.Second})
	ctx := context.Background()
	runCasts(b, conc, done, func() error { return client.Cast(ctx, "echo", benchPayload) })
}

// benchRawCast is the raw amqp091-go equivalent of benchGoCast.
func benchRawCast(b *testing.B, conc int, confirm bool) {
	q := unique(b, "rawcast")
	conn := rawConn(b)
	ch, _ := conn.Channel()
	if _, err := ch.QueueDeclare(q, false, true, false, false, nil); err != nil {
		b.Fatal(err)
	}
	msgs, err := ch.Consume(q, "", false, false, false, false, nil)
	if err != nil {
		b.Fatal(err)
	}
	done := make(chan struct{})
	target := b.N
	var cwg sync.WaitGroup
	cwg.Go(func() {
		n := 0
		for d := range msgs {
			_ = d.Ack(false)
			if n++; n == target {
				close(done)
			}
		}
	})
	pubs := rawPublishers(b, rawConn(b), conc, confirm)
	runCasts(b, conc, done, func() error {
		return rawPublish(pubs, "", q, amqp.Publishing{Body: benchBody})
	})
	_ = ch.Close()
	cwg.Wait()
}

// runCasts sends b.N casts from conc goroutines and waits for done.
func runCasts(b *testing.B, conc int, done chan struct{}, cast func() error) {
	b.ReportAllocs()
	var next atomic.Int64
	start := time.Now()
	b.ResetTimer()
	var wg sync.WaitGroup
	for range conc {
		wg.Go(func() {
			for next.Add(1) <= int64(b.N) {
				if err := cast(); err != nil {
					b.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
	select {
	case <-done:
	case <-time.After(60 * time.Second):
		b.Fatal("casts not all received within 60s")
	}
	b.StopTimer()
	rate := float64(b.N) / time.Since(start).Seconds()
	b.ReportMetric(rate, "casts/s")
	record(strings.TrimPrefix(b.Name(), "BenchmarkRPC/"), benchResult{perSec: rate})
}

// benchPython runs Debian's oslo.messaging client against Debian's
// oslo.messaging server for a fixed time (longer than -benchtime, so the
// framework runs it once) and reports its figures.
func benchPython(b *testing.B, conc int) {
	exchange, topic := unique(b, "pyex"), unique(b, "pytopic")
	cleanupTopology(b, exchange, topic, "py_server")
	url := strings.Replace(amqpURL(), "amqp://", "rabbit://", 1)
	messagingtest.StartPyPeer(b, "oslo_server.py", true, url, exchange, topic, "py_server")
	peer := messagingtest.StartPyPeer(b, "oslo_bench.py", false, url, exchange, topic, strconv.Itoa(conc), "5")
	var res struct {
		Ops    int     `json:"ops"`
		PerSec float64 `json:"per_sec"`
		P50    float64 `json:"p50_ms"`
		P99    float64 `json:"p99_ms"`
	}
	if !peer.WaitJSON("RESULT", 120*time.Second, &res) {
		b.Fatal("the Python benchmark printed no result")
	}
	b.ReportMetric(res.PerSec, "calls/s")
	b.ReportMetric(res.P50, "p50-ms")
	b.ReportMetric(res.P99, "p99-ms")
	record(strings.TrimPrefix(b.Name(), "BenchmarkRPC/"), benchResult{perSec: res.PerSec, p50: res.P50, p99: res.P99})
}

// runConcurrent runs b.N calls over conc goroutines and reports calls/s,
// latency percentiles and CPU per call of this process and the broker.
func runConcurrent(b *testing.B, conc int, call func() error) {
	b.ReportAllocs()
	var next atomic.Int64
	lat := make([]time.Duration, b.N)
	beam0, self0 := beamCPU(), selfCPU()
	start := time.Now()
	b.ResetTimer()
	var wg sync.WaitGroup
	for range conc {
		wg.Go(func() {
			for {
				i := next.Add(1) - 1
				if i >= int64(b.N) {
					return
				}
				t0 := time.Now()
				if err := call(); err != nil {
					b.Error(err)
					return
				}
				lat[i] = time.Since(t0)
			}
		})
	}
	wg.Wait()
	b.StopTimer()
	elapsed := time.Since(start)
	rate := float64(b.N) / elapsed.Seconds()
	slices.Sort(lat)
	pct := func(p float64) float64 {
		return float64(lat[min(len(lat)-1, int(float64(len(lat))*p))].Microseconds()) / 1000
	}
	b.ReportMetric(rate, "calls/s")
	b.ReportMetric(pct(0.5), "p50-ms")
	b.ReportMetric(pct(0.99), "p99-ms")
	if beam0 > 0 {
		b.ReportMetric(float64((beamCPU()-beam0).Microseconds())/float64(b.N), "beam-cpu-us/call")
	}
	b.ReportMetric(float64((selfCPU()-self0).Microseconds())/float64(b.N), "go-cpu-us/call")
	record(strings.TrimPrefix(b.Name(), "BenchmarkRPC/"), benchResult{perSec: rate, p50: pct(0.5), p99: pct(0.99)})
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
	runConcurrent(b, 32, func() error {
		var r map[string]any
		return client.Call(ctx, "echo", benchPayload, &r)
	})
}

func init() { summary = printBenchSummary }
