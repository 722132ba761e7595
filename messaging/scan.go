package messaging

import (
	"encoding/json"
	"errors"
	"unicode/utf8"
)

// errScan is a syntax error found by the object scanner.
var errScan = errors.New("invalid JSON")

// decodeObject splits a JSON object into its members in document order,
// without decoding the values: each value is a slice of data. It checks
// the syntax of everything it skips, so a value it returns is valid JSON.
// It is the hot path of every request and reply, hence hand-written.
func decodeObject(data []byte) ([]member, error) {
	s := scanner{data: data}
	s.space()
	if !s.eat('{') {
		return nil, errors.New("not a JSON object")
	}
	ms := make([]member, 0, 12)
	s.space()
	if s.eat('}') {
		return ms, s.end()
	}
	for {
		s.space()
		kstart := s.pos
		escaped, err := s.str()
		if err != nil {
			return nil, err
		}
		key := string(data[kstart+1 : s.pos-1])
		if escaped {
			if err := json.Unmarshal(data[kstart:s.pos], &key); err != nil {
				return nil, err
			}
		}
		s.space()
		if !s.eat(':') {
			return nil, errScan
		}
		s.space()
		vstart := s.pos
		if err := s.value(0); err != nil {
			return nil, err
		}
		ms = append(ms, member{key: key, value: json.RawMessage(data[vstart:s.pos])})
		s.space()
		if s.eat(',') {
			continue
		}
		if s.eat('}') {
			return ms, s.end()
		}
		return nil, errScan
	}
}

type scanner struct {
	data []byte
	pos  int
}

const maxDepth = 10000

func (s *scanner) space() {
	for s.pos < len(s.data) {
		switch s.data[s.pos] {
		case ' ', '\t', '\n', '\r':
			s.pos++
		default:
			return
		}
	}
}

func (s *scanner) eat(c byte) bool {
	if s.pos < len(s.data) && s.data[s.pos] == c {
		s.pos++
		return true
	}
	return false
}

func (s *scanner) end() error {
	s.space()
	if s.pos != len(s.data) {
		return errors.New("trailing data after the JSON object")
	}
	return nil
}

// str skips a string token, reporting whether it holds escapes.
func (s *scanner) str() (escaped bool, err error) {
	if !s.eat('"') {
		return false, errScan
	}
	for s.pos < len(s.data) {
		c := s.data[s.pos]
		switch {
		case c == '"':
			s.pos++
			return escaped, nil
		case c == '\\':
			escaped = true
			if s.pos+1 >= len(s.data) {
				return false, errScan
			}
			switch s.data[s.pos+1] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				s.pos += 2
			case 'u':
				if s.pos+6 > len(s.data) || !isHex4(s.data[s.pos+2:s.pos+6]) {
					return false, errScan
				}
				s.pos += 6
			default:
				return false, errScan
			}
		case c < 0x20:
			return false, errScan
		case c < utf8.RuneSelf:
			s.pos++
		default:
			r, size := utf8.DecodeRune(s.data[s.pos:])
			if r == utf8.RuneError && size == 1 {
				escaped = true // invalid UTF-8: let encoding/json replace it
			}
			s.pos += size
		}
	}
	return false, errScan
}

func isHex4(b []byte) bool {
	for _, c := range b {
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') && (c < 'A' || c > 'F') {
			return false
		}
	}
	return true
}

// value skips one JSON value.
func (s *scanner) value(depth int) error {
	if depth > maxDepth {
		return errors.New("JSON nested too deeply")
	}
	if s.pos >= len(s.data) {
		return errScan
	}
	switch c := s.data[s.pos]; c {
	case '"':
		_, err := s.str()
		return err
	case '{', '[':
		closing := byte('}')
		if c == '[' {
			closing = ']'
		}
		s.pos++
		s.space()
		if s.eat(closing) {
			return nil
		}
		for {
			s.space()
			if c == '{' {
				if _, err := s.str(); err != nil {
					return err
				}
				s.space()
				if !s.eat(':') {
					return errScan
				}
				s.space()
			}
			if err := s.value(depth + 1); err != nil {
				return err
			}
			s.space()
			if s.eat(',') {
				continue
			}
			if s.eat(closing) {
				return nil
			}
			return errScan
		}
	case 't':
		return s.literal("true")
	case 'f':
		return s.literal("false")
	case 'n':
		return s.literal("null")
	default:
		return s.number()
	}
}

func (s *scanner) literal(lit string) error {
	if len(s.data)-s.pos < len(lit) || string(s.data[s.pos:s.pos+len(lit)]) != lit {
		return errScan
	}
	s.pos += len(lit)
	return nil
}

// number skips a number with JSON's grammar.
func (s *scanner) number() error {
	start := s.pos
	s.eat('-')
	switch {
	case s.eat('0'):
	case s.pos < len(s.data) && s.data[s.pos] >= '1' && s.data[s.pos] <= '9':
		s.digits()
	default:
		return errScan
	}
	if s.eat('.') {
		if s.digits() == 0 {
			return errScan
		}
	}
	if s.pos < len(s.data) && (s.data[s.pos] == 'e' || s.data[s.pos] == 'E') {
		s.pos++
		if !s.eat('+') {
			s.eat('-')
		}
		if s.digits() == 0 {
			return errScan
		}
	}
	if s.pos == start {
		return errScan
	}
	return nil
}

func (s *scanner) digits() int {
	n := 0
	for s.pos < len(s.data) && s.data[s.pos] >= '0' && s.data[s.pos] <= '9' {
		s.pos++
		n++
	}
	return n
}

// unquote decodes a JSON string token (quotes included). Tokens without
// escapes are sliced directly; others are decoded here rather than through
// encoding/json, which would scan them twice.
func unquote(tok []byte) (string, bool) {
	for len(tok) > 0 && isSpace(tok[0]) {
		tok = tok[1:]
	}
	for len(tok) > 0 && isSpace(tok[len(tok)-1]) {
		tok = tok[:len(tok)-1]
	}
	if len(tok) < 2 || tok[0] != '"' || tok[len(tok)-1] != '"' {
		return "", false
	}
	body := tok[1 : len(tok)-1]
	simple := true
	for _, c := range body {
		if c == '\\' || c == '"' || c < 0x20 || c >= utf8.RuneSelf {
			simple = false
			break
		}
	}
	if simple {
		return string(body), true
	}
	out := make([]byte, 0, len(body))
	for i := 0; i < len(body); {
		c := body[i]
		switch {
		case c == '\\':
			if i+1 >= len(body) {
				return "", false
			}
			switch body[i+1] {
			case '"', '\\', '/':
				out = append(out, body[i+1])
			case 'b':
				out = append(out, '\b')
			case 'f':
				out = append(out, '\f')
			case 'n':
				out = append(out, '\n')
			case 'r':
				out = append(out, '\r')
			case 't':
				out = append(out, '\t')
			case 'u':
				r, n := decodeU(body[i:])
				if n == 0 {
					return "", false
				}
				out = utf8.AppendRune(out, r)
				i += n
				continue
			default:
				return "", false
			}
			i += 2
		case c == '"' || c < 0x20:
			return "", false
		case c < utf8.RuneSelf:
			out = append(out, c)
			i++
		default:
			r, size := utf8.DecodeRune(body[i:])
			out = utf8.AppendRune(out, r) // invalid bytes become U+FFFD, as encoding/json does
			i += size
		}
	}
	return string(out), true
}

// decodeU decodes \uXXXX (and a following low surrogate) at the start of
// b, returning the rune and the bytes used; 0 if malformed. A lone
// surrogate becomes U+FFFD, as in encoding/json.
func decodeU(b []byte) (rune, int) {
	r1, ok := hex4(b)
	if !ok {
		return 0, 0
	}
	if r1 < 0xd800 || r1 > 0xdfff {
		return r1, 6
	}
	if r1 <= 0xdbff {
		if r2, ok := hex4(b[6:]); ok && r2 >= 0xdc00 && r2 <= 0xdfff {
			return ((r1 - 0xd800) << 10) + (r2 - 0xdc00) + 0x10000, 12
		}
	}
	return utf8.RuneError, 6
}

func hex4(b []byte) (rune, bool) {
	if len(b) < 6 || b[0] != '\\' || b[1] != 'u' {
		return 0, false
	}
	var r rune
	for _, c := range b[2:6] {
		switch {
		case c >= '0' && c <= '9':
			r = r<<4 | rune(c-'0')
		case c >= 'a' && c <= 'f':
			r = r<<4 | rune(c-'a'+10)
		case c >= 'A' && c <= 'F':
			r = r<<4 | rune(c-'A'+10)
		default:
			return 0, false
		}
	}
	return r, true
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

// decodeAny decodes one JSON value the way encoding/json with UseNumber
// decodes into an interface (objects as map[string]any, arrays as []any,
// numbers as json.Number), without reflection: the hot path of untyped
// arguments and results.
func decodeAny(data []byte) (any, error) {
	s := scanner{data: data}
	s.space()
	v, err := s.any(0)
	if err != nil {
		return nil, err
	}
	if err := s.end(); err != nil {
		return nil, err
	}
	return v, nil
}

func (s *scanner) any(depth int) (any, error) {
	if depth > maxDepth {
		return nil, errors.New("JSON nested too deeply")
	}
	if s.pos >= len(s.data) {
		return nil, errScan
	}
	switch c := s.data[s.pos]; c {
	case '"':
		start := s.pos
		if _, err := s.str(); err != nil {
			return nil, err
		}
		str, ok := unquote(s.data[start:s.pos])
		if !ok {
			return nil, errScan
		}
		return str, nil
	case '{':
		s.pos++
		m := map[string]any{}
		s.space()
		if s.eat('}') {
			return m, nil
		}
		for {
			s.space()
			start := s.pos
			if _, err := s.str(); err != nil {
				return nil, err
			}
			key, ok := unquote(s.data[start:s.pos])
			if !ok {
				return nil, errScan
			}
			s.space()
			if !s.eat(':') {
				return nil, errScan
			}
			s.space()
			v, err := s.any(depth + 1)
			if err != nil {
				return nil, err
			}
			m[key] = v
			s.space()
			if s.eat(',') {
				continue
			}
			if s.eat('}') {
				return m, nil
			}
			return nil, errScan
		}
	case '[':
		s.pos++
		arr := []any{}
		s.space()
		if s.eat(']') {
			return arr, nil
		}
		for {
			s.space()
			v, err := s.any(depth + 1)
			if err != nil {
				return nil, err
			}
			arr = append(arr, v)
			s.space()
			if s.eat(',') {
				continue
			}
			if s.eat(']') {
				return arr, nil
			}
			return nil, errScan
		}
	case 't':
		return true, s.literal("true")
	case 'f':
		return false, s.literal("false")
	case 'n':
		return nil, s.literal("null")
	default:
		start := s.pos
		if err := s.number(); err != nil {
			return nil, err
		}
		return json.Number(s.data[start:s.pos]), nil
	}
}
