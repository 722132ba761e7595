package conductor_test

import (
	"errors"
	"testing"
	"time"

	"github.com/ironic-go/ironic-go/objects/exception"
)

// TestVendorPassthruFakeRoutes: the fake vendor's routes answer as in
// Ironic: the synchronous one returns its value, the asynchronous ones
// run in a worker (the exclusive one keeping the lock until it ends), a
// missing argument is MissingParameterValue and an unknown method or
// HTTP method InvalidParameterValue.
func TestVendorPassthruFakeRoutes(t *testing.T) {
	t.Parallel()
	u := newUnitEnv(t, testDrivers{}, nil)
	ctx := t.Context()
	uuid := *u.enroll("vendor", nil).UUID
	to := u.to()

	res, err := u.api.VendorPassthru(ctx, uuid, "third_method_sync", "POST", map[string]any{"bar": "meow"}, to)
	if err != nil || res.Async || res.Return != true {
		t.Errorf("third_method_sync(bar=meow) = %+v, %v; want return True, not async", res, err)
	}
	res, err = u.api.VendorPassthru(ctx, uuid, "third_method_sync", "POST", map[string]any{"bar": "woof"}, to)
	if err != nil || res.Return != false {
		t.Errorf("third_method_sync(bar=woof) = %+v, %v; want return False", res, err)
	}
	for _, m := range []string{"second_method", "fourth_method_shared_lock"} {
		res, err = u.api.VendorPassthru(ctx, uuid, m, "post", map[string]any{"bar": "x"}, to)
		if err != nil || !res.Async || res.Return != nil {
			t.Errorf("%s = %+v, %v; want async with no return", m, res, err)
		}
	}
	waitFor(t, u.store, uuid, "lock released", 5*time.Second, unlocked)
	n := waitFor(t, u.store, uuid, "node", time.Second, unlocked)
	if n.LastError != nil {
		t.Errorf("async vendor methods failed: last_error %q", *n.LastError)
	}
	for _, c := range []struct {
		method, http string
		info         map[string]any
		want         error
	}{
		{"third_method_sync", "POST", map[string]any{}, exception.ErrMissingParameterValue},
		{"no_such_method", "POST", map[string]any{"bar": "x"}, exception.ErrInvalidParameterValue},
		{"third_method_sync", "GET", map[string]any{"bar": "x"}, exception.ErrInvalidParameterValue},
	} {
		if _, err := u.api.VendorPassthru(ctx, uuid, c.method, c.http, c.info, to); !errors.Is(err, c.want) {
			t.Errorf("%s %s %v: %v, want %v", c.http, c.method, c.info, err, c.want)
		}
	}
}
