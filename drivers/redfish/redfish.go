package redfish

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"runtime/debug"
	"strings"
	"time"

	"github.com/rs/zerolog"
	"github.com/stmcginnis/gofish"
	"github.com/stmcginnis/gofish/schemas"

	"github.com/ironic-go/ironic-go/drivers"
	"github.com/ironic-go/ironic-go/objects/exception"
)

// Names of the hardware type and of its implementations (entry points).
const (
	HardwareTypeName = "redfish"
	Name             = "redfish"
	// fakeName is the "fake" boot and deploy implementations of
	// drivers/fake, the only ones this project has.
	fakeName = "fake"
)

// Driver holds the configuration and the BMC connection cache shared by
// the redfish interfaces. It is safe for concurrent use; Close it when the
// conductor stops.
type Driver struct {
	cfg   Config
	log   zerolog.Logger
	cache *connCache
	// sleep waits between connection attempts and power state reads;
	// tests may replace it.
	sleep func(ctx context.Context, d time.Duration) error
}

// New returns a Driver for cfg (Validate's errors).
func New(cfg Config) (*Driver, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	return &Driver{
		cfg:   cfg,
		log:   cfg.Logger.With().Str("component", "redfish").Logger(),
		cache: newConnCache(cfg.ConnectionCacheSize),
		sleep: sleepCtx,
	}, nil
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Close deletes the sessions of the cached connections (best effort,
// bounded by ctx) and closes their sockets. The Driver still works
// afterwards, with an empty cache.
func (d *Driver) Close(ctx context.Context) error {
	for _, c := range d.cache.all() {
		c.close(ctx)
	}
	return ctx.Err()
}

// Power returns the "redfish" power interface.
func (d *Driver) Power() *Power { return &Power{d: d} }

// Management returns the "redfish" management interface.
func (d *Driver) Management() *Management { return &Management{d: d} }

// Inspect returns the "redfish" inspect interface.
func (d *Driver) Inspect() *Inspect { return &Inspect{d: d} }

// HardwareType returns the redfish hardware type (RedfishHardware): power
// and management redfish; inspect redfish or no-inspect; boot and deploy
// "fake", the only implementations this project has (Ironic lists ipxe,
// pxe and redfish-virtual-media boot, and the agent deploys); the no-op
// defaults for the rest (no-vendor, no-raid, no-console, noop network and
// storage).
func HardwareType() drivers.HardwareType {
	return drivers.HardwareType{
		Name:      HardwareTypeName,
		ClassName: "RedfishHardware",
		Supported: map[drivers.InterfaceType][]string{
			drivers.InterfaceBoot:       {fakeName},
			drivers.InterfaceDeploy:     {fakeName},
			drivers.InterfaceInspect:    {Name, drivers.NoInspectName},
			drivers.InterfaceManagement: {Name},
			drivers.InterfacePower:      {Name},
			drivers.InterfaceVendor:     {drivers.NoVendorName},
			drivers.InterfaceRAID:       {drivers.NoRAIDName},
			drivers.InterfaceConsole:    {drivers.NoConsoleName},
			drivers.InterfaceNetwork:    {drivers.NoopNetworkName},
			drivers.InterfaceStorage:    {drivers.NoopStorageName},
		},
	}
}

// Catalog returns the redfish hardware type and the "redfish" power,
// management and inspect interfaces, backed by d. Pass it to
// drivers.NewRegistry with drivers.NoopCatalog() and fake.Catalog() (for
// the boot and deploy interfaces).
func (d *Driver) Catalog() drivers.Catalog {
	return drivers.Catalog{
		HardwareTypes: []drivers.HardwareType{HardwareType()},
		Interfaces: []drivers.Implementation{
			{Type: drivers.InterfacePower, Name: Name, Impl: d.Power()},
			{Type: drivers.InterfaceManagement, Name: Name, Impl: d.Management()},
			{Type: drivers.InterfaceInspect, Name: Name, Impl: d.Inspect()},
		},
	}
}

// Catalog returns the catalog of a Driver with DefaultConfig.
func Catalog() drivers.Catalog {
	d, err := New(DefaultConfig())
	if err != nil {
		panic(err) // DefaultConfig is valid
	}
	return d.Catalog()
}

// recoverPanic turns a panic of the client library on a BMC answer it
// cannot handle into RedfishError, so that a bad BMC cannot take the
// conductor down. Deferred by every operation with its named error.
func (d *Driver) recoverPanic(task *drivers.Task, err *error) {
	r := recover()
	if r == nil {
		return
	}
	var sc scrubber
	if task != nil && task.Node != nil {
		if pw, ok := task.Node.DriverInfo[InfoPassword].(string); ok {
			sc = scrubber{pw}
		}
	}
	log := d.logger(task)
	log.Error().Str("stack", string(debug.Stack())).Msg(sc.text(fmt.Sprintf("redfish client panic: %v", r)))
	*err = wrapException(
		exception.RedfishError(sc.text(fmt.Sprintf("Unexpected answer from the BMC of node %s: %v", task.NodeUUID(), r))),
		fmt.Errorf("%w: client panic: %s", ErrMalformed, sc.text(fmt.Sprint(r))))
}

// parse validates the task's node's driver_info.
func (d *Driver) parse(task *drivers.Task) (*driverInfo, error) {
	if task == nil || task.Node == nil {
		return nil, exception.MissingParameterValue("no node")
	}
	return parseDriverInfo(task.Node, d.cfg.AuthType)
}

// logger scopes the driver's logger to the task.
func (d *Driver) logger(task *drivers.Task) zerolog.Logger {
	ctx := d.log.With().Str("node", task.NodeUUID())
	if task.RequestID != "" {
		ctx = ctx.Str("request_id", task.RequestID)
	}
	return ctx.Logger()
}

// logAddress is the BMC address without a password, for logs.
func (di *driverInfo) logAddress() string {
	if u, err := url.Parse(di.address); err == nil {
		return u.Redacted()
	}
	return "<unparsable address>"
}

// op is one driver call on a node: its BMC connection and System.
type op struct {
	// ctx is the call's context (an op lives for one call).
	ctx    context.Context
	d      *Driver
	di     *driverInfo
	c      *conn
	api    *gofish.APIClient
	sys    *schemas.ComputerSystem
	log    zerolog.Logger
	cached bool
}

// open connects to the node's BMC and reads its System, retrying
// connection failures ConnectionAttempts times, ConnectionRetryInterval
// apart (Ironic's _get_connection with get_system): RedfishConnectionError
// when every attempt failed, RedfishError when the BMC refuses the
// credentials or has no such System.
func (d *Driver) open(ctx context.Context, task *drivers.Task) (*op, error) {
	di, err := d.parse(task)
	if err != nil {
		return nil, err
	}
	log := d.logger(task)
	for attempt := 1; ; attempt++ {
		o, err := d.tryOpen(ctx, di, log)
		if err == nil {
			return o, nil
		}
		if cerr := ctx.Err(); cerr != nil {
			return nil, fmt.Errorf("redfish: node %s: %w", di.node, cerr)
		}
		clean := di.scrub().text(err.Error())
		switch {
		case errors.Is(err, ErrConnection):
			log.Warn().Str("address", di.logAddress()).Str("auth_type", di.authType).Int("attempt", attempt).
				Str("error", clean).Msg("connection error from Redfish")
			if attempt >= d.cfg.ConnectionAttempts {
				log.Error().Str("address", di.logAddress()).Str("error", clean).Msg("failed to connect to Redfish")
				return nil, di.connectionFailure(err)
			}
			if serr := d.sleep(ctx, d.cfg.ConnectionRetryInterval); serr != nil {
				return nil, fmt.Errorf("redfish: node %s: %w", di.node, serr)
			}
		case errors.Is(err, ErrAccess):
			log.Warn().Str("address", di.logAddress()).Str("auth_type", di.authType).Str("error", clean).
				Msg("authentication access error from Redfish; the client will not be reused")
			return nil, di.redfishError(err.Error(), err)
		default:
			log.Error().Str("system", orDefault(di.systemID)).Str("error", clean).Msg("cannot read the Redfish System")
			return nil, di.redfishError(err.Error(), err)
		}
	}
}

func orDefault(id string) string {
	if id == "" {
		return "<default>"
	}
	return id
}

// tryOpen is one attempt of open.
func (d *Driver) tryOpen(ctx context.Context, di *driverInfo, log zerolog.Logger) (*op, error) {
	ctx = withBudget(ctx, maxRequestsPerOp)
	c, done, err := d.cache.acquire(ctx, keyOf(di))
	if err != nil {
		return nil, err
	}
	cached := c != nil
	if c == nil {
		log.Debug().Str("address", di.logAddress()).Msg("no cached Redfish connection; connecting")
		c, err = d.dial(ctx, di, log)
		var evicted []*conn
		evicted, cached = done(c)
		for _, old := range evicted {
			old.hc.CloseIdleConnections()
		}
		if err != nil {
			return nil, classify(ctx, err)
		}
	}
	o := &op{ctx: ctx, d: d, di: di, c: c, api: c.api.WithContext(ctx), log: log, cached: cached}
	sys, err := o.system()
	if err != nil {
		err = classify(ctx, err)
		o.fail(err)
		o.done(ctx)
		return nil, err
	}
	o.sys = sys
	return o, nil
}

// system reads the node's ComputerSystem: redfish_system_id, or the only
// member of the Systems collection.
func (o *op) system() (*schemas.ComputerSystem, error) {
	path := o.di.systemID
	if path == "" {
		coll := o.c.systems
		if coll == "" {
			return nil, errors.New("the service root has no Systems collection")
		}
		members, err := readJSON[schemas.LinksCollection](o.api, o.di.address, coll)
		if err != nil {
			return nil, err
		}
		if len(members.Members) != 1 {
			return nil, fmt.Errorf(`Failed at determining default for "ComputerSystem": System count is not exactly one (%d)`, //nolint:staticcheck // sushy's message
				len(members.Members))
		}
		path = members.Members[0].String()
	}
	if !strings.HasPrefix(path, "/") {
		path = "/" + path
	}
	sys, err := schemas.GetComputerSystem(o.api, path)
	if err != nil {
		return nil, httpError(http.MethodGet, o.di.address, path, err)
	}
	if sys.ODataID == "" {
		sys.ODataID = path
	}
	return sys, nil
}

// fail forgets the connection after an error that makes it suspect, as
// Ironic's SessionCache does on ConnectionError and AccessError.
func (o *op) fail(err error) {
	if errors.Is(err, ErrConnection) || errors.Is(err, ErrAccess) {
		o.d.cache.drop(o.c)
		o.c.hc.CloseIdleConnections()
		o.cached = false
	}
}

// done releases an uncached connection (cache disabled or dropped).
func (o *op) done(ctx context.Context) {
	if !o.cached && o.d.cache.get(o.c.key) != o.c {
		ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		o.c.close(ctx)
	}
}
