package db_test

import (
	"bufio"
	"encoding/json"
	"net/url"
	"os"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/ironic-go/ironic-go/db"
	"github.com/ironic-go/ironic-go/internal/pyjson"
)

// jsonSeeds are the column texts in testdata/ironic_json_columns.txt,
// written by oslo.db's own JSON column types.
func jsonSeeds(f *testing.F) []string {
	file, err := os.Open("testdata/ironic_json_columns.txt")
	if err != nil {
		f.Fatal(err)
	}
	defer file.Close()
	var out []string
	sc := bufio.NewScanner(file)
	for sc.Scan() {
		if l := sc.Text(); !strings.HasPrefix(l, "#") {
			out = append(out, l)
		}
	}
	return append(out, "", "null", "{", `{"a":1} x`, `[1,"a"]`, `{"a":NaN}`, `"str"`, "1e999", `{"\ud800":1}`)
}

// FuzzDecodeJSONDict: no panic; what decodes re-encodes (as Python would
// write it) and decodes to the same value; any JSON object decodes.
func FuzzDecodeJSONDict(f *testing.F) {
	for _, s := range jsonSeeds(f) {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		m, err := db.DecodeJSONDict(raw)
		if err != nil {
			var v any
			if json.Unmarshal(raw, &v) == nil {
				if _, isObj := v.(map[string]any); isObj {
					t.Fatalf("valid JSON object %q refused: %v", raw, err)
				}
			}
			return
		}
		b, err := pyjson.Marshal(m)
		if err != nil {
			t.Fatalf("%q decoded to %#v which does not re-encode: %v", raw, m, err)
		}
		m2, err := db.DecodeJSONDict(b)
		if err != nil {
			t.Fatalf("re-encoded %q does not decode: %v", b, err)
		}
		if m == nil {
			m = map[string]any{}
		}
		if m2 == nil {
			m2 = map[string]any{}
		}
		if d := cmp.Diff(m, m2); d != "" {
			t.Fatalf("round trip of %q changed the value:\n%s", raw, d)
		}
	})
}

// FuzzDecodeJSONStrings: no panic; a result re-encodes to an equal list.
func FuzzDecodeJSONStrings(f *testing.F) {
	for _, s := range jsonSeeds(f) {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		l, err := db.DecodeJSONStrings(raw)
		if err != nil {
			return
		}
		b, err := pyjson.Marshal(l)
		if err != nil {
			t.Fatal(err)
		}
		l2, err := db.DecodeJSONStrings(b)
		if err != nil || !cmp.Equal(l, l2) && (len(l) != 0 || len(l2) != 0) {
			t.Fatalf("round trip of %q: %v %v %v", raw, l, l2, err)
		}
	})
}

// FuzzParseConnection: no panic; the password never shows in String() or
// in an error.
func FuzzParseConnection(f *testing.F) {
	for _, s := range []string{
		"postgresql://ironic:%s@db:5432/ironic", "postgresql+psycopg2://u:%s@127.0.0.1/ironic?sslmode=disable",
		"postgres://u:%s@/db?host=/run/pg", "postgresql://u@h/db?password=%s", "sqlite:////var/lib/%s.db",
		"sqlite:///rel/%s", "mysql://u:%s@h/db", "postgresql://u:%s@[::1]:5432/db", "%s",
	} {
		f.Add(s, "Secr3tPassw0rd")
	}
	f.Fuzz(func(t *testing.T, format, password string) {
		if len(password) < 6 || !strings.Contains(format, "%s") || strings.Count(format, "%") != 1 {
			return
		}
		in := strings.Replace(format, "%s", url.QueryEscape(password), 1)
		c, err := db.ParseConnection(in, "/tmp/default.db")
		leak := func(s string) bool {
			return strings.Contains(s, password) || strings.Contains(s, url.QueryEscape(password))
		}
		// A password that is also part of the rest of the string cannot
		// be told apart from it.
		rest := strings.Replace(format, "%s", "", 1)
		if strings.Contains(rest, password) || !strings.Contains(format, "://") {
			return
		}
		if err != nil {
			if leak(err.Error()) && strings.Contains(format, ":%s@") {
				t.Fatalf("error for %q shows the password: %v", in, err)
			}
			return
		}
		if leak(c.String()) && (strings.Contains(format, ":%s@") || strings.Contains(format, "password=%s")) {
			t.Fatalf("String() of %q shows the password: %s", in, c)
		}
	})
}
