package ipmi

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/google/go-cmp/cmp"
	"go.uber.org/goleak"

	"github.com/ironic-go/ironic-go/drivers"
	"github.com/ironic-go/ironic-go/drivers/fake"
	"github.com/ironic-go/ironic-go/objects/exception"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// fakeBMC is an in-process BMC behind the bmcClient interface, for the
// paths a simulator cannot reach or time (pacing, session ageing).
type fakeBMC struct {
	mu       sync.Mutex
	power    bool
	flags    []byte
	requests []string // "netfn/cmd data retransmit"
	at       []time.Time
	connects int
	closes   int
	open     int
	failNext []error // errors for the next requests
	connErr  []error // errors for the next connects
}

type fakeClient struct{ b *fakeBMC }

func (b *fakeBMC) dial(credentials, Config) (bmcClient, error) { return &fakeClient{b: b}, nil }

func (c *fakeClient) Connect(context.Context) error {
	c.b.mu.Lock()
	defer c.b.mu.Unlock()
	c.b.connects++
	if len(c.b.connErr) > 0 {
		err := c.b.connErr[0]
		c.b.connErr = c.b.connErr[1:]
		return err
	}
	c.b.open++
	return nil
}

func (c *fakeClient) Close(ctx context.Context) error {
	c.b.mu.Lock()
	defer c.b.mu.Unlock()
	c.b.closes++
	if c.b.open > 0 {
		c.b.open--
	}
	return nil
}

func (c *fakeClient) Raw(_ context.Context, netfn, cmd uint8, data []byte, retransmit bool) ([]byte, error) {
	b := c.b
	b.mu.Lock()
	defer b.mu.Unlock()
	b.requests = append(b.requests, fmt.Sprintf("%02x/%02x % x %v", netfn, cmd, data, retransmit))
	b.at = append(b.at, time.Now())
	if len(b.failNext) > 0 {
		err := b.failNext[0]
		b.failNext = b.failNext[1:]
		if err != nil {
			return nil, err
		}
	}
	switch {
	case netfn == netfnChassis && cmd == cmdGetChassisStatus:
		if b.power {
			return []byte{1, 0, 0}, nil
		}
		return []byte{0, 0, 0}, nil
	case netfn == netfnChassis && cmd == cmdChassisControl:
		switch data[0] {
		case ctlPowerUp:
			b.power = true
		case ctlPowerDown, ctlSoftShutdown:
			b.power = false
		}
	case netfn == netfnChassis && cmd == cmdSetBootOptions && data[0] == bootParamBootFlags:
		b.flags = append([]byte(nil), data[1:]...)
	case netfn == netfnChassis && cmd == cmdGetBootOptions:
		return append([]byte{1, 5}, b.flags...), nil
	}
	return nil, nil
}

func (b *fakeBMC) log() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]string(nil), b.requests...)
}

func (b *fakeBMC) reset() {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.requests, b.at = nil, nil
}

var fakeInfo = map[string]any{"ipmi_address": "192.0.2.10", "ipmi_username": "admin", "ipmi_password": "pw-Secret-1"}

func TestDriverInfo(t *testing.T) {
	d := newTestDriver(t, testConfig(t), (&fakeBMC{}).dial)
	with := func(kv ...any) map[string]any {
		m := map[string]any{"ipmi_address": "192.0.2.10"}
		for i := 0; i < len(kv); i += 2 {
			m[kv[i].(string)] = kv[i+1]
		}
		return m
	}
	bad := []struct {
		name  string
		info  map[string]any
		class *exception.Error
		msg   string
	}{
		{"no address", map[string]any{}, exception.ErrMissingParameterValue,
			"Missing the following IPMI credentials in node's driver_info: ['ipmi_address']."},
		{"empty address", map[string]any{"ipmi_address": ""}, exception.ErrMissingParameterValue,
			"Missing the following IPMI credentials in node's driver_info: ['ipmi_address']."},
		{"protocol", with("ipmi_protocol_version", "3.0"), exception.ErrInvalidParameterValue,
			"Invalid IPMI protocol version value 3.0, the valid value can be one of 2.0, 1.5"},
		{"port", with("ipmi_port", "x623"), exception.ErrInvalidParameterValue, `ipmi_port "x623" is not a valid port.`},
		{"port range", with("ipmi_port", int64(70000)), exception.ErrInvalidParameterValue, `ipmi_port "70000" is not a valid port.`},
		{"terminal port", with("ipmi_terminal_port", "abc"), exception.ErrInvalidParameterValue,
			`ipmi_terminal_port "abc" is not a valid port.`},
		{"bridging", with("ipmi_bridging", "triple"), exception.ErrInvalidParameterValue,
			"Invalid value for ipmi_bridging: triple, the valid value can be one of: ['single', 'dual', 'no']"},
		{"bridging single", with("ipmi_bridging", "single"), exception.ErrInvalidParameterValue,
			"Value for ipmi_bridging is provided as single, but IPMI bridging is not supported by the IPMI utility " +
				"installed on host. Ensure ipmitool version is > 1.8.11"},
		{"priv", with("ipmi_priv_level", "ROOT"), exception.ErrInvalidParameterValue,
			"Invalid privilege level value:ROOT, the valid value can be one of ADMINISTRATOR, CALLBACK, OPERATOR, USER"},
		{"kg odd", with("ipmi_hex_kg_key", "abc"), exception.ErrInvalidParameterValue,
			"Number of ipmi_hex_kg_key characters is not even"},
		{"kg", with("ipmi_hex_kg_key", "abcd"), exception.ErrInvalidParameterValue, ""},
		{"cipher", with("ipmi_cipher_suite", "three"), exception.ErrInvalidParameterValue,
			"Invalid cipher suite three, expected a number"},
		{"cipher 1.5", with("ipmi_cipher_suite", int64(3), "ipmi_protocol_version", "1.5"), exception.ErrInvalidParameterValue,
			"Cipher suites cannot be used with IPMI 1.5"},
	}
	for _, tc := range bad {
		task, _ := newTask(t, d, tc.info)
		for _, v := range []drivers.Validator{d.power, d.management} {
			wantExc(t, v.Validate(t.Context(), task), tc.class, tc.msg)
		}
	}
	good := []struct {
		name string
		info map[string]any
		want string
	}{
		{"minimal", with(), " @192.0.2.10:623 (priv ADMINISTRATOR, IPMI 2.0)"},
		{"full", with("ipmi_port", "1623", "ipmi_username", "u", "ipmi_password", "p", "ipmi_priv_level", "OPERATOR",
			"ipmi_cipher_suite", "17", "ipmi_bridging", "no", "ipmi_terminal_port", int64(9000)), " u@192.0.2.10:1623 (priv OPERATOR, IPMI 2.0)"},
		{"port float", with("ipmi_port", 1623.0), " @192.0.2.10:1623 (priv ADMINISTRATOR, IPMI 2.0)"},
		{"v1.5", with("ipmi_protocol_version", "1.5"), " @192.0.2.10:623 (priv ADMINISTRATOR, IPMI 1.5)"},
		{"ipv6", with("ipmi_address", "2001:db8::1"), " @[2001:db8::1]:623 (priv ADMINISTRATOR, IPMI 2.0)"},
	}
	for _, tc := range good {
		task, _ := newTask(t, d, tc.info)
		info, err := d.info(task)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if got := strings.TrimPrefix(info.String(), "ipmi"); got != tc.want {
			t.Errorf("%s: %q, want %q", tc.name, got, tc.want)
		}
	}
}

func TestPropertiesAndCatalog(t *testing.T) {
	d := newTestDriver(t, testConfig(t), (&fakeBMC{}).dial)
	props := d.power.Properties()
	if len(props) != 16 || props["ipmi_address"] != "IP address or hostname of the node. Required." {
		t.Fatalf("%d properties: %v", len(props), props)
	}
	reg, err := drivers.NewRegistry(drivers.Config{EnabledHardwareTypes: []string{HardwareTypeName},
		EnabledInterfaces: map[drivers.InterfaceType][]string{
			drivers.InterfaceVendor: {Name, drivers.NoVendorName}, drivers.InterfacePower: {Name, fake.Name},
		}}, drivers.NoopCatalog(), fake.Catalog(), d.Catalog())
	if err != nil {
		t.Fatal(err)
	}
	got, err := reg.Properties(HardwareTypeName)
	if err != nil || !cmp.Equal(got, CommonProperties()) {
		t.Fatalf("registry properties: %v", cmp.Diff(CommonProperties(), got))
	}
	for _, it := range []drivers.InterfaceType{drivers.InterfacePower, drivers.InterfaceManagement, drivers.InterfaceVendor} {
		if def, err := reg.DefaultInterface(HardwareTypeName, it); err != nil || def != Name {
			t.Errorf("default %s: %q %v", it, def, err)
		}
	}
	if _, err := reg.Interface(HardwareTypeName, drivers.InterfaceVendor, drivers.NoVendorName); err != nil {
		t.Error(err)
	}
	_, err = reg.Interface(HardwareTypeName, drivers.InterfacePower, fake.Name)
	wantExc(t, err, exception.ErrIncompatibleInterface, "")
	meta := drivers.NodeRoutesMetadata(d.vendor.Routes())
	want := map[string]any{
		"send_raw": map[string]any{"http_methods": []string{"POST"}, "async": true, "attach": false,
			"require_exclusive_lock": true, "description": "Send raw bytes to the BMC. Required argument: 'raw_bytes' " +
				"- a string of raw bytes (e.g. '0x00 0x01')."},
		"bmc_reset": map[string]any{"http_methods": []string{"POST"}, "async": true, "attach": false,
			"require_exclusive_lock": true, "description": "Reset the BMC. Required argument: 'warm' (Boolean) - " +
				"for warm (True) or cold (False) reset."},
	}
	if diff := cmp.Diff(want, meta); diff != "" {
		t.Fatal(diff)
	}
}

func TestSetBootDeviceRequests(t *testing.T) {
	b := &fakeBMC{}
	d := newTestDriver(t, testConfig(t), b.dial)
	ctx := t.Context()
	for _, tc := range []struct {
		name   string
		setup  func(*drivers.Task)
		device string
		pers   bool
		want   []string
	}{
		{"uefi default", nil, "pxe", true, []string{"00/08 03 08 true", "00/08 05 e0 04 00 00 00 true"}},
		{"uefi once", nil, "cdrom", false, []string{"00/08 03 08 true", "00/08 05 a0 14 00 00 00 true"}},
		{"supermicro uefi disk", func(t *drivers.Task) { t.Node.Properties["vendor"] = "SuperMicro" }, "disk", false,
			[]string{"00/08 03 08 true", "00/08 05 a0 24 00 00 00 true"}},
		{"bios persistent", func(t *drivers.Task) { t.Node.Properties["capabilities"] = "boot_mode:bios" }, "bios", true,
			[]string{"00/08 03 08 true", "00/08 00 01 true", "00/08 04 01 01 true", "00/08 05 c0 18 00 00 00 true", "00/08 00 00 true"}},
		{"no timeout command", func(t *drivers.Task) { t.Node.DriverInfo["ipmi_disable_boot_timeout"] = "False" }, "safe", false,
			[]string{"00/08 05 a0 0c 00 00 00 true"}},
		{"secure boot is uefi", func(t *drivers.Task) {
			t.Node.InstanceInfo["capabilities"] = `{"secure_boot": "true"}`
			t.Node.DriverInfo["ipmi_disable_boot_timeout"] = false
		}, "disk", false, []string{"00/08 05 a0 08 00 00 00 true"}},
	} {
		b.reset()
		task, _ := newTask(t, d, mapsClone(fakeInfo))
		if tc.setup != nil {
			tc.setup(task)
		}
		if err := d.management.SetBootDevice(ctx, task, tc.device, tc.pers); err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if diff := cmp.Diff(tc.want, b.log()); diff != "" {
			t.Errorf("%s: %s", tc.name, diff)
		}
	}
	task, _ := newTask(t, d, mapsClone(fakeInfo))
	task.Node.Properties["capabilities"] = "boot_mode:bios"
	task.Node.InstanceInfo["deploy_boot_mode"] = "uefi"
	err := d.management.SetBootDevice(ctx, task, "pxe", false)
	wantExc(t, err, exception.ErrInvalidParameterValue,
		fmt.Sprintf("Node %s boot mode uefi violates node properties/capabilities bios", task.NodeUUID()))
	task.Node.InstanceInfo["capabilities"] = "{not json"
	err = d.management.SetBootDevice(ctx, task, "pxe", false)
	wantExc(t, err, exception.ErrInvalidParameterValue, fmt.Sprintf("Error parsing capabilities from Node %s "+
		"instance_info field. A dictionary or a \"jsonified\" dictionary is expected.", task.NodeUUID()))
	task.Shared = true
	wantExc(t, d.management.SetBootDevice(ctx, task, "pxe", false), exception.ErrExclusiveLockRequired, "")
}

// TestForceBootDevice follows Ironic's ipmi_force_boot_device: the
// persistent device is remembered, sent one-time, and set again on every
// other power on.
func TestForceBootDevice(t *testing.T) {
	b := &fakeBMC{}
	cfg := testConfig(t)
	cfg.DisableBootTimeout = false
	d := newTestDriver(t, cfg, b.dial)
	ctx := t.Context()
	info := mapsClone(fakeInfo)
	info["ipmi_force_boot_device"] = "True"
	task, host := newTask(t, d, info)
	if err := d.management.SetBootDevice(ctx, task, "pxe", true); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"00/08 05 a0 04 00 00 00 true"}, b.log()); diff != "" {
		t.Fatal(diff)
	}
	if diff := cmp.Diff(map[string]any{"persistent_boot_device": "pxe"}, task.Node.DriverInternalInfo); diff != "" {
		t.Fatal(diff)
	}
	bd, err := d.management.GetBootDevice(ctx, task)
	if err != nil || bd.Device != "pxe" || !*bd.Persistent {
		t.Fatalf("%+v %v", bd, err)
	}
	reapplied := func() bool {
		for _, r := range b.log() {
			if strings.HasPrefix(r, "00/08 05") {
				return true
			}
		}
		return false
	}
	var got []bool
	for range 4 {
		b.reset()
		if err := d.power.SetPowerState(ctx, task, drivers.PowerOff, 0); err != nil {
			t.Fatal(err)
		}
		if err := d.power.SetPowerState(ctx, task, drivers.PowerOn, 0); err != nil {
			t.Fatal(err)
		}
		got = append(got, reapplied())
	}
	if diff := cmp.Diff([]bool{true, false, true, false}, got); diff != "" {
		t.Fatalf("boot device set again on power on: %s", diff)
	}
	if host.saves == 0 {
		t.Fatal("driver_internal_info never saved")
	}
}

func TestParseBootFlags(t *testing.T) {
	for _, tc := range []struct {
		reply []byte
		dev   string
		pers  bool
	}{
		{[]byte{1, 5, 0xe0, 0x04, 0, 0, 0}, "pxe", true},
		{[]byte{1, 5, 0x80, 0x08, 0, 0, 0}, "disk", false},
		{[]byte{1, 5, 0x00, 0x0c, 0, 0, 0}, "safe", false},
		{[]byte{1, 5, 0x40, 0x14, 0, 0, 0}, "cdrom", true},
		{[]byte{1, 5, 0x80, 0x18, 0, 0, 0}, "bios", false},
		{[]byte{1, 5, 0x80, 0x24, 0, 0, 0}, "", false},
		{[]byte{1, 5, 0x80, 0x00, 0, 0, 0}, "", false},
		{[]byte{1, 5}, "", false},
	} {
		bd := parseBootFlags(tc.reply)
		if bd.Device != tc.dev || *bd.Persistent != tc.pers {
			t.Errorf("% x: %+v", tc.reply, bd)
		}
	}
}

func TestParseRawBytes(t *testing.T) {
	netfn, cmd, data, err := parseRawBytes("0x00 0x08 0x05 0xe0 010 9")
	if err != nil || netfn != 0 || cmd != 8 || !cmp.Equal(data, []byte{5, 0xe0, 8, 9}) {
		t.Fatalf("%x %x % x %v", netfn, cmd, data, err)
	}
	for _, s := range []string{"", "0x00", "0x00 0x100", "0x00 zz"} {
		if _, _, _, err := parseRawBytes(s); err == nil {
			t.Errorf("%q accepted", s)
		}
	}
}

func TestPyHelpers(t *testing.T) {
	for _, tc := range []struct {
		v    any
		repr string
		n    int64
		ok   bool
	}{
		{"12", "'12'", 12, true}, {" -1_000 ", "' -1_000 '", -1000, true}, {"1__0", "'1__0'", 0, false},
		{int64(5), "5", 5, true}, {2.5, "2.5", 2, true}, {2.0, "2.0", 2, true}, {true, "True", 1, true},
		{nil, "None", 0, false}, {[]any{"a", int64(1)}, "['a', 1]", 0, false}, {"it's", `"it's"`, 0, false},
		{1e20, "1e+20", 0, false},
	} {
		if got := exception.PyRepr(tc.v); got != tc.repr {
			t.Errorf("repr %v: %q, want %q", tc.v, got, tc.repr)
		}
		if n, ok := pyInt(tc.v); ok != tc.ok || (ok && n != tc.n) {
			t.Errorf("int %v: %d %v", tc.v, n, ok)
		}
	}
	for v, want := range map[any]bool{"yes": true, " On ": true, "1": true, int64(1): true, "no": false, "2": false, nil: false, true: true} {
		if boolFromString(v) != want {
			t.Errorf("bool_from_string(%v) != %v", v, want)
		}
	}
}

func TestPasswordNeverPrinted(t *testing.T) {
	d := newTestDriver(t, testConfig(t), (&fakeBMC{}).dial)
	task, _ := newTask(t, d, mapsClone(fakeInfo))
	info, err := d.info(task)
	if err != nil {
		t.Fatal(err)
	}
	cr := d.credentials(info)
	for _, s := range []string{fmt.Sprint(info), fmt.Sprintf("%+v %#v", info, info), fmt.Sprint(cr),
		fmt.Sprintf("%+v %#v %v", cr, cr, info.password), fmt.Sprintf("%#v", *info)} {
		if strings.Contains(s, "pw-Secret-1") {
			t.Fatalf("password printed: %s", s)
		}
	}
}

// TestPacingAndSessions checks, on fake time, min_command_interval per
// BMC, one session reused then replaced when too old or when the
// credentials change, idle close, and Close.
func TestPacingAndSessions(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		b := &fakeBMC{}
		cfg := testConfig(t)
		cfg.MinCommandInterval = 5 * time.Second
		cfg.SessionMaxAge = 20 * time.Second
		cfg.SessionIdleTimeout = 10 * time.Second
		d, err := newDriver(cfg, b.dial)
		if err != nil {
			t.Fatal(err)
		}
		ctx := context.Background()
		task, _ := newTask(t, d, mapsClone(fakeInfo))
		for range 3 {
			if _, err := d.power.GetPowerState(ctx, task); err != nil {
				t.Fatal(err)
			}
		}
		if gap := b.at[2].Sub(b.at[1]); gap < 5*time.Second {
			t.Fatalf("commands %s apart, want min_command_interval", gap)
		}
		if b.connects != 1 {
			t.Fatalf("%d connects for 3 commands", b.connects)
		}
		// Another BMC is not paced by the first.
		other, _ := newTask(t, d, map[string]any{"ipmi_address": "192.0.2.11"})
		before := time.Now()
		if _, err := d.power.GetPowerState(ctx, other); err != nil {
			t.Fatal(err)
		}
		if time.Since(before) != 0 {
			t.Fatal("a different BMC waited")
		}
		// Sessions older than SessionMaxAge are replaced.
		for range 4 {
			if _, err := d.power.GetPowerState(ctx, task); err != nil {
				t.Fatal(err)
			}
		}
		if b.connects < 3 {
			t.Fatalf("session never replaced: %d connects", b.connects)
		}
		// New credentials, new session.
		c := b.connects
		task.Node.DriverInfo["ipmi_password"] = "changed"
		if _, err := d.power.GetPowerState(ctx, task); err != nil {
			t.Fatal(err)
		}
		if b.connects != c+1 {
			t.Fatal("credential change kept the old session")
		}
		// Idle sessions close.
		time.Sleep(cfg.SessionIdleTimeout + 2*time.Second)
		synctest.Wait()
		if b.open != 0 {
			t.Fatalf("%d sessions open after idling", b.open)
		}
		if _, err := d.power.GetPowerState(ctx, task); err != nil {
			t.Fatal(err)
		}
		if err := d.Close(); err != nil {
			t.Fatal(err)
		}
		if b.open != 0 {
			t.Fatalf("%d sessions open after Close", b.open)
		}
		if _, err := d.power.GetPowerState(ctx, task); !errors.Is(err, ErrClosed) {
			t.Fatalf("after Close: %v", err)
		}
	})
}

// TestRetries checks which failures are retried (on fake time).
func TestRetries(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		b := &fakeBMC{}
		cfg := testConfig(t)
		cfg.CommandRetryTimeout = 60 * time.Second
		cfg.MinCommandInterval = 5 * time.Second
		d, err := newDriver(cfg, b.dial)
		if err != nil {
			t.Fatal(err)
		}
		defer d.Close()
		ctx := context.Background()
		timeout := &net_timeout{}
		var task *drivers.Task
		cases := []struct {
			name     string
			connErr  []error
			fail     []error
			run      func() error
			requests int
			ok       bool
		}{
			{"no session slot", []error{&fakeSessionError{noResources: true, msg: "no slot"}}, nil,
				func() error { _, err := d.power.GetPowerState(ctx, task); return err }, 1, true},
			{"auth failure", []error{&fakeSessionError{msg: "RAKP authentication failed"}}, nil,
				func() error { _, err := d.power.GetPowerState(ctx, task); return err }, 0, false},
			{"lost reply, read", nil, []error{timeout, timeout},
				func() error { _, err := d.power.GetPowerState(ctx, task); return err }, 3, true},
			{"lost reply, NMI", nil, []error{timeout},
				func() error { return d.management.InjectNMI(ctx, task) }, 1, false},
			{"busy, NMI", nil, []error{&ccError{0xc0}},
				func() error { return d.management.InjectNMI(ctx, task) }, 2, true},
			{"invalid data, read", nil, []error{&ccError{0xcc}},
				func() error { _, err := d.power.GetPowerState(ctx, task); return err }, 1, false},
			{"busy forever", nil, repeat(&ccError{0xc0}, 100),
				func() error { _, err := d.power.GetPowerState(ctx, task); return err }, 12, false},
		}
		for i, tc := range cases {
			task, _ = newTask(t, d, map[string]any{"ipmi_address": fmt.Sprintf("192.0.2.%d", 20+i)})
			b.reset()
			b.connErr, b.failNext = tc.connErr, tc.fail
			err := tc.run()
			if (err == nil) != tc.ok {
				t.Errorf("%s: %v", tc.name, err)
			}
			if n := len(b.log()); n != tc.requests {
				t.Errorf("%s: %d requests, want %d", tc.name, n, tc.requests)
			}
			if err != nil && !errors.Is(err, exception.ErrIPMIFailure) {
				t.Errorf("%s: %v is not IPMIFailure", tc.name, err)
			}
		}
		b.failNext = nil
		d2, _ := newDriver(func() Config { c := cfg; c.AdditionalRetryableErrors = []string{"weird"}; return c }(), b.dial)
		defer d2.Close()
		b.reset()
		b.failNext = []error{errors.New("weird glitch")}
		task, _ = newTask(t, d, mapsClone(fakeInfo))
		if _, err := d2.power.GetPowerState(ctx, task); err != nil {
			t.Fatalf("additional retryable error not retried: %v", err)
		}
	})
}

// net_timeout is a net.Error timeout, as a lost UDP reply.
type net_timeout struct{}

func (*net_timeout) Error() string   { return "i/o timeout" }
func (*net_timeout) Timeout() bool   { return true }
func (*net_timeout) Temporary() bool { return true }

func repeat(err error, n int) []error {
	out := make([]error, n)
	for i := range out {
		out[i] = err
	}
	return out
}

func mapsClone(m map[string]any) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

func TestConfigValidate(t *testing.T) {
	if err := DefaultConfig().Validate(); err != nil {
		t.Fatal(err)
	}
	c := DefaultConfig()
	c.DefaultBootMode = "legacy"
	c.PacketTimeout = 0
	err := c.Validate()
	if !errors.Is(err, ErrConfig) || strings.Count(err.Error(), "\n") != 1 {
		t.Fatalf("%v", err)
	}
	c = DefaultConfig()
	c.SessionMaxAge = 28 * time.Second
	if err := c.Validate(); err == nil || !strings.Contains(err.Error(), "must stay under 30s") {
		t.Fatalf("%v", err)
	}
	if _, err := New(c); !errors.Is(err, ErrConfig) {
		t.Fatal(err)
	}
}
