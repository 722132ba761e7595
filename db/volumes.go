package db

import (
	"context"
	"slices"

	"github.com/jmoiron/sqlx"

	"github.com/ironic-go/ironic-go/objects"
	"github.com/ironic-go/ironic-go/objects/exception"
)

func connectorNotFound(ident any) func() error {
	return func() error { return exception.VolumeConnectorNotFound(ident) }
}

func targetNotFound(ident any) func() error {
	return func() error { return exception.VolumeTargetNotFound(ident) }
}

func nodeFK(id *int64) fkRef {
	return fkRef{table: "nodes", id: id, notFound: exception.NodeNotFound}
}

func deref(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

// connectorErr maps a refused connector write; vc holds the type and
// connector_id the row would have had.
func (s *Store) connectorErr(ctx context.Context, err error, vc *objects.VolumeConnector, update bool) error {
	if v := classify(err); v.unique {
		if v.has("type") || v.has("connector_id") || update {
			return exception.VolumeConnectorTypeAndIdAlreadyExists(deref(vc.Type), deref(vc.ConnectorID))
		}
		if vc.UUID != nil {
			return exception.VolumeConnectorAlreadyExists(*vc.UUID)
		}
	}
	return s.explainFK(ctx, err, nodeFK(vc.NodeID))
}

// CreateVolumeConnector implements [VolumeConnectorStore].
func (s *Store) CreateVolumeConnector(ctx context.Context, vc *objects.VolumeConnector) (*objects.VolumeConnector, error) {
	if vc == nil {
		return nil, exception.InvalidParameterValue("no volume connector to create")
	}
	c := vc.Clone()
	if c.UUID == nil || *c.UUID == "" {
		c.UUID = Ptr(newUUID())
	}
	if err := checkUUIDField(c.UUID); err != nil {
		return nil, err
	}
	out, err := createObject(ctx, s, "create volume connector", volumeConnectorsTable, c)
	if err != nil {
		return nil, s.connectorErr(ctx, err, c, false)
	}
	return out, nil
}

// GetVolumeConnectorByID implements [VolumeConnectorStore].
func (s *Store) GetVolumeConnectorByID(ctx context.Context, id int64) (*objects.VolumeConnector, error) {
	return getOrNotFound[objects.VolumeConnector](ctx, s, "get volume connector", volumeConnectorsTable, connectorNotFound(id), `"id" = ?`, id)
}

// GetVolumeConnectorByUUID implements [VolumeConnectorStore].
func (s *Store) GetVolumeConnectorByUUID(ctx context.Context, uuid string) (*objects.VolumeConnector, error) {
	if !objects.IsUUIDLike(uuid) {
		return nil, exception.InvalidUUID(uuid)
	}
	return getOrNotFound[objects.VolumeConnector](ctx, s, "get volume connector", volumeConnectorsTable, connectorNotFound(uuid), `"uuid" = ?`, uuid)
}

// ListVolumeConnectorsByNodeID implements [VolumeConnectorStore].
func (s *Store) ListVolumeConnectorsByNodeID(ctx context.Context, nodeID int64) ([]*objects.VolumeConnector, error) {
	l, err := listObjects[objects.VolumeConnector](ctx, s, volumeConnectorsTable, `"node_id" = ?`, []any{nodeID}, ListOptions{}, nil)
	return l, s.fail("list volume connectors", err)
}

// UpdateVolumeConnector implements [VolumeConnectorStore].
func (s *Store) UpdateVolumeConnector(ctx context.Context, vc *objects.VolumeConnector) (*objects.VolumeConnector, error) {
	if vc == nil {
		return nil, exception.InvalidParameterValue("no volume connector to update")
	}
	fields := changedColumns(vc)
	if slices.Contains(fields, "uuid") {
		return nil, exception.InvalidParameterValue("Cannot overwrite UUID for an existing Volume Connector.")
	}
	ref, err := refOf(vc.ID, vc.UUID)
	if err != nil {
		return nil, err
	}
	out, err := updateByRef(ctx, s, "update volume connector", volumeConnectorsTable, vc, ref, fields, connectorNotFound(ref.ident()))
	if err != nil {
		// Name the clash as Ironic does: the new type and connector_id
		// where changed, the stored ones otherwise.
		would := vc.Clone()
		if classify(err).unique {
			where, arg := ref.where()
			if stored, gerr := getObject[objects.VolumeConnector](ctx, s, volumeConnectorsTable, where, arg); gerr == nil && stored != nil {
				if !slices.Contains(fields, "type") {
					would.Type = stored.Type
				}
				if !slices.Contains(fields, "connector_id") {
					would.ConnectorID = stored.ConnectorID
				}
			}
		}
		return nil, s.connectorErr(ctx, err, would, true)
	}
	return out, nil
}

// DestroyVolumeConnector implements [VolumeConnectorStore].
func (s *Store) DestroyVolumeConnector(ctx context.Context, ref Ref) error {
	return s.destroyByRef(ctx, "destroy volume connector", "volume_connectors", ref, connectorNotFound(ref.ident()))
}

func (s *Store) targetErr(ctx context.Context, err error, vt *objects.VolumeTarget, update bool) error {
	if v := classify(err); v.unique {
		if v.has("boot_index") || v.has("node_id") || update {
			var bi any
			if vt.BootIndex != nil {
				bi = *vt.BootIndex
			}
			return exception.VolumeTargetBootIndexAlreadyExists(bi)
		}
		if vt.UUID != nil {
			return exception.VolumeTargetAlreadyExists(*vt.UUID)
		}
	}
	return s.explainFK(ctx, err, nodeFK(vt.NodeID))
}

// CreateVolumeTarget implements [VolumeTargetStore].
func (s *Store) CreateVolumeTarget(ctx context.Context, vt *objects.VolumeTarget) (*objects.VolumeTarget, error) {
	if vt == nil {
		return nil, exception.InvalidParameterValue("no volume target to create")
	}
	c := vt.Clone()
	if c.UUID == nil || *c.UUID == "" {
		c.UUID = Ptr(newUUID())
	}
	if err := checkUUIDField(c.UUID); err != nil {
		return nil, err
	}
	out, err := createObject(ctx, s, "create volume target", volumeTargetsTable, c)
	if err != nil {
		return nil, s.targetErr(ctx, err, c, false)
	}
	return out, nil
}

// GetVolumeTargetByID implements [VolumeTargetStore].
func (s *Store) GetVolumeTargetByID(ctx context.Context, id int64) (*objects.VolumeTarget, error) {
	return getOrNotFound[objects.VolumeTarget](ctx, s, "get volume target", volumeTargetsTable, targetNotFound(id), `"id" = ?`, id)
}

// GetVolumeTargetByUUID implements [VolumeTargetStore].
func (s *Store) GetVolumeTargetByUUID(ctx context.Context, uuid string) (*objects.VolumeTarget, error) {
	if !objects.IsUUIDLike(uuid) {
		return nil, exception.InvalidUUID(uuid)
	}
	return getOrNotFound[objects.VolumeTarget](ctx, s, "get volume target", volumeTargetsTable, targetNotFound(uuid), `"uuid" = ?`, uuid)
}

// ListVolumeTargetsByNodeID implements [VolumeTargetStore].
func (s *Store) ListVolumeTargetsByNodeID(ctx context.Context, nodeID int64) ([]*objects.VolumeTarget, error) {
	l, err := listObjects[objects.VolumeTarget](ctx, s, volumeTargetsTable, `"node_id" = ?`, []any{nodeID}, ListOptions{}, nil)
	return l, s.fail("list volume targets", err)
}

// UpdateVolumeTarget implements [VolumeTargetStore].
func (s *Store) UpdateVolumeTarget(ctx context.Context, vt *objects.VolumeTarget) (*objects.VolumeTarget, error) {
	if vt == nil {
		return nil, exception.InvalidParameterValue("no volume target to update")
	}
	fields := changedColumns(vt)
	if slices.Contains(fields, "uuid") {
		return nil, exception.InvalidParameterValue("Cannot overwrite UUID for an existing Volume Target.")
	}
	ref, err := refOf(vt.ID, vt.UUID)
	if err != nil {
		return nil, err
	}
	out, err := updateByRef(ctx, s, "update volume target", volumeTargetsTable, vt, ref, fields, targetNotFound(ref.ident()))
	if err != nil {
		return nil, s.targetErr(ctx, err, vt, true)
	}
	return out, nil
}

// DestroyVolumeTarget implements [VolumeTargetStore].
func (s *Store) DestroyVolumeTarget(ctx context.Context, ref Ref) error {
	return s.destroyByRef(ctx, "destroy volume target", "volume_targets", ref, targetNotFound(ref.ident()))
}

func chassisNotFound(ident any) func() error {
	return func() error { return exception.ChassisNotFound(ident) }
}

// CreateChassis implements [ChassisStore].
func (s *Store) CreateChassis(ctx context.Context, c *objects.Chassis) (*objects.Chassis, error) {
	if c == nil {
		return nil, exception.InvalidParameterValue("no chassis to create")
	}
	cc := c.Clone()
	if cc.UUID == nil || *cc.UUID == "" {
		cc.UUID = Ptr(newUUID())
	}
	if err := checkUUIDField(cc.UUID); err != nil {
		return nil, err
	}
	out, err := createObject(ctx, s, "create chassis", chassisTable, cc)
	if err != nil {
		if classify(err).unique {
			return nil, exception.ChassisAlreadyExists(*cc.UUID)
		}
		return nil, err
	}
	return out, nil
}

// GetChassisByID implements [ChassisStore].
func (s *Store) GetChassisByID(ctx context.Context, id int64) (*objects.Chassis, error) {
	return getOrNotFound[objects.Chassis](ctx, s, "get chassis", chassisTable, chassisNotFound(id), `"id" = ?`, id)
}

// GetChassisByUUID implements [ChassisStore].
func (s *Store) GetChassisByUUID(ctx context.Context, uuid string) (*objects.Chassis, error) {
	if !objects.IsUUIDLike(uuid) {
		return nil, exception.InvalidUUID(uuid)
	}
	return getOrNotFound[objects.Chassis](ctx, s, "get chassis", chassisTable, chassisNotFound(uuid), `"uuid" = ?`, uuid)
}

// DestroyChassis implements [ChassisStore].
func (s *Store) DestroyChassis(ctx context.Context, ref Ref) error {
	if err := ref.check(); err != nil {
		return err
	}
	return s.write(ctx, "destroy chassis", func(tx *sqlx.Tx) error {
		id, err := s.lockRowID(ctx, tx, chassisTable, ref)
		if err != nil {
			return err
		}
		if id == 0 {
			return exception.ChassisNotFound(ref.ident())
		}
		var nodes int
		if err := tx.GetContext(ctx, &nodes, s.q(`SELECT count(*) FROM nodes WHERE "chassis_id" = ?`), id); err != nil {
			return err
		}
		if nodes > 0 {
			return exception.ChassisNotEmpty(ref.ident())
		}
		_, err = tx.ExecContext(ctx, s.q(`DELETE FROM chassis WHERE "id" = ?`), id)
		return err
	})
}
