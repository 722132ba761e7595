package conductor

import (
	"slices"
	"strings"
)

func joinSorted(s []string) string {
	slices.Sort(s)
	return strings.Join(s, ", ")
}

func joinWith(s []string, sep string) string { return strings.Join(s, sep) }
