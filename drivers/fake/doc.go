// Package fake is the fake-hardware hardware type and its "fake"
// interface implementations, which touch no hardware: power state lives in
// the node's power_state, deploy and inspection finish at once, vendor
// passthru offers Ironic's test methods. It is what Ironic's functional
// tests and a conductor without a BMC use.
//
// Behaviour follows Ironic 7.0.0 (the 1.40 release) where 21.4 differs:
// fake power supports power on, power off and rebooting only (21.4 adds
// the soft states), and Deploy returns "deploy complete" (21.4 uses
// deploy steps and returns None). Like Ironic, fake-hardware accepts any
// enabled implementation of every interface; its supported lists only
// order the defaults.
//
// Use [Catalog] together with drivers.NoopCatalog(), whose no-op
// implementations fake-hardware lists after its fake ones.
//
// Mirrors ironic.drivers.fake_hardware and ironic.drivers.modules.fake.
package fake
