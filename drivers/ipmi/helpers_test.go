package ipmi

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/rs/zerolog"

	"github.com/ironic-go/ironic-go/drivers"
	"github.com/ironic-go/ironic-go/objects"
	"github.com/ironic-go/ironic-go/objects/exception"
)

// testConfig is DefaultConfig with timings small enough for tests.
func testConfig(t testing.TB) Config {
	cfg := DefaultConfig()
	// Long enough for a Python simulator starved for seconds by the
	// parallel race-enabled tests; fault tests set their own.
	cfg.CommandRetryTimeout = 10 * time.Second
	cfg.MinCommandInterval = 5 * time.Millisecond
	cfg.PowerStateChangeTimeout = 5 * time.Second
	cfg.SoftPowerOffTimeout = 5 * time.Second
	cfg.PowerStatePollInterval = 20 * time.Millisecond
	cfg.PacketTimeout = time.Second
	cfg.SessionIdleTimeout = 2 * time.Second
	cfg.Logger = zerolog.New(zerolog.NewTestWriter(t)).Level(zerolog.InfoLevel)
	return cfg
}

// newTestDriver starts a driver over dial (nil: go-ipmi) and closes it
// when the test ends.
func newTestDriver(t testing.TB, cfg Config, dial dialer) *Driver {
	t.Helper()
	if dial == nil {
		dial = dialGoIPMI
	}
	d, err := newDriver(cfg, dial)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = d.Close() })
	return d
}

// fakeHost is a TaskHost that counts saves.
type fakeHost struct{ saves int }

func (h *fakeHost) UpgradeLock(context.Context) error { return nil }
func (h *fakeHost) SaveNode(context.Context) error    { h.saves++; return nil }
func (h *fakeHost) Spawn(ctx context.Context, fn func(ctx context.Context) error) error {
	return fn(ctx)
}
func (h *fakeHost) ProcessEvent(context.Context, string, string) error { return nil }

// newTask builds an exclusive task for an ipmi node with driverInfo.
func newTask(t testing.TB, d *Driver, driverInfo map[string]any) (*drivers.Task, *fakeHost) {
	t.Helper()
	id := uuid.NewString()
	n := &objects.Node{UUID: &id, Driver: new(HardwareTypeName), DriverInfo: driverInfo,
		DriverInternalInfo: map[string]any{}, InstanceInfo: map[string]any{}, Properties: map[string]any{},
		ProvisionState: new("manageable")}
	h := &fakeHost{}
	task := &drivers.Task{Node: n, Host: h, Log: zerolog.New(zerolog.NewTestWriter(t)).Level(zerolog.WarnLevel)}
	if d != nil {
		task.Driver = &drivers.Driver{HardwareType: HardwareTypeName, Power: d.power, Management: d.management, Vendor: d.vendor}
	}
	return task, h
}

// wantExc fails unless err is the Ironic exception class with message msg
// ("" to skip the message).
func wantExc(t testing.TB, err error, class *exception.Error, msg string) {
	t.Helper()
	if err == nil {
		t.Fatalf("got no error, want %s", class.Class)
	}
	var e *exception.Error
	if !errors.As(err, &e) || !errors.Is(err, class) {
		t.Fatalf("got %v (%T), want %s", err, err, class.Class)
	}
	if msg != "" && e.Msg != msg {
		t.Fatalf("got message %q, want %q", e.Msg, msg)
	}
}
