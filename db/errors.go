package db

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"syscall"
)

// Sentinels of this package. Ironic's own conditions (NodeNotFound,
// NodeLocked, DuplicateName, ...) are *exception.Error values instead.
var (
	// ErrConnection is matched (errors.Is) by every error caused by a
	// database connection that could not be made or was lost, Ironic's
	// DBConnectionError. The pool reconnects by itself: the next call may
	// succeed.
	ErrConnection = errors.New("db: database connection failed")
	// ErrBadConnection is returned by [ParseConnection] and [Open] for a
	// connection string they cannot use. Its messages never hold a password.
	ErrBadConnection = errors.New("db: invalid database connection string")
	// ErrSchema is returned by [Open] when the database's tables lack
	// columns this package needs, or were made by neither our migrations
	// nor ironic-dbsync.
	ErrSchema = errors.New("db: unusable database schema")
	// ErrClosed is returned by calls on a closed [Store].
	ErrClosed = errors.New("db: store is closed")
)

// JSONColumnError reports a JSON column whose stored text cannot be read:
// not JSON, or not the JSON type the column holds (an object for dict
// columns, a list of strings for conductors.drivers).
type JSONColumnError struct {
	Table  string
	Column string
	RowID  int64 // 0 if unknown
	Err    error
}

func (e *JSONColumnError) Error() string {
	row := ""
	if e.RowID != 0 {
		row = fmt.Sprintf(" (id %d)", e.RowID)
	}
	return fmt.Sprintf("db: %s.%s%s holds invalid JSON: %v", e.Table, e.Column, row, e.Err)
}

func (e *JSONColumnError) Unwrap() error { return e.Err }

// connError marks a connection failure; it matches ErrConnection and
// unwraps to the driver's error.
type connError struct {
	op  string
	err error
}

func (e *connError) Error() string {
	return fmt.Sprintf("db: %s: database connection failed: %v", e.op, e.err)
}

func (e *connError) Unwrap() []error { return []error{ErrConnection, e.err} }

// redacted hides a secret (the database password) in an error's message
// while keeping the error chain for errors.Is and errors.As.
type redacted struct {
	err    error
	secret string
}

func (e *redacted) Error() string {
	return strings.ReplaceAll(e.err.Error(), e.secret, "***")
}

func (e *redacted) Unwrap() error { return e.err }

// redact wraps err so that its message never shows secret.
func redact(err error, secret string) error {
	if err == nil || secret == "" || !strings.Contains(err.Error(), secret) {
		return err
	}
	return &redacted{err: err, secret: secret}
}

// sqlStater is implemented by lib/pq's *pq.Error.
type sqlStater interface{ SQLState() string }

// isConnectionError reports whether err means the database connection
// could not be made or was lost (as opposed to a refused statement).
func isConnectionError(err error) bool {
	if err == nil {
		return false
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return false
	}
	if errors.Is(err, driver.ErrBadConn) || errors.Is(err, sql.ErrConnDone) ||
		errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.ECONNRESET) ||
		errors.Is(err, syscall.EPIPE) || errors.Is(err, net.ErrClosed) {
		return true
	}
	var ne net.Error
	if errors.As(err, &ne) {
		return true
	}
	var st sqlStater
	if errors.As(err, &st) {
		code := st.SQLState()
		// Class 08: connection exception; 57P01..57P03: the server is
		// shutting down, crashed, or not yet accepting connections (what
		// pg_terminate_backend gives); 53300: too many connections.
		return strings.HasPrefix(code, "08") || code == "57P01" || code == "57P02" ||
			code == "57P03" || code == "53300"
	}
	return false
}
