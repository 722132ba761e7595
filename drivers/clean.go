package drivers

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"

	"github.com/ironic-go/ironic-go/objects/exception"
)

// CleanStep is a clean step as Ironic's @clean_step decorator describes
// it, plus the arguments of a manual cleaning request.
type CleanStep struct {
	// Step is the method name, e.g. "erase_devices".
	Step string
	// Priority orders automated cleaning (higher first); 0 means the step
	// only runs when requested by manual cleaning.
	Priority int
	// Abortable reports whether the step may be aborted while it runs.
	Abortable bool
	// ArgsInfo describes the step's arguments ({name: {description,
	// required}}), nil when it takes none.
	ArgsInfo map[string]any
	// Interface is the interface type implementing the step.
	Interface InterfaceType
	// Args are the arguments of a manual clean step, nil otherwise.
	Args map[string]any
}

// Map returns the step as Ironic stores it in driver_internal_info
// ["clean_steps"] and node.clean_step: step, priority, abortable, argsinfo
// and interface, plus args when set.
func (s CleanStep) Map() map[string]any {
	m := map[string]any{
		"step":      s.Step,
		"priority":  int64(s.Priority),
		"abortable": s.Abortable,
		"argsinfo":  nil,
		"interface": string(s.Interface),
	}
	if s.ArgsInfo != nil {
		m["argsinfo"] = s.ArgsInfo
	}
	if s.Args != nil {
		m["args"] = s.Args
	}
	return m
}

// CleanStepFromMap reads a step stored by [CleanStep.Map] or sent by the
// API (a manual step has interface, step and optionally args).
// InvalidParameterValue when a field has the wrong type.
func CleanStepFromMap(m map[string]any) (CleanStep, error) {
	var s CleanStep
	bad := func(field string) (CleanStep, error) {
		return CleanStep{}, exception.InvalidParameterValue(fmt.Sprintf("Invalid clean step field %q: %v", field, m[field]))
	}
	var ok bool
	if v, has := m["step"]; has {
		if s.Step, ok = v.(string); !ok {
			return bad("step")
		}
	}
	if v, has := m["interface"]; has {
		str, ok := v.(string)
		if !ok {
			return bad("interface")
		}
		s.Interface = InterfaceType(str)
	}
	if v, has := m["priority"]; has && v != nil {
		n, ok := asInt(v)
		if !ok {
			return bad("priority")
		}
		s.Priority = int(n)
	}
	if v, has := m["abortable"]; has && v != nil {
		if s.Abortable, ok = v.(bool); !ok {
			return bad("abortable")
		}
	}
	if v, has := m["argsinfo"]; has && v != nil {
		if s.ArgsInfo, ok = v.(map[string]any); !ok {
			return bad("argsinfo")
		}
	}
	if v, has := m["args"]; has && v != nil {
		if s.Args, ok = v.(map[string]any); !ok {
			return bad("args")
		}
	}
	return s, nil
}

// CleanStepper is an interface with clean steps (power, management, deploy
// or raid; Ironic's BaseInterface.get_clean_steps/execute_clean_step). An
// interface that is not a CleanStepper has none.
type CleanStepper interface {
	// GetCleanSteps returns the interface's steps, enabled or not
	// (NodeCleaningFailure if they cannot be listed yet).
	GetCleanSteps(ctx context.Context, task *Task) ([]CleanStep, error)
	// ExecuteCleanStep runs a step. It returns "" when the step finished,
	// StateCleanWait when it continues asynchronously (the driver then
	// calls continue_node_clean).
	ExecuteCleanStep(ctx context.Context, task *Task, step CleanStep) (string, error)
}

// cleaningInterfacePriority breaks ties between steps of equal priority
// (CLEANING_INTERFACE_PRIORITY): power first, then management, deploy and
// raid.
var cleaningInterfacePriority = map[InterfaceType]int{
	InterfacePower: 4, InterfaceManagement: 3, InterfaceDeploy: 2, InterfaceRAID: 1,
}

// CleanSteps returns the clean steps of the driver's power, management,
// deploy and raid interfaces, highest priority first, ties broken by
// interface (power, management, deploy, raid) and then by the order the
// interfaces returned them (conductor.utils._get_cleaning_steps). With
// enabledOnly, steps of priority 0 are left out.
func (d *Driver) CleanSteps(ctx context.Context, task *Task, enabledOnly bool) ([]CleanStep, error) {
	var steps []CleanStep
	for _, t := range []InterfaceType{InterfacePower, InterfaceManagement, InterfaceDeploy, InterfaceRAID} {
		cs, ok := d.Interface(t).(CleanStepper)
		if !ok {
			continue
		}
		got, err := cs.GetCleanSteps(ctx, task)
		if err != nil {
			return nil, err
		}
		for _, s := range got {
			if !enabledOnly || s.Priority > 0 {
				steps = append(steps, s)
			}
		}
	}
	slices.SortStableFunc(steps, func(a, b CleanStep) int {
		if a.Priority != b.Priority {
			return b.Priority - a.Priority
		}
		return cleaningInterfacePriority[b.Interface] - cleaningInterfacePriority[a.Interface]
	})
	return steps, nil
}

// ExecuteCleanStep runs step on the driver's interface named by
// step.Interface. It returns InvalidParameterValue when that interface
// does not exist or has no clean steps.
func (d *Driver) ExecuteCleanStep(ctx context.Context, task *Task, step CleanStep) (string, error) {
	iface := d.Interface(step.Interface)
	cs, ok := iface.(CleanStepper)
	if !ok {
		return "", exception.InvalidParameterValue(fmt.Sprintf(
			"Clean step %s: interface %s of node %s has no clean steps", stepJSON(step), step.Interface, task.NodeUUID()))
	}
	return cs.ExecuteCleanStep(ctx, task, step)
}

func stepJSON(s CleanStep) string {
	b, err := json.Marshal(s.Map())
	if err != nil {
		return s.Step
	}
	return string(b)
}
