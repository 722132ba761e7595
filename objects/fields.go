package objects

import (
	"encoding/json"
	"errors"
	"math"
	"math/big"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/ironic-go/ironic-go/internal/pyjson"
)

// assign coerces value as the field's oslo type does on setattr and stores
// it in dst, the struct field. A nil value (or nil pointer) is Python None.
func assign(f field, dst reflect.Value, value any) error {
	value = deref(value)
	if value == nil {
		switch {
		case f.kind == kindDict:
			dst.Set(reflect.ValueOf(map[string]any{})) // FlexibleDictField._null
		case f.nullable:
			dst.SetZero()
		default:
			return valueErrorf("Field `%s' cannot be None", f.name)
		}
		return nil
	}
	var out any
	var err error
	switch f.kind {
	case kindInt:
		out, err = coerceInt(f.name, value)
	case kindString, kindUUID:
		out, err = coerceString(f.name, value)
	case kindMAC:
		out, err = coerceMAC(value)
	case kindBool:
		out = truthy(value)
	case kindDateTime:
		out, err = coerceDateTime(f.name, value)
	case kindDict:
		out, err = coerceDict(f.name, value)
	case kindStrings:
		out, err = coerceStrings(f.name, value)
	}
	if err != nil {
		return err
	}
	rv := reflect.ValueOf(out)
	if f.nullable && f.kind != kindDict && f.kind != kindStrings {
		p := reflect.New(rv.Type())
		p.Elem().Set(rv)
		rv = p
	}
	dst.Set(rv)
	return nil
}

// deref turns typed nil pointers into nil and other pointers into their
// values, so that *string and string coerce alike.
func deref(v any) any {
	if v == nil {
		return nil
	}
	rv := reflect.ValueOf(v)
	for rv.Kind() == reflect.Pointer {
		if rv.IsNil() {
			return nil
		}
		rv = rv.Elem()
	}
	return rv.Interface()
}

// pyTypeName names a Go value's Python type, for messages.
func pyTypeName(v any) string {
	switch v.(type) {
	case string:
		return "str"
	case bool:
		return "bool"
	case float32, float64:
		return "float"
	case json.Number, int, int8, int16, int32, int64, uint, uint8, uint16, uint32, uint64:
		return "int"
	case map[string]any:
		return "dict"
	case []any, []string:
		return "list"
	case time.Time:
		return "datetime"
	}
	return reflect.TypeOf(v).String()
}

// coerceInt is Python's int(value).
func coerceInt(name string, v any) (int64, error) {
	switch x := v.(type) {
	case bool:
		if x {
			return 1, nil
		}
		return 0, nil
	case float64:
		return floatToInt(name, x)
	case float32:
		return floatToInt(name, float64(x))
	case json.Number:
		if i, err := x.Int64(); err == nil {
			return i, nil
		}
		if isIntLiteral(string(x)) {
			return 0, valueErrorf("Integer %s out of range for field %s", x, name)
		}
		f, err := strconv.ParseFloat(string(x), 64)
		if err != nil && !math.IsInf(f, 0) {
			return 0, valueErrorf("invalid number %s for field %s", x, name)
		}
		return floatToInt(name, f)
	case string:
		return parsePyInt(name, x)
	}
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return rv.Int(), nil
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		if rv.Uint() > math.MaxInt64 {
			return 0, valueErrorf("Integer %d out of range for field %s", rv.Uint(), name)
		}
		return int64(rv.Uint()), nil
	}
	return 0, valueErrorf("int() argument must be a string, a bytes-like object or a real number, not '%s'", pyTypeName(v))
}

func floatToInt(name string, f float64) (int64, error) {
	if math.IsNaN(f) {
		return 0, valueErrorf("cannot convert float NaN to integer")
	}
	t := math.Trunc(f)
	if math.IsInf(f, 0) || t >= 1<<63 || t < -(1<<63) {
		return 0, valueErrorf("Integer %v out of range for field %s", f, name)
	}
	return int64(t), nil
}

func isIntLiteral(s string) bool {
	s = strings.TrimPrefix(s, "-")
	if s == "" {
		return false
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// parsePyInt parses a string as Python's int(str) does in base 10:
// surrounding whitespace, an optional sign, digits with single underscores
// between them.
func parsePyInt(name, s string) (int64, error) {
	t := strings.TrimSpace(s)
	body := strings.TrimLeft(t, "+-")
	ok := len(t)-len(body) <= 1 && body != "" && body[0] != '_' && body[len(body)-1] != '_' && !strings.Contains(body, "__")
	if ok {
		clean := strings.ReplaceAll(t, "_", "")
		i, err := strconv.ParseInt(clean, 10, 64)
		if err == nil {
			return i, nil
		}
		if errors.Is(err, strconv.ErrRange) {
			return 0, valueErrorf("Integer %s out of range for field %s", t, name)
		}
	}
	return 0, valueErrorf("invalid literal for int() with base 10: %s", pyRepr(s))
}

// coerceString is oslo's String.coerce: str() of a str, int, float or
// datetime (bool is an int in Python).
func coerceString(name string, v any) (string, error) {
	switch x := v.(type) {
	case string:
		return x, nil
	case bool:
		if x {
			return "True", nil
		}
		return "False", nil
	case float64:
		return pyFloatStr(x), nil
	case float32:
		return pyFloatStr(float64(x)), nil
	case json.Number:
		if isIntLiteral(string(x)) {
			b, _ := new(big.Int).SetString(string(x), 10)
			return b.String(), nil
		}
		f, _ := strconv.ParseFloat(string(x), 64)
		return pyFloatStr(f), nil
	case time.Time:
		return pyDateTimeStr(x), nil
	}
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return strconv.FormatInt(rv.Int(), 10), nil
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return strconv.FormatUint(rv.Uint(), 10), nil
	}
	return "", valueErrorf("A string is required in field %s, not a %s", name, pyTypeName(v))
}

// pyFloatStr is Python's str(float).
func pyFloatStr(f float64) string {
	switch {
	case math.IsNaN(f):
		return "nan"
	case math.IsInf(f, 1):
		return "inf"
	case math.IsInf(f, -1):
		return "-inf"
	}
	b, _ := pyjson.AppendFloat(nil, f)
	return string(b)
}

// pyDateTimeStr is Python's str(datetime) of an aware UTC datetime.
func pyDateTimeStr(t time.Time) string {
	t = t.UTC()
	s := t.Format("2006-01-02 15:04:05")
	if us := t.Nanosecond() / 1000; us != 0 {
		s += "." + strconv.Itoa(1000000 + us)[1:]
	}
	return s + "+00:00"
}

// macRe is oslo_utils.netutils.is_valid_mac (on the lowercased address).
var macRe = regexp.MustCompile(`^[0-9a-f]{2}(:[0-9a-f]{2}){5}$`)

// coerceMAC is ironic's validate_and_normalize_mac. Python's `$` also
// accepts a trailing newline, which is refused here.
func coerceMAC(v any) (string, error) {
	s, ok := v.(string)
	if !ok {
		return "", errInvalidMAC(v)
	}
	l := strings.ToLower(s)
	if !macRe.MatchString(l) {
		return "", errInvalidMAC(s)
	}
	return l, nil
}

// NormalizeMAC validates a MAC address as Ironic does and returns it in
// lowercase. An invalid address gives Ironic's InvalidMAC.
func NormalizeMAC(mac string) (string, error) { return coerceMAC(mac) }

// truthy is Python's bool(value).
func truthy(v any) bool {
	switch x := v.(type) {
	case bool:
		return x
	case string:
		return x != ""
	case float64:
		return x != 0
	case float32:
		return x != 0
	case json.Number:
		f, err := strconv.ParseFloat(string(x), 64)
		return err != nil || f != 0
	case time.Time:
		return true
	}
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return rv.Int() != 0
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return rv.Uint() != 0
	case reflect.Map, reflect.Slice, reflect.Array:
		return rv.Len() != 0
	}
	return true
}

func coerceDateTime(name string, v any) (time.Time, error) {
	switch x := v.(type) {
	case time.Time:
		return x.UTC(), nil
	case string:
		t, err := ParseISOTime(x)
		if err != nil {
			return time.Time{}, err
		}
		return t, nil
	}
	return time.Time{}, valueErrorf("A datetime.datetime is required in field %s, not a %s", name, pyTypeName(v))
}

// coerceDict is ironic's FlexibleDict.coerce: a string is
// ast.literal_eval'd, then dict() is applied.
func coerceDict(name string, v any) (map[string]any, error) {
	if s, ok := v.(string); ok {
		lit, err := LiteralEval(s)
		if err != nil {
			return nil, err
		}
		v = lit
	}
	switch x := v.(type) {
	case map[string]any:
		m := make(map[string]any, len(x))
		for k, e := range x {
			m[k] = e
		}
		return m, nil
	case []any:
		return pairsToDict(name, x)
	}
	rv := reflect.ValueOf(v)
	if rv.Kind() == reflect.Map && rv.Type().Key().Kind() == reflect.String {
		m := make(map[string]any, rv.Len())
		for it := rv.MapRange(); it.Next(); {
			m[it.Key().String()] = it.Value().Interface()
		}
		return m, nil
	}
	return nil, valueErrorf("A dict is required in field %s, not a %s", name, pyTypeName(v))
}

// pairsToDict is dict() of a sequence of pairs.
func pairsToDict(name string, l []any) (map[string]any, error) {
	m := make(map[string]any, len(l))
	keys := make(map[string]string, len(l)) // Python key identity -> JSON key
	for i, e := range l {
		var k, val any
		switch p := e.(type) {
		case []any:
			if len(p) != 2 {
				return nil, valueErrorf("dictionary update sequence element #%d has length %d; 2 is required", i, len(p))
			}
			k, val = p[0], p[1]
		case string:
			r := []rune(p)
			if len(r) != 2 {
				return nil, valueErrorf("dictionary update sequence element #%d has length %d; 2 is required", i, len(r))
			}
			k, val = string(r[0]), string(r[1])
		default:
			return nil, valueErrorf("A dict is required in field %s, not a list", name)
		}
		id, jk, err := dictKey(k)
		if err != nil {
			return nil, err
		}
		if prev, dup := keys[id]; dup {
			jk = prev
		}
		keys[id] = jk
		m[jk] = val
	}
	return m, nil
}

func coerceStrings(name string, v any) ([]string, error) {
	var items []any
	switch x := v.(type) {
	case []string:
		return append([]string{}, x...), nil
	case []any:
		items = x
	default:
		return nil, valueErrorf("A list is required in field %s, not a %s", name, pyTypeName(v))
	}
	out := make([]string, len(items))
	for i, e := range items {
		if e == nil {
			return nil, valueErrorf("Field `%s' cannot be None", name)
		}
		s, err := coerceString(name, e)
		if err != nil {
			return nil, err
		}
		out[i] = s
	}
	return out, nil
}

// isoRe mirrors the iso8601 package's regular expression (parse_isotime).
// Python's lookahead forbidding YYYYMM is checked in ParseISOTime.
var isoRe = regexp.MustCompile(`^([0-9]{4})((-([0-9]{1,2})|([0-9]{2}))((-([0-9]{1,2})|([0-9]{2}))(([ T])([0-9]{2})(:?([0-9]{2}))?(:?([0-9]{1,2})([.,]([0-9]+))?)?(Z|([-+])([0-9]{2}):?([0-9]{2})?)?)?)?)?$`)

// ParseISOTime parses a timestamp as oslo_utils.timeutils.parse_isotime
// does (the iso8601 package): "2017-02-01T12:00:00Z", with or without
// fractional seconds, with a "+hh:mm" offset or none (UTC), a space instead
// of "T", or a date alone. The result is in UTC. Errors are *ValueError.
func ParseISOTime(s string) (time.Time, error) {
	if isCanonicalTime(s) { // what Ironic sends: a fast path
		if t, err := time.Parse("2006-01-02T15:04:05Z", s); err == nil && t.Year() >= 1 {
			return t, nil
		}
	}
	in := strings.TrimSuffix(s, "\n") // Python's `$` accepts one trailing newline
	m := isoRe.FindStringSubmatch(in)
	if m == nil || (m[5] != "" && m[6] == "") {
		return time.Time{}, valueErrorf("Unable to parse date string %s", pyRepr(s))
	}
	atoi := func(x string, def int) int {
		if x == "" {
			return def
		}
		n, _ := strconv.Atoi(x)
		return n
	}
	year := atoi(m[1], 0)
	month := atoi(m[4]+m[5], 1)
	day := atoi(m[8]+m[9], 1)
	hour, minute, sec := atoi(m[12], 0), atoi(m[14], 0), atoi(m[16], 0)
	frac := m[18]
	us := fracMicros(frac)
	bad := func(msg string) (time.Time, error) { return time.Time{}, valueErrorf("%s", msg) }
	switch {
	case us > 999999:
		return bad("microsecond must be in 0..999999")
	case year < 1:
		return bad("year 0 is out of range")
	case month < 1 || month > 12:
		return bad("month must be in 1..12")
	case day < 1 || day > daysIn(year, month):
		return bad("day is out of range for month")
	case hour > 23:
		return bad("hour must be in 0..23")
	case minute > 59:
		return bad("minute must be in 0..59")
	case sec > 59:
		return bad("second must be in 0..59")
	}
	offset := 0
	if m[19] != "" && m[19] != "Z" {
		offset = atoi(m[21], 0)*3600 + atoi(m[22], 0)*60
		if m[20] == "-" {
			offset = -offset
		}
		if offset <= -86400 || offset >= 86400 {
			return bad("offset must be a timedelta strictly between -timedelta(hours=24) and timedelta(hours=24)")
		}
	}
	t := time.Date(year, time.Month(month), day, hour, minute, sec, us*1000, time.FixedZone("", offset)).UTC()
	if y := t.Year(); y < 1 || y > 9999 {
		return bad("date value out of range")
	}
	return t, nil
}

// isCanonicalTime reports whether s has the "YYYY-MM-DDTHH:MM:SSZ" shape.
func isCanonicalTime(s string) bool {
	if len(s) != 20 {
		return false
	}
	for i := range len(s) {
		c := s[i]
		switch i {
		case 4, 7:
			if c != '-' {
				return false
			}
		case 10:
			if c != 'T' {
				return false
			}
		case 13, 16:
			if c != ':' {
				return false
			}
		case 19:
			if c != 'Z' {
				return false
			}
		default:
			if c < '0' || c > '9' {
				return false
			}
		}
	}
	return true
}

// fracMicros is int(Decimal("0."+frac) * Decimal("1000000.0")) with
// Python's default decimal context: the product is rounded half-even to 28
// significant digits, then truncated.
func fracMicros(frac string) int {
	if frac == "" {
		return 0
	}
	n, _ := new(big.Int).SetString(frac, 10)
	scale := len(frac) // n / 10^scale is the fraction
	if sig := len(n.String()); n.Sign() != 0 && sig > 28 {
		drop := sig - 28
		p := new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(drop)), nil)
		q, r := new(big.Int).QuoRem(n, p, new(big.Int))
		half := new(big.Int).Rsh(p, 1) // p is even: 10^drop / 2
		if c := r.Cmp(half); c > 0 || (c == 0 && q.Bit(0) == 1) {
			q.Add(q, big.NewInt(1))
		}
		n = q.Mul(q, p)
	}
	n.Mul(n, big.NewInt(1000000))
	n.Quo(n, new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(scale)), nil))
	if !n.IsInt64() || n.Int64() > 1000000 {
		return 1000000
	}
	return int(n.Int64())
}

func daysIn(year, month int) int {
	return time.Date(year, time.Month(month)+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

// FormatISOTime formats t as oslo.versionedobjects sends a DateTime:
// "%Y-%m-%dT%H:%M:%SZ" in UTC, microseconds dropped.
func FormatISOTime(t time.Time) string {
	return t.UTC().Format("2006-01-02T15:04:05Z")
}
