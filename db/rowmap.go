package db

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"reflect"
	"strconv"
	"strings"
	"time"

	"github.com/ironic-go/ironic-go/internal/pyjson"
	"github.com/ironic-go/ironic-go/objects"
)

// colKind is the Go shape of an object field, which decides how its column
// is read and written.
type colKind uint8

const (
	colInt       colKind = iota + 1 // int64
	colIntPtr                       // *int64
	colString                       // string
	colStringPtr                    // *string
	colBool                         // bool
	colTimePtr                      // *time.Time
	colDict                         // map[string]any, a JSON object in TEXT
	colStrings                      // []string, a JSON list in TEXT
)

// column maps one object field (its `obj` tag) to the column of that name.
type column struct {
	name     string
	quoted   string // "name", safe for both engines
	field    int    // struct field index
	kind     colKind
	mac      bool // MAC address: stored lowercase with colons
	nullTrue bool // NULL reads as true (Ironic's model default is True)
}

// colValue is a column this package does not model, with the value
// Ironic 21.4 gives it on insert.
type colValue struct {
	name  string
	value any
}

// table maps an object type to its table.
type table struct {
	name    string
	object  string
	typ     reflect.Type
	cols    []column
	byName  map[string]*column
	selects string // the quoted column list, in cols order
	// version is written to the table's "version" column (see the package
	// documentation); "" if the table has none we write.
	version string
	// extra are the columns of Ironic 21.4 this package does not model,
	// written on insert with Ironic's defaults.
	extra []colValue
}

var (
	timeType    = reflect.TypeFor[time.Time]()
	dictType    = reflect.TypeFor[map[string]any]()
	stringsType = reflect.TypeFor[[]string]()
)

// newTable derives the mapping from T's `obj` tags.
func newTable[T any](name, version string, nullTrue []string, extra ...colValue) *table {
	t := &table{name: name, typ: reflect.TypeFor[T](), byName: map[string]*column{}, version: version, extra: extra}
	t.object = t.typ.Name()
	var sel []string
	for i := range t.typ.NumField() {
		sf := t.typ.Field(i)
		tag, ok := sf.Tag.Lookup("obj")
		if !ok {
			continue
		}
		wire, opt, _ := strings.Cut(tag, ",")
		c := column{name: wire, quoted: quoteIdent(wire), field: i, mac: opt == "mac"}
		for _, n := range nullTrue {
			c.nullTrue = c.nullTrue || n == wire
		}
		switch ft := sf.Type; {
		case ft == dictType:
			c.kind = colDict
		case ft == stringsType:
			c.kind = colStrings
		case ft.Kind() == reflect.Int64:
			c.kind = colInt
		case ft.Kind() == reflect.String:
			c.kind = colString
		case ft.Kind() == reflect.Bool:
			c.kind = colBool
		case ft.Kind() == reflect.Pointer && ft.Elem().Kind() == reflect.Int64:
			c.kind = colIntPtr
		case ft.Kind() == reflect.Pointer && ft.Elem().Kind() == reflect.String:
			c.kind = colStringPtr
		case ft.Kind() == reflect.Pointer && ft.Elem() == timeType:
			c.kind = colTimePtr
		default:
			panic(fmt.Sprintf("db: %s.%s: unsupported field type %s", t.object, sf.Name, ft))
		}
		t.cols = append(t.cols, c)
		sel = append(sel, c.quoted)
	}
	for i := range t.cols {
		t.byName[t.cols[i].name] = &t.cols[i]
	}
	t.selects = strings.Join(sel, ", ")
	return t
}

// quoteIdent quotes a column name ("default" and "type" are keywords).
func quoteIdent(name string) string { return `"` + name + `"` }

// The tables. Versions are those Ironic 9.2 (Pike, the first release with
// version columns, and the oldest one Ironic 21.4's RELEASE_MAPPING still
// accepts) writes for these objects: the oldest labels covering every field
// of our RPC 1.40 objects. Ironic 21.4 reads such rows through its own
// upgrade path (e.g. Port 1.8 copies extra.vif_port_id to
// internal_info.tenant_vif_port_id), and `ironic-dbsync upgrade` accepts
// them.
var (
	nodesTable = newTable[objects.Node]("nodes", "1.21", nil,
		colValue{"deploy_step", "{}"}, colValue{"network_data", "{}"},
		colValue{"conductor_group", ""}, colValue{"protected", false}, colValue{"retired", false})
	portsTable = newTable[objects.Port]("ports", "1.7", []string{"pxe_enabled"},
		colValue{"is_smartnic", false})
	portgroupsTable        = newTable[objects.Portgroup]("portgroups", "1.3", []string{"standalone_ports_supported"})
	volumeConnectorsTable  = newTable[objects.VolumeConnector]("volume_connectors", "1.0", nil)
	volumeTargetsTable     = newTable[objects.VolumeTarget]("volume_targets", "1.0", nil)
	conductorsTable        = newTable[objects.Conductor]("conductors", "1.2", nil)
	chassisTable           = newTable[objects.Chassis]("chassis", "1.3", nil)
	allTablesForSchemaTest = []*table{nodesTable, portsTable, portgroupsTable, volumeConnectorsTable, volumeTargetsTable, conductorsTable, chassisTable}
)

// dialect holds what differs between the engines.
type dialect struct {
	backend Backend
}

// timeLayout is how SQLAlchemy stores DATETIME on SQLite.
const timeLayout = "2006-01-02 15:04:05.000000"

// timeArg converts a time to the driver argument for a DATETIME column:
// naive UTC, microseconds (what both engines keep).
func (d *dialect) timeArg(t time.Time) any {
	t = t.UTC().Truncate(time.Microsecond)
	if d.backend == BackendSQLite {
		return t.Format(timeLayout)
	}
	return t
}

// arg converts field c of the struct v to its driver argument.
func (d *dialect) arg(t *table, c *column, v reflect.Value) (any, error) {
	f := v.Field(c.field)
	switch c.kind {
	case colInt:
		return f.Int(), nil
	case colString:
		return f.String(), nil
	case colBool:
		return f.Bool(), nil
	case colIntPtr, colStringPtr:
		if f.IsNil() {
			return nil, nil
		}
		x := f.Elem().Interface()
		if c.mac {
			return normalizeMAC(x.(string)), nil
		}
		return x, nil
	case colTimePtr:
		if f.IsNil() {
			return nil, nil
		}
		return d.timeArg(f.Elem().Interface().(time.Time)), nil
	case colDict:
		m, _ := f.Interface().(map[string]any)
		if m == nil {
			return "{}", nil // JsonEncodedDict writes None as {}
		}
		b, err := pyjson.Marshal(m)
		if err != nil {
			return nil, fmt.Errorf("db: %s.%s: %w", t.object, c.name, err)
		}
		return string(b), nil
	case colStrings:
		l, _ := f.Interface().([]string)
		if l == nil {
			return "[]", nil // JsonEncodedList writes None as []
		}
		b, err := pyjson.Marshal(l)
		if err != nil {
			return nil, fmt.Errorf("db: %s.%s: %w", t.object, c.name, err)
		}
		return string(b), nil
	}
	return nil, fmt.Errorf("db: %s.%s: unsupported column kind", t.object, c.name)
}

// fieldScanner scans one column into one struct field.
type fieldScanner struct {
	t   *table
	c   *column
	obj reflect.Value // the struct
}

// Scan implements sql.Scanner.
func (s *fieldScanner) Scan(src any) error {
	f := s.obj.Field(s.c.field)
	if src == nil {
		switch s.c.kind {
		case colDict:
			f.Set(reflect.ValueOf(map[string]any{})) // FlexibleDict: None is {}
		case colBool:
			f.SetBool(s.c.nullTrue)
		default:
			f.SetZero()
		}
		return nil
	}
	switch s.c.kind {
	case colInt, colIntPtr:
		i, err := asInt(src)
		if err != nil {
			return fmt.Errorf("db: %s.%s: %w", s.t.name, s.c.name, err)
		}
		if s.c.kind == colInt {
			f.SetInt(i)
		} else {
			f.Set(reflect.ValueOf(&i))
		}
	case colString, colStringPtr:
		var str string
		switch x := src.(type) {
		case string:
			str = x
		case []byte:
			str = string(x)
		case int64:
			str = strconv.FormatInt(x, 10)
		default:
			return fmt.Errorf("db: %s.%s: cannot read %T as a string", s.t.name, s.c.name, src)
		}
		if s.c.kind == colString {
			f.SetString(str)
		} else {
			f.Set(reflect.ValueOf(&str))
		}
	case colBool:
		b, err := asBool(src)
		if err != nil {
			return fmt.Errorf("db: %s.%s: %w", s.t.name, s.c.name, err)
		}
		f.SetBool(b)
	case colTimePtr:
		tm, err := asTime(src)
		if err != nil {
			return fmt.Errorf("db: %s.%s: %w", s.t.name, s.c.name, err)
		}
		f.Set(reflect.ValueOf(&tm))
	case colDict, colStrings:
		var raw []byte
		switch x := src.(type) {
		case string:
			raw = []byte(x)
		case []byte:
			raw = x
		default:
			return s.jsonErr(fmt.Errorf("not text but %T", src))
		}
		if s.c.kind == colDict {
			m, err := DecodeJSONDict(raw)
			if err != nil {
				return s.jsonErr(err)
			}
			if m == nil {
				m = map[string]any{}
			}
			f.Set(reflect.ValueOf(m))
		} else {
			l, err := DecodeJSONStrings(raw)
			if err != nil {
				return s.jsonErr(err)
			}
			f.Set(reflect.ValueOf(l))
		}
	}
	return nil
}

func (s *fieldScanner) jsonErr(err error) error {
	var id int64
	if c, ok := s.t.byName["id"]; ok && c.field < s.obj.NumField() {
		id = s.obj.Field(c.field).Int()
	}
	return &JSONColumnError{Table: s.t.name, Column: s.c.name, RowID: id, Err: err}
}

// scanners returns one scanner per column of t, in select order, filling
// the struct pointed to by ptr.
func (t *table) scanners(ptr any) []any {
	v := reflect.ValueOf(ptr).Elem()
	out := make([]any, len(t.cols))
	for i := range t.cols {
		out[i] = &fieldScanner{t: t, c: &t.cols[i], obj: v}
	}
	return out
}

func asInt(src any) (int64, error) {
	switch x := src.(type) {
	case int64:
		return x, nil
	case float64:
		if x != math.Trunc(x) {
			return 0, fmt.Errorf("non-integer %v", x)
		}
		return int64(x), nil
	case bool:
		if x {
			return 1, nil
		}
		return 0, nil
	case []byte:
		return strconv.ParseInt(string(x), 10, 64)
	case string:
		return strconv.ParseInt(x, 10, 64)
	}
	return 0, fmt.Errorf("cannot read %T as an integer", src)
}

func asBool(src any) (bool, error) {
	switch x := src.(type) {
	case bool:
		return x, nil
	case int64:
		return x != 0, nil
	case []byte:
		return strconv.ParseBool(string(x))
	case string:
		return strconv.ParseBool(x)
	}
	return false, fmt.Errorf("cannot read %T as a boolean", src)
}

// timeLayouts are the DATETIME text forms read back: SQLAlchemy's, and
// what SQLite drivers and tools write.
var timeLayouts = []string{
	"2006-01-02 15:04:05.999999999",
	"2006-01-02T15:04:05.999999999",
	"2006-01-02 15:04:05.999999999Z07:00",
	"2006-01-02T15:04:05.999999999Z07:00",
	"2006-01-02 15:04",
	"2006-01-02",
}

func asTime(src any) (time.Time, error) {
	switch x := src.(type) {
	case time.Time:
		return x.UTC(), nil
	case []byte:
		return parseTime(string(x))
	case string:
		return parseTime(x)
	}
	return time.Time{}, fmt.Errorf("cannot read %T as a time", src)
}

func parseTime(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	for _, l := range timeLayouts {
		if t, err := time.Parse(l, s); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("cannot parse time %q", s)
}

// DecodeJSONDict decodes the text of a JSON dict column (JsonEncodedDict)
// into Go values as the objects package holds them: integers as int64
// (json.Number beyond int64), other numbers as float64, objects as
// map[string]any, arrays as []any. JSON null gives a nil map. Anything
// but one JSON object or null is an error.
func DecodeJSONDict(raw []byte) (map[string]any, error) {
	v, err := decodeJSON(raw)
	if err != nil {
		return nil, err
	}
	switch x := v.(type) {
	case nil:
		return nil, nil
	case map[string]any:
		return x, nil
	}
	return nil, fmt.Errorf("a JSON object is required, not %s", jsonTypeName(v))
}

// DecodeJSONStrings decodes the text of a JSON list-of-strings column
// (conductors.drivers). JSON null gives nil.
func DecodeJSONStrings(raw []byte) ([]string, error) {
	v, err := decodeJSON(raw)
	if err != nil {
		return nil, err
	}
	switch x := v.(type) {
	case nil:
		return nil, nil
	case []any:
		out := make([]string, len(x))
		for i, e := range x {
			s, ok := e.(string)
			if !ok {
				return nil, fmt.Errorf("item %d of the list is %s, not a string", i, jsonTypeName(e))
			}
			out[i] = s
		}
		return out, nil
	}
	return nil, fmt.Errorf("a JSON list is required, not %s", jsonTypeName(v))
}

var errTrailing = errors.New("data after the JSON value")

func decodeJSON(raw []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, errors.New("empty text")
		}
		return nil, err
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, errTrailing
	}
	return convertNumbers(v), nil
}

func jsonTypeName(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case bool:
		return "a boolean"
	case string:
		return "a string"
	case []any:
		return "a list"
	case map[string]any:
		return "an object"
	}
	return "a number"
}

func convertNumbers(v any) any {
	switch x := v.(type) {
	case json.Number:
		if i, err := strconv.ParseInt(string(x), 10, 64); err == nil {
			return i
		}
		if isDigits(string(x)) {
			return x // an integer beyond int64: keep it exact
		}
		f, err := strconv.ParseFloat(string(x), 64)
		if err != nil || math.IsInf(f, 0) {
			return x
		}
		return f
	case map[string]any:
		for k, e := range x {
			x[k] = convertNumbers(e)
		}
	case []any:
		for i, e := range x {
			x[i] = convertNumbers(e)
		}
	}
	return v
}

func isDigits(s string) bool {
	s = strings.TrimPrefix(s, "-")
	if s == "" {
		return false
	}
	for i := range len(s) {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
