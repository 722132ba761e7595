package exception

import (
	"errors"
	"math"
	"math/big"
	"strconv"
	"strings"
	"unicode/utf8"
)

// errPyFormat is returned by pyFormat where Python's "fmt % kwargs" raises
// (KeyError, TypeError, ValueError, OverflowError).
var errPyFormat = errors.New("exception: python format failed")

// maxPad bounds field widths and precisions. Python accepts larger ones
// (until memory runs out); here they count as a failed format.
const maxPad = 100000

const (
	flagLJust = 1 << iota // '-'
	flagSign              // '+'
	flagBlank             // ' '
	flagAlt               // '#'
	flagZero              // '0'
)

// pyFormat returns format % kwargs with the semantics of Python 3's
// str.__mod__ when the right operand is a dict: %(name)s conversions look
// the name up; a conversion without a name takes the whole dict (once).
// Conversions: s r a d i u o x X e E f F g G c and %%, with flags, width,
// precision and the ignored h/l/L length modifier.
func pyFormat(format string, kwargs map[string]any) (string, error) {
	f := formatter{rs: []rune(format), kwargs: kwargs}
	return f.run()
}

type formatter struct {
	rs     []rune
	pos    int
	kwargs map[string]any
	out    strings.Builder

	// cur is the argument the next conversion takes (the whole dict while
	// whole is set, converted on first use); used reports that it was
	// taken (Python's argidx == -1 with arglen == -1).
	cur   pyValue
	whole bool
	used  bool
}

func (f *formatter) run() (string, error) {
	f.whole = true
	for f.pos < len(f.rs) {
		c := f.rs[f.pos]
		f.pos++
		if c != '%' {
			f.out.WriteRune(c)
			continue
		}
		if f.pos < len(f.rs) && f.rs[f.pos] == '%' {
			f.pos++
			f.out.WriteByte('%')
			continue
		}
		if err := f.conversion(); err != nil {
			return "", err
		}
	}
	return f.out.String(), nil
}

// next reads the next format character; false at the end of the format.
func (f *formatter) next() (rune, bool) {
	if f.pos >= len(f.rs) {
		return 0, false
	}
	c := f.rs[f.pos]
	f.pos++
	return c, true
}

type spec struct {
	flags int
	width int // -1 if absent
	prec  int // -1 if absent
	conv  rune
}

func (f *formatter) conversion() error {
	if f.pos < len(f.rs) && f.rs[f.pos] == '(' {
		f.pos++
		start, depth := f.pos, 1
		for depth > 0 && f.pos < len(f.rs) {
			switch f.rs[f.pos] {
			case ')':
				depth--
			case '(':
				depth++
			}
			f.pos++
		}
		if depth > 0 {
			return errPyFormat // incomplete format key
		}
		v, ok := f.kwargs[string(f.rs[start:f.pos-1])]
		if !ok {
			return errPyFormat // KeyError
		}
		f.cur, f.whole, f.used = toPy(v), false, false
	}
	sp := spec{width: -1, prec: -1}
	c, ok := f.next()
	for ; ok; c, ok = f.next() {
		switch c {
		case '-':
			sp.flags |= flagLJust
			continue
		case '+':
			sp.flags |= flagSign
			continue
		case ' ':
			sp.flags |= flagBlank
			continue
		case '#':
			sp.flags |= flagAlt
			continue
		case '0':
			sp.flags |= flagZero
			continue
		}
		break
	}
	if !ok {
		return errPyFormat // incomplete format
	}
	if c == '*' {
		// '*' takes the argument, leaving none for the conversion.
		return errPyFormat
	}
	if isDigit(c) {
		if sp.width, c, ok = f.number(c); !ok {
			return errPyFormat
		}
	}
	if c == '.' {
		if c, ok = f.next(); !ok {
			return errPyFormat
		}
		sp.prec = 0
		if c == '*' {
			return errPyFormat
		}
		if isDigit(c) {
			if sp.prec, c, ok = f.number(c); !ok {
				return errPyFormat
			}
		}
	}
	if c == 'h' || c == 'l' || c == 'L' {
		if c, ok = f.next(); !ok {
			return errPyFormat
		}
	}
	sp.conv = c
	if f.used {
		return errPyFormat // not enough arguments
	}
	f.used = true
	if f.whole {
		f.cur, f.whole = toPy(f.kwargs), false
		if f.kwargs == nil {
			f.cur = pyValue{kind: pyDict}
		}
	}
	return f.format(sp, f.cur)
}

// number reads the digits starting with first and returns the value and
// the character after them.
func (f *formatter) number(first rune) (int, rune, bool) {
	n := int(first - '0')
	for {
		c, ok := f.next()
		if !ok {
			return 0, 0, false
		}
		if !isDigit(c) {
			return n, c, n <= maxPad
		}
		if n <= maxPad {
			n = n*10 + int(c-'0')
		}
	}
}

func isDigit(c rune) bool { return c >= '0' && c <= '9' }

func (f *formatter) format(sp spec, v pyValue) error {
	var s string
	numeric := false
	switch sp.conv {
	case 's':
		s = v.str()
	case 'r':
		s = v.repr()
	case 'a':
		s = pyASCII(v.repr())
	case 'd', 'i', 'u', 'o', 'x', 'X':
		var ok bool
		if s, ok = formatInt(v, sp); !ok {
			return errPyFormat
		}
		numeric = true
	case 'e', 'E', 'f', 'F', 'g', 'G':
		x, ok := v.float()
		if !ok {
			return errPyFormat
		}
		prec := sp.prec
		if prec < 0 {
			prec = 6
		}
		s = formatFloat(x, sp.conv, prec, sp.flags&flagAlt != 0)
		numeric = true
	case 'c':
		r, ok := v.char()
		if !ok {
			return errPyFormat
		}
		s = string(r)
	default:
		return errPyFormat // unsupported format character
	}
	f.pad(sp, s, numeric)
	return nil
}

// pad writes s with the sign, alternate prefix, width and precision rules
// of Python's %-formatting.
func (f *formatter) pad(sp spec, s string, numeric bool) {
	n := utf8.RuneCountInString(s)
	if (sp.width < 0 || sp.width <= n) && (sp.prec < 0 || sp.prec >= n) && sp.flags&(flagSign|flagBlank) == 0 {
		f.out.WriteString(s)
		return
	}
	rs := []rune(s)
	if (sp.conv == 's' || sp.conv == 'r' || sp.conv == 'a') && sp.prec >= 0 && n > sp.prec {
		n = sp.prec
	}
	fill := ' '
	if numeric && sp.flags&flagZero != 0 {
		fill = '0'
	}
	idx := 0
	var signch rune
	if numeric {
		switch {
		case rs[0] == '-' || rs[0] == '+':
			signch = rs[0]
			n--
			idx++
		case sp.flags&flagSign != 0:
			signch = '+'
		case sp.flags&flagBlank != 0:
			signch = ' '
		default:
			numeric = false
		}
	}
	width := max(sp.width, n)
	if numeric {
		if fill != ' ' {
			f.out.WriteRune(signch)
		}
		if width > n {
			width--
		}
	}
	prefix := sp.flags&flagAlt != 0 && (sp.conv == 'x' || sp.conv == 'X' || sp.conv == 'o')
	if prefix {
		if fill != ' ' {
			f.out.WriteRune(rs[idx])
			f.out.WriteRune(rs[idx+1])
			idx += 2
		}
		width = max(width-2, 0)
		n -= 2
	}
	if width > n && sp.flags&flagLJust == 0 {
		f.out.WriteString(strings.Repeat(string(fill), width-n))
		width = n
	}
	if fill == ' ' {
		if numeric {
			f.out.WriteRune(signch)
		}
		if prefix {
			f.out.WriteRune(rs[idx])
			f.out.WriteRune(rs[idx+1])
			idx += 2
		}
	}
	if n > 0 {
		f.out.WriteString(string(rs[idx : idx+n]))
	}
	if width > n {
		f.out.WriteString(strings.Repeat(" ", width-n))
	}
}

// integer is Python's operator.index / int() of v for the integer
// conversions: bools and ints always, floats (truncated) only for d, i, u.
func (v pyValue) integer(conv rune) (*big.Int, bool) {
	switch v.kind {
	case pyBool:
		if v.b {
			return big.NewInt(1), true
		}
		return big.NewInt(0), true
	case pyInt:
		return v.i, true
	case pyFloat:
		if conv != 'd' && conv != 'i' && conv != 'u' {
			return nil, false
		}
		if math.IsNaN(v.f) || math.IsInf(v.f, 0) {
			return nil, false
		}
		i, _ := big.NewFloat(math.Trunc(v.f)).Int(nil)
		return i, true
	}
	return nil, false
}

// formatInt is CPython's _PyUnicode_FormatLong: digits in base 10, 8 or 16
// with a 0o/0x prefix for '#', zero-extended to the precision.
func formatInt(v pyValue, sp spec) (string, bool) {
	i, ok := v.integer(sp.conv)
	if !ok {
		return "", false
	}
	base, prefix := 10, ""
	switch sp.conv {
	case 'o':
		base = 8
		if sp.flags&flagAlt != 0 {
			prefix = "0o"
		}
	case 'x', 'X':
		base = 16
		if sp.flags&flagAlt != 0 {
			prefix = "0x"
		}
	}
	digits := new(big.Int).Abs(i).Text(base)
	if sp.prec > len(digits) {
		digits = strings.Repeat("0", sp.prec-len(digits)) + digits
	}
	sign := ""
	if i.Sign() < 0 {
		sign = "-"
	}
	s := sign + prefix + digits
	if sp.conv == 'X' {
		s = strings.ToUpper(s)
	}
	return s, true
}

// float is PyFloat_AsDouble(v): floats, ints that fit and bools.
func (v pyValue) float() (float64, bool) {
	switch v.kind {
	case pyFloat:
		return v.f, true
	case pyBool:
		if v.b {
			return 1, true
		}
		return 0, true
	case pyInt:
		f, _ := new(big.Float).SetInt(v.i).Float64()
		if math.IsInf(f, 0) {
			return 0, false // OverflowError
		}
		return f, true
	}
	return 0, false
}

// char is the argument of %c: an int code point or a 1-character str.
func (v pyValue) char() (rune, bool) {
	switch v.kind {
	case pyStr:
		if utf8.RuneCountInString(v.s) == 1 {
			r, _ := utf8.DecodeRuneInString(v.s)
			return r, true
		}
	case pyBool:
		if v.b {
			return 1, true
		}
		return 0, true
	case pyInt:
		if v.i.Sign() >= 0 && v.i.Cmp(big.NewInt(0x10ffff)) <= 0 {
			return rune(v.i.Int64()), true
		}
	}
	return 0, false
}

// formatFloat is PyOS_double_to_string(x, conv, prec, alt ? DTSF_ALT : 0)
// as %-formatting calls it: C printf's %e, %f and %g.
func formatFloat(x float64, conv rune, prec int, alt bool) string {
	upper := conv == 'E' || conv == 'F' || conv == 'G'
	var s string
	switch {
	case math.IsNaN(x):
		s = "nan"
	case math.IsInf(x, 1):
		s = "inf"
	case math.IsInf(x, -1):
		s = "-inf"
	default:
		switch conv {
		case 'e', 'E':
			s = strconv.FormatFloat(x, 'e', prec, 64)
			if alt && prec == 0 {
				s = strings.Replace(s, "e", ".e", 1)
			}
		case 'f', 'F':
			s = strconv.FormatFloat(x, 'f', prec, 64)
			if alt && prec == 0 {
				s += "."
			}
		default:
			s = formatG(x, prec, alt)
		}
	}
	if upper {
		s = strings.ToUpper(s)
	}
	return s
}

// formatG is C's %g: e-style when the exponent is below -4 or not below
// the precision, else f-style; trailing zeros removed unless alt, in which
// case the decimal point is always kept.
func formatG(x float64, prec int, alt bool) string {
	if prec == 0 {
		prec = 1
	}
	e := strconv.FormatFloat(x, 'e', prec-1, 64)
	exp, _ := strconv.Atoi(e[strings.IndexByte(e, 'e')+1:])
	var s string
	if exp >= -4 && exp < prec {
		s = strconv.FormatFloat(x, 'f', prec-1-exp, 64)
	} else {
		s = e
	}
	mant, tail, _ := strings.Cut(s, "e")
	if tail != "" {
		tail = "e" + tail
	}
	if alt {
		if !strings.Contains(mant, ".") {
			mant += "."
		}
	} else if strings.Contains(mant, ".") {
		mant = strings.TrimRight(mant, "0")
		mant = strings.TrimSuffix(mant, ".")
	}
	return mant + tail
}
