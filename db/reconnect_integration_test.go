//go:build integration

package db_test

import (
	"errors"
	"io"
	"net"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/ironic-go/ironic-go/db"
	"github.com/ironic-go/ironic-go/db/dbtest"
	"github.com/ironic-go/ironic-go/objects"
)

// TestConnectionLoss terminates this test's own server sessions
// (pg_terminate_backend, by application_name): calls fail with
// ErrConnection or succeed, never anything else, and the pool recovers
// without a restart. The password in the URL never shows.
func TestConnectionLoss(t *testing.T) {
	dsn := dbtest.PostgresDSN()
	admin := dbtest.Admin(t, dsn)
	app := dbtest.UniqueName(t, "app")
	conn := dbtest.NewSchema(t, dsn)
	u, err := url.Parse(conn)
	must(t, err)
	q := u.Query()
	q.Set("application_name", app)
	u.RawQuery = q.Encode()
	u.User = url.UserPassword(u.User.Username(), "Sekr1tPw") // trust auth: never sent
	s := dbtest.MustOpen(t, u.String(), db.Config{Logger: testLogger(t)})
	ctx := t.Context()
	n, err := s.CreateNode(ctx, &objects.Node{Name: ptr("survivor"), Driver: ptr("fake-hardware")})
	must(t, err)

	kill := func() int {
		var killed int
		must(t, admin.QueryRowContext(ctx, `SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
			WHERE application_name = $1 AND pid <> pg_backend_pid()`, app).Scan(&killed))
		return killed
	}
	for round := range 5 {
		// Open several pooled connections, then kill them all.
		for range 4 {
			_, err := s.GetNodeByID(ctx, n.ID)
			must(t, err)
		}
		if kill() == 0 {
			t.Fatalf("round %d: no session of %s to terminate", round, app)
		}
		ok := false
		for attempt := range 10 {
			var err error
			if attempt%2 == 0 {
				_, err = s.GetNodeByID(ctx, n.ID)
			} else {
				_, err = s.ReserveNode(ctx, "h", db.ByID(n.ID))
				if err == nil {
					err = s.ReleaseNode(ctx, "h", db.ByID(n.ID))
				}
			}
			if err == nil {
				ok = true
				break
			}
			if !errors.Is(err, db.ErrConnection) {
				t.Fatalf("round %d: after the session died: %v (%T), want ErrConnection", round, err, err)
			}
			if strings.Contains(err.Error(), "Sekr1tPw") {
				t.Fatalf("error shows the password: %v", err)
			}
			t.Logf("round %d attempt %d: %v", round, attempt, err)
		}
		if !ok {
			t.Fatalf("round %d: the pool did not recover", round)
		}
	}
	got, err := s.GetNodeByID(ctx, n.ID)
	must(t, err)
	if got.Reservation != nil {
		t.Errorf("reservation %q left behind", *got.Reservation)
	}
}

// pgProxy forwards TCP to PostgreSQL and can cut every connection and
// refuse new ones, as if the database vanished, then come back.
type pgProxy struct {
	t      *testing.T
	target string
	addr   string
	mu     sync.Mutex
	ln     net.Listener
	conns  []net.Conn
	wg     sync.WaitGroup
}

func newPGProxy(t *testing.T, target string) *pgProxy {
	p := &pgProxy{t: t, target: target}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	must(t, err)
	p.addr = ln.Addr().String()
	p.serve(ln)
	t.Cleanup(func() { p.cut(); p.wg.Wait() })
	return p
}

func (p *pgProxy) serve(ln net.Listener) {
	p.mu.Lock()
	p.ln = ln
	p.mu.Unlock()
	p.wg.Go(func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			up, err := net.Dial("tcp", p.target)
			if err != nil {
				_ = c.Close()
				continue
			}
			p.mu.Lock()
			p.conns = append(p.conns, c, up)
			p.mu.Unlock()
			p.wg.Go(func() { _, _ = io.Copy(up, c); _ = up.Close() })
			p.wg.Go(func() { _, _ = io.Copy(c, up); _ = c.Close() })
		}
	})
}

// cut closes the listener and every connection.
func (p *pgProxy) cut() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.ln != nil {
		_ = p.ln.Close()
		p.ln = nil
	}
	for _, c := range p.conns {
		_ = c.Close()
	}
	p.conns = nil
}

// restore listens again on the same address.
func (p *pgProxy) restore() {
	ln, err := net.Listen("tcp", p.addr)
	must(p.t, err)
	p.serve(ln)
}

// TestDatabaseVanishes: while the database is unreachable every call
// fails with ErrConnection and writes nothing; when it is back the same
// store works again.
func TestDatabaseVanishes(t *testing.T) {
	conn := dbtest.NewSchema(t, dbtest.PostgresDSN())
	u, err := url.Parse(conn)
	must(t, err)
	proxy := newPGProxy(t, u.Host)
	u.Host = proxy.addr
	q := u.Query()
	q.Set("connect_timeout", "5")
	u.RawQuery = q.Encode()
	s := dbtest.MustOpen(t, u.String(), db.Config{Logger: testLogger(t)})
	ctx := t.Context()
	n, err := s.CreateNode(ctx, &objects.Node{Name: ptr("vanish"), Driver: ptr("fake-hardware")})
	must(t, err)

	proxy.cut()
	upd := n.Clone()
	upd.LastError = ptr("written while the database was away")
	calls := map[string]func() error{
		"get":     func() error { _, err := s.GetNodeByID(ctx, n.ID); return err },
		"reserve": func() error { _, err := s.ReserveNode(ctx, "h", db.ByID(n.ID)); return err },
		"update":  func() error { _, err := s.UpdateNode(ctx, upd); return err },
		"register": func() error {
			_, err := s.RegisterConductor(ctx, db.ConductorRegistration{Hostname: "h"}, false)
			return err
		},
		"list": func() error { _, err := s.ListNodes(ctx, db.NodeFilter{}, db.ListOptions{}); return err },
		"ring": func() error { _, err := s.ActiveDriverHosts(ctx); return err },
	}
	for name, call := range calls {
		if err := call(); !errors.Is(err, db.ErrConnection) {
			t.Errorf("%s while the database is away: %v (%T), want ErrConnection", name, err, err)
		}
	}

	proxy.restore()
	var got *objects.Node
	for range 5 {
		if got, err = s.GetNodeByID(ctx, n.ID); err == nil {
			break
		}
		if !errors.Is(err, db.ErrConnection) {
			t.Fatalf("after the database came back: %v", err)
		}
	}
	if err != nil {
		t.Fatalf("the pool did not recover: %v", err)
	}
	if got.LastError != nil || got.Reservation != nil {
		t.Errorf("writes refused during the outage left data: %v %v", got.LastError, got.Reservation)
	}
	_, err = s.ReserveNode(ctx, "h", db.ByID(n.ID))
	must(t, err)
}
