//go:build integration

package conductor_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/ironic-go/ironic-go/conductor"
	"github.com/ironic-go/ironic-go/objects"
	"github.com/ironic-go/ironic-go/rpcapi"
	"github.com/ironic-go/ironic-go/rpcapi/hashring"
)

// Short intervals for the takeover tests.
const (
	toHeartbeatInterval = time.Second
	toHeartbeatTimeout  = 3 * time.Second
	toSyncLocalState    = time.Second
	toRingReset         = time.Second
)

func takeoverOptions() conductorOptions {
	ring := hashring.DefaultConfig()
	ring.HashRingResetInterval = toRingReset
	return conductorOptions{
		ring: ring,
		config: func(c *conductor.Config) {
			c.HeartbeatInterval = toHeartbeatInterval
			c.HeartbeatTimeout = toHeartbeatTimeout
			c.SyncLocalStateInterval = toSyncLocalState
		},
	}
}

// abandon makes the conductor vanish as a killed process would: no more
// heartbeats (its database pool is closed) and no more RPC (its broker
// connection is closed). Nothing is released or unregistered. The
// goroutines are reaped at cleanup.
func (c *itConductor) abandon() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.stopped = true
	_ = c.tr.Close()
	_ = c.store.Close()
}

// reap stops what is left of an abandoned conductor, ignoring errors.
func (c *itConductor) reap(t *testing.T) {
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		_ = c.svc.Stop(ctx)
	})
}

func (c *itConductor) id(t *testing.T, e *itEnv) int64 {
	t.Helper()
	row, err := e.store.GetConductor(t.Context(), c.host, false)
	if err != nil {
		t.Fatal(err)
	}
	return row.ID
}

// TestTakeover: two Go conductors on one database and broker split the
// nodes by the hash ring: create_node and do_node_deploy routed by
// rpcapi's get_topic_for reach the conductor the ring maps each node to,
// which records itself in conductor_affinity, and neither takes the
// other's nodes over while both live. When one goes away, the other takes
// its active nodes over (conductor_affinity becomes its id) once the ring
// drops the missing conductor: at once after a graceful stop (it
// unregisters), after heartbeat_timeout when it just disappears.
func TestTakeover(t *testing.T) {
	t.Parallel()
	for _, how := range []string{"stop", "kill"} {
		t.Run(how, func(t *testing.T) {
			t.Parallel()
			testTakeover(t, how == "kill")
		})
	}
}

func testTakeover(t *testing.T, kill bool) {
	ctx := t.Context()
	env := newItEnv(t, toHeartbeatTimeout)
	a := env.startConductor("a", takeoverOptions())
	b := env.startConductor("b", takeoverOptions())
	api := env.client("api")
	ids := map[string]int64{a.host: a.id(t, env), b.host: b.id(t, env)}
	hostOf := map[int64]string{ids[a.host]: a.host, ids[b.host]: b.host}

	// Enrol and deploy 16 nodes, each routed by the ring.
	var uuids []string
	perHost := map[string]int{}
	for i := range 16 {
		n := newNodeObject(fmt.Sprintf("ring-%d", i), nil)
		topic, err := api.GetTopicFor(ctx, n)
		if err != nil {
			t.Fatalf("get_topic_for: %v", err)
		}
		host := strings.TrimPrefix(topic, env.topic+".")
		if host != a.host && host != b.host {
			t.Fatalf("get_topic_for = %s, not one of the two conductors", topic)
		}
		// The conductors' own rings agree with the client's.
		for _, c := range []*itConductor{a, b} {
			mine, err := c.svc.Ring().MappedTo(ctx, "fake-hardware", *n.UUID, c.host)
			if err != nil || mine != (c.host == host) {
				t.Fatalf("conductor %s: mapped %v (%v); the client routes node %s to %s", c.host, mine, err, *n.UUID, host)
			}
		}
		if _, err := api.CreateNode(ctx, n, rpcapi.WithTopic(topic)); err != nil {
			t.Fatal(err)
		}
		setState(t, env.store, *n.UUID, "available", "", "power off")
		if err := api.DoNodeDeploy(ctx, *n.UUID, false, "", rpcapi.WithTopic(topic)); err != nil {
			t.Fatalf("do_node_deploy: %v", err)
		}
		uuids = append(uuids, *n.UUID)
		perHost[host]++
	}
	if perHost[a.host] == 0 || perHost[b.host] == 0 {
		t.Fatalf("the ring did not split 16 nodes between two conductors: %v", perHost)
	}
	t.Logf("nodes per conductor: %v", perHost)
	routed := map[string]string{}
	for _, u := range uuids {
		n := waitFor(t, env.store, u, "active", 20*time.Second, func(n *objects.Node) bool {
			return deref(n.ProvisionState) == "active" && n.ConductorAffinity != nil && n.Reservation == nil
		})
		h, err := api.GetTopicFor(ctx, n)
		if err != nil {
			t.Fatal(err)
		}
		routed[u] = strings.TrimPrefix(h, env.topic+".")
		if got := hostOf[*n.ConductorAffinity]; got != routed[u] {
			t.Errorf("node %s deployed by %s, routed to %s", u, got, routed[u])
		}
	}
	// Both alive for a few takeover periods: nothing moves.
	time.Sleep(3 * toSyncLocalState)
	for _, u := range uuids {
		n := waitFor(t, env.store, u, "node", time.Second, unlocked)
		if got := hostOf[deref64(n.ConductorAffinity)]; got != routed[u] {
			t.Errorf("node %s moved to %s while both conductors live", u, got)
		}
	}

	// b goes away.
	gone := time.Now()
	if kill {
		b.abandon()
		b.reap(t)
	} else if err := b.stop(); err != nil {
		t.Fatalf("stop %s: %v", b.host, err)
	}
	bound := toRingReset + toSyncLocalState + 10*time.Second
	if kill {
		bound += toHeartbeatTimeout
	}
	var last time.Duration
	for _, u := range uuids {
		if routed[u] != b.host {
			continue
		}
		waitFor(t, env.store, u, "takeover by "+a.host, bound, func(n *objects.Node) bool {
			return deref64(n.ConductorAffinity) == ids[a.host] && n.Reservation == nil && deref(n.ProvisionState) == "active"
		})
		last = max(last, time.Since(gone))
	}
	t.Logf("%s's %d nodes taken over by %s within %v of it going away (heartbeat_timeout %v, ring reset %v, sync_local_state %v)",
		b.host, perHost[b.host], a.host, last.Round(10*time.Millisecond), toHeartbeatTimeout, toRingReset, toSyncLocalState)
	// The survivor's nodes stayed, and every node now routes to it.
	for _, u := range uuids {
		n := waitFor(t, env.store, u, "node", time.Second, unlocked)
		if deref64(n.ConductorAffinity) != ids[a.host] {
			t.Errorf("node %s: affinity %s", u, hostOf[deref64(n.ConductorAffinity)])
		}
		topic, err := api.GetTopicFor(ctx, n)
		if err != nil || topic != env.hostTopic(a.host) {
			t.Errorf("node %s routes to %s (%v), want %s", u, topic, err, a.host)
		}
	}
	// The survivor serves the taken-over nodes.
	for _, u := range uuids {
		if routed[u] == b.host {
			if _, err := api.GetBootDevice(ctx, u, rpcapi.WithTopic(env.hostTopic(a.host))); err != nil {
				t.Errorf("get_boot_device on a taken-over node: %v", err)
			}
			break
		}
	}
}

func deref64(p *int64) int64 {
	if p == nil {
		return 0
	}
	return *p
}
