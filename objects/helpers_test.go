package objects

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
)

// jsonAny decodes JSON into a comparable value (numbers as json.Number).
func jsonAny(t testing.TB, b []byte) any {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		t.Fatalf("decode %s: %v", b, err)
	}
	return v
}

// vectors returns the files of testdata/vectors: objects at our versions,
// captured from Ironic (Debian's classes, obj_to_primitive at our version).
func vectors(t testing.TB) map[string][]byte { return readVectors(t, "vectors") }

// newerVectors returns testdata/vectors/newer: objects at Debian's versions.
func newerVectors(t testing.TB) map[string][]byte { return readVectors(t, "vectors", "newer") }

func readVectors(t testing.TB, dir ...string) map[string][]byte {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(append(append([]string{"testdata"}, dir...), "*.json")...))
	if err != nil || len(files) == 0 {
		t.Fatalf("no vectors: %v", err)
	}
	out := map[string][]byte{}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		out[filepath.Base(f)] = b
	}
	return out
}

func mustEncode(t testing.TB, o Object) []byte {
	t.Helper()
	b, err := o.MarshalJSON()
	if err != nil {
		t.Fatalf("encode %s: %v", o.ObjName(), err)
	}
	return b
}
