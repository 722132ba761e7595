package objects

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"time"

	"github.com/ironic-go/ironic-go/internal/pyjson"
	"github.com/ironic-go/ironic-go/messaging"
)

// Keys of the ironic_object envelope.
const (
	KeyName      = "ironic_object.name"
	KeyNamespace = "ironic_object.namespace"
	KeyVersion   = "ironic_object.version"
	KeyData      = "ironic_object.data"
	KeyChanges   = "ironic_object.changes"
)

// ErrWrongObject is returned (wrapped) by a typed decode, such as
// [DecodeNode], given an object of another type.
var ErrWrongObject = errors.New("objects: unexpected object type")

// New returns a new empty object of the named type ("Node", "Port", ...),
// or false if the name is not one of this package's objects.
func New(name string) (Object, bool) {
	switch name {
	case NameNode:
		return &Node{}, true
	case NamePort:
		return &Port{}, true
	case NamePortgroup:
		return &Portgroup{}, true
	case NameVolumeConnector:
		return &VolumeConnector{}, true
	case NameVolumeTarget:
		return &VolumeTarget{}, true
	case NameConductor:
		return &Conductor{}, true
	case NameChassis:
		return &Chassis{}, true
	}
	return nil, false
}

// IsObject reports whether raw is a JSON object with an
// "ironic_object.name" key: what IronicObjectSerializer.deserialize_entity
// treats as an object rather than a plain value.
func IsObject(raw []byte) bool {
	var env map[string]json.RawMessage
	if !isJSONObject(raw) || json.Unmarshal(raw, &env) != nil {
		return false
	}
	_, ok := env[KeyName]
	return ok
}

// Decode decodes an ironic_object primitive of any of this package's types,
// chosen by its name, as obj_from_primitive does. Errors:
// *UnsupportedObjectError (namespace not "ironic", unknown name),
// *IncompatibleObjectVersionError (another major version), *FieldError
// (a refused field value) and ErrMalformed.
func Decode(raw []byte) (Object, error) {
	env, err := parseEnvelope(raw)
	if err != nil {
		return nil, err
	}
	o, ok := New(env.name)
	if !ok {
		return nil, &UnsupportedObjectError{ObjType: env.name}
	}
	if err := env.decode(o); err != nil {
		return nil, err
	}
	return o, nil
}

// DecodeNode decodes a Node primitive; see [Decode] for the errors.
func DecodeNode(raw []byte) (*Node, error) { return decodeAs(raw, &Node{}) }

// DecodePort decodes a Port primitive; see [Decode] for the errors.
func DecodePort(raw []byte) (*Port, error) { return decodeAs(raw, &Port{}) }

// DecodePortgroup decodes a Portgroup primitive; see [Decode].
func DecodePortgroup(raw []byte) (*Portgroup, error) { return decodeAs(raw, &Portgroup{}) }

// DecodeVolumeConnector decodes a VolumeConnector primitive; see [Decode].
func DecodeVolumeConnector(raw []byte) (*VolumeConnector, error) {
	return decodeAs(raw, &VolumeConnector{})
}

// DecodeVolumeTarget decodes a VolumeTarget primitive; see [Decode].
func DecodeVolumeTarget(raw []byte) (*VolumeTarget, error) { return decodeAs(raw, &VolumeTarget{}) }

// DecodeConductor decodes a Conductor primitive; see [Decode].
func DecodeConductor(raw []byte) (*Conductor, error) { return decodeAs(raw, &Conductor{}) }

// DecodeChassis decodes a Chassis primitive; see [Decode].
func DecodeChassis(raw []byte) (*Chassis, error) { return decodeAs(raw, &Chassis{}) }

func decodeAs[T any, P interface {
	*T
	object
}](raw []byte, o P) (P, error) {
	if err := decodeInto(o, raw); err != nil {
		return nil, err
	}
	return o, nil
}

// Encode returns the ironic_object primitive of o as JSON in Python's
// json.dumps layout. It is o.MarshalJSON.
func Encode(o Object) ([]byte, error) { return encode(o) }

// decodeInto decodes raw into the fresh object o, which must be of the
// named type.
func decodeInto(o object, raw []byte) error {
	env, err := parseEnvelope(raw)
	if err != nil {
		return err
	}
	if s := o.objSchema(); env.name != s.name {
		if _, known := New(env.name); !known {
			return &UnsupportedObjectError{ObjType: env.name}
		}
		return fmt.Errorf("%w: got %s, want %s", ErrWrongObject, env.name, s.name)
	}
	return env.decode(o)
}

// envelope is a parsed ironic_object primitive.
type envelope struct {
	name, namespace, version string
	data                     map[string]any // JSON values, numbers converted
	changes                  []string
}

func isJSONObject(raw []byte) bool {
	t := bytes.TrimLeft(raw, " \t\r\n")
	return len(t) > 0 && t[0] == '{'
}

func malformed(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrMalformed, fmt.Sprintf(format, args...))
}

// parseEnvelope checks the envelope in obj_from_primitive's order:
// namespace, then name, then version.
func parseEnvelope(raw []byte) (*envelope, error) {
	if !isJSONObject(raw) {
		return nil, malformed("not a JSON object")
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil {
		return nil, malformed("%v", err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, malformed("data after the object")
	}
	env := &envelope{}
	for _, k := range []struct {
		key string
		dst *string
	}{{KeyName, &env.name}, {KeyNamespace, &env.namespace}, {KeyVersion, &env.version}} {
		v, ok := m[k.key]
		if !ok {
			return nil, malformed("no %s", k.key)
		}
		if *k.dst, ok = v.(string); !ok {
			return nil, malformed("%s is not a string", k.key)
		}
	}
	if env.namespace != Namespace {
		return nil, &UnsupportedObjectError{ObjType: env.namespace + "." + env.name}
	}
	data, ok := m[KeyData].(map[string]any)
	if !ok {
		return nil, malformed("%s is not an object", KeyData)
	}
	env.data = data
	if ch, ok := m[KeyChanges]; ok {
		l, ok := ch.([]any)
		if !ok {
			return nil, malformed("%s is not a list of strings", KeyChanges)
		}
		for _, c := range l {
			s, ok := c.(string)
			if !ok {
				return nil, malformed("%s is not a list of strings", KeyChanges)
			}
			env.changes = append(env.changes, s)
		}
	}
	return env, nil
}

// decode checks the version against o's and fills o.
func (env *envelope) decode(o object) error {
	s := o.objSchema()
	v, err := messaging.ParseVersion(env.version)
	if err != nil || v.Major != s.version.Major {
		return &IncompatibleObjectVersionError{ObjName: env.name, ObjVer: env.version, Supported: s.version.String()}
	}
	rv := structOf(o)
	var set uint64
	for name, val := range env.data {
		p, ok := s.lookup(name)
		if !ok {
			continue // a field of a newer version
		}
		f := s.fields[p]
		if err := assign(f, rv.Field(f.index), convertNumbers(val)); err != nil {
			return &FieldError{Object: s.name, Field: name, Err: err}
		}
		set |= bit(p)
	}
	t := o.objTracker()
	t.set, t.changed, t.snap = 0, 0, nil
	snapshot(o, set, true)
	for _, c := range env.changes {
		if p, ok := s.lookup(c); ok && set&bit(p) != 0 {
			t.changed |= bit(p)
		}
	}
	return nil
}

func convertNumbers(v any) any {
	switch x := v.(type) {
	case json.Number:
		return convertNumber(x)
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

func convertNumber(n json.Number) any {
	if isIntLiteral(string(n)) {
		if i, err := strconv.ParseInt(string(n), 10, 64); err == nil {
			return i
		}
		return n
	}
	f, err := strconv.ParseFloat(string(n), 64)
	if err != nil || math.IsInf(f, 0) {
		return n
	}
	return f
}

// encode writes o's primitive in Python's layout: the envelope keys in
// obj_to_primitive's order, data keys sorted, changes only if any.
func encode(o object) ([]byte, error) {
	s := o.objSchema()
	data := make(pyjson.Object, 0, len(s.fields))
	for _, p := range s.sorted {
		if !isSet(o, p) {
			continue
		}
		data = append(data, pyjson.KV{Key: s.fields[p].name, Value: primitive(o, p)})
	}
	env := pyjson.Object{
		{Key: KeyName, Value: s.name},
		{Key: KeyNamespace, Value: Namespace},
		{Key: KeyVersion, Value: s.version.String()},
		{Key: KeyData, Value: data},
	}
	if ch := changes(o); len(ch) > 0 {
		env = append(env, pyjson.KV{Key: KeyChanges, Value: ch})
	}
	b, err := pyjson.Marshal(env)
	if err != nil {
		return nil, fmt.Errorf("objects: encode %s: %w", s.name, err)
	}
	return b, nil
}

// primitive is field p's to_primitive form.
func primitive(o object, p int) any {
	v := fieldValue(o, p)
	if s := o.objSchema(); s.fields[p].kind == kindDateTime && v != nil {
		return FormatISOTime(v.(time.Time))
	}
	return v
}
