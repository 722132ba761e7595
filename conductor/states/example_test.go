package states_test

import (
	"errors"
	"fmt"

	"github.com/ironic-go/ironic-go/conductor/states"
)

// A manual clean: the conductor seeds the machine from the node, fires
// "clean" with target manageable, and writes Current and Target back.
func ExampleMachine() {
	m, err := states.New(states.Manageable, states.NoState)
	if err != nil {
		panic(err)
	}
	if err := m.Process(states.EventClean, states.Manageable); err != nil {
		panic(err)
	}
	fmt.Println(m.Current(), "->", m.Target())

	err = m.Process(states.EventDeploy, states.NoState)
	fmt.Println(errors.Is(err, states.ErrInvalidState), err)
	// Output:
	// cleaning -> manageable
	// true Can not transition from state 'cleaning' on event 'deploy' (no defined transition)
}

func ExampleOf() {
	var provisionState *string // a NULL column
	fmt.Printf("%q %v\n", states.Of(provisionState), states.NoState.Ptr() == nil)
	// Output: "" true
}
