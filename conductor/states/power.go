package states

import "slices"

// PowerState is a node's power_state or target_power_state, or a power
// state a driver reports. The zero value is [NoPower] (null).
type PowerState string

// Power states (common/states.py).
const (
	// NoPower is NOSTATE for power: unknown, or no target.
	NoPower PowerState = ""
	// PowerOn: the node is powered on.
	PowerOn PowerState = "power on"
	// PowerOff: the node is powered off.
	PowerOff PowerState = "power off"
	// Reboot is a requested hard reboot ("rebooting").
	Reboot PowerState = "rebooting"
	// SoftReboot is a requested graceful reboot.
	SoftReboot PowerState = "soft rebooting"
	// SoftPowerOff is a requested graceful power off.
	SoftPowerOff PowerState = "soft power off"
	// PowerError is what a driver returns when it cannot tell ("error").
	PowerError PowerState = "error"
)

// OfPower returns the power state stored in a nullable column: nil is
// NoPower.
func OfPower(p *string) PowerState {
	if p == nil {
		return NoPower
	}
	return PowerState(*p)
}

// Ptr returns p as a nullable column value: NoPower is nil.
func (p PowerState) Ptr() *string {
	if p == NoPower {
		return nil
	}
	v := string(p)
	return &v
}

// String returns the wire value ("" for NoPower).
func (p PowerState) String() string { return string(p) }

// RequestablePowerStates returns the targets the API accepts for
// change_node_power_state (soft states and timeouts need API 1.27).
func RequestablePowerStates() []PowerState {
	return []PowerState{PowerOn, PowerOff, Reboot, SoftReboot, SoftPowerOff}
}

// DefaultSupportedPowerStates returns what PowerInterface
// get_supported_power_states returns unless a driver overrides it.
func DefaultSupportedPowerStates() []PowerState {
	return []PowerState{PowerOn, PowerOff, Reboot}
}

// IsSoft reports whether p is a soft power request, whose timeout defaults
// to [conductor]soft_power_off_timeout.
func IsSoft(p PowerState) bool { return p == SoftReboot || p == SoftPowerOff }

// TargetPowerState returns the target_power_state recorded while p is
// being applied, and the power_state recorded once it succeeded: power on
// for power on and the reboots, power off otherwise.
func TargetPowerState(p PowerState) PowerState {
	if slices.Contains([]PowerState{PowerOn, Reboot, SoftReboot}, p) {
		return PowerOn
	}
	return PowerOff
}

// BootDevice is a boot device name (common/boot_devices.py).
type BootDevice string

// Boot devices of 7.0.0.
const (
	BootPXE     BootDevice = "pxe"
	BootDisk    BootDevice = "disk"
	BootCDROM   BootDevice = "cdrom"
	BootBIOS    BootDevice = "bios"
	BootSafe    BootDevice = "safe"
	BootWANBoot BootDevice = "wanboot"
)

// BootDevices returns every boot device name.
func BootDevices() []BootDevice {
	return []BootDevice{BootPXE, BootDisk, BootCDROM, BootBIOS, BootSafe, BootWANBoot}
}

// Console types a console interface reports in the "type" key of
// get_console's {"type": ..., "url": ...}.
const (
	ConsoleShellinabox = "shellinabox"
	ConsoleSocat       = "socat"
)
