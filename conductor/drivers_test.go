package conductor_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ironic-go/ironic-go/drivers"
	"github.com/ironic-go/ironic-go/drivers/fake"
	"github.com/ironic-go/ironic-go/objects/exception"
)

// Test implementations plugged into fake-hardware (which accepts any
// enabled implementation) through an extra catalog. Each is the fake
// interface with one behaviour changed.
const (
	// strictName is a power interface whose validation needs
	// driver_info["strict_address"], as ipmitool needs ipmi_address.
	strictName = "strict"
	// slowName is a power interface whose power changes wait for a gate
	// (or take a delay).
	slowName = "slow"
	// panicName is a power interface whose power changes panic.
	panicName = "panic"
	// failName is a power interface whose power changes fail, and a
	// deploy interface whose deployments fail.
	failName = "fail"
	// flakyName is an implementation (power, management, deploy, inspect)
	// that fails at random.
	flakyName = "flaky"
)

// strictPower needs driver_info["strict_address"].
type strictPower struct{ fake.Power }

func (strictPower) Validate(_ context.Context, task *drivers.Task) error {
	if _, ok := task.Node.DriverInfo["strict_address"]; !ok {
		return exception.MissingParameterValue("Missing the following strict credentials in node's driver_info: ['strict_address'].")
	}
	return nil
}

// slowPower holds every power change until gate is closed, or for delay
// when gate is nil.
type slowPower struct {
	fake.Power
	delay time.Duration
	gate  <-chan struct{}
}

func (p slowPower) SetPowerState(ctx context.Context, task *drivers.Task, state string, timeout time.Duration) error {
	var delay <-chan time.Time
	if p.gate == nil {
		delay = time.After(p.delay)
	}
	select {
	case <-p.gate:
	case <-delay:
	case <-ctx.Done():
		return ctx.Err()
	}
	return p.Power.SetPowerState(ctx, task, state, timeout)
}

func (p slowPower) Reboot(ctx context.Context, task *drivers.Task, timeout time.Duration) error {
	return p.SetPowerState(ctx, task, drivers.PowerOn, timeout)
}

// failPower fails every power change with a plain Go error.
type failPower struct{ fake.Power }

func (failPower) SetPowerState(context.Context, *drivers.Task, string, time.Duration) error {
	return errors.New("the BMC said no")
}

func (failPower) Reboot(context.Context, *drivers.Task, time.Duration) error {
	return errors.New("the BMC said no")
}

// panicDeploy panics in the deploy worker.
type panicDeploy struct{ fakeDeploy }

func (panicDeploy) Deploy(context.Context, *drivers.Task) (string, error) {
	panic("panicDeploy: injected panic")
}

// panicPower panics in the worker that changes the power state.
type panicPower struct{ fake.Power }

func (panicPower) SetPowerState(context.Context, *drivers.Task, string, time.Duration) error {
	panic("panicPower: injected panic")
}

func (panicPower) Reboot(context.Context, *drivers.Task, time.Duration) error {
	panic("panicPower: injected panic")
}

// chaos decides the injected failures of the flaky implementations. It is
// safe for concurrent use.
type chaos struct {
	mu  sync.Mutex
	rng *rand.Rand
	// failP and panicP are the probabilities of an error and of a panic.
	failP, panicP float64
	// maxDelay bounds a random delay before each operation.
	maxDelay time.Duration

	fails, panics atomic.Int64
}

func newChaos(seed uint64, failP, panicP float64, maxDelay time.Duration) *chaos {
	return &chaos{rng: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)), failP: failP, panicP: panicP, maxDelay: maxDelay}
}

// errInjected is the plain Go error the flaky implementations return.
var errInjected = errors.New("injected failure")

// hit returns an injected error, panics, or returns nil, after a random
// delay.
func (c *chaos) hit(op string) error {
	c.mu.Lock()
	r := c.rng.Float64()
	kind := c.rng.IntN(2)
	var d time.Duration
	if c.maxDelay > 0 {
		d = time.Duration(c.rng.Int64N(int64(c.maxDelay)))
	}
	c.mu.Unlock()
	if d > 0 {
		time.Sleep(d)
	}
	switch {
	case r < c.panicP:
		c.panics.Add(1)
		panic(fmt.Sprintf("flaky %s: injected panic", op))
	case r < c.panicP+c.failP:
		c.fails.Add(1)
		if kind == 0 {
			return exception.InvalidParameterValue(fmt.Sprintf("flaky %s: injected failure", op))
		}
		return fmt.Errorf("flaky %s: %w", op, errInjected)
	}
	return nil
}

type flakyPower struct {
	fake.Power
	c *chaos
}

func (p flakyPower) Validate(ctx context.Context, task *drivers.Task) error {
	if err := p.c.hit("power validate"); err != nil {
		return err
	}
	return p.Power.Validate(ctx, task)
}

func (p flakyPower) GetPowerState(ctx context.Context, task *drivers.Task) (string, error) {
	if err := p.c.hit("get power state"); err != nil {
		return "", err
	}
	return p.Power.GetPowerState(ctx, task)
}

func (p flakyPower) SetPowerState(ctx context.Context, task *drivers.Task, state string, timeout time.Duration) error {
	if err := p.c.hit("set power state"); err != nil {
		return err
	}
	return p.Power.SetPowerState(ctx, task, state, timeout)
}

func (p flakyPower) Reboot(ctx context.Context, task *drivers.Task, timeout time.Duration) error {
	if err := p.c.hit("reboot"); err != nil {
		return err
	}
	return p.Power.Reboot(ctx, task, timeout)
}

type flakyManagement struct {
	fake.Management
	c *chaos
}

func (m flakyManagement) Validate(ctx context.Context, task *drivers.Task) error {
	if err := m.c.hit("management validate"); err != nil {
		return err
	}
	return m.Management.Validate(ctx, task)
}

func (m flakyManagement) SetBootDevice(ctx context.Context, task *drivers.Task, device string, persistent bool) error {
	if err := m.c.hit("set boot device"); err != nil {
		return err
	}
	return m.Management.SetBootDevice(ctx, task, device, persistent)
}

func (m flakyManagement) GetBootDevice(ctx context.Context, task *drivers.Task) (drivers.BootDevice, error) {
	if err := m.c.hit("get boot device"); err != nil {
		return drivers.BootDevice{}, err
	}
	return m.Management.GetBootDevice(ctx, task)
}

// fakeDeploy lets flakyDeploy embed fake.Deploy beside its own Deploy
// method.
type fakeDeploy = fake.Deploy

type flakyDeploy struct {
	fakeDeploy
	c *chaos
}

func (d flakyDeploy) Validate(ctx context.Context, task *drivers.Task) error {
	if err := d.c.hit("deploy validate"); err != nil {
		return err
	}
	return d.fakeDeploy.Validate(ctx, task)
}

func (d flakyDeploy) Prepare(ctx context.Context, task *drivers.Task) error {
	if err := d.c.hit("prepare"); err != nil {
		return err
	}
	return d.fakeDeploy.Prepare(ctx, task)
}

func (d flakyDeploy) Deploy(ctx context.Context, task *drivers.Task) (string, error) {
	if err := d.c.hit("deploy"); err != nil {
		return "", err
	}
	return d.fakeDeploy.Deploy(ctx, task)
}

func (d flakyDeploy) TearDown(ctx context.Context, task *drivers.Task) (string, error) {
	if err := d.c.hit("tear down"); err != nil {
		return "", err
	}
	return d.fakeDeploy.TearDown(ctx, task)
}

func (d flakyDeploy) PrepareCleaning(ctx context.Context, task *drivers.Task) (string, error) {
	if err := d.c.hit("prepare cleaning"); err != nil {
		return "", err
	}
	return d.fakeDeploy.PrepareCleaning(ctx, task)
}

func (d flakyDeploy) TakeOver(ctx context.Context, task *drivers.Task) error {
	if err := d.c.hit("take over"); err != nil {
		return err
	}
	return d.fakeDeploy.TakeOver(ctx, task)
}

type flakyInspect struct {
	fake.Inspect
	c *chaos
}

func (i flakyInspect) InspectHardware(ctx context.Context, task *drivers.Task) (string, error) {
	if err := i.c.hit("inspect"); err != nil {
		return "", err
	}
	return i.Inspect.InspectHardware(ctx, task)
}

// testDrivers configures the registry of a test conductor.
type testDrivers struct {
	// slowDelay is the delay of the slow power interface (default 2 s)
	// when slowGate is nil.
	slowDelay time.Duration
	// slowGate, when not nil, holds the slow power interface's changes
	// until it is closed.
	slowGate <-chan struct{}
	// chaos drives the flaky implementations (default: never fails).
	chaos *chaos
}

// enabledInterfaces mirrors testdata/pyconductor/ironic.conf.in (the
// implementations both conductors have) plus the test ones.
func enabledInterfaces() map[drivers.InterfaceType][]string {
	return map[drivers.InterfaceType][]string{
		drivers.InterfaceBoot:       {fake.Name},
		drivers.InterfaceConsole:    {fake.Name, drivers.NoConsoleName},
		drivers.InterfaceDeploy:     {fake.Name, flakyName, panicName},
		drivers.InterfaceInspect:    {fake.Name, drivers.NoInspectName, flakyName},
		drivers.InterfaceManagement: {fake.Name, flakyName},
		drivers.InterfaceNetwork:    {drivers.NoopNetworkName},
		drivers.InterfacePower:      {fake.Name, strictName, slowName, panicName, failName, flakyName},
		drivers.InterfaceRAID:       {fake.Name, drivers.NoRAIDName},
		drivers.InterfaceStorage:    {fake.Name, drivers.NoopStorageName},
		drivers.InterfaceVendor:     {fake.Name, drivers.NoVendorName},
	}
}

// registry returns fake-hardware with the test implementations enabled.
func (d testDrivers) registry(t testing.TB) *drivers.Registry {
	t.Helper()
	if d.slowDelay == 0 {
		d.slowDelay = 2 * time.Second
	}
	if d.chaos == nil {
		d.chaos = newChaos(1, 0, 0, 0)
	}
	c := d.chaos
	extra := drivers.Catalog{Interfaces: []drivers.Implementation{
		{Type: drivers.InterfacePower, Name: strictName, Impl: strictPower{}},
		{Type: drivers.InterfacePower, Name: slowName, Impl: slowPower{delay: d.slowDelay, gate: d.slowGate}},
		{Type: drivers.InterfacePower, Name: panicName, Impl: panicPower{}},
		{Type: drivers.InterfacePower, Name: failName, Impl: failPower{}},
		{Type: drivers.InterfaceDeploy, Name: panicName, Impl: panicDeploy{}},
		{Type: drivers.InterfacePower, Name: flakyName, Impl: flakyPower{c: c}},
		{Type: drivers.InterfaceManagement, Name: flakyName, Impl: flakyManagement{c: c}},
		{Type: drivers.InterfaceDeploy, Name: flakyName, Impl: flakyDeploy{c: c}},
		{Type: drivers.InterfaceInspect, Name: flakyName, Impl: flakyInspect{c: c}},
	}}
	reg, err := drivers.NewRegistry(drivers.Config{
		EnabledHardwareTypes: []string{fake.HardwareTypeName},
		EnabledInterfaces:    enabledInterfaces(),
		DefaultInterfaces:    map[drivers.InterfaceType]string{drivers.InterfaceNetwork: drivers.NoopNetworkName},
	}, drivers.NoopCatalog(), fake.Catalog(), extra)
	if err != nil {
		t.Fatalf("registry: %v", err)
	}
	return reg
}
