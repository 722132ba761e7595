package db

import (
	"errors"
	"strings"
	"testing"
)

func TestParseConnection(t *testing.T) {
	cases := []struct {
		in, def          string
		backend          Backend
		path, shown, dsn string // dsn: a substring the driver DSN must hold
		secret           string
	}{
		{in: "postgresql://ironic:s3cret@db.example:5432/ironic", backend: BackendPostgreSQL,
			shown: "postgresql://ironic:***@db.example:5432/ironic", dsn: "postgres://ironic:s3cret@db.example:5432/ironic?binary_parameters=yes&sslmode=prefer", secret: "s3cret"},
		{in: "postgresql+psycopg2://ironic:p%40ss@127.0.0.1/ironic?sslmode=disable", backend: BackendPostgreSQL,
			shown: "postgresql+psycopg2://ironic:***@127.0.0.1/ironic?sslmode=disable", dsn: "sslmode=disable", secret: "p@ss"},
		{in: "postgres://postgres@127.0.0.1:5432/test?sslmode=disable&options=-csearch_path%3Dx", backend: BackendPostgreSQL,
			shown: "postgres://postgres@127.0.0.1:5432/test?sslmode=disable&options=-csearch_path%3Dx", dsn: "options=-csearch_path%3Dx"},
		{in: "postgresql://u@/ironic", backend: BackendPostgreSQL, shown: "postgresql://u@/ironic", dsn: "host=%2Fvar%2Frun%2Fpostgresql"},
		{in: "postgresql://u@h/db?password=hunter22&charset=utf8", backend: BackendPostgreSQL,
			shown: "postgresql://u@h/db?charset=utf8&password=***", dsn: "password=hunter22", secret: "hunter22"},
		{in: "sqlite:///relative/ironic.sqlite", backend: BackendSQLite, path: "relative/ironic.sqlite",
			shown: "sqlite:///relative/ironic.sqlite", dsn: "file:relative/ironic.sqlite?"},
		{in: "sqlite:////var/lib/ironic/ironic.sqlite", backend: BackendSQLite, path: "/var/lib/ironic/ironic.sqlite",
			shown: "sqlite:////var/lib/ironic/ironic.sqlite", dsn: "_txlock=immediate"},
		{in: "sqlite:////tmp/we?ird#name.db", backend: BackendSQLite, path: "/tmp/we",
			shown: "sqlite:////tmp/we?ird#name.db", dsn: "file:/tmp/we?"},
		{in: "", def: "/state/ironic.sqlite", backend: BackendSQLite, path: "/state/ironic.sqlite",
			shown: "sqlite:////state/ironic.sqlite", dsn: "journal_mode%28WAL%29"},
		{in: "", def: "/st#ate/a?b%c.db", backend: BackendSQLite, path: "/st#ate/a?b%c.db",
			dsn: "file:/st%23ate/a%3fb%25c.db?", shown: "sqlite:////st#ate/a?b%c.db"},
	}
	for _, c := range cases {
		got, err := ParseConnection(c.in, c.def)
		if err != nil {
			t.Errorf("%q: %v", c.in, err)
			continue
		}
		if got.Backend != c.backend || got.Path != c.path || got.String() != c.shown || got.secret != c.secret {
			t.Errorf("%q: got backend %s path %q shown %q secret %q", c.in, got.Backend, got.Path, got.String(), got.secret)
		}
		if !strings.Contains(got.dsn, c.dsn) {
			t.Errorf("%q: driver DSN %q lacks %q", c.in, got.dsn, c.dsn)
		}
		if c.secret != "" && strings.Contains(got.String(), c.secret) {
			t.Errorf("%q: String() shows the password", c.in)
		}
	}
}

func TestParseConnectionRefused(t *testing.T) {
	for _, in := range []string{
		"", "sqlite://", "sqlite:///", "sqlite:///:memory:", "sqlite://host/x.db",
		"mysql+pymysql://ironic:topsecret@db/ironic", "postgresql://u:topsecret@h:99999/db",
		"postgresql://u:topsecret@h/", "ironic.sqlite", "oracle://x/y", "postgresql://u:topsecret@h/db#frag",
		"postgresql://u:topsecret@[::1/db",
	} {
		_, err := ParseConnection(in, "")
		if !errors.Is(err, ErrBadConnection) {
			t.Errorf("%q: got %v, want ErrBadConnection", in, err)
			continue
		}
		if strings.Contains(err.Error(), "topsecret") {
			t.Errorf("%q: error shows the password: %v", in, err)
		}
	}
}

func TestMaskUserinfo(t *testing.T) {
	for in, want := range map[string]string{
		"postgresql://u:pw@h/db":        "postgresql://u:***@h/db",
		"postgresql://u@h/db":           "postgresql://u@h/db",
		"postgresql://u:p@ss:w@rd@h/db": "postgresql://u:***@h/db",
		"no scheme u:pw@host":           "no scheme u:***@host",
		"postgresql://h/db?x=a:b@c":     "postgresql://h/db?x=a:***@c",
	} {
		if got := maskUserinfo(in); got != want {
			t.Errorf("maskUserinfo(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestRedact(t *testing.T) {
	base := errors.New("dial postgresql://u:Sekr1t@h failed")
	err := redact(base, "Sekr1t")
	if strings.Contains(err.Error(), "Sekr1t") || !errors.Is(err, base) {
		t.Errorf("redact: %v", err)
	}
	if redact(nil, "x") != nil || redact(base, "").Error() != base.Error() {
		t.Errorf("redact of nil or without a secret changed the error")
	}
}
