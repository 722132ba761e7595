package exception

import (
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"regexp"
	"strings"
)

// placeholder matches a %(name)X conversion of a _msg_fmt.
var placeholder = regexp.MustCompile(`%\(([^)]*)\)[-+ #0]*[0-9]*(?:\.[0-9]+)?[hlL]?([a-zA-Z%])`)

// stringSamples are the tails of example string kwargs: quotes, escapes,
// non-ASCII, non-BMP and unprintable characters.
var stringSamples = []string{
	"1be26c0b-03f2-4d2e-ae87-c02d7f33c123",
	`with "double" and 'single' quotes`,
	"é ✓ 日本 \U0001F600",
	"back\\slash\nnew line\ttab",
	"ctl\x01\x7f nbsp\u00a0 ls\u2028",
	"",
}

// extraSamples are values of an extra kwarg that no format uses: every
// JSON type Python would dump.
var extraSamples = []any{
	nil, true, 3.5, 42, -7, []any{1, "a", nil, 2.25}, map[string]any{"k": []any{1.0, "é"}, "b": false},
	json.Number("1180591620717411303424"), math.Inf(1), 1e16, 1e-5, "plain",
}

// exampleKwargs returns representative kwargs for class i of the table:
// every key its format uses (an int for %d-style conversions, a string
// otherwise) plus an extra kwarg of a rotating type.
func exampleKwargs(i int, format string) map[string]any {
	kw := map[string]any{}
	for j, m := range placeholder.FindAllStringSubmatch(format, -1) {
		key, conv := m[1], m[2]
		switch conv {
		case "d", "i", "u", "x", "X", "o", "c":
			kw[key] = 1000 + i + j
		case "e", "E", "f", "F", "g", "G":
			kw[key] = float64(i) + 0.5
		default:
			kw[key] = key + "-" + stringSamples[(i+j)%len(stringSamples)]
		}
	}
	kw["extra_detail"] = extraSamples[i%len(extraSamples)]
	return kw
}

// formatCase is one differential case of the formatter.
type formatCase struct {
	Format string
	Kwargs map[string]any
}

var formatKeys = []string{"a", "node", "b(c)", "", "é"}

// randomValue returns a value of a random Python type.
func randomValue(r *rand.Rand) any {
	switch r.IntN(14) {
	case 0:
		return nil
	case 1:
		return r.IntN(2) == 0
	case 2:
		return r.IntN(2000) - 1000
	case 3:
		return json.Number("-98765432109876543210987")
	case 4:
		return []float64{0, math.Copysign(0, -1), 1, 1.5, -2.75, 1e16, 1e-5, 123456.789, 1e300, 5e-324, 0.1, 999999.5, math.Inf(1), math.Inf(-1)}[r.IntN(14)]
	case 5:
		return r.Float64() * math.Pow(10, float64(r.IntN(40)-20))
	case 6:
		return []any{1, "x", nil, 2.5, []any{}, map[string]any{"k": "it's"}}
	case 7:
		return map[string]any{"z": 1, "a": []any{"b", true}}
	case 8:
		return []string{"A", "é", "\U0001F600", "'", "\u00ad", "\U0001F6DC"}[r.IntN(6)]
	case 9:
		return 0x10ffff + r.IntN(3) - 1
	}
	return stringSamples[r.IntN(len(stringSamples))]
}

// compatible returns a value a conversion accepts, most of the time.
func compatible(r *rand.Rand, conv byte) any {
	if r.IntN(8) == 0 {
		return randomValue(r)
	}
	switch conv {
	case 'd', 'i', 'u':
		return []any{r.IntN(100000) - 50000, 2.75, -1e20, true, json.Number("123456789012345678901234567890")}[r.IntN(5)]
	case 'o', 'x', 'X':
		return []any{r.IntN(100000) - 50000, false, json.Number("-123456789012345678901234567890")}[r.IntN(3)]
	case 'e', 'E', 'f', 'F', 'g', 'G':
		if r.IntN(4) == 0 {
			return r.IntN(2000000) - 1000000
		}
		return randomValue(rand.New(rand.NewPCG(r.Uint64(), 4)))
	case 'c':
		return []any{r.IntN(0x3000), "é", "\U0001F600", true}[r.IntN(4)]
	}
	return randomValue(r)
}

// randomFormatCase returns a random format, mostly valid, and kwargs for
// it.
func randomFormatCase(r *rand.Rand) formatCase {
	kw := map[string]any{}
	var b strings.Builder
	for range 1 + r.IntN(3) {
		switch r.IntN(12) {
		case 0:
			b.WriteString([]string{"%", "%(", "%(a", "%%", "%(a)", "%(a)*d", "%(a).*s", "%(a)5%", "%s", "%(a)z", "%(missing)s", "%(a)ld"}[r.IntN(12)])
		case 1, 2:
			b.WriteString([]string{"Node ", " is é ", "\"q\" ", "x", "'", "%%"}[r.IntN(6)])
		default:
			key := formatKeys[r.IntN(len(formatKeys))]
			b.WriteString("%(" + key + ")")
			for range r.IntN(3) {
				b.WriteByte("-+ #0"[r.IntN(5)])
			}
			if r.IntN(2) == 0 {
				fmt.Fprint(&b, r.IntN(25))
			}
			if r.IntN(3) == 0 {
				b.WriteByte('.')
				if r.IntN(4) > 0 {
					fmt.Fprint(&b, r.IntN(20))
				}
			}
			if r.IntN(10) == 0 {
				b.WriteByte("hlL"[r.IntN(3)])
			}
			conv := "sradiuoxXeEfFgGc"[r.IntN(16)]
			b.WriteByte(conv)
			if _, ok := kw[key]; !ok {
				kw[key] = compatible(r, conv)
			}
		}
	}
	if r.IntN(10) == 0 {
		kw["unused"] = randomValue(r)
	}
	return formatCase{Format: b.String(), Kwargs: kw}
}

// pyJSON is the JSON Python reads back as the same values.
func pyJSON(v any) string {
	s, ok := toPy(v).jsonDumps()
	if !ok {
		panic(fmt.Sprintf("not JSON: %#v", v))
	}
	return s
}
