package drivers_test

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/ironic-go/ironic-go/drivers"
	"github.com/ironic-go/ironic-go/drivers/fake"
	"github.com/ironic-go/ironic-go/objects"
)

// The conductor's side: cmd builds the registry once from ironic.conf and
// the catalogs; each task composes the node's driver and calls it.
func ExampleRegistry() {
	cfg := drivers.Config{EnabledHardwareTypes: []string{"fake-hardware"}}
	reg, err := drivers.NewRegistry(cfg, drivers.NoopCatalog(), fake.Catalog())
	if err != nil {
		panic(err)
	}
	props, _ := reg.Properties("fake-hardware") // get_driver_properties
	fmt.Println(len(props), "properties")

	// create_node: fill the node's interfaces with the defaults.
	uuid, driver := "1be26c0b-03f2-4d2e-ae87-c02d7f33c123", "fake-hardware"
	node := &objects.Node{UUID: &uuid, Driver: &driver}
	if _, err := reg.CheckAndUpdateNodeInterfaces(node); err != nil {
		panic(err)
	}
	fmt.Println(*node.PowerInterface, *node.NetworkInterface, node.Changes()[0])

	// A task: the conductor locks the node, composes its driver, and
	// passes the task (with itself as Host) to the interfaces.
	d, err := reg.DriverFor(node)
	if err != nil {
		panic(err)
	}
	task := &drivers.Task{Node: node, Driver: d}
	ctx := context.Background()
	if err := d.Power.SetPowerState(ctx, task, drivers.PowerOn, 0); err != nil {
		panic(err)
	}
	st, _ := d.Power.GetPowerState(ctx, task)
	fmt.Println(st)

	// vendor_passthru: find the route, validate, call.
	route, method, err := drivers.FindRoute(d.Vendor.Routes(), "third_method_sync", "post")
	if err != nil {
		panic(err)
	}
	info := map[string]any{"bar": "meow"}
	if err := d.Vendor.Validate(ctx, task, "third_method_sync", method, info); err != nil {
		panic(err)
	}
	ret, _ := route.Call(ctx, task, method, info)
	out, _ := json.Marshal(map[string]any{"return": ret, "async": route.Async(), "attach": route.Attach})
	fmt.Println(string(out))
	// Output:
	// 2 properties
	// fake noop boot_interface
	// power on
	// {"async":false,"attach":false,"return":true}
}
