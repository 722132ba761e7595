package redfish

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/stmcginnis/gofish/schemas"

	"github.com/ironic-go/ironic-go/drivers"
	"github.com/ironic-go/ironic-go/objects"
	"github.com/ironic-go/ironic-go/objects/exception"
)

// Inspect is the "redfish" inspect interface (RedfishInspect): it reads
// memory, processors, storage and boot mode into the node's properties
// and creates a port for every enabled NIC, in one synchronous call.
type Inspect struct{ d *Driver }

var _ drivers.InspectInterface = (*Inspect)(nil)

// essentialProperties are InspectInterface.ESSENTIAL_PROPERTIES.
var essentialProperties = []string{"cpu_arch", "cpus", "local_gb", "memory_mb"}

// cpuArch is Ironic's CPU_ARCH_MAP (Power has no entry).
var cpuArch = map[schemas.ProcessorArchitecture]string{
	schemas.X86ProcessorArchitecture:  "x86_64",
	schemas.IA64ProcessorArchitecture: "ia64",
	schemas.ARMProcessorArchitecture:  "arm",
	schemas.MIPSProcessorArchitecture: "mips",
	schemas.OEMProcessorArchitecture:  "oem",
}

// knownArch are the ProcessorArchitecture values sushy maps (others read
// as None).
var knownArch = []schemas.ProcessorArchitecture{
	schemas.X86ProcessorArchitecture, schemas.IA64ProcessorArchitecture, schemas.ARMProcessorArchitecture,
	schemas.MIPSProcessorArchitecture, schemas.PowerProcessorArchitecture, schemas.OEMProcessorArchitecture,
}

const gib = 1 << 30

// Properties returns the redfish driver_info properties.
func (i *Inspect) Properties() map[string]string { return Properties() }

// Validate checks the node's driver_info.
func (i *Inspect) Validate(_ context.Context, task *drivers.Task) error {
	_, err := i.d.parse(task)
	return err
}

// InspectHardware sets the node's properties as Ironic's redfish
// inspection does: memory_mb (a string, TotalSystemMemoryGiB × 1024),
// cpus (an integer, the processors' threads), cpu_arch, local_gb (a
// string: the smallest disk or volume of at least 4 GiB, in GiB, minus
// one; "0" without one) and the boot_mode capability (unless set); then
// it saves the node and creates a port for each enabled, healthy NIC MAC
// address that has none. It returns "manageable".
// HardwareInspectionFailure when an essential property is still missing.
func (i *Inspect) InspectHardware(ctx context.Context, task *drivers.Task) (_ string, err error) {
	defer i.d.recoverPanic(task, &err)
	o, err := i.d.open(ctx, task)
	if err != nil {
		return "", err
	}
	defer o.done(ctx)
	node := task.Node
	props := maps.Clone(node.Properties)
	if props == nil {
		props = map[string]any{}
	}

	if g := o.sys.MemorySummary.TotalSystemMemoryGiB; g != nil && math.Abs(*g) < 1<<50 {
		if size := int64(*g); size != 0 {
			props["memory_mb"] = strconv.FormatInt(size*1024, 10)
		}
	}

	procs, err := o.sys.Processors()
	if err != nil {
		return "", o.inspectFailure("processors", err)
	}
	var cpus int64
	var arch schemas.ProcessorArchitecture
	for _, p := range procs {
		if p.TotalThreads != nil {
			cpus += int64(*p.TotalThreads)
		}
		if arch == "" && slices.Contains(knownArch, p.ProcessorArchitecture) {
			arch = p.ProcessorArchitecture
		}
	}
	if cpus != 0 {
		props["cpus"] = cpus
	}
	if arch != "" {
		if a, ok := cpuArch[arch]; ok {
			props["cpu_arch"] = a
		} else {
			o.log.Warn().Str("arch", string(arch)).Msg("unknown CPU arch discovered")
		}
	}

	if localGB := o.localGB(); localGB > 0 {
		props["local_gb"] = strconv.FormatInt(localGB, 10)
	} else {
		o.log.Warn().Msg("could not provide a valid storage size configured for the node; assuming it is disk-less")
		props["local_gb"] = "0"
	}

	if mode := bootMode(o.sys.Boot.BootSourceOverrideMode); mode != "" {
		caps, _ := props["capabilities"].(string)
		if nodeCapability(caps, "boot_mode") == "" {
			updated, err := updatedCapabilities(caps, "boot_mode", mode)
			if err != nil {
				return "", wrapException(exception.HardwareInspectionFailure(err.Error()), err)
			}
			props["capabilities"] = updated
		}
	}

	var missing []string
	for _, k := range essentialProperties {
		if _, ok := props[k]; !ok {
			missing = append(missing, k)
		}
	}
	if len(missing) > 0 {
		return "", exception.HardwareInspectionFailure(fmt.Sprintf(
			"Failed to discover the following properties: %s on node %s", strings.Join(missing, ", "), o.di.node))
	}
	node.Properties = props
	node.MarkChanged("properties")
	if err := task.SaveNode(ctx); err != nil {
		return "", err
	}
	o.log.Debug().Interface("properties", props).Msg("node properties updated")

	if err := o.createPorts(ctx, task); err != nil {
		return "", err
	}
	o.log.Warn().Msg("no PXE enabled NIC was found for the node")
	return drivers.StateManageable, nil
}

// inspectFailure wraps an error reading part of the System.
func (o *op) inspectFailure(what string, err error) error {
	err = classify(o.ctx, err)
	return o.di.redfishError(fmt.Sprintf("Cannot read the %s of node %s. Error: %s", what, o.di.node, err), err)
}

// localGB is Ironic's _detect_local_gb: the smallest disk of at least 4
// GiB among enabled simple storage devices, and among storage volumes (or
// drives when there is no volume); the smaller of the two when both
// exist; in GiB, minus one, at least 0. Errors count as no disk.
func (o *op) localGB() int64 {
	smallest := func(sizes []int64) int64 {
		slices.Sort(sizes)
		for _, s := range sizes {
			if s >= 4*gib {
				return s
			}
		}
		return 0
	}
	var simple []int64
	ss, err := o.sys.SimpleStorage()
	if err != nil {
		o.log.Debug().Str("error", o.di.scrub().text(err.Error())).Msg("no simple storage information discovered")
	}
	for _, s := range ss {
		for _, dev := range s.Devices {
			if dev.Status.State == schemas.EnabledState && dev.CapacityBytes != nil {
				simple = append(simple, int64(*dev.CapacityBytes))
			}
		}
	}
	simpleSize := smallest(simple)

	var storageSize int64
	storages, err := o.sys.Storage()
	if err != nil {
		o.log.Debug().Str("error", o.di.scrub().text(err.Error())).Msg("no storage information discovered")
	}
	var volumes []int64
	for _, st := range storages {
		vols, err := st.Volumes()
		if err != nil {
			o.log.Debug().Str("error", o.di.scrub().text(err.Error())).Msg("no storage volume information discovered")
			continue
		}
		for _, v := range vols {
			if v.CapacityBytes != nil {
				volumes = append(volumes, int64(*v.CapacityBytes))
			}
		}
	}
	storageSize = smallest(volumes)
	if storageSize == 0 {
		var drives []int64
		for _, st := range storages {
			ds, err := st.Drives()
			if err != nil {
				o.log.Debug().Str("error", o.di.scrub().text(err.Error())).Msg("no storage drive information discovered")
				continue
			}
			for _, d := range ds {
				if d.CapacityBytes != nil {
					drives = append(drives, int64(*d.CapacityBytes))
				}
			}
		}
		storageSize = smallest(drives)
	}

	size := max(simpleSize, storageSize)
	if simpleSize != 0 && storageSize != 0 {
		size = min(simpleSize, storageSize)
	}
	return max(0, int64(float64(size)/gib-1))
}

// macRE is oslo's netutils.is_valid_mac (on the lower-cased address).
var macRE = regexp.MustCompile(`^([0-9a-f]{2}[:-]){5}[0-9a-f]{2}$`)

// enabledMACs is get_enabled_macs: the MAC addresses of the healthy
// EthernetInterfaces whose (last reported) state is Enabled, in order.
func (o *op) enabledMACs() ([]string, error) {
	nics, err := o.sys.EthernetInterfaces()
	if err != nil {
		return nil, err
	}
	var order []string
	state := map[string]schemas.State{}
	for _, nic := range nics {
		if nic.MACAddress == "" || nic.Status.Health != schemas.OKHealth {
			continue
		}
		if _, seen := state[nic.MACAddress]; !seen {
			order = append(order, nic.MACAddress)
		}
		state[nic.MACAddress] = nic.Status.State
	}
	var out []string
	for _, mac := range order {
		if state[mac] == schemas.EnabledState {
			out = append(out, mac)
		}
	}
	return out, nil
}

// createPorts creates a port for each enabled MAC that has none
// (create_ports_if_not_exist), through the conductor.
func (o *op) createPorts(ctx context.Context, task *drivers.Task) error {
	macs, err := o.enabledMACs()
	if err != nil {
		return o.inspectFailure("ethernet interfaces", err)
	}
	if len(macs) == 0 {
		o.log.Warn().Msg("not attempting to create any port as no NICs were discovered in 'enabled' state")
		return nil
	}
	ports, err := task.ListPorts(ctx)
	if err != nil {
		return err
	}
	have := map[string]bool{}
	for _, p := range ports {
		if p.Address != nil {
			have[strings.ToLower(*p.Address)] = true
		}
	}
	for _, mac := range macs {
		lower := strings.ToLower(mac)
		if !macRE.MatchString(lower) {
			o.log.Warn().Str("address", mac).Msg("ignoring NIC address because it is not a valid MAC")
			continue
		}
		port := &objects.Port{}
		if err := port.Set("address", lower); err != nil {
			o.log.Warn().Str("address", mac).Err(err).Msg("ignoring NIC address because it is not a valid MAC")
			continue
		}
		if have[*port.Address] {
			o.log.Info().Str("address", *port.Address).Msg("port already exists for MAC address")
			continue
		}
		if _, err := task.CreatePort(ctx, port); err != nil {
			if errors.Is(err, exception.ErrMACAlreadyExists) {
				o.log.Info().Str("address", *port.Address).Msg("port already exists for MAC address")
				continue
			}
			return err
		}
		have[*port.Address] = true
		o.log.Info().Str("address", *port.Address).Msg("port created for MAC address")
	}
	return nil
}

// nodeCapability is get_node_capability: the value of key in a
// "k1:v1,k2:v2" capabilities string, "" when absent.
func nodeCapability(caps, key string) string {
	if caps == "" {
		return ""
	}
	for _, c := range strings.Split(caps, ",") {
		parts := strings.Split(c, ":")
		if len(parts) == 2 && parts[0] != "" && parts[1] != "" && strings.TrimSpace(parts[0]) == key {
			return strings.TrimSpace(parts[1])
		}
	}
	return ""
}

// updatedCapabilities is get_updated_capabilities with one capability:
// key set to value, keeping the others in order.
func updatedCapabilities(caps, key, value string) (string, error) {
	var keys []string
	vals := map[string]string{}
	if caps != "" {
		for _, c := range strings.Split(caps, ",") {
			k, v, ok := strings.Cut(c, ":")
			if !ok {
				return "", fmt.Errorf("Invalid capabilities string '%s'.", caps) //nolint:revive,staticcheck // Ironic's message
			}
			if _, seen := vals[k]; !seen {
				keys = append(keys, k)
			}
			vals[k] = v
		}
	}
	if _, seen := vals[key]; !seen {
		keys = append(keys, key)
	}
	vals[key] = value
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = k + ":" + vals[k]
	}
	return strings.Join(parts, ","), nil
}
