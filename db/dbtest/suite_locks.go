package dbtest

import (
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/ironic-go/ironic-go/db"
	"github.com/ironic-go/ironic-go/objects"
	"github.com/ironic-go/ironic-go/objects/exception"
)

func testReserveRelease(e *env) {
	t := e.t
	n := e.newNode("lock-1")
	e.clock.Advance(time.Second)
	got, err := e.api.ReserveNode(e.ctx, "cond-a", db.ByID(n.ID))
	e.must(err, "reserve")
	if got.Reservation == nil || *got.Reservation != "cond-a" || got.ID != n.ID {
		t.Fatalf("reserve returned reservation %v id %d", got.Reservation, got.ID)
	}
	if got.UpdatedAt == nil || !got.UpdatedAt.Equal(e.clock.Now()) {
		t.Errorf("updated_at %v, want %v", got.UpdatedAt, e.clock.Now())
	}
	// Not re-entrant: the holder itself gets NodeLocked.
	_, err = e.api.ReserveNode(e.ctx, "cond-a", db.ByID(n.ID))
	wantExc(t, err, "NodeLocked", map[string]any{"node": *n.UUID, "host": "cond-a"})
	_, err = e.api.ReserveNode(e.ctx, "cond-b", db.ByUUID(*n.UUID))
	wantExc(t, err, "NodeLocked", map[string]any{"node": *n.UUID, "host": "cond-a"})
	if !errors.Is(err, exception.ErrConflict) {
		t.Errorf("NodeLocked is not a Conflict")
	}
	wantExc(t, e.api.ReleaseNode(e.ctx, "cond-b", db.ByID(n.ID)), "NodeLocked", map[string]any{"node": *n.UUID, "host": "cond-a"})
	e.must(e.api.ReleaseNode(e.ctx, "cond-a", db.ByUUID(*n.UUID)), "release")
	wantExc(t, e.api.ReleaseNode(e.ctx, "cond-a", db.ByID(n.ID)), "NodeNotLocked", map[string]any{"node": *n.UUID})
	after, err := e.api.GetNodeByID(e.ctx, n.ID)
	e.must(err, "get")
	if after.Reservation != nil {
		t.Errorf("reservation %q after release", *after.Reservation)
	}
	_, err = e.api.ReserveNode(e.ctx, "cond-b", db.ByUUID(*n.UUID))
	e.must(err, "reserve by uuid")

	missing := "00000000-0000-0000-0000-00000000abcd"
	_, err = e.api.ReserveNode(e.ctx, "cond-a", db.ByUUID(missing))
	wantExc(t, err, "NodeNotFound", map[string]any{"node": missing})
	wantExc(t, e.api.ReleaseNode(e.ctx, "cond-a", db.ByID(999999)), "NodeNotFound", map[string]any{"node": 999999})
	_, err = e.api.ReserveNode(e.ctx, "cond-a", db.ByUUID("bogus"))
	wantExc(t, err, "InvalidUUID", nil)
	_, err = e.api.ReserveNode(e.ctx, "", db.ByID(n.ID))
	wantExc(t, err, "InvalidParameterValue", nil)
}

// testReserveConcurrent: goroutines race for one node, round after round;
// exactly one wins each round, losers name the winner, and the lock is
// never lost or leaked.
func testReserveConcurrent(e *env) {
	t := e.t
	n := e.newNode("race-1")
	const workers, rounds = 16, 25
	for r := range rounds {
		var wg sync.WaitGroup
		start := make(chan struct{})
		results := make([]error, workers)
		for w := range workers {
			wg.Go(func() {
				<-start
				_, results[w] = e.api.ReserveNode(e.ctx, fmt.Sprintf("host-%d", w), db.ByID(n.ID))
			})
		}
		close(start)
		wg.Wait()
		winner := -1
		for w, err := range results {
			if err == nil {
				if winner >= 0 {
					t.Fatalf("round %d: workers %d and %d both won", r, winner, w)
				}
				winner = w
			}
		}
		if winner < 0 {
			t.Fatalf("round %d: nobody won: %v", r, results[0])
		}
		tag := fmt.Sprintf("host-%d", winner)
		for w, err := range results {
			if w != winner {
				wantExc(t, err, "NodeLocked", map[string]any{"host": tag})
			}
		}
		e.must(e.api.ReleaseNode(e.ctx, tag, db.ByID(n.ID)), "round %d release", r)
	}
	got, err := e.api.GetNodeByID(e.ctx, n.ID)
	e.must(err, "get")
	if got.Reservation != nil {
		t.Errorf("leaked reservation %q", *got.Reservation)
	}
}

func testClearReservations(e *env) {
	t := e.t
	var mine []string
	for i := range 3 {
		n := e.newNode(fmt.Sprintf("clr-%d", i))
		host := "Cond-Upper"
		if i == 2 {
			host = "other"
		}
		_, err := e.api.ReserveNode(e.ctx, host, db.ByID(n.ID))
		e.must(err, "reserve")
		if i < 2 {
			mine = append(mine, *n.UUID)
		}
	}
	slices.Sort(mine)
	got, err := e.api.ClearNodeReservations(e.ctx, "cond-upper")
	e.must(err, "clear")
	if !slices.Equal(got, mine) {
		t.Errorf("cleared %v, want %v", got, mine)
	}
	l, err := e.api.ListNodes(e.ctx, db.NodeFilter{Reserved: ptr(true)}, db.ListOptions{})
	e.must(err, "list")
	if len(l) != 1 || *l[0].Reservation != "other" {
		t.Errorf("reserved after clear: %v", uuids(l))
	}
	got, err = e.api.ClearNodeReservations(e.ctx, "nobody")
	e.must(err, "clear none")
	if len(got) != 0 {
		t.Errorf("cleared %v for a host holding nothing", got)
	}
}

func testReservedByOffline(e *env) {
	t := e.t
	_, err := e.api.RegisterConductor(e.ctx, db.ConductorRegistration{Hostname: "dead"}, false)
	e.must(err, "register dead")
	e.clock.Advance(2 * time.Minute)
	_, err = e.api.RegisterConductor(e.ctx, db.ConductorRegistration{Hostname: "alive"}, false)
	e.must(err, "register alive")
	dep := func(name, host, state string) *objects.Node {
		n := e.newNode(name, func(n *objects.Node) { n.ProvisionState = ptr(state) })
		if host != "" {
			_, err := e.api.ReserveNode(e.ctx, host, db.ByID(n.ID))
			e.must(err, "reserve")
		}
		return n
	}
	a := dep("off-a", "dead", "deploying")
	dep("off-b", "alive", "deploying")
	dep("off-c", "", "deploying")
	d := dep("off-d", "dead", "active")
	check := func(f db.NodeFilter, want ...*objects.Node) {
		t.Helper()
		l, err := e.api.ListNodesReservedByOffline(e.ctx, f, db.ListOptions{})
		e.must(err, "list")
		var w []string
		for _, n := range want {
			w = append(w, *n.UUID)
		}
		if got := uuids(l); !slices.Equal(got, w) {
			t.Errorf("reserved by offline: %v, want %v", got, w)
		}
	}
	check(db.NodeFilter{ProvisionState: ptr("deploying")}, a)
	check(db.NodeFilter{}, a, d)
	off, err := e.api.OfflineConductors(e.ctx)
	e.must(err, "offline")
	if !slices.Equal(off, []string{"dead"}) {
		t.Errorf("offline = %v", off)
	}
}
