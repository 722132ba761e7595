package conductor

import (
	"fmt"
	"runtime/debug"
)

// guard runs a driver call from a worker, turning a panic into an error
// (logged with its stack), so the worker's own failure handling runs as
// it does when a Python driver raises an unexpected exception: a power
// action clears target_power_state, a deployment moves to deploy failed,
// cleaning to clean failed, and so on. Without it a panicking driver
// would leave the node in a transitional state nothing moves it out of.
func guard(t *Task, fn func() error) (err error) {
	defer func() {
		if r := recover(); r != nil {
			t.Log.Error().Str("stack", string(debug.Stack())).Msgf("driver panic: %v", r)
			err = fmt.Errorf("driver panic: %v", r)
		}
	}()
	return fn()
}

// guard1 is guard for a driver call that also returns a value.
func guard1[R any](t *Task, fn func() (R, error)) (r R, err error) {
	err = guard(t, func() error {
		var ferr error
		r, ferr = fn()
		return ferr
	})
	return r, err
}
