package redfish

import (
	"bytes"
	"context"
	"errors"
	"io"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/ironic-go/ironic-go/drivers"
	"github.com/ironic-go/ironic-go/drivers/fake"
	"github.com/ironic-go/ironic-go/drivers/redfish/redfishtest"
	"github.com/ironic-go/ironic-go/objects"
	"github.com/ironic-go/ironic-go/objects/exception"
)

const (
	testPassword = "Pa55-w0rd-7e1f"
	testNodeUUID = "1be26c0b-03f2-4d2e-ae87-c02d7f33c123"
	rackSystem   = "/redfish/v1/Systems/437XR1138R2"
)

// syncBuffer collects logs from several goroutines.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// env is a Driver with fast timings, its captured logs, and a fake BMC.
type env struct {
	t    *testing.T
	d    *Driver
	srv  *redfishtest.Server
	logs *syncBuffer
	// sleeps records the waits asked of the driver.
	mu     sync.Mutex
	sleeps []time.Duration
}

func testConfig() Config {
	cfg := DefaultConfig()
	cfg.ConnectionAttempts = 3
	cfg.ConnectionRetryInterval = 10 * time.Millisecond
	cfg.PowerStateChangeTimeout = 10 * time.Second
	cfg.PowerStatePollInterval = 2 * time.Millisecond
	cfg.PowerStatePollMaxInterval = 20 * time.Millisecond
	cfg.RequestTimeout = 10 * time.Second
	return cfg
}

// newEnv starts a server with opts (nil: no server) and a driver with
// testConfig changed by mutate.
func newEnv(t *testing.T, opts *redfishtest.Options, mutate func(*Config)) *env {
	t.Helper()
	e := &env{t: t, logs: &syncBuffer{}}
	cfg := testConfig()
	cfg.Logger = zerolog.New(io.MultiWriter(e.logs, zerolog.NewTestWriter(t))).Level(zerolog.DebugLevel)
	if mutate != nil {
		mutate(&cfg)
	}
	d, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	inner := d.sleep
	d.sleep = func(ctx context.Context, dur time.Duration) error {
		e.mu.Lock()
		e.sleeps = append(e.sleeps, dur)
		e.mu.Unlock()
		return inner(ctx, dur)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = d.Close(ctx)
	})
	e.d = d
	if opts != nil {
		if opts.Password == "" && opts.Username == "" {
			opts.Username, opts.Password = "admin", testPassword
		}
		e.srv = redfishtest.Start(t, *opts)
	}
	return e
}

// info returns driver_info for the server and system.
func (e *env) info(system string) map[string]any {
	m := map[string]any{
		InfoAddress:  e.srv.URL,
		InfoUsername: e.srv.Options().Username,
		InfoPassword: e.srv.Options().Password,
	}
	if system != "" {
		m[InfoSystemID] = system
	}
	return m
}

// fakeHost is a TaskHost and PortCreator keeping everything in memory.
type fakeHost struct {
	task   *drivers.Task
	saves  int
	nextID int64
}

func (h *fakeHost) UpgradeLock(context.Context) error {
	h.task.Shared = false
	return nil
}

func (h *fakeHost) SaveNode(context.Context) error {
	h.saves++
	h.task.Node.ResetChanges()
	return nil
}

func (h *fakeHost) Spawn(ctx context.Context, fn func(ctx context.Context) error) error {
	return fn(ctx)
}

func (h *fakeHost) ProcessEvent(context.Context, string, string) error { return nil }

func (h *fakeHost) CreatePort(_ context.Context, p *objects.Port) (*objects.Port, error) {
	if h.task.Shared {
		return nil, exception.ExclusiveLockRequired()
	}
	for _, q := range h.task.Ports {
		if *q.Address == *p.Address {
			return nil, exception.MACAlreadyExists(*p.Address)
		}
	}
	h.nextID++
	p.ID = h.nextID
	p.NodeID = &h.task.Node.ID
	h.task.Ports = append(h.task.Ports, p)
	return p, nil
}

// task returns an exclusive task for a redfish node with driver_info
// info, its driver composed by a registry holding this driver.
func (e *env) task(info map[string]any) (*drivers.Task, *fakeHost) {
	e.t.Helper()
	node := &objects.Node{ID: 7, UUID: new(testNodeUUID), Driver: new(HardwareTypeName), DriverInfo: info,
		Properties: map[string]any{}, DriverInternalInfo: map[string]any{}}
	reg, err := drivers.NewRegistry(drivers.Config{EnabledHardwareTypes: []string{HardwareTypeName}},
		drivers.NoopCatalog(), fake.Catalog(), e.d.Catalog())
	if err != nil {
		e.t.Fatal(err)
	}
	drv, err := reg.DriverFor(node)
	if err != nil {
		e.t.Fatal(err)
	}
	node.ResetChanges()
	task := &drivers.Task{Node: node, Driver: drv, RequestID: "req-test"}
	h := &fakeHost{task: task}
	task.Host = h
	return task, h
}

// exc returns the Ironic exception in err's chain, failing the test when
// there is none.
func exc(t *testing.T, err error) *exception.Error {
	t.Helper()
	if err == nil {
		t.Fatal("no error")
	}
	var ie *exception.Error
	if !errors.As(err, &ie) {
		t.Fatalf("error %v (%T) is not an Ironic exception", err, err)
	}
	return ie
}

// wantClass checks err's Ironic class and that its message contains
// each fragment.
func wantClass(t *testing.T, err error, class string, fragments ...string) {
	t.Helper()
	ie := exc(t, err)
	if ie.Class != class {
		t.Fatalf("class %s (%v), want %s", ie.Class, ie, class)
	}
	for _, f := range fragments {
		if !strings.Contains(ie.Error(), f) {
			t.Errorf("message %q lacks %q", ie.Error(), f)
		}
	}
}

// resets returns the reset types the server accepted for a system.
func (e *env) resets(system string) []string {
	st, ok := e.srv.System(system)
	if !ok {
		e.t.Fatalf("no system %s", system)
	}
	return st.Resets
}

// patches returns the bodies of the PATCH requests the server answered
// with status.
func (e *env) requests(method string) []redfishtest.Request {
	var out []redfishtest.Request
	for _, r := range e.srv.Requests() {
		if r.Method == method {
			out = append(out, r)
		}
	}
	return out
}
