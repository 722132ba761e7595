package conf

import "path/filepath"

// Logging is what the commands read of oslo.log's [DEFAULT] options.
type Logging struct {
	// Debug is debug: log at debug level instead of info.
	Debug bool
	// JSON is use_json; nil when unset, which means JSON unless the log
	// goes to a terminal.
	JSON *bool
	// File is log_file (relative to log_dir when that is set); empty
	// means standard error.
	File string
}

// LoggingFrom reads debug, use_json, log_file and log_dir.
func LoggingFrom(f *Files) (Logging, error) {
	var errs []error
	l := readLogging(f, &errs)
	return l, invalid(errs)
}

func readLogging(f *Files, errs *[]error) Logging {
	def := f.Section("DEFAULT", errs)
	l := Logging{Debug: def.Bool("debug", false)}
	if def.Has("use_json") {
		j := def.Bool("use_json", false)
		l.JSON = &j
	}
	if file := def.String("log_file", ""); file != "" {
		if dir := def.String("log_dir", ""); dir != "" && !filepath.IsAbs(file) {
			file = filepath.Join(dir, file)
		}
		l.File = file
	}
	return l
}
