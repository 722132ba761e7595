package main

import (
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/ironic-go/ironic-go/objects"
	"github.com/ironic-go/ironic-go/rpcapi"
)

func withTopic(topic string) rpcapi.CallOption { return rpcapi.WithTopic(topic) }

// str prints an optional string as the baremetal CLI does ("None").
func str(p *string) string {
	if p == nil {
		return "None"
	}
	return *p
}

// printTable prints rows, the first being the header, in aligned columns.
func printTable(w io.Writer, rows [][]string) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for _, r := range rows {
		fmt.Fprintln(tw, strings.Join(r, "\t"))
	}
	_ = tw.Flush()
}

// printNode prints the node's fields (all, sorted, when fields is empty)
// with driver_info's secrets masked, as ironic-api masks them.
func printNode(w io.Writer, n *objects.Node, fields []string) {
	if len(fields) == 0 {
		fields = objects.FieldNames(n)
	}
	rows := [][]string{{"Field", "Value"}}
	for _, f := range fields {
		v, _ := n.Get(f)
		if f == "driver_info" {
			v = maskSecrets(n.DriverInfo)
		}
		rows = append(rows, []string{f, value(v)})
	}
	printTable(w, rows)
}

func value(v any) string {
	switch x := v.(type) {
	case nil:
		return "None"
	case string:
		return x
	case time.Time:
		return x.UTC().Format(time.RFC3339)
	case map[string]any, []any, []string:
		b, err := json.Marshal(x)
		if err != nil {
			return fmt.Sprint(x)
		}
		return string(b)
	}
	return fmt.Sprint(v)
}

// secretWords mark driver_info keys whose values are masked (oslo's
// mask_dict_password key list, abridged).
var secretWords = []string{"password", "secret", "token", "credential", "key"}

func maskSecrets(m map[string]any) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		lk := strings.ToLower(k)
		if slices.ContainsFunc(secretWords, func(s string) bool { return strings.Contains(lk, s) }) {
			v = "******"
		}
		out[k] = v
	}
	return out
}
