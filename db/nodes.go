package db

import (
	"context"
	"database/sql"
	"errors"
	"slices"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/ironic-go/ironic-go/objects"
	"github.com/ironic-go/ironic-go/objects/exception"
)

// Provision states the database layer looks at (ironic.common.states).
const (
	stateEnroll      = "enroll"
	stateInspecting  = "inspecting"
	stateInspectWait = "inspect wait"
	stateInspectFail = "inspect failed"
	stateManageable  = "manageable"
)

// abortedPowerMessage is the last_error Ironic writes when a conductor
// restart aborts a pending power operation.
const abortedPowerMessage = "Pending power operation was aborted due to conductor restart"

// checkNodeFields validates what CreateNode and UpdateNode write.
func checkNodeFields(n *objects.Node, fields []string) error {
	has := func(f string) bool { return fields == nil || slices.Contains(fields, f) }
	if has("uuid") {
		if err := checkUUIDField(n.UUID); err != nil {
			return err
		}
	}
	if has("instance_uuid") {
		if err := checkUUIDField(n.InstanceUUID); err != nil {
			return err
		}
	}
	if has("name") && n.Name != nil && !objects.IsValidLogicalName(*n.Name) {
		return exception.InvalidName(*n.Name)
	}
	return nil
}

// nodeUniqueErr maps a unique violation on nodes to Ironic's exception.
func nodeUniqueErr(err error, n *objects.Node, ident any) error {
	v := classify(err)
	if !v.unique {
		return err
	}
	switch {
	case v.has("name") && n.Name != nil:
		return exception.DuplicateName(*n.Name)
	case v.has("instance_uuid") && n.InstanceUUID != nil:
		return exception.InstanceAssociated(*n.InstanceUUID, ident)
	case n.UUID != nil:
		return exception.NodeAlreadyExists(*n.UUID)
	}
	return err
}

func (s *Store) nodeFKErr(ctx context.Context, err error, n *objects.Node) error {
	return s.explainFK(ctx, err,
		fkRef{table: "chassis", id: n.ChassisID, notFound: exception.ChassisNotFound},
		fkRef{table: "conductors", id: n.ConductorAffinity, notFound: exception.ConductorNotFound},
	)
}

// CreateNode implements [NodeStore].
func (s *Store) CreateNode(ctx context.Context, n *objects.Node) (*objects.Node, error) {
	if n == nil {
		return nil, exception.InvalidParameterValue("no node to create")
	}
	c := n.Clone()
	if c.UUID == nil || *c.UUID == "" {
		c.UUID = Ptr(newUUID())
	}
	if err := checkNodeFields(c, nil); err != nil {
		return nil, err
	}
	if c.ProvisionState == nil {
		c.ProvisionState = Ptr(stateEnroll)
	}
	var out *objects.Node
	err := s.write(ctx, "create node", func(tx *sqlx.Tx) error {
		var err error
		out, err = insertObject(ctx, tx, s, nodesTable, c, s.now())
		return err
	})
	if err != nil {
		return nil, s.nodeFKErr(ctx, nodeUniqueErr(err, c, *c.UUID), c)
	}
	return out, nil
}

// GetNode implements [NodeStore].
func (s *Store) GetNode(ctx context.Context, ref Ref) (*objects.Node, error) {
	if err := ref.check(); err != nil {
		return nil, err
	}
	where, arg := ref.where()
	n, err := getObject[objects.Node](ctx, s, nodesTable, where, arg)
	if err == nil && n == nil {
		err = exception.NodeNotFound(ref.ident())
	}
	return n, s.fail("get node", err)
}

// GetNodeByID implements [NodeStore].
func (s *Store) GetNodeByID(ctx context.Context, id int64) (*objects.Node, error) {
	return s.GetNode(ctx, ByID(id))
}

// GetNodeByUUID implements [NodeStore].
func (s *Store) GetNodeByUUID(ctx context.Context, uuid string) (*objects.Node, error) {
	if !objects.IsUUIDLike(uuid) {
		return nil, exception.InvalidUUID(uuid)
	}
	return s.GetNode(ctx, ByUUID(uuid))
}

// GetNodeByName implements [NodeStore].
func (s *Store) GetNodeByName(ctx context.Context, name string) (*objects.Node, error) {
	if !objects.IsValidLogicalName(name) {
		return nil, exception.InvalidName(name)
	}
	n, err := getObject[objects.Node](ctx, s, nodesTable, `"name" = ?`, name)
	if err == nil && n == nil {
		err = exception.NodeNotFound(name)
	}
	return n, s.fail("get node", err)
}

// GetNodeByInstance implements [NodeStore].
func (s *Store) GetNodeByInstance(ctx context.Context, instanceUUID string) (*objects.Node, error) {
	if !objects.IsUUIDLike(instanceUUID) {
		return nil, exception.InvalidUUID(instanceUUID)
	}
	n, err := getObject[objects.Node](ctx, s, nodesTable, `"instance_uuid" = ?`, instanceUUID)
	if err == nil && n == nil {
		err = exception.InstanceNotFound(instanceUUID)
	}
	return n, s.fail("get node", err)
}

// nodeWhere builds the WHERE clause of f (without Match).
func (s *Store) nodeWhere(ctx context.Context, f NodeFilter) (string, []any, error) {
	conds := []string{"1 = 1"}
	var args []any
	eq := func(col string, v any) {
		conds = append(conds, quoteIdent(col)+" = ?")
		args = append(args, v)
	}
	null := func(col string, notNull bool) {
		if notNull {
			conds = append(conds, quoteIdent(col)+" IS NOT NULL")
		} else {
			conds = append(conds, quoteIdent(col)+" IS NULL")
		}
	}
	in := func(col string, vals []string) {
		if len(vals) == 0 {
			conds = append(conds, "1 = 0")
			return
		}
		conds = append(conds, quoteIdent(col)+" IN (?"+strings.Repeat(", ?", len(vals)-1)+")")
		for _, v := range vals {
			args = append(args, v)
		}
	}
	if f.Reserved != nil {
		null("reservation", *f.Reserved)
	}
	if f.ReservedByAnyOf != nil {
		in("reservation", f.ReservedByAnyOf)
	}
	if f.Maintenance != nil {
		eq("maintenance", *f.Maintenance)
	}
	if f.ProvisionState != nil {
		eq("provision_state", *f.ProvisionState)
	}
	if f.ProvisionStates != nil {
		in("provision_state", f.ProvisionStates)
	}
	now := s.now()
	if f.ProvisionedBefore != nil {
		conds = append(conds, `"provision_updated_at" < ?`)
		args = append(args, s.d.timeArg(now.Add(-*f.ProvisionedBefore)))
	}
	if f.InspectionStartedBefore != nil {
		conds = append(conds, `"inspection_started_at" < ?`)
		args = append(args, s.d.timeArg(now.Add(-*f.InspectionStartedBefore)))
	}
	if f.ConsoleEnabled != nil {
		eq("console_enabled", *f.ConsoleEnabled)
	}
	if f.Associated != nil {
		null("instance_uuid", *f.Associated)
	}
	if f.Driver != nil {
		eq("driver", *f.Driver)
	}
	if f.ResourceClass != nil {
		eq("resource_class", *f.ResourceClass)
	}
	if f.ChassisUUID != nil {
		c, err := s.GetChassisByUUID(ctx, *f.ChassisUUID)
		if err != nil {
			return "", nil, err
		}
		eq("chassis_id", c.ID)
	}
	return strings.Join(conds, " AND "), args, nil
}

// ListNodes implements [NodeStore].
func (s *Store) ListNodes(ctx context.Context, f NodeFilter, opts ListOptions) ([]*objects.Node, error) {
	where, args, err := s.nodeWhere(ctx, f)
	if err != nil {
		return nil, err
	}
	l, err := listObjects(ctx, s, nodesTable, where, args, opts, f.Match)
	return l, s.fail("list nodes", err)
}

// ListNodesReservedByOffline implements [NodeLocker].
func (s *Store) ListNodesReservedByOffline(ctx context.Context, f NodeFilter, opts ListOptions) ([]*objects.Node, error) {
	where, args, err := s.nodeWhere(ctx, f)
	if err != nil {
		return nil, err
	}
	where += ` AND "reservation" IN (SELECT "hostname" FROM conductors WHERE "updated_at" < ?)`
	args = append(args, s.d.timeArg(s.now().Add(-s.cfg.HeartbeatTimeout)))
	l, err := listObjects(ctx, s, nodesTable, where, args, opts, f.Match)
	return l, s.fail("list nodes", err)
}

// UpdateNode implements [NodeStore].
func (s *Store) UpdateNode(ctx context.Context, n *objects.Node) (*objects.Node, error) {
	if n == nil {
		return nil, exception.InvalidParameterValue("no node to update")
	}
	fields := changedColumns(n)
	if slices.Contains(fields, "uuid") {
		return nil, exception.InvalidParameterValue("Cannot overwrite UUID for an existing Node.")
	}
	if err := checkNodeFields(n, fields); err != nil {
		return nil, err
	}
	ref, err := refOf(n.ID, n.UUID)
	if err != nil {
		return nil, err
	}
	var out *objects.Node
	err = s.write(ctx, "update node", func(tx *sqlx.Tx) error {
		where, arg := ref.where()
		query := `SELECT "id", "provision_state" FROM nodes WHERE ` + where
		if s.d.backend == BackendPostgreSQL {
			query += " FOR UPDATE"
		}
		var cur struct {
			ID    int64          `db:"id"`
			State sql.NullString `db:"provision_state"`
		}
		if err := tx.GetContext(ctx, &cur, s.q(query), arg); err != nil {
			if errors.Is(err, sql.ErrNoRows) {
				return exception.NodeNotFound(ref.ident())
			}
			return err
		}
		now := s.now()
		var over []setCol
		if slices.Contains(fields, "provision_state") {
			over = provisionTimestamps(s.d, now, cur.State, n.ProvisionState)
		}
		var err error
		out, err = updateObject(ctx, tx, s, nodesTable, n, fields, over, cur.ID, now)
		if err == nil && out == nil {
			err = exception.NodeNotFound(ref.ident())
		}
		return err
	})
	if err != nil {
		return nil, s.nodeFKErr(ctx, nodeUniqueErr(err, n, ref.ident()), n)
	}
	return out, nil
}

// provisionTimestamps are the columns Ironic's _do_update_node sets when
// provision_state is written.
func provisionTimestamps(d dialect, now time.Time, old sql.NullString, newState *string) []setCol {
	ts := d.timeArg(now)
	over := []setCol{{"provision_updated_at", ts}}
	wasInspecting := old.Valid && (old.String == stateInspecting || old.String == stateInspectWait)
	switch {
	case newState != nil && *newState == stateInspecting:
		over = append(over, setCol{"inspection_started_at", ts}, setCol{"inspection_finished_at", nil})
	case wasInspecting && newState != nil && *newState == stateManageable:
		over = append(over, setCol{"inspection_finished_at", ts}, setCol{"inspection_started_at", nil})
	case wasInspecting && newState != nil && *newState == stateInspectFail:
		over = append(over, setCol{"inspection_started_at", nil})
	}
	return over
}

// nodeChildren are the tables whose rows reference a node, deleted with
// it, in an order that respects their own references.
var nodeChildren = []string{
	"ports", "portgroups", "node_tags", "node_traits", "volume_connectors",
	"volume_targets", "bios_settings", "allocations", "node_history", "node_inventory",
}

// DestroyNode implements [NodeStore].
func (s *Store) DestroyNode(ctx context.Context, ref Ref) error {
	if err := ref.check(); err != nil {
		return err
	}
	return s.write(ctx, "destroy node", func(tx *sqlx.Tx) error {
		id, err := s.lockRowID(ctx, tx, nodesTable, ref)
		if err != nil {
			return err
		}
		if id == 0 {
			return exception.NodeNotFound(ref.ident())
		}
		// Orphan the node's allocation first: allocations.node_id and
		// nodes.allocation_id reference each other.
		if _, err := tx.ExecContext(ctx, s.q(`UPDATE nodes SET "allocation_id" = NULL WHERE "id" = ?`), id); err != nil {
			return err
		}
		for _, child := range nodeChildren {
			if _, err := tx.ExecContext(ctx, s.q("DELETE FROM "+child+` WHERE "node_id" = ?`), id); err != nil {
				return err
			}
		}
		_, err = tx.ExecContext(ctx, s.q(`DELETE FROM nodes WHERE "id" = ?`), id)
		return err
	})
}

// TouchNodeProvisioning implements [NodeStore].
func (s *Store) TouchNodeProvisioning(ctx context.Context, ref Ref) error {
	if err := ref.check(); err != nil {
		return err
	}
	if err := s.check(); err != nil {
		return err
	}
	where, arg := ref.where()
	now := s.d.timeArg(s.now())
	var n int64
	err := s.exec1(ctx, func() error {
		res, err := s.db.ExecContext(ctx, s.q(`UPDATE nodes SET "provision_updated_at" = ?, "updated_at" = ? WHERE `+where), now, now, arg)
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	if err == nil && n == 0 {
		err = exception.NodeNotFound(ref.ident())
	}
	return s.fail("touch node provisioning", err)
}

// ClearNodeTargetPowerState implements [NodeStore].
func (s *Store) ClearNodeTargetPowerState(ctx context.Context, host string) ([]string, error) {
	uuids, err := s.updateReturningUUIDs(ctx,
		`UPDATE nodes SET "target_power_state" = NULL, "last_error" = ?, "updated_at" = ?
		 WHERE lower("reservation") = lower(?) AND "target_power_state" IS NOT NULL RETURNING "uuid"`,
		abortedPowerMessage, s.d.timeArg(s.now()), host)
	if err != nil {
		return nil, s.fail("clear target power state", err)
	}
	if len(uuids) > 0 {
		s.log.Warn().Str("host", host).Strs("nodes", uuids).
			Msg("cleared target_power_state of the locked nodes in powering process, their power state can be incorrect")
	}
	return uuids, nil
}

// updateReturningUUIDs runs an UPDATE ... RETURNING uuid.
func (s *Store) updateReturningUUIDs(ctx context.Context, query string, args ...any) ([]string, error) {
	if err := s.check(); err != nil {
		return nil, err
	}
	var uuids []string
	err := s.exec1(ctx, func() error {
		var l []sql.NullString
		if err := s.db.SelectContext(ctx, &l, s.q(query), args...); err != nil {
			return err
		}
		for _, u := range l {
			uuids = append(uuids, u.String)
		}
		return nil
	})
	slices.Sort(uuids)
	return uuids, err
}
