//go:build integration

package ipmi

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/rs/zerolog"

	"github.com/ironic-go/ironic-go/conductor"
	"github.com/ironic-go/ironic-go/db"
	"github.com/ironic-go/ironic-go/drivers"
	"github.com/ironic-go/ironic-go/drivers/fake"
	"github.com/ironic-go/ironic-go/messaging"
	"github.com/ironic-go/ironic-go/objects"
	"github.com/ironic-go/ironic-go/rpcapi/hashring"
)

// Power state sync benchmarks: one full pass of the conductor's periodic
// _sync_power_states over every node, from cold (new sessions, as with
// the 60 s default interval and idle session close), with the driver's
// and the conductor's default settings but sync_power_state_workers.
//
//	go test -tags integration -run '^$' -bench PowerSync -benchtime 3x ./drivers/ipmi/
//
// A pass is timed from the driver's first get_power_state call to the
// return of its last one (the node listing before it is not counted).
// BenchmarkPowerSyncPython times Debian's Python ironic-conductor on the
// same 50 ipmi_sim BMCs, from the BMCs' side; see its comment.

// passTimer wraps the ipmitool power interface to time sync passes.
type passTimer struct {
	*Power
	nodes int
	calls atomic.Int64
	mu    sync.Mutex
	first time.Time
	done  chan time.Duration
	errs  atomic.Int64
	busy  atomic.Int64 // nanoseconds spent in the driver
	// bmcSide is the pass seen by the BMCs: first to last power read.
	bmcSide time.Duration
}

func (p *passTimer) GetPowerState(ctx context.Context, task *drivers.Task) (string, error) {
	p.mu.Lock()
	if p.first.IsZero() {
		p.first = time.Now()
	}
	first := p.first
	p.mu.Unlock()
	start := time.Now()
	st, err := p.Power.GetPowerState(ctx, task)
	p.busy.Add(int64(time.Since(start)))
	if err != nil {
		p.errs.Add(1)
	}
	if p.calls.Add(1) == int64(p.nodes) {
		p.done <- time.Since(first)
	}
	return st, err
}

// benchNodes are the BMCs of a benchmark: driver_info per node.
type benchNodes []map[string]any

// syncPass runs one cold pass over nodes with workers and returns its
// duration and the failed reads.
func syncPass(b *testing.B, dbPath string, nodes benchNodes, workers int, ctlLog string) passResult {
	ctx := b.Context()
	cfg := DefaultConfig()
	cfg.Logger = zerolog.New(os.Stderr).Level(zerolog.WarnLevel)
	drv, err := New(cfg)
	if err != nil {
		b.Fatal(err)
	}
	defer drv.Close()
	timer := &passTimer{Power: drv.power, nodes: len(nodes), done: make(chan time.Duration, 1)}
	cat := drv.Catalog()
	for i, impl := range cat.Interfaces {
		if impl.Type == drivers.InterfacePower {
			cat.Interfaces[i].Impl = timer
		}
	}
	reg, err := drivers.NewRegistry(drivers.Config{EnabledHardwareTypes: []string{HardwareTypeName}},
		drivers.NoopCatalog(), fake.Catalog(), cat)
	if err != nil {
		b.Fatal(err)
	}
	store, err := db.Open(ctx, "", db.Config{SQLitePath: dbPath})
	if err != nil {
		b.Fatal(err)
	}
	defer store.Close()
	ccfg := conductor.DefaultConfig("bench-" + strconv.Itoa(workers))
	ccfg.SyncPowerStateInterval = 10 * time.Millisecond
	ccfg.SyncPowerStateWorkers = workers
	ccfg.CheckProvisionStateInterval, ccfg.SyncLocalStateInterval = 0, 0
	tr := messaging.NewInmemTransport(messaging.InmemConfig{Broker: messaging.NewInmemBroker(), ControlExchange: "ironic"})
	defer tr.Close()
	svc, err := conductor.NewService(conductor.Deps{Config: ccfg, Transport: tr, Store: store, Registry: reg, HashRing: hashring.DefaultConfig()})
	if err != nil {
		b.Fatal(err)
	}
	if ctlLog != "" {
		_ = os.Remove(ctlLog)
	}
	if err := svc.Start(ctx); err != nil {
		b.Fatal(err)
	}
	var took time.Duration
	select {
	case took = <-timer.done:
	case <-time.After(10 * time.Minute):
		b.Fatal("no full pass in 10 minutes")
	}
	sctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := svc.Stop(sctx); err != nil {
		b.Fatal(err)
	}
	b.Logf("pass %s, driver busy %s (mean %s per node)", took, time.Duration(timer.busy.Load()),
		time.Duration(timer.busy.Load()/int64(len(nodes))))
	if ctlLog != "" {
		passes, counts, err := passesFromLog(ctlLog, time.Hour)
		if err != nil || len(passes) == 0 {
			b.Fatalf("BMC log: %v", err)
		}
		b.Logf("BMC side: %d reads in %s", counts[0], passes[0])
		timer.bmcSide = passes[0]
	}
	return passResult{took: took, bmc: timer.bmcSide, errs: timer.errs.Load()}
}

// passResult is one timed pass.
type passResult struct {
	took, bmc time.Duration
	errs      int64
}

// createBenchNodes writes the nodes, manageable and powered off (as the
// BMCs are), into a new SQLite database.
func createBenchNodes(b *testing.B, nodes benchNodes) string {
	path := filepath.Join(b.TempDir(), "ironic.sqlite")
	store, err := db.Open(b.Context(), "", db.Config{SQLitePath: path})
	if err != nil {
		b.Fatal(err)
	}
	defer store.Close()
	for _, info := range nodes {
		n := &objects.Node{UUID: new(uuid.NewString()), Driver: new(HardwareTypeName), DriverInfo: info,
			ProvisionState: new("manageable"), PowerState: new(drivers.PowerOff)}
		if _, err := store.CreateNode(b.Context(), n); err != nil {
			b.Fatal(err)
		}
	}
	return path
}

// runSyncBench times b.N passes; bmcs gives the BMCs of each pass (and
// what ends them after it).
func runSyncBench(b *testing.B, bmcs func() (benchNodes, func()), workers int, ctlLog string) {
	var total, bmc time.Duration
	var errs int64
	count := 0
	for i := 0; i < b.N; i++ {
		nodes, done := bmcs()
		count = len(nodes)
		path := createBenchNodes(b, nodes)
		r := syncPass(b, path, nodes, workers, ctlLog)
		done()
		total += r.took
		bmc += r.bmc
		errs += r.errs
	}
	sec := total.Seconds() / float64(b.N)
	b.ReportMetric(sec, "s/pass")
	b.ReportMetric(float64(count)/sec, "nodes/s")
	b.ReportMetric(float64(errs)/float64(b.N), "errors/pass")
	if ctlLog != "" {
		b.ReportMetric(bmc.Seconds()/float64(b.N), "bmc-s/pass")
	}
}

func BenchmarkPowerSyncMultiBMC(b *testing.B) {
	// Every pass gets a new simulator process: pyghmi's single-threaded
	// loop for 500 BMCs, after the burst of session closes that ends a
	// pass (and 500 new sessions), sometimes stops answering for seconds
	// (passes of 17 s instead of 0.6 s, Get Channel Authentication
	// Capabilities unanswered), which is the simulator's, not a BMC's.
	bmcs := func() (benchNodes, func()) {
		m := startMultiBMC(b, "multibmc.py", 500)
		nodes := make(benchNodes, m.count)
		for i := range nodes {
			nodes[i] = m.driverInfo(i)
		}
		return nodes, m.stop
	}
	// Not more workers: beyond about 32 concurrent sessions the one
	// Python process drops requests and the retries are all one measures
	// (22 s passes with 128).
	for _, w := range []int{8, 32} {
		b.Run(fmt.Sprintf("nodes=500/workers=%d", w), func(b *testing.B) { runSyncBench(b, bmcs, w, "") })
	}
}

// benchSimAddr is the loopback address of the i-th benchmark ipmi_sim:
// each BMC has its own address, as real BMCs do (Ironic paces commands
// per address).
func benchSimAddr(i int) string { return fmt.Sprintf("127.0.1.%d", i+1) }

func startBenchSims(b *testing.B, n int, ctlLog string) []*ipmiSim {
	sims := make([]*ipmiSim, n)
	var wg sync.WaitGroup
	for i := range sims {
		wg.Go(func() { sims[i] = startIPMISimLog(b, benchSimAddr(i), ctlLog) })
	}
	wg.Wait()
	return sims
}

func BenchmarkPowerSyncIPMISim(b *testing.B) {
	ctlLog := filepath.Join(b.TempDir(), "chassis.log")
	sims := startBenchSims(b, 50, ctlLog)
	nodes := make(benchNodes, len(sims))
	for i, s := range sims {
		nodes[i] = s.driverInfo()
	}
	same := func() (benchNodes, func()) { return nodes, func() {} }
	for _, w := range []int{8, 50} {
		b.Run(fmt.Sprintf("nodes=50/workers=%d", w), func(b *testing.B) { runSyncBench(b, same, w, ctlLog) })
	}
}

// passesFromLog groups chassis-control "get power" timestamps into sync
// passes (a gap of more than gap starts a new one) and returns each
// pass's duration, first to last request.
func passesFromLog(path string, gap time.Duration) ([]time.Duration, []int, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, nil, err
	}
	var ts []float64
	for _, line := range strings.Split(strings.TrimSpace(string(raw)), "\n") {
		f := strings.Fields(line)
		if len(f) < 2 || f[1] != "get" {
			continue
		}
		v, err := strconv.ParseFloat(f[0], 64)
		if err == nil {
			ts = append(ts, v)
		}
	}
	sort.Float64s(ts)
	var out []time.Duration
	var counts []int
	start, n := 0, 0
	for i := range ts {
		if i > 0 && ts[i]-ts[i-1] > gap.Seconds() {
			out = append(out, time.Duration((ts[i-1]-ts[start])*float64(time.Second)))
			counts = append(counts, n)
			start, n = i, 0
		}
		n++
	}
	if len(ts) > 0 {
		out = append(out, time.Duration((ts[len(ts)-1]-ts[start])*float64(time.Second)))
		counts = append(counts, n)
	}
	return out, counts, nil
}

// BenchmarkPowerSyncPython runs Debian's Python ironic-conductor (21.4,
// ipmi hardware type: it forks ipmitool for every command) over the same
// 50 ipmi_sim BMCs, with Ironic's defaults but sync_power_state_interval
// (15 s, so that passes come soon), and times its passes from the BMCs'
// side: first to last power read of a pass, as "bmc-s/pass" of
// BenchmarkPowerSyncIPMISim. It needs root (run.sh uses su postgres and
// rabbitmqctl), RabbitMQ and PostgreSQL; b.N is ignored: it reports the
// median of three complete passes.
func BenchmarkPowerSyncPython(b *testing.B) {
	needBinary(b, "ironic-conductor", "ironic-conductor")
	needBinary(b, "ipmitool", "ipmitool")
	ctlLog := filepath.Join(b.TempDir(), "chassis.log")
	sims := startBenchSims(b, 50, ctlLog)
	suffix := strings.ReplaceAll(uuid.NewString()[:8], "-", "")
	dbName, host, state := "ironic_py_bench_"+suffix, "py-bench-"+suffix, b.TempDir()
	run := func(env []string, args ...string) string {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
		defer cancel()
		cmd := exec.CommandContext(ctx, "bash", args...)
		cmd.Env = append(os.Environ(), env...)
		out, err := cmd.CombinedOutput()
		if err != nil {
			b.Fatalf("%v: %v\n%s", args, err, out)
		}
		return string(out)
	}
	psql := func(dbname, sql string) {
		run(nil, "-c", fmt.Sprintf("su postgres -c %s", shellQuote("psql -q -v ON_ERROR_STOP=1 -d "+dbname+" -c "+shellQuote(sql))))
	}
	runSh := testdataPath(b, "pyconductor/run.sh")
	b.Cleanup(func() {
		run(nil, runSh, "stop", state)
		psql("postgres", "DROP DATABASE IF EXISTS "+dbName)
		psql("postgres", "DROP ROLE IF EXISTS "+dbName)
	})
	b.Log(strings.TrimSpace(run([]string{"IRONIC_SYNC_INTERVAL=15"}, runSh, "start", state, host, dbName)))
	var values []string
	for _, s := range sims {
		info := fmt.Sprintf(`{"ipmi_address": "%s", "ipmi_port": %d, "ipmi_username": "%s", "ipmi_password": "%s", "ipmi_cipher_suite": 3}`,
			s.addr, s.port, s.user, s.pass)
		values = append(values, fmt.Sprintf("('%s', 'ipmi', '%s', 'manageable', 'power off', false, false, false, "+
			"'{}', '{}', '{}', '{}', now(), '1.37')", uuid.NewString(), info))
	}
	psql(dbName, "INSERT INTO nodes (uuid, driver, driver_info, provision_state, power_state, maintenance, "+
		"console_enabled, retired, properties, extra, instance_info, driver_internal_info, created_at, version) VALUES "+
		strings.Join(values, ", "))
	deadline := time.Now().Add(5 * time.Minute)
	var complete []time.Duration
	for time.Now().Before(deadline) {
		time.Sleep(5 * time.Second)
		passes, counts, err := passesFromLog(ctlLog, 4*time.Second)
		if err != nil {
			continue
		}
		complete = complete[:0]
		// The last pass may still run; take the finished ones.
		for i := 0; i < len(passes)-1; i++ {
			if counts[i] == len(sims) {
				complete = append(complete, passes[i])
			}
		}
		if len(complete) >= 3 {
			break
		}
	}
	if len(complete) < 3 {
		b.Fatalf("the Python conductor made %d complete passes in 5 minutes; see %s/ironic-conductor.log", len(complete), state)
	}
	b.Logf("Python passes (BMC side): %v", complete)
	sorted := append([]time.Duration(nil), complete[:3]...)
	sort.Slice(sorted, func(i, j int) bool { return sorted[i] < sorted[j] })
	med := sorted[1]
	b.ReportMetric(med.Seconds(), "bmc-s/pass")
	b.ReportMetric(float64(len(sims))/med.Seconds(), "nodes/s")
}

func shellQuote(s string) string { return "'" + strings.ReplaceAll(s, "'", `'"'"'`) + "'" }
