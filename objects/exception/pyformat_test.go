package exception

import (
	"encoding/json"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
	"unicode/utf8"
)

// TestPyFormat checks pyFormat against results of Python 3.11's
// "fmt % kwargs" ("!" marks a format Python raises on).
func TestPyFormat(t *testing.T) {
	inf := math.Inf(1)
	cases := []struct {
		format string
		kwargs map[string]any
		want   string
	}{
		{"%(a)s %s", map[string]any{"a": 1}, "!"},
		{"%s", map[string]any{"a": 1}, "{'a': 1}"},
		{"%s %(a)s", map[string]any{"a": 1}, "{'a': 1} 1"},
		{"%s %s", map[string]any{"a": 1}, "!"},
		{"%s", map[string]any{}, "{}"},
		{"%s", nil, "{}"},
		{"abc", map[string]any{"a": 1}, "abc"},
		{"%(a)d", map[string]any{"a": "x"}, "!"},
		{"%(a)d", map[string]any{"a": 1.7}, "1"},
		{"%(a)d", map[string]any{"a": true}, "1"},
		{"%(a)d", map[string]any{"a": nil}, "!"},
		{"%(a)d", map[string]any{"a": inf}, "!"},
		{"%(a)x", map[string]any{"a": 1.0}, "!"},
		{"%(a)c", map[string]any{"a": 65}, "A"},
		{"%(a)c", map[string]any{"a": "ab"}, "!"},
		{"%(a)c", map[string]any{"a": 0x110000}, "!"},
		{"%(a)c", map[string]any{"a": 1.0}, "!"},
		{"%(a)", map[string]any{"a": 1}, "!"},
		{"%(a", map[string]any{"a": 1}, "!"},
		{"%(a)5.2f|%(a)-8r|", map[string]any{"a": 3.14159}, " 3.14|3.14159 |"},
		{"%(a)*d", map[string]any{"a": 1}, "!"},
		{"%(a).*s", map[string]any{"a": 5}, "!"},
		{"%%(a)s", map[string]any{}, "%(a)s"},
		{"%(a)z", map[string]any{"a": 1}, "!"},
		{"%", map[string]any{}, "!"},
		{"%(a)s%", map[string]any{"a": 1}, "!"},
		{"%(a)5%", map[string]any{"a": 1}, "!"},
		{"%(a)g %(a).3g %(a)#g %(a)e", map[string]any{"a": 1234567.0}, "1.23457e+06 1.23e+06 1.23457e+06 1.234567e+06"},
		{"%(a)s", map[string]any{"a": []any{1, "x", nil, 1.5, map[string]any{"k": "it's"}}}, `[1, 'x', None, 1.5, {'k': "it's"}]`},
		{"%(a)r", map[string]any{"a": "é\x00\n\u200b"}, `'é\x00\n\u200b'`},
		{"%(a)a", map[string]any{"a": "é\U0001f600"}, `'\xe9\U0001f600'`},
		{"%(a)05s", map[string]any{"a": "x"}, "    x"},
		{"%(a).1s", map[string]any{"a": "xyz"}, "x"},
		{"%(a)s", map[string]any{"a": json.Number("1000000000000000000000000000000")}, "1000000000000000000000000000000"},
		{"%(a)i %(a)u", map[string]any{"a": -5}, "-5 -5"},
		{"%(a)i", map[string]any{"a": -5}, "-5"},
		{"%(a)s", map[string]any{"a": inf}, "inf"},
		{"%(a)f", map[string]any{"a": 5}, "5.000000"},
		{"%(a)(b)s", map[string]any{"a(b": 1}, "!"},
		{"%(a(b))s", map[string]any{"a(b)": 1}, "1"},
		{"%(a)ls", map[string]any{"a": 1}, "1"},
		{"%(a)lld", map[string]any{"a": 1}, "!"},
		{"%()s", map[string]any{"": 3}, "3"},
		{"%(a)010f|", map[string]any{"a": inf}, "0000000inf|"},
		{"%(a)+f|%(a)F", map[string]any{"a": inf}, "+inf|INF"},
		{"%(a)010f|%(a)F", map[string]any{"a": math.NaN()}, "0000000nan|NAN"},
		{"%(a)c", map[string]any{"a": true}, "\x01"},
		{"%(a)#.0e %(a)#.0f %(a)#g %(a).0g %(a)g", map[string]any{"a": 2.0}, "2.e+00 2. 2.00000 2 2"},
		{"%(a)#010x|%(a)#-10X|%(a)010o", map[string]any{"a": -255}, "-0x00000ff|-0XFF     |-000000377"},
		{"%(a)s", map[string]any{"a": 1e16}, "1e+16"},
		{"%(a)s", map[string]any{"a": 1e-5}, "1e-05"},
		{"%(a)r", map[string]any{"a": math.Copysign(0, -1)}, "-0.0"},
		{"%(a).30f", map[string]any{"a": 0.1}, "0.100000000000000005551115123126"},
		{"%(a).3d", map[string]any{"a": 7}, "007"},
		{"%(a).3x", map[string]any{"a": -7}, "-007"},
		{"%(a)#.3o", map[string]any{"a": 7}, "0o007"},
		{"%(a)5.1r", map[string]any{"a": "abc"}, "    '"},
		{"%(a)f", map[string]any{"a": json.Number("1" + strings.Repeat("0", 400))}, "!"},
		{"%(a)e", map[string]any{"a": true}, "1.000000e+00"},
		{"%(a)-05d|", map[string]any{"a": 3}, "3    |"},
		{"%(a)+05d|% 5d", map[string]any{"a": 3}, "!"},
		{"%(a)+05d|%(a) 5d|%(a)-+5d|", map[string]any{"a": 3}, "+0003|    3|+3   |"},
		{"%(a)r", map[string]any{"a": `a"b'`}, `'a"b\''`},
		{"%(a)r", map[string]any{"a": "it's"}, `"it's"`},
		{"%(a)r", map[string]any{"a": "\x7f\u0080\u00a0\u00ad"}, `'\x7f\x80\xa0\xad'`},
		{"%(a)a", map[string]any{"a": "\x7f\u0080\u00a0\u00ad\u2028"}, `'\x7f\x80\xa0\xad\u2028'`},
		{"%(a)r", map[string]any{"a": "\U0001F6DC"}, `'\U0001f6dc'`}, // Unicode 15: unprintable in 3.11
		{"%(a)s", map[string]any{"a": json.Number("9223372036854775808")}, "9223372036854775808"},
		{"%(a)G", map[string]any{"a": 1e-10}, "1E-10"},
		{"%(a)10.4g|", map[string]any{"a": 123456.0}, " 1.235e+05|"},
		{"%(a).100g", map[string]any{"a": 0.1}, "0.1000000000000000055511151231257827021181583404541015625"},
		{"%(a)s %(b)s", map[string]any{"a": true, "b": nil}, "True None"},
		{"%(a)s", map[string]any{"a": map[string]any{"x": []any{1, []any{2, 3}}, "y": nil}}, "{'x': [1, [2, 3]], 'y': None}"},
		{"%(a).2s|%(a)-6s|", map[string]any{"a": "日本語"}, "日本|日本語   |"},
		{"%(a)d", map[string]any{"a": 1e20}, "100000000000000000000"},
		{"%(a)X", map[string]any{"a": false}, "0"},
		{"%(a)c|%(a)3c", map[string]any{"a": "é"}, "é|  é"},
	}
	for _, c := range cases {
		got, err := pyFormat(c.format, c.kwargs)
		if err != nil {
			got = "!"
		}
		if got != c.want {
			t.Errorf("%q %% %v = %q, want %q", c.format, c.kwargs, got, c.want)
		}
	}
}

func TestFloatRepr(t *testing.T) {
	cases := map[float64]string{
		0: "0.0", 1: "1.0", -1.5: "-1.5", 0.1: "0.1", 1e16: "1e+16", 1e15: "1000000000000000.0",
		1e-4: "0.0001", 1e-5: "1e-05", 123456789012345678: "1.2345678901234568e+17", 5e-324: "5e-324",
		1.7976931348623157e308: "1.7976931348623157e+308", 2.5e-7: "2.5e-07", 1234.5678: "1234.5678",
		math.Inf(1): "inf", math.Inf(-1): "-inf",
	}
	for f, want := range cases {
		if got := floatRepr(f); got != want {
			t.Errorf("floatRepr(%v) = %q, want %q", f, got, want)
		}
	}
	if got := floatRepr(math.Copysign(0, -1)); got != "-0.0" {
		t.Errorf("-0.0: %q", got)
	}
}

func TestJSONDumps(t *testing.T) {
	cases := []struct {
		v    any
		want string
	}{
		{"n1", `"n1"`},
		{"é\U0001F600\"\\\n\x01\x7f/", `"\u00e9\ud83d\ude00\"\\\n\u0001\u007f/"`},
		{42, "42"},
		{int64(-7), "-7"},
		{uint8(7), "7"},
		{1.0, "1.0"},
		{math.Inf(-1), "-Infinity"},
		{math.NaN(), "NaN"},
		{nil, "null"},
		{true, "true"},
		{[]any{1, "a", nil}, `[1, "a", null]`},
		{[]string{"a", "b"}, `["a", "b"]`},
		{[]int(nil), "null"},
		{map[string]any{"b": 1, "a": []any{}}, `{"a": [], "b": 1}`},
		{map[int]string{2: "x", 1: "y"}, `{"1": "y", "2": "x"}`},
		{json.Number("12345678901234567890123"), "12345678901234567890123"},
		{json.Number("1e5"), "100000.0"},
		{ptr("p"), `"p"`},
	}
	for _, c := range cases {
		got, ok := toPy(c.v).jsonDumps()
		if !ok || got != c.want {
			t.Errorf("dumps(%#v) = %q %v, want %q", c.v, got, ok, c.want)
		}
	}
	type opaque struct{ A int }
	for _, v := range []any{opaque{1}, []any{1, opaque{2}}, map[string]any{"e": errString("x")}} {
		if s, ok := toPy(v).jsonDumps(); ok {
			t.Errorf("dumps(%#v) = %q, want a failure", v, s)
		}
	}
	if got := encodeKwarg([]any{1, errString("bad")}); got != "[1, 'bad']" {
		t.Errorf("str fallback: %q", got)
	}
}

type errString string

func (e errString) Error() string { return string(e) }

func ptr[T any](v T) *T { return &v }

func TestDecodeJSONValue(t *testing.T) {
	cases := []struct {
		in   string
		want any
		ok   bool
	}{
		{`"n1"`, "n1", true},
		{`42`, 42, true},
		{`4.5`, 4.5, true},
		{`1e400`, math.Inf(1), true},
		{`12345678901234567890123`, json.Number("12345678901234567890123"), true},
		{`Infinity`, math.Inf(1), true},
		{`[1, {"a": -Infinity, "b": "NaN"}, NaN]`, []any{1, map[string]any{"a": math.Inf(-1), "b": "NaN"}, math.NaN()}, true},
		{`[Infinit]`, nil, false}, //nolint:misspell // a truncated "Infinity" on purpose
		{"1\x00", nil, false},
		{` [1, "a"] `, []any{1, "a"}, true},
		{`{"a": {"b": 2}}`, map[string]any{"a": map[string]any{"b": 2}}, true},
		{`boom`, nil, false},
		{`"a" "b"`, nil, false},
		{`1 2`, nil, false},
		{``, nil, false},
	}
	for _, c := range cases {
		got, ok := decodeJSONValue(c.in)
		if ok != c.ok || (ok && !deepEqual(got, c.want)) {
			t.Errorf("decode(%q) = %#v %v, want %#v %v", c.in, got, ok, c.want, c.ok)
		}
	}
}

func deepEqual(a, b any) bool {
	ja, _ := toPy(a).jsonDumps()
	jb, _ := toPy(b).jsonDumps()
	return ja == jb && (a == nil) == (b == nil)
}

// TestPyFormatRandom runs the random formats of the differential test
// without Python: no panic, plain text kept, determinism.
func TestPyFormatRandom(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 7))
	for range 5000 {
		c := randomFormatCase(r)
		a, errA := pyFormat(c.Format, c.Kwargs)
		b, errB := pyFormat(c.Format, c.Kwargs)
		if a != b || (errA == nil) != (errB == nil) {
			t.Fatalf("%q: not deterministic", c.Format)
		}
	}
}

func FuzzPyFormat(f *testing.F) {
	for _, c := range Classes() {
		f.Add(c.Format, "node-1", int64(3), 2.5)
	}
	f.Add("%(a)#010x|%(a)#-10X|%(a)010o", "x", int64(-255), 0.0)
	f.Add("%(s)r %(i)c %(f).3g %(s)a %s", "é'\"", int64(0x1F600), 1e300)
	f.Add("%(f)+#.0e|% (i)5d|%(s)-5.2s", "", int64(0), math.Inf(-1))
	f.Fuzz(func(t *testing.T, format, s string, i int64, x float64) {
		kw := map[string]any{"s": s, "i": i, "f": x, "l": []any{s, i}, "n": nil}
		out, err := pyFormat(format, kw)
		if err != nil {
			return
		}
		if !strings.Contains(format, "%") && out != string([]rune(format)) {
			t.Fatalf("%q without conversions gave %q", format, out)
		}
		if !utf8.ValidString(out) {
			t.Fatalf("invalid UTF-8 %q", out)
		}
		e := New("IronicException", kw)
		if e.Msg == "" {
			t.Fatal("empty message")
		}
	})
}

func FuzzFromRemote(f *testing.F) {
	for _, g := range loadGolden(f) {
		f.Add([]byte(g.Failure))
	}
	f.Add([]byte(`{"class":"NodeLocked","module":"ironic.common.exception","message":"m","args":["m"],"kwargs":{"node":"\"n\"","host":"h","code":"409"}}`))
	f.Add([]byte(`{"class":"NodeNotFound","module":"ironic.common.exception","message":null,"kwargs":{"node":[1,{"a":1e999}],"code":1.5}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		rerr, err := decodeFailure(data)
		if err != nil {
			return
		}
		e := FromRemote(rerr.module, rerr.class, rerr.message, rerr.kwargs)
		if e == nil {
			return
		}
		_ = e.Error()
		_ = e.Code()
		// What Go sends on is read back the same.
		args, kw := e.RemoteArgs()
		if len(args) != 1 || args[0] != e.Msg {
			t.Fatalf("args %v", args)
		}
		again := FromRemote(Module, e.Class, e.Msg, wireKwargs(t, kw))
		_, kw2 := again.RemoteArgs()
		if !jsonEqual(t, kw, kw2) {
			t.Fatalf("re-encoding changed kwargs: %v then %v", kw, kw2)
		}
	})
}

// rawFailure is the part of an oslo failure FromRemote takes, decoded as
// messaging.DecodeFailure does (numbers as json.Number).
type rawFailure struct {
	module, class, message string
	kwargs                 map[string]any
}

func decodeFailure(data []byte) (*rawFailure, error) {
	var f struct {
		Class   string         `json:"class"`
		Module  string         `json:"module"`
		Message string         `json:"message"`
		Kwargs  map[string]any `json:"kwargs"`
	}
	dec := json.NewDecoder(strings.NewReader(string(data)))
	dec.UseNumber()
	if err := dec.Decode(&f); err != nil {
		return nil, err
	}
	return &rawFailure{f.Module, f.Class, f.Message, f.Kwargs}, nil
}

func jsonEqual(t *testing.T, a, b any) bool {
	t.Helper()
	ja, err := json.Marshal(a)
	if err != nil {
		t.Fatal(err)
	}
	jb, err := json.Marshal(b)
	if err != nil {
		t.Fatal(err)
	}
	return string(ja) == string(jb)
}

func FuzzKwargRoundTrip(f *testing.F) {
	for _, s := range []string{`"n1"`, `42`, `[1, "a", null]`, `{"a": 1.5}`, `Infinity`, `boom`, `"\ud83d\ude00"`, `1e400`, `-0.0`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, wire string) {
		v := decodeKwarg(wire)
		enc := encodeKwarg(v)
		if v2 := decodeKwarg(enc); encodeKwarg(v2) != enc {
			t.Fatalf("%q: decoded %#v, encoded %q, not stable", wire, v, enc)
		}
	})
}
