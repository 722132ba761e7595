package exception

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"math/big"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"
)

// pyKind is the Python type a Go kwarg value stands for.
type pyKind uint8

const (
	pyNone pyKind = iota
	pyBool
	pyInt
	pyFloat
	pyStr
	pyList
	pyDict
	// pyOpaque is an object json.dumps cannot serialize (a Go error, a
	// Stringer, a struct): it has a str() and a repr() only.
	pyOpaque
)

// pyValue is a Go value seen as the Python object Ironic would hold in an
// exception's kwargs.
type pyValue struct {
	kind pyKind
	b    bool
	i    *big.Int
	f    float64
	s    string // pyStr: the text; pyOpaque: str()
	r    string // pyOpaque: repr()
	list []pyValue
	keys []string // pyDict, in order
	vals []pyValue
}

// maxDepth bounds the nesting toPy follows (cyclic pointers, maps).
const maxDepth = 64

// toPy converts a Go value to its Python model. Maps become dicts with
// sorted keys (Go maps have no insertion order).
func toPy(v any) pyValue { return toPyDepth(v, 0) }

func toPyDepth(v any, depth int) pyValue {
	if depth > maxDepth {
		s := fmt.Sprint(v)
		return pyValue{kind: pyOpaque, s: s, r: pyRepr(s)}
	}
	switch x := v.(type) {
	case nil:
		return pyValue{kind: pyNone}
	case bool:
		return pyValue{kind: pyBool, b: x}
	case string:
		return pyValue{kind: pyStr, s: x}
	case int:
		return pyValue{kind: pyInt, i: big.NewInt(int64(x))}
	case int64:
		return pyValue{kind: pyInt, i: big.NewInt(x)}
	case int32:
		return pyValue{kind: pyInt, i: big.NewInt(int64(x))}
	case uint64:
		return pyValue{kind: pyInt, i: new(big.Int).SetUint64(x)}
	case float64:
		return pyValue{kind: pyFloat, f: x}
	case *big.Int:
		if x == nil {
			return pyValue{kind: pyNone}
		}
		return pyValue{kind: pyInt, i: new(big.Int).Set(x)}
	case json.Number:
		return numberToPy(string(x))
	case *Error:
		if x == nil {
			return pyValue{kind: pyNone}
		}
		return pyValue{kind: pyOpaque, s: x.Msg, r: x.Class + "(" + pyRepr(x.Msg) + ")"}
	case error:
		s := x.Error()
		return pyValue{kind: pyOpaque, s: s, r: pyRepr(s)}
	case fmt.Stringer:
		s := x.String()
		return pyValue{kind: pyOpaque, s: s, r: pyRepr(s)}
	case []any:
		out := pyValue{kind: pyList, list: make([]pyValue, len(x))}
		for i, e := range x {
			out.list[i] = toPyDepth(e, depth+1)
		}
		return out
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		out := pyValue{kind: pyDict, keys: keys, vals: make([]pyValue, len(keys))}
		for i, k := range keys {
			out.vals[i] = toPyDepth(x[k], depth+1)
		}
		return out
	}
	return reflectToPy(reflect.ValueOf(v), depth)
}

func reflectToPy(rv reflect.Value, depth int) pyValue {
	switch rv.Kind() {
	case reflect.Bool:
		return pyValue{kind: pyBool, b: rv.Bool()}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return pyValue{kind: pyInt, i: big.NewInt(rv.Int())}
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return pyValue{kind: pyInt, i: new(big.Int).SetUint64(rv.Uint())}
	case reflect.Float32, reflect.Float64:
		return pyValue{kind: pyFloat, f: rv.Float()}
	case reflect.String:
		return pyValue{kind: pyStr, s: rv.String()}
	case reflect.Pointer, reflect.Interface:
		if rv.IsNil() {
			return pyValue{kind: pyNone}
		}
		return toPyDepth(rv.Elem().Interface(), depth+1)
	case reflect.Slice, reflect.Array:
		if rv.Kind() == reflect.Slice && rv.IsNil() {
			return pyValue{kind: pyNone}
		}
		out := pyValue{kind: pyList, list: make([]pyValue, rv.Len())}
		for i := range rv.Len() {
			out.list[i] = toPyDepth(rv.Index(i).Interface(), depth+1)
		}
		return out
	case reflect.Map:
		if rv.IsNil() {
			return pyValue{kind: pyNone}
		}
		type kv struct {
			k string
			v reflect.Value
		}
		items := make([]kv, 0, rv.Len())
		iter := rv.MapRange()
		for iter.Next() {
			items = append(items, kv{fmt.Sprint(iter.Key().Interface()), iter.Value()})
		}
		slices.SortFunc(items, func(a, b kv) int { return strings.Compare(a.k, b.k) })
		out := pyValue{kind: pyDict, keys: make([]string, len(items)), vals: make([]pyValue, len(items))}
		for i, it := range items {
			out.keys[i] = it.k
			out.vals[i] = toPyDepth(it.v.Interface(), depth+1)
		}
		return out
	}
	if !rv.IsValid() {
		return pyValue{kind: pyNone}
	}
	s := fmt.Sprint(rv.Interface())
	return pyValue{kind: pyOpaque, s: s, r: pyRepr(s)}
}

// numberToPy reads a JSON number as Python's json.loads does: an int when
// it has no fraction or exponent, else a float.
func numberToPy(s string) pyValue {
	if !strings.ContainsAny(s, ".eE") {
		if i, ok := new(big.Int).SetString(s, 10); ok {
			return pyValue{kind: pyInt, i: i}
		}
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil && !isRangeErr(err) {
		return pyValue{kind: pyStr, s: s}
	}
	return pyValue{kind: pyFloat, f: f}
}

func isRangeErr(err error) bool {
	var ne *strconv.NumError
	return errors.As(err, &ne) && errors.Is(ne.Err, strconv.ErrRange)
}

// str is Python's str().
func (v pyValue) str() string {
	switch v.kind {
	case pyStr, pyOpaque:
		return v.s
	}
	return v.repr()
}

// repr is Python's repr().
func (v pyValue) repr() string {
	switch v.kind {
	case pyNone:
		return "None"
	case pyBool:
		if v.b {
			return "True"
		}
		return "False"
	case pyInt:
		return v.i.String()
	case pyFloat:
		return floatRepr(v.f)
	case pyStr:
		return pyRepr(v.s)
	case pyOpaque:
		return v.r
	case pyList:
		var b strings.Builder
		b.WriteByte('[')
		for i, e := range v.list {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(e.repr())
		}
		b.WriteByte(']')
		return b.String()
	case pyDict:
		var b strings.Builder
		b.WriteByte('{')
		for i, k := range v.keys {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(pyRepr(k))
			b.WriteString(": ")
			b.WriteString(v.vals[i].repr())
		}
		b.WriteByte('}')
		return b.String()
	}
	return ""
}

// jsonDumps is Python's json.dumps(v) with its defaults (", " and ": "
// separators, ensure_ascii, NaN and Infinity allowed). ok is false when
// Python would raise TypeError (an opaque value anywhere inside).
func (v pyValue) jsonDumps() (string, bool) {
	b, ok := v.appendJSON(nil)
	return string(b), ok
}

func (v pyValue) appendJSON(dst []byte) ([]byte, bool) {
	switch v.kind {
	case pyNone:
		return append(dst, "null"...), true
	case pyBool:
		if v.b {
			return append(dst, "true"...), true
		}
		return append(dst, "false"...), true
	case pyInt:
		return v.i.Append(dst, 10), true
	case pyFloat:
		switch {
		case math.IsNaN(v.f):
			return append(dst, "NaN"...), true
		case math.IsInf(v.f, 1):
			return append(dst, "Infinity"...), true
		case math.IsInf(v.f, -1):
			return append(dst, "-Infinity"...), true
		}
		return append(dst, floatRepr(v.f)...), true
	case pyStr:
		return appendJSONString(dst, v.s), true
	case pyList:
		dst = append(dst, '[')
		for i, e := range v.list {
			if i > 0 {
				dst = append(dst, ", "...)
			}
			var ok bool
			if dst, ok = e.appendJSON(dst); !ok {
				return dst, false
			}
		}
		return append(dst, ']'), true
	case pyDict:
		dst = append(dst, '{')
		for i, k := range v.keys {
			if i > 0 {
				dst = append(dst, ", "...)
			}
			dst = appendJSONString(dst, k)
			dst = append(dst, ": "...)
			var ok bool
			if dst, ok = v.vals[i].appendJSON(dst); !ok {
				return dst, false
			}
		}
		return append(dst, '}'), true
	}
	return dst, false
}

const hexDigits = "0123456789abcdef"

// appendJSONString writes s as json.dumps does with ensure_ascii: every
// character outside ' '..'~' is escaped, as \uXXXX (lowercase hex, a
// surrogate pair above the BMP) unless it has a short escape.
func appendJSONString(dst []byte, s string) []byte {
	dst = append(dst, '"')
	for _, r := range s {
		switch {
		case r == '"':
			dst = append(dst, '\\', '"')
		case r == '\\':
			dst = append(dst, '\\', '\\')
		case r >= 0x20 && r < 0x7f:
			dst = append(dst, byte(r))
		case r == '\n':
			dst = append(dst, '\\', 'n')
		case r == '\r':
			dst = append(dst, '\\', 'r')
		case r == '\t':
			dst = append(dst, '\\', 't')
		case r == '\b':
			dst = append(dst, '\\', 'b')
		case r == '\f':
			dst = append(dst, '\\', 'f')
		case r > 0xffff:
			r1, r2 := utf16.EncodeRune(r)
			dst = appendHex4(append(dst, '\\', 'u'), r1)
			dst = appendHex4(append(dst, '\\', 'u'), r2)
		default:
			dst = appendHex4(append(dst, '\\', 'u'), r)
		}
	}
	return append(dst, '"')
}

func appendHex4(dst []byte, r rune) []byte {
	return append(dst, hexDigits[r>>12&0xf], hexDigits[r>>8&0xf], hexDigits[r>>4&0xf], hexDigits[r&0xf])
}

// floatRepr is Python's repr(float): the shortest round-tripping digits,
// positional for decimal exponents in [-4, 16) with at least one fractional
// digit, else d.ddde±XX.
func floatRepr(f float64) string {
	switch {
	case math.IsNaN(f):
		return "nan"
	case math.IsInf(f, 1):
		return "inf"
	case math.IsInf(f, -1):
		return "-inf"
	}
	e := strconv.FormatFloat(f, 'e', -1, 64) // [-]d[.ddd]e±XX
	sign := ""
	if e[0] == '-' {
		sign, e = "-", e[1:]
	}
	mant, expStr, _ := strings.Cut(e, "e")
	exp, _ := strconv.Atoi(expStr)
	digits := strings.Replace(mant, ".", "", 1)
	if exp >= -4 && exp < 16 {
		switch {
		case exp < 0:
			return sign + "0." + strings.Repeat("0", -exp-1) + digits
		case len(digits) <= exp+1:
			return sign + digits + strings.Repeat("0", exp+1-len(digits)) + ".0"
		default:
			return sign + digits[:exp+1] + "." + digits[exp+1:]
		}
	}
	out := sign + digits[:1]
	if len(digits) > 1 {
		out += "." + digits[1:]
	}
	if exp < 0 {
		out += "e-"
		exp = -exp
	} else {
		out += "e+"
	}
	if exp < 10 {
		out += "0"
	}
	return out + strconv.Itoa(exp)
}

// pyRepr is Python's repr(str): single quotes unless the text holds a
// single quote and no double quote; \t \n \r and the quote escaped;
// unprintable characters as \xNN, \uNNNN or \UNNNNNNNN.
func pyRepr(s string) string {
	quote := byte('\'')
	if strings.IndexByte(s, '\'') >= 0 && strings.IndexByte(s, '"') < 0 {
		quote = '"'
	}
	b := make([]byte, 0, len(s)+2)
	b = append(b, quote)
	for _, r := range s {
		switch {
		case r == rune(quote) || r == '\\':
			b = append(b, '\\', byte(r))
		case r == '\t':
			b = append(b, '\\', 't')
		case r == '\n':
			b = append(b, '\\', 'n')
		case r == '\r':
			b = append(b, '\\', 'r')
		case r < ' ' || r == 0x7f:
			b = append(b, '\\', 'x', hexDigits[r>>4], hexDigits[r&0xf])
		case r < utf8.RuneSelf || pyPrintable(r):
			b = utf8.AppendRune(b, r)
		default:
			b = appendEscape(b, r)
		}
	}
	return string(append(b, quote))
}

// pyASCII is Python's ascii(): repr with every non-ASCII character escaped.
func pyASCII(repr string) string {
	b := make([]byte, 0, len(repr))
	for _, r := range repr {
		if r < utf8.RuneSelf {
			b = append(b, byte(r))
			continue
		}
		b = appendEscape(b, r)
	}
	return string(b)
}

func appendEscape(b []byte, r rune) []byte {
	switch {
	case r < 0x100:
		return append(b, '\\', 'x', hexDigits[r>>4], hexDigits[r&0xf])
	case r < 0x10000:
		return appendHex4(append(b, '\\', 'u'), r)
	}
	b = append(b, '\\', 'U')
	for shift := 28; shift >= 0; shift -= 4 {
		b = append(b, hexDigits[r>>uint(shift)&0xf])
	}
	return b
}

// pyPrintable is Python 3.11's str.isprintable() for one character: Go's
// unicode.IsPrint has the same definition (letters, marks, numbers,
// punctuation, symbols and the ASCII space) but Go's tables are Unicode
// 15.0 while Python 3.11's are 14.0, so the characters 15.0 added are
// excluded.
func pyPrintable(r rune) bool {
	if !unicode.IsPrint(r) {
		return false
	}
	for _, rg := range unicode15Additions {
		if r < rg[0] {
			return true
		}
		if r <= rg[1] {
			return false
		}
	}
	return true
}

// unicode15Additions are the printable characters of Unicode 15.0 that
// Unicode 14.0 lacks, as closed ranges in order (checked against
// /usr/bin/python3 by the integration test).
var unicode15Additions = [...][2]rune{
	{0xCF3, 0xCF3}, {0xECE, 0xECE}, {0x10EFD, 0x10EFF}, {0x1123F, 0x11241},
	{0x11B00, 0x11B09}, {0x11F00, 0x11F10}, {0x11F12, 0x11F3A}, {0x11F3E, 0x11F59},
	{0x1342F, 0x1342F}, {0x13440, 0x13455}, {0x1B132, 0x1B132}, {0x1B155, 0x1B155},
	{0x1D2C0, 0x1D2D3}, {0x1DF25, 0x1DF2A}, {0x1E030, 0x1E06D}, {0x1E08F, 0x1E08F},
	{0x1E4D0, 0x1E4F9}, {0x1F6DC, 0x1F6DC}, {0x1F774, 0x1F776}, {0x1F77B, 0x1F77F},
	{0x1F7D9, 0x1F7D9}, {0x1FA75, 0x1FA77}, {0x1FA87, 0x1FA88}, {0x1FAAD, 0x1FAAF},
	{0x1FABB, 0x1FABD}, {0x1FABF, 0x1FABF}, {0x1FACE, 0x1FACF}, {0x1FADA, 0x1FADB},
	{0x1FAE8, 0x1FAE8}, {0x1FAF7, 0x1FAF8}, {0x2B739, 0x2B739}, {0x31350, 0x323AF},
}

// decodeJSONValue reads one JSON document as Python's json.loads would
// (NaN and ±Infinity allowed) into Go values: strings, bools, nil, int
// (json.Number when it does not fit an int), float64, []any and
// map[string]any.
func decodeJSONValue(s string) (any, bool) {
	switch s {
	case "NaN":
		return math.NaN(), true
	case "Infinity":
		return math.Inf(1), true
	case "-Infinity":
		return math.Inf(-1), true
	}
	nonFinite := false
	if !json.Valid([]byte(s)) {
		var ok bool
		if s, ok = markNonFinite(s); !ok || !json.Valid([]byte(s)) {
			return nil, false
		}
		nonFinite = true
	}
	dec := json.NewDecoder(strings.NewReader(s))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, false
	}
	v = normalizeNumbers(v)
	if nonFinite {
		v = unmarkNonFinite(v)
	}
	return v, true
}

// nonFiniteMarks stand for Python's NaN and ±Infinity JSON tokens while
// encoding/json parses a document.
var nonFiniteMarks = map[string]float64{
	"\x00NaN": math.NaN(), "\x00Infinity": math.Inf(1), "\x00-Infinity": math.Inf(-1),
}

// markNonFinite replaces the NaN, Infinity and -Infinity tokens outside
// strings with marker strings; false if there are none.
func markNonFinite(s string) (string, bool) {
	var b strings.Builder
	found, inStr := false, false
	for i := 0; i < len(s); i++ {
		c := s[i]
		if inStr {
			b.WriteByte(c)
			switch c {
			case '\\':
				if i+1 < len(s) {
					i++
					b.WriteByte(s[i])
				}
			case '"':
				inStr = false
			}
			continue
		}
		if c == '"' {
			inStr = true
			b.WriteByte(c)
			continue
		}
		replaced := false
		for _, tok := range [...]string{"NaN", "Infinity", "-Infinity"} {
			if strings.HasPrefix(s[i:], tok) {
				b.WriteString(`"\u0000` + tok + `"`)
				i += len(tok) - 1
				found, replaced = true, true
				break
			}
		}
		if !replaced {
			b.WriteByte(c)
		}
	}
	return b.String(), found
}

func unmarkNonFinite(v any) any {
	switch x := v.(type) {
	case string:
		if f, ok := nonFiniteMarks[x]; ok {
			return f
		}
	case []any:
		for i, e := range x {
			x[i] = unmarkNonFinite(e)
		}
	case map[string]any:
		for k, e := range x {
			x[k] = unmarkNonFinite(e)
		}
	}
	return v
}

// normalizeNumbers replaces json.Number values: int when it is an integer
// that fits, float64 when it has a fraction or an exponent.
func normalizeNumbers(v any) any {
	switch x := v.(type) {
	case json.Number:
		return numberValue(x)
	case []any:
		for i, e := range x {
			x[i] = normalizeNumbers(e)
		}
	case map[string]any:
		for k, e := range x {
			x[k] = normalizeNumbers(e)
		}
	}
	return v
}

func numberValue(n json.Number) any {
	s := string(n)
	if !strings.ContainsAny(s, ".eE") {
		if i, err := strconv.ParseInt(s, 10, 64); err == nil {
			return int(i)
		}
		return n
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil && !isRangeErr(err) {
		return n
	}
	return f
}
