package pyjson

import (
	"encoding/json"
	"errors"
	"math"
	"testing"
)

func TestAppendFloatMatchesPythonRepr(t *testing.T) {
	// Expected strings are Python 3's repr() of the same floats.
	cases := map[float64]string{
		1:                    "1.0",
		100000:               "100000.0",
		0.5:                  "0.5",
		-2.25:                "-2.25",
		1e16:                 "1e+16",
		1.5e16:               "1.5e+16",
		1e15:                 "1000000000000000.0",
		0.0001:               "0.0001",
		0.00001:              "1e-05",
		1.234e-7:             "1.234e-07",
		123456789012345678.0: "1.2345678901234568e+17",
		3.141592653589793:    "3.141592653589793",
		0.1:                  "0.1",
		math.Copysign(0, -1): "-0.0",
		0:                    "0.0",
		1e300:                "1e+300",
		12345.678:            "12345.678",
		2.5e-5:               "2.5e-05",
		math.MaxFloat64:      "1.7976931348623157e+308",
		5e-324:               "5e-324",
		9007199254740993.0:   "9007199254740992.0",
		1234567890123456.7:   "1234567890123456.8",
	}
	for f, want := range cases {
		got, err := AppendFloat(nil, f)
		if err != nil || string(got) != want {
			t.Errorf("AppendFloat(%v) = %q, %v; want %q", f, got, err, want)
		}
	}
	for _, bad := range []float64{math.NaN(), math.Inf(1), math.Inf(-1)} {
		if _, err := AppendFloat(nil, bad); !errors.Is(err, ErrUnsupportedValue) {
			t.Errorf("AppendFloat(%v) error = %v, want ErrUnsupportedValue", bad, err)
		}
	}
}

func TestAppendStringEnsureASCII(t *testing.T) {
	cases := map[string]string{
		"plain":        `"plain"`,
		`q"b\`:         `"q\"b\\"`,
		"héllo":        `"h\u00e9llo"`,
		"😀":            `"\ud83d\ude00"`,
		"\x7f\x01\n\t": `"\u007f\u0001\n\t"`,
		"<>&/":         `"<>&/"`,
		"\b\f\r":       `"\b\f\r"`,
	}
	for in, want := range cases {
		if got := string(AppendString(nil, in)); got != want {
			t.Errorf("AppendString(%q) = %s, want %s", in, got, want)
		}
	}
}

func TestMarshalLayout(t *testing.T) {
	type inner struct {
		A int      `json:"a"`
		B []string `json:"b"`
		C *int     `json:"c"`
	}
	cases := []struct {
		in   any
		want string
	}{
		{Object{{"x", 1}, {"y", "why"}}, `{"x": 1, "y": "why"}`},
		{map[string]any{"b": 2, "a": []any{1, 2.0, nil, true}}, `{"a": [1, 2.0, null, true], "b": 2}`},
		{inner{A: 1, B: []string{"é"}}, `{"a": 1, "b": ["\u00e9"], "c": null}`},
		{json.RawMessage(`{"k":[1,{"z":"<"}],"e":{}, "l":[]}`), `{"k": [1, {"z": "<"}], "e": {}, "l": []}`},
		{[]string(nil), `null`},
		{nil, `null`},
	}
	for _, c := range cases {
		got, err := Marshal(c.in)
		if err != nil || string(got) != c.want {
			t.Errorf("Marshal(%#v) = %s, %v; want %s", c.in, got, err, c.want)
		}
	}
	if _, err := Marshal(func() {}); !errors.Is(err, ErrUnsupportedValue) {
		t.Errorf("Marshal(func) error = %v, want ErrUnsupportedValue", err)
	}
	if _, err := Reformat(nil, []byte(`{"a": `)); !errors.Is(err, ErrSyntax) {
		t.Errorf("Reformat(truncated) error = %v, want ErrSyntax", err)
	}
}

func FuzzReformat(f *testing.F) {
	for _, s := range []string{`{"a": [1, 2.5, "\u00e9"]}`, `"x"`, `[]`, `{"k":{"n":null}}`, `"\ud83d\ude00"`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		out, err := Reformat(nil, src)
		if err != nil {
			return
		}
		var a, b any
		if err := json.Unmarshal(src, &a); err != nil {
			t.Fatalf("valid input did not decode: %v", err)
		}
		if err := json.Unmarshal(out, &b); err != nil {
			t.Fatalf("reformatted output is not JSON: %v\n%s", err, out)
		}
		ja, _ := json.Marshal(a)
		jb, _ := json.Marshal(b)
		if string(ja) != string(jb) {
			t.Fatalf("value changed:\n in: %s\nout: %s", src, out)
		}
		for _, c := range out {
			if c >= 0x80 {
				t.Fatalf("non-ASCII byte in output %q", out)
			}
		}
	})
}
