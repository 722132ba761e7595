package objects

import (
	"fmt"
	"regexp"
	"strings"
)

// IsUUIDLike reports whether s is a UUID as oslo_utils.uuidutils.is_uuid_like
// sees it: 32 hex digits, in any case, once "urn:" and "uuid:" are removed,
// braces stripped from the ends and hyphens dropped.
func IsUUIDLike(s string) bool {
	h := strings.ReplaceAll(s, "urn:", "")
	h = strings.ReplaceAll(h, "uuid:", "")
	h = strings.Trim(h, "{}")
	h = strings.ReplaceAll(h, "-", "")
	if len(h) != 32 {
		return false
	}
	for i := range len(h) {
		c := h[i]
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') && (c < 'A' || c > 'F') {
			return false
		}
	}
	return true
}

// ValidateUUID returns Ironic's InvalidUUID unless s is UUID-like.
func ValidateUUID(s string) error {
	if !IsUUIDLike(s) {
		return errInvalidUUID(s)
	}
	return nil
}

var logicalNameRe = regexp.MustCompile(`^[A-Za-z0-9._~-]+$`)

// IsValidLogicalName reports whether name is a valid node name for Ironic's
// is_valid_logical_name: 1 to 255 RFC 3986 unreserved characters (ALPHA,
// DIGIT, "-", ".", "_", "~").
func IsValidLogicalName(name string) bool {
	return len(name) <= 255 && logicalNameRe.MatchString(name)
}

// ValidateLogicalName returns Ironic's InvalidName unless name is valid.
func ValidateLogicalName(name string) error {
	if !IsValidLogicalName(name) {
		return errInvalidName(name)
	}
	return nil
}

// requiredIntProperties are Node.properties keys that must be non-negative
// integers when present (REQUIRED_INT_PROPERTIES).
var requiredIntProperties = [...]string{"local_gb", "cpus", "memory_mb"}

// ValidatePropertyValues checks what Node.create() and save() check in
// Ironic (_validate_property_values): local_gb, cpus and memory_mb, when
// present and not null, must be non-negative integers after Python's int().
// It returns Ironic's InvalidParameterValue naming every bad value.
func ValidatePropertyValues(nodeUUID *string, properties map[string]any) error {
	var bad []string
	for _, k := range requiredIntProperties {
		v, ok := properties[k]
		if !ok || deref(v) == nil {
			continue
		}
		if i, err := coerceInt(k, deref(v)); err != nil || i < 0 {
			bad = append(bad, k+"="+pyValueStr(v))
		}
	}
	if len(bad) == 0 {
		return nil
	}
	node := "None"
	if nodeUUID != nil {
		node = *nodeUUID
	}
	return errInvalidParameterValue(fmt.Sprintf("The following properties for node %s should be non-negative integers, but provided values are: %s",
		node, strings.Join(bad, ", ")))
}

// Validate applies the checks Ironic's Node.create() makes before writing:
// the property values (see ValidatePropertyValues).
func (n *Node) Validate() error { return ValidatePropertyValues(n.UUID, n.Properties) }

// pyValueStr formats a JSON value as Python's str() would.
func pyValueStr(v any) string {
	v = deref(v)
	switch x := v.(type) {
	case string:
		return x
	case float64:
		return pyFloatStr(x)
	case nil:
		return "None"
	case bool:
		if x {
			return "True"
		}
		return "False"
	case map[string]any, []any:
		return pyReprValue(x)
	}
	return fmt.Sprint(v)
}

// pyReprValue is Python's repr() of a JSON value.
func pyReprValue(v any) string {
	switch x := v.(type) {
	case string:
		return pyRepr(x)
	case map[string]any:
		parts := make([]string, 0, len(x))
		for _, k := range sortedKeys(x) {
			parts = append(parts, pyRepr(k)+": "+pyReprValue(x[k]))
		}
		return "{" + strings.Join(parts, ", ") + "}"
	case []any:
		parts := make([]string, len(x))
		for i, e := range x {
			parts[i] = pyReprValue(e)
		}
		return "[" + strings.Join(parts, ", ") + "]"
	}
	return pyValueStr(v)
}
