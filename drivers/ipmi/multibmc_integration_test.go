//go:build integration

package ipmi

import (
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ironic-go/ironic-go/drivers"
	"github.com/ironic-go/ironic-go/objects/exception"
)

// The full operation matrix on pyghmi BMCs (multibmc.py), and fault
// injection with faultbmc.py: lost replies, error completion codes, a
// slow BMC. faultbmc.py's "state" shows what the BMC holds: power, NMI
// count, raw boot flags.

func bmcState(t *testing.T, m *multiBMC, i int) (power string, nmi int, flags string) {
	t.Helper()
	f := strings.Fields(m.command(t, "state "+strconv.Itoa(m.base+i)))
	if len(f) != 3 {
		t.Fatalf("state: %v", f)
	}
	n, _ := strconv.Atoi(f[1])
	return f[0], n, f[2]
}

func bmcCount(t *testing.T, m *multiBMC, i int, netfn, cmd uint8) int {
	t.Helper()
	s := m.command(t, "count "+strconv.Itoa(m.base+i)+" "+strconv.Itoa(int(netfn))+" "+strconv.Itoa(int(cmd)))
	n, err := strconv.Atoi(s)
	if err != nil {
		t.Fatalf("count: %q", s)
	}
	return n
}

func TestMultiBMCMatrix(t *testing.T) {
	t.Parallel()
	m := startMultiBMC(t, "faultbmc.py", 4)
	d := newTestDriver(t, testConfig(t), nil)
	ctx := t.Context()

	t.Run("power", func(t *testing.T) {
		task, _ := newTask(t, d, m.driverInfo(0))
		steps := []struct{ state, want string }{
			{drivers.PowerOn, "on"}, {drivers.PowerOff, "off"}, {drivers.SoftReboot, "on"},
			{drivers.SoftPowerOff, "off"}, {drivers.Reboot, "on"}, {drivers.Reboot, "on"},
		}
		for _, s := range steps {
			var err error
			if s.state == drivers.Reboot {
				err = d.power.Reboot(ctx, task, 0)
			} else {
				err = d.power.SetPowerState(ctx, task, s.state, 0)
			}
			if err != nil {
				t.Fatalf("%s: %v", s.state, err)
			}
			if p, _, _ := bmcState(t, m, 0); p != s.want {
				t.Fatalf("%s: BMC power %q", s.state, p)
			}
			if st, err := d.power.GetPowerState(ctx, task); err != nil || st != "power "+s.want {
				t.Fatalf("%s: power state %q, %v", s.state, st, err)
			}
		}
		err := d.power.SetPowerState(ctx, task, drivers.Reboot, 0)
		wantExc(t, err, exception.ErrInvalidParameterValue, "set_power_state called with invalid power state rebooting.")
	})

	t.Run("boot", func(t *testing.T) {
		task, _ := newTask(t, d, m.driverInfo(1))
		for _, tc := range []struct {
			mode, device string
			persistent   bool
			flags        string
		}{
			{BootModeUEFI, drivers.BootDevicePXE, true, "e004000000"},
			{BootModeUEFI, drivers.BootDevicePXE, false, "a004000000"},
			{BootModeUEFI, drivers.BootDeviceDisk, true, "e008000000"},
			{BootModeUEFI, drivers.BootDeviceCDROM, false, "a014000000"},
			{BootModeUEFI, drivers.BootDeviceBIOS, true, "e018000000"},
			{BootModeUEFI, drivers.BootDeviceSafe, false, "a00c000000"},
			{BootModeBIOS, drivers.BootDevicePXE, true, "c004000000"},
			{BootModeBIOS, drivers.BootDeviceDisk, false, "8008000000"},
			{BootModeBIOS, drivers.BootDeviceSafe, true, "c00c000000"},
		} {
			task.Node.InstanceInfo["deploy_boot_mode"] = tc.mode
			if err := d.management.SetBootDevice(ctx, task, tc.device, tc.persistent); err != nil {
				t.Fatalf("%+v: %v", tc, err)
			}
			if _, _, flags := bmcState(t, m, 1); flags != tc.flags {
				t.Fatalf("%+v: BMC boot flags %s", tc, flags)
			}
			bd, err := d.management.GetBootDevice(ctx, task)
			if err != nil || bd.Device != tc.device || bd.Persistent == nil || *bd.Persistent != tc.persistent {
				t.Fatalf("%+v: read back %+v, %v", tc, bd, err)
			}
		}
		// The boot flag timeout is disabled before every boot device
		// change (Set Boot Options parameter 3), unless the node says no.
		before := bmcCount(t, m, 1, netfnChassis, cmdSetBootOptions)
		task.Node.DriverInfo["ipmi_disable_boot_timeout"] = "false"
		task.Node.InstanceInfo["deploy_boot_mode"] = BootModeUEFI
		if err := d.management.SetBootDevice(ctx, task, drivers.BootDevicePXE, false); err != nil {
			t.Fatal(err)
		}
		if n := bmcCount(t, m, 1, netfnChassis, cmdSetBootOptions) - before; n != 1 {
			t.Fatalf("%d Set Boot Options requests without the timeout command, want 1", n)
		}
		err := d.management.SetBootDevice(ctx, task, "floppy", false)
		wantExc(t, err, exception.ErrInvalidParameterValue, "Invalid boot device floppy specified.")
	})

	t.Run("nmi", func(t *testing.T) {
		task, _ := newTask(t, d, m.driverInfo(2))
		for range 3 {
			if err := d.management.InjectNMI(ctx, task); err != nil {
				t.Fatal(err)
			}
		}
		if _, n, _ := bmcState(t, m, 2); n != 3 {
			t.Fatalf("BMC counted %d NMIs, want 3", n)
		}
	})

	t.Run("vendor", func(t *testing.T) {
		task, _ := newTask(t, d, m.driverInfo(3))
		routes := d.vendor.Routes()
		// Chassis Control power up, as raw bytes.
		if _, err := routes["send_raw"].Call(ctx, task, "POST", map[string]any{"raw_bytes": "0x00 0x02 0x01"}); err != nil {
			t.Fatal(err)
		}
		if p, _, _ := bmcState(t, m, 3); p != "on" {
			t.Fatalf("BMC power %q after raw power up", p)
		}
		for _, warm := range []any{false, "true", nil} {
			args := map[string]any{"warm": warm}
			if warm == nil {
				args = map[string]any{}
			}
			if _, err := routes["bmc_reset"].Call(ctx, task, "POST", args); err != nil && warm == false {
				t.Fatalf("cold reset: %v", err)
			} else if err != nil {
				// pyghmi has no warm reset: 0xc1, as Ironic reports it.
				wantExc(t, err, exception.ErrIPMIFailure, "IPMI call failed: bmc reset warm.")
			}
		}
		if n := bmcCount(t, m, 3, netfnApp, cmdColdReset); n != 1 {
			t.Fatalf("%d cold resets, want 1", n)
		}
		// The BMC survives a cold reset: the next operation reconnects.
		if st, err := d.power.GetPowerState(ctx, task); err != nil || st != drivers.PowerOn {
			t.Fatalf("after reset: %q, %v", st, err)
		}
		_, err := routes["send_raw"].Call(ctx, task, "POST", map[string]any{"raw_bytes": "0x00 0xzz"})
		wantExc(t, err, exception.ErrIPMIFailure, "IPMI call failed: raw 0x00 0xzz.")
		_, err = routes["send_raw"].Call(ctx, task, "POST", map[string]any{"raw_bytes": "0x00 0x01", "x": 1})
		wantExc(t, err, exception.ErrVendorPassthruException,
			"VendorPassthru.send_raw() got an unexpected keyword argument 'x'")
	})
}

// TestFaultLostReplies drops replies: an idempotent request is
// retransmitted and succeeds; a non-idempotent one is sent once and fails.
func TestFaultLostReplies(t *testing.T) {
	t.Parallel()
	m := startMultiBMC(t, "faultbmc.py", 2)
	cfg := testConfig(t)
	cfg.PacketTimeout = 300 * time.Millisecond
	d := newTestDriver(t, cfg, nil)
	ctx := t.Context()
	port := strconv.Itoa(m.base)

	task, _ := newTask(t, d, m.driverInfo(0))
	if _, err := d.power.GetPowerState(ctx, task); err != nil {
		t.Fatal(err)
	}
	m.command(t, "drop "+port+" 0 1 2") // two chassis status replies lost
	st, err := d.power.GetPowerState(ctx, task)
	if err != nil || st != drivers.PowerOff {
		t.Fatalf("after lost replies: %q, %v", st, err)
	}
	if n := bmcCount(t, m, 0, netfnChassis, cmdGetChassisStatus); n != 4 {
		t.Fatalf("%d chassis status requests, want 4 (1 + 2 lost + 1)", n)
	}

	m.command(t, "drop "+port+" 0 2 1") // the NMI runs, its reply is lost
	err = d.management.InjectNMI(ctx, task)
	wantExc(t, err, exception.ErrIPMIFailure, "IPMI call failed: power diag.")
	if _, nmi, _ := bmcState(t, m, 0); nmi != 1 {
		t.Fatalf("the BMC got %d NMIs, want exactly 1", nmi)
	}
	// Power on (idempotent) is retransmitted after a lost reply.
	m.command(t, "drop "+port+" 0 2 1")
	if err := d.power.SetPowerState(ctx, task, drivers.PowerOn, 0); err != nil {
		t.Fatal(err)
	}
	// Raw bytes are sent once.
	m.command(t, "drop "+port+" 0 2 1")
	_, err = d.vendor.Routes()["send_raw"].Call(ctx, task, "POST", map[string]any{"raw_bytes": "0x00 0x02 0x04"})
	wantExc(t, err, exception.ErrIPMIFailure, "IPMI call failed: raw 0x00 0x02 0x04.")
	if _, nmi, _ := bmcState(t, m, 0); nmi != 2 {
		t.Fatalf("the BMC got %d NMIs, want 2", nmi)
	}
}

// TestFaultCompletionCodes: busy is retried (for any request: it did not
// run), other codes are not.
func TestFaultCompletionCodes(t *testing.T) {
	t.Parallel()
	m := startMultiBMC(t, "faultbmc.py", 1)
	d := newTestDriver(t, testConfig(t), nil)
	ctx := t.Context()
	port := strconv.Itoa(m.base)
	task, _ := newTask(t, d, m.driverInfo(0))

	m.command(t, "cc "+port+" 0 2 0xc0 2") // Node busy, twice
	if err := d.management.InjectNMI(ctx, task); err != nil {
		t.Fatalf("busy not retried: %v", err)
	}
	if _, nmi, _ := bmcState(t, m, 0); nmi != 1 {
		t.Fatalf("%d NMIs, want 1", nmi)
	}
	m.command(t, "cc "+port+" 0 1 0xc3 1") // Timeout: retried for a read
	if _, err := d.power.GetPowerState(ctx, task); err != nil {
		t.Fatal(err)
	}
	m.command(t, "cc "+port+" 0 2 0xcc 5") // Invalid data field: not retried
	before := bmcCount(t, m, 0, netfnChassis, cmdChassisControl)
	err := d.management.InjectNMI(ctx, task)
	wantExc(t, err, exception.ErrIPMIFailure, "IPMI call failed: power diag.")
	if n := bmcCount(t, m, 0, netfnChassis, cmdChassisControl) - before; n != 1 {
		t.Fatalf("%d requests for a refused NMI, want 1", n)
	}
	m.command(t, "cc "+port+" 0 9 0xd4 1") // Insufficient privilege
	_, err = d.management.GetBootDevice(ctx, task)
	wantExc(t, err, exception.ErrIPMIFailure, "IPMI call failed: chassis bootparam get 5.")
	// A BMC busy for longer than command_retry_timeout.
	m.command(t, "cc "+port+" 0 1 0xc0 100000")
	start := time.Now()
	_, err = d.power.GetPowerState(ctx, task)
	wantExc(t, err, exception.ErrIPMIFailure, "IPMI call failed: power status.")
	if took := time.Since(start); took < d.cfg.CommandRetryTimeout {
		t.Fatalf("gave up after %s, before command_retry_timeout", took)
	}
}

// TestFaultSlowBMC: replies slower than the packet timeout fail the
// operation after command_retry_timeout, faster ones succeed; power
// changes that never show time out with PowerStateFailure.
func TestFaultSlowBMC(t *testing.T) {
	t.Parallel()
	m := startMultiBMC(t, "faultbmc.py", 1)
	cfg := testConfig(t)
	cfg.PacketTimeout = 400 * time.Millisecond
	cfg.CommandRetryTimeout = 1500 * time.Millisecond
	d := newTestDriver(t, cfg, nil)
	ctx := t.Context()
	port := strconv.Itoa(m.base)
	task, _ := newTask(t, d, m.driverInfo(0))
	if _, err := d.power.GetPowerState(ctx, task); err != nil {
		t.Fatal(err)
	}
	m.command(t, "delay "+port+" 0.1")
	if _, err := d.power.GetPowerState(ctx, task); err != nil {
		t.Fatalf("slow but in time: %v", err)
	}
	m.command(t, "delay "+port+" 1")
	_, err := d.power.GetPowerState(ctx, task)
	wantExc(t, err, exception.ErrIPMIFailure, "IPMI call failed: power status.")
	m.command(t, "delay "+port+" 0")
	// A power on the BMC acknowledges but never applies.
	m.command(t, "cc "+port+" 0 2 0x00 1")
	cfg2 := testConfig(t)
	cfg2.PowerStateChangeTimeout = 500 * time.Millisecond
	d2 := newTestDriver(t, cfg2, nil)
	err = d2.power.SetPowerState(ctx, task, drivers.PowerOn, 0)
	wantExc(t, err, exception.ErrPowerStateFailure, "Failed to set node power state to power on.")
}

// TestConcurrentNodesOneBMC: operations for nodes sharing a BMC are
// serialized on one session.
func TestConcurrentNodesOneBMC(t *testing.T) {
	t.Parallel()
	m := startMultiBMC(t, "multibmc.py", 8)
	d := newTestDriver(t, testConfig(t), nil)
	ctx := t.Context()
	var wg sync.WaitGroup
	errs := make(chan error, 64)
	for i := range 64 {
		wg.Go(func() {
			task, _ := newTask(t, d, m.driverInfo(i%m.count))
			if _, err := d.power.GetPowerState(ctx, task); err != nil {
				errs <- err
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if n := d.pool.sessions(); n != m.count {
		t.Fatalf("%d sessions for %d BMCs", n, m.count)
	}
	// Idle sessions are closed.
	deadline := time.Now().Add(10 * d.cfg.SessionIdleTimeout)
	for d.pool.sessions() > 0 {
		if time.Now().After(deadline) {
			t.Fatalf("%d idle sessions still open", d.pool.sessions())
		}
		time.Sleep(100 * time.Millisecond)
	}
}
