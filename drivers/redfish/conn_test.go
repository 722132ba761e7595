package redfish

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ironic-go/ironic-go/drivers"
	"github.com/ironic-go/ironic-go/drivers/redfish/redfishtest"
	"github.com/ironic-go/ironic-go/objects/exception"
)

// countAuth counts the requests the server authenticated each way.
func countAuth(reqs []redfishtest.Request) map[string]int {
	out := map[string]int{}
	for _, r := range reqs {
		out[r.Auth]++
	}
	return out
}

func TestUnauthorized(t *testing.T) {
	e := newEnv(t, &redfishtest.Options{}, nil)
	info := e.info("")
	delete(info, InfoUsername)
	delete(info, InfoPassword)
	task, _ := e.task(info)
	_, err := e.d.Power().GetPowerState(t.Context(), task)
	wantClass(t, err, "RedfishError", "Redfish exception occurred. Error: HTTP GET "+e.srv.URL+"/redfish/v1/Systems returned code 401")
	if !errors.Is(err, ErrAccess) {
		t.Errorf("a 401 does not match ErrAccess: %v", err)
	}
	if errors.Is(err, exception.ErrRedfishConnectionError) {
		t.Error("a 401 is a connection error")
	}

	info[InfoUsername], info[InfoPassword] = "admin", "wrong-"+testPassword
	task, _ = e.task(info)
	_, err = e.d.Power().GetPowerState(t.Context(), task)
	wantClass(t, err, "RedfishError", "returned code 401")
	if strings.Contains(err.Error(), testPassword) {
		t.Errorf("error contains the password: %v", err)
	}
	// An access error is not retried, and the connection is not kept.
	if n := len(e.sleeps); n != 0 {
		t.Errorf("retried %d times", n)
	}
	if e.d.cache.len() != 0 {
		t.Errorf("%d connections cached after access errors", e.d.cache.len())
	}
}

func TestAuthAutoFallsBackToBasic(t *testing.T) {
	// The emulator has no SessionService: auto uses basic.
	e := newEnv(t, &redfishtest.Options{}, nil)
	task, _ := e.task(e.info(""))
	if _, err := e.d.Power().GetPowerState(t.Context(), task); err != nil {
		t.Fatal(err)
	}
	auth := countAuth(e.srv.Requests())
	if auth["basic"] == 0 || auth["session"] != 0 {
		t.Errorf("requests by authentication: %v", auth)
	}
	// auth_type session cannot work there.
	info := e.info("")
	info[InfoAuthType] = AuthSession
	task, _ = e.task(info)
	_, err := e.d.Power().GetPowerState(t.Context(), task)
	wantClass(t, err, "RedfishError", "the BMC offers no SessionService")
}

func TestAuthSession(t *testing.T) {
	for _, mode := range []redfishtest.AuthMode{redfishtest.AuthSession, redfishtest.AuthSessionOnly} {
		for _, authType := range []string{AuthAuto, AuthSession} {
			t.Run(fmt.Sprintf("%d-%s", mode, authType), func(t *testing.T) {
				e := newEnv(t, &redfishtest.Options{Auth: mode}, nil)
				info := e.info("")
				info[InfoAuthType] = authType
				task, _ := e.task(info)
				for range 3 {
					if _, err := e.d.Power().GetPowerState(t.Context(), task); err != nil {
						t.Fatal(err)
					}
				}
				auth := countAuth(e.srv.Requests())
				if auth["basic"] != 0 || auth["session"] < 3 {
					t.Errorf("requests by authentication: %v", auth)
				}
				if n := e.srv.Sessions(); n != 1 {
					t.Errorf("%d sessions open, want 1 (cached connection)", n)
				}
				// Close logs the session out.
				if err := e.d.Close(t.Context()); err != nil {
					t.Fatal(err)
				}
				if n := e.srv.Sessions(); n != 0 {
					t.Errorf("%d sessions left after Close", n)
				}
			})
		}
	}
}

func TestBasicAgainstSessionOnly(t *testing.T) {
	e := newEnv(t, &redfishtest.Options{Auth: redfishtest.AuthSessionOnly}, nil)
	info := e.info("")
	info[InfoAuthType] = AuthBasic
	task, _ := e.task(info)
	_, err := e.d.Power().GetPowerState(t.Context(), task)
	wantClass(t, err, "RedfishError", "returned code 401")
}

func TestSessionWrongPassword(t *testing.T) {
	e := newEnv(t, &redfishtest.Options{Auth: redfishtest.AuthSessionOnly}, nil)
	info := e.info("")
	info[InfoPassword] = "nope-" + testPassword
	for _, authType := range []string{AuthSession, AuthAuto} {
		info[InfoAuthType] = authType
		task, _ := e.task(info)
		_, err := e.d.Power().GetPowerState(t.Context(), task)
		wantClass(t, err, "RedfishError", "returned code 401")
		if strings.Contains(err.Error(), testPassword) {
			t.Errorf("error contains the password: %v", err)
		}
	}
}

func TestSessionExpiryRenewed(t *testing.T) {
	e := newEnv(t, &redfishtest.Options{Auth: redfishtest.AuthSessionOnly}, nil)
	task, _ := e.task(e.info(""))
	p := e.d.Power()
	if _, err := p.GetPowerState(t.Context(), task); err != nil {
		t.Fatal(err)
	}
	e.srv.ExpireSessions()
	// The cached connection gets 401, logs in again and replays.
	if err := p.SetPowerState(t.Context(), task, drivers.PowerOff, 0); err != nil {
		t.Fatal(err)
	}
	if n := e.srv.Sessions(); n != 1 {
		t.Errorf("%d sessions, want 1", n)
	}
	e.srv.ExpireSessions()
	if err := p.SetPowerState(t.Context(), task, drivers.PowerOn, 0); err != nil {
		t.Fatal(err)
	}
	var posts []string
	for _, r := range e.requests("POST") {
		if strings.HasSuffix(r.Path, "Reset") {
			posts = append(posts, fmt.Sprintf("%d", r.Status))
		}
	}
	// Each reset was sent once with a live session (the expired token
	// failed on the GET before it).
	if strings.Join(posts, ",") != "204,204" {
		t.Errorf("reset statuses %v", posts)
	}
}

func TestConnectionCache(t *testing.T) {
	e := newEnv(t, &redfishtest.Options{Auth: redfishtest.AuthSession}, nil)
	task, _ := e.task(e.info(""))
	for range 5 {
		if _, err := e.d.Power().GetPowerState(t.Context(), task); err != nil {
			t.Fatal(err)
		}
	}
	roots := 0
	for _, r := range e.srv.Requests() {
		if r.Path == "/redfish/v1" {
			roots++
		}
	}
	if roots != 2 { // gofish's and the driver's read of the root, once
		t.Errorf("service root read %d times for 5 calls, want 2 (one connection)", roots)
	}

	// Without a cache, every call connects and logs out.
	n := newEnv(t, &redfishtest.Options{Auth: redfishtest.AuthSession}, func(c *Config) { c.ConnectionCacheSize = 0 })
	task, _ = n.task(n.info(""))
	for range 3 {
		if _, err := n.d.Power().GetPowerState(t.Context(), task); err != nil {
			t.Fatal(err)
		}
	}
	if got := len(n.requests("DELETE")); got != 3 {
		t.Errorf("%d logouts for 3 uncached calls", got)
	}
	if s := n.srv.Sessions(); s != 0 {
		t.Errorf("%d sessions left", s)
	}
}

func TestConnectionCacheEviction(t *testing.T) {
	cc := newConnCache(2)
	mk := func(addr string) *conn {
		return &conn{key: connKey{address: addr}, hc: &http.Client{}, tr: &authTransport{}}
	}
	a, b, c := mk("a"), mk("b"), mk("c")
	cc.put(a)
	cc.put(b)
	cc.get(a.key) // a is now the most recent
	_, evicted := cc.put(c)
	if len(evicted) != 1 || evicted[0] != b {
		t.Errorf("evicted %v, want b", evicted)
	}
	if cc.get(b.key) != nil || cc.get(a.key) != a || cc.get(c.key) != c {
		t.Error("wrong cache content")
	}
	cc.drop(a)
	if cc.len() != 1 {
		t.Errorf("len %d", cc.len())
	}
	if ok, _ := newConnCache(0).put(a); ok {
		t.Error("a disabled cache kept a connection")
	}
}

func TestTLSVerify(t *testing.T) {
	e := newEnv(t, &redfishtest.Options{TLS: true}, func(c *Config) { c.ConnectionAttempts = 2 })
	caFile, err := e.srv.WriteCAFile(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	// httptest serves one certificate everywhere: make another CA.
	otherCA := t.TempDir() + "/other.pem"
	writeFile(t, otherCA, selfSignedPEM(t))
	emptyDir := t.TempDir()
	writeFile(t, emptyDir+"/README", []byte("no certificate here"))
	for _, c := range []struct {
		name   string
		verify any
		class  string
	}{
		{"default verifies", nil, "RedfishConnectionError"},
		{"true", true, "RedfishConnectionError"},
		{"string yes", "yes", "RedfishConnectionError"},
		{"false", false, ""},
		{"string off", "off", ""},
		{"CA file", caFile, ""},
		{"CA directory", caFile[:strings.LastIndex(caFile, "/")], ""},
		{"other CA", otherCA, "RedfishConnectionError"},
		{"directory without PEM", emptyDir, "RedfishError"},
	} {
		t.Run(c.name, func(t *testing.T) {
			info := e.info("")
			if c.verify != nil {
				info[InfoVerifyCA] = c.verify
			}
			task, _ := e.task(info)
			st, err := e.d.Power().GetPowerState(t.Context(), task)
			if c.class == "" {
				if err != nil || st != drivers.PowerOn {
					t.Fatalf("GetPowerState = %q, %v", st, err)
				}
				return
			}
			wantClass(t, err, c.class)
			if c.class == "RedfishConnectionError" && !strings.Contains(err.Error(), "certificate") {
				t.Errorf("error does not mention the certificate: %v", err)
			}
		})
	}
}

// selfSignedPEM returns a fresh self-signed CA certificate.
func selfSignedPEM(t *testing.T) []byte {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "other CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
}

func TestConnectionRetriesClosedPort(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	e := newEnv(t, nil, func(c *Config) { c.ConnectionAttempts = 4 })
	task, _ := e.task(map[string]any{InfoAddress: "http://" + addr, InfoUsername: "admin", InfoPassword: testPassword})
	_, err = e.d.Power().GetPowerState(t.Context(), task)
	wantClass(t, err, "RedfishConnectionError", "Redfish connection failed for node "+testNodeUUID, "connection refused")
	if !errors.Is(err, ErrConnection) || !errors.Is(err, exception.ErrRedfishError) {
		t.Errorf("chain: %v", err)
	}
	if got := strings.Count(e.logs.String(), "connection error from Redfish"); got != 4 {
		t.Errorf("%d attempts logged, want 4", got)
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if len(e.sleeps) != 3 {
		t.Errorf("%d waits between 4 attempts", len(e.sleeps))
	}
	for _, d := range e.sleeps {
		if d != testConfig().ConnectionRetryInterval {
			t.Errorf("waited %s, want the retry interval", d)
		}
	}
}

// TestConnectionRetriesRecover drops the first two connections.
func TestConnectionRetriesRecover(t *testing.T) {
	srv := redfishtest.Start(t, redfishtest.Options{Username: "admin", Password: testPassword})
	var drops atomic.Int32
	drops.Store(2)
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if drops.Add(-1) >= 0 {
			hj, ok := w.(http.Hijacker)
			if !ok {
				t.Error("no hijacker")
				return
			}
			c, _, err := hj.Hijack()
			if err == nil {
				c.Close()
			}
			return
		}
		req, err := http.NewRequestWithContext(r.Context(), r.Method, srv.URL+r.URL.Path, r.Body)
		if err != nil {
			t.Error(err)
			return
		}
		req.Header = r.Header.Clone()
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		defer resp.Body.Close()
		for k, v := range resp.Header {
			w.Header()[k] = v
		}
		w.WriteHeader(resp.StatusCode)
		_, _ = io.Copy(w, resp.Body)
	}))
	t.Cleanup(proxy.Close)
	e := newEnv(t, nil, nil)
	task, _ := e.task(map[string]any{InfoAddress: proxy.URL, InfoUsername: "admin", InfoPassword: testPassword})
	st, err := e.d.Power().GetPowerState(t.Context(), task)
	if err != nil || st != drivers.PowerOn {
		t.Fatalf("after two dropped connections: %q, %v", st, err)
	}
	if got := strings.Count(e.logs.String(), "connection error from Redfish"); got != 2 {
		t.Errorf("%d failed attempts logged, want 2", got)
	}
}

func TestConnectionRetriesCancelled(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	e := newEnv(t, nil, func(c *Config) {
		c.ConnectionAttempts = 100
		c.ConnectionRetryInterval = time.Hour
	})
	task, _ := e.task(map[string]any{InfoAddress: "http://" + addr})
	ctx, cancel := context.WithTimeout(t.Context(), 100*time.Millisecond)
	defer cancel()
	_, err = e.d.Power().GetPowerState(ctx, task)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v, want the context's deadline", err)
	}
}

func TestSystemSelection(t *testing.T) {
	e := newEnv(t, &redfishtest.Options{Mockup: redfishtest.MockupBladed}, nil)
	// Four blades: a system id is needed.
	task, _ := e.task(e.info(""))
	_, err := e.d.Power().GetPowerState(t.Context(), task)
	wantClass(t, err, "RedfishError", `Failed at determining default for "ComputerSystem": System count is not exactly one (4)`)

	task, _ = e.task(e.info("/redfish/v1/Systems/529QB9452R6"))
	if err := e.d.Power().SetPowerState(t.Context(), task, drivers.PowerOff, 0); err != nil {
		t.Fatal(err)
	}
	for _, id := range e.srv.Systems() {
		st, _ := e.srv.System(id)
		want := "On"
		if id == "/redfish/v1/Systems/529QB9452R6" {
			want = "Off"
		}
		if st.PowerState != want {
			t.Errorf("%s is %s, want %s", id, st.PowerState, want)
		}
	}

	e.mu.Lock()
	e.sleeps = nil
	e.mu.Unlock()
	task, _ = e.task(e.info("/redfish/v1/Systems/nope"))
	_, err = e.d.Power().GetPowerState(t.Context(), task)
	wantClass(t, err, "RedfishError", "HTTP GET "+e.srv.URL+"/redfish/v1/Systems/nope returned code 404. Base.1.8.ResourceMissingAtURI")
	// Not found is not a connection failure: no retry.
	if n := len(e.sleeps); n != 0 {
		t.Errorf("retried %d times", n)
	}
	// A relative id is taken from the root, as sushy joins it.
	task, _ = e.task(e.info("redfish/v1/Systems/529QB9450R6"))
	if _, err := e.d.Power().GetPowerState(t.Context(), task); err != nil {
		t.Errorf("relative system id: %v", err)
	}
}

func TestValidateDoesNotConnect(t *testing.T) {
	e := newEnv(t, &redfishtest.Options{}, nil)
	task, _ := e.task(e.info(""))
	ctx := t.Context()
	for name, err := range map[string]error{
		"power":      e.d.Power().Validate(ctx, task),
		"management": e.d.Management().Validate(ctx, task),
		"inspect":    e.d.Inspect().Validate(ctx, task),
	} {
		if err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
	if n := len(e.srv.Requests()); n != 0 {
		t.Errorf("validation made %d requests", n)
	}
	task.Node.DriverInfo = map[string]any{}
	wantClass(t, e.d.Power().Validate(ctx, task), "MissingParameterValue")
	_, err := e.d.Power().GetPowerState(ctx, task)
	wantClass(t, err, "MissingParameterValue")
}

func TestResponseTooLarge(t *testing.T) {
	e := newEnv(t, &redfishtest.Options{}, func(c *Config) { c.MaxResponseBytes = 4096 })
	task, _ := e.task(e.info(""))
	_, err := e.d.Power().GetPowerState(t.Context(), task)
	wantClass(t, err, "RedfishError")
	if !errors.Is(err, ErrMalformed) {
		t.Errorf("an oversized body is not ErrMalformed: %v", err)
	}
}

// TestConcurrentNodes drives several nodes behind one BMC at once (the
// connection is shared).
func TestConcurrentNodes(t *testing.T) {
	e := newEnv(t, &redfishtest.Options{Mockup: redfishtest.MockupBladed, Auth: redfishtest.AuthSession,
		PowerDelay: 5 * time.Millisecond}, nil)
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for _, id := range e.srv.Systems() {
		task, _ := e.task(e.info(id))
		wg.Go(func() {
			for _, state := range []string{drivers.PowerOff, drivers.PowerOn} {
				errs <- e.d.Power().SetPowerState(t.Context(), task, state, 0)
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
	if n := e.srv.Sessions(); n != 1 {
		t.Errorf("%d sessions for one BMC", n)
	}
}

// TestNoConnectionLeak: connections that are not cached (cache disabled,
// dropped after an error, closed with the driver) release their sockets
// (found by FuzzRedfishResponse: http.Client.CloseIdleConnections did not
// reach the wrapped transport).
func TestNoConnectionLeak(t *testing.T) {
	for _, c := range []struct {
		name  string
		cache int
		pass  string
	}{{"no cache", 0, testPassword}, {"dropped after 401", 1000, "bad"}, {"closed per call", 1000, testPassword}} {
		t.Run(c.name, func(t *testing.T) {
			e := newEnv(t, &redfishtest.Options{Auth: redfishtest.AuthSession}, func(cfg *Config) {
				cfg.ConnectionCacheSize = c.cache
			})
			info := e.info("")
			info[InfoPassword] = c.pass
			task, _ := e.task(info)
			base := runtime.NumGoroutine()
			for range 200 {
				_, _ = e.d.Power().GetPowerState(t.Context(), task)
				if c.name == "closed per call" {
					_ = e.d.Close(t.Context())
				}
			}
			// Closed connections' goroutines end asynchronously.
			deadline := time.Now().Add(10 * time.Second)
			for runtime.NumGoroutine() > base+10 && time.Now().Before(deadline) {
				time.Sleep(10 * time.Millisecond)
			}
			if n := runtime.NumGoroutine(); n > base+10 {
				t.Errorf("%d goroutines after 200 calls, %d before", n, base)
			}
		})
	}
}
