// Package redfish is the redfish hardware type: power, management (boot
// device and mode, NMI, sensors) and inspection over the DMTF Redfish API,
// with github.com/stmcginnis/gofish as the client. Behaviour, driver_info
// keys, error classes and messages follow Debian's Ironic 21.4, whose
// client is sushy:
//
//   - connections are cached per BMC address, user, password and TLS
//     setting (connection_cache_size), use session authentication with a
//     fallback to basic ("auto"), renew an expired session once per
//     request, and are retried connection_attempts times,
//     connection_retry_interval apart, before RedfishConnectionError;
//   - power maps on/off/reboot/soft reboot/soft power off to the On,
//     ForceOff, ForceRestart, GracefulRestart and GracefulShutdown resets
//     (a reboot is ForceOff then On), then reads the state back until it
//     matches or power_state_change_timeout passes (PowerStateFailure);
//     PoweringOn counts as on and PoweringOff as off;
//   - the boot device is BootSourceOverrideTarget; Enabled is patched only
//     when it differs; a refused "Continuous" falls back to "Once" and is
//     re-applied before every power on (driver_internal_info
//     redfish_boot_device);
//   - inspection sets cpus, cpu_arch, memory_mb, local_gb and the
//     boot_mode capability, and creates ports for enabled NICs through the
//     conductor (drivers.PortCreator).
//
// Passwords never appear in logs or errors: messages are scrubbed of them
// and of credentials in the address.
//
// The package never imports the conductor, the database or messaging. Its
// test server is in redfishtest.
//
// Mirrors ironic.drivers.redfish and ironic.drivers.modules.redfish
// (power, management, inspect, utils).
package redfish
