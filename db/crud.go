package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"time"

	"github.com/ironic-go/ironic-go/objects"
	"github.com/ironic-go/ironic-go/objects/exception"
)

// queryer is *sqlx.DB or *sqlx.Tx.
type queryer interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

// objPtr is a pointer to one of the objects types.
type objPtr[T any] interface {
	*T
	objects.Object
}

// queryObjects runs query (already rebound) and scans every row into a
// new T, marked loaded.
func queryObjects[T any, PT objPtr[T]](ctx context.Context, q queryer, t *table, query string, args ...any) ([]PT, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []PT
	for rows.Next() {
		o := PT(new(T))
		if err := rows.Scan(t.scanners(o)...); err != nil {
			return nil, unwrapScan(err)
		}
		o.MarkLoaded()
		out = append(out, o)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return out, nil
}

// queryObject is queryObjects for at most one row; nil if none.
func queryObject[T any, PT objPtr[T]](ctx context.Context, q queryer, t *table, query string, args ...any) (PT, error) {
	l, err := queryObjects[T, PT](ctx, q, t, query, args...)
	if err != nil || len(l) == 0 {
		return nil, err
	}
	return l[0], nil
}

// unwrapScan keeps a JSONColumnError as the error itself rather than
// inside database/sql's "Scan error on column" text.
func unwrapScan(err error) error {
	var je *JSONColumnError
	if errors.As(err, &je) {
		return je
	}
	return err
}

// selectFrom is "SELECT <columns> FROM <table> WHERE <where>".
func (s *Store) selectFrom(t *table, where string) string {
	return s.q("SELECT " + t.selects + " FROM " + t.name + " WHERE " + where)
}

// getObject reads one row of t; nil if none.
func getObject[T any, PT objPtr[T]](ctx context.Context, s *Store, t *table, where string, args ...any) (PT, error) {
	if err := s.check(); err != nil {
		return nil, err
	}
	return queryObject[T, PT](ctx, s.db, t, s.selectFrom(t, where), args...)
}

// orderBy validates opts for t and returns the ORDER BY / LIMIT clause.
// NULLs sort last on both engines; id breaks ties.
func orderBy(t *table, opts ListOptions) (string, error) {
	key := "id"
	if opts.SortKey != "" {
		if _, ok := t.byName[opts.SortKey]; !ok {
			return "", exception.InvalidParameterValue(fmt.Sprintf("The sort_key value %q is an invalid field for sorting", opts.SortKey))
		}
		key = opts.SortKey
	}
	if opts.Limit < 0 {
		return "", exception.InvalidParameterValue(fmt.Sprintf("Limit must be positive: %d", opts.Limit))
	}
	dir := " ASC"
	if opts.Desc {
		dir = " DESC"
	}
	q := quoteIdent(key)
	clause := " ORDER BY (" + q + " IS NULL), " + q + dir
	if key != "id" {
		clause += `, "id"` + dir
	}
	return clause, nil
}

// listObjects lists the rows of t matching where, ordered by opts, with an
// optional Go-side filter applied before the limit.
func listObjects[T any, PT objPtr[T]](ctx context.Context, s *Store, t *table, where string, args []any, opts ListOptions, match func(PT) bool) ([]PT, error) {
	if err := s.check(); err != nil {
		return nil, err
	}
	order, err := orderBy(t, opts)
	if err != nil {
		return nil, err
	}
	query := "SELECT " + t.selects + " FROM " + t.name + " WHERE " + where + order
	if opts.Limit > 0 && match == nil {
		query += fmt.Sprintf(" LIMIT %d", opts.Limit)
	}
	l, err := queryObjects[T, PT](ctx, s.db, t, s.q(query), args...)
	if err != nil {
		return nil, err
	}
	if match != nil {
		out := l[:0]
		for _, o := range l {
			if match(o) {
				out = append(out, o)
				if opts.Limit > 0 && len(out) == opts.Limit {
					break
				}
			}
		}
		l = out
	}
	return l, nil
}

// setCol is one "column = value" of an INSERT or UPDATE.
type setCol struct {
	name string
	arg  any
}

// insertObject inserts every field of o (id and updated_at excepted;
// created_at is now) plus t's version and Ironic defaults, and returns the
// row as stored.
func insertObject[T any, PT objPtr[T]](ctx context.Context, q queryer, s *Store, t *table, o PT, now time.Time) (PT, error) {
	v := reflect.ValueOf(o).Elem()
	var cols []setCol
	for i := range t.cols {
		c := &t.cols[i]
		switch c.name {
		case "id", "updated_at":
			continue
		case "created_at":
			cols = append(cols, setCol{c.name, s.d.timeArg(now)})
			continue
		}
		a, err := s.d.arg(t, c, v)
		if err != nil {
			return nil, err
		}
		cols = append(cols, setCol{c.name, a})
	}
	if t.version != "" {
		cols = append(cols, setCol{"version", t.version})
	}
	for _, e := range t.extra {
		cols = append(cols, setCol{e.name, e.value})
	}
	names := make([]string, len(cols))
	marks := make([]string, len(cols))
	args := make([]any, len(cols))
	for i, c := range cols {
		names[i], marks[i], args[i] = quoteIdent(c.name), "?", c.arg
	}
	query := "INSERT INTO " + t.name + " (" + strings.Join(names, ", ") + ") VALUES (" +
		strings.Join(marks, ", ") + ") RETURNING " + t.selects
	out, err := queryObject[T, PT](ctx, q, t, s.q(query), args...)
	if err == nil && out == nil {
		err = errors.New("insert returned no row")
	}
	return out, err
}

// changedColumns returns o's changed fields that are written on update:
// not id, created_at or updated_at.
func changedColumns(o objects.Object) []string {
	var out []string
	for _, c := range o.Changes() {
		switch c {
		case "id", "created_at", "updated_at":
			continue
		}
		out = append(out, c)
	}
	return out
}

// updateObject writes the named fields of o (plus overrides, updated_at
// and the version) to the row where id = id, and returns the row as
// stored; nil if there is no such row.
func updateObject[T any, PT objPtr[T]](ctx context.Context, q queryer, s *Store, t *table, o PT, fields []string, overrides []setCol, id int64, now time.Time) (PT, error) {
	v := reflect.ValueOf(o).Elem()
	var sets []setCol
	for _, f := range fields {
		c, ok := t.byName[f]
		if !ok {
			return nil, fmt.Errorf("db: %s has no column %q", t.name, f)
		}
		a, err := s.d.arg(t, c, v)
		if err != nil {
			return nil, err
		}
		sets = append(sets, setCol{f, a})
	}
	for _, ov := range overrides {
		replaced := false
		for i := range sets {
			if sets[i].name == ov.name {
				sets[i].arg, replaced = ov.arg, true
			}
		}
		if !replaced {
			sets = append(sets, ov)
		}
	}
	sets = append(sets, setCol{"updated_at", s.d.timeArg(now)})
	if t.version != "" {
		sets = append(sets, setCol{"version", t.version})
	}
	parts := make([]string, len(sets))
	args := make([]any, 0, len(sets)+1)
	for i, c := range sets {
		parts[i] = quoteIdent(c.name) + " = ?"
		args = append(args, c.arg)
	}
	args = append(args, id)
	query := "UPDATE " + t.name + " SET " + strings.Join(parts, ", ") + ` WHERE "id" = ? RETURNING ` + t.selects
	return queryObject[T, PT](ctx, q, t, s.q(query), args...)
}

// lockRowID returns the id of the row of t that ref names, locking it for
// the transaction on PostgreSQL (SELECT ... FOR UPDATE; SQLite's BEGIN
// IMMEDIATE already holds the database's write lock). 0 if no row.
func (s *Store) lockRowID(ctx context.Context, tx queryer, t *table, ref Ref) (int64, error) {
	where, arg := ref.where()
	query := "SELECT id FROM " + t.name + " WHERE " + where
	if s.d.backend == BackendPostgreSQL {
		query += " FOR UPDATE"
	}
	rows, err := tx.QueryContext(ctx, s.q(query), arg)
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	var id int64
	if rows.Next() {
		if err := rows.Scan(&id); err != nil {
			return 0, err
		}
	}
	return id, rows.Err()
}

// refOf names the row an object update targets: its id, else its UUID.
func refOf(id int64, uuid *string) (Ref, error) {
	if id != 0 {
		return ByID(id), nil
	}
	if uuid != nil && *uuid != "" {
		r := ByUUID(*uuid)
		return r, r.check()
	}
	return Ref{}, exception.InvalidParameterValue("the object has neither an id nor a uuid")
}

// fkRef is a foreign key a write may break: the referenced table and the
// exception naming the missing row.
type fkRef struct {
	table    string
	id       *int64
	notFound func(id any) *exception.Error
}

// explainFK turns a foreign-key violation into the NotFound exception of
// the first referenced row that does not exist (SQLite does not say which
// key failed). Other errors are returned as they are.
func (s *Store) explainFK(ctx context.Context, err error, refs ...fkRef) error {
	if err == nil || !classify(err).fk {
		return err
	}
	for _, r := range refs {
		if r.id == nil {
			continue
		}
		var n int
		qerr := s.db.GetContext(ctx, &n, s.q("SELECT count(*) FROM "+r.table+" WHERE id = ?"), *r.id)
		if qerr == nil && n == 0 {
			return r.notFound(*r.id)
		}
	}
	return err
}

// deleteRef deletes the row of t that ref names, reporting whether one was.
func (s *Store) deleteRef(ctx context.Context, q queryer, t string, ref Ref) (bool, error) {
	where, arg := ref.where()
	res, err := q.ExecContext(ctx, s.q("DELETE FROM "+t+" WHERE "+where), arg)
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n > 0, err
}
