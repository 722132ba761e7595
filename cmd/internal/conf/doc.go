// Package conf reads oslo.config-style INI files (ironic.conf) the way
// oslo.config does: repeatable --config-file, --config-dir, later files
// overriding earlier ones, continuation lines, $option interpolation, and
// oslo's value types. The typed mapping onto each package's Config lives
// beside it (rabbit.go, ...). Only cmd/* uses it.
//
// Mirrors oslo_config.cfg.
package conf
