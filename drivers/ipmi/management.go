package ipmi

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/ironic-go/ironic-go/drivers"
	"github.com/ironic-go/ironic-go/objects"
	"github.com/ironic-go/ironic-go/objects/exception"
)

// bootDeviceCodes are the boot device selectors of boot flags parameter 5
// data byte 2 (BOOT_DEVICE_HEXA_MAP), in Ironic's order.
var bootDeviceCodes = []struct {
	device string
	code   uint8
}{
	{drivers.BootDevicePXE, 0x04},
	{drivers.BootDeviceDisk, 0x08},
	{drivers.BootDeviceCDROM, 0x14},
	{drivers.BootDeviceBIOS, 0x18},
	{drivers.BootDeviceSafe, 0x0c},
}

// bootDeviceCode is the selector of device for the node: Supermicro's
// UEFI disk is 0x24 (_vendor_aware_boot_device_map).
func bootDeviceCode(node *objects.Node, device, bootMode string) uint8 {
	if device == drivers.BootDeviceDisk && bootMode == BootModeUEFI {
		if v, ok := node.Properties["vendor"]; ok && v != nil && strings.ToLower(exception.PyStr(v)) == "supermicro" {
			return 0x24
		}
	}
	for _, b := range bootDeviceCodes {
		if b.device == device {
			return b.code
		}
	}
	return 0
}

// Management is the "ipmitool" management interface (IPMIManagement).
type Management struct{ d *Driver }

var (
	_ drivers.ManagementInterface = (*Management)(nil)
	_ drivers.NMIInjector         = (*Management)(nil)
)

// Properties returns the ipmitool driver_info keys.
func (m *Management) Properties() map[string]string { return CommonProperties() }

// Validate checks the node's driver_info.
func (m *Management) Validate(_ context.Context, task *drivers.Task) error {
	_, err := m.d.info(task)
	return err
}

// SupportedBootDevices returns pxe, disk, cdrom, bios and safe.
func (m *Management) SupportedBootDevices(context.Context, *drivers.Task) ([]string, error) {
	out := make([]string, len(bootDeviceCodes))
	for i, b := range bootDeviceCodes {
		out[i] = b.device
	}
	return out, nil
}

// SetBootDevice sets the boot device, as Ironic's ipmitool does: first
// the raw request disabling the 60 s boot flag timeout (unless
// ipmi_disable_boot_timeout or [ipmi] disable_boot_timeout say not to),
// then in UEFI mode the raw boot flags "0x00 0x08 0x05 0xa0|0xe0 <dev>
// 0x00 0x00 0x00", in BIOS mode what "chassis bootdev <dev>
// [options=persistent]" sends. With ipmi_force_boot_device, a persistent
// device is remembered in driver_internal_info (and set again on power
// on) and sent as one-time. Errors: ExclusiveLockRequired,
// InvalidParameterValue, MissingParameterValue, IPMIFailure.
func (m *Management) SetBootDevice(ctx context.Context, task *drivers.Task, device string, persistent bool) error {
	if err := task.RequireExclusive(); err != nil {
		return err
	}
	supported, _ := m.SupportedBootDevices(ctx, task)
	if !slices.Contains(supported, device) {
		return exception.InvalidParameterValue(fmt.Sprintf("Invalid boot device %s specified.", device))
	}
	node := task.Node
	idt, ok := node.DriverInfo["ipmi_disable_boot_timeout"]
	if !ok || idt == nil {
		idt = m.d.cfg.DisableBootTimeout
	}
	if boolFromString(idt) {
		if _, err := m.d.sendRaw(ctx, task, "0x00 0x08 0x03 0x08", true); err != nil {
			return err
		}
	} else {
		task.Log.Info().Msg("driver_info['ipmi_disable_boot_timeout'] is set to False, so not sending ipmi boot-timeout-disable")
	}
	if boolFromString(node.DriverInfo["ipmi_force_boot_device"]) {
		if err := forcePersistentBoot(ctx, task, device, persistent); err != nil {
			return err
		}
		persistent = false
	}
	mode, err := bootMode(node, m.d.cfg.DefaultBootMode)
	if err != nil {
		return err
	}
	code := bootDeviceCode(node, device, mode)
	if mode == BootModeUEFI {
		flags := "0xa0"
		if persistent {
			flags = "0xe0"
		}
		_, err := m.d.sendRaw(ctx, task, fmt.Sprintf("0x00 0x08 0x05 %s 0x%02x 0x00 0x00 0x00", flags, code), true)
		return err
	}
	info, err := m.d.info(task)
	if err != nil {
		return err
	}
	name := "chassis bootdev " + device
	if persistent {
		name += " options=persistent"
	}
	flags := byte(0x80)
	if persistent {
		flags |= 0x40
	}
	_, err = m.d.exec(ctx, task, info, bootdevOp(name, flags, code), ipmiFailure(name))
	if err != nil {
		task.Log.Warn().Err(err).Str("cmd", name).Msg("IPMI set boot device failed")
	}
	return err
}

// bootdevOp sends what ipmitool's "chassis bootdev" sends: set in
// progress, clear the boot info acknowledgement, the boot flags, set
// complete.
func bootdevOp(name string, flags, code byte) op {
	return op{name: name, idempotent: true, run: func(ctx context.Context, c bmcClient) ([]byte, error) {
		set := func(data ...byte) error {
			_, err := c.Raw(ctx, netfnChassis, cmdSetBootOptions, data, true)
			return err
		}
		// Parameter 0 is optional: ipmitool goes on without it.
		inProgress := set(bootParamInProgress, 0x01) == nil
		if err := set(bootParamInfoAck, 0x01, 0x01); err != nil {
			return nil, err
		}
		if err := set(bootParamBootFlags, flags, code, 0, 0, 0); err != nil {
			return nil, err
		}
		if inProgress {
			if err := set(bootParamInProgress, 0x00); err != nil {
				return nil, err
			}
		}
		return nil, nil
	}}
}

// forcePersistentBoot is driver_utils.force_persistent_boot.
func forcePersistentBoot(ctx context.Context, task *drivers.Task, device string, persistent bool) error {
	node := task.Node
	if node.DriverInternalInfo == nil {
		node.DriverInternalInfo = map[string]any{}
	}
	if persistent {
		delete(node.DriverInternalInfo, "is_next_boot_persistent")
		node.DriverInternalInfo["persistent_boot_device"] = device
	} else {
		node.DriverInternalInfo["is_next_boot_persistent"] = false
	}
	node.MarkChanged("driver_internal_info")
	return task.SaveNode(ctx)
}

// getBootParamOp reads boot options parameter 5 ("chassis bootparam get
// 5"); the reply is [version, selector, data...].
var getBootParamOp = op{name: "chassis bootparam get 5", idempotent: true,
	run: func(ctx context.Context, c bmcClient) ([]byte, error) {
		return c.Raw(ctx, netfnChassis, cmdGetBootOptions, []byte{bootParamBootFlags, 0, 0}, true)
	}}

// GetBootDevice reads the boot flags: the device (pxe, disk, safe, bios,
// cdrom, or unknown) and whether they apply to all future boots, as
// Ironic reads ipmitool's "chassis bootparam get 5". With
// ipmi_force_boot_device and a remembered persistent device, that device
// is returned without asking the BMC.
func (m *Management) GetBootDevice(ctx context.Context, task *drivers.Task) (drivers.BootDevice, error) {
	node := task.Node
	info, err := m.d.info(task)
	if err != nil {
		return drivers.BootDevice{}, err
	}
	if boolFromString(node.DriverInfo["ipmi_force_boot_device"]) {
		dev := node.DriverInternalInfo["persistent_boot_device"]
		next, ok := node.DriverInternalInfo["is_next_boot_persistent"]
		if !ok {
			next = true
		}
		if pyTruthy(dev) && pyTruthy(next) {
			t := true
			return drivers.BootDevice{Device: exception.PyStr(dev), Persistent: &t}, nil
		}
	}
	out, err := m.d.exec(ctx, task, info, getBootParamOp, ipmiFailure(getBootParamOp.name))
	if err != nil {
		task.Log.Warn().Err(err).Msg("IPMI get boot device failed")
		return drivers.BootDevice{}, err
	}
	return parseBootFlags(out), nil
}

// parseBootFlags decodes a Get System Boot Options reply for parameter
// 5 as Ironic decodes ipmitool's text: the device selector (bits 5-2 of
// data byte 2) and the persistence bit (bit 6 of data byte 1).
func parseBootFlags(reply []byte) drivers.BootDevice {
	persistent := false
	bd := drivers.BootDevice{Persistent: &persistent}
	if len(reply) < 4 {
		return bd
	}
	data := reply[2:]
	persistent = data[0]&0x40 != 0
	switch (data[1] >> 2) & 0x0f {
	case 0x1:
		bd.Device = drivers.BootDevicePXE
	case 0x2:
		bd.Device = drivers.BootDeviceDisk
	case 0x3:
		bd.Device = drivers.BootDeviceSafe
	case 0x5:
		bd.Device = drivers.BootDeviceCDROM
	case 0x6:
		bd.Device = drivers.BootDeviceBIOS
	}
	return bd
}

// InjectNMI pulses the diagnostic interrupt ("power diag"), never
// retransmitted. IPMIFailure("power diag") when the BMC refuses (ipmi_sim
// answers 0xCC), as Ironic.
func (m *Management) InjectNMI(ctx context.Context, task *drivers.Task) error {
	if err := task.RequireExclusive(); err != nil {
		return err
	}
	info, err := m.d.info(task)
	if err != nil {
		return err
	}
	o := controlOp("power diag", ctlDiagnosticPulse, false)
	if _, err := m.d.exec(ctx, task, info, o, ipmiFailure(o.name)); err != nil {
		task.Log.Error().Err(err).Msg("inject NMI failed")
		return err
	}
	return nil
}

// GetSensorsData is not implemented: FailedToGetSensorData (Ironic reads
// "ipmitool sdr -v"; send_sensor_data is off by default).
func (m *Management) GetSensorsData(_ context.Context, task *drivers.Task) (map[string]any, error) {
	if _, err := m.d.info(task); err != nil {
		return nil, err
	}
	return nil, exception.FailedToGetSensorData(task.NodeUUID(), "sensor data is not supported by this conductor's ipmitool driver")
}

// bootMode is boot_mode_utils.get_boot_mode: instance_info capabilities
// (secure_boot:true means uefi, then boot_mode), instance_info
// deploy_boot_mode, properties capabilities boot_mode,
// driver_internal_info deploy_boot_mode, else the default. A boot mode
// that disagrees with properties capabilities is InvalidParameterValue.
func bootMode(node *objects.Node, def string) (string, error) {
	uuid := ""
	if node.UUID != nil {
		uuid = *node.UUID
	}
	caps, err := instanceInfoCapabilities(node, uuid)
	if err != nil {
		return "", err
	}
	if sb, ok := caps["secure_boot"]; ok && strings.ToLower(exception.PyStr(sb)) == "true" {
		return BootModeUEFI, nil
	}
	capMode := nodeCapability(node, "boot_mode")
	var mode string
	for _, v := range []any{caps["boot_mode"], node.InstanceInfo["deploy_boot_mode"], capMode, node.DriverInternalInfo["deploy_boot_mode"]} {
		if pyTruthy(v) {
			mode = exception.PyStr(v)
			break
		}
	}
	if mode == "" {
		return def, nil
	}
	mode = strings.ToLower(mode)
	if capMode != "" && strings.ToLower(capMode) != mode {
		return "", exception.InvalidParameterValue(fmt.Sprintf(
			"Node %s boot mode %s violates node properties/capabilities %s", uuid, mode, strings.ToLower(capMode)))
	}
	return mode, nil
}

// instanceInfoCapabilities is parse_instance_info_capabilities.
func instanceInfoCapabilities(node *objects.Node, uuid string) (map[string]any, error) {
	parseError := exception.InvalidParameterValue(fmt.Sprintf("Error parsing capabilities from Node %s instance_info "+
		"field. A dictionary or a \"jsonified\" dictionary is expected.", uuid))
	c, ok := node.InstanceInfo["capabilities"]
	if !ok {
		return map[string]any{}, nil
	}
	if s, isStr := c.(string); isStr {
		var v any
		if err := json.Unmarshal([]byte(s), &v); err != nil {
			return nil, parseError
		}
		c = v
	}
	m, ok := c.(map[string]any)
	if !ok {
		return nil, parseError
	}
	return m, nil
}

// nodeCapability is driver_utils.get_node_capability over the
// "key:value,..." string properties.capabilities.
func nodeCapability(node *objects.Node, name string) string {
	caps, _ := node.Properties["capabilities"].(string)
	if caps == "" {
		return ""
	}
	for _, c := range strings.Split(caps, ",") {
		parts := strings.Split(c, ":")
		if len(parts) == 2 && parts[0] != "" && parts[1] != "" && strings.TrimSpace(parts[0]) == name {
			return strings.TrimSpace(parts[1])
		}
	}
	return ""
}
