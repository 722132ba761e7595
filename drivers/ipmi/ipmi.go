package ipmi

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/rs/zerolog"

	"github.com/ironic-go/ironic-go/drivers"
	"github.com/ironic-go/ironic-go/drivers/fake"
	"github.com/ironic-go/ironic-go/objects/exception"
)

// Names of the hardware type and of its implementations (entry points).
const (
	HardwareTypeName = "ipmi"
	// Name is the ipmitool power, management and vendor interfaces.
	Name = "ipmitool"
)

// Boot modes (ironic.common.boot_modes).
const (
	BootModeUEFI = "uefi"
	BootModeBIOS = "bios"
)

// HardwareType returns the ipmi hardware type (IPMIHardware): ipmitool
// power and management, ipmitool or no-vendor vendor passthru,
// no-console. Ironic's boot (pxe, ipxe), deploy (direct, ...), inspect and
// RAID implementations do not exist in this project: the type lists the
// fake boot and deploy of package fake and the no-op others, so that a
// registry built with [Driver.Catalog], fake.Catalog() and
// drivers.NoopCatalog() has every implementation it names.
func HardwareType() drivers.HardwareType {
	return drivers.HardwareType{
		Name:      HardwareTypeName,
		ClassName: "IPMIHardware",
		Supported: map[drivers.InterfaceType][]string{
			drivers.InterfaceBoot:       {fake.Name},
			drivers.InterfaceConsole:    {drivers.NoConsoleName},
			drivers.InterfaceDeploy:     {fake.Name},
			drivers.InterfaceInspect:    {drivers.NoInspectName},
			drivers.InterfaceManagement: {Name},
			drivers.InterfaceNetwork:    {drivers.NoopNetworkName},
			drivers.InterfacePower:      {Name},
			drivers.InterfaceRAID:       {drivers.NoRAIDName},
			drivers.InterfaceStorage:    {drivers.NoopStorageName},
			drivers.InterfaceVendor:     {Name, drivers.NoVendorName},
		},
	}
}

// Driver is the IPMI protocol: its configuration and the sessions it
// holds with BMCs, shared by its power, management and vendor
// interfaces and by every node. It is safe for concurrent use. Close it
// when the conductor stops.
type Driver struct {
	cfg  Config
	log  zerolog.Logger
	pool *pool

	power      *Power
	management *Management
	vendor     *Vendor
}

// New validates cfg and starts the driver (its idle-session reaper).
func New(cfg Config) (*Driver, error) {
	return newDriver(cfg, dialGoIPMI)
}

func newDriver(cfg Config, dial dialer) (*Driver, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	log := cfg.Logger.With().Str("component", "ipmi").Logger()
	d := &Driver{cfg: cfg, log: log, pool: newPool(cfg, dial, log)}
	d.power = &Power{d: d}
	d.management = &Management{d: d}
	d.vendor = &Vendor{d: d}
	return d, nil
}

// Close closes every BMC session, after the operations in progress end.
// The driver must not be used afterwards (ErrClosed).
func (d *Driver) Close() error {
	d.pool.close()
	return nil
}

// Power returns the ipmitool power interface.
func (d *Driver) Power() *Power { return d.power }

// Management returns the ipmitool management interface.
func (d *Driver) Management() *Management { return d.management }

// Vendor returns the ipmitool vendor interface.
func (d *Driver) Vendor() *Vendor { return d.vendor }

// Catalog returns the ipmi hardware type and the ipmitool power,
// management and vendor interfaces, for drivers.NewRegistry (with
// fake.Catalog() and drivers.NoopCatalog(), which hold the other
// implementations the hardware type names).
func (d *Driver) Catalog() drivers.Catalog {
	return drivers.Catalog{
		HardwareTypes: []drivers.HardwareType{HardwareType()},
		Interfaces: []drivers.Implementation{
			{Type: drivers.InterfacePower, Name: Name, Impl: d.power},
			{Type: drivers.InterfaceManagement, Name: Name, Impl: d.management},
			{Type: drivers.InterfaceVendor, Name: Name, Impl: d.vendor},
		},
	}
}

// info parses the task's driver_info.
func (d *Driver) info(task *drivers.Task) (*driverInfo, error) {
	return parseDriverInfo(task.Node, d.log)
}

// credentials are the session parameters of a node.
func (d *Driver) credentials(info *driverInfo) credentials {
	c := credentials{host: info.address, port: info.port, username: info.username, password: info.password,
		priv: info.privLevel, v15: info.protocolVersion == "1.5"}
	switch {
	case c.v15:
	case info.cipherSuite != nil:
		c.suites = []int{*info.cipherSuite}
	case len(d.cfg.CipherSuiteVersions) > 0:
		// Ironic tries the last listed suite first, then walks back.
		for i := len(d.cfg.CipherSuiteVersions) - 1; i >= 0; i-- {
			c.suites = append(c.suites, d.cfg.CipherSuiteVersions[i])
		}
	default:
		c.suites = []int{d.cfg.DefaultCipherSuite}
	}
	return c
}

// exec runs o for the node; a failure is wrapped in fail (an Ironic
// exception) so that the caller sees Ironic's class and message and the
// log the cause.
func (d *Driver) exec(ctx context.Context, task *drivers.Task, info *driverInfo, o op, fail func() *exception.Error) ([]byte, error) {
	out, err := d.pool.do(ctx, task.NodeUUID(), d.credentials(info), o)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", fail(), err)
	}
	return out, nil
}

// ipmiFailure is IPMIFailure(cmd) for an op name.
func ipmiFailure(cmd string) func() *exception.Error {
	return func() *exception.Error { return exception.IPMIFailure(cmd) }
}

// parseRawBytes reads a string of bytes as ipmitool raw does ("0x00
// 0x08", decimal or 0x-prefixed hexadecimal, octal with a leading 0):
// at least a network function and a command.
func parseRawBytes(s string) (netfn, cmd uint8, data []byte, err error) {
	fields := strings.Fields(s)
	if len(fields) < 2 {
		return 0, 0, nil, fmt.Errorf("raw bytes %q: need a network function and a command", s)
	}
	out := make([]byte, len(fields))
	for i, f := range fields {
		v, perr := strconv.ParseUint(f, 0, 8)
		if perr != nil {
			return 0, 0, nil, fmt.Errorf("raw bytes %q: %q is not a byte", s, f)
		}
		out[i] = byte(v)
	}
	return out[0], out[1], out[2:], nil
}

// rawOp sends a string of raw bytes.
func rawOp(rawBytes string, idempotent bool) (op, error) {
	netfn, cmd, data, err := parseRawBytes(rawBytes)
	if err != nil {
		return op{}, err
	}
	return op{name: "raw " + rawBytes, idempotent: idempotent,
		run: func(ctx context.Context, c bmcClient) ([]byte, error) {
			return c.Raw(ctx, netfn, cmd, data, idempotent)
		}}, nil
}

// sendRaw is Ironic's send_raw: the raw bytes, IPMIFailure("raw ...") on
// failure. Raw requests of unknown effect are not retransmitted unless
// idempotent says they may be.
func (d *Driver) sendRaw(ctx context.Context, task *drivers.Task, rawBytes string, idempotent bool) ([]byte, error) {
	info, err := d.info(task)
	if err != nil {
		return nil, err
	}
	fail := ipmiFailure("raw " + rawBytes)
	o, err := rawOp(rawBytes, idempotent)
	if err != nil {
		d.log.Error().Str("node", task.NodeUUID()).Err(err).Msg("IPMI raw bytes failed")
		return nil, fmt.Errorf("%w: %w", fail(), err)
	}
	return d.exec(ctx, task, info, o, fail)
}
