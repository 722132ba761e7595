package messaging

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// seedBodies adds every captured request and reply body to f.
func seedBodies(f *testing.F, withReplies bool) {
	for _, sc := range loadScenarios(f) {
		f.Add(sc.Request.body(f))
		if withReplies {
			for _, r := range sc.Replies {
				f.Add(r.body(f))
			}
		}
	}
	f.Add([]byte(`{"method": "echo", "args": {"legacy": true}, "_msg_id": "a", "_reply_q": "reply_b"}`))
	f.Add([]byte(`{"oslo.version": "2.0", "oslo.message": "{not json`))
}

// FuzzDecodeEnvelope: no panic; a decoded request re-encodes into a body
// that decodes to the same values.
func FuzzDecodeEnvelope(f *testing.F) {
	seedBodies(f, false)
	f.Fuzz(func(t *testing.T, body []byte) {
		req, err := decodeRequest(body)
		if err != nil {
			return
		}
		name, _ := req.methodName()
		args := json.RawMessage(req.args)
		if args == nil || args[0] != '{' {
			args = nil
		}
		out := &outgoingRequest{method: name, args: args, call: req.msgID != "", msgID: req.msgID,
			replyQ: req.replyQ, uniqueID: req.uniqueID, ctx: req.ctx}
		enc, err := encodeRequest(out)
		if err != nil {
			t.Fatalf("re-encode: %v", err)
		}
		again, err := decodeRequest(enc)
		if err != nil {
			t.Fatalf("re-decode %s: %v", enc, err)
		}
		if n, _ := again.methodName(); n != name || again.msgID != req.msgID || (req.msgID != "" && again.replyQ != req.replyQ) ||
			again.uniqueID != req.uniqueID || again.ctx.Len() != req.ctx.Len() {
			t.Fatalf("round trip changed the request: %+v vs %+v", again, req)
		}
		if args != nil && !jsonEqual(again.args, args) {
			t.Fatalf("args changed: %s vs %s", again.args, args)
		}
	})
}

// FuzzDecodeReply: no panic; re-encoding preserves the values.
func FuzzDecodeReply(f *testing.F) {
	seedBodies(f, true)
	f.Fuzz(func(t *testing.T, body []byte) {
		rep, err := decodeReply(body)
		if err != nil {
			return
		}
		var result []byte
		if rep.result != nil {
			if result, err = reformat(rep.result); err != nil {
				t.Fatalf("result %s: %v", rep.result, err)
			}
		}
		again, err := decodeReply(encodeReply(rep.msgID, "u", result, rep.failure, rep.ending))
		if err != nil {
			t.Fatal(err)
		}
		if again.msgID != rep.msgID || again.ending != rep.ending || !bytes.Equal(again.failure, rep.failure) ||
			(rep.result != nil && !jsonEqual(again.result, rep.result)) {
			t.Fatalf("round trip changed the reply")
		}
	})
}

// FuzzDecodeFailure: no panic; a decoded failure re-encodes to the same
// class, module, message, args and kwargs.
func FuzzDecodeFailure(f *testing.F) {
	for _, sc := range loadScenarios(f) {
		for _, r := range sc.Replies {
			if rep, err := decodeReply(r.body(f)); err == nil && rep.failure != nil {
				f.Add(rep.failure)
			}
		}
	}
	f.Add([]byte(`{"class": "X", "module": "exceptions", "message": null, "tb": "a\nb", "args": [1.5], "kwargs": {"n": 12345678901234567890}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		rerr, err := DecodeFailure(data)
		if err != nil {
			return
		}
		enc, err := EncodeFailure(rerr)
		if err != nil {
			t.Fatalf("re-encode %+v: %v", rerr, err)
		}
		again, err := DecodeFailure(enc)
		if err != nil {
			t.Fatalf("re-decode %s: %v", enc, err)
		}
		class, module := rerr.Class, rerr.Module
		if strings.HasSuffix(class, "_Remote") && strings.HasSuffix(module, "_Remote") {
			class, module = strings.TrimSuffix(class, "_Remote"), strings.TrimSuffix(module, "_Remote")
		}
		if again.Class != class || again.Module != module || again.Message != rerr.Message {
			t.Fatalf("identity changed: %+v vs %+v", again, rerr)
		}
		if diff := cmp.Diff(normalizeArgs(rerr.Args), again.Args, cmpopts.EquateEmpty()); diff != "" {
			t.Fatalf("args changed: %s", diff)
		}
		if diff := cmp.Diff(normalizeKwargs(rerr.Kwargs), again.Kwargs); diff != "" {
			t.Fatalf("kwargs changed: %s", diff)
		}
	})
}

func FuzzParseVersion(f *testing.F) {
	for _, s := range []string{"1.40", "2.0", "1.40.1", "1", "a.b", "01.2"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		v, err := ParseVersion(s)
		if err != nil {
			return
		}
		w, err := ParseVersion(v.String())
		if err != nil || w != v {
			t.Fatalf("%q → %v → %q → %v, %v", s, v, v.String(), w, err)
		}
		if !v.CanServe(v) {
			t.Fatalf("%v cannot serve itself", v)
		}
	})
}

func FuzzParseURL(f *testing.F) {
	for _, s := range []string{"rabbit://u:pw@h1:5672,u:pw@h2/vh?ssl=1", "amqps://h", "memory://", "rabbit://u:p%zz@h"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		u, err := ParseURL(s)
		if err != nil {
			return
		}
		out := u.String()
		for _, h := range u.Hosts {
			if len(h.Password) >= 4 && strings.Contains(out, string(h.Password)) && !strings.Contains(h.Hostname+h.Username+u.VirtualHost+u.Query.Encode(), string(h.Password)) {
				t.Fatalf("String() %q shows the password %q", out, h.Password)
			}
		}
	})
}

func jsonEqual(a, b []byte) bool {
	var x, y any
	if decodeNumbers(a, &x) != nil || decodeNumbers(b, &y) != nil {
		return false
	}
	return cmp.Equal(x, y)
}

func reformat(raw []byte) ([]byte, error) {
	var v any
	if err := decodeNumbers(raw, &v); err != nil {
		return nil, err
	}
	return json.Marshal(v)
}

func normalizeArgs(a []any) []any {
	if a == nil {
		return nil
	}
	b, _ := json.Marshal(a)
	var out []any
	_ = decodeNumbers(b, &out)
	return out
}

func normalizeKwargs(m map[string]any) map[string]any {
	if m == nil {
		return map[string]any{}
	}
	b, _ := json.Marshal(m)
	var out map[string]any
	_ = decodeNumbers(b, &out)
	return out
}

// FuzzScanObject: the hand-written object scanner agrees with
// encoding/json on what is a valid JSON object and on its members.
func FuzzScanObject(f *testing.F) {
	seedBodies(f, true)
	for _, s := range []string{`{}`, `{"a":1}`, `{"a": [1, {"b": "\u00e9"}], "c": -0.5e+3}`, `{"a":01}`, `{"a":"\ud800"}`, "{\"a\":\"\xff\"}", `{"a":1,}`, `[1]`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		ms, err := decodeObject(data)
		var want map[string]json.RawMessage
		jerr := json.Unmarshal(data, &want)
		if jerr == nil && want == nil {
			jerr = errors.New("null is not an object")
		}
		if (err == nil) != (jerr == nil) {
			t.Fatalf("scanner err=%v, encoding/json err=%v for %q", err, jerr, data)
		}
		if err != nil {
			return
		}
		got := map[string]json.RawMessage{}
		for _, m := range ms {
			got[m.key] = m.value
		}
		if len(got) != len(want) {
			t.Fatalf("members %d vs %d", len(got), len(want))
		}
		for k, v := range want {
			if !bytes.Equal(bytes.TrimSpace(got[k]), bytes.TrimSpace(v)) {
				t.Fatalf("member %q: %s vs %s", k, got[k], v)
			}
		}
	})
}

// FuzzUnquote: the string decoder agrees with encoding/json.
func FuzzUnquote(f *testing.F) {
	for _, s := range []string{`"a"`, `"\u00e9\ud83d\ude00"`, `"\ud800x"`, `"\n\t\/"`, "\"\xff\"", `"\"q\""`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, tok []byte) {
		got, ok := unquote(tok)
		var want string
		err := json.Unmarshal(tok, &want)
		if ok != (err == nil) || (ok && got != want) {
			t.Fatalf("unquote(%q) = %q, %v; encoding/json: %q, %v", tok, got, ok, want, err)
		}
	})
}

// FuzzDecodeAny: the reflection-free decoder agrees with encoding/json
// (UseNumber) on validity and on the value.
func FuzzDecodeAny(f *testing.F) {
	seedBodies(f, true)
	for _, s := range []string{`{"a": [1, -2.5e3, true, null, "x\u00e9"]}`, `[]`, `"s"`, `12345678901234567890`, `{"a":1,"a":2}`, `[1,]`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		got, err := decodeAny(data)
		var probe any
		jerr := json.Unmarshal(data, &probe) // validity, trailing data included
		var want any
		if jerr == nil {
			dec := json.NewDecoder(bytes.NewReader(data))
			dec.UseNumber()
			_ = dec.Decode(&want)
		}
		if (err == nil) != (jerr == nil) {
			t.Fatalf("decodeAny err=%v, encoding/json err=%v for %q", err, jerr, data)
		}
		if err == nil && !cmp.Equal(got, want) {
			t.Fatalf("decodeAny = %#v, encoding/json = %#v", got, want)
		}
	})
}
