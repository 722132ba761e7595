package drivers_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/ironic-go/ironic-go/conductor/states"
	"github.com/ironic-go/ironic-go/drivers"
	"github.com/ironic-go/ironic-go/drivers/fake"
	"github.com/ironic-go/ironic-go/objects"
	"github.com/ironic-go/ironic-go/objects/exception"
)

func fakeTask() *drivers.Task {
	return &drivers.Task{Node: &objects.Node{UUID: strp("1be26c0b-03f2-4d2e-ae87-c02d7f33c123"), Driver: strp("fake-hardware")}}
}

// The string constants drivers uses must equal conductor/states' (drivers
// may not import it outside tests).
func TestConstantsMatchStates(t *testing.T) {
	pairs := [][2]string{
		{drivers.PowerOn, string(states.PowerOn)}, {drivers.PowerOff, string(states.PowerOff)},
		{drivers.Reboot, string(states.Reboot)}, {drivers.SoftReboot, string(states.SoftReboot)},
		{drivers.SoftPowerOff, string(states.SoftPowerOff)}, {drivers.PowerError, string(states.PowerError)},
		{drivers.StateDeployWait, string(states.DeployWait)}, {drivers.StateDeployDone, string(states.DeployDone)},
		{drivers.StateDeleted, string(states.Deleted)}, {drivers.StateCleanWait, string(states.CleanWait)},
		{drivers.StateManageable, string(states.Manageable)}, {drivers.StateInspecting, string(states.Inspecting)},
		{drivers.BootDevicePXE, string(states.BootPXE)}, {drivers.BootDeviceDisk, string(states.BootDisk)},
		{drivers.BootDeviceCDROM, string(states.BootCDROM)}, {drivers.BootDeviceBIOS, string(states.BootBIOS)},
		{drivers.BootDeviceSafe, string(states.BootSafe)}, {drivers.BootDeviceWANBoot, string(states.BootWANBoot)},
	}
	for _, p := range pairs {
		if p[0] != p[1] {
			t.Errorf("drivers %q != states %q", p[0], p[1])
		}
	}
	var ds []string
	for _, p := range states.DefaultSupportedPowerStates() {
		ds = append(ds, string(p))
	}
	if d := cmp.Diff(ds, drivers.DefaultSupportedPowerStates()); d != "" {
		t.Error(d)
	}
}

func TestInterfaceTypes(t *testing.T) {
	if len(drivers.InterfaceTypes()) != 10 || len(drivers.NonVendorInterfaceTypes()) != 9 {
		t.Fatal("interface type lists")
	}
	if drivers.InterfacePower.NodeField() != "power_interface" ||
		drivers.InterfaceRAID.Entrypoint() != "ironic.hardware.interfaces.raid" ||
		drivers.InterfaceType("bios").Valid() {
		t.Fatal("interface type helpers")
	}
	for _, it := range drivers.InterfaceTypes() {
		if _, ok := (&objects.Node{}).Get(it.NodeField()); ok {
			t.Errorf("%s set on an empty node", it)
		}
		if err := (&objects.Node{}).Set(it.NodeField(), "x"); err != nil {
			t.Errorf("%s is not a Node field: %v", it.NodeField(), err)
		}
	}
}

func TestBootDeviceMap(t *testing.T) {
	yes := true
	if d := cmp.Diff(map[string]any{"boot_device": nil, "persistent": nil}, drivers.BootDevice{}.Map()); d != "" {
		t.Error(d)
	}
	if d := cmp.Diff(map[string]any{"boot_device": "disk", "persistent": true},
		drivers.BootDevice{Device: "disk", Persistent: &yes}.Map()); d != "" {
		t.Error(d)
	}
}

func TestInjectNMI(t *testing.T) {
	err := drivers.InjectNMI(t.Context(), fakeTask(), fake.Management{})
	wantErr(t, err, exception.ErrUnsupportedDriverExtension,
		"Driver fake-hardware does not support inject_nmi (disabled or not implemented).")
	called := false
	if err := drivers.InjectNMI(t.Context(), fakeTask(), nmiMgmt{called: &called}); err != nil || !called {
		t.Fatalf("InjectNMI on an NMIInjector: %v, called=%v", err, called)
	}
}

type nmiMgmt struct {
	fake.Management
	called *bool
}

func (m nmiMgmt) InjectNMI(context.Context, *drivers.Task) error { *m.called = true; return nil }

func TestNoopInterfaces(t *testing.T) {
	ctx, task := t.Context(), fakeTask()
	ude := func(ext string) string {
		return fmt.Sprintf("Driver fake-hardware does not support %s (disabled or not implemented).", ext)
	}
	checks := []struct {
		name string
		err  error
		msg  string
	}{
		{"console validate", drivers.NoConsole{}.Validate(ctx, task), ude("console")},
		{"console start", drivers.NoConsole{}.StartConsole(ctx, task), ude("console")},
		{"console stop", drivers.NoConsole{}.StopConsole(ctx, task), ude("console")},
		{"inspect validate", drivers.NoInspect{}.Validate(ctx, task), ude("inspect")},
		{"raid validate", drivers.NoRAID{}.Validate(ctx, task), ude("raid")},
		{"raid config", drivers.NoRAID{}.ValidateRAIDConfig(ctx, task, nil), ude("raid")},
		{"vendor validate", drivers.NoVendor{}.Validate(ctx, task, "m", "POST", nil), ude("vendor")},
		{"vendor driver validate", drivers.NoVendor{}.DriverValidate(ctx, "m", "POST", nil),
			"Driver NoVendor does not support vendor (disabled or not implemented)."},
	}
	_, err := drivers.NoConsole{}.GetConsole(ctx, task)
	checks = append(checks, struct {
		name string
		err  error
		msg  string
	}{"console get", err, ude("console")})
	_, err = drivers.NoInspect{}.InspectHardware(ctx, task)
	checks = append(checks, struct {
		name string
		err  error
		msg  string
	}{"inspect", err, ude("inspect")})
	_, err = drivers.NoRAID{}.CreateConfiguration(ctx, task, true, true)
	checks = append(checks, struct {
		name string
		err  error
		msg  string
	}{"raid create", err, ude("raid")})
	_, err = drivers.NoRAID{}.DeleteConfiguration(ctx, task)
	checks = append(checks, struct {
		name string
		err  error
		msg  string
	}{"raid delete", err, ude("raid")})
	for _, c := range checks {
		t.Run(c.name, func(t *testing.T) { wantErr(t, c.err, exception.ErrUnsupportedDriverExtension, c.msg) })
	}
	if len(drivers.NoVendor{}.Routes()) != 0 || len(drivers.NoVendor{}.DriverRoutes()) != 0 {
		t.Error("no-vendor has routes")
	}
	if d := cmp.Diff(drivers.LogicalDiskProperties(), drivers.NoRAID{}.LogicalDiskProperties()); d != "" {
		t.Error(d)
	}
	n := drivers.NoopNetwork{}
	for _, err := range []error{
		n.Validate(ctx, task), n.PortChanged(ctx, task, &objects.Port{}), n.PortgroupChanged(ctx, task, &objects.Portgroup{}),
		n.VifAttach(ctx, task, map[string]any{"id": "v"}), n.VifDetach(ctx, task, "v"), n.AddProvisioningNetwork(ctx, task),
		n.RemoveProvisioningNetwork(ctx, task), n.ConfigureTenantNetworks(ctx, task), n.UnconfigureTenantNetworks(ctx, task),
		n.RemoveCleaningNetwork(ctx, task),
	} {
		if err != nil {
			t.Errorf("noop network: %v", err)
		}
	}
	if vifs, err := n.VifList(ctx, task); err != nil || vifs == nil || len(vifs) != 0 {
		t.Errorf("VifList = %v, %v; want []", vifs, err)
	}
	s := drivers.NoopStorage{}
	if s.Validate(ctx, task) != nil || s.AttachVolumes(ctx, task) != nil || s.DetachVolumes(ctx, task) != nil ||
		!s.ShouldWriteImage(ctx, task) {
		t.Error("noop storage")
	}
}

func TestRoutes(t *testing.T) {
	var got []string
	routes := map[string]drivers.Route{
		"async": {HTTPMethods: []string{"post", "Put"}, Func: func(_ context.Context, _ *drivers.Task, m string, info map[string]any) (any, error) {
			got = append(got, m)
			return info["x"], nil
		}},
		"sync": {HTTPMethods: []string{"GET"}, Sync: true, Description: "d", Attach: true, SharedLock: true,
			Func: func(context.Context, *drivers.Task, string, map[string]any) (any, error) {
				return nil, errors.New("boom")
			}},
		"ironic": {HTTPMethods: []string{"GET"}, Func: func(context.Context, *drivers.Task, string, map[string]any) (any, error) {
			return nil, exception.MissingParameterValue("need x")
		}},
		"nofunc": {HTTPMethods: []string{"GET"}},
	}
	wantNode := map[string]any{
		"async":  map[string]any{"http_methods": []string{"POST", "PUT"}, "async": true, "description": "", "attach": false, "require_exclusive_lock": true},
		"sync":   map[string]any{"http_methods": []string{"GET"}, "async": false, "description": "d", "attach": true, "require_exclusive_lock": false},
		"ironic": map[string]any{"http_methods": []string{"GET"}, "async": true, "description": "", "attach": false, "require_exclusive_lock": true},
		"nofunc": map[string]any{"http_methods": []string{"GET"}, "async": true, "description": "", "attach": false, "require_exclusive_lock": true},
	}
	if d := cmp.Diff(wantNode, drivers.NodeRoutesMetadata(routes)); d != "" {
		t.Errorf("node metadata (-want +got):\n%s", d)
	}
	for name, m := range drivers.DriverRoutesMetadata(routes) {
		if _, ok := m.(map[string]any)["require_exclusive_lock"]; ok {
			t.Errorf("driver route %s has require_exclusive_lock", name)
		}
	}
	r, method, err := drivers.FindRoute(routes, "async", "put")
	if err != nil || method != "PUT" || !r.Async() || !r.RequireExclusiveLock() {
		t.Fatalf("FindRoute: %v %q %v", err, method, r)
	}
	if res, err := r.Call(t.Context(), nil, method, map[string]any{"x": 1}); err != nil || res != 1 || got[0] != "PUT" {
		t.Fatalf("Call: %v %v %v", res, err, got)
	}
	_, _, err = drivers.FindRoute(routes, "missing", "POST")
	wantErr(t, err, exception.ErrInvalidParameterValue, "No handler for method missing")
	_, _, err = drivers.FindRoute(routes, "nofunc", "GET")
	wantErr(t, err, exception.ErrInvalidParameterValue, "No handler for method nofunc")
	_, _, err = drivers.FindRoute(routes, "sync", "post")
	wantErr(t, err, exception.ErrInvalidParameterValue, "The method sync does not support HTTP POST")

	_, err = routes["sync"].Call(t.Context(), nil, "GET", nil)
	wantErr(t, err, exception.ErrVendorPassthruException, "boom")
	_, err = routes["ironic"].Call(t.Context(), nil, "GET", nil)
	wantErr(t, err, exception.ErrMissingParameterValue, "need x")
	if _, err := routes["nofunc"].Call(t.Context(), nil, "GET", nil); err == nil {
		t.Error("route without a function ran")
	}
}

func TestRAIDValidation(t *testing.T) {
	disk := func(kv ...any) map[string]any {
		d := map[string]any{"raid_level": "1", "size_gb": int64(100)}
		for i := 0; i < len(kv); i += 2 {
			if kv[i+1] == nil {
				delete(d, kv[i].(string))
			} else {
				d[kv[i].(string)] = kv[i+1]
			}
		}
		return d
	}
	cfg := func(disks ...any) map[string]any { return map[string]any{"logical_disks": disks} }
	valid := []map[string]any{
		cfg(disk()),
		cfg(disk("size_gb", "MAX", "is_root_volume", true), disk("raid_level", "JBOD", "size_gb", int64(0))),
		cfg(disk("volume_name", "v", "share_physical_disks", false, "disk_type", "ssd", "interface_type", "sas",
			"number_of_physical_disks", int64(2), "controller", "c0", "physical_disks", []any{"a", "b"})),
		cfg(disk("controller", "c0", "physical_disks", []any{map[string]any{}, map[string]any{}})),
		cfg(disk("size_gb", json.Number("10"))),
		cfg(disk("size_gb", float64(10))),
	}
	for i, c := range valid {
		if err := drivers.ValidateRAIDConfig(c); err != nil {
			t.Errorf("valid config %d: %v", i, err)
		}
	}
	invalid := []struct {
		cfg map[string]any
		msg string
	}{
		{nil, "None is not of type 'object'"},
		{map[string]any{}, "'logical_disks' is a required property"},
		{map[string]any{"logical_disks": []any{disk()}, "foo": 1}, "Additional properties are not allowed ('foo' was unexpected)"},
		{map[string]any{"logical_disks": "x"}, "'x' is not of type 'array'"},
		{cfg(), "[] is too short"},
		{cfg("x"), "'x' is not of type 'object'"},
		{cfg(disk("raid_level", nil)), "'raid_level' is a required property"},
		{cfg(disk("size_gb", nil)), "'size_gb' is a required property"},
		{cfg(disk("a", 1, "b", 2)), "Additional properties are not allowed ('a', 'b' were unexpected)"},
		{cfg(disk("physical_disks", []any{"a"})), "'controller' is a dependency of 'physical_disks'"},
		{cfg(disk("raid_level", "7")), "'7' is not one of ['JBOD', '0', '1', '2', '5', '6', '1+0', '5+0', '6+0']"},
		{cfg(disk("raid_level", int64(1))), "1 is not of type 'string'"},
		{cfg(disk("size_gb", "big")), "'big' is not one of ['MAX']"},
		{cfg(disk("size_gb", int64(-1))), "-1 is less than the minimum of 0"},
		{cfg(disk("size_gb", true)), "True is not valid under any of the given schemas"},
		{cfg(disk("size_gb", 1.5)), "1.5 is not valid under any of the given schemas"},
		{cfg(disk("volume_name", int64(3))), "3 is not of type 'string'"},
		{cfg(disk("is_root_volume", "yes")), "'yes' is not of type 'boolean'"},
		{cfg(disk("disk_type", "nvme")), "'nvme' is not one of ['hdd', 'ssd']"},
		{cfg(disk("interface_type", "usb")), "'usb' is not one of ['sata', 'scsi', 'sas']"},
		{cfg(disk("number_of_physical_disks", int64(0))), "0 is less than or equal to the minimum of 0"},
		{cfg(disk("number_of_physical_disks", "2")), "'2' is not of type 'integer'"},
		{cfg(disk("controller", "c", "physical_disks", "a")), "'a' is not valid under any of the given schemas"},
		{cfg(disk("controller", "c", "physical_disks", []any{map[string]any{"x": true}})), "{'x': True} is not of type 'string'"},
		{cfg(disk("controller", "c", "physical_disks", []any{"a", map[string]any{}})), "['a', {}] is not valid under any of the given schemas"},
		// Shallow errors win over deeper ones; anyOf errors lose to others.
		{cfg(disk("raid_level", "7"), disk("size_gb", nil)), "'size_gb' is a required property"},
		{cfg(disk("size_gb", "x"), disk("disk_type", "x")), "'x' is not one of ['hdd', 'ssd']"},
		{map[string]any{"logical_disks": []any{}, "foo": 1}, "Additional properties are not allowed ('foo' was unexpected)"},
		{cfg(disk("raid_level", "7"), disk("volume_name", int64(3))), "3 is not of type 'string'"},
		{cfg(disk("size_gb", nil), "x"), "'x' is not of type 'object'"},
		{cfg(map[string]any{}), "'raid_level' is a required property"},
	}
	for _, tt := range invalid {
		err := drivers.ValidateRAIDConfig(tt.cfg)
		wantErr(t, err, exception.ErrInvalidParameterValue, "RAID config validation error: "+tt.msg)
	}
	err := drivers.ValidateRAIDConfig(cfg(disk("is_root_volume", true), disk("is_root_volume", true)))
	wantErr(t, err, exception.ErrInvalidParameterValue, "Raid config cannot have more than one root volume. 2 root volumes were specified")

	if len(drivers.LogicalDiskProperties()) != 10 {
		t.Errorf("%d logical disk properties", len(drivers.LogicalDiskProperties()))
	}
	task := fakeTask()
	if err := drivers.ValidateTargetRAIDConfig(t.Context(), task, fake.RAID{}); err != nil {
		t.Errorf("empty target: %v", err)
	}
	task.Node.TargetRAIDConfig = map[string]any{"logical_disks": []any{}}
	if err := drivers.ValidateTargetRAIDConfig(t.Context(), task, fake.RAID{}); !errors.Is(err, exception.ErrInvalidParameterValue) {
		t.Errorf("invalid target: %v", err)
	}
}

func TestCleanSteps(t *testing.T) {
	step := func(name string, prio int, it drivers.InterfaceType) drivers.CleanStep {
		return drivers.CleanStep{Step: name, Priority: prio, Interface: it}
	}
	pw := &stepper{stub: stub{steps: []drivers.CleanStep{step("p10", 10, power), step("p0", 0, power)}}}
	mg := &stepper{stub: stub{steps: []drivers.CleanStep{step("m10", 10, management), step("m20", 20, management)}}}
	dp := &stepper{stub: stub{steps: []drivers.CleanStep{step("d10a", 10, deploy), step("d10b", 10, deploy), step("d99", 99, deploy)}}}
	rd := &stepper{stub: stub{steps: []drivers.CleanStep{step("r10", 10, raid)}}}
	d := &drivers.Driver{Power: pw, Management: mg, Deploy: dp, RAID: rd, Boot: &stub{}}
	names := func(steps []drivers.CleanStep) []string {
		var out []string
		for _, s := range steps {
			out = append(out, s.Step)
		}
		return out
	}
	all, err := d.CleanSteps(t.Context(), fakeTask(), false)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"d99", "m20", "p10", "m10", "d10a", "d10b", "r10", "p0"}, names(all)); diff != "" {
		t.Errorf("all steps (-want +got):\n%s", diff)
	}
	enabled, _ := d.CleanSteps(t.Context(), fakeTask(), true)
	if len(enabled) != 7 {
		t.Errorf("enabled steps %v", names(enabled))
	}
	if _, err := d.ExecuteCleanStep(t.Context(), fakeTask(), step("d10b", 10, deploy)); err != nil || dp.ran[0] != "d10b" {
		t.Errorf("ExecuteCleanStep: %v %v", err, dp.ran)
	}
	_, err = d.ExecuteCleanStep(t.Context(), fakeTask(), step("x", 1, boot))
	if !errors.Is(err, exception.ErrInvalidParameterValue) {
		t.Errorf("step on a non-stepper: %v", err)
	}
	// Fake-hardware has no clean steps.
	r := newRegistry(t, fakeConfig())
	fd, _ := r.DriverFor(node("fake-hardware", nil))
	if steps, err := fd.CleanSteps(t.Context(), fakeTask(), false); err != nil || len(steps) != 0 {
		t.Errorf("fake steps %v %v", steps, err)
	}
}

func TestCleanStepMap(t *testing.T) {
	s := drivers.CleanStep{Step: "erase_devices", Priority: 10, Abortable: true, Interface: deploy,
		ArgsInfo: map[string]any{"x": map[string]any{"required": false}}}
	m := s.Map()
	want := map[string]any{"step": "erase_devices", "priority": int64(10), "abortable": true, "interface": "deploy",
		"argsinfo": map[string]any{"x": map[string]any{"required": false}}}
	if d := cmp.Diff(want, m); d != "" {
		t.Errorf("(-want +got):\n%s", d)
	}
	if m := (drivers.CleanStep{Step: "s", Interface: raid, Args: map[string]any{"a": 1}}).Map(); m["argsinfo"] != nil || m["args"] == nil {
		t.Errorf("map %v", m)
	}
	back, err := drivers.CleanStepFromMap(m)
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(s, back); d != "" {
		t.Errorf("round trip (-want +got):\n%s", d)
	}
	manual, err := drivers.CleanStepFromMap(map[string]any{"interface": "raid", "step": "create_configuration",
		"args": map[string]any{"create_root_volume": false}, "priority": float64(0)})
	if err != nil || manual.Interface != raid || manual.Args["create_root_volume"] != false {
		t.Errorf("manual step %+v %v", manual, err)
	}
	for _, bad := range []map[string]any{{"step": 1}, {"interface": 1}, {"priority": "x"}, {"abortable": "x"},
		{"argsinfo": "x"}, {"args": []any{}}} {
		if _, err := drivers.CleanStepFromMap(bad); !errors.Is(err, exception.ErrInvalidParameterValue) {
			t.Errorf("%v: %v", bad, err)
		}
	}
}

func TestValidateInterfaces(t *testing.T) {
	d := &drivers.Driver{
		Power:      &stub{},
		Deploy:     &stub{validate: exception.MissingParameterValue("deploy needs x")},
		Console:    drivers.NoConsole{},
		Management: &stub{validate: fmt.Errorf("wrapped: %w", exception.InvalidParameterValue("bad mgmt"))},
		Boot:       &stub{validate: errors.New("kaboom")},
		Vendor:     drivers.NoVendor{},
	}
	got := d.ValidateInterfaces(t.Context(), fakeTask(), "cond-1")
	ns := map[string]any{"result": nil, "reason": "not supported"}
	want := map[string]any{
		"power":      map[string]any{"result": true},
		"deploy":     map[string]any{"result": false, "reason": "deploy needs x"},
		"console":    map[string]any{"result": false, "reason": "Driver fake-hardware does not support console (disabled or not implemented)."},
		"management": map[string]any{"result": false, "reason": "bad mgmt"},
		"boot": map[string]any{"result": false, "reason": "Unexpected exception, traceback saved into log by ironic " +
			"conductor service that is running on cond-1: kaboom"},
		"inspect": ns, "network": ns, "raid": ns, "storage": ns,
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

type host struct{ calls []string }

func (h *host) UpgradeLock(context.Context) error { h.calls = append(h.calls, "upgrade"); return nil }
func (h *host) SaveNode(context.Context) error    { h.calls = append(h.calls, "save"); return nil }
func (h *host) Spawn(ctx context.Context, fn func(context.Context) error) error {
	h.calls = append(h.calls, "spawn")
	return fn(ctx)
}
func (h *host) ProcessEvent(_ context.Context, e, tgt string) error {
	h.calls = append(h.calls, "event "+e+" "+tgt)
	return nil
}

func TestTask(t *testing.T) {
	task := &drivers.Task{}
	ctx := t.Context()
	for _, err := range []error{task.UpgradeLock(ctx), task.SaveNode(ctx), task.ProcessEvent(ctx, "done", ""),
		task.Spawn(ctx, func(context.Context) error { return nil })} {
		if !errors.Is(err, drivers.ErrNoHost) {
			t.Errorf("without host: %v", err)
		}
	}
	if task.NodeUUID() != "" || task.DriverName() != "" {
		t.Error("empty task names")
	}
	h := &host{}
	task = fakeTask()
	task.Host = h
	task.Shared = true
	wantErr(t, task.RequireExclusive(), exception.ErrExclusiveLockRequired,
		"An exclusive lock is required, but the current context has a shared lock.")
	ran := false
	_ = task.UpgradeLock(ctx)
	_ = task.SaveNode(ctx)
	_ = task.Spawn(ctx, func(context.Context) error { ran = true; return nil })
	_ = task.ProcessEvent(ctx, "done", "manageable")
	if d := cmp.Diff([]string{"upgrade", "save", "spawn", "event done manageable"}, h.calls); d != "" || !ran {
		t.Errorf("host calls (-want +got):\n%s", d)
	}
	task.Shared = false
	if task.RequireExclusive() != nil || task.NodeUUID() == "" || task.DriverName() != "fake-hardware" {
		t.Error("exclusive task")
	}
}
