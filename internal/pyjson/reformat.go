package pyjson

import (
	"encoding/json"
	"errors"
	"fmt"
)

// ErrSyntax is returned by [Reformat] for input that is not valid JSON.
var ErrSyntax = errors.New("pyjson: invalid JSON")

// Reformat appends the valid JSON document src to dst in Python's
// json.dumps layout. Numbers are copied as written; strings are re-escaped
// with ensure_ascii; member order is kept.
func Reformat(dst, src []byte) ([]byte, error) {
	if !json.Valid(src) {
		return dst, fmt.Errorf("%w: %.40q", ErrSyntax, src)
	}
	r := reformatter{src: src}
	return r.value(dst)
}

type reformatter struct {
	src []byte
	pos int
}

func (r *reformatter) skipSpace() {
	for r.pos < len(r.src) {
		switch r.src[r.pos] {
		case ' ', '\t', '\n', '\r':
			r.pos++
		default:
			return
		}
	}
}

// value appends one value. The input is known to be valid JSON, so the
// scanner only needs to find token boundaries.
func (r *reformatter) value(dst []byte) ([]byte, error) {
	r.skipSpace()
	if r.pos >= len(r.src) {
		return dst, ErrSyntax
	}
	switch c := r.src[r.pos]; c {
	case '{':
		r.pos++
		dst = append(dst, '{')
		r.skipSpace()
		if r.src[r.pos] == '}' {
			r.pos++
			return append(dst, '}'), nil
		}
		for first := true; ; first = false {
			if !first {
				dst = append(dst, ", "...)
			}
			r.skipSpace()
			var err error
			if dst, err = r.str(dst); err != nil {
				return dst, err
			}
			r.skipSpace()
			r.pos++ // ':'
			dst = append(dst, ": "...)
			if dst, err = r.value(dst); err != nil {
				return dst, err
			}
			r.skipSpace()
			c := r.src[r.pos]
			r.pos++
			if c == '}' {
				return append(dst, '}'), nil
			}
		}
	case '[':
		r.pos++
		dst = append(dst, '[')
		r.skipSpace()
		if r.src[r.pos] == ']' {
			r.pos++
			return append(dst, ']'), nil
		}
		for first := true; ; first = false {
			if !first {
				dst = append(dst, ", "...)
			}
			var err error
			if dst, err = r.value(dst); err != nil {
				return dst, err
			}
			r.skipSpace()
			c := r.src[r.pos]
			r.pos++
			if c == ']' {
				return append(dst, ']'), nil
			}
		}
	case '"':
		return r.str(dst)
	default:
		start := r.pos
		for r.pos < len(r.src) {
			switch r.src[r.pos] {
			case ',', '}', ']', ' ', '\t', '\n', '\r':
				return append(dst, r.src[start:r.pos]...), nil
			}
			r.pos++
		}
		return append(dst, r.src[start:r.pos]...), nil
	}
}

// str appends the string token at pos, re-escaped the Python way.
func (r *reformatter) str(dst []byte) ([]byte, error) {
	start := r.pos
	r.pos++
	plain := true
	for {
		c := r.src[r.pos]
		if c == '"' {
			break
		}
		if c == '\\' {
			plain = false
			r.pos += 2
			continue
		}
		if c < 0x20 || c >= 0x7f {
			plain = false
		}
		r.pos++
	}
	r.pos++
	tok := r.src[start:r.pos]
	if plain {
		return append(dst, tok...), nil
	}
	var s string
	if err := json.Unmarshal(tok, &s); err != nil {
		return dst, fmt.Errorf("%w: %w", ErrSyntax, err)
	}
	return AppendString(dst, s), nil
}
