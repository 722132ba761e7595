package fake

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"sort"

	"github.com/ironic-go/ironic-go/drivers"
	"github.com/ironic-go/ironic-go/objects/exception"
)

// VendorB is the "fake" vendor interface (FakeVendorB): three node
// methods that each report whether the argument bar has a given value,
// one per kind of route: second_method (asynchronous), third_method_sync
// (synchronous) and fourth_method_shared_lock (asynchronous, shared
// lock). It has no driver methods.
type VendorB struct{}

var _ drivers.VendorInterface = VendorB{}

// Properties returns B1 and B2.
func (VendorB) Properties() map[string]string {
	return map[string]string{"B1": "B1 description. Required.", "B2": "B2 description. Required."}
}

// Validate requires a true bar for the three methods
// (MissingParameterValue).
func (VendorB) Validate(_ context.Context, _ *drivers.Task, method, _ string, info map[string]any) error {
	if slices.Contains([]string{"second_method", "third_method_sync", "fourth_method_shared_lock"}, method) {
		if !pyTruthy(info["bar"]) {
			return exception.MissingParameterValue(fmt.Sprintf("Parameter 'bar' not passed to method '%s'.", method))
		}
	}
	return nil
}

// DriverValidate accepts everything (VendorInterface.driver_validate).
func (VendorB) DriverValidate(context.Context, string, string, map[string]any) error { return nil }

// Routes returns the three node methods.
func (VendorB) Routes() map[string]drivers.Route {
	return map[string]drivers.Route{
		"second_method": {
			HTTPMethods: []string{"POST"},
			Description: "Test if the value of bar is kazoo",
			Func:        barEquals("FakeVendorB.second_method", "kazoo"),
		},
		"third_method_sync": {
			HTTPMethods: []string{"POST"},
			Sync:        true,
			Description: "Test if the value of bar is meow",
			Func:        barEquals("FakeVendorB.third_method_sync", "meow"),
		},
		"fourth_method_shared_lock": {
			HTTPMethods: []string{"POST"},
			SharedLock:  true,
			Description: "Test if the value of bar is woof",
			Func:        barEquals("FakeVendorB.fourth_method_shared_lock", "woof"),
		},
	}
}

// DriverRoutes returns no driver methods.
func (VendorB) DriverRoutes() map[string]drivers.Route { return map[string]drivers.Route{} }

// VendorA is Ironic's FakeVendorA: one node method, first_method (is bar
// "baz"?). Ironic registers no entry point for it (its fake vendor is
// FakeVendorB), so neither does Catalog; it is here for tests that need a
// second vendor interface.
type VendorA struct{}

var _ drivers.VendorInterface = VendorA{}

// Properties returns A1 and A2.
func (VendorA) Properties() map[string]string {
	return map[string]string{"A1": "A1 description. Required.", "A2": "A2 description. Optional."}
}

// Validate requires a true bar for first_method (MissingParameterValue).
func (VendorA) Validate(_ context.Context, _ *drivers.Task, method, _ string, info map[string]any) error {
	if method == "first_method" && !pyTruthy(info["bar"]) {
		return exception.MissingParameterValue("Parameter 'bar' not passed to method 'first_method'.")
	}
	return nil
}

// DriverValidate accepts everything.
func (VendorA) DriverValidate(context.Context, string, string, map[string]any) error { return nil }

// Routes returns first_method.
func (VendorA) Routes() map[string]drivers.Route {
	return map[string]drivers.Route{
		"first_method": {
			HTTPMethods: []string{"POST"},
			Description: "Test if the value of bar is baz",
			Func:        barEquals("FakeVendorA.first_method", "baz"),
		},
	}
}

// DriverRoutes returns no driver methods.
func (VendorA) DriverRoutes() map[string]drivers.Route { return map[string]drivers.Route{} }

// barEquals is a Python method (self, task, http_method, bar): it takes
// exactly bar, and fails as Python's call would on other arguments (the
// passthru wrapper turns that TypeError into VendorPassthruException).
func barEquals(qualname, want string) drivers.RouteFunc {
	return func(_ context.Context, _ *drivers.Task, _ string, info map[string]any) (any, error) {
		keys := make([]string, 0, len(info))
		for k := range info {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			if k != "bar" {
				return nil, fmt.Errorf("%s() got an unexpected keyword argument '%s'", qualname, k)
			}
		}
		bar, ok := info["bar"]
		if !ok {
			return nil, fmt.Errorf("%s() missing 1 required positional argument: 'bar'", qualname)
		}
		s, ok := bar.(string)
		return ok && s == want, nil
	}
}

// pyTruthy is Python's bool() of a JSON value.
func pyTruthy(v any) bool {
	switch x := v.(type) {
	case nil:
		return false
	case bool:
		return x
	case string:
		return x != ""
	case float64:
		return x != 0
	case int:
		return x != 0
	case int64:
		return x != 0
	case json.Number:
		f, err := x.Float64()
		return err != nil || f != 0
	case []any:
		return len(x) > 0
	case map[string]any:
		return len(x) > 0
	}
	return true
}
