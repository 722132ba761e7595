package messaging

import (
	"bytes"
	"encoding/json"
	"strings"

	"github.com/ironic-go/ironic-go/internal/pyjson"
)

// Envelope keys and the envelope version this package writes and accepts.
const (
	envelopeVersionKey = "oslo.version"
	envelopeMessageKey = "oslo.message"
	envelopeVersion    = "2.0"
	contextPrefix      = "_context_"
)

// wrapEnvelope appends {"oslo.version": "2.0", "oslo.message": "<inner>"}.
func wrapEnvelope(dst, inner []byte) []byte {
	dst = append(dst, `{"oslo.version": "2.0", "oslo.message": `...)
	dst = pyjson.AppendString(dst, string(inner))
	return append(dst, '}')
}

// outgoingRequest is what a client sends.
type outgoingRequest struct {
	method    string
	args      any
	namespace string
	version   Version
	call      bool
	msgID     string
	replyQ    string
	timeout   *float64 // call-monitor timeout in seconds; nil is null
	uniqueID  string
	ctx       *RequestContext
}

// encodeRequest builds the request body with oslo's key order: method,
// args, namespace, version, _msg_id, _reply_q, _timeout, _unique_id, then
// the _context_ keys.
func encodeRequest(r *outgoingRequest) ([]byte, error) {
	inner := make([]byte, 0, 256)
	inner = append(inner, `{"method": `...)
	inner = pyjson.AppendString(inner, r.method)
	inner = append(inner, `, "args": `...)
	if r.args == nil {
		inner = append(inner, "{}"...)
	} else {
		start := len(inner)
		var err error
		if inner, err = pyjson.Append(inner, r.args); err != nil {
			return nil, err
		}
		if string(inner[start:]) == "null" {
			inner = append(inner[:start], "{}"...)
		}
		if inner[start] != '{' {
			return nil, &MalformedError{Reason: "request args must encode to a JSON object"}
		}
	}
	if r.namespace != "" {
		inner = append(inner, `, "namespace": `...)
		inner = pyjson.AppendString(inner, r.namespace)
	}
	if !r.version.IsZero() {
		inner = append(inner, `, "version": `...)
		inner = pyjson.AppendString(inner, r.version.String())
	}
	if r.call {
		inner = append(inner, `, "_msg_id": "`...)
		inner = append(inner, r.msgID...)
		inner = append(inner, `", "_reply_q": `...)
		inner = pyjson.AppendString(inner, r.replyQ)
		inner = append(inner, `, "_timeout": `...)
		if r.timeout == nil {
			inner = append(inner, "null"...)
		} else if t := *r.timeout; t == float64(int64(t)) {
			inner = appendInt(inner, int64(t))
		} else {
			inner, _ = pyjson.AppendFloat(inner, t)
		}
	}
	inner = append(inner, `, "_unique_id": "`...)
	inner = append(inner, r.uniqueID...)
	inner = append(inner, '"')
	if r.ctx != nil {
		for _, f := range r.ctx.fields {
			inner = append(inner, ", "...)
			inner = pyjson.AppendString(inner, contextPrefix+f.key)
			inner = append(inner, ": "...)
			var err error
			if inner, err = pyjson.Reformat(inner, f.value); err != nil {
				return nil, err
			}
		}
	}
	inner = append(inner, '}')
	return wrapEnvelope(make([]byte, 0, len(inner)+len(inner)/8+48), inner), nil
}

func appendInt(dst []byte, n int64) []byte {
	b, _ := pyjson.Append(dst, n)
	return b
}

// incomingRequest is a decoded request. Raw values are kept where oslo's
// dispatcher would inspect their Python type.
type incomingRequest struct {
	method    json.RawMessage // absent: nil
	args      json.RawMessage // absent: nil (read as {})
	namespace json.RawMessage
	version   json.RawMessage
	msgID     string
	replyQ    string
	timeout   json.RawMessage
	uniqueID  string
	ctx       *RequestContext
}

// methodName returns the method as a string and whether it was one.
func (r *incomingRequest) methodName() (string, bool) {
	return unquote(r.method)
}

// member is one key/value of a JSON object, in document order.
type member struct {
	key   string
	value json.RawMessage
}

func lookup(ms []member, key string) (json.RawMessage, bool) {
	for _, m := range ms {
		if m.key == key {
			return m.value, true
		}
	}
	return nil, false
}

// unwrapEnvelope returns the members of the inner message of a body: the
// "oslo.message" string of a 2.0 envelope, or the body itself when it is a
// legacy un-enveloped object.
func unwrapEnvelope(body []byte) ([]member, error) {
	top, err := decodeObject(body)
	if err != nil {
		return nil, malformed("body is not a JSON object: %v", err)
	}
	ver, hasVer := lookup(top, envelopeVersionKey)
	msg, hasMsg := lookup(top, envelopeMessageKey)
	if !hasVer || !hasMsg {
		return top, nil // legacy (1.0) format: the body is the message
	}
	vs, ok := unquote(ver)
	if !ok {
		return nil, malformed("oslo.version is not a string: %s", ver)
	}
	v, err := ParseVersion(vs)
	if err != nil || v.Major != 2 || v.Minor > 0 || v.Revision > 0 {
		return nil, malformed("unsupported RPC envelope version %q (this side speaks %s)", vs, envelopeVersion)
	}
	inner, ok := unquote(msg)
	if !ok {
		return nil, malformed("oslo.message is not a string")
	}
	m, err := decodeObject([]byte(inner))
	if err != nil {
		return nil, malformed("oslo.message is not a JSON object: %v", err)
	}
	return m, nil
}

// decodeRequest decodes a request body.
func decodeRequest(body []byte) (*incomingRequest, error) {
	m, err := unwrapEnvelope(body)
	if err != nil {
		return nil, err
	}
	r := &incomingRequest{}
	for _, mem := range m {
		k, v := mem.key, mem.value
		switch k {
		case "method":
			r.method = nullToNil(v)
		case "args":
			r.args = v
		case "namespace":
			r.namespace = nullToNil(v)
		case "version":
			r.version = nullToNil(v)
		case "_msg_id":
			r.msgID, err = idString(k, v)
		case "_reply_q":
			r.replyQ, err = idString(k, v)
		case "_timeout":
			r.timeout = v
		case "_unique_id":
			r.uniqueID, err = idString(k, v)
		default:
			if key, ok := strings.CutPrefix(k, contextPrefix); ok {
				if r.ctx == nil {
					r.ctx = &RequestContext{}
				}
				r.ctx.fields = append(r.ctx.fields, contextField{key: key, value: v})
			}
		}
		if err != nil {
			return nil, err
		}
	}
	if r.msgID != "" && r.replyQ == "" {
		return nil, malformed("call %s has no _reply_q", r.msgID)
	}
	return r, nil
}
func nullToNil(v json.RawMessage) json.RawMessage {
	if bytes.Equal(v, []byte("null")) {
		return nil
	}
	return v
}

func idString(key string, v json.RawMessage) (string, error) {
	if len(v) == 0 || bytes.Equal(v, []byte("null")) {
		return "", nil
	}
	s, ok := unquote(v)
	if !ok {
		return "", malformed("%s is not a string: %s", key, v)
	}
	return s, nil
}

// encodeReply builds a reply: result, failure, ending, _msg_id, _unique_id.
// result is JSON already in Python layout (nil for null); failure is the
// failure JSON (nil for null).
func encodeReply(msgID, uniqueID string, result, failure []byte, ending bool) []byte {
	inner := make([]byte, 0, 128+len(result)+len(failure)+len(failure)/8)
	inner = append(inner, `{"result": `...)
	if result == nil {
		inner = append(inner, "null"...)
	} else {
		inner = append(inner, result...)
	}
	inner = append(inner, `, "failure": `...)
	if failure == nil {
		inner = append(inner, "null"...)
	} else {
		inner = pyjson.AppendString(inner, string(failure))
	}
	if ending {
		inner = append(inner, `, "ending": true, "_msg_id": `...)
	} else {
		inner = append(inner, `, "ending": false, "_msg_id": `...)
	}
	inner = pyjson.AppendString(inner, msgID)
	inner = append(inner, `, "_unique_id": "`...)
	inner = append(inner, uniqueID...)
	inner = append(inner, `"}`...)
	return wrapEnvelope(make([]byte, 0, len(inner)+len(inner)/8+48), inner)
}

// incomingReply is a decoded reply.
type incomingReply struct {
	msgID   string
	result  json.RawMessage // nil when null or absent
	failure []byte          // failure JSON; nil when null
	ending  bool
}

func (r *incomingReply) isHeartbeat() bool {
	return !r.ending && r.result == nil && r.failure == nil
}

// decodeReply decodes a reply body.
func decodeReply(body []byte) (*incomingReply, error) {
	m, err := unwrapEnvelope(body)
	if err != nil {
		return nil, err
	}
	r := &incomingReply{}
	get := func(k string) json.RawMessage { v, _ := lookup(m, k); return v }
	if r.msgID, err = idString("_msg_id", get("_msg_id")); err != nil {
		return nil, err
	}
	if r.msgID == "" {
		return nil, malformed("reply without _msg_id")
	}
	r.result = nullToNil(get("result"))
	if f := nullToNil(get("failure")); f != nil {
		var s string
		if err := json.Unmarshal(f, &s); err != nil {
			// oslo 1.x-era peers sent the failure as an object.
			if f[0] != '{' {
				return nil, malformed("reply failure is neither a string nor an object")
			}
			s = string(f)
		}
		r.failure = []byte(s)
	}
	if e := get("ending"); len(e) > 0 {
		if err := json.Unmarshal(e, &r.ending); err != nil {
			return nil, malformed("reply ending is not a boolean: %s", e)
		}
	}
	return r, nil
}
