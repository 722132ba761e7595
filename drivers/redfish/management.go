package redfish

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/stmcginnis/gofish/schemas"

	"github.com/ironic-go/ironic-go/drivers"
	"github.com/ironic-go/ironic-go/objects/exception"
)

// Management is the "redfish" management interface (RedfishManagement):
// boot device and mode through the System's Boot override, NMI, sensors.
type Management struct{ d *Driver }

var (
	_ drivers.ManagementInterface = (*Management)(nil)
	_ drivers.NMIInjector         = (*Management)(nil)
)

// internalBootDevice is the driver_internal_info key remembering a boot
// device that had to be set "Once" instead of "Continuous", re-applied
// before every power on.
const internalBootDevice = "redfish_boot_device"

// Boot modes (ironic.common.boot_modes).
const (
	BootModeUEFI = "uefi"
	BootModeBIOS = "bios"
)

// bootDevices is Ironic's BOOT_DEVICE_MAP, in its order.
var bootDevices = []struct {
	ironic string
	target schemas.BootSource
}{
	{drivers.BootDevicePXE, schemas.PxeBootSource},
	{drivers.BootDeviceDisk, schemas.HddBootSource},
	{drivers.BootDeviceCDROM, schemas.CdBootSource},
	{drivers.BootDeviceBIOS, schemas.BiosSetupBootSource},
}

func targetFor(device string) (schemas.BootSource, bool) {
	for _, e := range bootDevices {
		if e.ironic == device {
			return e.target, true
		}
	}
	return "", false
}

func deviceFor(target schemas.BootSource) string {
	for _, e := range bootDevices {
		if e.target == target {
			return e.ironic
		}
	}
	return ""
}

// compatTarget reads a stored redfish_boot_device: Ironic's values, or
// the sushy constants older releases stored (BOOT_DEVICE_MAP_REV_COMPAT).
func compatTarget(stored string) (schemas.BootSource, bool) {
	switch strings.ToLower(stored) {
	case "hdd":
		return schemas.HddBootSource, true
	case "cd":
		return schemas.CdBootSource, true
	case "bios setup":
		return schemas.BiosSetupBootSource, true
	}
	return targetFor(strings.ToLower(stored))
}

// Properties returns the redfish driver_info properties.
func (m *Management) Properties() map[string]string { return Properties() }

// Validate checks the node's driver_info.
func (m *Management) Validate(_ context.Context, task *drivers.Task) error {
	_, err := m.d.parse(task)
	return err
}

// SupportedBootDevices returns pxe, disk, cdrom and bios.
func (m *Management) SupportedBootDevices(context.Context, *drivers.Task) ([]string, error) {
	out := make([]string, len(bootDevices))
	for i, e := range bootDevices {
		out[i] = e.ironic
	}
	return out, nil
}

// SetBootDevice sets BootSourceOverrideTarget, and
// BootSourceOverrideEnabled ("Continuous" when persistent, else "Once")
// only when it differs from what the BMC reports (always on Supermicro,
// as Ironic). If the BMC refuses "Continuous", the device is set "Once"
// and remembered in driver_internal_info so that power on re-applies it.
// InvalidParameterValue for an unsupported device, RedfishError when the
// BMC refuses. Needs an exclusive lock.
func (m *Management) SetBootDevice(ctx context.Context, task *drivers.Task, device string, persistent bool) (err error) {
	defer m.d.recoverPanic(task, &err)
	if err := task.RequireExclusive(); err != nil {
		return err
	}
	target, ok := targetFor(device)
	if !ok {
		return exception.InvalidParameterValue(fmt.Sprintf("Invalid boot device %s specified.", device))
	}
	if _, had := task.Node.DriverInternalInfo[internalBootDevice]; had {
		delete(task.Node.DriverInternalInfo, internalBootDevice)
		task.Node.MarkChanged("driver_internal_info")
		if err := task.SaveNode(ctx); err != nil {
			return err
		}
	}
	o, err := m.d.open(ctx, task)
	if err != nil {
		return err
	}
	defer o.done(ctx)
	if err := m.d.setBootDevice(ctx, task, o, target, persistent); err != nil {
		var ie *exception.Error
		if errors.As(err, &ie) {
			return err
		}
		msg := fmt.Sprintf("Redfish set boot device failed for node %s. Error: %s", o.di.node, err)
		o.log.Error().Str("error", o.di.scrub().text(msg)).Msg("set boot device failed")
		return o.di.redfishError(msg, err)
	}
	return nil
}

// setBootDevice is Ironic's _set_boot_device.
func (d *Driver) setBootDevice(ctx context.Context, task *drivers.Task, o *op, target schemas.BootSource, persistent bool) error {
	desired := schemas.OnceBootSourceOverrideEnabled
	if persistent {
		desired = schemas.ContinuousBootSourceOverrideEnabled
	}
	var enabled schemas.BootSourceOverrideEnabled
	if vendor, _ := task.Node.Properties["vendor"].(string); strings.EqualFold(vendor, "supermicro") {
		enabled = desired
	} else if o.sys.Boot.BootSourceOverrideEnabled != desired {
		enabled = desired
	}
	err := o.patchBoot(target, enabled, "")
	if err == nil || enabled != schemas.ContinuousBootSourceOverrideEnabled {
		return err
	}
	// Continuous boot overrides were removed from Redfish and some BMCs
	// refuse them: set it once, and re-apply it on every power on.
	o.log.Debug().Str("error", o.di.scrub().text(err.Error())).Msg("persistent boot device refused; falling back to one-time boot")
	if err := o.patchBoot(target, schemas.OnceBootSourceOverrideEnabled, ""); err != nil {
		return err
	}
	device := deviceFor(target)
	o.log.Warn().Str("device", device).Msg("could not set a persistent boot device, using a one-time boot device instead")
	if task.Node.DriverInternalInfo == nil {
		task.Node.DriverInternalInfo = map[string]any{}
	}
	task.Node.DriverInternalInfo[internalBootDevice] = device
	task.Node.MarkChanged("driver_internal_info")
	return task.SaveNode(ctx)
}

// restoreBootDevice re-applies a boot device remembered after a refused
// "Continuous" (restore_boot_device); a failure is only logged. Only the
// redfish management interface records one.
func (d *Driver) restoreBootDevice(ctx context.Context, task *drivers.Task, o *op) error {
	if task.Driver != nil {
		if _, ours := task.Driver.Management.(*Management); !ours {
			return nil
		}
	}
	stored, _ := task.Node.DriverInternalInfo[internalBootDevice].(string)
	if stored == "" {
		return nil
	}
	target, ok := compatTarget(stored)
	if !ok {
		o.log.Error().Str("device", stored).Msg("BUG: unexpected redfish_boot_device")
		return o.di.redfishError(fmt.Sprintf("unexpected %s %q on node %s", internalBootDevice, stored, o.di.node), nil)
	}
	o.log.Debug().Str("device", stored).Msg("restoring the boot device")
	if err := d.setBootDevice(ctx, task, o, target, false); err != nil {
		o.log.Warn().Str("device", stored).Str("error", o.di.scrub().text(err.Error())).
			Msg("unable to recover the boot device, relying on the pre-configured boot order")
	}
	return nil
}

// patchBoot PATCHes the System's Boot override; empty arguments are left
// out. The target must be one the System allows (sushy's
// set_system_boot_options).
func (o *op) patchBoot(target schemas.BootSource, enabled schemas.BootSourceOverrideEnabled, mode schemas.BootSourceOverrideMode) error {
	boot := map[string]any{}
	if target != "" {
		if allowed := o.sys.Boot.AllowableBootSourceOverrideTargetValues; len(allowed) > 0 && !slices.Contains(allowed, target) {
			return invalidValue("target", string(target), allowed)
		}
		boot["BootSourceOverrideTarget"] = target
	}
	if enabled != "" {
		boot["BootSourceOverrideEnabled"] = enabled
	}
	if mode != "" {
		boot["BootSourceOverrideMode"] = mode
	}
	if len(boot) == 0 {
		return nil
	}
	path := o.sys.ODataID
	resp, err := o.api.Patch(path, map[string]any{"Boot": boot})
	if err != nil {
		return classify(o.ctx, httpError(http.MethodPatch, o.di.address, path, err))
	}
	drain(resp)
	return nil
}

// GetBootDevice returns the boot override: pxe, disk, cdrom or bios (""
// for another target) and whether it is "Continuous" (nil when neither
// "Continuous" nor "Once").
func (m *Management) GetBootDevice(ctx context.Context, task *drivers.Task) (_ drivers.BootDevice, err error) {
	defer m.d.recoverPanic(task, &err)
	o, err := m.d.open(ctx, task)
	if err != nil {
		return drivers.BootDevice{}, err
	}
	defer o.done(ctx)
	bd := drivers.BootDevice{Device: deviceFor(o.sys.Boot.BootSourceOverrideTarget)}
	switch o.sys.Boot.BootSourceOverrideEnabled {
	case schemas.ContinuousBootSourceOverrideEnabled:
		bd.Persistent = new(true)
	case schemas.OnceBootSourceOverrideEnabled:
		bd.Persistent = new(false)
	}
	return bd, nil
}

// SupportedBootModes returns uefi and bios.
func (m *Management) SupportedBootModes(context.Context, *drivers.Task) ([]string, error) {
	return []string{BootModeUEFI, BootModeBIOS}, nil
}

// SetBootMode sets BootSourceOverrideMode (uefi: UEFI, bios: Legacy).
// InvalidParameterValue for another mode; UnsupportedDriverExtension when
// the BMC refuses and reports no mode (it cannot override it);
// RedfishError otherwise. Needs an exclusive lock.
func (m *Management) SetBootMode(ctx context.Context, task *drivers.Task, mode string) (err error) {
	defer m.d.recoverPanic(task, &err)
	if err := task.RequireExclusive(); err != nil {
		return err
	}
	var rm schemas.BootSourceOverrideMode
	switch mode {
	case BootModeUEFI:
		rm = schemas.UEFIBootSourceOverrideMode
	case BootModeBIOS:
		rm = schemas.LegacyBootSourceOverrideMode
	default:
		return exception.InvalidParameterValue(fmt.Sprintf("Invalid boot mode %s specified.", mode))
	}
	o, err := m.d.open(ctx, task)
	if err != nil {
		return err
	}
	defer o.done(ctx)
	if err := o.patchBoot("", "", rm); err != nil {
		msg := fmt.Sprintf("Setting boot mode to %s failed for node %s. Error: %s", mode, o.di.node, err)
		o.log.Error().Str("error", o.di.scrub().text(msg)).Msg("set boot mode failed")
		if o.sys.Boot.BootSourceOverrideMode == "" {
			o.log.Info().Msg("the node does not appear to support overriding the boot mode")
			return wrapException(exception.UnsupportedDriverExtension(task.DriverName(), "set_boot_mode"), o.di.scrub().err(err))
		}
		return o.di.redfishError(msg, err)
	}
	return nil
}

// GetBootMode returns uefi, bios or "" (unknown).
func (m *Management) GetBootMode(ctx context.Context, task *drivers.Task) (_ string, err error) {
	defer m.d.recoverPanic(task, &err)
	o, err := m.d.open(ctx, task)
	if err != nil {
		return "", err
	}
	defer o.done(ctx)
	return bootMode(o.sys.Boot.BootSourceOverrideMode), nil
}

func bootMode(m schemas.BootSourceOverrideMode) string {
	switch m {
	case schemas.UEFIBootSourceOverrideMode:
		return BootModeUEFI
	case schemas.LegacyBootSourceOverrideMode:
		return BootModeBIOS
	}
	return ""
}

// InjectNMI resets the System with Nmi. A BMC refusing it (the emulator
// answers 501) gives RedfishError, as in Ironic. Needs an exclusive lock.
func (m *Management) InjectNMI(ctx context.Context, task *drivers.Task) (err error) {
	defer m.d.recoverPanic(task, &err)
	if err := task.RequireExclusive(); err != nil {
		return err
	}
	o, err := m.d.open(ctx, task)
	if err != nil {
		return err
	}
	defer o.done(ctx)
	if err := o.reset(schemas.NmiResetType); err != nil {
		msg := fmt.Sprintf("Redfish inject NMI failed for node %s. Error: %s", o.di.node, err)
		o.log.Error().Str("error", o.di.scrub().text(msg)).Msg("inject NMI failed")
		return o.di.redfishError(msg, err)
	}
	return nil
}
