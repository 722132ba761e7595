package drivers

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/ironic-go/ironic-go/objects/exception"
)

// RouteFunc is a vendor passthru method. task is nil for a driver route.
// httpMethod is upper case; info holds the caller's arguments. The result
// must be a JSON-able value (it is returned to the API caller).
type RouteFunc func(ctx context.Context, task *Task, httpMethod string, info map[string]any) (any, error)

// Route is a vendor passthru method and its metadata, what Ironic's
// @passthru and @driver_passthru decorators record. The zero values of
// Sync and SharedLock are the decorators' defaults (async, exclusive
// lock).
type Route struct {
	// HTTPMethods are the accepted HTTP methods; metadata upper-cases them.
	HTTPMethods []string
	// Sync runs the method in the request (async=False); by default the
	// conductor runs it in a worker and answers at once.
	Sync bool
	// Description is shown by the API ("" by default).
	Description string
	// Attach returns the method's result as the raw HTTP body.
	Attach bool
	// SharedLock lets a node route run under a shared lock
	// (require_exclusive_lock=False). Ignored for driver routes.
	SharedLock bool
	// Func is the method.
	Func RouteFunc
}

// Async reports whether the conductor runs the route in a worker.
func (r Route) Async() bool { return !r.Sync }

// RequireExclusiveLock reports whether a node route needs an exclusive
// lock.
func (r Route) RequireExclusiveLock() bool { return !r.SharedLock }

func (r Route) upperMethods() []string {
	out := make([]string, len(r.HTTPMethods))
	for i, m := range r.HTTPMethods {
		out[i] = strings.ToUpper(m)
	}
	return out
}

// metadata returns the route's metadata as Ironic serializes it.
func (r Route) metadata(node bool) map[string]any {
	m := map[string]any{
		"http_methods": r.upperMethods(),
		"async":        r.Async(),
		"description":  r.Description,
		"attach":       r.Attach,
	}
	if node {
		m["require_exclusive_lock"] = r.RequireExclusiveLock()
	}
	return m
}

// NodeRoutesMetadata returns get_node_vendor_passthru_methods' result for
// routes: {name: {http_methods, async, description, attach,
// require_exclusive_lock}}.
func NodeRoutesMetadata(routes map[string]Route) map[string]any {
	out := make(map[string]any, len(routes))
	for name, r := range routes {
		out[name] = r.metadata(true)
	}
	return out
}

// DriverRoutesMetadata returns get_driver_vendor_passthru_methods' result
// for routes: {name: {http_methods, async, description, attach}}.
func DriverRoutesMetadata(routes map[string]Route) map[string]any {
	out := make(map[string]any, len(routes))
	for name, r := range routes {
		out[name] = r.metadata(false)
	}
	return out
}

// FindRoute returns the route called method and httpMethod upper-cased,
// or InvalidParameterValue with the conductor's messages when there is no
// such route or it does not accept httpMethod.
func FindRoute(routes map[string]Route, method, httpMethod string) (Route, string, error) {
	r, ok := routes[method]
	if !ok || r.Func == nil {
		return Route{}, "", exception.InvalidParameterValue(fmt.Sprintf("No handler for method %s", method))
	}
	httpMethod = strings.ToUpper(httpMethod)
	if !slices.Contains(r.upperMethods(), httpMethod) {
		return Route{}, "", exception.InvalidParameterValue(
			fmt.Sprintf("The method %s does not support HTTP %s", method, httpMethod))
	}
	return r, httpMethod, nil
}

// Call runs the route. As Ironic's passthru wrapper does, an error that is
// not an Ironic exception becomes VendorPassthruException carrying its
// message; Ironic exceptions pass through.
func (r Route) Call(ctx context.Context, task *Task, httpMethod string, info map[string]any) (any, error) {
	if r.Func == nil {
		return nil, exception.InvalidParameterValue("vendor passthru route has no function")
	}
	res, err := r.Func(ctx, task, httpMethod, info)
	if err == nil {
		return res, nil
	}
	var ie *exception.Error
	if errors.As(err, &ie) {
		return nil, err
	}
	return nil, exception.NewMessage("VendorPassthruException", err.Error(), nil)
}
