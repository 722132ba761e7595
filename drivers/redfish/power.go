package redfish

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/stmcginnis/gofish/schemas"

	"github.com/ironic-go/ironic-go/drivers"
	"github.com/ironic-go/ironic-go/objects/exception"
)

// Power is the "redfish" power interface (RedfishPower). A reboot is
// ForceOff (when on), wait, then On, as Ironic 21.4 does.
type Power struct{ d *Driver }

var _ drivers.PowerInterface = (*Power)(nil)

// setPowerStateMap is Ironic's SET_POWER_STATE_MAP, in its order.
var setPowerStateMap = []struct {
	state string
	reset schemas.ResetType
}{
	{drivers.PowerOn, schemas.OnResetType},
	{drivers.PowerOff, schemas.ForceOffResetType},
	{drivers.Reboot, schemas.ForceRestartResetType},
	{drivers.SoftReboot, schemas.GracefulRestartResetType},
	{drivers.SoftPowerOff, schemas.GracefulShutdownResetType},
}

func resetFor(state string) (schemas.ResetType, bool) {
	for _, e := range setPowerStateMap {
		if e.state == state {
			return e.reset, true
		}
	}
	return "", false
}

// targetState is the power state a change ends in (TARGET_STATE_MAP).
func targetState(state string) string {
	switch state {
	case drivers.Reboot, drivers.SoftReboot:
		return drivers.PowerOn
	case drivers.SoftPowerOff:
		return drivers.PowerOff
	}
	return state
}

// powerState maps a Redfish PowerState (GET_POWER_STATE_MAP): a
// transition counts as its end state; anything else is PowerError.
func powerState(s schemas.PowerState) string {
	switch s {
	case schemas.OnPowerState, schemas.PoweringOnPowerState:
		return drivers.PowerOn
	case schemas.OffPowerState, schemas.PoweringOffPowerState:
		return drivers.PowerOff
	}
	return drivers.PowerError
}

// Properties returns the redfish driver_info properties.
func (p *Power) Properties() map[string]string { return Properties() }

// Validate checks the node's driver_info (InvalidParameterValue,
// MissingParameterValue); it does not contact the BMC.
func (p *Power) Validate(_ context.Context, task *drivers.Task) error {
	_, err := p.d.parse(task)
	return err
}

// GetPowerState reads the System's PowerState.
func (p *Power) GetPowerState(ctx context.Context, task *drivers.Task) (state string, err error) {
	defer p.d.recoverPanic(task, &err)
	o, err := p.d.open(ctx, task)
	if err != nil {
		return "", err
	}
	defer o.done(ctx)
	return powerState(o.sys.PowerState), nil
}

// SupportedPowerStates returns power on, power off, rebooting, soft
// rebooting and soft power off.
func (p *Power) SupportedPowerStates(context.Context, *drivers.Task) ([]string, error) {
	out := make([]string, len(setPowerStateMap))
	for i, e := range setPowerStateMap {
		out[i] = e.state
	}
	return out, nil
}

// SetPowerState resets the System (power on: On, power off: ForceOff,
// rebooting: ForceRestart, soft rebooting: GracefulRestart, soft power
// off: GracefulShutdown), first re-applying a one-time boot device the
// management interface had to fall back to, then reads the power state
// back until it matches or timeout (0: power_state_change_timeout)
// passes: PowerStateFailure. A refused reset is RedfishError. Needs an
// exclusive lock.
func (p *Power) SetPowerState(ctx context.Context, task *drivers.Task, state string, timeout time.Duration) (err error) {
	defer p.d.recoverPanic(task, &err)
	if err := task.RequireExclusive(); err != nil {
		return err
	}
	o, err := p.d.open(ctx, task)
	if err != nil {
		return err
	}
	defer o.done(ctx)
	failed := func(err error) error {
		msg := fmt.Sprintf("Setting power state to %s failed for node %s. Error: %s", state, o.di.node, err)
		o.log.Error().Str("error", o.di.scrub().text(msg)).Msg("set power state failed")
		return o.di.redfishError(msg, err)
	}
	reset, ok := resetFor(state)
	if !ok {
		return failed(invalidValue("value", state, p.allowed(o)))
	}
	if state == drivers.PowerOn || state == drivers.SoftReboot || state == drivers.Reboot {
		if err := p.d.restoreBootDevice(ctx, task, o); err != nil {
			return err
		}
	}
	if err := o.reset(reset); err != nil {
		return failed(err)
	}
	return p.wait(ctx, task, targetState(state), timeout)
}

// Reboot hard-reboots the node: ForceOff and wait when it is on, then
// re-apply a fallen-back boot device, On and wait. Errors as SetPowerState
// (RedfishError "Reboot failed ...").
func (p *Power) Reboot(ctx context.Context, task *drivers.Task, timeout time.Duration) (err error) {
	defer p.d.recoverPanic(task, &err)
	if err := task.RequireExclusive(); err != nil {
		return err
	}
	o, err := p.d.open(ctx, task)
	if err != nil {
		return err
	}
	defer o.done(ctx)
	failed := func(next string, err error) error {
		msg := fmt.Sprintf("Reboot failed for node %s when setting power state to %s. Error: %s", o.di.node, next, err)
		o.log.Error().Str("error", o.di.scrub().text(msg)).Msg("reboot failed")
		return o.di.redfishError(msg, err)
	}
	if powerState(o.sys.PowerState) == drivers.PowerOn {
		if err := o.reset(schemas.ForceOffResetType); err != nil {
			return failed(drivers.PowerOff, err)
		}
		if err := p.wait(ctx, task, drivers.PowerOff, timeout); err != nil {
			return err
		}
	}
	if err := p.d.restoreBootDevice(ctx, task, o); err != nil {
		return err
	}
	if err := o.reset(schemas.OnResetType); err != nil {
		return failed(drivers.PowerOn, err)
	}
	return p.wait(ctx, task, drivers.PowerOn, timeout)
}

// wait reads the power state until it is target
// (node_wait_for_power_state): PowerStateFailure after timeout.
func (p *Power) wait(ctx context.Context, task *drivers.Task, target string, timeout time.Duration) error {
	if timeout <= 0 {
		timeout = p.d.cfg.PowerStateChangeTimeout
	}
	deadline := time.Now().Add(timeout)
	interval := p.d.cfg.PowerStatePollInterval
	for {
		if w := min(interval, time.Until(deadline)); w > 0 {
			if err := p.d.sleep(ctx, w); err != nil {
				return fmt.Errorf("redfish: waiting for %s on node %s: %w", target, task.NodeUUID(), err)
			}
		}
		st, err := p.GetPowerState(ctx, task)
		if err != nil {
			return err
		}
		if st == target {
			return nil
		}
		if !time.Now().Before(deadline) {
			log := p.d.logger(task)
			log.Error().Dur("timeout", timeout).Str("state", target).Msg("timed out waiting for the power state")
			return exception.PowerStateFailure(target)
		}
		interval = min(interval*3/2, p.d.cfg.PowerStatePollMaxInterval)
	}
}

// allowed returns the reset types the System advertises.
func (p *Power) allowed(o *op) []schemas.ResetType {
	types, _ := o.sys.GetSupportedResetTypes()
	return types
}

// reset posts ComputerSystem.Reset, refusing a type the System does not
// advertise (sushy's reset_system).
func (o *op) reset(rt schemas.ResetType) error {
	allowed, err := o.sys.GetSupportedResetTypes()
	if err != nil {
		o.log.Warn().Str("error", o.di.scrub().text(err.Error())).Msg("cannot read the allowed reset types; trying anyway")
		allowed = nil
	}
	if len(allowed) > 0 && !slices.Contains(allowed, rt) {
		return invalidValue("value", string(rt), allowed)
	}
	target, err := actionTarget(o.sys.RawData, "#ComputerSystem.Reset")
	if err != nil {
		return err
	}
	resp, err := o.api.Post(target, map[string]any{"ResetType": rt})
	if err != nil {
		return classify(o.ctx, httpError(http.MethodPost, o.di.address, target, err))
	}
	drain(resp)
	o.log.Debug().Str("reset_type", string(rt)).Msg("reset posted")
	return nil
}

// actionTarget reads an action's target URI from a resource's JSON.
func actionTarget(raw []byte, action string) (string, error) {
	var doc struct {
		ODataID string `json:"@odata.id"`
		Actions map[string]json.RawMessage
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		return "", fmt.Errorf("%w: %w", ErrMalformed, err)
	}
	var a struct {
		Target string `json:"target"`
	}
	if raw, ok := doc.Actions[action]; ok {
		_ = json.Unmarshal(raw, &a)
	}
	if a.Target == "" {
		return "", fmt.Errorf("The action %s is missing from the resource %s", action, doc.ODataID) //nolint:staticcheck // sushy's message
	}
	return a.Target, nil
}

// invalidValue is sushy's InvalidParameterValueError text.
func invalidValue[T ~string](param, value string, valid []T) error {
	vs := make([]string, len(valid))
	for i, v := range valid {
		vs[i] = string(v)
	}
	return fmt.Errorf("The parameter %q value %q is invalid. Valid values are: %s", param, value, strings.Join(vs, ", ")) //nolint:staticcheck // sushy's message
}
