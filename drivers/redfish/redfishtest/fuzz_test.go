package redfishtest

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// FuzzServerRequest sends arbitrary methods, paths and bodies to the
// handler: it must not panic, must answer a valid status, and every error
// must be a Redfish error object.
func FuzzServerRequest(f *testing.F) {
	for _, c := range []struct{ method, path, body string }{
		{"POST", rackSystem + "/Actions/ComputerSystem.Reset", `{"ResetType": "ForceOff"}`},
		{"POST", rackSystem + "/Actions/ComputerSystem.Reset", `{"ResetType": "Nmi"}`},
		{"POST", rackSystem + "/Actions/ComputerSystem.Reset", `{"ResetType": 5}`},
		{"PATCH", rackSystem, `{"Boot": {"BootSourceOverrideTarget": "Pxe", "BootSourceOverrideEnabled": "Continuous", "BootSourceOverrideMode": "UEFI"}}`},
		{"PATCH", rackSystem, `{"Boot": {"BootSourceOverrideTarget": null}}`},
		{"PATCH", rackSystem, `[]`},
		{"POST", sessionsPath, `{"UserName": "admin", "Password": "password"}`},
		{"DELETE", sessionsPath + "/1", ``},
		{"GET", "/redfish/v1/../../etc/passwd", ``},
		{"GET", "/redfish/v1/$metadata", ``},
		{"GET", "/redfish/v1/Systems/437XR1138R2/Processors/CPU1", ``},
		{"PUT", rackSystem, `{}`},
	} {
		f.Add(c.method, c.path, []byte(c.body), true)
	}
	s, err := NewServer(Options{Auth: AuthSession, ExactBootEnabled: true})
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(s.Close)
	f.Fuzz(func(t *testing.T, method, path string, body []byte, auth bool) {
		if !validMethod(method) || !strings.HasPrefix(path, "/") || strings.ContainsAny(path, " \r\n\t#?%") {
			return
		}
		req, err := http.NewRequestWithContext(t.Context(), method, "http://bmc"+path, bytes.NewReader(body))
		if err != nil {
			return
		}
		if auth {
			req.SetBasicAuth(DefaultUsername, DefaultPassword)
		}
		rec := httptest.NewRecorder()
		s.serveHTTP(rec, req)
		if rec.Code < 200 || rec.Code > 599 {
			t.Fatalf("%s %s: status %d", method, path, rec.Code)
		}
		if rec.Code >= 400 {
			var e struct {
				Error struct {
					Code    string `json:"code"`
					Message string `json:"message"`
				} `json:"error"`
			}
			if err := json.Unmarshal(rec.Body.Bytes(), &e); err != nil || e.Error.Code == "" {
				t.Fatalf("%s %s: %d with a body that is not a Redfish error: %q", method, path, rec.Code, rec.Body.String())
			}
		}
		// Reset what a request may have changed.
		s.ResetRequests()
		_ = s.SetPowerState(rackSystem, "On")
		_ = s.SetBoot(rackSystem, "Pxe", "Once", "UEFI")
	})
}

func validMethod(m string) bool {
	switch m {
	case "GET", "HEAD", "POST", "PATCH", "PUT", "DELETE", "OPTIONS":
		return true
	}
	return false
}
