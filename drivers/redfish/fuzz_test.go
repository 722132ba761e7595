package redfish

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ironic-go/ironic-go/drivers"
	"github.com/ironic-go/ironic-go/drivers/redfish/redfishtest"
	"github.com/ironic-go/ironic-go/objects/exception"
)

// fuzzTargets are the resources a fuzzed body replaces, on the
// rackmount1 mockup.
var fuzzTargets = []string{
	"/redfish/v1",
	"/redfish/v1/Systems",
	rackSystem,
	rackSystem + "/Processors",
	rackSystem + "/Processors/CPU1",
	rackSystem + "/EthernetInterfaces",
	rackSystem + "/EthernetInterfaces/12446A3B0411",
	rackSystem + "/SimpleStorage",
	rackSystem + "/SimpleStorage/1",
	"/redfish/v1/Chassis/1U",
}

// FuzzRedfishResponse serves a mutated JSON body for one resource of the
// fake BMC and runs every driver operation against it: the driver must
// not panic, hang or leak the password, and every failure must be an
// Ironic exception.
func FuzzRedfishResponse(f *testing.F) {
	root := filepath.Join("redfishtest", "testdata", redfishtest.MockupRackmount1)
	for i, p := range fuzzTargets {
		rel := strings.TrimPrefix(strings.TrimPrefix(p, "/redfish/v1"), "/")
		data, err := os.ReadFile(filepath.Join(root, rel, "index.json"))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(uint8(i), data)
	}
	// Other topologies' Systems and shapes the driver must survive.
	for _, s := range []string{"public-bladed/Systems/529QB9450R6", "public-smartnic/Systems/Card1-SoC", "public-telemetry/Systems/1"} {
		data, err := os.ReadFile(filepath.Join("redfishtest", "testdata", s, "index.json"))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(uint8(2), data)
	}
	for _, body := range []string{
		``, `null`, `[]`, `{}`, `{"PowerState": 5}`, `{"Boot": []}`, `{"Members": [{"@odata.id": 3}]}`,
		`{"Members": [{"@odata.id": "/redfish/v1/Systems/437XR1138R2"}, {"@odata.id": "/x"}]}`,
		`{"Actions": {"#ComputerSystem.Reset": {"target": "http://evil.example/x"}}, "PowerState": "On"}`,
		`{"MemorySummary": {"TotalSystemMemoryGiB": 1e300}, "PowerState": "On"}`,
		`{"TotalThreads": -4, "ProcessorArchitecture": "x86"}`,
		`{"Devices": [{"CapacityBytes": -1, "Status": {"State": "Enabled"}}]}`,
		`{"MACAddress": "not a mac", "Status": {"State": "Enabled", "Health": "OK"}}`,
	} {
		f.Add(uint8(2), []byte(body))
	}

	f.Add(uint8(3), []byte(`{"Members": [], "Members@odata.nextLink": "`+rackSystem+`/Processors"}`))

	srv := redfishtest.Start(f, redfishtest.Options{Username: "admin", Password: testPassword})
	cfg := testConfig()
	cfg.ConnectionAttempts = 1
	cfg.RequestTimeout = 5 * time.Second
	d, err := New(cfg)
	if err != nil {
		f.Fatal(err)
	}
	info := map[string]any{InfoAddress: srv.URL, InfoUsername: "admin", InfoPassword: testPassword}

	f.Fuzz(func(t *testing.T, target uint8, body []byte) {
		path := fuzzTargets[int(target)%len(fuzzTargets)]
		srv.SetResource(path, body)
		defer srv.SetResource(path, nil)
		defer func() { _ = srv.SetPowerState(rackSystem, "On") }()
		// A fresh connection per input, so that the service root is read.
		defer func() { _ = d.Close(context.WithoutCancel(t.Context())) }()
		e := &env{t: t, d: d, srv: srv}
		task, _ := e.task(cloneInfo(info))
		ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
		defer cancel()
		p, m, i := d.Power(), d.Management(), d.Inspect()
		check := func(op string, err error) {
			if err == nil {
				return
			}
			if ctx.Err() != nil {
				t.Fatalf("%s hung until the deadline: %v", op, err)
			}
			var ie *exception.Error
			if !errors.As(err, &ie) {
				t.Fatalf("%s: error %v (%T) is not an Ironic exception", op, err, err)
			}
			if strings.Contains(err.Error(), testPassword) {
				t.Fatalf("%s: error contains the password: %v", op, err)
			}
		}
		_, err := p.GetPowerState(ctx, task)
		check("get power state", err)
		_, err = m.GetBootDevice(ctx, task)
		check("get boot device", err)
		check("set boot device", m.SetBootDevice(ctx, task, drivers.BootDevicePXE, true))
		check("set power state", p.SetPowerState(ctx, task, drivers.PowerOn, 10*time.Millisecond))
		check("inject nmi", m.InjectNMI(ctx, task))
		_, err = m.GetSensorsData(ctx, task)
		check("sensors", err)
		_, err = i.InspectHardware(ctx, task)
		check("inspect", err)
	})
}

func cloneInfo(m map[string]any) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

// TestNullBody: gofish dereferences a collection read as JSON null; the
// transport refuses such a body first (found by FuzzRedfishResponse).
func TestNullBody(t *testing.T) {
	e := newEnv(t, &redfishtest.Options{}, nil)
	task, _ := e.task(e.info(""))
	e.srv.SetResource(rackSystem+"/Processors", []byte(" null\n"))
	_, err := e.d.Inspect().InspectHardware(t.Context(), task)
	wantClass(t, err, "RedfishError", "the BMC answered null for "+rackSystem+"/Processors")
	if !errors.Is(err, ErrMalformed) {
		t.Errorf("not ErrMalformed: %v", err)
	}
}

func TestRecoverPanic(t *testing.T) {
	e := newEnv(t, nil, nil)
	task, _ := e.task(map[string]any{InfoPassword: testPassword})
	fn := func() (err error) {
		defer e.d.recoverPanic(task, &err)
		panic("boom " + testPassword)
	}
	err := fn()
	wantClass(t, err, "RedfishError", "Unexpected answer from the BMC of node "+testNodeUUID+": boom ***")
	if !errors.Is(err, ErrMalformed) || strings.Contains(err.Error(), testPassword) {
		t.Errorf("err = %v", err)
	}
	if strings.Contains(e.logs.String(), testPassword) || !strings.Contains(e.logs.String(), "redfish client panic") {
		t.Errorf("logs: %s", e.logs.String())
	}
}
