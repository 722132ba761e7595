package db

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Backend names a database engine.
type Backend string

// The backends. The names are SQLAlchemy's dialect names.
const (
	BackendPostgreSQL Backend = "postgresql"
	BackendSQLite     Backend = "sqlite"
)

// Connection is a parsed [database] connection string. Its String form
// masks the password; the driver's data source name stays unexported.
type Connection struct {
	// Backend is the engine.
	Backend Backend
	// Path is the SQLite database file (BackendSQLite only), as given:
	// relative paths are relative to the working directory.
	Path string

	dsn      string // driver data source name; holds the password
	secret   string // the password, to mask in errors ("" if none)
	redacted string // the connection string with the password masked
}

// String returns the connection string with its password masked as "***".
func (c Connection) String() string { return c.redacted }

// ParseConnection parses a connection string as Ironic's [database]
// connection option writes it (SQLAlchemy URLs):
//
//	postgresql://user:pass@host:5432/dbname?sslmode=disable
//	postgresql+psycopg2://user:pass@host/dbname   (any +driver; also postgres://)
//	sqlite:///relative/path.db                    (relative to the working directory)
//	sqlite:////absolute/path.db
//	""                                            (the embedded default: SQLite at defaultSQLitePath)
//
// PostgreSQL query parameters are libpq's (sslmode, connect_timeout,
// options, application_name, ...); sslmode defaults to "prefer" as libpq's
// does, and a URL without a host uses the Unix socket in
// /var/run/postgresql, as Debian's libpq. SQLite in-memory URLs
// ("sqlite://") are refused: a conductor's database must outlive it.
// Errors wrap [ErrBadConnection] and never contain the password.
func ParseConnection(s, defaultSQLitePath string) (Connection, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		if defaultSQLitePath == "" {
			return Connection{}, fmt.Errorf("%w: empty connection string and no embedded default SQLite path", ErrBadConnection)
		}
		return sqliteConnection(defaultSQLitePath, "sqlite:///"+defaultSQLitePath)
	}
	scheme, rest, ok := strings.Cut(s, "://")
	if !ok {
		return Connection{}, fmt.Errorf("%w: %q has no scheme (expected postgresql:// or sqlite:///)", ErrBadConnection, maskUserinfo(s))
	}
	dialect, _, _ := strings.Cut(strings.ToLower(scheme), "+")
	switch dialect {
	case "postgresql", "postgres":
		return parsePostgres(s, rest)
	case "sqlite":
		return parseSQLite(s, rest)
	case "mysql", "mariadb":
		return Connection{}, fmt.Errorf("%w: %s is not supported; use postgresql:// or sqlite:///", ErrBadConnection, dialect)
	}
	return Connection{}, fmt.Errorf("%w: unknown database scheme %q", ErrBadConnection, scheme)
}

// maskUserinfo masks what looks like a password ("user:secret@") in s,
// for error messages about strings that did not parse.
func maskUserinfo(s string) string {
	start := 0
	if i := strings.Index(s, "://"); i >= 0 {
		start = i + 3
	}
	at := strings.LastIndex(s, "@")
	if at < start {
		return s
	}
	colon := strings.Index(s[start:at], ":")
	if colon < 0 {
		return s
	}
	return s[:start+colon+1] + "***" + s[at:]
}

func parsePostgres(orig, rest string) (Connection, error) {
	u, err := url.Parse("postgres://" + rest)
	if err != nil {
		return Connection{}, fmt.Errorf("%w: cannot parse %q", ErrBadConnection, maskUserinfo(orig))
	}
	if u.Fragment != "" {
		return Connection{}, fmt.Errorf("%w: %q has a fragment", ErrBadConnection, maskUserinfo(orig))
	}
	if u.Port() != "" {
		if p, err := strconv.Atoi(u.Port()); err != nil || p <= 0 || p > 65535 {
			return Connection{}, fmt.Errorf("%w: invalid port %q", ErrBadConnection, u.Port())
		}
	}
	q := u.Query()
	var secret string
	if pw, ok := u.User.Password(); ok {
		secret = pw
	}
	if pw := q.Get("password"); pw != "" {
		if secret == "" {
			secret = pw
		}
	}
	if q.Get("sslmode") == "" {
		q.Set("sslmode", "prefer")
	}
	// lib/pq's own option: send parameters with the query instead of
	// preparing it first, one round trip per query instead of two.
	if q.Get("binary_parameters") == "" {
		q.Set("binary_parameters", "yes")
	}
	if u.Hostname() == "" && q.Get("host") == "" {
		q.Set("host", "/var/run/postgresql")
	}
	q.Del("charset") // a MySQL option SQLAlchemy URLs sometimes carry
	dbname := strings.TrimPrefix(u.Path, "/")
	if dbname == "" && q.Get("dbname") == "" {
		return Connection{}, fmt.Errorf("%w: %q names no database", ErrBadConnection, maskUserinfo(orig))
	}

	driverURL := *u
	driverURL.RawQuery = q.Encode()

	// The masked form keeps the user's spelling (scheme, query) but masks
	// the password in the userinfo and in a password= parameter.
	shown, _ := url.Parse(orig)
	if shown == nil {
		shown = &url.URL{}
	}
	if shown.User != nil {
		if _, ok := shown.User.Password(); ok {
			shown.User = url.UserPassword(shown.User.Username(), "***")
		}
	}
	if sq := shown.Query(); sq.Has("password") {
		sq.Set("password", "***")
		shown.RawQuery = sq.Encode()
	}
	return Connection{
		Backend: BackendPostgreSQL,
		dsn:     driverURL.String(),
		secret:  secret,
		// url escapes the mask's asterisks; show them as typed.
		redacted: strings.ReplaceAll(shown.String(), "%2A%2A%2A", "***"),
	}, nil
}

func parseSQLite(orig, rest string) (Connection, error) {
	path, _, _ := strings.Cut(rest, "?") // SQLAlchemy's sqlite options do not apply
	// "sqlite:///rel" gives "/rel"; "sqlite:////abs" gives "//abs".
	if !strings.HasPrefix(path, "/") {
		return Connection{}, fmt.Errorf("%w: %q: a SQLite URL has no host: use sqlite:///relative or sqlite:////absolute", ErrBadConnection, orig)
	}
	path = path[1:]
	if path == "" || path == ":memory:" {
		return Connection{}, fmt.Errorf("%w: %q: in-memory SQLite is not supported; give a file", ErrBadConnection, orig)
	}
	if p, err := url.PathUnescape(path); err == nil {
		path = p
	}
	return sqliteConnection(path, orig)
}

// sqliteBusyTimeout is how long a SQLite writer waits for another
// process's write lock before giving up with "database is locked".
const sqliteBusyTimeout = 30 * time.Second

func sqliteConnection(path, shown string) (Connection, error) {
	if strings.ContainsRune(path, 0) {
		return Connection{}, fmt.Errorf("%w: SQLite path contains a NUL byte", ErrBadConnection)
	}
	// modernc.org/sqlite opens "file:" names as SQLite URIs: escape what a
	// URI path cannot hold literally.
	esc := strings.NewReplacer("%", "%25", "?", "%3f", "#", "%23").Replace(path)
	q := url.Values{}
	q.Add("_pragma", "busy_timeout("+strconv.FormatInt(sqliteBusyTimeout.Milliseconds(), 10)+")")
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "foreign_keys(1)")
	q.Add("_pragma", "synchronous(NORMAL)")
	q.Set("_txlock", "immediate")
	return Connection{
		Backend:  BackendSQLite,
		Path:     path,
		dsn:      "file:" + esc + "?" + q.Encode(),
		redacted: shown,
	}, nil
}
