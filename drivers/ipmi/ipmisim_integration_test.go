//go:build integration

package ipmi

import (
	"context"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/bougou/go-ipmi/pkg/client"
	"github.com/bougou/go-ipmi/pkg/types"
	"github.com/rs/zerolog"

	"github.com/ironic-go/ironic-go/drivers"
	"github.com/ironic-go/ironic-go/objects/exception"
)

// Protocol fidelity against OpenIPMI's ipmi_sim, an independent BMC stack;
// what the BMC was told is read from its chassis-control state files and
// cross-checked with the ipmitool CLI.

func TestIPMISimPower(t *testing.T) {
	t.Parallel()
	sim := startIPMISim(t, "127.0.0.1")
	d := newTestDriver(t, testConfig(t), nil)
	task, _ := newTask(t, d, sim.driverInfo())
	ctx := t.Context()

	st, err := d.power.GetPowerState(ctx, task)
	if err != nil || st != drivers.PowerOff {
		t.Fatalf("initial state %q, %v", st, err)
	}
	if err := d.power.SetPowerState(ctx, task, drivers.PowerOn, 0); err != nil {
		t.Fatal(err)
	}
	if got := sim.state("power"); got != "1" {
		t.Fatalf("BMC power file %q after power on", got)
	}
	if out := ipmitool(t, sim.addr, sim.port, "chassis", "power", "status"); !strings.Contains(out, "Chassis Power is on") {
		t.Fatalf("ipmitool sees %q", out)
	}
	if err := d.power.Reboot(ctx, task, 0); err != nil {
		t.Fatal(err)
	}
	if got := sim.state("power"); got != "1" {
		t.Fatalf("BMC power file %q after reboot", got)
	}
	if err := d.power.SetPowerState(ctx, task, drivers.SoftPowerOff, 0); err != nil {
		t.Fatal(err)
	}
	if got := sim.state("power"); got != "0" || !strings.Contains(sim.state("events"), "soft-off") {
		t.Fatalf("BMC power %q events %q after soft power off", got, sim.state("events"))
	}
	if err := d.power.SetPowerState(ctx, task, drivers.SoftReboot, 0); err != nil {
		t.Fatal(err)
	}
	if err := d.power.SetPowerState(ctx, task, drivers.PowerOff, 0); err != nil {
		t.Fatal(err)
	}
	if out := ipmitool(t, sim.addr, sim.port, "chassis", "power", "status"); !strings.Contains(out, "Chassis Power is off") {
		t.Fatalf("ipmitool sees %q", out)
	}
}

func TestIPMISimBootDevice(t *testing.T) {
	t.Parallel()
	sim := startIPMISim(t, "127.0.0.1")
	d := newTestDriver(t, testConfig(t), nil)
	ctx := t.Context()
	for _, tc := range []struct {
		mode, device, ipmitoolSays string
		persistent                 bool
	}{
		{BootModeUEFI, drivers.BootDevicePXE, "Force PXE", true},
		{BootModeUEFI, drivers.BootDeviceDisk, "Force Boot from default Hard-Drive", false},
		{BootModeBIOS, drivers.BootDeviceCDROM, "Force Boot from CD/DVD", true},
		{BootModeBIOS, drivers.BootDeviceBIOS, "Force Boot into BIOS Setup", false},
	} {
		task, _ := newTask(t, d, sim.driverInfo())
		task.Node.Properties["capabilities"] = "boot_mode:" + tc.mode
		if err := d.management.SetBootDevice(ctx, task, tc.device, tc.persistent); err != nil {
			t.Fatalf("%s %s: %v", tc.mode, tc.device, err)
		}
		out := ipmitool(t, sim.addr, sim.port, "chassis", "bootparam", "get", "5")
		if !strings.Contains(out, "Boot Device Selector : "+tc.ipmitoolSays+"\n") {
			t.Fatalf("%s %s: ipmitool reads\n%s", tc.mode, tc.device, out)
		}
		bd, err := d.management.GetBootDevice(ctx, task)
		if err != nil || bd.Device != tc.device {
			t.Fatalf("%s %s: get boot device %+v, %v", tc.mode, tc.device, bd, err)
		}
	}
	// ipmi_sim refuses the safe-mode selector with 0xff.
	task, _ := newTask(t, d, sim.driverInfo())
	task.Node.Properties["capabilities"] = "boot_mode:bios"
	err := d.management.SetBootDevice(ctx, task, drivers.BootDeviceSafe, false)
	wantExc(t, err, exception.ErrIPMIFailure, "IPMI call failed: chassis bootdev safe.")

	// ipmi_sim keeps the device but drops the valid, persistent and EFI
	// bits: a persistent device reads back as one-time.
	task, _ = newTask(t, d, sim.driverInfo())
	if err := d.management.SetBootDevice(ctx, task, drivers.BootDevicePXE, true); err != nil {
		t.Fatal(err)
	}
	if got := sim.state("boot"); got != "pxe" {
		t.Fatalf("BMC boot file %q", got)
	}
	bd, err := d.management.GetBootDevice(ctx, task)
	if err != nil || bd.Device != drivers.BootDevicePXE || bd.Persistent == nil || *bd.Persistent {
		t.Fatalf("get boot device %+v, %v", bd, err)
	}
}

func TestIPMISimNMIRefused(t *testing.T) {
	t.Parallel()
	sim := startIPMISim(t, "127.0.0.1")
	d := newTestDriver(t, testConfig(t), nil)
	task, _ := newTask(t, d, sim.driverInfo())
	start := time.Now()
	err := d.management.InjectNMI(t.Context(), task)
	wantExc(t, err, exception.ErrIPMIFailure, "IPMI call failed: power diag.")
	if !strings.Contains(err.Error(), "0xcc") {
		t.Fatalf("cause lost: %v", err)
	}
	t.Logf("refused in %s", time.Since(start))
}

func TestIPMISimAuthFailure(t *testing.T) {
	t.Parallel()
	sim := startIPMISim(t, "127.0.0.1")
	logs := &syncBuffer{}
	cfg := testConfig(t)
	cfg.Debug = true
	cfg.Logger = zerolog.New(io.MultiWriter(logs, zerolog.NewTestWriter(t))).Level(zerolog.DebugLevel)
	d := newTestDriver(t, cfg, nil)
	info := sim.driverInfo()
	const wrong = "wr0ng-Pa55word-x"
	info["ipmi_password"] = wrong
	task, _ := newTask(t, d, info)
	task.Log = cfg.Logger
	start := time.Now()
	_, err := d.power.GetPowerState(t.Context(), task)
	wantExc(t, err, exception.ErrIPMIFailure, "IPMI call failed: power status.")
	if time.Since(start) > cfg.CommandRetryTimeout {
		t.Fatalf("an authentication failure was retried for %s", time.Since(start))
	}
	for _, s := range []string{err.Error(), fmt.Sprintf("%v %+v %#v", err, err, err), logs.String()} {
		if strings.Contains(s, wrong) || strings.Contains(s, simPass) {
			t.Fatalf("password leaked: %s", s)
		}
	}
	if !strings.Contains(logs.String(), "IPMI error") {
		t.Fatalf("failure not logged:\n%s", logs.String())
	}
}

// TestIPMISimSessionLimit fills the BMC's 63 session slots: the driver
// retries "insufficient resources for session" until a slot frees, and
// leaves no session behind once closed.
func TestIPMISimSessionLimit(t *testing.T) {
	t.Parallel()
	sim := startIPMISim(t, "127.0.0.1")
	ctx := t.Context()
	hogs := make([]*client.Client, 0, 64)
	closeHogs := func() {
		for _, c := range hogs {
			cctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
			_ = c.Close(cctx)
			cancel()
		}
		hogs = hogs[:0]
	}
	t.Cleanup(closeHogs)
	fill := func() int {
		for len(hogs) < 70 {
			c, err := client.NewClient(sim.addr, sim.port, simUser, simPass)
			if err != nil {
				t.Fatal(err)
			}
			c.WithCipherSuiteID(types.CipherSuiteID(3)).WithTimeout(time.Second).WithRetry(0)
			if err := c.Connect(ctx); err != nil {
				if !noSessionResources(err) {
					t.Fatalf("session %d: want insufficient resources, got %v", len(hogs)+1, err)
				}
				cctx, cancel := context.WithCancel(ctx)
				cancel()
				_ = c.Close(cctx)
				return len(hogs)
			}
			hogs = append(hogs, c)
		}
		t.Fatal("the BMC accepted more than 70 sessions")
		return 0
	}
	if n := fill(); n != 63 {
		t.Fatalf("the BMC accepted %d sessions, want 63", n)
	}
	cfg := testConfig(t)
	cfg.CommandRetryTimeout = 20 * time.Second
	cfg.MinCommandInterval = 200 * time.Millisecond
	d := newTestDriver(t, cfg, nil)
	task, _ := newTask(t, d, sim.driverInfo())
	done := make(chan error, 1)
	go func() {
		_, err := d.power.GetPowerState(ctx, task)
		done <- err
	}()
	time.Sleep(time.Second)
	select {
	case err := <-done:
		t.Fatalf("got a session while the BMC was full: %v", err)
	default:
	}
	last := hogs[len(hogs)-1]
	hogs = hogs[:len(hogs)-1]
	cctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	if err := last.Close(cctx); err != nil {
		t.Fatal(err)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("no retry once a slot freed: %v", err)
	}
	if n := d.pool.sessions(); n != 1 {
		t.Fatalf("driver holds %d sessions, want 1", n)
	}
	closeHogs()
	if err := d.Close(); err != nil {
		t.Fatal(err)
	}
	// Every slot is free again: neither the driver nor the failed
	// attempts leaked one.
	if n := fill(); n != 63 {
		t.Fatalf("after close the BMC accepts %d sessions, want 63", n)
	}
}

func TestIPMISimRestart(t *testing.T) {
	t.Parallel()
	sim := startIPMISim(t, "127.0.0.1")
	d := newTestDriver(t, testConfig(t), nil)
	task, _ := newTask(t, d, sim.driverInfo())
	ctx := t.Context()
	if err := d.power.SetPowerState(ctx, task, drivers.PowerOn, 0); err != nil {
		t.Fatal(err)
	}
	task.Node.Properties["capabilities"] = "boot_mode:bios"
	if err := d.management.SetBootDevice(ctx, task, drivers.BootDeviceCDROM, true); err != nil {
		t.Fatal(err)
	}
	sim.restart() // the driver's session is gone with it
	st, err := d.power.GetPowerState(ctx, task)
	if err != nil || st != drivers.PowerOn {
		t.Fatalf("after restart: %q, %v", st, err)
	}
	bd, err := d.management.GetBootDevice(ctx, task)
	if err != nil || bd.Device != drivers.BootDeviceCDROM {
		t.Fatalf("after restart: %+v, %v", bd, err)
	}
	// State the BMC holds while the driver is away is what it reads.
	sim.stop()
	sim.setState("power", "0")
	sim.restart()
	if st, err := d.power.GetPowerState(ctx, task); err != nil || st != drivers.PowerOff {
		t.Fatalf("after an offline change: %q, %v", st, err)
	}
}

func TestIPMISimProtocol15(t *testing.T) {
	t.Parallel()
	sim := startIPMISim(t, "127.0.0.1")
	d := newTestDriver(t, testConfig(t), nil)
	info := sim.driverInfo()
	delete(info, "ipmi_cipher_suite")
	info["ipmi_protocol_version"] = "1.5"
	task, _ := newTask(t, d, info)
	if err := d.power.SetPowerState(t.Context(), task, drivers.PowerOn, 0); err != nil {
		t.Fatal(err)
	}
	if got := sim.state("power"); got != "1" {
		t.Fatalf("BMC power file %q", got)
	}
}
