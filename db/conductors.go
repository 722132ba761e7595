package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"maps"
	"slices"

	"github.com/jmoiron/sqlx"

	"github.com/ironic-go/ironic-go/internal/pyjson"
	"github.com/ironic-go/ironic-go/objects"
	"github.com/ironic-go/ironic-go/objects/exception"
)

// RegisterConductor implements [ConductorStore].
func (s *Store) RegisterConductor(ctx context.Context, r ConductorRegistration, updateExisting bool) (*objects.Conductor, error) {
	if r.Hostname == "" {
		return nil, exception.InvalidParameterValue("a conductor needs a hostname")
	}
	drivers := r.Drivers
	if drivers == nil {
		drivers = []string{}
	}
	driversJSON, err := pyjson.Marshal(drivers)
	if err != nil {
		return nil, fmt.Errorf("db: register conductor: %w", err)
	}
	var out *objects.Conductor
	err = s.write(ctx, "register conductor", func(tx *sqlx.Tx) error {
		query := `SELECT "id", "online" FROM conductors WHERE "hostname" = ?`
		if s.d.backend == BackendPostgreSQL {
			query += " FOR UPDATE"
		}
		var cur struct {
			ID     int64        `db:"id"`
			Online sql.NullBool `db:"online"`
		}
		now := s.d.timeArg(s.now())
		err := tx.GetContext(ctx, &cur, s.q(query), r.Hostname)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			err = tx.GetContext(ctx, &cur.ID, s.q(`INSERT INTO conductors
				("hostname", "drivers", "online", "created_at", "updated_at", "version", "conductor_group")
				VALUES (?, ?, ?, ?, ?, ?, '') RETURNING "id"`),
				r.Hostname, string(driversJSON), true, now, now, conductorsTable.version)
			if err != nil {
				if classify(err).unique { // a concurrent registration won
					return exception.ConductorAlreadyRegistered(r.Hostname)
				}
				return err
			}
		case err != nil:
			return err
		default:
			if cur.Online.Valid && cur.Online.Bool && !updateExisting {
				return exception.ConductorAlreadyRegistered(r.Hostname)
			}
			if _, err := tx.ExecContext(ctx, s.q(`UPDATE conductors SET "drivers" = ?, "online" = ?, "updated_at" = ?, "version" = ? WHERE "id" = ?`),
				string(driversJSON), true, now, conductorsTable.version, cur.ID); err != nil {
				return err
			}
		}
		if r.HardwareInterfaces != nil {
			if _, err := tx.ExecContext(ctx, s.q(`DELETE FROM conductor_hardware_interfaces WHERE "conductor_id" = ?`), cur.ID); err != nil {
				return err
			}
			if err := s.insertHardwareInterfaces(ctx, tx, cur.ID, r.HardwareInterfaces); err != nil {
				return err
			}
		}
		out, err = queryObject[objects.Conductor](ctx, tx, conductorsTable, s.selectFrom(conductorsTable, `"id" = ?`), cur.ID)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// insertHardwareInterfaces inserts rows in tx; a repeated row is
// ConductorHardwareInterfacesAlreadyRegistered.
func (s *Store) insertHardwareInterfaces(ctx context.Context, tx *sqlx.Tx, conductorID int64, ifaces []HardwareInterface) error {
	now := s.d.timeArg(s.now())
	query := s.q(`INSERT INTO conductor_hardware_interfaces
		("conductor_id", "hardware_type", "interface_type", "interface_name", "default", "created_at")
		VALUES (?, ?, ?, ?, ?, ?)`)
	for _, h := range ifaces {
		if _, err := tx.ExecContext(ctx, query, conductorID, h.HardwareType, h.InterfaceType, h.InterfaceName, h.Default, now); err != nil {
			if classify(err).unique {
				return exception.ConductorHardwareInterfacesAlreadyRegistered(fmt.Sprintf(
					"{'conductor_id': %d, 'hardware_type': '%s', 'interface_type': '%s', 'interface_name': '%s', 'default': %s}",
					conductorID, h.HardwareType, h.InterfaceType, h.InterfaceName, pyBool(h.Default)))
			}
			if classify(err).fk {
				return exception.ConductorNotFound(conductorID)
			}
			return err
		}
	}
	return nil
}

func pyBool(b bool) string {
	if b {
		return "True"
	}
	return "False"
}

// GetConductor implements [ConductorStore].
func (s *Store) GetConductor(ctx context.Context, hostname string, onlineOnly bool) (*objects.Conductor, error) {
	where, args := `"hostname" = ?`, []any{hostname}
	if onlineOnly {
		where += ` AND "online" = ?`
		args = append(args, true)
	}
	return getOrNotFound[objects.Conductor](ctx, s, "get conductor", conductorsTable,
		func() error { return exception.ConductorNotFound(hostname) }, where, args...)
}

// ListConductors implements [ConductorStore].
func (s *Store) ListConductors(ctx context.Context) ([]ConductorStatus, error) {
	if err := s.check(); err != nil {
		return nil, err
	}
	rows, err := s.db.QueryContext(ctx, `SELECT `+conductorsTable.selects+`, "online", "conductor_group" FROM conductors ORDER BY "id"`)
	if err != nil {
		return nil, s.fail("list conductors", err)
	}
	defer rows.Close()
	var out []ConductorStatus
	for rows.Next() {
		c := new(objects.Conductor)
		var online sql.NullBool
		var group sql.NullString
		if err := rows.Scan(append(conductorsTable.scanners(c), &online, &group)...); err != nil {
			return nil, s.fail("list conductors", unwrapScan(err))
		}
		c.MarkLoaded()
		out = append(out, ConductorStatus{Conductor: c, Online: online.Valid && online.Bool, ConductorGroup: group.String})
	}
	return out, s.fail("list conductors", rows.Err())
}

// TouchConductor implements [ConductorStore].
func (s *Store) TouchConductor(ctx context.Context, hostname string) error {
	if err := s.check(); err != nil {
		return err
	}
	var n int64
	err := s.exec1(ctx, func() error {
		res, err := s.db.ExecContext(ctx, s.q(`UPDATE conductors SET "updated_at" = ?, "online" = ? WHERE "hostname" = ?`),
			s.d.timeArg(s.now()), true, hostname)
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	if err == nil && n == 0 {
		err = exception.ConductorNotFound(hostname)
	}
	return s.fail("touch conductor", err)
}

// UnregisterConductor implements [ConductorStore].
func (s *Store) UnregisterConductor(ctx context.Context, hostname string) error {
	return s.write(ctx, "unregister conductor", func(tx *sqlx.Tx) error {
		if _, err := tx.ExecContext(ctx, s.q(`DELETE FROM conductor_hardware_interfaces
			WHERE "conductor_id" IN (SELECT "id" FROM conductors WHERE "hostname" = ?)`), hostname); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, s.q(`UPDATE conductors SET "online" = ?, "updated_at" = ? WHERE "hostname" = ? AND "online" = ?`),
			false, s.d.timeArg(s.now()), hostname, true)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			return exception.ConductorNotFound(hostname)
		}
		return nil
	})
}

// RegisterHardwareInterfaces implements [ConductorStore].
func (s *Store) RegisterHardwareInterfaces(ctx context.Context, conductorID int64, ifaces []HardwareInterface) error {
	return s.write(ctx, "register hardware interfaces", func(tx *sqlx.Tx) error {
		return s.insertHardwareInterfaces(ctx, tx, conductorID, ifaces)
	})
}

// UnregisterHardwareInterfaces implements [ConductorStore].
func (s *Store) UnregisterHardwareInterfaces(ctx context.Context, conductorID int64) error {
	return s.write(ctx, "unregister hardware interfaces", func(tx *sqlx.Tx) error {
		_, err := tx.ExecContext(ctx, s.q(`DELETE FROM conductor_hardware_interfaces WHERE "conductor_id" = ?`), conductorID)
		return err
	})
}

// ListHardwareInterfaces implements [ConductorStore].
func (s *Store) ListHardwareInterfaces(ctx context.Context, conductorID int64) ([]HardwareInterface, error) {
	if err := s.check(); err != nil {
		return nil, err
	}
	var rows []struct {
		HardwareType  string `db:"hardware_type"`
		InterfaceType string `db:"interface_type"`
		InterfaceName string `db:"interface_name"`
		Default       bool   `db:"default"`
	}
	err := s.db.SelectContext(ctx, &rows, s.q(`SELECT "hardware_type", "interface_type", "interface_name", "default"
		FROM conductor_hardware_interfaces WHERE "conductor_id" = ? ORDER BY "id"`), conductorID)
	if err != nil {
		return nil, s.fail("list hardware interfaces", err)
	}
	out := make([]HardwareInterface, len(rows))
	for i, r := range rows {
		out[i] = HardwareInterface{r.HardwareType, r.InterfaceType, r.InterfaceName, r.Default}
	}
	return out, nil
}

// activeSince is the oldest heartbeat of an active conductor.
func (s *Store) activeSince() any { return s.d.timeArg(s.now().Add(-s.cfg.HeartbeatTimeout)) }

// ActiveHardwareTypes implements [ConductorStore].
func (s *Store) ActiveHardwareTypes(ctx context.Context) (map[string][]string, error) {
	if err := s.check(); err != nil {
		return nil, err
	}
	var rows []struct {
		Name string `db:"hardware_type"`
		Host string `db:"hostname"`
	}
	err := s.db.SelectContext(ctx, &rows, s.q(`SELECT DISTINCT h."hardware_type", c."hostname"
		FROM conductor_hardware_interfaces h JOIN conductors c ON c."id" = h."conductor_id"
		WHERE c."online" = ? AND c."updated_at" >= ?`), true, s.activeSince())
	if err != nil {
		return nil, s.fail("active hardware types", err)
	}
	out := map[string][]string{}
	for _, r := range rows {
		out[r.Name] = append(out[r.Name], r.Host)
	}
	return sortedValues(out), nil
}

// ActiveDrivers implements [ConductorStore].
func (s *Store) ActiveDrivers(ctx context.Context) (map[string][]string, error) {
	if err := s.check(); err != nil {
		return nil, err
	}
	var rows []struct {
		ID      int64          `db:"id"`
		Host    string         `db:"hostname"`
		Drivers sql.NullString `db:"drivers"`
	}
	err := s.db.SelectContext(ctx, &rows, s.q(`SELECT "id", "hostname", "drivers" FROM conductors
		WHERE "online" = ? AND "updated_at" >= ?`), true, s.activeSince())
	if err != nil {
		return nil, s.fail("active drivers", err)
	}
	out := map[string][]string{}
	for _, r := range rows {
		if !r.Drivers.Valid {
			continue
		}
		drivers, err := DecodeJSONStrings([]byte(r.Drivers.String))
		if err != nil {
			return nil, &JSONColumnError{Table: "conductors", Column: "drivers", RowID: r.ID, Err: err}
		}
		for _, d := range drivers {
			if !slices.Contains(out[d], r.Host) {
				out[d] = append(out[d], r.Host)
			}
		}
	}
	return sortedValues(out), nil
}

// ActiveDriverHosts implements [ConductorStore] and
// hashring.ConductorLister.
func (s *Store) ActiveDriverHosts(ctx context.Context) (map[string][]string, error) {
	d, err := s.ActiveDrivers(ctx)
	if err != nil {
		return nil, err
	}
	h, err := s.ActiveHardwareTypes(ctx)
	if err != nil {
		return nil, err
	}
	maps.Copy(d, h)
	return d, nil
}

// OnlineConductors implements [ConductorStore].
func (s *Store) OnlineConductors(ctx context.Context) ([]string, error) {
	return s.hostnames(ctx, "online conductors", `WHERE "online" = ? AND "updated_at" >= ?`, true, s.activeSince())
}

// OfflineConductors implements [ConductorStore].
func (s *Store) OfflineConductors(ctx context.Context) ([]string, error) {
	return s.hostnames(ctx, "offline conductors", `WHERE "updated_at" < ?`, s.activeSince())
}

func (s *Store) hostnames(ctx context.Context, op, where string, args ...any) ([]string, error) {
	if err := s.check(); err != nil {
		return nil, err
	}
	var out []string
	if err := s.db.SelectContext(ctx, &out, s.q(`SELECT "hostname" FROM conductors `+where+` ORDER BY "hostname"`), args...); err != nil {
		return nil, s.fail(op, err)
	}
	return out, nil
}

func sortedValues(m map[string][]string) map[string][]string {
	for k := range m {
		slices.Sort(m[k])
	}
	return m
}
