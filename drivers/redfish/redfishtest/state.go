package redfishtest

import (
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strings"
	"time"
)

// emulatorResetTypes are the reset types sushy-tools advertises.
var emulatorResetTypes = []string{"On", "ForceOff", "GracefulShutdown", "GracefulRestart", "ForceRestart", "Nmi", "ForceOn"}

// knownResetTypes is the Redfish ResetType enumeration: a value outside it
// is a bad request, a value inside it that is not advertised is not
// implemented.
var knownResetTypes = []string{
	"On", "ForceOff", "GracefulShutdown", "GracefulRestart", "ForceRestart", "Nmi", "ForceOn",
	"PushPowerButton", "PowerCycle", "Suspend", "Pause", "Resume", "FullPowerCycle",
}

// system is one ComputerSystem: the mockup document plus its state.
type system struct {
	id  string
	doc map[string]any

	power   string
	pending *powerChange

	hasBoot, hasMode                  bool
	bootTarget, bootEnabled, bootMode string

	resetTarget string
	actionInfo  string
	resets      []string
	nmis        int
	bootPatches int
}

// powerChange is a reset that has not landed yet.
type powerChange struct {
	to string
	at time.Time
	// boots is true when the change boots the system (off to on, or a
	// restart).
	boots bool
}

// loadSystems reads the systems collection and each member.
func (s *Server) loadSystems() error {
	coll, err := s.readJSON("Systems/index.json")
	if err != nil {
		return fmt.Errorf("redfishtest: mockup %s has no Systems: %w", s.opts.Mockup, err)
	}
	members, _ := coll["Members"].([]any)
	for _, m := range members {
		mm, _ := m.(map[string]any)
		id, _ := mm["@odata.id"].(string)
		id = cleanPath(id)
		rel, ok := resourceFile(id)
		if !ok {
			return fmt.Errorf("redfishtest: system link %q outside /redfish/v1", id)
		}
		doc, err := s.readJSON(rel)
		if err != nil {
			return err
		}
		sys := &system{id: id, doc: doc}
		sys.power, _ = doc["PowerState"].(string)
		if sys.power == "" {
			sys.power = "Off"
		}
		if boot, ok := doc["Boot"].(map[string]any); ok {
			sys.hasBoot = true
			sys.bootTarget, _ = boot["BootSourceOverrideTarget"].(string)
			sys.bootEnabled, _ = boot["BootSourceOverrideEnabled"].(string)
			sys.bootMode, sys.hasMode = boot["BootSourceOverrideMode"].(string)
		}
		actions, _ := doc["Actions"].(map[string]any)
		if reset, ok := actions["#ComputerSystem.Reset"].(map[string]any); ok {
			sys.resetTarget, _ = reset["target"].(string)
			sys.resetTarget = cleanPath(sys.resetTarget)
			if _, ok := reset["ResetType@Redfish.AllowableValues"]; ok {
				reset["ResetType@Redfish.AllowableValues"] = stringsAny(emulatorResetTypes)
			}
			if ai, ok := reset["@Redfish.ActionInfo"].(string); ok {
				sys.actionInfo = cleanPath(ai)
			}
		}
		s.systems[id] = sys
		s.order = append(s.order, id)
	}
	return nil
}

func stringsAny(ss []string) []any {
	out := make([]any, len(ss))
	for i, v := range ss {
		out[i] = v
	}
	return out
}

// settle applies a pending change whose time has come.
func (sys *system) settle(now time.Time, consumeOnce bool) {
	if sys.pending == nil || now.Before(sys.pending.at) {
		return
	}
	boots := sys.pending.boots
	sys.power, sys.pending = sys.pending.to, nil
	if consumeOnce && boots && sys.bootEnabled == "Once" {
		sys.bootEnabled, sys.bootTarget = "Disabled", "None"
	}
}

// observed returns the PowerState a GET reads.
func (sys *system) observed(transitional bool) string {
	if transitional && sys.pending != nil && sys.pending.to != sys.power {
		if sys.pending.to == "On" {
			return "PoweringOn"
		}
		return "PoweringOff"
	}
	return sys.power
}

func (sys *system) snapshot(now time.Time, transitional bool) SystemState {
	return SystemState{
		ID:          sys.id,
		PowerState:  sys.observedAt(now, transitional),
		BootTarget:  sys.bootTarget,
		BootEnabled: sys.bootEnabled,
		BootMode:    sys.bootMode,
		Resets:      slices.Clone(sys.resets),
		NMIs:        sys.nmis,
		BootPatches: sys.bootPatches,
	}
}

// observedAt is observed for a snapshot, which must not mutate the
// state: it computes what settle would yield.
func (sys *system) observedAt(now time.Time, transitional bool) string {
	if sys.pending != nil && !now.Before(sys.pending.at) {
		return sys.pending.to
	}
	return sys.observed(transitional)
}

// allowedResetTypes returns what the system advertises.
func (sys *system) allowedResetTypes() []string { return emulatorResetTypes }

// reset applies a ComputerSystem.Reset. It returns the HTTP status and,
// for an error, the Redfish message id and message.
func (s *Server) reset(sys *system, resetType string) (int, string, string) {
	switch {
	case !slices.Contains(knownResetTypes, resetType):
		return http.StatusBadRequest, "Base.1.8.ActionParameterValueNotInList",
			fmt.Sprintf("The value '%s' for the parameter ResetType in the action ComputerSystem.Reset is not in the list of acceptable values.", resetType)
	case resetType == "Nmi" && s.opts.AcceptNMI:
		sys.nmis++
		sys.resets = append(sys.resets, resetType)
		return http.StatusNoContent, "", ""
	case resetType == "Nmi" || !slices.Contains(sys.allowedResetTypes(), resetType):
		return http.StatusNotImplemented, "Base.1.8.ActionNotSupported",
			fmt.Sprintf("The action ComputerSystem.Reset with ResetType %s is not supported by the resource.", resetType)
	}
	now := s.now()
	sys.settle(now, s.opts.ConsumeOnce)
	change := &powerChange{at: now.Add(s.powerDelay())}
	switch resetType {
	case "On", "ForceOn":
		change.to, change.boots = "On", sys.power != "On"
	case "GracefulRestart", "ForceRestart":
		// A restart lands in On and boots, whatever the state was.
		change.to, change.boots = "On", true
	case "ForceOff", "GracefulShutdown":
		change.to = "Off"
	}
	sys.resets = append(sys.resets, resetType)
	sys.pending = change
	sys.settle(now, s.opts.ConsumeOnce)
	return http.StatusNoContent, "", ""
}

// patchBoot validates and applies a PATCH body's Boot object: everything
// or nothing.
func (s *Server) patchBoot(sys *system, body map[string]any) (int, string, string) {
	for k := range body {
		if k != "Boot" && !strings.HasPrefix(k, "@") {
			return http.StatusBadRequest, "Base.1.8.PropertyNotWritable",
				fmt.Sprintf("The property %s is a read only property and cannot be assigned a value.", k)
		}
	}
	boot, ok := body["Boot"].(map[string]any)
	if !ok {
		return http.StatusBadRequest, "Base.1.8.PropertyValueTypeError", "The value for the property Boot is of a different type than the property can accept."
	}
	if !sys.hasBoot {
		return http.StatusBadRequest, "Base.1.8.PropertyUnknown", "The property Boot is not in the list of valid properties for the resource."
	}
	target, enabled, mode := sys.bootTarget, sys.bootEnabled, sys.bootMode
	for _, k := range slices.Sorted(maps.Keys(boot)) {
		v, isStr := boot[k].(string)
		switch k {
		case "BootSourceOverrideTarget":
			if !isStr {
				return typeError(k)
			}
			target = v // the emulator accepts unknown targets
		case "BootSourceOverrideEnabled":
			if !isStr || !slices.Contains([]string{"Once", "Continuous", "Disabled"}, v) {
				return valueError(k, boot[k])
			}
			if v == "Continuous" && s.opts.RefuseContinuous {
				return http.StatusBadRequest, "Base.1.8.PropertyValueNotInList",
					"The value 'Continuous' for the property BootSourceOverrideEnabled is not supported."
			}
			enabled = v
		case "BootSourceOverrideMode":
			if !sys.hasMode {
				return http.StatusBadRequest, "Base.1.8.PropertyUnknown",
					"The property BootSourceOverrideMode is not in the list of valid properties for the resource."
			}
			if !isStr || (v != "UEFI" && v != "Legacy") {
				return valueError(k, boot[k])
			}
			mode = v
		case "UefiTargetBootSourceOverride", "BootNext":
			if !isStr {
				return typeError(k)
			}
		default:
			return http.StatusBadRequest, "Base.1.8.PropertyNotWritable",
				fmt.Sprintf("The property %s is a read only property and cannot be assigned a value.", k)
		}
	}
	sys.bootTarget, sys.bootEnabled, sys.bootMode = target, enabled, mode
	sys.bootPatches++
	return http.StatusNoContent, "", ""
}

func typeError(prop string) (int, string, string) {
	return http.StatusBadRequest, "Base.1.8.PropertyValueTypeError",
		fmt.Sprintf("The value for the property %s is of a different type than the property can accept.", prop)
}

func valueError(prop string, v any) (int, string, string) {
	return http.StatusBadRequest, "Base.1.8.PropertyValueNotInList",
		fmt.Sprintf("The value '%v' for the property %s is not in the list of acceptable values.", v, prop)
}

// render returns the system document with its current state.
func (s *Server) render(sys *system) map[string]any {
	sys.settle(s.now(), s.opts.ConsumeOnce)
	out := maps.Clone(sys.doc)
	out["PowerState"] = sys.observed(s.opts.Transitional)
	if sys.hasBoot {
		boot := maps.Clone(sys.doc["Boot"].(map[string]any))
		boot["BootSourceOverrideTarget"] = sys.bootTarget
		enabled := sys.bootEnabled
		if !s.opts.ExactBootEnabled {
			enabled = "Continuous"
		}
		boot["BootSourceOverrideEnabled"] = enabled
		if sys.hasMode {
			boot["BootSourceOverrideMode"] = sys.bootMode
		}
		out["Boot"] = boot
	}
	return out
}

// renderActionInfo rewrites the ResetType allowable values of an
// ActionInfo resource.
func renderActionInfo(doc map[string]any, allowed []string) map[string]any {
	out := maps.Clone(doc)
	params, _ := doc["Parameters"].([]any)
	newParams := make([]any, len(params))
	for i, p := range params {
		pm, ok := p.(map[string]any)
		if ok && pm["Name"] == "ResetType" {
			pm = maps.Clone(pm)
			pm["AllowableValues"] = stringsAny(allowed)
			newParams[i] = pm
			continue
		}
		newParams[i] = p
	}
	out["Parameters"] = newParams
	return out
}
