// Package dbtest holds the conformance suite every [db.API] backend must
// pass ([RunAPITests]), a settable clock for the stores' Config.Now, and
// helpers that give each test its own database: a SQLite file, a
// PostgreSQL schema, or a PostgreSQL database copied from a template (for
// databases made by Ironic's ironic-dbsync).
//
// Mirrors ironic.tests.unit.db (the database API tests of Ironic).
package dbtest
