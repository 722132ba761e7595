package objects_test

import (
	"fmt"

	"github.com/ironic-go/ironic-go/objects"
)

// An update_node request carries a Node whose "changes" say what to save.
func Example() {
	raw := []byte(`{"ironic_object.name": "Node", "ironic_object.namespace": "ironic",
	 "ironic_object.version": "1.37", "ironic_object.data": {"id": 42, "driver": "ipmi",
	 "maintenance": true, "maintenance_reason": "disk", "owner": "p1"},
	 "ironic_object.changes": ["maintenance", "maintenance_reason", "owner"]}`)
	node, err := objects.DecodeNode(raw)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(node.Changes()) // owner is a Node 1.30 field: ignored

	// The conductor edits the node; assignments are tracked.
	node.DriverInternalInfo = map[string]any{"agent_url": "http://192.0.2.9:9999"}
	fmt.Println(node.Changes())

	// After the database save, nothing is pending and the reply has no changes.
	node.ResetChanges()
	out, _ := node.MarshalJSON()
	fmt.Println(string(out))
	// Output:
	// [maintenance maintenance_reason]
	// [driver_internal_info maintenance maintenance_reason]
	// {"ironic_object.name": "Node", "ironic_object.namespace": "ironic", "ironic_object.version": "1.21", "ironic_object.data": {"driver": "ipmi", "driver_internal_info": {"agent_url": "http://192.0.2.9:9999"}, "id": 42, "maintenance": true, "maintenance_reason": "disk"}}
}

// A node loaded from the database: every column is set, nothing changed.
func ExampleNode_MarkLoaded() {
	n := &objects.Node{ID: 1, UUID: new("1be26c0b-03f2-4d2e-ae87-c02d7f33c123"), ProvisionState: new("enroll")}
	n.MarkLoaded()
	n.PowerState = new("power off")
	for _, f := range n.Changes() {
		v, _ := n.Get(f)
		fmt.Printf("UPDATE nodes SET %s = %v\n", f, v)
	}
	// Output:
	// UPDATE nodes SET power_state = power off
}
