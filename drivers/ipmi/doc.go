// Package ipmi is the "ipmi" hardware type: power, boot device, NMI and
// vendor passthru (send_raw, bmc_reset) over IPMI 2.0 (RMCP+, lanplus) or
// 1.5 (lan), with github.com/bougou/go-ipmi as the IPMI client instead of
// Ironic's forked ipmitool.
//
// # Behaviour
//
// Each operation sends what the matching ipmitool command of Ironic's
// driver sends ("power on", "chassis bootdev pxe", the raw boot flags of
// UEFI nodes ...), and failures are Ironic's exceptions with Ironic's
// messages (IPMIFailure "IPMI call failed: power status.",
// PowerStateFailure, InvalidParameterValue, MissingParameterValue); the
// cause is wrapped beneath them for logs. driver_info is parsed and
// checked as _parse_driver_info does. Passwords never appear in logs or
// errors.
//
// # Sessions
//
// A [Driver] keeps at most one session per BMC (host:port), used by one
// operation at a time, reopened when the node's credentials change,
// closed after SessionIdleTimeout and replaced after SessionMaxAge, and
// closed by [Driver.Close]: a BMC has few session slots (ipmi_sim: 63). As
// Ironic, operations to one BMC are spaced by [ipmi] min_command_interval
// and retried on retryable errors (lost replies, busy BMC, no free session
// slot) for [ipmi] command_retry_timeout; requests that must not run twice
// (diag interrupt, soft off, BMC reset, raw bytes) are never retransmitted
// after a lost reply.
//
// Mirrors ironic.drivers.ipmi and ironic.drivers.modules.ipmitool
// (Debian's Ironic 21.4).
package ipmi
