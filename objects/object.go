package objects

import (
	"encoding/json"
	"reflect"
	"slices"

	"github.com/ironic-go/ironic-go/messaging"
)

// Object is what every object type in this package implements: its wire
// identity, change tracking, generic field access by wire name and the
// ironic_object envelope codec. The implementations are the pointer types
// *Node, *Port, *Portgroup, *VolumeConnector, *VolumeTarget, *Conductor and
// *Chassis; the interface is sealed.
type Object interface {
	// ObjName is the ironic_object.name, e.g. "Node".
	ObjName() string
	// ObjVersion is the version the object is encoded at.
	ObjVersion() messaging.Version
	// Changes lists the changed fields' wire names, sorted.
	Changes() []string
	// HasChanged reports whether a field changed.
	HasChanged(field string) bool
	// MarkChanged marks fields changed; it panics on an unknown name.
	MarkChanged(fields ...string)
	// ResetChanges forgets changes (of all fields if none is named).
	ResetChanges(fields ...string)
	// MarkLoaded marks every field set and resets changes.
	MarkLoaded()
	// IsSet reports whether a field is set.
	IsSet(field string) bool
	// Get returns a field's value and whether it is set.
	Get(field string) (any, bool)
	// Set assigns a field with Ironic's coercion and marks it changed.
	Set(field string, value any) error
	json.Marshaler
	json.Unmarshaler
	object
}

// FieldNames returns the wire names (database columns) of the fields of the
// object type o, sorted. It depends only on the type of o.
func FieldNames(o Object) []string { return o.objSchema().fieldNames() }

func isSetByName(o object, name string) bool {
	p, ok := o.objSchema().lookup(name)
	return ok && isSet(o, p)
}

// fieldValue returns the plain value of field p (nil for null).
func fieldValue(o object, p int) any {
	f := o.objSchema().fields[p]
	v := structOf(o).Field(f.index)
	switch f.kind {
	case kindDict:
		m := v.Interface().(map[string]any)
		if m == nil {
			return map[string]any{}
		}
		return m
	case kindStrings:
		l := v.Interface().([]string)
		if l == nil {
			return nil
		}
		return l
	}
	if f.nullable {
		if v.IsNil() {
			return nil
		}
		return v.Elem().Interface()
	}
	return v.Interface()
}

func getField(o object, name string) (any, bool) {
	p, ok := o.objSchema().lookup(name)
	if !ok || !isSet(o, p) {
		return nil, false
	}
	return fieldValue(o, p), true
}

func setField(o object, name string, value any) error {
	s := o.objSchema()
	p, ok := s.lookup(name)
	if !ok {
		return &FieldError{Object: s.name, Field: name, Err: ErrUnknownField}
	}
	f := s.fields[p]
	if err := assign(f, structOf(o).Field(f.index), value); err != nil {
		return &FieldError{Object: s.name, Field: name, Err: err}
	}
	o.objTracker().changed |= bit(p)
	return nil
}

// cloneFields deep-copies the reference-typed fields of a shallow copy.
func cloneFields(o object) {
	s := o.objSchema()
	v := structOf(o)
	for _, f := range s.fields {
		fv := v.Field(f.index)
		switch {
		case f.kind == kindDict:
			if m := fv.Interface().(map[string]any); m != nil {
				fv.Set(reflect.ValueOf(deepCopyJSON(m)))
			}
		case f.kind == kindStrings:
			if l := fv.Interface().([]string); l != nil {
				fv.Set(reflect.ValueOf(slices.Clone(l)))
			}
		case f.nullable && !fv.IsNil():
			p := reflect.New(fv.Type().Elem())
			p.Elem().Set(fv.Elem())
			fv.Set(p)
		}
	}
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
