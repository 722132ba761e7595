package redfishtest

import (
	"bytes"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// fakeClock is a settable clock for the server's power delays.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// withClock starts a server whose delays follow a fake clock.
func withClock(t *testing.T, opts Options) (*Server, *fakeClock) {
	t.Helper()
	s := Start(t, opts)
	c := &fakeClock{t: time.Unix(1_700_000_000, 0)}
	s.mu.Lock()
	s.now = c.now
	s.mu.Unlock()
	return s, c
}

// client is a minimal HTTP client for the tests.
type client struct {
	t          *testing.T
	base       string
	hc         *http.Client
	user, pass string
	token      string
}

func newClient(t *testing.T, s *Server) *client {
	return &client{t: t, base: s.URL, hc: s.srv.Client(), user: DefaultUsername, pass: DefaultPassword}
}

func (c *client) do(method, p string, body any) (int, http.Header, []byte) {
	c.t.Helper()
	var rd io.Reader
	if body != nil {
		data, err := json.Marshal(body)
		if err != nil {
			c.t.Fatal(err)
		}
		rd = bytes.NewReader(data)
	}
	req, err := http.NewRequestWithContext(c.t.Context(), method, c.base+p, rd)
	if err != nil {
		c.t.Fatal(err)
	}
	switch {
	case c.token != "":
		req.Header.Set("X-Auth-Token", c.token)
	case c.user != "":
		req.SetBasicAuth(c.user, c.pass)
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		c.t.Fatalf("%s %s: %v", method, p, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		c.t.Fatal(err)
	}
	return resp.StatusCode, resp.Header, data
}

func (c *client) getJSON(p string) map[string]any {
	c.t.Helper()
	status, _, data := c.do(http.MethodGet, p, nil)
	if status != http.StatusOK {
		c.t.Fatalf("GET %s: %d %s", p, status, data)
	}
	var m map[string]any
	if err := json.Unmarshal(data, &m); err != nil {
		c.t.Fatalf("GET %s: %v", p, err)
	}
	return m
}

func (c *client) expect(method, p string, body any, want int) []byte {
	c.t.Helper()
	status, _, data := c.do(method, p, body)
	if status != want {
		c.t.Fatalf("%s %s: status %d, want %d (%s)", method, p, status, want, data)
	}
	return data
}

func boot(m map[string]any) map[string]any {
	b, _ := m["Boot"].(map[string]any)
	return b
}

const rackSystem = "/redfish/v1/Systems/437XR1138R2"

func resetPath(sys string) string { return sys + "/Actions/ComputerSystem.Reset" }

func TestAuthentication(t *testing.T) {
	s := Start(t, Options{})
	c := newClient(t, s)
	anon := &client{t: t, base: s.URL, hc: s.srv.Client()}
	for _, p := range []string{"/redfish", "/redfish/v1", "/redfish/v1/", "/redfish/v1/$metadata"} {
		anon.expect(http.MethodGet, p, nil, http.StatusOK)
	}
	for _, p := range []string{"/redfish/v1/Systems", rackSystem, "/redfish/v1/Managers/BMC"} {
		status, hdr, _ := anon.do(http.MethodGet, p, nil)
		if status != http.StatusUnauthorized || !strings.HasPrefix(hdr.Get("WWW-Authenticate"), "Basic") {
			t.Errorf("GET %s without credentials: %d %q, want 401 with a Basic challenge", p, status, hdr.Get("WWW-Authenticate"))
		}
		c.expect(http.MethodGet, p, nil, http.StatusOK)
	}
	wrong := &client{t: t, base: s.URL, hc: s.srv.Client(), user: DefaultUsername, pass: "nope"}
	wrong.expect(http.MethodGet, "/redfish/v1/Systems", nil, http.StatusUnauthorized)
	wrong.expect(http.MethodPost, resetPath(rackSystem), map[string]any{"ResetType": "ForceOff"}, http.StatusUnauthorized)
	if st, _ := s.System(rackSystem); len(st.Resets) != 0 {
		t.Errorf("an unauthenticated reset was applied: %v", st.Resets)
	}
	// The emulator has no SessionService.
	root := anon.getJSON("/redfish/v1")
	if _, ok := root["SessionService"]; ok {
		t.Errorf("root links a SessionService in basic mode: %v", root["SessionService"])
	}
	c.expect(http.MethodPost, sessionsPath, map[string]any{"UserName": "admin", "Password": "password"}, http.StatusNotFound)

	reqs := s.Requests()
	if len(reqs) == 0 || reqs[len(reqs)-1].Auth != "basic" || reqs[0].Auth != "" {
		t.Errorf("requests not recorded with their authentication: first %+v last %+v", reqs[0], reqs[len(reqs)-1])
	}
}

func TestCustomCredentials(t *testing.T) {
	s := Start(t, Options{Username: "root", Password: "s3cret"})
	c := &client{t: t, base: s.URL, hc: s.srv.Client(), user: "root", pass: "s3cret"}
	c.expect(http.MethodGet, "/redfish/v1/Systems", nil, http.StatusOK)
	d := newClient(t, s)
	d.expect(http.MethodGet, "/redfish/v1/Systems", nil, http.StatusUnauthorized)
}

func TestSessions(t *testing.T) {
	s := Start(t, Options{Auth: AuthSession})
	anon := &client{t: t, base: s.URL, hc: s.srv.Client()}
	root := anon.getJSON("/redfish/v1")
	links, _ := root["Links"].(map[string]any)
	if sess, _ := links["Sessions"].(map[string]any); sess["@odata.id"] != sessionsPath {
		t.Fatalf("root Links.Sessions = %v", links["Sessions"])
	}
	anon.expect(http.MethodPost, sessionsPath, map[string]any{"UserName": "admin", "Password": "bad"}, http.StatusUnauthorized)
	status, hdr, _ := anon.do(http.MethodPost, sessionsPath, map[string]any{"UserName": "admin", "Password": "password"})
	if status != http.StatusCreated || hdr.Get("X-Auth-Token") == "" || hdr.Get("Location") == "" {
		t.Fatalf("create session: %d token=%q location=%q", status, hdr.Get("X-Auth-Token"), hdr.Get("Location"))
	}
	tok := &client{t: t, base: s.URL, hc: s.srv.Client(), token: hdr.Get("X-Auth-Token")}
	tok.expect(http.MethodGet, rackSystem, nil, http.StatusOK)
	if s.Sessions() != 1 {
		t.Errorf("Sessions() = %d, want 1", s.Sessions())
	}
	// Basic authentication is still accepted in AuthSession.
	newClient(t, s).expect(http.MethodGet, rackSystem, nil, http.StatusOK)
	tok.expect(http.MethodDelete, hdr.Get("Location"), nil, http.StatusNoContent)
	tok.expect(http.MethodGet, rackSystem, nil, http.StatusUnauthorized)

	_, hdr, _ = anon.do(http.MethodPost, sessionsPath, map[string]any{"UserName": "admin", "Password": "password"})
	tok.token = hdr.Get("X-Auth-Token")
	tok.expect(http.MethodGet, rackSystem, nil, http.StatusOK)
	s.ExpireSessions()
	tok.expect(http.MethodGet, rackSystem, nil, http.StatusUnauthorized)

	only := Start(t, Options{Auth: AuthSessionOnly})
	newClient(t, only).expect(http.MethodGet, rackSystem, nil, http.StatusUnauthorized)
}

func TestDelayedPowerChange(t *testing.T) {
	s, clock := withClock(t, Options{PowerDelay: 5 * time.Second})
	c := newClient(t, s)
	if got := c.getJSON(rackSystem)["PowerState"]; got != "On" {
		t.Fatalf("initial PowerState = %v", got)
	}
	c.expect(http.MethodPost, resetPath(rackSystem), map[string]any{"ResetType": "ForceOff"}, http.StatusNoContent)
	if got := c.getJSON(rackSystem)["PowerState"]; got != "On" {
		t.Errorf("PowerState before the delay = %v, want On (the emulator keeps the old state)", got)
	}
	clock.advance(4 * time.Second)
	if got := c.getJSON(rackSystem)["PowerState"]; got != "On" {
		t.Errorf("PowerState after 4s = %v, want On", got)
	}
	clock.advance(time.Second)
	if got := c.getJSON(rackSystem)["PowerState"]; got != "Off" {
		t.Errorf("PowerState after 5s = %v, want Off", got)
	}
	steps := []struct{ reset, want string }{
		{"On", "On"}, {"GracefulShutdown", "Off"}, {"ForceOn", "On"}, {"ForceOff", "Off"},
		{"ForceRestart", "On"}, {"ForceOff", "Off"}, {"GracefulRestart", "On"},
	}
	for _, st := range steps {
		c.expect(http.MethodPost, resetPath(rackSystem), map[string]any{"ResetType": st.reset}, http.StatusNoContent)
		clock.advance(5 * time.Second)
		if got := c.getJSON(rackSystem)["PowerState"]; got != st.want {
			t.Errorf("after %s: PowerState = %v, want %s", st.reset, got, st.want)
		}
	}
	st, _ := s.System(rackSystem)
	want := []string{"ForceOff", "On", "GracefulShutdown", "ForceOn", "ForceOff", "ForceRestart", "ForceOff", "GracefulRestart"}
	if diff := cmp.Diff(want, st.Resets); diff != "" {
		t.Errorf("resets (-want +got):\n%s", diff)
	}
}

func TestRealDelayLands(t *testing.T) {
	s := Start(t, Options{PowerDelay: 20 * time.Millisecond, PowerDelayMax: 60 * time.Millisecond})
	c := newClient(t, s)
	c.expect(http.MethodPost, resetPath(rackSystem), map[string]any{"ResetType": "ForceOff"}, http.StatusNoContent)
	deadline := time.Now().Add(10 * time.Second)
	for c.getJSON(rackSystem)["PowerState"] != "Off" {
		if time.Now().After(deadline) {
			t.Fatal("the power change never landed")
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestTransitionalStates(t *testing.T) {
	s, clock := withClock(t, Options{PowerDelay: time.Second, Transitional: true})
	c := newClient(t, s)
	c.expect(http.MethodPost, resetPath(rackSystem), map[string]any{"ResetType": "ForceOff"}, http.StatusNoContent)
	if got := c.getJSON(rackSystem)["PowerState"]; got != "PoweringOff" {
		t.Errorf("PowerState while pending = %v, want PoweringOff", got)
	}
	clock.advance(time.Second)
	c.expect(http.MethodPost, resetPath(rackSystem), map[string]any{"ResetType": "On"}, http.StatusNoContent)
	if got := c.getJSON(rackSystem)["PowerState"]; got != "PoweringOn" {
		t.Errorf("PowerState while pending = %v, want PoweringOn", got)
	}
	if st, _ := s.System(rackSystem); st.PowerState != "PoweringOn" {
		t.Errorf("System().PowerState = %q", st.PowerState)
	}
}

func TestResetTypes(t *testing.T) {
	s := Start(t, Options{})
	c := newClient(t, s)
	sys := c.getJSON(rackSystem)
	reset := sys["Actions"].(map[string]any)["#ComputerSystem.Reset"].(map[string]any)
	var advertised []string
	for _, v := range reset["ResetType@Redfish.AllowableValues"].([]any) {
		advertised = append(advertised, v.(string))
	}
	if diff := cmp.Diff(emulatorResetTypes, advertised); diff != "" {
		t.Errorf("advertised reset types (-want +got):\n%s", diff)
	}
	c.expect(http.MethodPost, resetPath(rackSystem), map[string]any{"ResetType": "Nmi"}, http.StatusNotImplemented)
	c.expect(http.MethodPost, resetPath(rackSystem), map[string]any{"ResetType": "PowerCycle"}, http.StatusNotImplemented)
	c.expect(http.MethodPost, resetPath(rackSystem), map[string]any{"ResetType": "PushPowerButton"}, http.StatusNotImplemented)
	body := c.expect(http.MethodPost, resetPath(rackSystem), map[string]any{"ResetType": "Explode"}, http.StatusBadRequest)
	var e struct {
		Error struct {
			Code    string `json:"code"`
			Message string `json:"message"`
		} `json:"error"`
	}
	if err := json.Unmarshal(body, &e); err != nil || !strings.Contains(e.Error.Message, "Explode") {
		t.Errorf("400 body is not a Redfish error naming the value: %s", body)
	}
	c.expect(http.MethodPost, resetPath(rackSystem), map[string]any{}, http.StatusBadRequest)
	c.expect(http.MethodPost, resetPath(rackSystem), "not an object", http.StatusBadRequest)
	if st, _ := s.System(rackSystem); len(st.Resets) != 0 || st.PowerState != "On" {
		t.Errorf("refused resets changed the state: %+v", st)
	}

	nmi := Start(t, Options{AcceptNMI: true})
	newClient(t, nmi).expect(http.MethodPost, resetPath(rackSystem), map[string]any{"ResetType": "Nmi"}, http.StatusNoContent)
	if st, _ := nmi.System(rackSystem); st.NMIs != 1 || st.PowerState != "On" {
		t.Errorf("accepted NMI: %+v", st)
	}
}

func TestBootOverride(t *testing.T) {
	s := Start(t, Options{})
	c := newClient(t, s)
	b := boot(c.getJSON(rackSystem))
	if b["BootSourceOverrideEnabled"] != "Continuous" {
		t.Errorf("Enabled reads %v, want Continuous (emulator quirk)", b["BootSourceOverrideEnabled"])
	}
	c.expect(http.MethodPatch, rackSystem, map[string]any{"Boot": map[string]any{
		"BootSourceOverrideTarget": "Hdd", "BootSourceOverrideEnabled": "Once", "BootSourceOverrideMode": "Legacy",
	}}, http.StatusNoContent)
	b = boot(c.getJSON(rackSystem))
	want := map[string]any{"BootSourceOverrideTarget": "Hdd", "BootSourceOverrideEnabled": "Continuous", "BootSourceOverrideMode": "Legacy"}
	for k, v := range want {
		if b[k] != v {
			t.Errorf("after PATCH %s = %v, want %v", k, b[k], v)
		}
	}
	if st, _ := s.System(rackSystem); st.BootEnabled != "Once" || st.BootPatches != 1 {
		t.Errorf("stored override = %+v, want Enabled Once and one patch", st)
	}
	// Unknown targets are accepted, as by the emulator.
	c.expect(http.MethodPatch, rackSystem, map[string]any{"Boot": map[string]any{"BootSourceOverrideTarget": "Teleport"}}, http.StatusNoContent)
	if got := boot(c.getJSON(rackSystem))["BootSourceOverrideTarget"]; got != "Teleport" {
		t.Errorf("target = %v", got)
	}
	for name, body := range map[string]any{
		"bad enabled":    map[string]any{"Boot": map[string]any{"BootSourceOverrideEnabled": "Sometimes"}},
		"bad mode":       map[string]any{"Boot": map[string]any{"BootSourceOverrideMode": "CSM"}},
		"number target":  map[string]any{"Boot": map[string]any{"BootSourceOverrideTarget": 3}},
		"read-only prop": map[string]any{"PowerState": "Off"},
		"boot not obj":   map[string]any{"Boot": "Pxe"},
		"unknown field":  map[string]any{"Boot": map[string]any{"BootOrder": []any{"a"}}},
		"atomic":         map[string]any{"Boot": map[string]any{"BootSourceOverrideTarget": "Pxe", "BootSourceOverrideMode": "CSM"}},
	} {
		t.Run(name, func(t *testing.T) {
			c.expect(http.MethodPatch, rackSystem, body, http.StatusBadRequest)
		})
	}
	if got := boot(c.getJSON(rackSystem))["BootSourceOverrideTarget"]; got != "Teleport" {
		t.Errorf("a refused PATCH changed the target to %v", got)
	}
	c.expect(http.MethodPatch, "/redfish/v1/Managers/BMC", map[string]any{"Boot": map[string]any{}}, http.StatusMethodNotAllowed)
	c.expect(http.MethodPatch, "/redfish/v1/Nothing", map[string]any{}, http.StatusNotFound)
}

func TestBootEnabledOptions(t *testing.T) {
	s := Start(t, Options{ExactBootEnabled: true, RefuseContinuous: true})
	c := newClient(t, s)
	if got := boot(c.getJSON(rackSystem))["BootSourceOverrideEnabled"]; got != "Once" {
		t.Errorf("exact Enabled reads %v, want the mockup's Once", got)
	}
	c.expect(http.MethodPatch, rackSystem, map[string]any{"Boot": map[string]any{
		"BootSourceOverrideTarget": "Cd", "BootSourceOverrideEnabled": "Continuous",
	}}, http.StatusBadRequest)
	b := boot(c.getJSON(rackSystem))
	if b["BootSourceOverrideTarget"] != "Pxe" || b["BootSourceOverrideEnabled"] != "Once" {
		t.Errorf("refused Continuous changed the override: %v", b)
	}
	c.expect(http.MethodPatch, rackSystem, map[string]any{"Boot": map[string]any{
		"BootSourceOverrideTarget": "Cd", "BootSourceOverrideEnabled": "Disabled",
	}}, http.StatusNoContent)
	if got := boot(c.getJSON(rackSystem))["BootSourceOverrideEnabled"]; got != "Disabled" {
		t.Errorf("Enabled = %v, want Disabled", got)
	}
}

func TestConsumeOnce(t *testing.T) {
	s := Start(t, Options{ExactBootEnabled: true, ConsumeOnce: true})
	c := newClient(t, s)
	c.expect(http.MethodPatch, rackSystem, map[string]any{"Boot": map[string]any{
		"BootSourceOverrideTarget": "Cd", "BootSourceOverrideEnabled": "Once",
	}}, http.StatusNoContent)
	// Already on: "On" does not boot, so the override stays.
	c.expect(http.MethodPost, resetPath(rackSystem), map[string]any{"ResetType": "On"}, http.StatusNoContent)
	if b := boot(c.getJSON(rackSystem)); b["BootSourceOverrideEnabled"] != "Once" {
		t.Errorf("On while on consumed the override: %v", b)
	}
	c.expect(http.MethodPost, resetPath(rackSystem), map[string]any{"ResetType": "ForceRestart"}, http.StatusNoContent)
	b := boot(c.getJSON(rackSystem))
	if b["BootSourceOverrideEnabled"] != "Disabled" || b["BootSourceOverrideTarget"] != "None" {
		t.Errorf("a restart did not consume the Once override: %v", b)
	}
	c.expect(http.MethodPatch, rackSystem, map[string]any{"Boot": map[string]any{
		"BootSourceOverrideTarget": "Pxe", "BootSourceOverrideEnabled": "Continuous",
	}}, http.StatusNoContent)
	c.expect(http.MethodPost, resetPath(rackSystem), map[string]any{"ResetType": "ForceRestart"}, http.StatusNoContent)
	if b := boot(c.getJSON(rackSystem)); b["BootSourceOverrideEnabled"] != "Continuous" || b["BootSourceOverrideTarget"] != "Pxe" {
		t.Errorf("a restart consumed a Continuous override: %v", b)
	}
}

func TestTLS(t *testing.T) {
	s := Start(t, Options{TLS: true})
	if !strings.HasPrefix(s.URL, "https://") {
		t.Fatalf("URL = %s", s.URL)
	}
	// httptest's own client trusts the certificate.
	newClient(t, s).expect(http.MethodGet, rackSystem, nil, http.StatusOK)

	pool := x509.NewCertPool()
	pool.AddCert(s.Certificate())
	trusting := &client{t: t, base: s.URL, user: DefaultUsername, pass: DefaultPassword,
		hc: &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}}}}
	trusting.expect(http.MethodGet, rackSystem, nil, http.StatusOK)

	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, s.URL+"/redfish/v1", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := (&http.Client{Transport: &http.Transport{}}).Do(req)
	if err == nil {
		resp.Body.Close()
		t.Fatal("a client with the system roots accepted the self-signed certificate")
	}
	var uerr x509.UnknownAuthorityError
	if !errors.As(err, &uerr) {
		t.Errorf("unexpected error: %v", err)
	}
	if _, err := Start(t, Options{}).WriteCAFile(t.TempDir()); err == nil {
		t.Error("WriteCAFile without TLS succeeded")
	}
	if p, err := s.WriteCAFile(t.TempDir()); err != nil || !strings.HasSuffix(p, ".pem") {
		t.Errorf("WriteCAFile = %q, %v", p, err)
	}
}

func TestSetResource(t *testing.T) {
	s := Start(t, Options{})
	c := newClient(t, s)
	s.SetResource(rackSystem+"/", []byte(`{"PowerState": 42`))
	status, _, data := c.do(http.MethodGet, rackSystem, nil)
	if status != http.StatusOK || string(data) != `{"PowerState": 42` {
		t.Errorf("override: %d %q", status, data)
	}
	s.SetResource(rackSystem, nil)
	if c.getJSON(rackSystem)["Id"] != "437XR1138R2" {
		t.Error("removing the override did not restore the system")
	}
}

func TestNewServerErrors(t *testing.T) {
	if _, err := NewServer(Options{Mockup: "public-nothing"}); err == nil || !strings.Contains(err.Error(), "public-rackmount1") {
		t.Errorf("unknown mockup: %v", err)
	}
	if _, err := NewServer(Options{PowerDelay: -time.Second}); err == nil {
		t.Error("negative delay accepted")
	}
	s := Start(t, Options{})
	if err := s.SetPowerState("/redfish/v1/Systems/none", "Off"); err == nil {
		t.Error("SetPowerState on an unknown system succeeded")
	}
	if err := s.SetBoot("/redfish/v1/Systems/none", "Pxe", "", ""); err == nil {
		t.Error("SetBoot on an unknown system succeeded")
	}
	if _, ok := s.System("/redfish/v1/Systems/none"); ok {
		t.Error("System on an unknown id")
	}
}

func TestMockups(t *testing.T) {
	want := []string{MockupBladed, MockupRackmount1, MockupSmartNIC, MockupTelemetry}
	if diff := cmp.Diff(want, Mockups()); diff != "" {
		t.Errorf("Mockups() (-want +got):\n%s", diff)
	}
}

// walk fetches every resource reachable from the service root through
// @odata.id links and returns the paths answered, failing on any link
// that answers neither 200 nor 404 (mockups link a few resources they do
// not include) and on any 200 that is not JSON.
func walk(t *testing.T, c *client) (ok, missing []string) {
	t.Helper()
	seen := map[string]bool{}
	queue := []string{"/redfish/v1"}
	for len(queue) > 0 {
		p := queue[0]
		queue = queue[1:]
		if seen[p] {
			continue
		}
		seen[p] = true
		status, _, data := c.do(http.MethodGet, p, nil)
		switch status {
		case http.StatusOK:
		case http.StatusNotFound:
			missing = append(missing, p)
			continue
		default:
			t.Fatalf("GET %s: %d %s", p, status, data)
		}
		var v any
		if err := json.Unmarshal(data, &v); err != nil {
			t.Fatalf("GET %s: not JSON: %v", p, err)
		}
		ok = append(ok, p)
		collectLinks(v, func(link string) {
			link = cleanPath(strings.SplitN(strings.SplitN(link, "#", 2)[0], "?", 2)[0])
			if strings.HasPrefix(link, "/redfish/v1") && !seen[link] && !strings.Contains(link, "$metadata") {
				queue = append(queue, link)
			}
		})
	}
	slices.Sort(ok)
	return ok, missing
}

func collectLinks(v any, fn func(string)) {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			if k == "@odata.id" {
				if s, ok := e.(string); ok {
					fn(s)
				}
				continue
			}
			collectLinks(e, fn)
		}
	case []any:
		for _, e := range x {
			collectLinks(e, fn)
		}
	}
}

// TestTopologies walks each mockup and checks what distinguishes it.
func TestTopologies(t *testing.T) {
	cases := []struct {
		mockup  string
		systems []string
		// boot: whether the first system has a Boot object and a mode.
		hasBoot, hasMode bool
		minResources     int
	}{
		{MockupRackmount1, []string{rackSystem}, true, true, 100},
		{MockupBladed, []string{
			"/redfish/v1/Systems/529QB9450R6", "/redfish/v1/Systems/529QB9451R6",
			"/redfish/v1/Systems/529QB9452R6", "/redfish/v1/Systems/529QB9453R6",
		}, true, false, 40},
		{MockupSmartNIC, []string{"/redfish/v1/Systems/437XR1138R2", "/redfish/v1/Systems/Card1-SoC"}, true, true, 60},
		{MockupTelemetry, []string{"/redfish/v1/Systems/1"}, true, true, 40},
	}
	for _, tc := range cases {
		t.Run(tc.mockup, func(t *testing.T) {
			s := Start(t, Options{Mockup: tc.mockup})
			if diff := cmp.Diff(tc.systems, s.Systems()); diff != "" {
				t.Fatalf("systems (-want +got):\n%s", diff)
			}
			c := newClient(t, s)
			ok, missing := walk(t, c)
			if len(ok) < tc.minResources {
				t.Errorf("only %d resources reachable (missing links: %v)", len(ok), missing)
			}
			for _, id := range tc.systems {
				if !slices.Contains(ok, id) {
					t.Errorf("system %s not reachable from the root", id)
				}
			}
			first := c.getJSON(tc.systems[0])
			b := boot(first)
			if (b != nil) != tc.hasBoot {
				t.Errorf("Boot = %v, want present=%v", b, tc.hasBoot)
			}
			if _, has := b["BootSourceOverrideMode"]; has != tc.hasMode {
				t.Errorf("BootSourceOverrideMode present=%v, want %v", has, tc.hasMode)
			}
			mode := map[string]any{"Boot": map[string]any{"BootSourceOverrideMode": "Legacy"}}
			if tc.hasMode {
				c.expect(http.MethodPatch, tc.systems[0], mode, http.StatusNoContent)
			} else {
				c.expect(http.MethodPatch, tc.systems[0], mode, http.StatusBadRequest)
			}
			// Every system resets on its own.
			for _, id := range tc.systems {
				sys := c.getJSON(id)
				target := sys["Actions"].(map[string]any)["#ComputerSystem.Reset"].(map[string]any)["target"].(string)
				c.expect(http.MethodPost, target, map[string]any{"ResetType": "ForceOff"}, http.StatusNoContent)
				if got := c.getJSON(id)["PowerState"]; got != "Off" {
					t.Errorf("%s PowerState after ForceOff = %v", id, got)
				}
			}
			for _, id := range tc.systems[1:] {
				if st, _ := s.System(id); len(st.Resets) != 1 {
					t.Errorf("%s resets = %v", id, st.Resets)
				}
			}
		})
	}
}

func TestSmartNICDPUHasNoBoot(t *testing.T) {
	s := Start(t, Options{Mockup: MockupSmartNIC})
	c := newClient(t, s)
	const dpu = "/redfish/v1/Systems/Card1-SoC"
	if b := boot(c.getJSON(dpu)); b != nil {
		t.Fatalf("DPU Boot = %v", b)
	}
	c.expect(http.MethodPatch, dpu, map[string]any{"Boot": map[string]any{"BootSourceOverrideTarget": "Pxe"}}, http.StatusBadRequest)
}

func TestTelemetryActionInfo(t *testing.T) {
	s := Start(t, Options{Mockup: MockupTelemetry})
	c := newClient(t, s)
	ai := c.getJSON("/redfish/v1/Systems/1/ResetActionInfo")
	params := ai["Parameters"].([]any)
	got := params[0].(map[string]any)["AllowableValues"].([]any)
	if len(got) != len(emulatorResetTypes) {
		t.Errorf("ActionInfo reset types = %v", got)
	}
}
