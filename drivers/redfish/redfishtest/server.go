package redfishtest

import (
	"crypto/x509"
	"embed"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"
)

//go:embed testdata/public-* testdata/LICENSE.md testdata/NOTICE testdata/README.md
var mockups embed.FS

// Mockup names (directories of testdata/).
const (
	MockupRackmount1 = "public-rackmount1"
	MockupBladed     = "public-bladed"
	MockupSmartNIC   = "public-smartnic"
	MockupTelemetry  = "public-telemetry"
)

// DefaultMockup is the mockup served when Options.Mockup is empty: one
// rack server with NICs, storage, Boot allowable values and UEFI mode.
const DefaultMockup = MockupRackmount1

// Default credentials.
const (
	DefaultUsername = "admin"
	DefaultPassword = "password"
)

// Mockups lists the embedded mockups, sorted.
func Mockups() []string {
	entries, err := mockups.ReadDir("testdata")
	if err != nil {
		return nil
	}
	var out []string
	for _, e := range entries {
		if e.IsDir() {
			out = append(out, e.Name())
		}
	}
	sort.Strings(out)
	return out
}

// AuthMode selects how clients authenticate.
type AuthMode int

const (
	// AuthBasic is the emulator's: HTTP basic authentication only, and no
	// SessionService (the service root does not link one; its URLs
	// answer 404).
	AuthBasic AuthMode = iota
	// AuthSession adds a SessionService: POST to
	// /redfish/v1/SessionService/Sessions returns an X-Auth-Token. Basic
	// authentication is still accepted.
	AuthSession
	// AuthSessionOnly is AuthSession with basic authentication refused
	// (401), as some BMCs are configured.
	AuthSessionOnly
)

func (m AuthMode) sessions() bool { return m == AuthSession || m == AuthSessionOnly }

// Options configure a Server. The zero value is the sushy-tools emulator
// serving DefaultMockup with admin/password and no power delay.
type Options struct {
	// Mockup is the mockup to serve (see Mockups); DefaultMockup if empty.
	Mockup string
	// Username and Password are the only valid credentials; DefaultUsername
	// and DefaultPassword when both are empty.
	Username, Password string
	// Auth selects basic authentication or a SessionService.
	Auth AuthMode
	// TLS serves HTTPS with httptest's self-signed certificate (see
	// Certificate and WriteCAFile).
	TLS bool

	// PowerDelay is how long a reset takes to change PowerState. When
	// PowerDelayMax is larger, each delay is drawn uniformly from
	// [PowerDelay, PowerDelayMax] (the emulator takes 1 to 11 s).
	PowerDelay, PowerDelayMax time.Duration
	// Transitional reports PoweringOn/PoweringOff while a change is
	// pending, as many BMCs do; the emulator keeps the old state.
	Transitional bool

	// ExactBootEnabled makes BootSourceOverrideEnabled read back what was
	// written (a conforming BMC); the emulator always reads "Continuous".
	ExactBootEnabled bool
	// RefuseContinuous answers 400 to a PATCH of
	// BootSourceOverrideEnabled "Continuous", as BMCs that dropped
	// persistent overrides do.
	RefuseContinuous bool
	// ConsumeOnce clears a "Once" override (Enabled "Disabled", Target
	// "None") when the system boots, as real BMCs do; the emulator keeps it.
	ConsumeOnce bool
	// AcceptNMI accepts the Nmi reset (204, counted in SystemState.NMIs);
	// the emulator answers 501.
	AcceptNMI bool
}

// Request is one request the server received.
type Request struct {
	Method string
	Path   string
	// Auth is "basic", "session" or "" (none or refused).
	Auth string
	// Status is the HTTP status answered.
	Status int
	// Body is the request body (at most 64 KiB kept).
	Body []byte
}

// SystemState is the mutable state of one ComputerSystem.
type SystemState struct {
	// ID is the system's @odata.id.
	ID string
	// PowerState is what a GET reads now ("On", "Off", "PoweringOn"...).
	PowerState string
	// BootTarget, BootEnabled and BootMode are the stored override (not
	// what a GET reads when the emulator quirk applies).
	BootTarget, BootEnabled, BootMode string
	// Resets lists the ResetType of every accepted reset, in order.
	Resets []string
	// NMIs counts accepted Nmi resets.
	NMIs int
	// BootPatches counts accepted Boot PATCHes.
	BootPatches int
}

// Server is a running fake BMC. Its methods are safe for concurrent use.
type Server struct {
	// URL is the base URL, e.g. "http://127.0.0.1:39041".
	URL string

	opts  Options
	files fs.FS
	srv   *httptest.Server

	mu        sync.Mutex
	systems   map[string]*system
	order     []string
	overrides map[string][]byte
	sessions  map[string]string // token → session @odata.id
	nextSess  int
	requests  []Request
	rng       *rand.Rand
	now       func() time.Time
}

// NewServer starts a server. Close it when done.
func NewServer(opts Options) (*Server, error) {
	if opts.Mockup == "" {
		opts.Mockup = DefaultMockup
	}
	if opts.Username == "" && opts.Password == "" {
		opts.Username, opts.Password = DefaultUsername, DefaultPassword
	}
	if opts.PowerDelay < 0 || opts.PowerDelayMax < 0 {
		return nil, errors.New("redfishtest: negative power delay")
	}
	if !slices.Contains(Mockups(), opts.Mockup) {
		return nil, fmt.Errorf("redfishtest: unknown mockup %q (have %s)", opts.Mockup, strings.Join(Mockups(), ", "))
	}
	sub, err := fs.Sub(mockups, "testdata/"+opts.Mockup)
	if err != nil {
		return nil, err
	}
	s := &Server{
		opts:      opts,
		files:     sub,
		systems:   map[string]*system{},
		overrides: map[string][]byte{},
		sessions:  map[string]string{},
		rng:       rand.New(rand.NewPCG(rand.Uint64(), rand.Uint64())),
		now:       time.Now,
	}
	if err := s.loadSystems(); err != nil {
		return nil, err
	}
	s.srv = httptest.NewUnstartedServer(http.HandlerFunc(s.serveHTTP))
	// A client that refuses the self-signed certificate makes net/http log
	// a handshake error; that is expected in tests of verification.
	s.srv.Config.ErrorLog = log.New(io.Discard, "", 0)
	if opts.TLS {
		s.srv.StartTLS()
	} else {
		s.srv.Start()
	}
	s.URL = s.srv.URL
	return s, nil
}

// Start starts a server for the test and closes it at cleanup.
func Start(tb testing.TB, opts Options) *Server {
	tb.Helper()
	s, err := NewServer(opts)
	if err != nil {
		tb.Fatalf("redfishtest: %v", err)
	}
	tb.Cleanup(s.Close)
	return s
}

// Close shuts the server down, blocking until its requests finish.
func (s *Server) Close() { s.srv.Close() }

// Options returns the options in effect (with defaults filled in).
func (s *Server) Options() Options { return s.opts }

// Certificate returns the TLS certificate, or nil without TLS.
func (s *Server) Certificate() *x509.Certificate {
	if !s.opts.TLS {
		return nil
	}
	return s.srv.Certificate()
}

// WriteCAFile writes the TLS certificate as PEM into dir and returns the
// file's path, for redfish_verify_ca.
func (s *Server) WriteCAFile(dir string) (string, error) {
	cert := s.Certificate()
	if cert == nil {
		return "", errors.New("redfishtest: server has no TLS")
	}
	p := filepath.Join(dir, "redfishtest-ca.pem")
	data := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: cert.Raw})
	return p, os.WriteFile(p, data, 0o600)
}

// Systems returns the @odata.id of every ComputerSystem, in collection
// order.
func (s *Server) Systems() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.order)
}

// System returns the state of the system with @odata.id id; ok is false
// for an unknown id.
func (s *Server) System(id string) (SystemState, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	sys, ok := s.systems[id]
	if !ok {
		return SystemState{}, false
	}
	return sys.snapshot(s.now(), s.opts.Transitional), true
}

// SetPowerState sets a system's power state at once ("On" or "Off"),
// cancelling any pending change.
func (s *Server) SetPowerState(id, state string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	sys, ok := s.systems[id]
	if !ok {
		return fmt.Errorf("redfishtest: no system %q", id)
	}
	sys.power, sys.pending = state, nil
	return nil
}

// SetBoot sets a system's stored boot override; empty arguments leave a
// field unchanged.
func (s *Server) SetBoot(id, target, enabled, mode string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	sys, ok := s.systems[id]
	if !ok {
		return fmt.Errorf("redfishtest: no system %q", id)
	}
	if target != "" {
		sys.bootTarget = target
	}
	if enabled != "" {
		sys.bootEnabled = enabled
	}
	if mode != "" {
		sys.bootMode = mode
	}
	return nil
}

// SetResource makes GET on urlPath (e.g. "/redfish/v1/Systems/1") answer
// body, verbatim, with status 200, instead of the mockup or the system's
// state. A nil body removes the override.
func (s *Server) SetResource(urlPath string, body []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	key := cleanPath(urlPath)
	if body == nil {
		delete(s.overrides, key)
		return
	}
	s.overrides[key] = slices.Clone(body)
}

// ExpireSessions invalidates every session token, as a BMC does when
// sessions time out or it restarts.
func (s *Server) ExpireSessions() {
	s.mu.Lock()
	defer s.mu.Unlock()
	clear(s.sessions)
}

// Sessions returns the number of open sessions.
func (s *Server) Sessions() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.sessions)
}

// Requests returns every request received so far, in order.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.requests)
}

// ResetRequests forgets the recorded requests.
func (s *Server) ResetRequests() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests = nil
}

// powerDelay draws the delay of one power change. Called with s.mu held.
func (s *Server) powerDelay() time.Duration {
	d := s.opts.PowerDelay
	if s.opts.PowerDelayMax > d {
		d += time.Duration(s.rng.Int64N(int64(s.opts.PowerDelayMax - d + 1)))
	}
	return d
}

// readJSON reads a mockup resource as a JSON object.
func (s *Server) readJSON(rel string) (map[string]any, error) {
	data, err := fs.ReadFile(s.files, rel)
	if err != nil {
		return nil, err
	}
	var m map[string]any
	if err := json.Unmarshal(data, &m); err != nil {
		return nil, fmt.Errorf("redfishtest: %s: %w", rel, err)
	}
	return m, nil
}
