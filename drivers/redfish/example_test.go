package redfish_test

import (
	"context"
	"fmt"

	"github.com/ironic-go/ironic-go/drivers"
	"github.com/ironic-go/ironic-go/drivers/fake"
	"github.com/ironic-go/ironic-go/drivers/redfish"
	"github.com/ironic-go/ironic-go/drivers/redfish/redfishtest"
	"github.com/ironic-go/ironic-go/objects"
)

// Example wires the redfish hardware type into a registry and reads a
// node's power state and boot device from a fake BMC.
func Example() {
	ctx := context.Background()
	bmc, err := redfishtest.NewServer(redfishtest.Options{})
	if err != nil {
		panic(err)
	}
	defer bmc.Close()

	d, err := redfish.New(redfish.DefaultConfig())
	if err != nil {
		panic(err)
	}
	defer d.Close(ctx)
	reg, err := drivers.NewRegistry(drivers.Config{EnabledHardwareTypes: []string{redfish.HardwareTypeName}},
		drivers.NoopCatalog(), fake.Catalog(), d.Catalog())
	if err != nil {
		panic(err)
	}

	node := &objects.Node{
		UUID:   new("7e0d4e37-1d0b-4bd0-9a79-5b4e3a4d6b1a"),
		Driver: new(redfish.HardwareTypeName),
		DriverInfo: map[string]any{
			redfish.InfoAddress:  bmc.URL,
			redfish.InfoUsername: redfishtest.DefaultUsername,
			redfish.InfoPassword: redfishtest.DefaultPassword,
		},
	}
	drv, err := reg.DriverFor(node)
	if err != nil {
		panic(err)
	}
	task := &drivers.Task{Node: node, Driver: drv}

	state, err := drv.Power.GetPowerState(ctx, task)
	fmt.Println(state, err)
	bd, err := drv.Management.GetBootDevice(ctx, task)
	fmt.Println(bd.Map(), err)
	fmt.Println(drv.Name(drivers.InterfaceInspect), drv.Name(drivers.InterfaceBoot))
	// Output:
	// power on <nil>
	// map[boot_device:pxe persistent:true] <nil>
	// redfish fake
}
