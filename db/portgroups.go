package db

import (
	"context"
	"slices"

	"github.com/jmoiron/sqlx"

	"github.com/ironic-go/ironic-go/objects"
	"github.com/ironic-go/ironic-go/objects/exception"
)

func portgroupNotFound(ident any) func() error {
	return func() error { return exception.PortgroupNotFound(ident) }
}

func (s *Store) portgroupErr(ctx context.Context, err error, pg *objects.Portgroup) error {
	if v := classify(err); v.unique {
		switch {
		case v.has("name") && pg.Name != nil:
			return exception.PortgroupDuplicateName(*pg.Name)
		case v.has("address") && pg.Address != nil:
			return exception.PortgroupMACAlreadyExists(normalizeMAC(*pg.Address))
		case pg.UUID != nil:
			return exception.PortgroupAlreadyExists(*pg.UUID)
		}
	}
	return s.explainFK(ctx, err,
		fkRef{table: "nodes", id: pg.NodeID, notFound: exception.NodeNotFound})
}

func checkPortgroupFields(pg *objects.Portgroup, fields []string) error {
	has := func(f string) bool { return fields == nil || slices.Contains(fields, f) }
	if has("uuid") {
		if err := checkUUIDField(pg.UUID); err != nil {
			return err
		}
	}
	if has("address") {
		if err := checkMAC(pg.Address); err != nil {
			return err
		}
	}
	if has("name") && pg.Name != nil && !objects.IsValidLogicalName(*pg.Name) {
		return exception.InvalidName(*pg.Name)
	}
	return nil
}

// CreatePortgroup implements [PortgroupStore].
func (s *Store) CreatePortgroup(ctx context.Context, pg *objects.Portgroup) (*objects.Portgroup, error) {
	if pg == nil {
		return nil, exception.InvalidParameterValue("no portgroup to create")
	}
	c := pg.Clone()
	if c.UUID == nil || *c.UUID == "" {
		c.UUID = Ptr(newUUID())
	}
	if c.Mode == nil || *c.Mode == "" {
		c.Mode = Ptr(s.cfg.DefaultPortgroupMode)
	}
	if err := checkPortgroupFields(c, nil); err != nil {
		return nil, err
	}
	out, err := createObject(ctx, s, "create portgroup", portgroupsTable, c)
	if err != nil {
		return nil, s.portgroupErr(ctx, err, c)
	}
	return out, nil
}

// GetPortgroupByID implements [PortgroupStore].
func (s *Store) GetPortgroupByID(ctx context.Context, id int64) (*objects.Portgroup, error) {
	return getOrNotFound[objects.Portgroup](ctx, s, "get portgroup", portgroupsTable, portgroupNotFound(id), `"id" = ?`, id)
}

// GetPortgroupByUUID implements [PortgroupStore].
func (s *Store) GetPortgroupByUUID(ctx context.Context, uuid string) (*objects.Portgroup, error) {
	if !objects.IsUUIDLike(uuid) {
		return nil, exception.InvalidUUID(uuid)
	}
	return getOrNotFound[objects.Portgroup](ctx, s, "get portgroup", portgroupsTable, portgroupNotFound(uuid), `"uuid" = ?`, uuid)
}

// GetPortgroupByName implements [PortgroupStore].
func (s *Store) GetPortgroupByName(ctx context.Context, name string) (*objects.Portgroup, error) {
	if !objects.IsValidLogicalName(name) {
		return nil, exception.InvalidName(name)
	}
	return getOrNotFound[objects.Portgroup](ctx, s, "get portgroup", portgroupsTable, portgroupNotFound(name), `"name" = ?`, name)
}

// GetPortgroupByAddress implements [PortgroupStore].
func (s *Store) GetPortgroupByAddress(ctx context.Context, address string) (*objects.Portgroup, error) {
	if !validMAC(address) {
		return nil, exception.InvalidMAC(address)
	}
	return getOrNotFound[objects.Portgroup](ctx, s, "get portgroup", portgroupsTable, portgroupNotFound(address), `"address" = ?`, normalizeMAC(address))
}

// ListPortgroupsByNodeID implements [PortgroupStore].
func (s *Store) ListPortgroupsByNodeID(ctx context.Context, nodeID int64) ([]*objects.Portgroup, error) {
	l, err := listObjects[objects.Portgroup](ctx, s, portgroupsTable, `"node_id" = ?`, []any{nodeID}, ListOptions{}, nil)
	return l, s.fail("list portgroups", err)
}

// UpdatePortgroup implements [PortgroupStore].
func (s *Store) UpdatePortgroup(ctx context.Context, pg *objects.Portgroup) (*objects.Portgroup, error) {
	if pg == nil {
		return nil, exception.InvalidParameterValue("no portgroup to update")
	}
	fields := changedColumns(pg)
	if slices.Contains(fields, "uuid") {
		return nil, exception.InvalidParameterValue("Cannot overwrite UUID for an existing portgroup.")
	}
	if err := checkPortgroupFields(pg, fields); err != nil {
		return nil, err
	}
	ref, err := refOf(pg.ID, pg.UUID)
	if err != nil {
		return nil, err
	}
	out, err := updateByRef(ctx, s, "update portgroup", portgroupsTable, pg, ref, fields, portgroupNotFound(ref.ident()))
	if err != nil {
		return nil, s.portgroupErr(ctx, err, pg)
	}
	return out, nil
}

// DestroyPortgroup implements [PortgroupStore].
func (s *Store) DestroyPortgroup(ctx context.Context, ref Ref) error {
	if err := ref.check(); err != nil {
		return err
	}
	return s.write(ctx, "destroy portgroup", func(tx *sqlx.Tx) error {
		id, err := s.lockRowID(ctx, tx, portgroupsTable, ref)
		if err != nil {
			return err
		}
		if id == 0 {
			return exception.PortgroupNotFound(ref.ident())
		}
		var ports int
		if err := tx.GetContext(ctx, &ports, s.q(`SELECT count(*) FROM ports WHERE "portgroup_id" = ?`), id); err != nil {
			return err
		}
		if ports > 0 {
			return exception.PortgroupNotEmpty(ref.ident())
		}
		_, err = tx.ExecContext(ctx, s.q(`DELETE FROM portgroups WHERE "id" = ?`), id)
		return err
	})
}
