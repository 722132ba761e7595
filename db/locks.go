package db

import (
	"context"
	"database/sql"
	"errors"

	"github.com/ironic-go/ironic-go/objects"
	"github.com/ironic-go/ironic-go/objects/exception"
)

// reserveAttempts bounds ReserveNode's retries when the conditional UPDATE
// matched nothing yet the node turns out unreserved (released between the
// UPDATE and the look at who holds it).
const reserveAttempts = 3

// ReserveNode implements [NodeLocker].
func (s *Store) ReserveNode(ctx context.Context, tag string, ref Ref) (*objects.Node, error) {
	if tag == "" {
		return nil, exception.InvalidParameterValue("a node reservation needs a non-empty tag")
	}
	if err := ref.check(); err != nil {
		return nil, err
	}
	if err := s.check(); err != nil {
		return nil, err
	}
	where, arg := ref.where()
	query := s.q(`UPDATE nodes SET "reservation" = ?, "updated_at" = ? WHERE ` + where +
		` AND "reservation" IS NULL RETURNING ` + nodesTable.selects)
	var holder lockHolder
	for range reserveAttempts {
		var n *objects.Node
		err := s.exec1(ctx, func() error {
			var err error
			n, err = queryObject[objects.Node](ctx, s.db, nodesTable, query, tag, s.d.timeArg(s.now()), arg)
			return err
		})
		if err != nil {
			return nil, s.fail("reserve node", err)
		}
		if n != nil {
			return n, nil
		}
		holder, err = s.lockHolder(ctx, ref)
		if err != nil {
			return nil, s.fail("reserve node", err)
		}
		if !holder.found {
			return nil, exception.NodeNotFound(ref.ident())
		}
		if holder.reservation.Valid {
			return nil, exception.NodeLocked(holder.uuid.String, holder.reservation.String)
		}
	}
	return nil, exception.NodeLocked(holder.uuid.String, "")
}

// ReleaseNode implements [NodeLocker].
func (s *Store) ReleaseNode(ctx context.Context, tag string, ref Ref) error {
	if err := ref.check(); err != nil {
		return err
	}
	if err := s.check(); err != nil {
		return err
	}
	where, arg := ref.where()
	var n int64
	err := s.exec1(ctx, func() error {
		res, err := s.db.ExecContext(ctx, s.q(`UPDATE nodes SET "reservation" = NULL, "updated_at" = ? WHERE `+where+
			` AND "reservation" = ?`), s.d.timeArg(s.now()), arg, tag)
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	if err != nil {
		return s.fail("release node", err)
	}
	if n == 1 {
		return nil
	}
	h, err := s.lockHolder(ctx, ref)
	switch {
	case err != nil:
		return s.fail("release node", err)
	case !h.found:
		return exception.NodeNotFound(ref.ident())
	case !h.reservation.Valid:
		return exception.NodeNotLocked(h.uuid.String)
	}
	return exception.NodeLocked(h.uuid.String, h.reservation.String)
}

// lockHolder is what a failed reserve or release reports.
type lockHolder struct {
	found       bool
	uuid        sql.NullString
	reservation sql.NullString
}

func (s *Store) lockHolder(ctx context.Context, ref Ref) (lockHolder, error) {
	where, arg := ref.where()
	var h lockHolder
	err := s.db.QueryRowContext(ctx, s.q(`SELECT "uuid", "reservation" FROM nodes WHERE `+where), arg).Scan(&h.uuid, &h.reservation)
	if errors.Is(err, sql.ErrNoRows) {
		return h, nil
	}
	h.found = err == nil
	return h, err
}

// ClearNodeReservations implements [NodeLocker].
func (s *Store) ClearNodeReservations(ctx context.Context, host string) ([]string, error) {
	uuids, err := s.updateReturningUUIDs(ctx,
		`UPDATE nodes SET "reservation" = NULL, "updated_at" = ? WHERE lower("reservation") = lower(?) RETURNING "uuid"`,
		s.d.timeArg(s.now()), host)
	if err != nil {
		return nil, s.fail("clear reservations", err)
	}
	if len(uuids) > 0 {
		s.log.Warn().Str("host", host).Strs("nodes", uuids).Msg("cleared reservations")
	}
	return uuids, nil
}
