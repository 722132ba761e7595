package redfish

import (
	"bytes"
	"container/list"
	"context"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/rs/zerolog"
	"github.com/stmcginnis/gofish"
	"github.com/stmcginnis/gofish/schemas"
)

const serviceRootPath = "/redfish/v1/"

// errTooLarge reports a response body over Config.MaxResponseBytes.
var errTooLarge = errors.New("redfish: response body too large")

// errTooManyRequests reports an operation that made more requests than
// any sane BMC needs (e.g. a collection whose next page is itself).
var errTooManyRequests = errors.New("redfish: too many requests for one operation")

// maxRequestsPerOp bounds the requests of one driver call.
const maxRequestsPerOp = 2000

type budgetKey struct{}

// withBudget gives ctx a request budget that the transport spends.
func withBudget(ctx context.Context, n int64) context.Context {
	b := new(atomic.Int64)
	b.Store(n)
	return context.WithValue(ctx, budgetKey{}, b)
}

// spend takes one request from ctx's budget, if it has one.
func spend(ctx context.Context) error {
	if b, ok := ctx.Value(budgetKey{}).(*atomic.Int64); ok && b.Add(-1) < 0 {
		return errTooManyRequests
	}
	return nil
}

// connKey identifies a reusable connection, as Ironic's SessionCache key
// (address, username, verify_ca, password hash), plus the auth type.
type connKey struct {
	address, username, verify, authType string
	password                            [32]byte
}

func keyOf(di *driverInfo) connKey {
	return connKey{
		address: di.address, username: di.username, verify: di.verifyCA.String(), authType: di.authType,
		password: sha256.Sum256([]byte(di.address + "\x00" + di.password)),
	}
}

// conn is an authenticated connection to one BMC. It is shared by every
// node behind that BMC and safe for concurrent use.
type conn struct {
	key connKey
	tr  *authTransport
	hc  *http.Client
	api *gofish.APIClient
	// systems is the Systems collection path from the service root.
	systems string
}

// serviceRoot is what the driver reads from the service root besides
// what gofish reads.
type serviceRoot struct {
	Systems        schemas.Link
	SessionService schemas.Link
	Links          struct {
		Sessions schemas.Link
	}
}

// authTransport authenticates every request: basic credentials, or a
// session token that it renews once when the BMC answers 401, as sushy's
// connector does. It also bounds response bodies.
type authTransport struct {
	base     http.RoundTripper
	endpoint string
	user     string
	pass     string
	maxBody  int64
	log      zerolog.Logger

	mu       sync.Mutex
	mode     string // "" (no credentials), AuthBasic or AuthSession
	token    string
	session  string // the session's URI, for logout
	sessions string // where to POST for a session
}

func (t *authTransport) state() (mode, token string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.mode, t.token
}

// RoundTrip implements http.RoundTripper.
func (t *authTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	mode, token := t.state()
	resp, err := t.send(req, req.Body, mode, token)
	if err != nil || resp.StatusCode != http.StatusUnauthorized || mode != AuthSession || req.GetBody == nil && req.Body != nil {
		return resp, err
	}
	// The session expired or was deleted: log in again and replay once.
	drain(resp)
	t.log.Debug().Str("path", req.URL.Path).Msg("session refused; logging in again")
	if err := t.login(req.Context()); err != nil {
		return nil, err
	}
	var body io.ReadCloser
	if req.GetBody != nil {
		if body, err = req.GetBody(); err != nil {
			return nil, err
		}
	}
	mode, token = t.state()
	return t.send(req, body, mode, token)
}

// CloseIdleConnections closes the base transport's idle connections;
// http.Client.CloseIdleConnections reaches it only through this method.
func (t *authTransport) CloseIdleConnections() {
	if c, ok := t.base.(interface{ CloseIdleConnections() }); ok {
		c.CloseIdleConnections()
	}
}

func (t *authTransport) send(req *http.Request, body io.ReadCloser, mode, token string) (*http.Response, error) {
	if err := spend(req.Context()); err != nil {
		if body != nil {
			_ = body.Close()
		}
		return nil, err
	}
	r := req.Clone(req.Context())
	r.Body = body
	switch {
	case mode == AuthSession && token != "":
		r.Header.Set("X-Auth-Token", token)
		r.Header.Del("Authorization")
	case mode == AuthBasic:
		r.SetBasicAuth(t.user, t.pass)
	}
	resp, err := t.base.RoundTrip(r)
	if err != nil {
		return nil, err
	}
	if r.Method != http.MethodGet || resp.StatusCode < 200 || resp.StatusCode > 299 {
		resp.Body = &limitedBody{rc: resp.Body, left: t.maxBody}
		return resp, nil
	}
	// A resource is read whole (bounded), so that a body gofish cannot
	// take is refused here: it decodes "null" into a nil collection and
	// then dereferences it.
	data, err := io.ReadAll(&limitedBody{rc: resp.Body, left: t.maxBody})
	_ = resp.Body.Close()
	if err != nil {
		return nil, err
	}
	if string(bytes.TrimSpace(data)) == "null" {
		return nil, fmt.Errorf("%w: the BMC answered null for %s", ErrMalformed, r.URL.Path)
	}
	resp.Body = io.NopCloser(bytes.NewReader(data))
	resp.ContentLength = int64(len(data))
	return resp, nil
}

// login creates a session (POST to the sessions collection).
func (t *authTransport) login(ctx context.Context) error {
	t.mu.Lock()
	sessions := t.sessions
	t.mu.Unlock()
	if sessions == "" {
		return errors.New("the BMC offers no SessionService")
	}
	payload, err := json.Marshal(map[string]string{"UserName": t.user, "Password": t.pass})
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, t.endpoint+sessions, bytes.NewReader(payload))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	resp, err := t.base.RoundTrip(req)
	if err != nil {
		return &connectionError{err: fmt.Errorf("POST %s: %w", sessions, err)}
	}
	defer drain(resp)
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		data, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
		return httpError(http.MethodPost, t.endpoint, sessions, schemas.ConstructError(resp.StatusCode, data))
	}
	tok := resp.Header.Get("X-Auth-Token")
	if tok == "" {
		return fmt.Errorf("%w: no X-Auth-Token returned from the BMC when creating a session", ErrMalformed)
	}
	t.mu.Lock()
	t.mode, t.token, t.session = AuthSession, tok, sessionURI(resp.Header.Get("Location"))
	t.mu.Unlock()
	return nil
}

// logout deletes the session, best effort.
func (t *authTransport) logout(ctx context.Context) {
	t.mu.Lock()
	token, session := t.token, t.session
	t.token, t.session = "", ""
	t.mu.Unlock()
	if token == "" || session == "" {
		return
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodDelete, t.endpoint+session, nil)
	if err != nil {
		return
	}
	req.Header.Set("X-Auth-Token", token)
	resp, err := t.base.RoundTrip(req)
	if err != nil {
		t.log.Debug().Err(err).Msg("session logout failed")
		return
	}
	drain(resp)
}

// sessionURI keeps the path of a Location header (which may be absolute).
func sessionURI(loc string) string {
	if i := strings.Index(loc, "://"); i >= 0 {
		rest := loc[i+3:]
		if j := strings.Index(rest, "/"); j >= 0 {
			return rest[j:]
		}
		return ""
	}
	return loc
}

func drain(resp *http.Response) {
	if resp == nil || resp.Body == nil {
		return
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	_ = resp.Body.Close()
}

// limitedBody fails reads past the limit with errTooLarge.
type limitedBody struct {
	rc   io.ReadCloser
	left int64
}

func (b *limitedBody) Read(p []byte) (int, error) {
	if b.left <= 0 {
		// Probe whether anything remains.
		var one [1]byte
		n, err := b.rc.Read(one[:])
		if n > 0 {
			return 0, errTooLarge
		}
		return 0, err
	}
	if int64(len(p)) > b.left {
		p = p[:b.left]
	}
	n, err := b.rc.Read(p)
	b.left -= int64(n)
	return n, err
}

func (b *limitedBody) Close() error { return b.rc.Close() }

// tlsConfig builds the TLS settings of redfish_verify_ca.
func tlsConfig(v verifyCA) (*tls.Config, error) {
	cfg := &tls.Config{MinVersion: tls.VersionTLS12}
	if !v.verify && v.path == "" {
		cfg.InsecureSkipVerify = true //nolint:gosec // redfish_verify_ca=false asks for it
		return cfg, nil
	}
	if v.path == "" {
		return cfg, nil
	}
	st, err := os.Stat(v.path)
	if err != nil {
		return nil, err
	}
	files := []string{v.path}
	if st.IsDir() {
		entries, err := os.ReadDir(v.path)
		if err != nil {
			return nil, err
		}
		files = files[:0]
		for _, e := range entries {
			if e.Type().IsRegular() {
				files = append(files, filepath.Join(v.path, e.Name()))
			}
		}
	}
	pool := x509.NewCertPool()
	n := 0
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			return nil, err
		}
		if pool.AppendCertsFromPEM(data) {
			n++
		}
	}
	if n == 0 {
		return nil, fmt.Errorf("no PEM certificate found in %s", v.path)
	}
	cfg.RootCAs = pool
	return cfg, nil
}

// dial opens and authenticates a connection to the BMC of di.
func (d *Driver) dial(ctx context.Context, di *driverInfo, log zerolog.Logger) (*conn, error) {
	tcfg, err := tlsConfig(di.verifyCA)
	if err != nil {
		return nil, fmt.Errorf("redfish_verify_ca %s: %w", di.verifyCA, err)
	}
	base := &http.Transport{
		Proxy:                 http.ProxyFromEnvironment,
		DialContext:           (&net.Dialer{Timeout: d.cfg.RequestTimeout, KeepAlive: 30 * time.Second}).DialContext,
		TLSClientConfig:       tcfg,
		TLSHandshakeTimeout:   d.cfg.RequestTimeout,
		MaxIdleConnsPerHost:   2,
		IdleConnTimeout:       90 * time.Second,
		ResponseHeaderTimeout: d.cfg.RequestTimeout,
		ForceAttemptHTTP2:     true,
	}
	tr := &authTransport{base: base, endpoint: di.address, user: di.username, pass: di.password,
		maxBody: d.cfg.MaxResponseBytes, log: log}
	hc := &http.Client{
		Transport: tr,
		Timeout:   d.cfg.RequestTimeout,
		// Credentials are added to every request, so never follow a
		// redirect to another host.
		CheckRedirect: func(req *http.Request, via []*http.Request) error {
			if len(via) >= 5 || req.URL.Host != via[0].URL.Host || req.URL.Scheme != via[0].URL.Scheme {
				return http.ErrUseLastResponse
			}
			return nil
		},
	}
	c := &conn{key: keyOf(di), tr: tr, hc: hc}
	fail := func(err error) (*conn, error) {
		base.CloseIdleConnections()
		return nil, err
	}
	c.api, err = gofish.ConnectContext(ctx, gofish.ClientConfig{
		Endpoint: di.address, HTTPClient: hc, NoModifyTransport: true, ReuseConnections: true,
	})
	if err != nil {
		return fail(httpError(http.MethodGet, di.address, serviceRootPath, err))
	}
	root, err := readJSON[serviceRoot](c.api, di.address, serviceRootPath)
	if err != nil {
		return fail(err)
	}
	c.systems = root.Systems.String()
	tr.sessions = root.Links.Sessions.String()

	if di.username == "" && di.password == "" {
		return c, nil
	}
	switch di.authType {
	case AuthBasic:
		tr.mode = AuthBasic
	case AuthSession:
		if err := tr.login(ctx); err != nil {
			return fail(err)
		}
	default: // auto: session, falling back to basic unless the BMC is unreachable
		if err := tr.login(ctx); err != nil {
			if errors.Is(err, ErrConnection) {
				return fail(err)
			}
			log.Debug().Str("error", di.scrub().text(err.Error())).Msg("cannot create a session; falling back to basic authentication")
			tr.mu.Lock()
			tr.mode = AuthBasic
			tr.mu.Unlock()
		}
	}
	return c, nil
}

// readJSON GETs path and decodes it into T (base is the BMC address, for
// errors).
func readJSON[T any](api *gofish.APIClient, base, path string) (*T, error) {
	resp, err := api.Get(path)
	if err != nil {
		return nil, httpError(http.MethodGet, base, path, err)
	}
	defer drain(resp)
	v := new(T)
	if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
		return nil, fmt.Errorf("GET %s: %w", path, err)
	}
	return v, nil
}

// close releases a connection: its session is deleted and its idle
// sockets closed.
func (c *conn) close(ctx context.Context) {
	c.tr.logout(ctx)
	c.hc.CloseIdleConnections()
}

// connCache is an LRU of authenticated connections (Ironic's
// SessionCache).
type connCache struct {
	mu    sync.Mutex
	size  int
	lru   *list.List // of *conn, most recent first
	byKey map[connKey]*list.Element
	// dialing holds a channel per key being connected, closed when done,
	// so that concurrent calls to one BMC open one session.
	dialing map[connKey]chan struct{}
}

func newConnCache(size int) *connCache {
	return &connCache{size: size, lru: list.New(), byKey: map[connKey]*list.Element{}, dialing: map[connKey]chan struct{}{}}
}

// acquire returns the cached connection for k, or a function the caller
// must call with the connection it dialed (nil on failure): it caches it
// and wakes the callers waiting for k. With the cache disabled it never
// waits.
func (cc *connCache) acquire(ctx context.Context, k connKey) (*conn, func(*conn) ([]*conn, bool), error) {
	for {
		cc.mu.Lock()
		if e, ok := cc.byKey[k]; ok {
			cc.lru.MoveToFront(e)
			cc.mu.Unlock()
			return e.Value.(*conn), nil, nil
		}
		if cc.size == 0 {
			cc.mu.Unlock()
			return nil, func(*conn) ([]*conn, bool) { return nil, false }, nil
		}
		if ch, busy := cc.dialing[k]; busy {
			cc.mu.Unlock()
			select {
			case <-ch:
				continue
			case <-ctx.Done():
				return nil, nil, ctx.Err()
			}
		}
		ch := make(chan struct{})
		cc.dialing[k] = ch
		cc.mu.Unlock()
		return nil, func(c *conn) ([]*conn, bool) {
			var evicted []*conn
			var cached bool
			if c != nil {
				cached, evicted = cc.put(c)
			}
			cc.mu.Lock()
			delete(cc.dialing, k)
			cc.mu.Unlock()
			close(ch)
			return evicted, cached
		}, nil
	}
}

func (cc *connCache) get(k connKey) *conn {
	cc.mu.Lock()
	defer cc.mu.Unlock()
	if e, ok := cc.byKey[k]; ok {
		cc.lru.MoveToFront(e)
		return e.Value.(*conn)
	}
	return nil
}

// put adds c unless the cache is disabled; it returns whether it did and
// the connections evicted.
func (cc *connCache) put(c *conn) (bool, []*conn) {
	if cc.size == 0 {
		return false, nil
	}
	cc.mu.Lock()
	defer cc.mu.Unlock()
	var evicted []*conn
	if e, ok := cc.byKey[c.key]; ok {
		// Another goroutine connected meanwhile: keep the newer one.
		evicted = append(evicted, e.Value.(*conn))
		cc.lru.Remove(e)
	}
	cc.byKey[c.key] = cc.lru.PushFront(c)
	for cc.lru.Len() > cc.size {
		e := cc.lru.Back()
		old := e.Value.(*conn)
		cc.lru.Remove(e)
		delete(cc.byKey, old.key)
		evicted = append(evicted, old)
	}
	return true, evicted
}

// drop forgets c (after a connection or access error).
func (cc *connCache) drop(c *conn) {
	cc.mu.Lock()
	defer cc.mu.Unlock()
	if e, ok := cc.byKey[c.key]; ok && e.Value.(*conn) == c {
		cc.lru.Remove(e)
		delete(cc.byKey, c.key)
	}
}

// all empties the cache and returns what it held.
func (cc *connCache) all() []*conn {
	cc.mu.Lock()
	defer cc.mu.Unlock()
	var out []*conn
	for e := cc.lru.Front(); e != nil; e = e.Next() {
		out = append(out, e.Value.(*conn))
	}
	cc.lru.Init()
	clear(cc.byKey)
	return out
}

func (cc *connCache) len() int {
	cc.mu.Lock()
	defer cc.mu.Unlock()
	return cc.lru.Len()
}
