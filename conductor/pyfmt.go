package conductor

import (
	"fmt"
	"slices"
	"strings"
)

// pyDict renders a step dict roughly as Python's str(dict) does, for the
// messages Ironic builds with "%(step)s".
func pyDict(m map[string]any) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = fmt.Sprintf("'%s': %s", k, pyRepr(m[k]))
	}
	return "{" + strings.Join(parts, ", ") + "}"
}

func pyRepr(v any) string {
	switch x := v.(type) {
	case nil:
		return "None"
	case bool:
		if x {
			return "True"
		}
		return "False"
	case string:
		return "'" + x + "'"
	case map[string]any:
		return pyDict(x)
	case []any:
		parts := make([]string, len(x))
		for i, e := range x {
			parts[i] = pyRepr(e)
		}
		return "[" + strings.Join(parts, ", ") + "]"
	}
	return fmt.Sprint(v)
}

func joinSorted(s []string) string {
	slices.Sort(s)
	return strings.Join(s, ", ")
}

func joinWith(s []string, sep string) string { return strings.Join(s, sep) }
