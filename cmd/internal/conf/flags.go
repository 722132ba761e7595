package conf

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
)

// Flags are oslo.config's command-line options --config-file (repeatable)
// and --config-dir (repeatable).
type Flags struct {
	Files []string
	Dirs  []string
}

type listFlag struct{ l *[]string }

func (f listFlag) String() string {
	if f.l == nil {
		return ""
	}
	return strings.Join(*f.l, ",")
}

func (f listFlag) Set(v string) error { *f.l = append(*f.l, v); return nil }

// Register adds --config-file and --config-dir to fs.
func (fl *Flags) Register(fs *flag.FlagSet) {
	fs.Var(listFlag{&fl.Files}, "config-file", "configuration file to read (repeatable; later files override earlier ones)")
	fs.Var(listFlag{&fl.Dirs}, "config-dir", "directory whose *.conf files are read, sorted, after the --config-file files (repeatable)")
}

// Load reads the files given on the command line or, when none is given,
// oslo.config's defaults for project and prog (see [DefaultFiles]).
func (fl *Flags) Load(project, prog string) (*Files, error) {
	files, dirs := fl.Files, fl.Dirs
	if len(files) == 0 && len(dirs) == 0 {
		home, _ := os.UserHomeDir()
		files, dirs = DefaultFiles(project, prog, home)
	}
	return Load(files, dirs)
}

// DefaultFiles returns what oslo.config reads when neither --config-file
// nor --config-dir is given: the first <project>.conf and the first
// <prog>.conf found in ~/.<project>, ~, /etc/<project> and /etc, and the
// directory /etc/<project>/<project>.conf.d if it exists.
func DefaultFiles(project, prog, home string) (files, dirs []string) {
	var search []string
	if home != "" {
		search = append(search, filepath.Join(home, "."+project), home)
	}
	search = append(search, filepath.Join("/etc", project), "/etc")
	for _, base := range []string{project, prog} {
		if base == "" {
			continue
		}
		for _, d := range search {
			p := filepath.Join(d, base+".conf")
			if st, err := os.Stat(p); err == nil && !st.IsDir() {
				files = append(files, p)
				break
			}
		}
	}
	d := filepath.Join("/etc", project, project+".conf.d")
	if st, err := os.Stat(d); err == nil && st.IsDir() {
		dirs = append(dirs, d)
	}
	return files, dirs
}
