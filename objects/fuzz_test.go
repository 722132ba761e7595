package objects

import (
	"github.com/ironic-go/ironic-go/internal/pyjson"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// FuzzDecodeObject: no panic; whatever decodes re-encodes to JSON that
// decodes to the same object and re-encodes identically.
func FuzzDecodeObject(f *testing.F) {
	for _, raw := range vectors(f) {
		f.Add(raw)
	}
	for _, raw := range newerVectors(f) {
		f.Add(raw)
	}
	f.Add([]byte(`{"ironic_object.name": "Conductor", "ironic_object.namespace": "ironic", "ironic_object.version": "1.3", "ironic_object.data": {"drivers": ["a", 1], "hostname": "h"}, "ironic_object.changes": ["drivers"]}`))
	f.Add([]byte(`{"ironic_object.name": "Port", "ironic_object.namespace": "ironic", "ironic_object.version": "1.6", "ironic_object.data": {"address": "AA:BB:CC:DD:EE:FF", "extra": "{'a': (1, 2.5e3, None)}", "pxe_enabled": 0}}`))
	f.Fuzz(func(t *testing.T, raw []byte) {
		o, err := Decode(raw)
		if err != nil {
			return
		}
		enc1, err := o.MarshalJSON()
		if err != nil {
			return // e.g. NaN inside a dict
		}
		o2, err := Decode(enc1)
		if err != nil {
			t.Fatalf("re-decode of %s: %v", enc1, err)
		}
		enc2, err := o2.MarshalJSON()
		if err != nil {
			t.Fatal(err)
		}
		if string(enc1) != string(enc2) {
			t.Fatalf("unstable encoding:\n%s\n%s", enc1, enc2)
		}
		if !cmp.Equal(o.Changes(), o2.Changes()) {
			t.Fatalf("changes %v != %v", o.Changes(), o2.Changes())
		}
	})
}

// FuzzLiteralEval: no panic, and what evaluates is a JSON value.
func FuzzLiteralEval(f *testing.F) {
	for _, s := range []string{`{'a': [1, (2,), {3}], "b": None}`, `0x_1f`, `'\x41\u00e9'`, `{1: 2, True: 3}`, `r"\"" 'x'`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		v, err := LiteralEval(s)
		if err != nil {
			return
		}
		if _, err := pyjson.Marshal(v); err != nil {
			t.Fatalf("LiteralEval(%q) = %#v: not JSON: %v", s, v, err)
		}
	})
}

// FuzzParseISOTime: no panic; a parsed time formats to a canonical string
// that parses back to the same second.
func FuzzParseISOTime(f *testing.F) {
	for _, s := range []string{"2017-02-01T12:30:45Z", "2017-02-01T12:30:45.123456+02:00", "20170201T1230", "2017", "2017-02-01 12:00:00,5-0130"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		tm, err := ParseISOTime(s)
		if err != nil {
			return
		}
		back, err := ParseISOTime(FormatISOTime(tm))
		if err != nil || !back.Equal(tm.Truncate(time.Second)) {
			t.Fatalf("%q -> %v -> %q -> %v, %v", s, tm, FormatISOTime(tm), back, err)
		}
	})
}
