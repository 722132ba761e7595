package rabbit

// IsOption reports whether name is an [oslo_messaging_rabbit] option this
// driver reads or knowingly ignores, so a configuration file reader can
// pass the known ones to ApplyQuery and skip the rest, as oslo.config
// ignores unregistered options.
func IsOption(name string) bool {
	_, ok := queryOptions[name]
	return ok || ignoredOptions[name]
}
