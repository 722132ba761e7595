package fake_test

import (
	"encoding/json"
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/ironic-go/ironic-go/drivers"
	"github.com/ironic-go/ironic-go/drivers/fake"
	"github.com/ironic-go/ironic-go/objects"
	"github.com/ironic-go/ironic-go/objects/exception"
)

func strp(s string) *string { return &s }

// newTask builds a fake-hardware node's task through a registry, as the
// conductor does.
func newTask(t *testing.T) *drivers.Task {
	t.Helper()
	cfg := drivers.Config{EnabledHardwareTypes: []string{fake.HardwareTypeName}}
	r, err := drivers.NewRegistry(cfg, drivers.NoopCatalog(), fake.Catalog())
	if err != nil {
		t.Fatal(err)
	}
	n := &objects.Node{UUID: strp("1be26c0b-03f2-4d2e-ae87-c02d7f33c123"), Driver: strp(fake.HardwareTypeName)}
	d, err := r.DriverFor(n)
	if err != nil {
		t.Fatal(err)
	}
	return &drivers.Task{Node: n, Driver: d}
}

func wantErr(t *testing.T, err, sentinel error, msg string) {
	t.Helper()
	var e *exception.Error
	if !errors.Is(err, sentinel) || !errors.As(err, &e) {
		t.Fatalf("error %v, want %v", err, sentinel)
	}
	if e.Error() != msg {
		t.Errorf("message %q, want %q", e.Error(), msg)
	}
}

func TestCatalogDefaults(t *testing.T) {
	task := newTask(t)
	d := task.Driver
	for _, it := range drivers.InterfaceTypes() {
		want := fake.Name
		if it == drivers.InterfaceNetwork {
			want = drivers.NoopNetworkName
		}
		if d.Name(it) != want {
			t.Errorf("%s = %q, want %q", it, d.Name(it), want)
		}
	}
	if _, ok := d.Vendor.(fake.VendorB); !ok {
		t.Errorf("vendor %T, want VendorB", d.Vendor)
	}
	props := d.Properties()
	if d := cmp.Diff(map[string]string{"B1": "B1 description. Required.", "B2": "B2 description. Required."}, props); d != "" {
		t.Error(d)
	}
	res := d.ValidateInterfaces(t.Context(), task, "h")
	for _, it := range drivers.NonVendorInterfaceTypes() {
		if d := cmp.Diff(map[string]any{"result": true}, res[string(it)]); d != "" {
			t.Errorf("%s: %s", it, d)
		}
	}
}

func TestPower(t *testing.T) {
	task := newTask(t)
	ctx, p := t.Context(), task.Driver.Power
	if st, err := p.GetPowerState(ctx, task); err != nil || st != "" {
		t.Fatalf("unknown power: %q %v", st, err)
	}
	for _, st := range []string{drivers.PowerOn, drivers.PowerOff} {
		if err := p.SetPowerState(ctx, task, st, 0); err != nil {
			t.Fatal(err)
		}
		if got, _ := p.GetPowerState(ctx, task); got != st || *task.Node.PowerState != st {
			t.Errorf("after set %q: %q", st, got)
		}
	}
	for _, st := range []string{drivers.SoftPowerOff, drivers.SoftReboot, drivers.Reboot, "bogus"} {
		wantErr(t, p.SetPowerState(ctx, task, st, 0), exception.ErrInvalidParameterValue,
			"set_power_state called with an invalid power state: "+st+".")
	}
	if err := p.Reboot(ctx, task, 0); err != nil {
		t.Fatal(err)
	}
	if got, _ := p.GetPowerState(ctx, task); got != drivers.PowerOn {
		t.Errorf("after reboot: %q", got)
	}
	sup, _ := p.SupportedPowerStates(ctx, task)
	if d := cmp.Diff([]string{"power on", "power off", "rebooting"}, sup); d != "" {
		t.Error(d)
	}
	if p.Validate(ctx, task) != nil || len(p.Properties()) != 0 {
		t.Error("validate/properties")
	}
}

func TestManagement(t *testing.T) {
	task := newTask(t)
	ctx, m := t.Context(), task.Driver.Management
	devs, _ := m.SupportedBootDevices(ctx, task)
	if d := cmp.Diff([]string{"pxe"}, devs); d != "" {
		t.Error(d)
	}
	if err := m.SetBootDevice(ctx, task, "pxe", true); err != nil {
		t.Fatal(err)
	}
	wantErr(t, m.SetBootDevice(ctx, task, "disk", false), exception.ErrInvalidParameterValue, "Invalid boot device disk specified.")
	bd, _ := m.GetBootDevice(ctx, task)
	if d := cmp.Diff(map[string]any{"boot_device": "pxe", "persistent": false}, bd.Map()); d != "" {
		t.Errorf("get_boot_device: %s", d)
	}
	if s, err := m.GetSensorsData(ctx, task); err != nil || s == nil || len(s) != 0 {
		t.Errorf("sensors %v %v", s, err)
	}
	wantErr(t, drivers.InjectNMI(ctx, task, m), exception.ErrUnsupportedDriverExtension,
		"Driver fake-hardware does not support inject_nmi (disabled or not implemented).")
}

func TestDeployBootInspectConsoleStorage(t *testing.T) {
	task := newTask(t)
	ctx, d := t.Context(), task.Driver
	if st, err := d.Deploy.Deploy(ctx, task); err != nil || st != "deploy complete" {
		t.Errorf("deploy: %q %v", st, err)
	}
	if st, err := d.Deploy.TearDown(ctx, task); err != nil || st != "deleted" {
		t.Errorf("tear down: %q %v", st, err)
	}
	if st, err := d.Deploy.PrepareCleaning(ctx, task); err != nil || st != "" {
		t.Errorf("prepare cleaning: %q %v", st, err)
	}
	for _, err := range []error{
		d.Deploy.Prepare(ctx, task), d.Deploy.CleanUp(ctx, task), d.Deploy.TakeOver(ctx, task),
		d.Deploy.TearDownCleaning(ctx, task), d.Deploy.Heartbeat(ctx, task, "http://agent"),
		d.Boot.PrepareRamdisk(ctx, task, nil), d.Boot.CleanUpRamdisk(ctx, task), d.Boot.PrepareInstance(ctx, task),
		d.Boot.CleanUpInstance(ctx, task), d.Console.StartConsole(ctx, task), d.Console.StopConsole(ctx, task),
		d.Storage.AttachVolumes(ctx, task), d.Storage.DetachVolumes(ctx, task),
	} {
		if err != nil {
			t.Error(err)
		}
	}
	if st, err := d.Inspect.InspectHardware(ctx, task); err != nil || st != "manageable" {
		t.Errorf("inspect: %q %v", st, err)
	}
	if c, err := d.Console.GetConsole(ctx, task); err != nil || c == nil || len(c) != 0 {
		t.Errorf("console %v %v", c, err)
	}
	if !d.Storage.ShouldWriteImage(ctx, task) {
		t.Error("storage should write image")
	}
	if _, ok := d.Deploy.(drivers.CleanStepper); ok {
		t.Error("fake deploy has clean steps; Ironic's has none")
	}
}

func TestRAID(t *testing.T) {
	task := newTask(t)
	ctx, r := t.Context(), task.Driver.RAID
	if err := r.Validate(ctx, task); err != nil {
		t.Fatal(err)
	}
	task.Node.TargetRAIDConfig = map[string]any{"logical_disks": []any{map[string]any{"raid_level": "9", "size_gb": int64(1)}}}
	wantErr(t, r.Validate(ctx, task), exception.ErrInvalidParameterValue,
		"RAID config validation error: '9' is not one of ['JBOD', '0', '1', '2', '5', '6', '1+0', '5+0', '6+0']")
	if st, err := r.CreateConfiguration(ctx, task, true, true); err != nil || st != "" {
		t.Error(st, err)
	}
	if st, err := r.DeleteConfiguration(ctx, task); err != nil || st != "" {
		t.Error(st, err)
	}
	if len(r.LogicalDiskProperties()) != 10 {
		t.Error("logical disk properties")
	}
}

// The fake vendor routes' metadata, byte for byte as Ironic's
// get_node_vendor_passthru_methods returns it (keys sorted).
func TestVendorMetadataJSON(t *testing.T) {
	got, err := json.Marshal(drivers.NodeRoutesMetadata(fake.VendorB{}.Routes()))
	if err != nil {
		t.Fatal(err)
	}
	want := `{"fourth_method_shared_lock":{"async":true,"attach":false,"description":"Test if the value of bar is woof","http_methods":["POST"],"require_exclusive_lock":false},` +
		`"second_method":{"async":true,"attach":false,"description":"Test if the value of bar is kazoo","http_methods":["POST"],"require_exclusive_lock":true},` +
		`"third_method_sync":{"async":false,"attach":false,"description":"Test if the value of bar is meow","http_methods":["POST"],"require_exclusive_lock":true}}`
	if string(got) != want {
		t.Errorf("metadata\n got %s\nwant %s", got, want)
	}
	drv, _ := json.Marshal(drivers.DriverRoutesMetadata(fake.VendorB{}.DriverRoutes()))
	if string(drv) != "{}" {
		t.Errorf("driver routes %s", drv)
	}
	a, _ := json.Marshal(drivers.NodeRoutesMetadata(fake.VendorA{}.Routes()))
	if string(a) != `{"first_method":{"async":true,"attach":false,"description":"Test if the value of bar is baz","http_methods":["POST"],"require_exclusive_lock":true}}` {
		t.Errorf("vendor A %s", a)
	}
}

func TestVendorCalls(t *testing.T) {
	task := newTask(t)
	ctx := t.Context()
	v := task.Driver.Vendor
	routes := v.Routes()
	tests := []struct {
		method string
		bar    any
		want   bool
	}{
		{"second_method", "kazoo", true}, {"second_method", "meow", false},
		{"third_method_sync", "meow", true}, {"fourth_method_shared_lock", "woof", true},
		{"fourth_method_shared_lock", float64(3), false},
	}
	for _, tt := range tests {
		info := map[string]any{"bar": tt.bar}
		if err := v.Validate(ctx, task, tt.method, "POST", info); err != nil {
			t.Fatal(err)
		}
		r, m, err := drivers.FindRoute(routes, tt.method, "post")
		if err != nil {
			t.Fatal(err)
		}
		got, err := r.Call(ctx, task, m, info)
		if err != nil || got != tt.want {
			t.Errorf("%s(bar=%v) = %v, %v; want %v", tt.method, tt.bar, got, err, tt.want)
		}
	}
	for _, bar := range []any{nil, "", false, float64(0), []any{}, map[string]any{}, json.Number("0")} {
		info := map[string]any{}
		if bar != nil {
			info["bar"] = bar
		}
		wantErr(t, v.Validate(ctx, task, "third_method_sync", "POST", info), exception.ErrMissingParameterValue,
			"Parameter 'bar' not passed to method 'third_method_sync'.")
	}
	if err := v.Validate(ctx, task, "other", "POST", nil); err != nil {
		t.Errorf("validate other method: %v", err)
	}
	if err := v.DriverValidate(ctx, "x", "POST", nil); err != nil {
		t.Error(err)
	}
	_, err := routes["second_method"].Call(ctx, task, "POST", map[string]any{"bar": "kazoo", "extra": 1})
	wantErr(t, err, exception.ErrVendorPassthruException,
		"FakeVendorB.second_method() got an unexpected keyword argument 'extra'")
	_, err = routes["second_method"].Call(ctx, task, "POST", map[string]any{})
	wantErr(t, err, exception.ErrVendorPassthruException,
		"FakeVendorB.second_method() missing 1 required positional argument: 'bar'")

	a := fake.VendorA{}
	wantErr(t, a.Validate(ctx, task, "first_method", "POST", nil), exception.ErrMissingParameterValue,
		"Parameter 'bar' not passed to method 'first_method'.")
	if got, err := a.Routes()["first_method"].Call(ctx, task, "POST", map[string]any{"bar": "baz"}); err != nil || got != true {
		t.Errorf("first_method: %v %v", got, err)
	}
	if len(a.Properties()) != 2 || a.DriverValidate(ctx, "", "", nil) != nil || len(a.DriverRoutes()) != 0 {
		t.Error("vendor A")
	}
}

func TestFakeAcceptsAnyEnabledImplementation(t *testing.T) {
	cfg := drivers.Config{
		EnabledHardwareTypes: []string{fake.HardwareTypeName},
		EnabledInterfaces:    map[drivers.InterfaceType][]string{drivers.InterfaceConsole: {"fake", "no-console"}},
	}
	r, err := drivers.NewRegistry(cfg, drivers.NoopCatalog(), fake.Catalog())
	if err != nil {
		t.Fatal(err)
	}
	n := &objects.Node{Driver: strp(fake.HardwareTypeName), ConsoleInterface: strp("no-console")}
	d, err := r.DriverFor(n)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := d.Console.(drivers.NoConsole); !ok {
		t.Errorf("console %T", d.Console)
	}
}
