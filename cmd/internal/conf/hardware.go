package conf

import (
	"strconv"

	"github.com/ironic-go/ironic-go/drivers/ipmi"
	"github.com/ironic-go/ironic-go/drivers/redfish"
)

// readIPMI reads [ipmi], plus [conductor] power_state_change_timeout and
// soft_power_off_timeout and [deploy] default_boot_mode, onto the ipmi
// driver's defaults (Ironic's).
func readIPMI(f *Files, errs *[]error) ipmi.Config {
	c := ipmi.DefaultConfig()
	r := f.Section("ipmi", errs)
	cond := f.Section("conductor", errs)
	dep := f.Section("deploy", errs)
	zero, one := 0, 1
	c.CommandRetryTimeout = seconds(r, "command_retry_timeout", c.CommandRetryTimeout, &zero)
	c.MinCommandInterval = seconds(r, "min_command_interval", c.MinCommandInterval, &zero)
	c.DisableBootTimeout = r.Bool("disable_boot_timeout", c.DisableBootTimeout)
	c.AdditionalRetryableErrors = r.List("additional_retryable_ipmi_errors", c.AdditionalRetryableErrors)
	for _, s := range r.List("cipher_suite_versions", nil) {
		n, err := strconv.Atoi(s)
		if err != nil || n < 0 || n > 17 {
			r.bad("cipher_suite_versions", "", "%q is not a cipher suite number", s)
			continue
		}
		c.CipherSuiteVersions = append(c.CipherSuiteVersions, n)
	}
	c.Debug = r.Bool("debug", c.Debug)
	c.PowerStateChangeTimeout = seconds(cond, "power_state_change_timeout", c.PowerStateChangeTimeout, &one)
	c.SoftPowerOffTimeout = seconds(cond, "soft_power_off_timeout", c.SoftPowerOffTimeout, &one)
	c.DefaultBootMode = dep.Choice("default_boot_mode", c.DefaultBootMode, ipmi.BootModeUEFI, ipmi.BootModeBIOS)
	if err := c.Validate(); err != nil {
		*errs = append(*errs, err)
	}
	return c
}

// readRedfish reads [redfish], plus [conductor] power_state_change_timeout,
// onto the redfish driver's defaults (Ironic's).
func readRedfish(f *Files, errs *[]error) redfish.Config {
	c := redfish.DefaultConfig()
	r := f.Section("redfish", errs)
	cond := f.Section("conductor", errs)
	zero, one := 0, 1
	c.ConnectionAttempts = r.Int("connection_attempts", c.ConnectionAttempts, &one)
	c.ConnectionRetryInterval = seconds(r, "connection_retry_interval", c.ConnectionRetryInterval, &zero)
	c.ConnectionCacheSize = r.Int("connection_cache_size", c.ConnectionCacheSize, &zero)
	c.AuthType = r.Choice("auth_type", c.AuthType, redfish.AuthAuto, redfish.AuthBasic, redfish.AuthSession)
	c.PowerStateChangeTimeout = seconds(cond, "power_state_change_timeout", c.PowerStateChangeTimeout, &one)
	if err := c.Validate(); err != nil {
		*errs = append(*errs, err)
	}
	return c
}
