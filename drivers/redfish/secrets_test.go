package redfish

import (
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/ironic-go/ironic-go/drivers"
	"github.com/ironic-go/ironic-go/drivers/redfish/redfishtest"
)

// echoBMC answers every System read with an error that repeats the
// credentials it received, as some BMCs do in their messages.
func echoBMC(t *testing.T) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		switch strings.TrimSuffix(r.URL.Path, "/") {
		case "/redfish/v1":
			fmt.Fprint(w, `{"@odata.id": "/redfish/v1/", "Systems": {"@odata.id": "/redfish/v1/Systems"},
				"Links": {"Sessions": {"@odata.id": "/redfish/v1/SessionService/Sessions"}}}`)
		case "/redfish/v1/SessionService/Sessions":
			var body map[string]string
			_ = jsonDecode(r, &body)
			w.WriteHeader(http.StatusBadRequest)
			fmt.Fprintf(w, `{"error": {"code": "Base.1.8.GeneralError", "message": "bad login %s/%s"}}`,
				body["UserName"], body["Password"])
		case "/redfish/v1/Systems":
			fmt.Fprint(w, `{"Members": [{"@odata.id": "/redfish/v1/Systems/1"}]}`)
		default:
			user, pass, _ := r.BasicAuth()
			w.WriteHeader(http.StatusInternalServerError)
			fmt.Fprintf(w, `{"error": {"code": "Base.1.8.InternalError", "message": "user %s with password %s"}}`, user, pass)
		}
	}))
	t.Cleanup(srv.Close)
	return srv
}

// TestNoSecretsInLogsOrErrors runs failing and succeeding operations
// with a password and checks that neither the logs (debug level) nor any
// error text carries it.
func TestNoSecretsInLogsOrErrors(t *testing.T) {
	e := newEnv(t, &redfishtest.Options{Auth: redfishtest.AuthSession}, nil)
	echo := echoBMC(t)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := l.Addr().String()
	l.Close()

	var errs []error
	run := func(info map[string]any) {
		task, _ := e.task(info)
		ctx := t.Context()
		p, m, i := e.d.Power(), e.d.Management(), e.d.Inspect()
		_, err := p.GetPowerState(ctx, task)
		errs = append(errs, err,
			p.SetPowerState(ctx, task, drivers.PowerOff, 0),
			p.Reboot(ctx, task, 0),
			m.SetBootDevice(ctx, task, drivers.BootDevicePXE, true),
			m.SetBootMode(ctx, task, BootModeUEFI),
			m.InjectNMI(ctx, task),
			p.Validate(ctx, task))
		_, err = m.GetBootDevice(ctx, task)
		errs = append(errs, err)
		_, err = i.InspectHardware(ctx, task)
		errs = append(errs, err)
		_, err = m.GetSensorsData(ctx, task)
		errs = append(errs, err)
	}
	good := e.info("")
	run(good)
	wrong := e.info("")
	wrong[InfoPassword] = testPassword + "-x"
	run(wrong)
	for _, auth := range []string{AuthBasic, AuthSession, AuthAuto} {
		run(map[string]any{InfoAddress: echo.URL, InfoUsername: "admin", InfoPassword: testPassword, InfoAuthType: auth})
	}
	run(map[string]any{InfoAddress: "http://admin:" + testPassword + "@" + closed, InfoPassword: testPassword})
	run(map[string]any{InfoAddress: "http://admin:" + testPassword + "@" + strings.TrimPrefix(echo.URL, "http://")})
	run(map[string]any{InfoAddress: e.srv.URL, InfoPassword: []any{testPassword}})
	run(map[string]any{InfoAddress: e.srv.URL, InfoUsername: "admin", InfoPassword: testPassword, InfoVerifyCA: "maybe"})

	nErr, scrubbed := 0, 0
	for _, err := range errs {
		for ; err != nil; err = errors.Unwrap(err) {
			text := err.Error()
			if strings.Contains(text, testPassword) {
				t.Errorf("error %T contains the password: %s", err, text)
			}
			if strings.Contains(text, "***") {
				scrubbed++
			}
			nErr++
		}
	}
	if nErr < 20 {
		t.Errorf("only %d errors produced; the test does not exercise failures", nErr)
	}
	if scrubbed == 0 {
		t.Error("no error shows a scrubbed password: the echoing BMC was not exercised")
	}
	logs := e.logs.String()
	if strings.Contains(logs, testPassword) {
		for _, line := range strings.Split(logs, "\n") {
			if strings.Contains(line, testPassword) {
				t.Errorf("log line contains the password: %s", line)
			}
		}
	}
	if !strings.Contains(logs, "***") {
		t.Error("logs never show a scrubbed value")
	}
}

func TestScrubber(t *testing.T) {
	di := &driverInfo{node: "n", password: "hunter2", address: "https://root:s3cret@bmc"}
	sc := di.scrub()
	if got := sc.text("user root:s3cret pw hunter2 hunter2"); got != "user root:*** pw *** ***" {
		t.Errorf("scrub = %q", got)
	}
	cause := fmt.Errorf("wrapped: %w", errSentinelForTest)
	err := di.redfishError("failed with hunter2", fmt.Errorf("%w and hunter2", cause))
	if strings.Contains(err.Error(), "hunter2") {
		t.Errorf("error text %q", err)
	}
	if !errors.Is(err, errSentinelForTest) {
		t.Error("scrubbing broke the error chain")
	}
	if got := (scrubber{""}).text("x"); got != "x" {
		t.Errorf("empty secret scrubbed: %q", got)
	}
	if (&driverInfo{address: "https://bmc"}).logAddress() != "https://bmc" {
		t.Error("logAddress changed an address without credentials")
	}
	if got := di.logAddress(); strings.Contains(got, "s3cret") {
		t.Errorf("logAddress = %q", got)
	}
}

var errSentinelForTest = errors.New("sentinel")

func jsonDecode(r *http.Request, v any) error { return json.NewDecoder(r.Body).Decode(v) }
