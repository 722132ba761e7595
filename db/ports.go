package db

import (
	"context"
	"slices"

	"github.com/jmoiron/sqlx"

	"github.com/ironic-go/ironic-go/objects"
	"github.com/ironic-go/ironic-go/objects/exception"
)

// createObject inserts o in its own transaction.
func createObject[T any, PT objPtr[T]](ctx context.Context, s *Store, op string, t *table, o PT) (PT, error) {
	var out PT
	err := s.write(ctx, op, func(tx *sqlx.Tx) error {
		var err error
		out, err = insertObject(ctx, tx, s, t, o, s.now())
		return err
	})
	return out, err
}

// updateByRef writes fields of o to the row ref names, in a transaction
// that locks the row first.
func updateByRef[T any, PT objPtr[T]](ctx context.Context, s *Store, op string, t *table, o PT, ref Ref, fields []string, notFound func() error) (PT, error) {
	var out PT
	err := s.write(ctx, op, func(tx *sqlx.Tx) error {
		id, err := s.lockRowID(ctx, tx, t, ref)
		if err != nil {
			return err
		}
		if id == 0 {
			return notFound()
		}
		out, err = updateObject(ctx, tx, s, t, o, fields, nil, id, s.now())
		if err == nil && out == nil {
			err = notFound()
		}
		return err
	})
	return out, err
}

// destroyByRef deletes the row ref names in a transaction.
func (s *Store) destroyByRef(ctx context.Context, op string, t string, ref Ref, notFound func() error) error {
	if err := ref.check(); err != nil {
		return err
	}
	return s.write(ctx, op, func(tx *sqlx.Tx) error {
		ok, err := s.deleteRef(ctx, tx, t, ref)
		if err == nil && !ok {
			err = notFound()
		}
		return err
	})
}

// getOrNotFound reads one row or returns notFound.
func getOrNotFound[T any, PT objPtr[T]](ctx context.Context, s *Store, op string, t *table, notFound func() error, where string, args ...any) (PT, error) {
	o, err := getObject[T, PT](ctx, s, t, where, args...)
	if err == nil && o == nil {
		err = notFound()
	}
	if err != nil {
		return nil, s.fail(op, err)
	}
	return o, nil
}

// checkMAC refuses a set but malformed MAC address.
func checkMAC(mac *string) error {
	if mac != nil && !validMAC(*mac) {
		return exception.InvalidMAC(*mac)
	}
	return nil
}

func portNotFound(ident any) func() error {
	return func() error { return exception.PortNotFound(ident) }
}

func (s *Store) portErr(ctx context.Context, err error, p *objects.Port) error {
	if v := classify(err); v.unique {
		switch {
		case v.has("address") && p.Address != nil:
			return exception.MACAlreadyExists(normalizeMAC(*p.Address))
		case p.UUID != nil:
			return exception.PortAlreadyExists(*p.UUID)
		}
	}
	return s.explainFK(ctx, err,
		fkRef{table: "nodes", id: p.NodeID, notFound: exception.NodeNotFound},
		fkRef{table: "portgroups", id: p.PortgroupID, notFound: exception.PortgroupNotFound},
	)
}

// CreatePort implements [PortStore].
func (s *Store) CreatePort(ctx context.Context, p *objects.Port) (*objects.Port, error) {
	if p == nil {
		return nil, exception.InvalidParameterValue("no port to create")
	}
	c := p.Clone()
	if c.UUID == nil || *c.UUID == "" {
		c.UUID = Ptr(newUUID())
	}
	if err := checkUUIDField(c.UUID); err != nil {
		return nil, err
	}
	if err := checkMAC(c.Address); err != nil {
		return nil, err
	}
	out, err := createObject(ctx, s, "create port", portsTable, c)
	if err != nil {
		return nil, s.portErr(ctx, err, c)
	}
	return out, nil
}

// GetPortByID implements [PortStore].
func (s *Store) GetPortByID(ctx context.Context, id int64) (*objects.Port, error) {
	return getOrNotFound[objects.Port](ctx, s, "get port", portsTable, portNotFound(id), `"id" = ?`, id)
}

// GetPortByUUID implements [PortStore].
func (s *Store) GetPortByUUID(ctx context.Context, uuid string) (*objects.Port, error) {
	if !objects.IsUUIDLike(uuid) {
		return nil, exception.InvalidUUID(uuid)
	}
	return getOrNotFound[objects.Port](ctx, s, "get port", portsTable, portNotFound(uuid), `"uuid" = ?`, uuid)
}

// GetPortByAddress implements [PortStore].
func (s *Store) GetPortByAddress(ctx context.Context, address string) (*objects.Port, error) {
	if !validMAC(address) {
		return nil, exception.InvalidMAC(address)
	}
	return getOrNotFound[objects.Port](ctx, s, "get port", portsTable, portNotFound(address), `"address" = ?`, normalizeMAC(address))
}

// ListPortsByNodeID implements [PortStore].
func (s *Store) ListPortsByNodeID(ctx context.Context, nodeID int64) ([]*objects.Port, error) {
	l, err := listObjects[objects.Port](ctx, s, portsTable, `"node_id" = ?`, []any{nodeID}, ListOptions{}, nil)
	return l, s.fail("list ports", err)
}

// ListPortsByPortgroupID implements [PortStore].
func (s *Store) ListPortsByPortgroupID(ctx context.Context, portgroupID int64) ([]*objects.Port, error) {
	l, err := listObjects[objects.Port](ctx, s, portsTable, `"portgroup_id" = ?`, []any{portgroupID}, ListOptions{}, nil)
	return l, s.fail("list ports", err)
}

// UpdatePort implements [PortStore].
func (s *Store) UpdatePort(ctx context.Context, p *objects.Port) (*objects.Port, error) {
	if p == nil {
		return nil, exception.InvalidParameterValue("no port to update")
	}
	fields := changedColumns(p)
	if slices.Contains(fields, "uuid") {
		return nil, exception.InvalidParameterValue("Cannot overwrite UUID for an existing Port.")
	}
	if slices.Contains(fields, "address") {
		if err := checkMAC(p.Address); err != nil {
			return nil, err
		}
	}
	ref, err := refOf(p.ID, p.UUID)
	if err != nil {
		return nil, err
	}
	out, err := updateByRef(ctx, s, "update port", portsTable, p, ref, fields, portNotFound(ref.ident()))
	if err != nil {
		return nil, s.portErr(ctx, err, p)
	}
	return out, nil
}

// DestroyPort implements [PortStore].
func (s *Store) DestroyPort(ctx context.Context, ref Ref) error {
	return s.destroyByRef(ctx, "destroy port", "ports", ref, portNotFound(ref.ident()))
}
