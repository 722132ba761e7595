package messaging

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"

	"github.com/ironic-go/ironic-go/internal/pyjson"
)

// RequestContext is the oslo request context: a set of keys that travel
// with every request as top-level "_context_<key>" members of the message.
// Keys keep their order and their values stay raw JSON, so a context
// received from Python is forwarded unchanged, whatever keys it holds
// (oslo.context's, Ironic 7.0's, or newer ones).
//
// A RequestContext is not safe for concurrent mutation; treat one attached
// to a context.Context as read-only and Clone it to change it.
type RequestContext struct {
	fields []contextField
}

type contextField struct {
	key   string
	value json.RawMessage
}

// NewRequestContext returns an empty context with a fresh request_id
// ("req-<uuid>", as oslo.context generates).
func NewRequestContext() *RequestContext {
	rc := &RequestContext{}
	rc.SetRaw("request_id", pyjson.AppendString(nil, NewRequestID()))
	return rc
}

// NewRequestID returns "req-" and a random UUID.
func NewRequestID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b[:])
	return "req-" + h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

// newID returns a random uuid4 as 32 lowercase hex digits, the form oslo
// uses for _msg_id, _unique_id and queue names.
func newID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return hex.EncodeToString(b[:])
}

// Set stores key = v (encoded as JSON), replacing an existing value in place.
func (c *RequestContext) Set(key string, v any) error {
	raw, err := pyjson.Marshal(v)
	if err != nil {
		return fmt.Errorf("request context %q: %w", key, err)
	}
	c.SetRaw(key, raw)
	return nil
}

// SetRaw stores key = raw, which must be valid JSON.
func (c *RequestContext) SetRaw(key string, raw json.RawMessage) {
	for i := range c.fields {
		if c.fields[i].key == key {
			c.fields[i].value = raw
			return
		}
	}
	c.fields = append(c.fields, contextField{key: key, value: raw})
}

// Delete removes key.
func (c *RequestContext) Delete(key string) {
	for i := range c.fields {
		if c.fields[i].key == key {
			c.fields = append(c.fields[:i], c.fields[i+1:]...)
			return
		}
	}
}

// Raw returns key's JSON value.
func (c *RequestContext) Raw(key string) (json.RawMessage, bool) {
	if c == nil {
		return nil, false
	}
	for _, f := range c.fields {
		if f.key == key {
			return f.value, true
		}
	}
	return nil, false
}

// Get decodes key's value into dst; it reports whether the key was present.
func (c *RequestContext) Get(key string, dst any) (bool, error) {
	raw, ok := c.Raw(key)
	if !ok {
		return false, nil
	}
	if err := json.Unmarshal(raw, dst); err != nil {
		return true, fmt.Errorf("request context %q: %w", key, err)
	}
	return true, nil
}

// Str returns key's value if it is a JSON string, else "".
func (c *RequestContext) Str(key string) string {
	var s string
	if ok, err := c.Get(key, &s); !ok || err != nil {
		return ""
	}
	return s
}

// Bool returns key's value if it is a JSON boolean, else false.
func (c *RequestContext) Bool(key string) bool {
	var b bool
	if ok, err := c.Get(key, &b); !ok || err != nil {
		return false
	}
	return b
}

// RequestID returns the request_id key ("" if absent).
func (c *RequestContext) RequestID() string { return c.Str("request_id") }

// Keys returns the keys in order.
func (c *RequestContext) Keys() []string {
	if c == nil {
		return nil
	}
	keys := make([]string, len(c.fields))
	for i, f := range c.fields {
		keys[i] = f.key
	}
	return keys
}

// Len returns the number of keys.
func (c *RequestContext) Len() int {
	if c == nil {
		return 0
	}
	return len(c.fields)
}

// Clone returns an independent copy.
func (c *RequestContext) Clone() *RequestContext {
	if c == nil {
		return &RequestContext{}
	}
	return &RequestContext{fields: append([]contextField(nil), c.fields...)}
}

// MarshalJSON encodes the context as a JSON object, the dict oslo hands to
// an endpoint.
func (c *RequestContext) MarshalJSON() ([]byte, error) {
	obj := make(pyjson.Object, 0, c.Len())
	if c != nil {
		for _, f := range c.fields {
			obj = append(obj, pyjson.KV{Key: f.key, Value: f.value})
		}
	}
	return pyjson.Marshal(obj)
}

type requestContextKey struct{}

// WithRequestContext returns ctx carrying rc; a Client sends it with every
// request made with that ctx.
func WithRequestContext(ctx context.Context, rc *RequestContext) context.Context {
	return context.WithValue(ctx, requestContextKey{}, rc)
}

// RequestContextFrom returns the request context carried by ctx.
func RequestContextFrom(ctx context.Context) (*RequestContext, bool) {
	rc, ok := ctx.Value(requestContextKey{}).(*RequestContext)
	return rc, ok && rc != nil
}

// CallInfo describes the request a server handler is serving.
type CallInfo struct {
	Method    string
	Namespace string
	Version   string // as received; "" if absent
	// MsgID is set for calls, empty for casts.
	MsgID string
	// ClientTimeout is the raw "_timeout" value: the caller's call-monitor
	// timeout, or null. oslo hands it to endpoints as ctxt["client_timeout"].
	ClientTimeout json.RawMessage
}

type callInfoKey struct{}

// CallInfoFrom returns the description of the request being served by the
// handler that received ctx.
func CallInfoFrom(ctx context.Context) (*CallInfo, bool) {
	ci, ok := ctx.Value(callInfoKey{}).(*CallInfo)
	return ci, ok
}
