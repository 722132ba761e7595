package conf

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

const sample = `# comment
[DEFAULT]
host = cond-1
state_path = /var/lib/ironic
tempdir = $state_path/tmp
transport_url = rabbit://guest:s3cret@127.0.0.1:5672/
enabled_hardware_types = fake-hardware, ipmi ,
debug = True

[conductor]
heartbeat_interval = 5
heartbeat_timeout: 60
quoted = "spaced value"
multi = first
    second
; another comment
dollar = price $$5
`

func load(t *testing.T, docs ...string) *Files {
	t.Helper()
	f := NewFiles()
	for i, d := range docs {
		if err := f.Parse(strings.NewReader(d), "doc"+string(rune('0'+i))); err != nil {
			t.Fatal(err)
		}
	}
	return f
}

func TestParseAndRead(t *testing.T) {
	f := load(t, sample)
	var errs []error
	d := f.Section("DEFAULT", &errs)
	c := f.Section("conductor", &errs)
	if got := d.String("tempdir", ""); got != "/var/lib/ironic/tmp" {
		t.Errorf("interpolation: %q", got)
	}
	if got := d.List("enabled_hardware_types", nil); strings.Join(got, "|") != "fake-hardware|ipmi" {
		t.Errorf("list: %q", got)
	}
	if !d.Bool("debug", false) || d.Bool("missing", false) {
		t.Error("bool")
	}
	if c.Int("heartbeat_interval", 10, nil) != 5 || c.Seconds("heartbeat_timeout", 0) != 60*time.Second {
		t.Error("int / colon separator")
	}
	if c.String("quoted", "") != "spaced value" || c.String("multi", "") != "first\nsecond" || c.String("dollar", "") != "price $5" {
		t.Errorf("quoted %q multi %q dollar %q", c.String("quoted", ""), c.String("multi", ""), c.String("dollar", ""))
	}
	if len(errs) != 0 {
		t.Fatal(errs)
	}
	min := 1
	bad := load(t, "[x]\nb = maybe\ni = 0\ns = soon\nc = blue\n")
	r := bad.Section("x", &errs)
	r.Bool("b", false)
	r.Int("i", 3, &min)
	r.Seconds("s", 0)
	r.Choice("c", "red", "red", "green")
	if len(errs) != 4 {
		t.Errorf("want 4 problems, got %v", errs)
	}
	for _, e := range errs {
		if !strings.Contains(e.Error(), "[x]") || !strings.Contains(e.Error(), "doc0:") {
			t.Errorf("problem without location: %v", e)
		}
	}
}

func TestLaterFilesOverride(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	a := write("a.conf.main", "[DEFAULT]\nhost = a\nx = 1\n")
	sub := filepath.Join(dir, "d")
	os.Mkdir(sub, 0o755)
	os.WriteFile(filepath.Join(sub, "20-b.conf"), []byte("[DEFAULT]\nhost = b\n"), 0o600)
	os.WriteFile(filepath.Join(sub, "10-c.conf"), []byte("[DEFAULT]\nhost = c\ny = 2\n"), 0o600)
	os.WriteFile(filepath.Join(sub, "ignored.txt"), []byte("garbage"), 0o600)
	f, err := Load([]string{a}, []string{sub})
	if err != nil {
		t.Fatal(err)
	}
	var errs []error
	d := f.Section("DEFAULT", &errs)
	if d.String("host", "") != "b" || d.String("x", "") != "1" || d.String("y", "") != "2" {
		t.Errorf("merge order wrong: host=%s", d.String("host", ""))
	}
	if _, err := Load([]string{filepath.Join(dir, "missing.conf")}, nil); err == nil {
		t.Error("missing file accepted")
	}
}

func TestSyntaxErrors(t *testing.T) {
	for _, doc := range []string{"key = outside\n", "[unclosed\n", "[]\n", "[s]\n  continuation first\n", "[s]\nnovalue\n"} {
		err := NewFiles().Parse(strings.NewReader(doc), "bad.conf")
		if !errors.Is(err, ErrSyntax) || !strings.Contains(err.Error(), "bad.conf:") {
			t.Errorf("%q: %v, want ErrSyntax with a location", doc, err)
		}
	}
}

func FuzzConfLoad(f *testing.F) {
	f.Add(sample)
	f.Add("[a]\nb=$c\nc=$b\n")
	f.Add("[a]\nx = ${DEFAULT.y}\n[DEFAULT]\ny = $$z\n")
	f.Add(overrides)
	f.Add("[DEFAULT]\nenabled_hardware_types = ,\ndefault_storage_interface =\n[database]\nconnection = sqlite:///$state_path/x\n")
	f.Fuzz(func(t *testing.T, doc string) {
		files := NewFiles()
		if err := files.Parse(strings.NewReader(doc), "fuzz"); err != nil {
			return
		}
		// The typed mapping takes any parsed file without panicking.
		_, _ = DaemonFrom(files, "fuzz-host")
		var errs []error
		for _, s := range files.Sections() {
			r := files.Section(s, &errs)
			for k := range files.sections[s] {
				_ = r.String(k, "")
				_ = r.List(k, nil)
				_ = r.Bool(k, false)
			}
		}
	})
}
