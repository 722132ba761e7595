package drivers

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"

	"github.com/ironic-go/ironic-go/objects/exception"
)

// Logical disk properties of Ironic's RAID configuration schema
// (drivers/raid_config_schema.json) and their descriptions, as
// get_raid_logical_disk_properties returns them.
var logicalDiskProperties = [...][2]string{
	{"raid_level", "RAID level for the logical disk. Valid values are 'JBOD', '0', '1', '2', '5', '6', '1+0', '5+0' and '6+0'. Required."},
	{"size_gb", "Size in GiB (Integer) for the logical disk. Use 'MAX' as size_gb if this logical disk is supposed to use the rest of the space available. Required."},
	{"volume_name", "Name of the volume to be created. If this is not specified, it will be auto-generated. Optional."},
	{"is_root_volume", "Specifies whether this disk is a root volume. By default, this is False. Optional."},
	{"share_physical_disks", "Specifies whether other logical disks can share physical disks with this logical disk. By default, this is False. Optional."},
	{"disk_type", "The type of disk preferred. Valid values are 'hdd' and 'ssd'. If this is not specified, disk type will not be a selection criterion for choosing backing physical disks. Optional."},
	{"interface_type", "The interface type of disk. Valid values are 'sata', 'scsi' and 'sas'. If this is not specified, interface type will not be a selection criterion for choosing backing physical disks. Optional."},
	{"number_of_physical_disks", "Number of physical disks to use for this logical disk. By default, the driver uses the minimum number of disks required for that RAID level. Optional."},
	{"controller", "Controller to use for this logical disk. If not specified, the driver will choose a suitable RAID controller on the bare metal node. Optional."},
	{"physical_disks", "The physical disks to use for this logical disk. If not specified, the driver will choose suitable physical disks to use. Optional."},
}

var (
	raidLevels = []string{"JBOD", "0", "1", "2", "5", "6", "1+0", "5+0", "6+0"}
	diskTypes  = []string{"hdd", "ssd"}
	diskIfaces = []string{"sata", "scsi", "sas"}
)

// LogicalDiskProperties returns the properties a logical disk of a target
// RAID configuration may have, with their descriptions (what
// RAIDInterface.get_logical_disk_properties returns for Ironic's schema).
func LogicalDiskProperties() map[string]string {
	m := make(map[string]string, len(logicalDiskProperties))
	for _, p := range logicalDiskProperties {
		m[p[0]] = p[1]
	}
	return m
}

// ValidateTargetRAIDConfig is RAIDInterface.validate's default: it checks
// the node's target_raid_config with r.ValidateRAIDConfig when it is not
// empty.
func ValidateTargetRAIDConfig(ctx context.Context, task *Task, r RAIDInterface) error {
	if task.Node == nil || len(task.Node.TargetRAIDConfig) == 0 {
		return nil
	}
	return r.ValidateRAIDConfig(ctx, task, task.Node.TargetRAIDConfig)
}

// ValidateRAIDConfig checks a RAID configuration against Ironic's schema
// and allows at most one root volume (raid.validate_configuration). It
// returns InvalidParameterValue("RAID config validation error: <reason>"),
// the reason worded as Python's jsonschema words its first error, or
// InvalidParameterValue about several root volumes.
//
// Integers are int, int64 and integral json.Number or float64 values
// (Python's draft 4 checker would reject 1.0; a Go decoder may have
// produced float64 for 1).
func ValidateRAIDConfig(raidConfig map[string]any) error {
	if reason := raidSchemaError(raidConfig); reason != "" {
		return exception.InvalidParameterValue("RAID config validation error: " + reason)
	}
	roots := 0
	for _, d := range raidConfig["logical_disks"].([]any) {
		if truthy(d.(map[string]any)["is_root_volume"]) {
			roots++
		}
	}
	if roots > 1 {
		return exception.InvalidParameterValue(fmt.Sprintf(
			"Raid config cannot have more than one root volume. %d root volumes were specified", roots))
	}
	return nil
}

// schemaError is one error jsonschema would yield, with what its
// best_match ranks it by: depth (len of the path), whether it comes from
// an anyOf (weak), and whether the instance does not match the "type" of
// the schema that failed.
type schemaError struct {
	depth    int
	weak     bool
	notMatch bool
	msg      string
}

// better reports whether e ranks above o in best_match's max: shallower,
// then not weak, then not matching its schema's type.
func (e schemaError) better(o schemaError) bool {
	if e.depth != o.depth {
		return e.depth < o.depth
	}
	if e.weak != o.weak {
		return !e.weak
	}
	return e.notMatch && !o.notMatch
}

// raidSchemaError returns the reason Python's jsonschema.validate (4.10)
// gives for the configuration, or "": it lists the errors in the order
// jsonschema yields them for Ironic's schema and keeps the best match
// (the first of the highest rank).
func raidSchemaError(cfg map[string]any) string {
	var errs []schemaError
	add := func(depth int, weak, notMatch bool, msg string) {
		errs = append(errs, schemaError{depth, weak, notMatch, msg})
	}
	if cfg == nil {
		add(0, false, true, exception.PyRepr(nil)+" is not of type 'object'")
	} else {
		if disks, ok := cfg["logical_disks"]; ok {
			list, ok := disks.([]any)
			if !ok {
				add(1, false, true, exception.PyRepr(disks)+" is not of type 'array'")
			} else {
				for _, d := range list {
					logicalDiskErrors(d, add)
				}
				if len(list) == 0 {
					add(1, false, false, "[] is too short")
				}
			}
		} else {
			add(0, false, false, "'logical_disks' is a required property")
		}
		if extra := extraKeys(cfg, []string{"logical_disks"}); len(extra) > 0 {
			add(0, false, false, additionalMsg(extra))
		}
	}
	if len(errs) == 0 {
		return ""
	}
	best := errs[0]
	for _, e := range errs[1:] {
		if e.better(best) {
			best = e
		}
	}
	return best.msg
}

// logicalDiskErrors yields the errors of one item of logical_disks, in the
// order of the item schema's keywords: type, properties, required,
// additionalProperties, dependencies.
func logicalDiskErrors(d any, add func(depth int, weak, notMatch bool, msg string)) {
	disk, ok := d.(map[string]any)
	if !ok {
		add(2, false, true, exception.PyRepr(d)+" is not of type 'object'")
		return
	}
	for _, p := range logicalDiskProperties {
		if v, ok := disk[p[0]]; ok {
			propertyErrors(p[0], v, func(weak, notMatch bool, msg string) { add(3, weak, notMatch, msg) })
		}
	}
	for _, req := range []string{"raid_level", "size_gb"} {
		if _, ok := disk[req]; !ok {
			add(2, false, false, exception.PyRepr(req)+" is a required property")
		}
	}
	known := make([]string, len(logicalDiskProperties))
	for i, p := range logicalDiskProperties {
		known[i] = p[0]
	}
	if extra := extraKeys(disk, known); len(extra) > 0 {
		add(2, false, false, additionalMsg(extra))
	}
	if _, ok := disk["physical_disks"]; ok {
		if _, ok := disk["controller"]; !ok {
			add(2, false, false, "'controller' is a dependency of 'physical_disks'")
		}
	}
}

// propertyErrors yields the errors of one logical disk property.
func propertyErrors(name string, v any, add func(weak, notMatch bool, msg string)) {
	typeErr := func(typ string) { add(false, true, exception.PyRepr(v)+" is not of type '"+typ+"'") }
	switch name {
	case "raid_level", "disk_type", "interface_type":
		enum := map[string][]string{"raid_level": raidLevels, "disk_type": diskTypes, "interface_type": diskIfaces}[name]
		s, isStr := v.(string)
		if !isStr {
			typeErr("string")
		}
		if !isStr || !slices.Contains(enum, s) {
			add(false, !isStr, enumMsg(v, enum))
		}
	case "volume_name", "controller":
		if _, ok := v.(string); !ok {
			typeErr("string")
		}
	case "is_root_volume", "share_physical_disks":
		if _, ok := v.(bool); !ok {
			typeErr("boolean")
		}
	case "number_of_physical_disks":
		if n, ok := asInt(v); !ok {
			typeErr("integer")
		} else if n <= 0 {
			add(false, false, exception.PyRepr(v)+" is less than or equal to the minimum of 0")
		}
	case "size_gb":
		if msg, bad := sizeGBError(v); bad {
			add(true, true, msg)
		}
	case "physical_disks":
		if msg, bad := physicalDisksError(v); bad {
			add(true, true, msg)
		}
	}
}

// sizeGBError checks anyOf [{type integer, minimum 0}, {type string, enum
// [MAX]}] and words the failure as best_match does: it descends into the
// branch where the value has the right type, and reports the anyOf itself
// when neither branch is better.
func sizeGBError(v any) (string, bool) {
	if s, ok := v.(string); ok {
		if s == "MAX" {
			return "", false
		}
		return exception.PyRepr(v) + " is not one of ['MAX']", true
	}
	if n, ok := asInt(v); ok {
		if n >= 0 {
			return "", false
		}
		return exception.PyRepr(v) + " is less than the minimum of 0", true
	}
	return exception.PyRepr(v) + " is not valid under any of the given schemas", true
}

// physicalDisksError checks anyOf [array of strings, array of at least two
// objects], wording the failure as best_match does: a single offending
// item is reported, several make the anyOf itself the reason.
func physicalDisksError(v any) (string, bool) {
	list, ok := v.([]any)
	if !ok {
		return exception.PyRepr(v) + " is not valid under any of the given schemas", true
	}
	var itemErrs []string
	allStrings, allObjects := true, true
	for _, e := range list {
		if _, ok := e.(string); !ok {
			allStrings = false
			itemErrs = append(itemErrs, exception.PyRepr(e)+" is not of type 'string'")
		}
		if _, ok := e.(map[string]any); !ok {
			allObjects = false
			itemErrs = append(itemErrs, exception.PyRepr(e)+" is not of type 'object'")
		}
	}
	if allStrings || (allObjects && len(list) >= 2) {
		return "", false
	}
	if len(itemErrs) == 1 {
		return itemErrs[0], true
	}
	return exception.PyRepr(v) + " is not valid under any of the given schemas", true
}

func enumMsg(v any, enum []string) string {
	quoted := make([]string, len(enum))
	for i, e := range enum {
		quoted[i] = exception.PyRepr(e)
	}
	return exception.PyRepr(v) + " is not one of [" + strings.Join(quoted, ", ") + "]"
}

func extraKeys(m map[string]any, known []string) []string {
	var extra []string
	for k := range m {
		if !slices.Contains(known, k) {
			extra = append(extra, k)
		}
	}
	sort.Strings(extra)
	return extra
}

func additionalMsg(extra []string) string {
	quoted := make([]string, len(extra))
	for i, e := range extra {
		quoted[i] = exception.PyRepr(e)
	}
	verb := "was"
	if len(extra) > 1 {
		verb = "were"
	}
	return fmt.Sprintf("Additional properties are not allowed (%s %s unexpected)", strings.Join(quoted, ", "), verb)
}

func asInt(v any) (int64, bool) {
	switch n := v.(type) {
	case int:
		return int64(n), true
	case int32:
		return int64(n), true
	case int64:
		return n, true
	case json.Number:
		i, err := n.Int64()
		return i, err == nil
	case float64:
		if n == math.Trunc(n) && math.Abs(n) < 1<<53 {
			return int64(n), true
		}
	}
	return 0, false
}

func truthy(v any) bool {
	switch b := v.(type) {
	case nil:
		return false
	case bool:
		return b
	case string:
		return b != ""
	}
	if n, ok := asInt(v); ok {
		return n != 0
	}
	return true
}
