package redfish

import (
	"io"
	"testing"

	"github.com/rs/zerolog"

	"github.com/ironic-go/ironic-go/drivers"
	"github.com/ironic-go/ironic-go/drivers/fake"
	"github.com/ironic-go/ironic-go/drivers/redfish/redfishtest"
	"github.com/ironic-go/ironic-go/objects"
)

func benchTask(b *testing.B, d *Driver, srv *redfishtest.Server) *drivers.Task {
	b.Helper()
	node := &objects.Node{ID: 1, UUID: new(testNodeUUID), Driver: new(HardwareTypeName), Properties: map[string]any{},
		DriverInfo: map[string]any{InfoAddress: srv.URL, InfoUsername: "admin", InfoPassword: testPassword}}
	reg, err := drivers.NewRegistry(drivers.Config{EnabledHardwareTypes: []string{HardwareTypeName}},
		drivers.NoopCatalog(), fake.Catalog(), d.Catalog())
	if err != nil {
		b.Fatal(err)
	}
	drv, err := reg.DriverFor(node)
	if err != nil {
		b.Fatal(err)
	}
	task := &drivers.Task{Node: node, Driver: drv}
	task.Host = &fakeHost{task: task}
	return task
}

// BenchmarkGetPowerState measures one power read on a cached
// connection (basic and session authentication), and without the cache.
func BenchmarkGetPowerState(b *testing.B) {
	for _, c := range []struct {
		name  string
		auth  redfishtest.AuthMode
		cache int
	}{{"basic", redfishtest.AuthBasic, 1000}, {"session", redfishtest.AuthSession, 1000}, {"session-nocache", redfishtest.AuthSession, 0}} {
		b.Run(c.name, func(b *testing.B) {
			srv := redfishtest.Start(b, redfishtest.Options{Auth: c.auth, Username: "admin", Password: testPassword})
			cfg := DefaultConfig()
			cfg.ConnectionCacheSize = c.cache
			cfg.Logger = zerolog.New(io.Discard)
			d, err := New(cfg)
			if err != nil {
				b.Fatal(err)
			}
			b.Cleanup(func() { _ = d.Close(b.Context()) })
			task := benchTask(b, d, srv)
			b.ReportAllocs()
			for b.Loop() {
				if _, err := d.Power().GetPowerState(b.Context(), task); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkInspect measures a whole inspection of the rackmount1 mockup.
func BenchmarkInspect(b *testing.B) {
	srv := redfishtest.Start(b, redfishtest.Options{Username: "admin", Password: testPassword})
	d, err := New(DefaultConfig())
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = d.Close(b.Context()) })
	task := benchTask(b, d, srv)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := d.Inspect().InspectHardware(b.Context(), task); err != nil {
			b.Fatal(err)
		}
	}
}
