//go:build integration

package redfishtest

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// These tests drive the server with Debian's sushy (python3-sushy), the
// client Ironic uses: a fake BMC that sushy accepts, on every mockup.

func python() string {
	if p := os.Getenv("IRONIC_GO_PYTHON"); p != "" {
		return p
	}
	return "/usr/bin/python3"
}

type sushyResult struct {
	Result     json.RawMessage
	ErrorClass string `json:"error_class"`
	Error      string
	Code       *int
}

func runSushy(t *testing.T, s *Server, auth string, steps [][]any) []sushyResult {
	t.Helper()
	req := map[string]any{"url": s.URL, "username": DefaultUsername, "password": DefaultPassword,
		"auth": auth, "steps": steps}
	if s.Options().TLS {
		ca, err := s.WriteCAFile(t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		req["verify"] = ca
	}
	in, err := json.Marshal(req)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.CommandContext(t.Context(), python(), "testdata/sushy_client.py")
	cmd.Cancel = func() error { return cmd.Process.Signal(syscall.SIGTERM) }
	cmd.WaitDelay = 5 * time.Second
	// requests lets these variables override an explicit verify=.
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "REQUESTS_CA_BUNDLE=") && !strings.HasPrefix(kv, "CURL_CA_BUNDLE=") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	cmd.Stdin = bytes.NewReader(in)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("%s testdata/sushy_client.py: %v\n%s\nIs python3-sushy installed? apt-get install python3-sushy "+
			"(or set IRONIC_GO_PYTHON)", python(), err, stderr.String())
	}
	if stderr.Len() > 0 {
		t.Logf("sushy stderr:\n%s", stderr.String())
	}
	var out []sushyResult
	if err := json.Unmarshal(stdout.Bytes(), &out); err != nil {
		t.Fatalf("sushy answer %q: %v", stdout.String(), err)
	}
	if len(out) != len(steps) {
		t.Fatalf("%d results for %d steps", len(out), len(steps))
	}
	return out
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	data, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

func (r sushyResult) value(t *testing.T) any {
	t.Helper()
	if r.ErrorClass != "" {
		t.Fatalf("sushy failed: %s: %s", r.ErrorClass, r.Error)
	}
	var v any
	if err := json.Unmarshal(r.Result, &v); err != nil {
		t.Fatal(err)
	}
	return v
}

// TestSushyTopologies: on every mockup sushy lists the systems, reads and
// changes power and boot, and meets the emulator's quirks.
func TestSushyTopologies(t *testing.T) {
	for _, mockup := range Mockups() {
		t.Run(mockup, func(t *testing.T) {
			s := Start(t, Options{Mockup: mockup})
			ids := s.Systems()
			sys := ids[len(ids)-1]
			if mockup == MockupSmartNIC {
				// sushy cannot read the DPU: its System has no Boot
				// (a required field for sushy 4.3.3).
				dpu := runSushy(t, s, "basic", [][]any{{"power", "/redfish/v1/Systems/Card1-SoC"}})
				if dpu[0].ErrorClass != "MissingAttributeError" {
					t.Errorf("sushy on the DPU: %+v", dpu[0])
				}
				sys = "/redfish/v1/Systems/437XR1138R2"
			}
			// Without inline allowable values (telemetry has an ActionInfo,
			// which sushy 4.3.3 does not read) sushy allows every type and
			// the server answers 501 to the unadvertised ones.
			doc, _ := s.readJSON(strings.TrimPrefix(sys, "/redfish/v1/") + "/index.json")
			inline := strings.Contains(mustJSON(t, doc), "ResetType@Redfish.AllowableValues")
			st, _ := s.System(sys)
			hasMode := st.BootMode != ""
			mode := any(nil)
			if hasMode {
				mode = "Legacy"
			}
			steps := [][]any{
				{"systems"},
				{"power", sys},
				{"allowed_resets", sys},
				{"reset", sys, "ForceOff"},
				{"reset", sys, "On"},
				{"reset", sys, "Nmi"},
				{"reset", sys, "PowerCycle"},
				{"boot", sys},
				{"set_boot", sys, "Hdd", "Once", mode},
				{"boot", sys},
				{"bad_password", sys},
			}
			res := runSushy(t, s, "auto", steps)

			var systems []string
			for _, v := range res[0].value(t).([]any) {
				systems = append(systems, v.(string))
			}
			want := slices.Clone(ids)
			slices.Sort(want)
			if diff := cmp.Diff(want, systems); diff != "" {
				t.Errorf("systems (-server +sushy):\n%s", diff)
			}
			if got := res[1].value(t); got != "On" {
				t.Errorf("power = %v", got)
			}
			var allowed []string
			for _, v := range res[2].value(t).([]any) {
				allowed = append(allowed, v.(string))
			}
			wantAllowed := slices.Clone(emulatorResetTypes)
			if !inline {
				wantAllowed = slices.Clone(knownResetTypes)
				wantAllowed = slices.DeleteFunc(wantAllowed, func(s string) bool { return s == "FullPowerCycle" })
			}
			slices.Sort(wantAllowed)
			if diff := cmp.Diff(wantAllowed, allowed); diff != "" {
				t.Errorf("allowed resets (-want +sushy):\n%s", diff)
			}
			if got := res[3].value(t); got != "Off" {
				t.Errorf("after ForceOff sushy reads %v", got)
			}
			if got := res[4].value(t); got != "On" {
				t.Errorf("after On sushy reads %v", got)
			}
			if r := res[5]; r.ErrorClass != "ServerSideError" || r.Code == nil || *r.Code != 501 {
				t.Errorf("Nmi: %s %s, want ServerSideError 501", r.ErrorClass, r.Error)
			}
			if r := res[6]; inline && r.ErrorClass != "InvalidParameterValueError" {
				t.Errorf("PowerCycle: %s %s, want sushy to refuse an unadvertised reset", r.ErrorClass, r.Error)
			} else if !inline && (r.ErrorClass != "ServerSideError" || r.Code == nil || *r.Code != 501) {
				t.Errorf("PowerCycle: %s %s, want ServerSideError 501", r.ErrorClass, r.Error)
			}
			before := res[7].value(t).(map[string]any)
			if before["enabled"] != "Continuous" {
				t.Errorf("Enabled reads %v, want Continuous", before["enabled"])
			}
			if r := res[8]; r.ErrorClass != "" {
				t.Fatalf("set_boot: %s %s", r.ErrorClass, r.Error)
			}
			after := res[9].value(t).(map[string]any)
			wantBoot := map[string]any{"target": "Hdd", "enabled": "Continuous", "mode": mode}
			if diff := cmp.Diff(wantBoot, after); diff != "" {
				t.Errorf("boot after PATCH (-want +sushy):\n%s", diff)
			}
			if r := res[10]; r.ErrorClass != "AccessError" || r.Code == nil || *r.Code != 401 {
				t.Errorf("wrong password: %+v, want AccessError 401", r)
			}

			st, _ = s.System(sys)
			if diff := cmp.Diff([]string{"ForceOff", "On"}, st.Resets); diff != "" {
				t.Errorf("resets the server applied (-want +got):\n%s", diff)
			}
			if st.BootTarget != "Hdd" || st.BootEnabled != "Once" || st.BootPatches != 1 {
				t.Errorf("server boot state %+v", st)
			}
			for _, r := range s.Requests() {
				if r.Auth == "session" {
					t.Errorf("sushy used a session on a BMC without SessionService: %+v", r)
					break
				}
			}
		})
	}
}

// TestSushySessions: sushy opens a session through the SessionService
// and uses it; refused basic authentication does not matter then.
func TestSushySessions(t *testing.T) {
	s := Start(t, Options{Auth: AuthSessionOnly})
	const sys = "/redfish/v1/Systems/437XR1138R2"
	res := runSushy(t, s, "session", [][]any{
		{"power", sys}, {"reset", sys, "ForceOff"},
		// The session disappears; sushy logs in again on the 401, as the
		// Go driver does.
		{"drop_session"}, {"power", sys},
	})
	if got := res[0].value(t); got != "On" {
		t.Errorf("power = %v", got)
	}
	if got := res[1].value(t); got != "Off" {
		t.Errorf("after ForceOff = %v", got)
	}
	res[2].value(t)
	if got := res[3].value(t); got != "Off" {
		t.Errorf("power after the session was dropped = %v", got)
	}
	auth := map[string]int{}
	created := 0
	for _, r := range s.Requests() {
		auth[r.Auth]++
		if r.Method == "POST" && r.Path == sessionsPath && r.Status == 201 {
			created++
		}
	}
	if auth["session"] == 0 || auth["basic"] != 0 {
		t.Errorf("requests by authentication %v", auth)
	}
	if created != 2 {
		t.Errorf("%d sessions created, want 2 (the second after the drop)", created)
	}
}

// TestSushyTLS: sushy against the TLS server, verifying with its CA file.
func TestSushyTLS(t *testing.T) {
	s := Start(t, Options{TLS: true})
	if !strings.HasPrefix(s.URL, "https://") {
		t.Fatal(s.URL)
	}
	res := runSushy(t, s, "basic", [][]any{{"power", "/redfish/v1/Systems/437XR1138R2"}})
	if got := res[0].value(t); got != "On" {
		t.Errorf("power over TLS = %v", got)
	}
}
