package objects

import (
	"fmt"
	"reflect"
	"slices"
	"strings"
	"time"

	"github.com/ironic-go/ironic-go/messaging"
)

// kind is an oslo.versionedobjects field type.
type kind uint8

const (
	kindInt      kind = iota + 1 // IntegerField
	kindString                   // StringField
	kindUUID                     // UUIDField (a string, not normalized)
	kindMAC                      // MACAddressField (normalized lowercase)
	kindBool                     // BooleanField
	kindDateTime                 // DateTimeField
	kindDict                     // FlexibleDictField
	kindStrings                  // ListOfStringsField
)

func (k kind) String() string {
	switch k {
	case kindInt:
		return "Integer"
	case kindString:
		return "String"
	case kindUUID:
		return "UUID"
	case kindMAC:
		return "MACAddress"
	case kindBool:
		return "Boolean"
	case kindDateTime:
		return "DateTime"
	case kindDict:
		return "FlexibleDict"
	case kindStrings:
		return "ListOfStrings"
	}
	return "unknown"
}

// field describes one object field.
type field struct {
	name     string // wire name = database column
	kind     kind
	nullable bool
	index    int // Go struct field index
}

// schema describes one object type. Schemas are built once at package
// initialization and never modified.
type schema struct {
	name    string
	version messaging.Version
	typ     reflect.Type
	fields  []field        // in struct order
	byName  map[string]int // wire name -> position in fields
	sorted  []int          // positions in fields, by wire name
}

var (
	timeType    = reflect.TypeFor[time.Time]()
	dictType    = reflect.TypeFor[map[string]any]()
	stringsType = reflect.TypeFor[[]string]()
)

// newSchema derives a schema from T's `obj` struct tags. It panics on a
// malformed type: schemas are package constants.
func newSchema[T any](name string, version messaging.Version) *schema {
	t := reflect.TypeFor[T]()
	s := &schema{name: name, version: version, typ: t, byName: map[string]int{}}
	for i := range t.NumField() {
		sf := t.Field(i)
		tag, ok := sf.Tag.Lookup("obj")
		if !ok {
			continue
		}
		wire, opt, _ := strings.Cut(tag, ",")
		f := field{name: wire, index: i}
		ft := sf.Type
		if ft.Kind() == reflect.Pointer {
			f.nullable = true
			ft = ft.Elem()
		}
		switch {
		case ft == dictType:
			f.kind, f.nullable = kindDict, true
		case ft == stringsType:
			f.kind, f.nullable = kindStrings, true
		case ft == timeType && f.nullable:
			f.kind = kindDateTime
		case ft.Kind() == reflect.Int64:
			f.kind = kindInt
		case ft.Kind() == reflect.Bool:
			f.kind = kindBool
		case ft.Kind() == reflect.String:
			switch opt {
			case "uuid":
				f.kind = kindUUID
			case "mac":
				f.kind = kindMAC
			default:
				f.kind = kindString
			}
		default:
			panic(fmt.Sprintf("objects: %s.%s: unsupported field type %s", t.Name(), sf.Name, sf.Type))
		}
		s.byName[wire] = len(s.fields)
		s.fields = append(s.fields, f)
	}
	if len(s.fields) > 64 {
		panic("objects: too many fields for the change-tracking bitmask")
	}
	s.sorted = make([]int, len(s.fields))
	for i := range s.sorted {
		s.sorted[i] = i
	}
	slices.SortFunc(s.sorted, func(a, b int) int { return strings.Compare(s.fields[a].name, s.fields[b].name) })
	return s
}

// Schemas of the objects, at the versions of RPC API 1.40.
var (
	nodeSchema            = newSchema[Node](NameNode, messaging.V(1, 21))
	portSchema            = newSchema[Port](NamePort, messaging.V(1, 6))
	portgroupSchema       = newSchema[Portgroup](NamePortgroup, messaging.V(1, 3))
	volumeConnectorSchema = newSchema[VolumeConnector](NameVolumeConnector, messaging.V(1, 0))
	volumeTargetSchema    = newSchema[VolumeTarget](NameVolumeTarget, messaging.V(1, 0))
	conductorSchema       = newSchema[Conductor](NameConductor, messaging.V(1, 2))
	chassisSchema         = newSchema[Chassis](NameChassis, messaging.V(1, 3))
)

// FieldNames returns the wire names of the object's fields, sorted.
func (s *schema) fieldNames() []string {
	out := make([]string, len(s.sorted))
	for i, p := range s.sorted {
		out[i] = s.fields[p].name
	}
	return out
}

// lookup returns the position of a wire field name.
func (s *schema) lookup(name string) (int, bool) {
	p, ok := s.byName[name]
	return p, ok
}

// mustLookup is lookup for programmer-supplied names: an unknown name is a
// bug, reported by a panic naming the object.
func (s *schema) mustLookup(name string) int {
	p, ok := s.byName[name]
	if !ok {
		panic(fmt.Sprintf("objects: %s has no field %q", s.name, name))
	}
	return p
}
