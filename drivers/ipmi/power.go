package ipmi

import (
	"context"
	"fmt"
	"time"

	"github.com/ironic-go/ironic-go/drivers"
	"github.com/ironic-go/ironic-go/objects/exception"
)

// IPMI network functions and commands the driver sends.
const (
	netfnChassis = 0x00
	netfnApp     = 0x06

	cmdGetChassisStatus  = 0x01
	cmdChassisControl    = 0x02
	cmdSetBootOptions    = 0x08
	cmdGetBootOptions    = 0x09
	cmdColdReset         = 0x02 // app
	cmdWarmReset         = 0x03 // app
	ctlPowerDown         = 0x00
	ctlPowerUp           = 0x01
	ctlDiagnosticPulse   = 0x04
	ctlSoftShutdown      = 0x05
	bootParamInProgress  = 0x00
	bootParamTimeout     = 0x03
	bootParamInfoAck     = 0x04
	bootParamBootFlags   = 0x05
	chassisStatusPowerOn = 0x01
)

// statusOp is "power status": Get Chassis Status, bit 0 of the first byte.
var statusOp = op{name: "power status", idempotent: true,
	run: func(ctx context.Context, c bmcClient) ([]byte, error) {
		return c.Raw(ctx, netfnChassis, cmdGetChassisStatus, nil, true)
	}}

// controlOp is a Chassis Control request.
func controlOp(name string, ctl uint8, idempotent bool) op {
	return op{name: name, idempotent: idempotent,
		run: func(ctx context.Context, c bmcClient) ([]byte, error) {
			return c.Raw(ctx, netfnChassis, cmdChassisControl, []byte{ctl}, idempotent)
		}}
}

// Power is the "ipmitool" power interface (IPMIPower).
type Power struct{ d *Driver }

var _ drivers.PowerInterface = (*Power)(nil)

// Properties returns the ipmitool driver_info keys.
func (p *Power) Properties() map[string]string { return CommonProperties() }

// Validate checks the node's driver_info without touching the BMC
// (MissingParameterValue, InvalidParameterValue).
func (p *Power) Validate(_ context.Context, task *drivers.Task) error {
	_, err := p.d.info(task)
	return err
}

// GetPowerState reads the chassis power: "power on" or "power off";
// IPMIFailure("power status") when the BMC cannot tell.
func (p *Power) GetPowerState(ctx context.Context, task *drivers.Task) (string, error) {
	info, err := p.d.info(task)
	if err != nil {
		return "", err
	}
	return p.d.powerStatus(ctx, task, info)
}

func (d *Driver) powerStatus(ctx context.Context, task *drivers.Task, info *driverInfo) (string, error) {
	out, err := d.exec(ctx, task, info, statusOp, ipmiFailure(statusOp.name))
	if err != nil {
		return "", err
	}
	if len(out) < 1 {
		return drivers.PowerError, nil
	}
	if out[0]&chassisStatusPowerOn != 0 {
		return drivers.PowerOn, nil
	}
	return drivers.PowerOff, nil
}

// SupportedPowerStates returns power on, power off, rebooting, soft
// rebooting and soft power off.
func (p *Power) SupportedPowerStates(context.Context, *drivers.Task) ([]string, error) {
	return []string{drivers.PowerOn, drivers.PowerOff, drivers.Reboot, drivers.SoftReboot, drivers.SoftPowerOff}, nil
}

// SetPowerState turns the node on, off, soft off or soft reboots it, then
// waits for the power status to show it: within timeout, or
// power_state_change_timeout (soft_power_off_timeout for soft off) when
// timeout is 0. Before power on, a boot device kept by
// ipmi_force_boot_device is set again. Errors: ExclusiveLockRequired,
// InvalidParameterValue, MissingParameterValue, IPMIFailure,
// PowerStateFailure.
func (p *Power) SetPowerState(ctx context.Context, task *drivers.Task, state string, timeout time.Duration) error {
	if err := task.RequireExclusive(); err != nil {
		return err
	}
	info, err := p.d.info(task)
	if err != nil {
		return err
	}
	switch state {
	case drivers.PowerOn:
		if err := p.d.ensureNextBootDevice(ctx, task, info); err != nil {
			return err
		}
		return p.d.setAndWait(ctx, task, info, drivers.PowerOn, timeout)
	case drivers.PowerOff:
		return p.d.setAndWait(ctx, task, info, drivers.PowerOff, timeout)
	case drivers.SoftPowerOff:
		return p.d.setAndWait(ctx, task, info, drivers.SoftPowerOff, timeout)
	case drivers.SoftReboot:
		if err := p.d.setAndWait(ctx, task, info, drivers.SoftPowerOff, timeout); err != nil {
			return err
		}
		if err := p.d.ensureNextBootDevice(ctx, task, info); err != nil {
			return err
		}
		return p.d.setAndWait(ctx, task, info, drivers.PowerOn, timeout)
	}
	return exception.InvalidParameterValue(fmt.Sprintf("set_power_state called with invalid power state %s.", state))
}

// Reboot powers the node off (unless it is off already) and on again,
// waiting for each (Ironic's reboot, not a chassis power cycle).
func (p *Power) Reboot(ctx context.Context, task *drivers.Task, timeout time.Duration) error {
	if err := task.RequireExclusive(); err != nil {
		return err
	}
	info, err := p.d.info(task)
	if err != nil {
		return err
	}
	cur, err := p.d.powerStatus(ctx, task, info)
	if err != nil {
		return err
	}
	if cur != drivers.PowerOff {
		if err := p.d.setAndWait(ctx, task, info, drivers.PowerOff, timeout); err != nil {
			return err
		}
	}
	if err := p.d.ensureNextBootDevice(ctx, task, info); err != nil {
		return err
	}
	return p.d.setAndWait(ctx, task, info, drivers.PowerOn, timeout)
}

// setAndWait sends a power action and waits for the state it leads to
// (_set_and_wait and node_wait_for_power_state).
func (d *Driver) setAndWait(ctx context.Context, task *drivers.Task, info *driverInfo, action string, timeout time.Duration) error {
	var o op
	target := drivers.PowerOff
	switch action {
	case drivers.PowerOn:
		o, target = controlOp("power on", ctlPowerUp, true), drivers.PowerOn
	case drivers.PowerOff:
		o = controlOp("power off", ctlPowerDown, true)
	case drivers.SoftPowerOff:
		// An ACPI shutdown request sent twice may reach the OS twice.
		o = controlOp("power soft", ctlSoftShutdown, false)
		if timeout == 0 {
			timeout = d.cfg.SoftPowerOffTimeout
		}
	}
	if timeout == 0 {
		timeout = d.cfg.PowerStateChangeTimeout
	}
	if _, err := d.exec(ctx, task, info, o, ipmiFailure(o.name)); err != nil {
		task.Log.Warn().Err(err).Str("cmd", o.name).Msg("IPMI power action failed")
		return err
	}
	return d.waitForPowerState(ctx, task, info, target, timeout)
}

// waitForPowerState polls the power status with a growing interval until
// it is target; PowerStateFailure(target) after timeout. A status error
// ends the wait with that error, as in Ironic.
func (d *Driver) waitForPowerState(ctx context.Context, task *drivers.Task, info *driverInfo, target string, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	interval := d.cfg.PowerStatePollInterval
	for {
		wait := min(interval, time.Until(deadline))
		if wait <= 0 {
			break
		}
		if err := sleep(ctx, wait); err != nil {
			return err
		}
		st, err := d.powerStatus(ctx, task, info)
		if err != nil {
			return err
		}
		if st == target {
			return nil
		}
		interval = min(interval*2, 10*d.cfg.PowerStatePollInterval)
	}
	task.Log.Error().Dur("timeout", timeout).Str("state", target).Msg("timed out waiting for the power state")
	return exception.PowerStateFailure(target)
}

// ensureNextBootDevice is driver_utils.ensure_next_boot_device: with
// ipmi_force_boot_device, set the persistent boot device again before
// power on, every other power on as Ironic does (the re-application
// itself marks the next boot as not persistent).
func (d *Driver) ensureNextBootDevice(ctx context.Context, task *drivers.Task, info *driverInfo) error {
	if !boolFromString(info.forceBootDevice) {
		return nil
	}
	node := task.Node
	if v, ok := node.DriverInternalInfo["is_next_boot_persistent"]; ok && v == false {
		delete(node.DriverInternalInfo, "is_next_boot_persistent")
		node.MarkChanged("driver_internal_info")
		return task.SaveNode(ctx)
	}
	dev, _ := node.DriverInternalInfo["persistent_boot_device"].(string)
	if dev == "" {
		return nil
	}
	return nodeSetBootDevice(ctx, task, dev, false, d.management)
}

// nodeSetBootDevice is conductor.utils.node_set_boot_device: validate the
// management interface, skip adopting nodes, apply the node's
// force_persistent_boot_device, set the device.
func nodeSetBootDevice(ctx context.Context, task *drivers.Task, device string, persistent bool, fallback drivers.ManagementInterface) error {
	mg := drivers.ManagementInterface(fallback)
	if task.Driver != nil && task.Driver.Management != nil {
		mg = task.Driver.Management
	}
	if err := mg.Validate(ctx, task); err != nil {
		return err
	}
	if ps := task.Node.ProvisionState; ps != nil && *ps == "adopting" {
		return nil
	}
	switch fp := task.Node.DriverInfo["force_persistent_boot_device"]; fp {
	case "Always":
		persistent = true
	case "Never":
		persistent = false
	case nil, "Default":
	default:
		if boolFromString(fp) {
			persistent = true
		}
	}
	return mg.SetBootDevice(ctx, task, device, persistent)
}
