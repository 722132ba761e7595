package hashring_test

import (
	"context"
	"fmt"

	"github.com/ironic-go/ironic-go/rpcapi/hashring"
)

func ExampleRing_Topic() {
	r := hashring.New([]string{"cond-a", "cond-b", "cond-c"}, 1<<5)
	topic, err := r.Topic("1be26c0b-03f2-4d2e-ae87-c02d7f33c123", 1)
	fmt.Println(topic, err)
	fmt.Println(r.GetNodes("1be26c0b-03f2-4d2e-ae87-c02d7f33c123", nil, 2))
	// Output:
	// ironic.conductor_manager.cond-c <nil>
	// [cond-c cond-b]
}

func ExampleManager() {
	// In the conductor and rpcapi the db layer lists the active conductors.
	src := hashring.ConductorListerFunc(func(context.Context) (map[string][]string, error) {
		return map[string][]string{"ipmi": {"cond-a", "cond-b"}}, nil
	})
	m, err := hashring.NewManager(hashring.DefaultConfig(), src)
	if err != nil {
		panic(err)
	}
	ctx := context.Background()
	topic, err := m.Topic(ctx, "ipmi", "1be26c0b-03f2-4d2e-ae87-c02d7f33c123")
	fmt.Println(topic, err)
	mine, err := m.MappedTo(ctx, "ipmi", "1be26c0b-03f2-4d2e-ae87-c02d7f33c123", "cond-a")
	fmt.Println(mine, err)
	_, err = m.Topic(ctx, "redfish", "1be26c0b-03f2-4d2e-ae87-c02d7f33c123")
	fmt.Println(err)
	// Output:
	// ironic.conductor_manager.cond-b <nil>
	// false <nil>
	// hashring: driver "redfish" not found: no active conductor supports it
}
