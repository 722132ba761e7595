package objects

import (
	"encoding/json"
	"math"
	"math/big"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// LiteralEval evaluates a Python literal as ast.literal_eval does, for the
// values a FlexibleDict field can hold, and returns it as a JSON value (the
// form the value takes once oslo serializes it): str, int (int64, or
// json.Number beyond int64), float (float64), bool, None (nil), list and
// tuple ([]any), set ([]any, in written order) and dict (map[string]any,
// keys converted as json.dumps converts them).
//
// As an extension, JSON's true, false and null are accepted too. Bytes,
// complex numbers, infinite floats and names are refused with a
// *ValueError, as are dict keys json.dumps cannot write.
func LiteralEval(s string) (any, error) {
	p := &litParser{src: strings.TrimLeft(s, " \t")}
	v, err := p.expr()
	if err != nil {
		return nil, err
	}
	p.space()
	if p.pos != len(p.src) {
		return nil, p.errorf()
	}
	return v.json()
}

// litValue is a parsed Python value before conversion to JSON.
type litValue struct {
	kind  byte // 's' str, 'i' int, 'f' float, 'b' bool, 'n' None, 'l' list, 't' tuple, 'e' set, 'd' dict
	str   string
	num   *big.Int
	float float64
	bool  bool
	items []litValue // list, tuple, set; dict as key, value, key, value...
}

type litParser struct {
	src   string
	pos   int
	depth int
}

func (p *litParser) errorf() error {
	return valueErrorf("malformed node or string: %s", pyRepr(p.src))
}

// space skips whitespace, comments and backslash-newline continuations.
func (p *litParser) space() {
	for p.pos < len(p.src) {
		switch c := p.src[p.pos]; {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f':
			p.pos++
		case c == '#':
			for p.pos < len(p.src) && p.src[p.pos] != '\n' {
				p.pos++
			}
		case c == '\\' && strings.HasPrefix(p.src[p.pos:], "\\\n"):
			p.pos += 2
		default:
			return
		}
	}
}

func (p *litParser) peek() byte {
	if p.pos < len(p.src) {
		return p.src[p.pos]
	}
	return 0
}

const maxLiteralDepth = 200

func (p *litParser) expr() (litValue, error) {
	p.space()
	if p.depth++; p.depth > maxLiteralDepth {
		return litValue{}, valueErrorf("literal nested too deeply")
	}
	defer func() { p.depth-- }()
	v, err := p.unary()
	if err != nil {
		return v, err
	}
	return v, nil
}

func (p *litParser) unary() (litValue, error) {
	p.space()
	switch c := p.peek(); c {
	case '-', '+':
		p.pos++
		v, err := p.unary()
		if err != nil {
			return v, err
		}
		switch v.kind {
		case 'i':
			if c == '-' {
				v.num = new(big.Int).Neg(v.num)
			}
			return v, nil
		case 'f':
			if c == '-' {
				v.float = -v.float
			}
			return v, nil
		}
		return v, p.errorf()
	}
	return p.atom()
}

func (p *litParser) atom() (litValue, error) {
	c := p.peek()
	switch {
	case c == '[':
		items, err := p.seq(']')
		return litValue{kind: 'l', items: items}, err
	case c == '(':
		p.pos++
		p.space()
		if p.peek() == ')' {
			p.pos++
			return litValue{kind: 't'}, nil
		}
		first, err := p.expr()
		if err != nil {
			return first, err
		}
		p.space()
		if p.peek() == ')' { // parenthesized expression
			p.pos++
			return first, nil
		}
		if p.peek() != ',' {
			return first, p.errorf()
		}
		p.pos++
		items, err := p.seqFrom([]litValue{first}, ')')
		return litValue{kind: 't', items: items}, err
	case c == '{':
		return p.dict()
	case c == '"' || c == '\'':
		return p.strings()
	case c >= '0' && c <= '9' || c == '.':
		return p.number()
	case c == '_' || c >= 0x80 || unicode.IsLetter(rune(c)):
		start := p.pos
		for p.pos < len(p.src) {
			r, n := utf8.DecodeRuneInString(p.src[p.pos:])
			if r != '_' && !unicode.IsLetter(r) && !unicode.IsDigit(r) {
				break
			}
			p.pos += n
		}
		word := p.src[start:p.pos]
		if p.peek() == '\'' || p.peek() == '"' { // string prefix
			p.pos = start
			return p.strings()
		}
		switch word {
		case "True", "true":
			return litValue{kind: 'b', bool: true}, nil
		case "False", "false":
			return litValue{kind: 'b'}, nil
		case "None", "null":
			return litValue{kind: 'n'}, nil
		}
	}
	return litValue{}, p.errorf()
}

// seq parses "[a, b, ...]" or "(a, b, ...)" from the opening bracket.
func (p *litParser) seq(end byte) ([]litValue, error) {
	p.pos++ // opening bracket
	return p.seqFrom([]litValue{}, end)
}

// seqFrom parses the rest of a sequence after items.
func (p *litParser) seqFrom(items []litValue, end byte) ([]litValue, error) {
	for {
		p.space()
		if p.peek() == end {
			p.pos++
			return items, nil
		}
		v, err := p.expr()
		if err != nil {
			return nil, err
		}
		items = append(items, v)
		p.space()
		switch p.peek() {
		case ',':
			p.pos++
		case end:
		default:
			return nil, p.errorf()
		}
	}
}

// dict parses a dict or set display.
func (p *litParser) dict() (litValue, error) {
	p.pos++ // {
	p.space()
	if p.peek() == '}' {
		p.pos++
		return litValue{kind: 'd'}, nil
	}
	out := litValue{kind: 'd'}
	for first := true; ; first = false {
		p.space()
		if p.peek() == '}' {
			p.pos++
			return out, nil
		}
		k, err := p.expr()
		if err != nil {
			return out, err
		}
		p.space()
		if first && p.peek() != ':' {
			out.kind = 'e'
		}
		if out.kind == 'd' {
			if p.peek() != ':' {
				return out, p.errorf()
			}
			p.pos++
			v, err := p.expr()
			if err != nil {
				return out, err
			}
			out.items = append(out.items, k, v)
		} else {
			out.items = append(out.items, k)
		}
		p.space()
		switch p.peek() {
		case ',':
			p.pos++
		case '}':
		default:
			return out, p.errorf()
		}
	}
}

// strings parses one or more adjacent string literals (implicit
// concatenation).
func (p *litParser) strings() (litValue, error) {
	var sb strings.Builder
	for n := 0; ; n++ {
		p.space()
		start := p.pos
		raw := false
		for p.pos < len(p.src) && strings.IndexByte("rRuUbBfF", p.src[p.pos]) >= 0 && p.pos-start < 2 {
			switch p.src[p.pos] {
			case 'r', 'R':
				raw = true
			case 'b', 'B', 'f', 'F': // bytes and f-strings are not str literals
				return litValue{}, p.errorf()
			}
			p.pos++
		}
		q := p.peek()
		if q != '"' && q != '\'' {
			if n == 0 {
				return litValue{}, p.errorf()
			}
			p.pos = start
			return litValue{kind: 's', str: sb.String()}, nil
		}
		if prefix := p.src[start:p.pos]; strings.ContainsAny(prefix, "uU") && len(prefix) > 1 {
			return litValue{}, p.errorf()
		}
		if err := p.str(&sb, raw); err != nil {
			return litValue{}, err
		}
	}
}

// str parses one quoted string at p.pos into sb.
func (p *litParser) str(sb *strings.Builder, raw bool) error {
	q := p.src[p.pos]
	quote := string(q)
	if strings.HasPrefix(p.src[p.pos:], strings.Repeat(quote, 3)) {
		quote = strings.Repeat(quote, 3)
	}
	p.pos += len(quote)
	for {
		if p.pos >= len(p.src) {
			return p.errorf()
		}
		if strings.HasPrefix(p.src[p.pos:], quote) {
			p.pos += len(quote)
			return nil
		}
		c := p.src[p.pos]
		if c == '\n' && len(quote) == 1 {
			return p.errorf()
		}
		if c != '\\' {
			r, n := utf8.DecodeRuneInString(p.src[p.pos:])
			sb.WriteRune(r)
			p.pos += n
			continue
		}
		if p.pos+1 >= len(p.src) {
			return p.errorf()
		}
		e := p.src[p.pos+1]
		if raw {
			sb.WriteByte('\\')
			sb.WriteByte(e)
			p.pos += 2
			continue
		}
		p.pos += 2
		switch e {
		case '\n':
		case '\\', '\'', '"':
			sb.WriteByte(e)
		case 'a':
			sb.WriteByte('\a')
		case 'b':
			sb.WriteByte('\b')
		case 'f':
			sb.WriteByte('\f')
		case 'n':
			sb.WriteByte('\n')
		case 'r':
			sb.WriteByte('\r')
		case 't':
			sb.WriteByte('\t')
		case 'v':
			sb.WriteByte('\v')
		case 'x', 'u', 'U':
			n := map[byte]int{'x': 2, 'u': 4, 'U': 8}[e]
			if p.pos+n > len(p.src) {
				return p.errorf()
			}
			r, err := strconv.ParseUint(p.src[p.pos:p.pos+n], 16, 32)
			if err != nil || r > unicode.MaxRune || strings.ContainsAny(p.src[p.pos:p.pos+n], "+-_") {
				return p.errorf()
			}
			sb.WriteRune(rune(r))
			p.pos += n
		case '0', '1', '2', '3', '4', '5', '6', '7':
			v := int(e - '0')
			for i := 0; i < 2 && p.pos < len(p.src) && p.src[p.pos] >= '0' && p.src[p.pos] <= '7'; i++ {
				v = v*8 + int(p.src[p.pos]-'0')
				p.pos++
			}
			sb.WriteRune(rune(v))
		case 'N':
			return p.errorf() // named escapes are not supported
		default:
			sb.WriteByte('\\') // unknown escapes are kept
			sb.WriteByte(e)
		}
	}
}

// number parses an int or float literal (no sign).
func (p *litParser) number() (litValue, error) {
	start := p.pos
	src := p.src
	isDigit := func(c byte, base int) bool {
		switch base {
		case 16:
			return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
		case 8:
			return c >= '0' && c <= '7'
		case 2:
			return c == '0' || c == '1'
		}
		return c >= '0' && c <= '9'
	}
	// digits reads digits with single underscores between them.
	digits := func(base int) (string, bool) {
		s := p.pos
		for p.pos < len(src) && isDigit(src[p.pos], base) {
			p.pos++
			if p.pos+1 < len(src) && src[p.pos] == '_' && isDigit(src[p.pos+1], base) {
				p.pos++
			}
		}
		return strings.ReplaceAll(src[s:p.pos], "_", ""), p.pos > s
	}
	if src[p.pos] == '0' && p.pos+1 < len(src) && strings.IndexByte("xXoObB", src[p.pos+1]) >= 0 {
		base := map[byte]int{'x': 16, 'o': 8, 'b': 2}[src[p.pos+1]|0x20]
		p.pos += 2
		if p.peek() == '_' {
			p.pos++
		}
		d, ok := digits(base)
		if !ok {
			return litValue{}, p.errorf()
		}
		n, _ := new(big.Int).SetString(d, base)
		return p.endNumber(litValue{kind: 'i', num: n})
	}
	intPart, _ := digits(10)
	isFloat := false
	if p.peek() == '.' {
		isFloat = true
		p.pos++
		if _, ok := digits(10); !ok && intPart == "" {
			return litValue{}, p.errorf()
		}
	}
	if c := p.peek(); c == 'e' || c == 'E' {
		save := p.pos
		p.pos++
		if c := p.peek(); c == '+' || c == '-' {
			p.pos++
		}
		if _, ok := digits(10); ok {
			isFloat = true
		} else {
			p.pos = save
		}
	}
	text := strings.ReplaceAll(src[start:p.pos], "_", "")
	if c := p.peek(); c == 'j' || c == 'J' {
		return litValue{}, p.errorf() // complex
	}
	if !isFloat {
		if len(intPart) > 1 && strings.Trim(intPart, "0") != "" && intPart[0] == '0' {
			return litValue{}, p.errorf() // leading zeros: a syntax error in Python 3
		}
		n, _ := new(big.Int).SetString(intPart, 10)
		return p.endNumber(litValue{kind: 'i', num: n})
	}
	f, err := strconv.ParseFloat(text, 64)
	if err != nil && !math.IsInf(f, 0) {
		return litValue{}, p.errorf()
	}
	return p.endNumber(litValue{kind: 'f', float: f})
}

// endNumber refuses a number run into a name ("1x", "1.5j").
func (p *litParser) endNumber(v litValue) (litValue, error) {
	if p.pos < len(p.src) {
		r, _ := utf8.DecodeRuneInString(p.src[p.pos:])
		if r == '_' || r == '.' || unicode.IsLetter(r) || unicode.IsDigit(r) {
			return v, p.errorf()
		}
	}
	return v, nil
}

// json converts the Python value to its JSON form.
func (v litValue) json() (any, error) {
	switch v.kind {
	case 's':
		return v.str, nil
	case 'i':
		if v.num.IsInt64() {
			return v.num.Int64(), nil
		}
		return json.Number(v.num.String()), nil
	case 'f':
		if math.IsInf(v.float, 0) || math.IsNaN(v.float) {
			return nil, valueErrorf("float %s is out of range for JSON", pyFloatStr(v.float))
		}
		return v.float, nil
	case 'b':
		return v.bool, nil
	case 'n':
		return nil, nil
	case 'l', 't', 'e':
		out := make([]any, 0, len(v.items))
		seen := map[string]bool{}
		for _, it := range v.items {
			if v.kind == 'e' {
				id, err := it.identity()
				if err != nil {
					return nil, err
				}
				if seen[id] {
					continue
				}
				seen[id] = true
			}
			j, err := it.json()
			if err != nil {
				return nil, err
			}
			out = append(out, j)
		}
		return out, nil
	case 'd':
		out := make(map[string]any, len(v.items)/2)
		keys := map[string]string{} // Python key identity -> JSON key (the first key object is kept)
		for i := 0; i < len(v.items); i += 2 {
			k, err := v.items[i].json()
			if err != nil {
				return nil, err
			}
			id, jk, err := dictKey(k)
			if err != nil {
				return nil, err
			}
			if prev, dup := keys[id]; dup {
				jk = prev
			}
			keys[id] = jk
			val, err := v.items[i+1].json()
			if err != nil {
				return nil, err
			}
			out[jk] = val
		}
		return out, nil
	}
	return nil, valueErrorf("unsupported literal")
}

// identity is a hashable identity for set members (Python equality: 1 ==
// 1.0 == True).
func (v litValue) identity() (string, error) {
	j, err := v.json()
	if err != nil {
		return "", err
	}
	if v.kind == 'l' || v.kind == 'd' || v.kind == 'e' {
		return "", valueErrorf("unhashable type")
	}
	if v.kind == 't' {
		b, _ := json.Marshal(j)
		return "t:" + string(b), nil
	}
	id, _, err := dictKey(j)
	return id, err
}

// dictKey returns a JSON-converted dict key's Python identity (so that 1,
// 1.0 and True collide, as in a Python dict) and the key json.dumps writes.
func dictKey(k any) (id, key string, err error) {
	switch x := k.(type) {
	case string:
		return "s:" + x, x, nil
	case bool:
		if x {
			return "n:1", "true", nil
		}
		return "n:0", "false", nil
	case nil:
		return "None", "null", nil
	case int64:
		s := strconv.FormatInt(x, 10)
		return "n:" + s, s, nil
	case json.Number:
		return "n:" + string(x), string(x), nil
	case float64:
		if x == math.Trunc(x) && !math.IsInf(x, 0) {
			b, _ := new(big.Float).SetFloat64(x).Int(nil)
			return "n:" + b.String(), pyFloatStr(x), nil
		}
		return "f:" + pyFloatStr(x), pyFloatStr(x), nil
	}
	return "", "", valueErrorf("keys must be str, int, float, bool or None, not %s", pyTypeName(k))
}

// pyRepr is Python's repr() of a str (close enough for messages).
func pyRepr(s string) string {
	q := "'"
	if strings.Contains(s, "'") && !strings.Contains(s, `"`) {
		q = `"`
	}
	var sb strings.Builder
	sb.WriteString(q)
	for _, r := range s {
		switch {
		case r == '\\':
			sb.WriteString(`\\`)
		case string(r) == q:
			sb.WriteString(`\` + q)
		case r == '\n':
			sb.WriteString(`\n`)
		case r == '\r':
			sb.WriteString(`\r`)
		case r == '\t':
			sb.WriteString(`\t`)
		case r < 0x20 || r == 0x7f:
			sb.WriteString(`\x` + strconv.FormatInt(int64(r)|0x100, 16)[1:])
		default:
			sb.WriteRune(r)
		}
	}
	sb.WriteString(q)
	return sb.String()
}
