package ipmi

import (
	"context"
	"fmt"
	"maps"
	"slices"

	"github.com/ironic-go/ironic-go/drivers"
	"github.com/ironic-go/ironic-go/objects/exception"
)

// Vendor is the "ipmitool" vendor interface (VendorPassthru): node
// methods send_raw and bmc_reset, no driver methods.
type Vendor struct{ d *Driver }

var _ drivers.VendorInterface = (*Vendor)(nil)

// Properties returns the ipmitool driver_info keys.
func (v *Vendor) Properties() map[string]string { return CommonProperties() }

// Validate requires raw_bytes for send_raw (MissingParameterValue) and a
// valid driver_info for every method.
func (v *Vendor) Validate(_ context.Context, task *drivers.Task, method, _ string, info map[string]any) error {
	if method == "send_raw" && !pyTruthy(info["raw_bytes"]) {
		return exception.MissingParameterValue("Parameter raw_bytes (string of bytes) was not specified.")
	}
	_, err := v.d.info(task)
	return err
}

// DriverValidate accepts everything (VendorInterface.driver_validate).
func (v *Vendor) DriverValidate(context.Context, string, string, map[string]any) error { return nil }

// Routes returns send_raw and bmc_reset: POST, asynchronous, exclusive
// lock, with Ironic's descriptions.
func (v *Vendor) Routes() map[string]drivers.Route {
	return map[string]drivers.Route{
		"send_raw": {
			HTTPMethods: []string{"POST"},
			Description: "Send raw bytes to the BMC. Required argument: 'raw_bytes' - a string of raw bytes " +
				"(e.g. '0x00 0x01').",
			Func: v.sendRaw,
		},
		"bmc_reset": {
			HTTPMethods: []string{"POST"},
			Description: "Reset the BMC. Required argument: 'warm' (Boolean) - for warm (True) or cold " +
				"(False) reset.",
			Func: v.bmcReset,
		},
	}
}

// DriverRoutes returns no driver methods.
func (v *Vendor) DriverRoutes() map[string]drivers.Route { return map[string]drivers.Route{} }

// kwargs checks a route's arguments as Python's call would: unknown names
// and missing required ones fail (the passthru wrapper turns the
// TypeError into VendorPassthruException).
func kwargs(qualname string, info map[string]any, required, optional []string) error {
	for _, k := range slices.Sorted(maps.Keys(info)) {
		if !slices.Contains(required, k) && !slices.Contains(optional, k) {
			return fmt.Errorf("%s() got an unexpected keyword argument '%s'", qualname, k)
		}
	}
	for _, k := range required {
		if _, ok := info[k]; !ok {
			return fmt.Errorf("%s() missing 1 required positional argument: '%s'", qualname, k)
		}
	}
	return nil
}

// sendRaw sends raw_bytes to the BMC once (never retransmitted: the
// effect of arbitrary bytes is unknown) and returns nothing, as Ironic.
func (v *Vendor) sendRaw(ctx context.Context, task *drivers.Task, _ string, info map[string]any) (any, error) {
	if err := kwargs("VendorPassthru.send_raw", info, []string{"raw_bytes"}, nil); err != nil {
		return nil, err
	}
	if err := task.RequireExclusive(); err != nil {
		return nil, err
	}
	raw := exception.PyStr(info["raw_bytes"])
	task.Log.Debug().Str("bytes", raw).Msg("sending raw bytes")
	out, err := v.d.sendRaw(ctx, task, raw, false)
	if err != nil {
		task.Log.Error().Err(err).Msg(`IPMI "raw bytes" failed`)
		return nil, err
	}
	task.Log.Debug().Hex("reply", out).Msg("send raw bytes returned")
	return nil, nil
}

// bmcReset resets the BMC, warm (default) or cold ("bmc reset
// warm|cold"), once; the session ends with it.
func (v *Vendor) bmcReset(ctx context.Context, task *drivers.Task, _ string, info map[string]any) (any, error) {
	if err := kwargs("VendorPassthru.bmc_reset", info, nil, []string{"warm"}); err != nil {
		return nil, err
	}
	if err := task.RequireExclusive(); err != nil {
		return nil, err
	}
	warm := true
	if w, ok := info["warm"]; ok {
		warm = boolFromString(w)
	}
	param, cmd := "warm", uint8(cmdWarmReset)
	if !warm {
		param, cmd = "cold", cmdColdReset
	}
	di, err := v.d.info(task)
	if err != nil {
		return nil, err
	}
	name := "bmc reset " + param
	o := op{name: name, dropSession: true, run: func(ctx context.Context, c bmcClient) ([]byte, error) {
		return c.Raw(ctx, netfnApp, cmd, nil, false)
	}}
	task.Log.Debug().Str("reset", param).Msg("resetting the BMC")
	if _, err := v.d.exec(ctx, task, di, o, ipmiFailure(name)); err != nil {
		task.Log.Error().Err(err).Msg(`IPMI "bmc reset" failed`)
		return nil, err
	}
	return nil, nil
}
