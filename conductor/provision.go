package conductor

import (
	"context"
	"errors"
	"fmt"

	"github.com/ironic-go/ironic-go/conductor/states"
	"github.com/ironic-go/ironic-go/drivers"
	"github.com/ironic-go/ironic-go/objects"
	"github.com/ironic-go/ironic-go/objects/exception"
	"github.com/ironic-go/ironic-go/rpcapi"
)

const noFreeWorkers = "No free conductor workers available"

// provisioningErrorHandler restores the provision states when the worker
// pool refused the work (utils.provisioning_error_handler).
func provisioningErrorHandler(t *Task) func(err error, prev, prevTarget states.State) {
	return func(err error, prev, prevTarget states.State) {
		if !errors.Is(err, exception.ErrNoFreeConductorWorker) {
			return
		}
		n := t.Node
		n.ProvisionState = prev.Ptr()
		n.TargetProvisionState = prevTarget.Ptr()
		n.MarkChanged("provision_state", "target_provision_state")
		setLastError(n, strp(noFreeWorkers))
		if serr := t.SaveNode(context.WithoutCancel(t.reqCtx)); serr != nil {
			t.Log.Error().Err(serr).Msg("cannot restore the provision state after a refused spawn")
		}
		t.Log.Warn().Str("state", string(prev)).Msg("no free conductor workers; provision state restored")
	}
}

// fireEvent is task.process_event with a spawned callback and the
// provisioning error handler; InvalidState becomes InvalidStateRequested.
func fireEvent(ctx context.Context, t *Task, event states.Event, action string, target states.State, purpose string,
	work func(ctx context.Context) error) error {
	state := states.Of(t.Node.ProvisionState)
	t.purpose = purpose
	err := t.processEvent(ctx, event, work, provisioningErrorHandler(t), target)
	if err != nil && errors.Is(err, exception.ErrInvalidState) {
		return exception.InvalidStateRequested(action, t.NodeUUID(), string(state))
	}
	return err
}

// nodeDict returns a copy of a node dict field (nil becomes empty), so
// edits are seen as changes.
func nodeDict(m map[string]any) map[string]any {
	out := make(map[string]any, len(m)+1)
	for k, v := range m {
		out[k] = v
	}
	return out
}

// ---- deploy ----

func (m *Manager) doNodeDeploy(ctx context.Context, a rpcapi.DoNodeDeployArgs) (none, error) {
	return none{}, m.withNode(ctx, a.NodeID, exclusive("node deployment"), func(t *Task) error {
		node := t.Node
		if node.Maintenance {
			return exception.NodeInMaintenance("provisioning", t.NodeUUID())
		}
		event := states.EventDeploy
		if a.Rebuild {
			event = states.EventRebuild
			ii := nodeDict(node.InstanceInfo)
			if src, _ := ii["image_source"].(string); isGlanceImage(src) {
				delete(ii, "kernel")
				delete(ii, "ramdisk")
				node.InstanceInfo = ii
			}
		}
		dii := nodeDict(node.DriverInternalInfo)
		dii["is_whole_disk_image"] = isWholeDiskImage(node.InstanceInfo)
		node.DriverInternalInfo = dii
		if err := t.SaveNode(ctx); err != nil {
			return err
		}
		if err := m.validatePowerAndDeploy(ctx, t); err != nil {
			var ie *exception.Error
			if errors.As(err, &ie) && errors.Is(ie, exception.ErrInvalidParameterValue) {
				return exception.InstanceDeployFailure(fmt.Sprintf(
					"Failed to validate deploy or power info for node %s. Error: %s", t.NodeUUID(), ie.Msg))
			}
			return err
		}
		return fireEvent(ctx, t, event, string(event), states.NoState, "do_node_deploy", func(ctx context.Context) error {
			return m.deployWorker(ctx, t, a.Configdrive)
		})
	})
}

func (m *Manager) validatePowerAndDeploy(ctx context.Context, t *Task) error {
	power, err := iface[drivers.PowerInterface](t, drivers.InterfacePower)
	if err != nil {
		return err
	}
	if err := power.Validate(ctx, &t.Task); err != nil {
		return err
	}
	deploy, err := iface[drivers.DeployInterface](t, drivers.InterfaceDeploy)
	if err != nil {
		return err
	}
	return deploy.Validate(ctx, &t.Task)
}

// isGlanceImage is glance_utils.is_glance_image: a bare UUID or a
// glance:// reference.
func isGlanceImage(src string) bool {
	return src != "" && (objects.IsUUIDLike(src) || len(src) > 9 && src[:9] == "glance://")
}

// isWholeDiskImage is images.is_whole_disk_image without a Glance lookup:
// nil without an image_source, else true unless a kernel and a ramdisk are
// given.
func isWholeDiskImage(ii map[string]any) any {
	if src, _ := ii["image_source"].(string); src == "" {
		return nil
	}
	k, _ := ii["kernel"].(string)
	r, _ := ii["ramdisk"].(string)
	return k == "" || r == ""
}

// deployWorker is conductor.manager.do_node_deploy.
func (m *Manager) deployWorker(ctx context.Context, t *Task, configdrive any) error {
	node := t.Node
	fail := func(err error, format string) error {
		if perr := t.processEvent(ctx, states.EventFail, nil, nil, states.NoState); perr != nil {
			t.Log.Error().Err(perr).Msg("cannot move the node to deploy failed")
		}
		setLastError(t.Node, strp(fmt.Sprintf(format, errorText(err))))
		if serr := t.SaveNode(ctx); serr != nil {
			t.Log.Error().Err(serr).Msg("cannot record the deploy failure")
		}
		t.Log.Error().Err(err).Msg("deploy failed")
		return err
	}
	if configdrive != nil && configdrive != "" {
		ii := nodeDict(node.InstanceInfo)
		ii["configdrive"] = configdrive
		node.InstanceInfo = ii
		if err := t.SaveNode(ctx); err != nil {
			return fail(err, "Failed to store the configdrive: %s")
		}
	}
	deploy, err := iface[drivers.DeployInterface](t, drivers.InterfaceDeploy)
	if err != nil {
		return fail(err, "Failed to prepare to deploy: %s")
	}
	if err := guard(t, func() error { return deploy.Prepare(ctx, &t.Task) }); err != nil {
		return fail(err, "Failed to prepare to deploy: %s")
	}
	newState, err := guard1(t, func() (string, error) { return deploy.Deploy(ctx, &t.Task) })
	if err != nil {
		return fail(err, "Failed to deploy: %s")
	}
	t.Node.ConductorAffinity = &m.conductorID
	t.Node.MarkChanged("conductor_affinity")
	switch newState {
	case drivers.StateDeployDone:
		if err := t.processEvent(ctx, states.EventDone, nil, nil, states.NoState); err != nil {
			return err
		}
		t.Log.Info().Msg("successfully deployed node")
	case drivers.StateDeployWait:
		if err := t.processEvent(ctx, states.EventWait, nil, nil, states.NoState); err != nil {
			return err
		}
	default:
		t.Log.Error().Str("state", newState).Msg("unexpected state returned while deploying")
	}
	return t.SaveNode(ctx)
}

// ---- tear down ----

func (m *Manager) doNodeTearDown(ctx context.Context, a rpcapi.NodeArgs) (none, error) {
	return none{}, m.withNode(ctx, a.NodeID, exclusive("node tear down"), func(t *Task) error {
		power, err := iface[drivers.PowerInterface](t, drivers.InterfacePower)
		if err != nil {
			return err
		}
		if err := power.Validate(ctx, &t.Task); err != nil {
			var ie *exception.Error
			if errors.As(err, &ie) && errors.Is(ie, exception.ErrInvalidParameterValue) {
				return exception.InstanceDeployFailure(fmt.Sprintf(
					"Failed to validate power driver interface. Can not delete instance. Error: %s", ie.Msg))
			}
			return err
		}
		return fireEvent(ctx, t, states.EventDelete, "delete", states.NoState, "_do_node_tear_down", func(ctx context.Context) error {
			return m.tearDownWorker(ctx, t)
		})
	})
}

// tearDownWorker is ConductorManager._do_node_tear_down.
func (m *Manager) tearDownWorker(ctx context.Context, t *Task) error {
	deploy, err := iface[drivers.DeployInterface](t, drivers.InterfaceDeploy)
	if err == nil {
		err = guard(t, func() error {
			if err := deploy.CleanUp(ctx, &t.Task); err != nil {
				return err
			}
			_, err := deploy.TearDown(ctx, &t.Task)
			return err
		})
	}
	if err != nil {
		setLastError(t.Node, strp("Failed to tear down. Error: "+errorText(err)))
		if perr := t.processEvent(ctx, states.EventError, nil, nil, states.NoState); perr != nil {
			t.Log.Error().Err(perr).Msg("cannot move the node to error")
		}
	} else {
		t.Log.Info().Msg("successfully unprovisioned node")
	}
	node := t.Node
	node.InstanceInfo = map[string]any{}
	node.InstanceUUID = nil
	dii := nodeDict(node.DriverInternalInfo)
	delete(dii, "instance")
	node.DriverInternalInfo = dii
	node.MarkChanged("instance_info", "instance_uuid")
	if serr := t.SaveNode(ctx); serr != nil {
		return serr
	}
	if err != nil {
		return err
	}
	if err := t.processEvent(ctx, states.EventClean, nil, nil, states.NoState); err != nil {
		return err
	}
	return m.doNodeCleanWorker(ctx, t, nil)
}

// ---- cleaning ----

func (m *Manager) doNodeClean(ctx context.Context, a rpcapi.DoNodeCleanArgs) (none, error) {
	return none{}, m.withNode(ctx, a.NodeID, exclusive("node manual cleaning"), func(t *Task) error {
		if t.Node.Maintenance {
			return exception.NodeInMaintenance("cleaning", t.NodeUUID())
		}
		if err := m.validatePowerAndNetwork(ctx, t); err != nil {
			var ie *exception.Error
			if errors.As(err, &ie) && errors.Is(ie, exception.ErrInvalidParameterValue) {
				return exception.InvalidParameterValue(fmt.Sprintf(
					"Validation failed. Cannot clean node %s. Error: %s", t.NodeUUID(), ie.Msg))
			}
			return err
		}
		steps := a.CleanSteps
		if steps == nil {
			steps = []map[string]any{}
		}
		return fireEvent(ctx, t, states.EventClean, "manual clean", states.Manageable, "_do_node_clean", func(ctx context.Context) error {
			return m.doNodeCleanWorker(ctx, t, steps)
		})
	})
}

func (m *Manager) validatePowerAndNetwork(ctx context.Context, t *Task) error {
	power, err := iface[drivers.PowerInterface](t, drivers.InterfacePower)
	if err != nil {
		return err
	}
	if err := power.Validate(ctx, &t.Task); err != nil {
		return err
	}
	if nw, ok := t.Driver.Interface(drivers.InterfaceNetwork).(drivers.NetworkInterface); ok && nw != nil {
		return nw.Validate(ctx, &t.Task)
	}
	return nil
}

// doNodeCleanWorker is ConductorManager._do_node_clean; manualSteps is
// nil for automated cleaning.
func (m *Manager) doNodeCleanWorker(ctx context.Context, t *Task, manualSteps []map[string]any) error {
	manual := manualSteps != nil
	node := t.Node
	if !manual && !m.cfg.AutomatedClean {
		node.CleanStep = nil
		node.MarkChanged("clean_step")
		if err := t.SaveNode(ctx); err != nil {
			return err
		}
		t.Log.Info().Msg("automated cleaning is disabled; node moved to available")
		return t.processEvent(ctx, states.EventDone, nil, nil, states.NoState)
	}
	if err := guard(t, func() error { return m.validatePowerAndNetwork(ctx, t) }); err != nil {
		return m.cleaningError(ctx, t, fmt.Sprintf("Validation failed. Cannot clean node %s. Error: %s", t.NodeUUID(), errorText(err)), true, true)
	}
	if manual {
		dii := nodeDict(t.Node.DriverInternalInfo)
		steps := make([]any, len(manualSteps))
		for i, s := range manualSteps {
			steps[i] = s
		}
		dii["clean_steps"] = steps
		t.Node.DriverInternalInfo = dii
		if err := t.SaveNode(ctx); err != nil {
			return err
		}
	}
	deploy, err := iface[drivers.DeployInterface](t, drivers.InterfaceDeploy)
	if err != nil {
		return m.cleaningError(ctx, t, fmt.Sprintf("Failed to prepare node %s for cleaning: %s", t.NodeUUID(), errorText(err)), true, true)
	}
	prep, err := guard1(t, func() (string, error) { return deploy.PrepareCleaning(ctx, &t.Task) })
	if err != nil {
		return m.cleaningError(ctx, t, fmt.Sprintf("Failed to prepare node %s for cleaning: %s", t.NodeUUID(), errorText(err)), true, true)
	}
	if prep == drivers.StateCleanWait {
		target := states.NoState
		if manual {
			target = states.Manageable
		}
		return t.processEvent(ctx, states.EventWait, nil, nil, target)
	}
	if err := m.setNodeCleaningSteps(ctx, t); err != nil {
		return m.cleaningError(ctx, t, fmt.Sprintf("Cannot clean node %s. Error: %s", t.NodeUUID(), errorText(err)), true, true)
	}
	steps, _ := t.Node.DriverInternalInfo["clean_steps"].([]any)
	if len(steps) == 0 {
		return m.doNextCleanStep(ctx, t, -1)
	}
	return m.doNextCleanStep(ctx, t, 0)
}

func isManualClean(n *objects.Node) bool {
	return states.Of(n.TargetProvisionState) == states.Manageable
}

// setNodeCleaningSteps is utils.set_node_cleaning_steps.
func (m *Manager) setNodeCleaningSteps(ctx context.Context, t *Task) error {
	dii := nodeDict(t.Node.DriverInternalInfo)
	if !isManualClean(t.Node) {
		steps, err := t.Driver.CleanSteps(ctx, &t.Task, true)
		if err != nil {
			return err
		}
		list := make([]any, len(steps))
		for i, s := range steps {
			list[i] = s.Map()
		}
		dii["clean_steps"] = list
	} else {
		user, _ := dii["clean_steps"].([]any)
		valid, err := m.validateUserCleanSteps(ctx, t, user)
		if err != nil {
			return err
		}
		dii["clean_steps"] = valid
	}
	t.Node.CleanStep = map[string]any{}
	t.Node.MarkChanged("clean_step")
	dii["clean_step_index"] = nil
	t.Node.DriverInternalInfo = dii
	return t.SaveNode(ctx)
}

// validateUserCleanSteps is utils._validate_user_clean_steps.
func (m *Manager) validateUserCleanSteps(ctx context.Context, t *Task, user []any) ([]any, error) {
	driverSteps, err := t.Driver.CleanSteps(ctx, &t.Task, false)
	if err != nil {
		return nil, err
	}
	byKey := map[string]drivers.CleanStep{}
	for _, s := range driverSteps {
		byKey[string(s.Interface)+"."+s.Step] = s
	}
	var errs []string
	out := make([]any, 0, len(user))
	for _, u := range user {
		us, _ := u.(map[string]any)
		iface, _ := us["interface"].(string)
		name, _ := us["step"].(string)
		ds, ok := byKey[iface+"."+name]
		if !ok {
			errs = append(errs, fmt.Sprintf("node does not support this clean step: %s", exception.PyRepr(us)))
			continue
		}
		args, _ := us["args"].(map[string]any)
		if len(args) > 0 {
			if len(ds.ArgsInfo) == 0 {
				errs = append(errs, fmt.Sprintf("clean step %s does not take any arguments", exception.PyRepr(us)))
			} else {
				var invalid []string
				for k := range args {
					if _, ok := ds.ArgsInfo[k]; !ok {
						invalid = append(invalid, k)
					}
				}
				if len(invalid) > 0 {
					errs = append(errs, fmt.Sprintf("clean step %s has these invalid arguments: %s", exception.PyRepr(us), joinSorted(invalid)))
				}
			}
		}
		var missing []string
		for k, info := range ds.ArgsInfo {
			im, _ := info.(map[string]any)
			if req, _ := im["required"].(bool); req {
				if _, ok := args[k]; !ok {
					missing = append(missing, k)
				}
			}
		}
		if len(missing) > 0 {
			errs = append(errs, fmt.Sprintf("clean step %s is missing these required keyword arguments: %s", exception.PyRepr(us), joinSorted(missing)))
		}
		step := nodeDict(us)
		step["priority"] = int64(ds.Priority)
		step["abortable"] = ds.Abortable
		out = append(out, step)
	}
	if len(errs) > 0 {
		return nil, exception.InvalidParameterValue(joinWith(errs, "; "))
	}
	return out, nil
}

// doNextCleanStep is ConductorManager._do_next_clean_step; index -1 means
// no steps are left.
func (m *Manager) doNextCleanStep(ctx context.Context, t *Task, index int) error {
	manual := isManualClean(t.Node)
	dii := nodeDict(t.Node.DriverInternalInfo)
	all, _ := dii["clean_steps"].([]any)
	var steps []any
	if index >= 0 && index < len(all) {
		steps = all[index:]
	}
	for i, s := range steps {
		sm, _ := s.(map[string]any)
		t.Node.CleanStep = sm
		t.Node.MarkChanged("clean_step")
		dii["clean_step_index"] = index + i
		t.Node.DriverInternalInfo = nodeDict(dii)
		if err := t.SaveNode(ctx); err != nil {
			return err
		}
		step, err := drivers.CleanStepFromMap(sm)
		var result string
		if err == nil {
			result, err = guard1(t, func() (string, error) { return t.Driver.ExecuteCleanStep(ctx, &t.Task, step) })
		}
		if err != nil {
			return m.cleaningError(ctx, t, fmt.Sprintf("Node %s failed step %s: %s", t.NodeUUID(), exception.PyRepr(sm), errorText(err)), true, true)
		}
		if result == drivers.StateCleanWait {
			target := states.NoState
			if manual {
				target = states.Manageable
			}
			t.Log.Info().Str("step", step.Step).Msg("clean step running asynchronously; waiting for the driver")
			return t.processEvent(ctx, states.EventWait, nil, nil, target)
		}
		if result != "" {
			return m.cleaningError(ctx, t, fmt.Sprintf("While executing step %s on node %s, step returned invalid value: %s",
				exception.PyRepr(sm), t.NodeUUID(), result), true, true)
		}
		dii = nodeDict(t.Node.DriverInternalInfo)
	}
	t.Node.CleanStep = nil
	t.Node.MarkChanged("clean_step")
	dii["clean_steps"] = nil
	delete(dii, "clean_step_index")
	t.Node.DriverInternalInfo = dii
	if err := t.SaveNode(ctx); err != nil {
		return err
	}
	if deploy, err := iface[drivers.DeployInterface](t, drivers.InterfaceDeploy); err == nil {
		if err := guard(t, func() error { return deploy.TearDownCleaning(ctx, &t.Task) }); err != nil {
			return m.cleaningError(ctx, t, fmt.Sprintf("Failed to tear down from cleaning for node %s", t.NodeUUID()), false, true)
		}
	}
	t.Log.Info().Msg("node cleaning complete")
	event := states.EventDone
	if manual {
		event = states.EventManage
	}
	return t.processEvent(ctx, event, nil, nil, states.NoState)
}

// cleaningError is utils.cleaning_error_handler: the node goes to clean
// failed in maintenance with the message as last_error and
// maintenance_reason.
func (m *Manager) cleaningError(ctx context.Context, t *Task, msg string, tearDown, setFail bool) error {
	node := t.Node
	state := states.Of(node.ProvisionState)
	if state == states.Cleaning || state == states.CleanWait {
		node.CleanStep = map[string]any{}
		node.MarkChanged("clean_step")
		dii := nodeDict(node.DriverInternalInfo)
		delete(dii, "clean_step_index")
		delete(dii, "cleaning_reboot")
		node.DriverInternalInfo = dii
	}
	manual := isManualClean(node)
	setLastError(node, &msg)
	node.Maintenance = true
	node.MaintenanceReason = &msg
	node.MarkChanged("maintenance", "maintenance_reason")
	if err := t.SaveNode(ctx); err != nil {
		return err
	}
	t.Log.Error().Str("error", msg).Msg("cleaning failed")
	if tearDown {
		if deploy, err := iface[drivers.DeployInterface](t, drivers.InterfaceDeploy); err == nil {
			if err := deploy.TearDownCleaning(ctx, &t.Task); err != nil {
				t.Log.Error().Err(err).Msg("failed to tear down cleaning")
			}
		}
	}
	if setFail {
		target := states.NoState
		if manual {
			target = states.Manageable
		}
		return t.processEvent(ctx, states.EventFail, nil, nil, target)
	}
	return nil
}

func (m *Manager) continueNodeClean(ctx context.Context, a rpcapi.NodeArgs) (none, error) {
	err := m.withNode(ctx, a.NodeID, exclusive("continue node cleaning"), func(t *Task) error {
		node := t.Node
		target := states.NoState
		if isManualClean(node) {
			target = states.Manageable
		}
		state := states.Of(node.ProvisionState)
		if state != states.CleanWait && state != states.Cleaning {
			return exception.NewMessage("InvalidStateRequested", fmt.Sprintf(
				"Cannot continue cleaning on %s, node is in %s state, should be %s", t.NodeUUID(), state, states.CleanWait), nil)
		}
		dii := nodeDict(node.DriverInternalInfo)
		skip := true
		if v, ok := dii["skip_current_clean_step"]; ok {
			skip, _ = v.(bool)
			delete(dii, "skip_current_clean_step")
			node.DriverInternalInfo = dii
			if err := t.SaveNode(ctx); err != nil {
				return err
			}
		}
		next := nextCleanStepIndex(t.Node, skip)
		if abort, _ := t.Node.CleanStep["abort_after"].(bool); abort {
			stepName, _ := t.Node.CleanStep["step"].(string)
			if next >= 0 {
				return fireEvent(ctx, t, states.EventAbort, "abort", target, "_do_node_clean_abort", func(ctx context.Context) error {
					return m.cleanAbortWorker(ctx, t, stepName)
				})
			}
			cs := nodeDict(t.Node.CleanStep)
			delete(cs, "abort_after")
			t.Node.CleanStep = cs
		}
		if state == states.CleanWait {
			if err := t.processEvent(ctx, states.EventResume, nil, nil, target); err != nil {
				return err
			}
		}
		t.errHandler = func(err error) {
			if errors.Is(err, exception.ErrNoFreeConductorWorker) {
				setLastError(t.Node, strp(noFreeWorkers))
				_ = t.SaveNode(context.WithoutCancel(ctx))
			}
		}
		t.purpose = "_do_next_clean_step"
		return t.Spawn(ctx, func(ctx context.Context) error { return m.doNextCleanStep(ctx, t, next) })
	})
	if err != nil {
		// A cast has no caller to tell: log, as Ironic's expected
		// exceptions are logged.
		m.log.Warn().Err(err).Str("node", string(a.NodeID)).Msg("continue_node_clean failed")
	}
	return none{}, err
}

// nextCleanStepIndex is _get_node_next_clean_steps; -1 when none is left.
func nextCleanStepIndex(n *objects.Node, skipCurrent bool) int {
	if len(n.CleanStep) == 0 {
		return -1
	}
	idx, ok := asInt(n.DriverInternalInfo["clean_step_index"])
	if !ok {
		return -1
	}
	if skipCurrent {
		idx++
	}
	steps, _ := n.DriverInternalInfo["clean_steps"].([]any)
	if idx >= len(steps) {
		return -1
	}
	return idx
}

func asInt(v any) (int, bool) {
	switch x := v.(type) {
	case int:
		return x, true
	case int64:
		return int(x), true
	case float64:
		return int(x), true
	}
	return 0, false
}

// cleanAbortWorker is ConductorManager._do_node_clean_abort.
func (m *Manager) cleanAbortWorker(ctx context.Context, t *Task, stepName string) error {
	if deploy, err := iface[drivers.DeployInterface](t, drivers.InterfaceDeploy); err == nil {
		if err := deploy.TearDownCleaning(ctx, &t.Task); err != nil {
			t.Log.Error().Err(err).Msg("failed to tear down cleaning after aborting")
			return m.cleaningError(ctx, t, "Failed to tear down cleaning after aborting the operation", false, false)
		}
	}
	msg := "By request, the clean operation was aborted"
	if stepName != "" {
		msg += fmt.Sprintf(" after the completion of step \"%s\"", stepName)
	}
	setLastError(t.Node, &msg)
	t.Node.CleanStep = nil
	t.Node.MarkChanged("clean_step")
	dii := nodeDict(t.Node.DriverInternalInfo)
	for _, k := range []string{"clean_step_index", "cleaning_reboot", "cleaning_polling", "skip_current_clean_step"} {
		delete(dii, k)
	}
	t.Node.DriverInternalInfo = dii
	t.Log.Info().Msg("clean operation aborted")
	return t.SaveNode(ctx)
}

// ---- provisioning actions ----

func (m *Manager) doProvisioningAction(ctx context.Context, a rpcapi.DoProvisioningActionArgs) (none, error) {
	return none{}, m.withNode(ctx, a.NodeID, exclusive("provision action "+a.Action), func(t *Task) error {
		node := t.Node
		state := states.Of(node.ProvisionState)
		switch {
		case a.Action == string(states.EventProvide) && state == states.Manageable:
			return fireEvent(ctx, t, states.EventProvide, a.Action, states.NoState, "_do_node_clean", func(ctx context.Context) error {
				return m.doNodeCleanWorker(ctx, t, nil)
			})
		case a.Action == string(states.EventManage) && state == states.Enroll:
			return fireEvent(ctx, t, states.EventManage, a.Action, states.NoState, "_do_node_verify", func(ctx context.Context) error {
				return m.verifyWorker(ctx, t)
			})
		case a.Action == string(states.EventAdopt) && (state == states.Manageable || state == states.AdoptFail):
			return fireEvent(ctx, t, states.EventAdopt, a.Action, states.NoState, "_do_adoption", func(ctx context.Context) error {
				return m.adoptionWorker(ctx, t)
			})
		case a.Action == string(states.EventAbort) && state == states.CleanWait:
			if len(node.CleanStep) > 0 {
				if abortable, _ := node.CleanStep["abortable"].(bool); !abortable {
					if after, _ := node.CleanStep["abort_after"].(bool); !after {
						cs := nodeDict(node.CleanStep)
						cs["abort_after"] = true
						node.CleanStep = cs
						t.Log.Info().Msg("current clean step is not abortable; cleaning will abort after it")
						return t.SaveNode(ctx)
					}
					return nil
				}
			}
			target := states.NoState
			if isManualClean(node) {
				target = states.Manageable
			}
			return fireEvent(ctx, t, states.EventAbort, a.Action, target, "_do_node_clean_abort", func(ctx context.Context) error {
				return m.cleanAbortWorker(ctx, t, "")
			})
		}
		if err := t.processEvent(ctx, states.Event(a.Action), nil, nil, states.NoState); err != nil {
			if errors.Is(err, exception.ErrInvalidState) {
				return exception.InvalidStateRequested(a.Action, t.NodeUUID(), string(state))
			}
			return err
		}
		return nil
	})
}

// verifyWorker is ConductorManager._do_node_verify.
func (m *Manager) verifyWorker(ctx context.Context, t *Task) error {
	power, err := iface[drivers.PowerInterface](t, drivers.InterfacePower)
	var ps string
	if err == nil {
		ps, err = guard1(t, func() (string, error) {
			if err := power.Validate(ctx, &t.Task); err != nil {
				return "", err
			}
			return power.GetPowerState(ctx, &t.Task)
		})
	}
	if err != nil {
		setLastError(t.Node, strp(fmt.Sprintf("Failed to validate power driver interface for node %s. Error: %s", t.NodeUUID(), errorText(err))))
		t.Log.Error().Err(err).Msg("node verification failed")
		return t.processEvent(ctx, states.EventFail, nil, nil, states.NoState)
	}
	t.Node.PowerState = powerStatePtr(ps)
	t.Node.MarkChanged("power_state")
	if err := t.processEvent(ctx, states.EventDone, nil, nil, states.NoState); err != nil {
		return err
	}
	t.Log.Info().Msg("successfully verified node")
	return nil
}

// adoptionWorker is ConductorManager._do_adoption.
func (m *Manager) adoptionWorker(ctx context.Context, t *Task) error {
	err := func() error {
		if boot, ok := t.Driver.Interface(drivers.InterfaceBoot).(drivers.BootInterface); ok && boot != nil {
			if err := boot.Validate(ctx, &t.Task); err != nil {
				return err
			}
		}
		return m.takeOver(ctx, t)
	}()
	if err != nil {
		setLastError(t.Node, strp(fmt.Sprintf("Error while attempting to adopt node %s: %s.", t.NodeUUID(), errorText(err))))
		return t.processEvent(ctx, states.EventFail, nil, nil, states.NoState)
	}
	t.Log.Info().Msg("successfully adopted node")
	return t.processEvent(ctx, states.EventDone, nil, nil, states.NoState)
}

// takeOver is ConductorManager._do_takeover.
func (m *Manager) takeOver(ctx context.Context, t *Task) error {
	deploy, err := iface[drivers.DeployInterface](t, drivers.InterfaceDeploy)
	if err != nil {
		return err
	}
	err = guard(t, func() error {
		if err := deploy.Prepare(ctx, &t.Task); err != nil {
			return err
		}
		return deploy.TakeOver(ctx, &t.Task)
	})
	if err != nil {
		return err
	}
	if t.Node.ConsoleEnabled {
		c, err := iface[drivers.ConsoleInterface](t, drivers.InterfaceConsole)
		if err == nil {
			err = c.StartConsole(ctx, &t.Task)
		}
		if err != nil {
			setLastError(t.Node, strp(fmt.Sprintf("Failed to start console while taking over the node %s: %s.", t.NodeUUID(), errorText(err))))
			t.Node.ConsoleEnabled = false
			t.Node.MarkChanged("console_enabled")
		}
	}
	t.Node.ConductorAffinity = &m.conductorID
	t.Node.MarkChanged("conductor_affinity")
	return t.SaveNode(ctx)
}

// ---- inspection ----

func (m *Manager) inspectHardware(ctx context.Context, a rpcapi.NodeArgs) (none, error) {
	return none{}, m.withNode(ctx, a.NodeID, exclusive("hardware inspection"), func(t *Task) error {
		inspect, err := iface[drivers.InspectInterface](t, drivers.InterfaceInspect)
		if err != nil {
			return err
		}
		power, err := iface[drivers.PowerInterface](t, drivers.InterfacePower)
		if err == nil {
			if err = power.Validate(ctx, &t.Task); err == nil {
				err = inspect.Validate(ctx, &t.Task)
			}
		}
		if err != nil {
			if errors.Is(err, exception.ErrInvalidParameterValue) || errors.Is(err, exception.ErrMissingParameterValue) {
				return exception.HardwareInspectionFailure(fmt.Sprintf(
					"RPC inspect_hardware failed to validate inspection or power info. Error: %s", errorText(err)))
			}
			return err
		}
		return fireEvent(ctx, t, states.EventInspect, "inspect", states.NoState, "_do_inspect_hardware", func(ctx context.Context) error {
			return m.inspectWorker(ctx, t, inspect)
		})
	})
}

// inspectWorker is conductor.manager._do_inspect_hardware.
func (m *Manager) inspectWorker(ctx context.Context, t *Task, inspect drivers.InspectInterface) error {
	fail := func(msg string) {
		setLastError(t.Node, &msg)
		if err := t.processEvent(ctx, states.EventFail, nil, nil, states.NoState); err != nil {
			t.Log.Error().Err(err).Msg("cannot move the node to inspect failed")
		}
		t.Log.Error().Str("error", msg).Msg("failed to inspect node")
	}
	newState, err := guard1(t, func() (string, error) { return inspect.InspectHardware(ctx, &t.Task) })
	if err != nil {
		fail(errorText(err))
		return err
	}
	switch newState {
	case drivers.StateManageable:
		t.Log.Info().Msg("successfully inspected node")
		return t.processEvent(ctx, states.EventDone, nil, nil, states.NoState)
	case drivers.StateInspecting:
		return nil
	}
	msg := fmt.Sprintf("During inspection, driver returned unexpected state %s", newState)
	fail(msg)
	return exception.HardwareInspectionFailure(msg)
}

// ---- agent heartbeat ----

func (m *Manager) heartbeat(ctx context.Context, a rpcapi.HeartbeatArgs) (none, error) {
	return none{}, m.withNode(ctx, a.NodeID, shared("heartbeat"), func(t *Task) error {
		deploy, err := iface[drivers.DeployInterface](t, drivers.InterfaceDeploy)
		if err != nil {
			return err
		}
		t.purpose = "heartbeat"
		return t.Spawn(ctx, func(ctx context.Context) error { return deploy.Heartbeat(ctx, &t.Task, a.CallbackURL) })
	})
}
