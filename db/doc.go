// Package db is the storage API shared by a cluster of conductors: nodes
// and their exclusive locks, ports, portgroups, volume connectors and
// targets, chassis, and conductor membership (registration, heartbeat,
// the active set behind the hash ring, offline conductors), on sqlx.
//
// # Backends
//
// PostgreSQL (lib/pq) for a cluster, SQLite (modernc.org/sqlite, pure Go)
// as the embedded default for a single conductor. [Open] takes Ironic's
// [database] connection string (postgresql://, postgresql+psycopg2://,
// sqlite:///relative, sqlite:////absolute, or "" for the embedded file).
// On SQLite the database runs in WAL mode with a busy timeout and foreign
// keys on; a process has one writer at a time, and write transactions are
// BEGIN IMMEDIATE, so lock reservation stays correct across processes.
//
// # Schema
//
// The tables are Ironic 21.4's, column for column (types, defaults,
// constraint and index names), so that a Python ironic-api or conductor
// and a Go conductor can share one database:
//
//   - On a database that ironic-dbsync created (it has alembic_version),
//     Open migrates nothing and uses Ironic's tables as they are.
//   - On any other database the embedded goose migrations create the same
//     tables; goose's version table is goose_db_version.
//
// Columns of Ironic 21.4 that the RPC 1.40 objects lack get Ironic's
// defaults on insert (an empty conductor_group, protected false, deploy_step
// '{}', is_smartnic false, ...). Every row written carries the "version"
// column Ironic's objects layer requires, set to the oldest object version
// Ironic 21.4 still accepts that covers our fields (Node 1.21, Port 1.7,
// Portgroup 1.3, VolumeConnector 1.0, VolumeTarget 1.0, Conductor 1.2,
// Chassis 1.3, as Ironic 9.2 wrote them): Ironic reads such rows through its
// own upgrade path, and `ironic-dbsync upgrade` accepts them. JSON columns
// are written byte for byte as Python's json.dumps writes them.
//
// # Errors
//
// Ironic's conditions are *exception.Error values from objects/exception
// (NodeNotFound, NodeLocked, NodeNotLocked, DuplicateName,
// NodeAlreadyExists, InstanceAssociated, MACAlreadyExists, InvalidUUID,
// ...). A lost connection matches [ErrConnection]; the pool reconnects by
// itself. A JSON column that does not hold JSON gives a [*JSONColumnError].
// Writes are transactions: a refused write leaves nothing behind. No error
// or log message contains the database password.
//
// Mirrors ironic.db.api and ironic.db.sqlalchemy (api.py, models.py).
package db
