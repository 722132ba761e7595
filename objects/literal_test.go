package objects

import (
	"encoding/json"
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestLiteralEval(t *testing.T) {
	ok := map[string]any{
		`'a'`:                               "a",
		`"a" 'b'`:                           "ab",
		`'''x'y'''`:                         "x'y",
		`r'\n'`:                             `\n`,
		`u'\u00e9\x41\101\n\q'`:             "éAA\n\\q",
		`-5`:                                int64(-5),
		`+0x1F`:                             int64(31),
		`0o17`:                              int64(15),
		`0b101`:                             int64(5),
		`1_000`:                             int64(1000),
		`00`:                                int64(0),
		`123456789012345678901234567890`:    json.Number("123456789012345678901234567890"),
		`1.5`:                               1.5,
		`.5`:                                0.5,
		`1e3`:                               1000.0,
		`-2.`:                               -2.0,
		`True`:                              true,
		`None`:                              nil,
		`[1, 'a', None,]`:                   []any{int64(1), "a", nil},
		`(1,)`:                              []any{int64(1)},
		`()`:                                []any{},
		`(1)`:                               int64(1),
		`((1, 2), (3,))`:                    []any{[]any{int64(1), int64(2)}, []any{int64(3)}},
		`{1, 2, 1}`:                         []any{int64(1), int64(2)},
		"  {'a': 1,  # comment\n 'b': [2]}": map[string]any{"a": int64(1), "b": []any{int64(2)}},
		`{'a': 1, 'a': 2}`:                  map[string]any{"a": int64(2)},
		`{True: 'x', 1: 'y'}`:               map[string]any{"true": "y"},
		`{1.0: 'x'}`:                        map[string]any{"1.0": "x"},
		`{False: 0, None: 1}`:               map[string]any{"false": int64(0), "null": int64(1)},
	}
	for in, want := range ok {
		got, err := LiteralEval(in)
		if err != nil {
			t.Errorf("LiteralEval(%q): %v", in, err)
			continue
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("LiteralEval(%q) (-want +got):\n%s", in, diff)
		}
	}
	for _, in := range []string{``, `x`, `1 + 2`, `'a`, "'a\nb'", `b'x'`, `f'x'`, `1j`, `1e999`, `--`, `{'a'}x`, `[1 2]`,
		`{[1]: 2}`, `{{1}: 2}`, `{'a': 1, 'b'}`, `01`, `1_`, `0x`, `1__0`, `'\N{DASH}'`, `'\x4'`, `ur'x'`, `{1: 2,, }`} {
		_, err := LiteralEval(in)
		var ve *ValueError
		if !errors.As(err, &ve) {
			t.Errorf("LiteralEval(%q) err = %v, want ValueError", in, err)
		}
	}
}

func TestLiteralEvalDepth(t *testing.T) {
	deep := ""
	for range 1000 {
		deep += "["
	}
	if _, err := LiteralEval(deep); err == nil {
		t.Error("deep nesting accepted")
	}
}
