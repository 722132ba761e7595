package conf

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"
)

// ErrSyntax is a malformed configuration file.
var ErrSyntax = errors.New("conf: syntax error")

// value is one option's raw value and where it came from.
type value struct {
	raw    string
	source string // file:line
}

// Files is the merged content of a set of configuration files: for every
// section and option, the last value given.
type Files struct {
	sections map[string]map[string]value
	names    []string
}

// NewFiles returns an empty set.
func NewFiles() *Files { return &Files{sections: map[string]map[string]value{}} }

// Load reads the files named by --config-file (in order) and then the
// *.conf files of each --config-dir (sorted by name), as oslo.config does.
// A file that cannot be read or parsed is an error naming it.
func Load(configFiles, configDirs []string) (*Files, error) {
	f := NewFiles()
	paths := slices.Clone(configFiles)
	for _, dir := range configDirs {
		matches, err := filepath.Glob(filepath.Join(dir, "*.conf"))
		if err != nil {
			return nil, fmt.Errorf("config dir %s: %w", dir, err)
		}
		if _, err := os.Stat(dir); err != nil {
			return nil, fmt.Errorf("config dir %s: %w", dir, err)
		}
		slices.Sort(matches)
		paths = append(paths, matches...)
	}
	for _, p := range paths {
		fh, err := os.Open(p)
		if err != nil {
			return nil, fmt.Errorf("config file: %w", err)
		}
		err = f.Parse(fh, p)
		fh.Close()
		if err != nil {
			return nil, err
		}
	}
	return f, nil
}

// Parse merges one INI document into f; name is used in error messages.
func (f *Files) Parse(r io.Reader, name string) error {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 4<<20)
	section := ""
	var lastKey string
	lineNo := 0
	for sc.Scan() {
		lineNo++
		line := strings.TrimRight(sc.Text(), " \t\r")
		if lineNo == 1 {
			line = strings.TrimPrefix(line, "\ufeff")
		}
		trimmed := strings.TrimSpace(line)
		switch {
		case trimmed == "" || trimmed[0] == '#' || trimmed[0] == ';':
			lastKey = ""
			continue
		case line[0] == ' ' || line[0] == '\t':
			// A continuation line extends the previous value.
			if lastKey == "" {
				return fmt.Errorf("%w: %s:%d: unexpected continuation line", ErrSyntax, name, lineNo)
			}
			v := f.sections[section][lastKey]
			v.raw += "\n" + trimmed
			f.sections[section][lastKey] = v
			continue
		case trimmed[0] == '[':
			if !strings.HasSuffix(trimmed, "]") || len(trimmed) < 3 {
				return fmt.Errorf("%w: %s:%d: invalid section header %q", ErrSyntax, name, lineNo, trimmed)
			}
			section = strings.TrimSpace(trimmed[1 : len(trimmed)-1])
			if section == "" {
				return fmt.Errorf("%w: %s:%d: empty section name", ErrSyntax, name, lineNo)
			}
			if f.sections[section] == nil {
				f.sections[section] = map[string]value{}
				f.names = append(f.names, section)
			}
			lastKey = ""
			continue
		}
		if section == "" {
			return fmt.Errorf("%w: %s:%d: option outside of any section", ErrSyntax, name, lineNo)
		}
		i := strings.IndexAny(trimmed, "=:")
		if i <= 0 {
			return fmt.Errorf("%w: %s:%d: expected \"name = value\"", ErrSyntax, name, lineNo)
		}
		key := strings.TrimSpace(trimmed[:i])
		val := strings.TrimSpace(trimmed[i+1:])
		if len(val) >= 2 && (val[0] == '"' && val[len(val)-1] == '"' || val[0] == '\'' && val[len(val)-1] == '\'') {
			val = val[1 : len(val)-1]
		}
		f.sections[section][key] = value{raw: val, source: fmt.Sprintf("%s:%d", name, lineNo)}
		lastKey = key
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("config file %s: %w", name, err)
	}
	return nil
}

// Sections returns the section names in the order first seen.
func (f *Files) Sections() []string { return slices.Clone(f.names) }

// Set stores a value (for command-line overrides and tests).
func (f *Files) Set(section, key, raw string) {
	if f.sections[section] == nil {
		f.sections[section] = map[string]value{}
		f.names = append(f.names, section)
	}
	f.sections[section][key] = value{raw: raw, source: "override"}
}

// lookup returns the raw value of section/key with $name and ${name}
// interpolated from the same section or [DEFAULT], as oslo.config does
// ("$$" is a literal "$").
func (f *Files) lookup(section, key string) (string, string, bool) {
	v, ok := f.sections[section][key]
	if !ok {
		return "", "", false
	}
	s, err := f.interpolate(section, v.raw, 0)
	if err != nil {
		return v.raw, v.source, true
	}
	return s, v.source, true
}

func (f *Files) interpolate(section, s string, depth int) (string, error) {
	if !strings.Contains(s, "$") {
		return s, nil
	}
	if depth > 10 {
		return "", errors.New("interpolation too deep")
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != '$' {
			b.WriteByte(c)
			continue
		}
		if i+1 < len(s) && s[i+1] == '$' {
			b.WriteByte('$')
			i++
			continue
		}
		var name string
		if i+1 < len(s) && s[i+1] == '{' {
			end := strings.IndexByte(s[i+2:], '}')
			if end < 0 {
				b.WriteString(s[i:])
				break
			}
			name = s[i+2 : i+2+end]
			i += 2 + end
		} else {
			j := i + 1
			for j < len(s) && (s[j] == '_' || s[j] >= 'a' && s[j] <= 'z' || s[j] >= 'A' && s[j] <= 'Z' || s[j] >= '0' && s[j] <= '9' || s[j] == '.') {
				j++
			}
			name = s[i+1 : j]
			i = j - 1
		}
		grp, opt := section, name
		if g, o, ok := strings.Cut(name, "."); ok {
			grp, opt = g, o
		}
		v, ok := f.sections[grp][opt]
		if !ok {
			v, ok = f.sections["DEFAULT"][opt]
		}
		if !ok {
			b.WriteString("$" + name)
			continue
		}
		sub, err := f.interpolate(grp, v.raw, depth+1)
		if err != nil {
			return "", err
		}
		b.WriteString(sub)
	}
	return b.String(), nil
}

// Reader reads typed options of one section and collects every problem,
// so a bad file is reported in one go.
type Reader struct {
	f       *Files
	section string
	errs    *[]error
}

// Section returns a Reader for section; problems go to errs.
func (f *Files) Section(section string, errs *[]error) *Reader {
	return &Reader{f: f, section: section, errs: errs}
}

func (r *Reader) bad(key, source, format string, args ...any) {
	*r.errs = append(*r.errs, fmt.Errorf("[%s] %s (%s): %s", r.section, key, source, fmt.Sprintf(format, args...)))
}

// Has reports whether the option is set.
func (r *Reader) Has(key string) bool {
	_, _, ok := r.f.lookup(r.section, key)
	return ok
}

// String returns the option or def.
func (r *Reader) String(key, def string) string {
	if v, _, ok := r.f.lookup(r.section, key); ok {
		return v
	}
	return def
}

// Bool parses oslo's booleans: true/false, yes/no, on/off, 1/0.
func (r *Reader) Bool(key string, def bool) bool {
	v, src, ok := r.f.lookup(r.section, key)
	if !ok {
		return def
	}
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "true", "yes", "on", "1":
		return true
	case "false", "no", "off", "0":
		return false
	}
	r.bad(key, src, "%q is not a boolean", v)
	return def
}

// Int parses an integer option with an optional inclusive minimum.
func (r *Reader) Int(key string, def int, min *int) int {
	v, src, ok := r.f.lookup(r.section, key)
	if !ok {
		return def
	}
	n, err := strconv.Atoi(strings.TrimSpace(v))
	if err != nil {
		r.bad(key, src, "%q is not an integer", v)
		return def
	}
	if min != nil && n < *min {
		r.bad(key, src, "%d is below the minimum %d", n, *min)
		return def
	}
	return n
}

// Seconds parses an option given in (possibly fractional) seconds.
func (r *Reader) Seconds(key string, def time.Duration) time.Duration {
	v, src, ok := r.f.lookup(r.section, key)
	if !ok {
		return def
	}
	x, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
	if err != nil || x < 0 {
		r.bad(key, src, "%q is not a number of seconds", v)
		return def
	}
	return time.Duration(x * float64(time.Second))
}

// List parses a comma-separated list option (oslo's ListOpt).
func (r *Reader) List(key string, def []string) []string {
	v, _, ok := r.f.lookup(r.section, key)
	if !ok {
		return def
	}
	var out []string
	for _, p := range strings.Split(v, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// Choice returns the option if it is one of choices (case-sensitive).
func (r *Reader) Choice(key, def string, choices ...string) string {
	v, src, ok := r.f.lookup(r.section, key)
	if !ok {
		return def
	}
	if !slices.Contains(choices, v) {
		r.bad(key, src, "%q is not one of %s", v, strings.Join(choices, ", "))
		return def
	}
	return v
}
