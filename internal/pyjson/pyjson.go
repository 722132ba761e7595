// Package pyjson writes JSON the way Python's json.dumps does with its
// defaults: ", " and ": " separators, ensure_ascii escaping, and floats in
// Python's repr form. Python parses any valid JSON, so this is not needed for
// interoperability; it makes Go-built oslo messages byte-identical to the
// ones Python builds, which the golden tests check against captured vectors.
package pyjson

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"reflect"
	"slices"
	"strconv"
	"unicode/utf16"
	"unicode/utf8"
)

// ErrUnsupportedValue is returned for values JSON cannot hold (NaN, ±Inf,
// channels, functions).
var ErrUnsupportedValue = errors.New("pyjson: unsupported value")

// Marshal returns v encoded as Python's json.dumps(v) would encode the
// equivalent Python value. Maps are written with sorted keys (Go maps have
// no order); use [Object] to keep an order.
func Marshal(v any) ([]byte, error) {
	return Append(nil, v)
}

// KV is one member of an [Object].
type KV struct {
	Key   string
	Value any
}

// Object is a JSON object whose members keep their order, like a Python
// dict keeps insertion order.
type Object []KV

// Append appends the encoding of v to dst.
func Append(dst []byte, v any) ([]byte, error) {
	switch x := v.(type) {
	case nil:
		return append(dst, "null"...), nil
	case bool:
		if x {
			return append(dst, "true"...), nil
		}
		return append(dst, "false"...), nil
	case string:
		return AppendString(dst, x), nil
	case int:
		return strconv.AppendInt(dst, int64(x), 10), nil
	case int32:
		return strconv.AppendInt(dst, int64(x), 10), nil
	case int64:
		return strconv.AppendInt(dst, x, 10), nil
	case uint32:
		return strconv.AppendUint(dst, uint64(x), 10), nil
	case uint64:
		return strconv.AppendUint(dst, x, 10), nil
	case float64:
		return AppendFloat(dst, x)
	case float32:
		return AppendFloat(dst, float64(x))
	case json.Number:
		return Reformat(dst, []byte(x))
	case json.RawMessage:
		if x == nil {
			return append(dst, "null"...), nil
		}
		return Reformat(dst, x)
	case []any:
		dst = append(dst, '[')
		for i, e := range x {
			if i > 0 {
				dst = append(dst, ", "...)
			}
			var err error
			if dst, err = Append(dst, e); err != nil {
				return dst, err
			}
		}
		return append(dst, ']'), nil
	case []string:
		if x == nil {
			return append(dst, "null"...), nil
		}
		dst = append(dst, '[')
		for i, e := range x {
			if i > 0 {
				dst = append(dst, ", "...)
			}
			dst = AppendString(dst, e)
		}
		return append(dst, ']'), nil
	case Object:
		dst = append(dst, '{')
		for i, kv := range x {
			if i > 0 {
				dst = append(dst, ", "...)
			}
			dst = AppendString(dst, kv.Key)
			dst = append(dst, ": "...)
			var err error
			if dst, err = Append(dst, kv.Value); err != nil {
				return dst, err
			}
		}
		return append(dst, '}'), nil
	case map[string]any:
		if x == nil {
			return append(dst, "null"...), nil
		}
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		dst = append(dst, '{')
		for i, k := range keys {
			if i > 0 {
				dst = append(dst, ", "...)
			}
			dst = AppendString(dst, k)
			dst = append(dst, ": "...)
			var err error
			if dst, err = Append(dst, x[k]); err != nil {
				return dst, err
			}
		}
		return append(dst, '}'), nil
	}
	return appendReflect(dst, v)
}

// appendReflect encodes anything else (structs with json tags, typed maps and
// slices, json.Marshaler) through encoding/json and reformats the result.
func appendReflect(dst []byte, v any) ([]byte, error) {
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.Chan, reflect.Func, reflect.Complex64, reflect.Complex128, reflect.UnsafePointer:
		return dst, fmt.Errorf("%w: %T", ErrUnsupportedValue, v)
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return dst, fmt.Errorf("%w: %w", ErrUnsupportedValue, err)
	}
	return Reformat(dst, bytes.TrimRight(buf.Bytes(), "\n"))
}

// AppendFloat appends f as Python's repr(float) writes it: the shortest
// digits that round-trip, fixed notation for exponents in [-4, 16) with at
// least one fractional digit, otherwise d.ddde+XX.
func AppendFloat(dst []byte, f float64) ([]byte, error) {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return dst, fmt.Errorf("%w: %v", ErrUnsupportedValue, f)
	}
	if f == 0 {
		if math.Signbit(f) {
			return append(dst, "-0.0"...), nil
		}
		return append(dst, "0.0"...), nil
	}
	var scratch [32]byte
	e := strconv.AppendFloat(scratch[:0], f, 'e', -1, 64) // -d.ddde±XX
	neg := e[0] == '-'
	if neg {
		e = e[1:]
	}
	mant, expStr, _ := bytes.Cut(e, []byte("e"))
	exp, _ := strconv.Atoi(string(expStr))
	digits := make([]byte, 0, len(mant))
	for _, c := range mant {
		if c != '.' {
			digits = append(digits, c)
		}
	}
	if neg {
		dst = append(dst, '-')
	}
	if exp >= -4 && exp < 16 {
		if exp < 0 {
			dst = append(dst, "0."...)
			for i := 0; i < -exp-1; i++ {
				dst = append(dst, '0')
			}
			return append(dst, digits...), nil
		}
		intLen := exp + 1
		if len(digits) <= intLen {
			dst = append(dst, digits...)
			for i := len(digits); i < intLen; i++ {
				dst = append(dst, '0')
			}
			return append(dst, ".0"...), nil
		}
		dst = append(dst, digits[:intLen]...)
		dst = append(dst, '.')
		return append(dst, digits[intLen:]...), nil
	}
	dst = append(dst, digits[0])
	if len(digits) > 1 {
		dst = append(dst, '.')
		dst = append(dst, digits[1:]...)
	}
	dst = append(dst, 'e')
	if exp < 0 {
		dst = append(dst, '-')
		exp = -exp
	} else {
		dst = append(dst, '+')
	}
	if exp < 10 {
		dst = append(dst, '0')
	}
	return strconv.AppendInt(dst, int64(exp), 10), nil
}

const hexDigits = "0123456789abcdef"

// AppendString appends s as a JSON string with ensure_ascii escaping:
// everything outside 0x20..0x7E (0x7F included) becomes \uXXXX with
// lowercase hex, non-BMP characters a surrogate pair. Invalid UTF-8 bytes
// become U+FFFD, as Go's decoder would read them.
func AppendString(dst []byte, s string) []byte {
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c >= 0x20 && c < 0x7f && c != '"' && c != '\\' {
			i++
			continue
		}
		dst = append(dst, s[start:i]...)
		if c < utf8.RuneSelf {
			switch c {
			case '"':
				dst = append(dst, '\\', '"')
			case '\\':
				dst = append(dst, '\\', '\\')
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\r':
				dst = append(dst, '\\', 'r')
			case '\t':
				dst = append(dst, '\\', 't')
			case '\b':
				dst = append(dst, '\\', 'b')
			case '\f':
				dst = append(dst, '\\', 'f')
			default:
				dst = appendU(dst, rune(c))
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r > 0xffff {
			r1, r2 := utf16.EncodeRune(r)
			dst = appendU(dst, r1)
			dst = appendU(dst, r2)
		} else {
			dst = appendU(dst, r)
		}
		i += size
		start = i
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}

func appendU(dst []byte, r rune) []byte {
	return append(dst, '\\', 'u', hexDigits[r>>12&0xf], hexDigits[r>>8&0xf], hexDigits[r>>4&0xf], hexDigits[r&0xf])
}
