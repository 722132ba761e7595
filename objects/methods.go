package objects

import "github.com/ironic-go/ironic-go/messaging"

// Compile-time check that Node is an Object.
var _ Object = (*Node)(nil)

func (n *Node) objSchema() *schema   { return nodeSchema }
func (n *Node) objTracker() *tracker { return &n.track }

// ObjName returns "Node", the ironic_object.name.
func (n *Node) ObjName() string { return nodeSchema.name }

// ObjVersion returns the version this package encodes Node at.
func (n *Node) ObjVersion() messaging.Version { return nodeSchema.version }

// Changes returns the wire names of the changed fields, sorted: what
// obj_what_changed() returns and what a database save writes.
func (n *Node) Changes() []string { return changes(n) }

// HasChanged reports whether the named field changed.
func (n *Node) HasChanged(field string) bool { return hasChanged(n, field) }

// MarkChanged marks the named fields changed, even if their values equal
// the snapshot. It panics on an unknown field name.
func (n *Node) MarkChanged(fields ...string) { markChanged(n, fields) }

// ResetChanges forgets the changes of the named fields, or of all fields if
// none is named, as obj_reset_changes does. It panics on an unknown name.
func (n *Node) ResetChanges(fields ...string) { resetChanges(n, fields) }

// MarkLoaded marks every field set (null and zero values included) and
// resets changes, as after loading the object from the database.
func (n *Node) MarkLoaded() { markLoaded(n) }

// IsSet reports whether the named field is set (obj_attr_is_set): only set
// fields are encoded.
func (n *Node) IsSet(field string) bool { return isSetByName(n, field) }

// Get returns the named field's value (nil for null; int64, string, bool,
// time.Time, map[string]any or []string otherwise; maps and slices are the
// object's own, not copies) and whether the field is set. An unknown field
// name gives (nil, false).
func (n *Node) Get(field string) (any, bool) { return getField(n, field) }

// Set assigns the named field with Ironic's coercion (setattr on the Python
// object) and marks it changed. Errors wrap *FieldError; a bad MAC address
// gives InvalidMAC, null on a non-nullable field a ValueError.
func (n *Node) Set(field string, value any) error { return setField(n, field, value) }

// Clone returns a deep copy of n, change tracking included.
func (n *Node) Clone() *Node {
	cp := *n
	cloneFields(&cp)
	return &cp
}

// MarshalJSON encodes the ironic_object envelope. It has a value receiver so
// that a Node stored by value in an interface encodes too.
func (n Node) MarshalJSON() ([]byte, error) { return encode(&n) }

// UnmarshalJSON decodes an ironic_object envelope named "Node" into n,
// replacing its contents.
func (n *Node) UnmarshalJSON(data []byte) error {
	*n = Node{}
	return decodeInto(n, data)
}

// Compile-time check that Port is an Object.
var _ Object = (*Port)(nil)

func (p *Port) objSchema() *schema   { return portSchema }
func (p *Port) objTracker() *tracker { return &p.track }

// ObjName returns "Port", the ironic_object.name.
func (p *Port) ObjName() string { return portSchema.name }

// ObjVersion returns the version this package encodes Port at.
func (p *Port) ObjVersion() messaging.Version { return portSchema.version }

// Changes returns the wire names of the changed fields, sorted: what
// obj_what_changed() returns and what a database save writes.
func (p *Port) Changes() []string { return changes(p) }

// HasChanged reports whether the named field changed.
func (p *Port) HasChanged(field string) bool { return hasChanged(p, field) }

// MarkChanged marks the named fields changed, even if their values equal
// the snapshot. It panics on an unknown field name.
func (p *Port) MarkChanged(fields ...string) { markChanged(p, fields) }

// ResetChanges forgets the changes of the named fields, or of all fields if
// none is named, as obj_reset_changes does. It panics on an unknown name.
func (p *Port) ResetChanges(fields ...string) { resetChanges(p, fields) }

// MarkLoaded marks every field set (null and zero values included) and
// resets changes, as after loading the object from the database.
func (p *Port) MarkLoaded() { markLoaded(p) }

// IsSet reports whether the named field is set (obj_attr_is_set): only set
// fields are encoded.
func (p *Port) IsSet(field string) bool { return isSetByName(p, field) }

// Get returns the named field's value (nil for null; int64, string, bool,
// time.Time, map[string]any or []string otherwise; maps and slices are the
// object's own, not copies) and whether the field is set. An unknown field
// name gives (nil, false).
func (p *Port) Get(field string) (any, bool) { return getField(p, field) }

// Set assigns the named field with Ironic's coercion (setattr on the Python
// object) and marks it changed. Errors wrap *FieldError; a bad MAC address
// gives InvalidMAC, null on a non-nullable field a ValueError.
func (p *Port) Set(field string, value any) error { return setField(p, field, value) }

// Clone returns a deep copy of p, change tracking included.
func (p *Port) Clone() *Port {
	cp := *p
	cloneFields(&cp)
	return &cp
}

// MarshalJSON encodes the ironic_object envelope. It has a value receiver so
// that a Port stored by value in an interface encodes too.
func (p Port) MarshalJSON() ([]byte, error) { return encode(&p) }

// UnmarshalJSON decodes an ironic_object envelope named "Port" into p,
// replacing its contents.
func (p *Port) UnmarshalJSON(data []byte) error {
	*p = Port{}
	return decodeInto(p, data)
}

// Compile-time check that Portgroup is an Object.
var _ Object = (*Portgroup)(nil)

func (pg *Portgroup) objSchema() *schema   { return portgroupSchema }
func (pg *Portgroup) objTracker() *tracker { return &pg.track }

// ObjName returns "Portgroup", the ironic_object.name.
func (pg *Portgroup) ObjName() string { return portgroupSchema.name }

// ObjVersion returns the version this package encodes Portgroup at.
func (pg *Portgroup) ObjVersion() messaging.Version { return portgroupSchema.version }

// Changes returns the wire names of the changed fields, sorted: what
// obj_what_changed() returns and what a database save writes.
func (pg *Portgroup) Changes() []string { return changes(pg) }

// HasChanged reports whether the named field changed.
func (pg *Portgroup) HasChanged(field string) bool { return hasChanged(pg, field) }

// MarkChanged marks the named fields changed, even if their values equal
// the snapshot. It panics on an unknown field name.
func (pg *Portgroup) MarkChanged(fields ...string) { markChanged(pg, fields) }

// ResetChanges forgets the changes of the named fields, or of all fields if
// none is named, as obj_reset_changes does. It panics on an unknown name.
func (pg *Portgroup) ResetChanges(fields ...string) { resetChanges(pg, fields) }

// MarkLoaded marks every field set (null and zero values included) and
// resets changes, as after loading the object from the database.
func (pg *Portgroup) MarkLoaded() { markLoaded(pg) }

// IsSet reports whether the named field is set (obj_attr_is_set): only set
// fields are encoded.
func (pg *Portgroup) IsSet(field string) bool { return isSetByName(pg, field) }

// Get returns the named field's value (nil for null; int64, string, bool,
// time.Time, map[string]any or []string otherwise; maps and slices are the
// object's own, not copies) and whether the field is set. An unknown field
// name gives (nil, false).
func (pg *Portgroup) Get(field string) (any, bool) { return getField(pg, field) }

// Set assigns the named field with Ironic's coercion (setattr on the Python
// object) and marks it changed. Errors wrap *FieldError; a bad MAC address
// gives InvalidMAC, null on a non-nullable field a ValueError.
func (pg *Portgroup) Set(field string, value any) error { return setField(pg, field, value) }

// Clone returns a deep copy of pg, change tracking included.
func (pg *Portgroup) Clone() *Portgroup {
	cp := *pg
	cloneFields(&cp)
	return &cp
}

// MarshalJSON encodes the ironic_object envelope. It has a value receiver so
// that a Portgroup stored by value in an interface encodes too.
func (pg Portgroup) MarshalJSON() ([]byte, error) { return encode(&pg) }

// UnmarshalJSON decodes an ironic_object envelope named "Portgroup" into pg,
// replacing its contents.
func (pg *Portgroup) UnmarshalJSON(data []byte) error {
	*pg = Portgroup{}
	return decodeInto(pg, data)
}

// Compile-time check that VolumeConnector is an Object.
var _ Object = (*VolumeConnector)(nil)

func (vc *VolumeConnector) objSchema() *schema   { return volumeConnectorSchema }
func (vc *VolumeConnector) objTracker() *tracker { return &vc.track }

// ObjName returns "VolumeConnector", the ironic_object.name.
func (vc *VolumeConnector) ObjName() string { return volumeConnectorSchema.name }

// ObjVersion returns the version this package encodes VolumeConnector at.
func (vc *VolumeConnector) ObjVersion() messaging.Version { return volumeConnectorSchema.version }

// Changes returns the wire names of the changed fields, sorted: what
// obj_what_changed() returns and what a database save writes.
func (vc *VolumeConnector) Changes() []string { return changes(vc) }

// HasChanged reports whether the named field changed.
func (vc *VolumeConnector) HasChanged(field string) bool { return hasChanged(vc, field) }

// MarkChanged marks the named fields changed, even if their values equal
// the snapshot. It panics on an unknown field name.
func (vc *VolumeConnector) MarkChanged(fields ...string) { markChanged(vc, fields) }

// ResetChanges forgets the changes of the named fields, or of all fields if
// none is named, as obj_reset_changes does. It panics on an unknown name.
func (vc *VolumeConnector) ResetChanges(fields ...string) { resetChanges(vc, fields) }

// MarkLoaded marks every field set (null and zero values included) and
// resets changes, as after loading the object from the database.
func (vc *VolumeConnector) MarkLoaded() { markLoaded(vc) }

// IsSet reports whether the named field is set (obj_attr_is_set): only set
// fields are encoded.
func (vc *VolumeConnector) IsSet(field string) bool { return isSetByName(vc, field) }

// Get returns the named field's value (nil for null; int64, string, bool,
// time.Time, map[string]any or []string otherwise; maps and slices are the
// object's own, not copies) and whether the field is set. An unknown field
// name gives (nil, false).
func (vc *VolumeConnector) Get(field string) (any, bool) { return getField(vc, field) }

// Set assigns the named field with Ironic's coercion (setattr on the Python
// object) and marks it changed. Errors wrap *FieldError; a bad MAC address
// gives InvalidMAC, null on a non-nullable field a ValueError.
func (vc *VolumeConnector) Set(field string, value any) error { return setField(vc, field, value) }

// Clone returns a deep copy of vc, change tracking included.
func (vc *VolumeConnector) Clone() *VolumeConnector {
	cp := *vc
	cloneFields(&cp)
	return &cp
}

// MarshalJSON encodes the ironic_object envelope. It has a value receiver so
// that a VolumeConnector stored by value in an interface encodes too.
func (vc VolumeConnector) MarshalJSON() ([]byte, error) { return encode(&vc) }

// UnmarshalJSON decodes an ironic_object envelope named "VolumeConnector" into vc,
// replacing its contents.
func (vc *VolumeConnector) UnmarshalJSON(data []byte) error {
	*vc = VolumeConnector{}
	return decodeInto(vc, data)
}

// Compile-time check that VolumeTarget is an Object.
var _ Object = (*VolumeTarget)(nil)

func (vt *VolumeTarget) objSchema() *schema   { return volumeTargetSchema }
func (vt *VolumeTarget) objTracker() *tracker { return &vt.track }

// ObjName returns "VolumeTarget", the ironic_object.name.
func (vt *VolumeTarget) ObjName() string { return volumeTargetSchema.name }

// ObjVersion returns the version this package encodes VolumeTarget at.
func (vt *VolumeTarget) ObjVersion() messaging.Version { return volumeTargetSchema.version }

// Changes returns the wire names of the changed fields, sorted: what
// obj_what_changed() returns and what a database save writes.
func (vt *VolumeTarget) Changes() []string { return changes(vt) }

// HasChanged reports whether the named field changed.
func (vt *VolumeTarget) HasChanged(field string) bool { return hasChanged(vt, field) }

// MarkChanged marks the named fields changed, even if their values equal
// the snapshot. It panics on an unknown field name.
func (vt *VolumeTarget) MarkChanged(fields ...string) { markChanged(vt, fields) }

// ResetChanges forgets the changes of the named fields, or of all fields if
// none is named, as obj_reset_changes does. It panics on an unknown name.
func (vt *VolumeTarget) ResetChanges(fields ...string) { resetChanges(vt, fields) }

// MarkLoaded marks every field set (null and zero values included) and
// resets changes, as after loading the object from the database.
func (vt *VolumeTarget) MarkLoaded() { markLoaded(vt) }

// IsSet reports whether the named field is set (obj_attr_is_set): only set
// fields are encoded.
func (vt *VolumeTarget) IsSet(field string) bool { return isSetByName(vt, field) }

// Get returns the named field's value (nil for null; int64, string, bool,
// time.Time, map[string]any or []string otherwise; maps and slices are the
// object's own, not copies) and whether the field is set. An unknown field
// name gives (nil, false).
func (vt *VolumeTarget) Get(field string) (any, bool) { return getField(vt, field) }

// Set assigns the named field with Ironic's coercion (setattr on the Python
// object) and marks it changed. Errors wrap *FieldError; a bad MAC address
// gives InvalidMAC, null on a non-nullable field a ValueError.
func (vt *VolumeTarget) Set(field string, value any) error { return setField(vt, field, value) }

// Clone returns a deep copy of vt, change tracking included.
func (vt *VolumeTarget) Clone() *VolumeTarget {
	cp := *vt
	cloneFields(&cp)
	return &cp
}

// MarshalJSON encodes the ironic_object envelope. It has a value receiver so
// that a VolumeTarget stored by value in an interface encodes too.
func (vt VolumeTarget) MarshalJSON() ([]byte, error) { return encode(&vt) }

// UnmarshalJSON decodes an ironic_object envelope named "VolumeTarget" into vt,
// replacing its contents.
func (vt *VolumeTarget) UnmarshalJSON(data []byte) error {
	*vt = VolumeTarget{}
	return decodeInto(vt, data)
}

// Compile-time check that Conductor is an Object.
var _ Object = (*Conductor)(nil)

func (c *Conductor) objSchema() *schema   { return conductorSchema }
func (c *Conductor) objTracker() *tracker { return &c.track }

// ObjName returns "Conductor", the ironic_object.name.
func (c *Conductor) ObjName() string { return conductorSchema.name }

// ObjVersion returns the version this package encodes Conductor at.
func (c *Conductor) ObjVersion() messaging.Version { return conductorSchema.version }

// Changes returns the wire names of the changed fields, sorted: what
// obj_what_changed() returns and what a database save writes.
func (c *Conductor) Changes() []string { return changes(c) }

// HasChanged reports whether the named field changed.
func (c *Conductor) HasChanged(field string) bool { return hasChanged(c, field) }

// MarkChanged marks the named fields changed, even if their values equal
// the snapshot. It panics on an unknown field name.
func (c *Conductor) MarkChanged(fields ...string) { markChanged(c, fields) }

// ResetChanges forgets the changes of the named fields, or of all fields if
// none is named, as obj_reset_changes does. It panics on an unknown name.
func (c *Conductor) ResetChanges(fields ...string) { resetChanges(c, fields) }

// MarkLoaded marks every field set (null and zero values included) and
// resets changes, as after loading the object from the database.
func (c *Conductor) MarkLoaded() { markLoaded(c) }

// IsSet reports whether the named field is set (obj_attr_is_set): only set
// fields are encoded.
func (c *Conductor) IsSet(field string) bool { return isSetByName(c, field) }

// Get returns the named field's value (nil for null; int64, string, bool,
// time.Time, map[string]any or []string otherwise; maps and slices are the
// object's own, not copies) and whether the field is set. An unknown field
// name gives (nil, false).
func (c *Conductor) Get(field string) (any, bool) { return getField(c, field) }

// Set assigns the named field with Ironic's coercion (setattr on the Python
// object) and marks it changed. Errors wrap *FieldError; a bad MAC address
// gives InvalidMAC, null on a non-nullable field a ValueError.
func (c *Conductor) Set(field string, value any) error { return setField(c, field, value) }

// Clone returns a deep copy of c, change tracking included.
func (c *Conductor) Clone() *Conductor {
	cp := *c
	cloneFields(&cp)
	return &cp
}

// MarshalJSON encodes the ironic_object envelope. It has a value receiver so
// that a Conductor stored by value in an interface encodes too.
func (c Conductor) MarshalJSON() ([]byte, error) { return encode(&c) }

// UnmarshalJSON decodes an ironic_object envelope named "Conductor" into c,
// replacing its contents.
func (c *Conductor) UnmarshalJSON(data []byte) error {
	*c = Conductor{}
	return decodeInto(c, data)
}

// Compile-time check that Chassis is an Object.
var _ Object = (*Chassis)(nil)

func (ch *Chassis) objSchema() *schema   { return chassisSchema }
func (ch *Chassis) objTracker() *tracker { return &ch.track }

// ObjName returns "Chassis", the ironic_object.name.
func (ch *Chassis) ObjName() string { return chassisSchema.name }

// ObjVersion returns the version this package encodes Chassis at.
func (ch *Chassis) ObjVersion() messaging.Version { return chassisSchema.version }

// Changes returns the wire names of the changed fields, sorted: what
// obj_what_changed() returns and what a database save writes.
func (ch *Chassis) Changes() []string { return changes(ch) }

// HasChanged reports whether the named field changed.
func (ch *Chassis) HasChanged(field string) bool { return hasChanged(ch, field) }

// MarkChanged marks the named fields changed, even if their values equal
// the snapshot. It panics on an unknown field name.
func (ch *Chassis) MarkChanged(fields ...string) { markChanged(ch, fields) }

// ResetChanges forgets the changes of the named fields, or of all fields if
// none is named, as obj_reset_changes does. It panics on an unknown name.
func (ch *Chassis) ResetChanges(fields ...string) { resetChanges(ch, fields) }

// MarkLoaded marks every field set (null and zero values included) and
// resets changes, as after loading the object from the database.
func (ch *Chassis) MarkLoaded() { markLoaded(ch) }

// IsSet reports whether the named field is set (obj_attr_is_set): only set
// fields are encoded.
func (ch *Chassis) IsSet(field string) bool { return isSetByName(ch, field) }

// Get returns the named field's value (nil for null; int64, string, bool,
// time.Time, map[string]any or []string otherwise; maps and slices are the
// object's own, not copies) and whether the field is set. An unknown field
// name gives (nil, false).
func (ch *Chassis) Get(field string) (any, bool) { return getField(ch, field) }

// Set assigns the named field with Ironic's coercion (setattr on the Python
// object) and marks it changed. Errors wrap *FieldError; a bad MAC address
// gives InvalidMAC, null on a non-nullable field a ValueError.
func (ch *Chassis) Set(field string, value any) error { return setField(ch, field, value) }

// Clone returns a deep copy of ch, change tracking included.
func (ch *Chassis) Clone() *Chassis {
	cp := *ch
	cloneFields(&cp)
	return &cp
}

// MarshalJSON encodes the ironic_object envelope. It has a value receiver so
// that a Chassis stored by value in an interface encodes too.
func (ch Chassis) MarshalJSON() ([]byte, error) { return encode(&ch) }

// UnmarshalJSON decodes an ironic_object envelope named "Chassis" into ch,
// replacing its contents.
func (ch *Chassis) UnmarshalJSON(data []byte) error {
	*ch = Chassis{}
	return decodeInto(ch, data)
}
