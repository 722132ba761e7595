package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/rs/zerolog"

	"github.com/ironic-go/ironic-go/cmd/internal/conf"
	"github.com/ironic-go/ironic-go/conductor"
	"github.com/ironic-go/ironic-go/db"
	"github.com/ironic-go/ironic-go/drivers"
	"github.com/ironic-go/ironic-go/drivers/fake"
	"github.com/ironic-go/ironic-go/drivers/ipmi"
	"github.com/ironic-go/ironic-go/drivers/redfish"
	"github.com/ironic-go/ironic-go/messaging/rabbit"
	"github.com/ironic-go/ironic-go/objects/exception"
)

const prog = "ironic-conductor"

// connectTimeout bounds the first connection to the broker and to the
// database at start.
const connectTimeout = 30 * time.Second

// hardware is the hardware types and interfaces this build has; the
// configuration enables some of them.
type hardware struct {
	ipmi    *ipmi.Driver
	redfish *redfish.Driver
}

func newHardware(cfg conf.Daemon, log zerolog.Logger) (*hardware, error) {
	ic := cfg.IPMI
	ic.Logger = log.With().Str("component", "ipmi").Logger()
	id, err := ipmi.New(ic)
	if err != nil {
		return nil, err
	}
	rc := cfg.Redfish
	rc.Logger = log.With().Str("component", "redfish").Logger()
	rd, err := redfish.New(rc)
	if err != nil {
		id.Close()
		return nil, err
	}
	return &hardware{ipmi: id, redfish: rd}, nil
}

func (h *hardware) catalogs() []drivers.Catalog {
	return []drivers.Catalog{drivers.NoopCatalog(), fake.Catalog(), h.ipmi.Catalog(), h.redfish.Catalog()}
}

// Close ends the drivers' BMC sessions (IPMI sessions closed, Redfish
// sessions logged out, within a bound).
func (h *hardware) Close() {
	h.ipmi.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_ = h.redfish.Close(ctx)
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stderr)
	stop()
	os.Exit(code)
}

// run is the daemon: it returns the exit status. ctx ends on the first
// SIGTERM or SIGINT.
func run(ctx context.Context, args []string, stderr *os.File) int {
	fs := flag.NewFlagSet(prog, flag.ContinueOnError)
	fs.SetOutput(stderr)
	var fl conf.Flags
	fl.Register(fs)
	debug := fs.Bool("debug", false, "log at debug level ([DEFAULT] debug)")
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "usage: %s [--config-file FILE]... [--config-dir DIR]... [--debug]\n", prog)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if fs.NArg() > 0 {
		fail(stderr, fmt.Errorf("unexpected argument %q", fs.Arg(0)))
		return 2
	}

	f, err := fl.Load("ironic", prog)
	if err != nil {
		return fail(stderr, err)
	}
	host := ""
	if !f.Section("DEFAULT", &[]error{}).Has("host") {
		host = conf.FQDN()
	}
	cfg, err := conf.DaemonFrom(f, host)
	if err != nil {
		return fail(stderr, err)
	}
	// Until the conductor runs, logs are held back (unless debugging): a
	// failed start prints only its one-line reason.
	gate := &startupGate{hold: !*debug && !cfg.Logging.Debug}
	log, closeLog, err := newLogger(cfg.Logging, *debug, stderr, gate)
	if err != nil {
		return fail(stderr, err)
	}
	defer closeLog()

	if err := serve(ctx, cfg, log, gate.open); err != nil {
		return fail(stderr, err)
	}
	return 0
}

// serve wires the conductor, runs it until ctx ends and stops it. started
// is called once the conductor is up.
func serve(ctx context.Context, cfg conf.Daemon, log zerolog.Logger, started func()) error {
	cfg.Drivers.Logger = log
	hw, err := newHardware(cfg, log)
	if err != nil {
		return err
	}
	defer hw.Close()
	reg, err := drivers.NewRegistry(cfg.Drivers, hw.catalogs()...)
	if err != nil {
		return driversError(err, hw.catalogs())
	}

	m := cfg.Messaging
	m.Rabbit.Logger = log
	dialCtx, cancel := context.WithTimeout(ctx, connectTimeout)
	tr, err := rabbit.Dial(dialCtx, m.TransportURL, m.Rabbit)
	cancel()
	if err != nil {
		return fmt.Errorf("cannot connect to the message broker: %w", err)
	}
	defer tr.Close()

	dbc := cfg.Database
	if dbc.Embedded() {
		if err := os.MkdirAll(filepath.Dir(dbc.Config.SQLitePath), 0o750); err != nil {
			return fmt.Errorf("state_path: %w", err)
		}
	}
	dbc.Config.Logger = log
	openCtx, cancel := context.WithTimeout(ctx, connectTimeout)
	store, err := db.Open(openCtx, dbc.Connection, dbc.Config)
	cancel()
	if err != nil {
		return fmt.Errorf("cannot open the database (%s): %w", dbc.Parsed, err)
	}
	defer store.Close()

	c := cfg.Conductor
	c.Logger = log
	cfg.HashRing.Logger = log
	svc, err := conductor.NewService(conductor.Deps{
		Config:              c,
		Transport:           tr,
		Store:               store,
		Registry:            reg,
		HashRing:            cfg.HashRing,
		ExecutorPoolSize:    m.ExecutorPoolSize,
		MissingReplyTimeout: m.Rabbit.MissingConsumerRetryTimeout,
	})
	if err != nil {
		return err
	}
	if err := svc.Start(ctx); err != nil {
		stopCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), connectTimeout)
		_ = svc.Stop(stopCtx)
		cancel()
		return fmt.Errorf("conductor %s did not start: %w", c.Host, err)
	}
	started()
	log.Info().Str("host", c.Host).Str("transport_url", m.URL.String()).Str("exchange", tr.ControlExchange()).
		Str("database", dbc.Parsed.String()).Strs("hardware_types", reg.HardwareTypes()).
		Msg("ironic-conductor running; SIGTERM or SIGINT stops it")

	<-ctx.Done()
	log.Info().Dur("graceful_shutdown_timeout", c.ShutdownTimeout).Msg("signal received: stopping")
	// A second signal stops waiting for in-flight work.
	stopCtx, cancelStop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer cancelStop()
	if err := svc.Stop(stopCtx); err != nil {
		if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
			log.Warn().Err(err).Msg("in-flight work was cancelled at shutdown")
			return nil
		}
		return fmt.Errorf("stop: %w", err)
	}
	return nil
}

// driversError names the option at fault when the registry refuses the
// configuration, and what this build offers.
func driversError(err error, cats []drivers.Catalog) error {
	var ie *exception.Error
	if !errors.As(err, &ie) {
		return fmt.Errorf("hardware types: %w", err)
	}
	if ie.Class == "DriverNotFoundInEntrypoint" {
		ep, _ := ie.Kwargs["entrypoint"].(string)
		names := fmt.Sprint(ie.Kwargs["names"])
		var have []string
		if ep == drivers.HardwareTypesEntrypoint {
			for _, c := range cats {
				for _, h := range c.HardwareTypes {
					have = append(have, h.Name)
				}
			}
			slices.Sort(have)
			return fmt.Errorf("[DEFAULT] enabled_hardware_types: unknown hardware type %s (this build has: %s)",
				names, strings.Join(have, ", "))
		}
		t := drivers.InterfaceType(strings.TrimPrefix(ep, "ironic.hardware.interfaces."))
		for _, c := range cats {
			for _, i := range c.Interfaces {
				if i.Type == t {
					have = append(have, i.Name)
				}
			}
		}
		slices.Sort(have)
		return fmt.Errorf("[DEFAULT] enabled_%s_interfaces: unknown %s interface %s (this build has: %s)",
			t, t, names, strings.Join(slices.Compact(have), ", "))
	}
	return fmt.Errorf("hardware interfaces: %s: %s", ie.Class, ie.Error())
}

// newLogger builds the daemon's logger: debug level with [DEFAULT] debug
// or --debug, to log_file or standard error, as JSON unless use_json is
// false or (unset) the output is a terminal.
func newLogger(l conf.Logging, debug bool, stderr *os.File, gate *startupGate) (zerolog.Logger, func(), error) {
	out := stderr
	closeFn := func() {}
	if l.File != "" {
		fh, err := os.OpenFile(l.File, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o640)
		if err != nil {
			return zerolog.Nop(), nil, fmt.Errorf("[DEFAULT] log_file: %w", err)
		}
		out, closeFn = fh, func() { _ = fh.Close() }
	}
	json := !isTerminal(out)
	if l.JSON != nil {
		json = *l.JSON
	}
	gate.out = out
	var w io.Writer = gate
	if !json {
		w = zerolog.ConsoleWriter{Out: gate, TimeFormat: time.DateTime + ".000", NoColor: !isTerminal(out)}
	}
	level := zerolog.InfoLevel
	if l.Debug || debug {
		level = zerolog.DebugLevel
	}
	return zerolog.New(w).Level(level).With().Timestamp().Logger(), closeFn, nil
}

// startupGate passes log lines through, or while hold is set keeps them
// until open (a failed start drops them).
type startupGate struct {
	mu   sync.Mutex
	out  io.Writer
	hold bool
	held [][]byte
}

func (g *startupGate) Write(p []byte) (int, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.hold {
		g.held = append(g.held, slices.Clone(p))
		return len(p), nil
	}
	return g.out.Write(p)
}

// open writes what was held and lets later lines through.
func (g *startupGate) open() {
	g.mu.Lock()
	defer g.mu.Unlock()
	for _, p := range g.held {
		_, _ = g.out.Write(p)
	}
	g.held, g.hold = nil, false
}

func isTerminal(f *os.File) bool {
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// fail prints err as one line and returns the exit status 1.
func fail(w io.Writer, err error) int {
	fmt.Fprintf(w, "%s: %s\n", prog, oneLine(err))
	return 1
}

// oneLine joins the lines of a (joined) error with "; ".
func oneLine(err error) string {
	var parts []string
	for _, l := range strings.Split(err.Error(), "\n") {
		if l = strings.TrimSpace(l); l != "" {
			parts = append(parts, l)
		}
	}
	return strings.Join(parts, "; ")
}
