//go:build integration

package conductor_test

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"text/tabwriter"
	"time"

	"github.com/lib/pq"

	"github.com/ironic-go/ironic-go/db/dbtest"
	"github.com/ironic-go/ironic-go/messaging/messagingtest"
	"github.com/ironic-go/ironic-go/messaging/rabbit/rabbittest"
	"github.com/ironic-go/ironic-go/rpcapi"
)

// BenchmarkConductor puts ironic-go's ironic-conductor (cmd/ironic-conductor,
// built and run as its own process) beside Debian's Python ironic-conductor
// (testdata/pyconductor/run.sh) in one run, on the same RabbitMQ and the
// same PostgreSQL server, each with fake-hardware, its own host name and
// its own database made by Ironic's ironic-dbsync. One Go rpcapi client in
// the benchmark process loads both alike: get_driver_properties (no node),
// get_boot_device (exclusive lock) and validate_driver_interfaces (shared
// lock) at concurrency 1, 8 and 32, each concurrent caller on its own node.
// Every sub-benchmark reports calls/s; the resident memory of both
// conductors (VmRSS, with their child processes) is read idle and sampled
// under load. The table of medians (over -count) and ratios is printed at
// the end.
//
//	go test -tags integration -run '^$' -bench Conductor ./conductor/
func BenchmarkConductor(b *testing.B) {
	ctx := b.Context()
	exchange := messagingtest.Unique(b, "bench")
	// The exchange goes at the end (the bare topic queue, shared with any
	// other conductor, stays; the host queues go with each conductor).
	rabbittest.DeleteTopologyAtCleanup(b, exchange, exchange+"_unused")

	pyc := startPythonConductor(b, exchange)
	goc := startGoConductor(b, exchange)
	conductors := []*benchConductor{goc, pyc}

	tr := dialRabbit(b, exchange, "bench-client")
	api, err := rpcapi.New(tr, rpcapi.Config{Timeout: 60 * time.Second}, nil)
	if err != nil {
		b.Fatal(err)
	}
	const maxConc = 32
	for _, c := range conductors {
		c.waitReady(b, api)
		for i := range maxConc {
			n, err := api.CreateNode(ctx, newNodeObject(fmt.Sprintf("bench-%s-%d", c.name, i), nil), c.to())
			if err != nil {
				b.Fatalf("%s: create_node: %v", c.name, err)
			}
			c.nodes = append(c.nodes, *n.UUID)
		}
	}
	// Let start-up work settle, then read the idle memory.
	time.Sleep(3 * time.Second)
	for _, c := range conductors {
		c.idleRSS = rssKB(b, c.pid)
	}

	methods := []struct {
		name string
		call func(ctx context.Context, c *benchConductor, uuid string) error
	}{
		{"get_driver_properties", func(ctx context.Context, c *benchConductor, _ string) error {
			_, err := api.GetDriverProperties(ctx, "fake-hardware", c.to())
			return err
		}},
		{"get_boot_device", func(ctx context.Context, c *benchConductor, uuid string) error {
			_, err := api.GetBootDevice(ctx, uuid, c.to())
			return err
		}},
		{"validate_driver_interfaces", func(ctx context.Context, c *benchConductor, uuid string) error {
			_, err := api.ValidateDriverInterfaces(ctx, uuid, c.to())
			return err
		}},
	}
	type key struct {
		method, conductor string
		conc              int
	}
	// rates and cpuPerCall collect every run of a sub-benchmark (-count);
	// cpuPerCall is the conductor process's CPU time per call (user +
	// system, from /proc/<pid>/stat, 10 ms resolution over the run).
	rates := map[key][]float64{}
	cpuPerCall := map[key][]float64{}
	load0 := loadavg()
	concs := []int{1, 8, 32}
	for _, m := range methods {
		for _, conc := range concs {
			for _, c := range conductors {
				b.Run(fmt.Sprintf("%s/c%d/%s", m.name, conc, c.name), func(b *testing.B) {
					stop := c.sampleRSS()
					defer stop()
					var next, failed atomic.Int64
					var firstErr atomic.Value
					var wg sync.WaitGroup
					cpu0 := treeCPU(c.pid)
					b.ResetTimer()
					start := time.Now()
					for w := range conc {
						uuid := c.nodes[w]
						wg.Go(func() {
							for next.Add(1) <= int64(b.N) {
								if err := m.call(ctx, c, uuid); err != nil {
									failed.Add(1)
									firstErr.CompareAndSwap(nil, err)
								}
							}
						})
					}
					wg.Wait()
					elapsed := time.Since(start)
					b.StopTimer()
					cpu := treeCPU(c.pid) - cpu0
					if n := failed.Load(); n > 0 {
						b.Fatalf("%d of %d calls failed, first: %v", n, b.N, firstErr.Load())
					}
					rate := float64(b.N) / elapsed.Seconds()
					perCall := float64(cpu.Microseconds()) / 1000 / float64(b.N)
					b.ReportMetric(rate, "calls/s")
					b.ReportMetric(perCall, "cpu-ms/call")
					b.ReportMetric(0, "ns/op")
					// Only the runs the framework reports count, not its
					// shorter runs that size b.N.
					if final(b, b.Elapsed()) {
						k := key{m.name, c.name, conc}
						rates[k] = append(rates[k], rate)
						cpuPerCall[k] = append(cpuPerCall[k], perCall)
					}
				})
			}
		}
	}

	var out bytes.Buffer
	w := tabwriter.NewWriter(&out, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(w, "method\tconcurrency\tGo calls/s\tPython calls/s\tGo/Python\tGo CPU ms/call\tPython CPU ms/call\t")
	for _, m := range methods {
		for _, conc := range concs {
			k := func(c string) key { return key{m.name, c, conc} }
			g, p := median(rates[k("go")]), median(rates[k("python")])
			ratio := "-"
			if p > 0 {
				ratio = fmt.Sprintf("%.1fx", g/p)
			}
			fmt.Fprintf(w, "%s\t%d\t%.0f\t%.0f\t%s\t%.3f\t%.2f\t\n", m.name, conc, g, p, ratio,
				median(cpuPerCall[k("go")]), median(cpuPerCall[k("python")]))
		}
	}
	fmt.Fprintln(w, "\t\t\t\t\t")
	fmt.Fprintln(w, "memory (VmRSS)\t\tGo\tPython\tGo/Python\t")
	fmt.Fprintf(w, "idle\t\t%s\t%s\t%.2f\t\n", mib(goc.idleRSS), mib(pyc.idleRSS), float64(goc.idleRSS)/float64(max(pyc.idleRSS, 1)))
	fmt.Fprintf(w, "peak under load\t\t%s\t%s\t%.2f\t\n", mib(goc.peakRSS.Load()), mib(pyc.peakRSS.Load()),
		float64(goc.peakRSS.Load())/float64(max(pyc.peakRSS.Load(), 1)))
	_ = w.Flush()
	// Printed, not logged: a passing benchmark's log is hidden without -v.
	fmt.Printf("\nConductor benchmark summary: ironic-conductor, Go (%s) vs Python (%s); one Go rpcapi client; "+
		"medians of %d run(s); %d CPUs; load average %s at the start, %s at the end\n%s\n",
		goc.host, pyc.host, len(rates[key{methods[0].name, "go", 1}]), runtime.NumCPU(), load0, loadavg(), out.String())
}

// final reports whether a run of b is one the framework reports: it
// lasted -test.benchtime (or ran its N times), where the runs that size
// b.N are shorter.
func final(b *testing.B, elapsed time.Duration) bool {
	bt := "1s"
	if f := flag.Lookup("test.benchtime"); f != nil {
		bt = f.Value.String()
	}
	if n, ok := strings.CutSuffix(bt, "x"); ok {
		want, err := strconv.Atoi(n)
		return err == nil && b.N == want
	}
	d, err := time.ParseDuration(bt)
	return err == nil && elapsed >= d
}

func median(v []float64) float64 {
	if len(v) == 0 {
		return 0
	}
	s := slices.Clone(v)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

func mib(kb int64) string { return fmt.Sprintf("%.1f MiB", float64(kb)/1024) }

// benchConductor is one conductor process under benchmark.
type benchConductor struct {
	name  string
	host  string
	pid   int
	nodes []string

	idleRSS int64
	peakRSS atomic.Int64
}

func (c *benchConductor) to() rpcapi.CallOption {
	return rpcapi.WithTopic(rpcapi.TopicConductorManager + "." + c.host)
}

// waitReady calls the conductor until it answers.
func (c *benchConductor) waitReady(b *testing.B, api *rpcapi.ConductorAPI) {
	b.Helper()
	deadline := time.Now().Add(90 * time.Second)
	for {
		_, err := api.GetDriverProperties(b.Context(), "fake-hardware", c.to(), rpcapi.WithTimeout(2*time.Second))
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			b.Fatalf("%s conductor %s does not answer: %v", c.name, c.host, err)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// sampleRSS records the conductor's peak VmRSS every 50 ms until the
// returned function is called.
func (c *benchConductor) sampleRSS() func() {
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		t := time.NewTicker(50 * time.Millisecond)
		defer t.Stop()
		// Scanning /proc for child processes costs the benchmark process
		// CPU that the conductors need: once a second is enough.
		var kids []int
		for n := 0; ; n++ {
			if n%20 == 0 {
				kids = children(c.pid)
			}
			if kb, err := rssOf(c.pid, kids); err == nil {
				for {
					old := c.peakRSS.Load()
					if kb <= old || c.peakRSS.CompareAndSwap(old, kb) {
						break
					}
				}
			}
			select {
			case <-done:
				return
			case <-t.C:
			}
		}
	})
	return func() { close(done); wg.Wait() }
}

// clockTicks is USER_HZ, the unit of /proc/<pid>/stat times (100 on
// Linux whatever the kernel's HZ).
const clockTicks = 100

// treeCPU is the CPU time (user + system) used so far by pid and its
// child processes.
func treeCPU(pid int) time.Duration {
	var ticks int64
	for _, p := range append([]int{pid}, children(pid)...) {
		f := procStat(p)
		if len(f) > 13 {
			u, _ := strconv.ParseInt(f[11], 10, 64)
			s, _ := strconv.ParseInt(f[12], 10, 64)
			ticks += u + s
		}
	}
	return time.Duration(ticks) * time.Second / clockTicks
}

// procStat returns the fields of /proc/<pid>/stat after the command name
// (so field 0 is the state, 1 the parent pid, 11 utime, 12 stime).
func procStat(pid int) []string {
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return nil
	}
	s := string(stat)
	return strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
}

// children returns the pids of pid's child processes.
func children(pid int) []int {
	var out []int
	entries, _ := os.ReadDir("/proc")
	for _, e := range entries {
		child, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		if f := procStat(child); len(f) > 1 && f[1] == strconv.Itoa(pid) {
			out = append(out, child)
		}
	}
	return out
}

func loadavg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "?"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "?"
	}
	return strings.Join(f[:3], " ")
}

func rssKB(b *testing.B, pid int) int64 {
	b.Helper()
	kb, err := treeRSS(pid)
	if err != nil {
		b.Fatalf("VmRSS of %d: %v", pid, err)
	}
	return kb
}

// treeRSS is the VmRSS (kB) of pid plus its child processes'.
func treeRSS(pid int) (int64, error) { return rssOf(pid, children(pid)) }

// rssOf is the resident memory of pid and the given children, in kB.
func rssOf(pid int, kids []int) (int64, error) {
	total, err := vmRSS(pid)
	if err != nil {
		return 0, err
	}
	for _, c := range kids {
		if kb, err := vmRSS(c); err == nil {
			total += kb
		}
	}
	return total, nil
}

func vmRSS(pid int) (int64, error) {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "VmRSS:"); ok {
			return strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
		}
	}
	return 0, fmt.Errorf("no VmRSS in /proc/%d/status", pid)
}

// newDatabase creates an empty database on the test server, dropped at
// cleanup, and returns its lib/pq DSN.
func newDatabase(b *testing.B, prefix string) string {
	b.Helper()
	dsn := dbtest.PostgresDSN()
	name := dbtest.UniqueName(b, prefix)
	if _, err := dbtest.Admin(b, dsn).Exec(`CREATE DATABASE ` + pq.QuoteIdentifier(name)); err != nil {
		b.Fatalf("create database %s: %v", name, err)
	}
	b.Cleanup(func() {
		if err := dbtest.DropDatabase(context.Background(), dsn, name); err != nil {
			b.Error(err)
		}
	})
	return dbtest.WithDatabase(dsn, name)
}

// startPythonConductor starts Debian's ironic-conductor with
// testdata/pyconductor/run.sh on its own database.
func startPythonConductor(b *testing.B, exchange string) *benchConductor {
	b.Helper()
	c := &benchConductor{name: "python", host: messagingtest.Unique(b, "py-cond")}
	dsn := newDatabase(b, "bench_py")
	state := b.TempDir()
	script, err := filepath.Abs("testdata/pyconductor/run.sh")
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() {
		out, err := exec.Command("bash", script, "stop", state).CombinedOutput()
		if err != nil {
			b.Errorf("run.sh stop: %v\n%s", err, out)
		}
		rabbittest.DeleteQueuesAtCleanup(b, rpcapi.TopicConductorManager+"."+c.host)
	})
	cmd := exec.CommandContext(b.Context(), "bash", script, "start", state, c.host, dbtest.SQLAlchemyURL(dsn),
		messagingtest.AMQPURL(), exchange)
	cmd.WaitDelay = 10 * time.Second
	if out, err := cmd.CombinedOutput(); err != nil {
		log, _ := os.ReadFile(filepath.Join(state, "ironic-conductor.log"))
		b.Fatalf("run.sh start: %v\n%s\n%s", err, out, tail(log, 40))
	}
	pid, err := os.ReadFile(filepath.Join(state, "pid"))
	if err != nil {
		b.Fatal(err)
	}
	if c.pid, err = strconv.Atoi(strings.TrimSpace(string(pid))); err != nil {
		b.Fatal(err)
	}
	return c
}

// startGoConductor builds cmd/ironic-conductor and runs it on its own
// database (made by ironic-dbsync, as the Python conductor's) with
// testdata/goconductor/ironic.conf.in.
func startGoConductor(b *testing.B, exchange string) *benchConductor {
	b.Helper()
	c := &benchConductor{name: "go", host: messagingtest.Unique(b, "go-cond")}
	dir := b.TempDir()
	bin := filepath.Join(dir, "ironic-conductor")
	root, err := filepath.Abs("..")
	if err != nil {
		b.Fatal(err)
	}
	build := exec.CommandContext(b.Context(), goTool(), "build", "-o", bin, "./cmd/ironic-conductor")
	build.Dir = root
	if out, err := build.CombinedOutput(); err != nil {
		b.Fatalf("go build ./cmd/ironic-conductor: %v\n%s", err, out)
	}
	dsn := dbtest.PostgresDSN()
	name := dbtest.UniqueName(b, "bench_go")
	if err := dbtest.CreateIronicDatabase(b.Context(), dsn, name); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() {
		if err := dbtest.DropDatabase(context.Background(), dsn, name); err != nil {
			b.Error(err)
		}
	})
	tmpl, err := os.ReadFile("testdata/goconductor/ironic.conf.in")
	if err != nil {
		b.Fatal(err)
	}
	conf := strings.NewReplacer("@STATE@", dir, "@HOST@", c.host, "@DB@", dbtest.SQLAlchemyURL(dbtest.WithDatabase(dsn, name)),
		"@TRANSPORT@", messagingtest.AMQPURL(), "@EXCHANGE@", exchange).Replace(string(tmpl))
	confPath := filepath.Join(dir, "ironic.conf")
	if err := os.WriteFile(confPath, []byte(conf), 0o600); err != nil {
		b.Fatal(err)
	}
	cmd := exec.CommandContext(b.Context(), bin, "--config-file", confPath)
	cmd.Cancel = func() error { return cmd.Process.Signal(syscall.SIGTERM) }
	cmd.WaitDelay = 30 * time.Second
	var stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stderr, &stderr
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	c.pid = cmd.Process.Pid
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	b.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		select {
		case err := <-exited:
			// CommandContext reports the cancelled context even when
			// the conductor stopped cleanly on its SIGTERM.
			if err != nil && !errors.Is(err, context.Canceled) {
				log, _ := os.ReadFile(filepath.Join(dir, "ironic-conductor.log"))
				b.Errorf("ironic-conductor (Go) exited: %v\n%s\n%s", err, stderr.String(), tail(log, 40))
			}
		case <-time.After(60 * time.Second):
			_ = cmd.Process.Kill()
			<-exited
			b.Errorf("ironic-conductor (Go) did not stop within 60 s of SIGTERM")
		}
		rabbittest.DeleteQueuesAtCleanup(b, rpcapi.TopicConductorManager+"."+c.host)
	})
	return c
}

// goTool is the go command: on PATH, else the Makefile's /usr/local/go.
func goTool() string {
	if p, err := exec.LookPath("go"); err == nil {
		return p
	}
	return "/usr/local/go/bin/go"
}

func tail(b []byte, lines int) string {
	l := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	if len(l) > lines {
		l = l[len(l)-lines:]
	}
	return strings.Join(l, "\n")
}
