package db_test

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/ironic-go/ironic-go/db"
	"github.com/ironic-go/ironic-go/objects"
	"github.com/ironic-go/ironic-go/objects/exception"
)

// The lock race: goroutines of this process and of worker processes (the
// test binary re-executed, see TestMain) try to reserve the same node in
// rounds. In every round exactly one attempt must win, every loser must be
// told NodeLocked naming the winner, the node must then be held by the
// winner (no lost lock) and, once the winner releases it, by nobody (no
// leaked lock).

const raceWorkerEnv = "IRONIC_GO_DB_RACE_WORKER"

// raceWorkerConfig is what a worker process is given in raceWorkerEnv.
type raceWorkerConfig struct {
	Conn       string `json:"conn"`
	SQLitePath string `json:"sqlite_path"`
	Node       int64  `json:"node"`
	Goroutines int    `json:"goroutines"`
	ID         int    `json:"id"`
}

// roundResult is what one process saw in one round.
type roundResult struct {
	Wins   []string `json:"wins"`   // tags that won
	Hosts  []string `json:"hosts"`  // distinct holders named by NodeLocked
	Locked int      `json:"locked"` // NodeLocked count
	Errors []string `json:"errors"` // anything else
}

// attempt makes one reservation attempt per tag, all at once.
func attempt(ctx context.Context, api db.API, node int64, tags []string) roundResult {
	var mu sync.Mutex
	var res roundResult
	var wg sync.WaitGroup
	start := make(chan struct{})
	for _, tag := range tags {
		wg.Go(func() {
			<-start
			_, err := api.ReserveNode(ctx, tag, db.ByID(node))
			mu.Lock()
			defer mu.Unlock()
			var ie *exception.Error
			switch {
			case err == nil:
				res.Wins = append(res.Wins, tag)
			case errors.As(err, &ie) && ie.Class == "NodeLocked":
				res.Locked++
				h := fmt.Sprint(ie.Kwargs["host"])
				if !slices.Contains(res.Hosts, h) {
					res.Hosts = append(res.Hosts, h)
				}
			default:
				res.Errors = append(res.Errors, err.Error())
			}
		})
	}
	close(start)
	wg.Wait()
	return res
}

// runRaceWorker is a worker process's main: it answers "R" (one attempt
// per goroutine), "X tag" (release as tag) and "Q" (quit) on stdin.
func runRaceWorker() int {
	var cfg raceWorkerConfig
	if err := json.Unmarshal([]byte(os.Getenv(raceWorkerEnv)), &cfg); err != nil {
		fmt.Fprintln(os.Stderr, "worker config:", err)
		return 2
	}
	ctx := context.Background()
	s, err := db.Open(ctx, cfg.Conn, db.Config{SQLitePath: cfg.SQLitePath, MaxIdleConns: cfg.Goroutines + 1})
	if err != nil {
		fmt.Fprintln(os.Stderr, "worker open:", err)
		return 2
	}
	defer s.Close()
	tags := make([]string, cfg.Goroutines)
	for i := range tags {
		tags[i] = fmt.Sprintf("proc%d-g%d", cfg.ID, i)
	}
	in := bufio.NewScanner(os.Stdin)
	out := json.NewEncoder(os.Stdout)
	for in.Scan() {
		cmd, arg, _ := strings.Cut(in.Text(), " ")
		var reply any
		switch cmd {
		case "R":
			reply = attempt(ctx, s, cfg.Node, tags)
		case "X":
			e := ""
			if err := s.ReleaseNode(ctx, arg, db.ByID(cfg.Node)); err != nil {
				e = err.Error()
			}
			reply = map[string]string{"error": e}
		case "Q":
			return 0
		}
		if err := out.Encode(reply); err != nil {
			return 2
		}
	}
	return 0
}

// raceWorker is the parent's handle on a worker process.
type raceWorker struct {
	in  *os.File
	out *bufio.Reader
}

func (w *raceWorker) send(line string) error {
	_, err := fmt.Fprintln(w.in, line)
	return err
}

func (w *raceWorker) recv(v any) error {
	line, err := w.out.ReadBytes('\n')
	if err != nil {
		return err
	}
	return json.Unmarshal(line, v)
}

// runLockRace runs rounds of the race on the store opened by connection
// (sqlitePath for ""), with goroutines in this process and procs worker
// processes of workerG goroutines each.
func runLockRace(t *testing.T, connection, sqlitePath string, goroutines, procs, workerG, rounds int) {
	ctx := t.Context()
	s, err := db.Open(ctx, connection, db.Config{SQLitePath: sqlitePath, MaxIdleConns: goroutines + 1})
	must(t, err)
	t.Cleanup(func() { _ = s.Close() })
	n, err := s.CreateNode(ctx, &objects.Node{Name: ptr("race"), Driver: ptr("fake-hardware")})
	must(t, err)

	// The workers outlive t.Context() (cancelled before cleanups run) so
	// that they can be told to quit; this context stops them if not.
	wctx, stop := context.WithCancel(context.Background())
	t.Cleanup(stop)
	workers := make([]*raceWorker, procs)
	for p := range procs {
		cfg, _ := json.Marshal(raceWorkerConfig{Conn: connection, SQLitePath: sqlitePath, Node: n.ID, Goroutines: workerG, ID: p})
		cmd := exec.CommandContext(wctx, os.Args[0], "-test.run=^$")
		cmd.Env = append(os.Environ(), raceWorkerEnv+"="+string(cfg))
		cmd.Cancel = func() error { return cmd.Process.Signal(syscall.SIGTERM) }
		cmd.WaitDelay = 10 * time.Second
		var stderr strings.Builder
		cmd.Stderr = &stderr
		stdin, err := cmd.StdinPipe()
		must(t, err)
		stdout, err := cmd.StdoutPipe()
		must(t, err)
		must(t, cmd.Start())
		w := &raceWorker{in: stdin.(*os.File), out: bufio.NewReader(stdout)}
		workers[p] = w
		t.Cleanup(func() {
			_ = w.send("Q")
			_ = stdin.Close()
			if err := cmd.Wait(); err != nil {
				t.Errorf("worker %d: %v\n%s", p, err, stderr.String())
			}
		})
	}
	tags := make([]string, goroutines)
	for i := range tags {
		tags[i] = fmt.Sprintf("parent-g%d", i)
	}

	total := goroutines + procs*workerG
	for r := range rounds {
		for _, w := range workers {
			if err := w.send("R"); err != nil {
				t.Fatalf("round %d: %v", r, err)
			}
		}
		results := []roundResult{attempt(ctx, s, n.ID, tags)}
		owner := -1 // who won: -1 parent, else a worker
		for p, w := range workers {
			var res roundResult
			if err := w.recv(&res); err != nil {
				t.Fatalf("round %d: worker %d: %v", r, p, err)
			}
			results = append(results, res)
			if len(res.Wins) > 0 {
				owner = p
			}
		}
		var wins []string
		locked := 0
		for _, res := range results {
			wins = append(wins, res.Wins...)
			locked += res.Locked
			if len(res.Errors) > 0 {
				t.Fatalf("round %d: errors %v", r, res.Errors)
			}
		}
		if len(wins) != 1 {
			t.Fatalf("round %d: %d winners %v (want exactly 1)", r, len(wins), wins)
		}
		winner := wins[0]
		if locked != total-1 {
			t.Fatalf("round %d: %d NodeLocked for %d losers", r, locked, total-1)
		}
		for _, res := range results {
			for _, h := range res.Hosts {
				if h != winner {
					t.Fatalf("round %d: a loser was told %q holds the lock; the winner is %q", r, h, winner)
				}
			}
		}
		// The winner's release succeeds only if the node is still held by
		// the winner (no lost lock) and leaves it unreserved.
		if owner < 0 {
			if err := s.ReleaseNode(ctx, winner, db.ByID(n.ID)); err != nil {
				t.Fatalf("round %d: winner %s cannot release: %v", r, winner, err)
			}
		} else {
			w := workers[owner]
			var rel map[string]string
			if err := w.send("X " + winner); err != nil {
				t.Fatal(err)
			}
			if err := w.recv(&rel); err != nil || rel["error"] != "" {
				t.Fatalf("round %d: worker %d release: %v %v", r, owner, err, rel["error"])
			}
		}
	}
	free, err := s.GetNodeByID(ctx, n.ID)
	must(t, err)
	if free.Reservation != nil {
		t.Fatalf("lock leaked: reservation %q at the end", *free.Reservation)
	}
	t.Logf("%d rounds, %d attempts each, exactly one winner every round", rounds, total)
}

// envInt reads a positive integer override from the environment.
func envInt(name string, def int) int {
	if v, err := strconv.Atoi(os.Getenv(name)); err == nil && v > 0 {
		return v
	}
	return def
}

// TestLockRaceSQLite: a smaller race on one SQLite file shared by three
// processes (WAL, busy_timeout, BEGIN IMMEDIATE).
func TestLockRaceSQLite(t *testing.T) {
	path := filepath.Join(t.TempDir(), "race.sqlite")
	runLockRace(t, "", path, 8, 2, 3, envInt("IRONIC_GO_DB_RACE_ROUNDS_SQLITE", 300))
}
