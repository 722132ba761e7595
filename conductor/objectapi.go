package conductor

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"

	"github.com/ironic-go/ironic-go/db"
	"github.com/ironic-go/ironic-go/messaging"
	"github.com/ironic-go/ironic-go/objects"
	"github.com/ironic-go/ironic-go/objects/exception"
	"github.com/ironic-go/ironic-go/rpcapi"
)

// The object_* methods are oslo.versionedobjects' indirection API: a
// client without database access asks the conductor to run an object's
// class method (get_by_uuid, list...) or instance method (save, refresh,
// create, destroy). Ironic 7.0.0 never uses them (no method is
// @remotable), but serves them; so do we, for the methods Ironic's objects
// have.

// noAttribute is Python's AttributeError for an unknown object method.
func noAttribute(obj, attr string) error {
	return messaging.BuiltinError("AttributeError", fmt.Sprintf("type object '%s' has no attribute '%s'", obj, attr))
}

func argString(args []any, kwargs map[string]any, i int, name string) (string, error) {
	var v any
	if i < len(args) {
		v = args[i]
	} else {
		v = kwargs[name]
	}
	switch x := v.(type) {
	case string:
		return x, nil
	case json.Number:
		return x.String(), nil
	case float64:
		return fmt.Sprint(int64(x)), nil
	case int64:
		return fmt.Sprint(x), nil
	}
	return "", messaging.BuiltinError("TypeError", fmt.Sprintf("missing required argument: '%s'", name))
}

func (m *Manager) objectClassActionVersions(ctx context.Context, a rpcapi.ObjectClassActionVersionsArgs) (json.RawMessage, error) {
	if _, ok := objects.New(a.ObjName); !ok {
		return nil, &objects.UnsupportedObjectError{ObjType: a.ObjName}
	}
	ident := func(name string) (db.Ref, error) {
		s, err := argString(a.Args, a.Kwargs, 0, name)
		if err != nil {
			return db.Ref{}, err
		}
		return db.ParseRef(s)
	}
	str := func(name string) (string, error) { return argString(a.Args, a.Kwargs, 0, name) }
	nodeID := func() (int64, error) {
		r, err := ident("node_id")
		if err != nil {
			return 0, err
		}
		if r.UUID != "" {
			n, err := m.store.GetNodeByUUID(ctx, r.UUID)
			if err != nil {
				return 0, err
			}
			return n.ID, nil
		}
		return r.ID, nil
	}
	var result any
	var err error
	switch a.ObjName + "." + a.ObjMethod {
	case "Node.get", "Node.get_by_id", "Node.get_by_uuid":
		var r db.Ref
		if r, err = ident("node_id"); err == nil {
			result, err = m.store.GetNode(ctx, r)
		}
	case "Node.get_by_name":
		var s string
		if s, err = str("name"); err == nil {
			result, err = m.store.GetNodeByName(ctx, s)
		}
	case "Node.get_by_instance_uuid":
		var s string
		if s, err = str("instance_uuid"); err == nil {
			result, err = m.store.GetNodeByInstance(ctx, s)
		}
	case "Node.list":
		result, err = m.store.ListNodes(ctx, db.NodeFilter{}, db.ListOptions{})
	case "Port.get", "Port.get_by_id", "Port.get_by_uuid":
		var r db.Ref
		if r, err = ident("port_id"); err == nil {
			if r.UUID != "" {
				result, err = m.store.GetPortByUUID(ctx, r.UUID)
			} else {
				result, err = m.store.GetPortByID(ctx, r.ID)
			}
		}
	case "Port.get_by_address":
		var s string
		if s, err = str("address"); err == nil {
			result, err = m.store.GetPortByAddress(ctx, s)
		}
	case "Port.list_by_node_id":
		var id int64
		if id, err = nodeID(); err == nil {
			result, err = m.store.ListPortsByNodeID(ctx, id)
		}
	case "Portgroup.get", "Portgroup.get_by_id", "Portgroup.get_by_uuid":
		var r db.Ref
		if r, err = ident("portgroup_id"); err == nil {
			if r.UUID != "" {
				result, err = m.store.GetPortgroupByUUID(ctx, r.UUID)
			} else {
				result, err = m.store.GetPortgroupByID(ctx, r.ID)
			}
		}
	case "Portgroup.get_by_name":
		var s string
		if s, err = str("name"); err == nil {
			result, err = m.store.GetPortgroupByName(ctx, s)
		}
	case "Portgroup.get_by_address":
		var s string
		if s, err = str("address"); err == nil {
			result, err = m.store.GetPortgroupByAddress(ctx, s)
		}
	case "Portgroup.list_by_node_id":
		var id int64
		if id, err = nodeID(); err == nil {
			result, err = m.store.ListPortgroupsByNodeID(ctx, id)
		}
	case "VolumeConnector.get", "VolumeConnector.get_by_id", "VolumeConnector.get_by_uuid":
		var r db.Ref
		if r, err = ident("ident"); err == nil {
			if r.UUID != "" {
				result, err = m.store.GetVolumeConnectorByUUID(ctx, r.UUID)
			} else {
				result, err = m.store.GetVolumeConnectorByID(ctx, r.ID)
			}
		}
	case "VolumeConnector.list_by_node_id":
		var id int64
		if id, err = nodeID(); err == nil {
			result, err = m.store.ListVolumeConnectorsByNodeID(ctx, id)
		}
	case "VolumeTarget.get", "VolumeTarget.get_by_id", "VolumeTarget.get_by_uuid":
		var r db.Ref
		if r, err = ident("ident"); err == nil {
			if r.UUID != "" {
				result, err = m.store.GetVolumeTargetByUUID(ctx, r.UUID)
			} else {
				result, err = m.store.GetVolumeTargetByID(ctx, r.ID)
			}
		}
	case "VolumeTarget.list_by_node_id":
		var id int64
		if id, err = nodeID(); err == nil {
			result, err = m.store.ListVolumeTargetsByNodeID(ctx, id)
		}
	case "Conductor.get_by_hostname":
		var s string
		if s, err = str("hostname"); err == nil {
			result, err = m.store.GetConductor(ctx, s, true)
		}
	case "Chassis.get", "Chassis.get_by_id", "Chassis.get_by_uuid":
		var r db.Ref
		if r, err = ident("chassis_id"); err == nil {
			if r.UUID != "" {
				result, err = m.store.GetChassisByUUID(ctx, r.UUID)
			} else {
				result, err = m.store.GetChassisByID(ctx, r.ID)
			}
		}
	default:
		return nil, noAttribute(a.ObjName, a.ObjMethod)
	}
	if err != nil {
		return nil, err
	}
	return json.Marshal(result)
}

// objectMethod runs an instance method on obj, returning its result.
func (m *Manager) objectMethod(ctx context.Context, obj objects.Object, method string) (any, error) {
	switch o := obj.(type) {
	case *objects.Node:
		switch method {
		case "save":
			stored, err := m.store.UpdateNode(ctx, o)
			if err == nil {
				*o = *stored
			}
			return nil, err
		case "refresh":
			stored, err := m.store.GetNode(ctx, objRef(o.ID, o.UUID))
			if err == nil {
				*o = *stored
			}
			return nil, err
		case "create":
			stored, err := m.store.CreateNode(ctx, o)
			if err == nil {
				*o = *stored
			}
			return nil, err
		case "destroy":
			return nil, m.store.DestroyNode(ctx, objRef(o.ID, o.UUID))
		case "touch_provisioning":
			return nil, m.store.TouchNodeProvisioning(ctx, objRef(o.ID, o.UUID))
		}
	case *objects.Port:
		switch method {
		case "save":
			stored, err := m.store.UpdatePort(ctx, o)
			if err == nil {
				*o = *stored
			}
			return nil, err
		case "refresh":
			stored, err := m.getPort(ctx, o.ID, o.UUID)
			if err == nil {
				*o = *stored
			}
			return nil, err
		case "create":
			stored, err := m.store.CreatePort(ctx, o)
			if err == nil {
				*o = *stored
			}
			return nil, err
		case "destroy":
			return nil, m.store.DestroyPort(ctx, objRef(o.ID, o.UUID))
		}
	case *objects.Portgroup:
		switch method {
		case "save":
			stored, err := m.store.UpdatePortgroup(ctx, o)
			if err == nil {
				*o = *stored
			}
			return nil, err
		case "create":
			stored, err := m.store.CreatePortgroup(ctx, o)
			if err == nil {
				*o = *stored
			}
			return nil, err
		case "destroy":
			return nil, m.store.DestroyPortgroup(ctx, objRef(o.ID, o.UUID))
		}
	case *objects.VolumeConnector:
		switch method {
		case "save":
			stored, err := m.store.UpdateVolumeConnector(ctx, o)
			if err == nil {
				*o = *stored
			}
			return nil, err
		case "create":
			stored, err := m.store.CreateVolumeConnector(ctx, o)
			if err == nil {
				*o = *stored
			}
			return nil, err
		case "destroy":
			return nil, m.store.DestroyVolumeConnector(ctx, objRef(o.ID, o.UUID))
		}
	case *objects.VolumeTarget:
		switch method {
		case "save":
			stored, err := m.store.UpdateVolumeTarget(ctx, o)
			if err == nil {
				*o = *stored
			}
			return nil, err
		case "create":
			stored, err := m.store.CreateVolumeTarget(ctx, o)
			if err == nil {
				*o = *stored
			}
			return nil, err
		case "destroy":
			return nil, m.store.DestroyVolumeTarget(ctx, objRef(o.ID, o.UUID))
		}
	}
	return nil, noAttribute(obj.ObjName(), method)
}

func (m *Manager) getPort(ctx context.Context, id int64, uuid *string) (*objects.Port, error) {
	if id != 0 {
		return m.store.GetPortByID(ctx, id)
	}
	if uuid == nil {
		return nil, exception.InvalidIdentity("None")
	}
	return m.store.GetPortByUUID(ctx, *uuid)
}

// primitiveData returns the "ironic_object.data" of obj's encoding.
func primitiveData(obj objects.Object) (map[string]json.RawMessage, error) {
	raw, err := obj.MarshalJSON()
	if err != nil {
		return nil, err
	}
	var env struct {
		Data map[string]json.RawMessage `json:"ironic_object.data"`
	}
	if err := json.Unmarshal(raw, &env); err != nil {
		return nil, err
	}
	return env.Data, nil
}

func (m *Manager) objectAction(ctx context.Context, a rpcapi.ObjectActionArgs) (rpcapi.ObjectActionResult, error) {
	var out rpcapi.ObjectActionResult
	obj := a.ObjInst.Object
	if obj == nil {
		return out, exception.InvalidParameterValue("objinst is required")
	}
	before, err := primitiveData(obj)
	if err != nil {
		return out, err
	}
	res, err := m.objectMethod(ctx, obj, a.ObjMethod)
	if err != nil {
		return out, err
	}
	after, err := primitiveData(obj)
	if err != nil {
		return out, err
	}
	out.Updates = map[string]any{}
	for k, v := range after {
		if old, ok := before[k]; !ok || string(old) != string(v) {
			out.Updates[k] = v
		}
	}
	changed := obj.Changes()
	if changed == nil {
		changed = []string{} // a set on the wire: [] (Python's set(None) would fail)
	}
	slices.Sort(changed)
	out.Updates["obj_what_changed"] = changed
	out.Result, err = json.Marshal(res)
	return out, err
}

func (m *Manager) objectBackportVersions(ctx context.Context, a rpcapi.ObjectBackportVersionsArgs) (json.RawMessage, error) {
	obj := a.ObjInst.Object
	if obj == nil {
		return nil, exception.InvalidParameterValue("objinst is required")
	}
	if want, ok := a.ObjectVersions[obj.ObjName()]; ok {
		v, err := messaging.ParseVersion(want)
		if err != nil || v.Major != obj.ObjVersion().Major {
			return nil, &objects.IncompatibleObjectVersionError{ObjName: obj.ObjName(), ObjVer: want, Supported: obj.ObjVersion().String()}
		}
		if v.Less(obj.ObjVersion()) {
			return nil, &objects.IncompatibleObjectVersionError{ObjName: obj.ObjName(), ObjVer: want, Supported: obj.ObjVersion().String()}
		}
	}
	return obj.MarshalJSON()
}
