package conf

import (
	"github.com/ironic-go/ironic-go/drivers"
)

// DriversFrom reads [DEFAULT] enabled_hardware_types (default ipmi,
// redfish, as Ironic), and enabled_<type>_interfaces and
// default_<type>_interface for each interface type, onto
// drivers.DefaultConfig. Lists left unset are computed by the registry
// from the enabled hardware types, except enabled_storage_interfaces,
// which defaults to Ironic's list less cinder (noop), to go with
// default_storage_interface's noop. Whether the names exist is the
// registry's to say (drivers.NewRegistry).
func DriversFrom(f *Files) (drivers.Config, error) {
	var errs []error
	c := readDrivers(f, &errs)
	return c, invalid(errs)
}

func readDrivers(f *Files, errs *[]error) drivers.Config {
	def := f.Section("DEFAULT", errs)
	c := drivers.DefaultConfig()
	c.EnabledHardwareTypes = def.List("enabled_hardware_types", c.EnabledHardwareTypes)
	c.EnabledInterfaces = map[drivers.InterfaceType][]string{}
	if c.DefaultInterfaces == nil {
		c.DefaultInterfaces = map[drivers.InterfaceType]string{}
	}
	for _, t := range drivers.InterfaceTypes() {
		if l := def.List("enabled_"+string(t)+"_interfaces", nil); len(l) > 0 {
			c.EnabledInterfaces[t] = l
		} else if t == drivers.InterfaceStorage && !def.Has("enabled_storage_interfaces") {
			// Ironic's default is cinder,noop (with default_storage_interface
			// noop); this project has no cinder.
			c.EnabledInterfaces[t] = []string{drivers.NoopStorageName}
		}
		if key := "default_" + string(t) + "_interface"; def.Has(key) {
			if d := def.String(key, ""); d != "" {
				c.DefaultInterfaces[t] = d
			} else {
				delete(c.DefaultInterfaces, t) // computed per hardware type
			}
		}
	}
	if err := c.Validate(); err != nil {
		*errs = append(*errs, err)
	}
	return c
}
