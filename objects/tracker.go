package objects

import (
	"math/bits"
	"reflect"
	"slices"
	"time"
)

// tracker records which fields of an object are set and which changed, as
// oslo.versionedobjects does with obj_attr_is_set and _changed_fields.
//
// A field is set if it was decoded, loaded or marked, or if its Go value is
// no longer the zero value. A field is changed if it was named in the
// received "changes", marked, assigned with Set, or if its value differs from
// the snapshot taken at the last reset. Snapshots are deep copies, so
// in-place edits of a dict field count as changes too (Python does not see
// those; Go callers need not reassign the map).
//
// The snapshot slice is copied on write, so copying a struct is safe.
type tracker struct {
	set     uint64 // bit per field position: set at the last reset
	changed uint64 // bit per field position: explicitly changed
	snap    []any  // snapshot of set fields at the last reset; never mutated
}

// object is what the generic code needs from each object type.
type object interface {
	objSchema() *schema
	objTracker() *tracker
}

func structOf(o object) reflect.Value { return reflect.ValueOf(o).Elem() }

func bit(p int) uint64 { return 1 << uint(p) }

// isSet reports whether the field at position p is set.
func isSet(o object, p int) bool {
	t := o.objTracker()
	if t.set&bit(p) != 0 || t.changed&bit(p) != 0 {
		return true
	}
	s := o.objSchema()
	return !structOf(o).Field(s.fields[p].index).IsZero()
}

// isChanged reports whether the field at position p changed.
func isChanged(o object, p int) bool {
	t := o.objTracker()
	if t.changed&bit(p) != 0 {
		return true
	}
	s := o.objSchema()
	f := s.fields[p]
	v := structOf(o).Field(f.index)
	if t.set&bit(p) == 0 {
		return !v.IsZero()
	}
	return !sameValue(f, t.snap[p], v)
}

// changes lists the changed fields, sorted by wire name.
func changes(o object) []string {
	s := o.objSchema()
	var out []string
	for _, p := range s.sorted {
		if isChanged(o, p) {
			out = append(out, s.fields[p].name)
		}
	}
	return out
}

// hasChanged reports whether the named field changed.
func hasChanged(o object, name string) bool {
	p, ok := o.objSchema().lookup(name)
	return ok && isChanged(o, p)
}

// markChanged marks named fields changed (and so set).
func markChanged(o object, names []string) {
	s, t := o.objSchema(), o.objTracker()
	for _, n := range names {
		t.changed |= bit(s.mustLookup(n))
	}
}

// resetChanges takes a new snapshot of the named fields (all if none) and
// clears their changed marks: what obj_reset_changes does.
func resetChanges(o object, names []string) {
	s := o.objSchema()
	var mask uint64
	if len(names) == 0 {
		mask = ^uint64(0) >> (64 - uint(len(s.fields)))
	} else {
		for _, n := range names {
			mask |= bit(s.mustLookup(n))
		}
	}
	snapshot(o, mask, false)
}

// markLoaded marks every field set, as after loading from the database, and
// resets changes.
func markLoaded(o object) {
	s := o.objSchema()
	snapshot(o, ^uint64(0)>>(64-uint(len(s.fields))), true)
}

// snapshot re-snapshots the fields in mask; force marks them set even when
// they hold zero values.
func snapshot(o object, mask uint64, force bool) {
	s, t := o.objSchema(), o.objTracker()
	v := structOf(o)
	snap := make([]any, len(s.fields))
	copy(snap, t.snap)
	set := t.set
	for m := mask; m != 0; m &= m - 1 {
		p := bits.TrailingZeros64(m)
		if force || isSet(o, p) {
			set |= bit(p)
			snap[p] = snapValue(s.fields[p], v.Field(s.fields[p].index))
		} else {
			set &^= bit(p)
			snap[p] = nil
		}
	}
	t.set, t.snap = set, snap
	t.changed &^= mask
}

// snapValue returns a deep copy of a field value, for the snapshot.
func snapValue(f field, v reflect.Value) any {
	switch f.kind {
	case kindDict:
		m, _ := v.Interface().(map[string]any)
		if m == nil {
			return map[string]any(nil)
		}
		return deepCopyJSON(m)
	case kindStrings:
		return slices.Clone(v.Interface().([]string))
	}
	if f.nullable {
		if v.IsNil() {
			return nil
		}
		return v.Elem().Interface()
	}
	return v.Interface()
}

// sameValue compares a snapshot with a current value, as the wire sees them.
func sameValue(f field, snap any, v reflect.Value) bool {
	switch f.kind {
	case kindDict:
		m, _ := v.Interface().(map[string]any)
		sm, _ := snap.(map[string]any)
		if len(m) == 0 && len(sm) == 0 {
			return true // nil and {} are both sent as {}
		}
		return reflect.DeepEqual(sm, m)
	case kindStrings:
		cur := v.Interface().([]string)
		sl, _ := snap.([]string)
		return (cur == nil) == (sl == nil) && slices.Equal(cur, sl)
	}
	if f.nullable {
		if v.IsNil() || snap == nil {
			return v.IsNil() && snap == nil
		}
		v = v.Elem()
	}
	if f.kind == kindDateTime {
		st, _ := snap.(time.Time)
		return st.Equal(v.Interface().(time.Time))
	}
	return snap == v.Interface()
}

// deepCopyJSON copies a JSON value: maps and slices are copied, scalars
// shared. Other Go types are kept as they are.
func deepCopyJSON[T any](x T) T {
	return any(copyAny(any(x))).(T)
}

func copyAny(x any) any {
	switch y := x.(type) {
	case map[string]any:
		if y == nil {
			return y
		}
		m := make(map[string]any, len(y))
		for k, e := range y {
			m[k] = copyAny(e)
		}
		return m
	case []any:
		if y == nil {
			return y
		}
		l := make([]any, len(y))
		for i, e := range y {
			l[i] = copyAny(e)
		}
		return l
	case []string:
		return slices.Clone(y)
	}
	return x
}
