package ipmi

import (
	"errors"
	"fmt"
	"time"

	"github.com/rs/zerolog"
)

// ErrConfig is an invalid driver configuration.
var ErrConfig = errors.New("ipmi: invalid configuration")

// Config is the driver's configuration: Ironic's [ipmi] section, the
// [conductor] and [deploy] options the ipmitool driver reads, and the
// transport settings of this implementation (Ironic leaves those to the
// ipmitool binary).
type Config struct {
	// CommandRetryTimeout is [ipmi] command_retry_timeout (60 s): how long
	// one IPMI operation is retried on retryable errors (timeouts, busy
	// BMC, no free session slot).
	CommandRetryTimeout time.Duration
	// MinCommandInterval is [ipmi] min_command_interval (5 s): the least
	// time between two operations sent to one BMC (host:port).
	MinCommandInterval time.Duration
	// DisableBootTimeout is [ipmi] disable_boot_timeout (true): send the
	// raw command disabling the 60 s boot flag timeout before setting a
	// boot device, unless the node's ipmi_disable_boot_timeout says
	// otherwise.
	DisableBootTimeout bool
	// AdditionalRetryableErrors is [ipmi] additional_retryable_ipmi_errors:
	// substrings of an error's text that make it retryable, besides
	// Ironic's built-in list.
	AdditionalRetryableErrors []string
	// CipherSuiteVersions is [ipmi] cipher_suite_versions: for nodes
	// without ipmi_cipher_suite, the suites to try, the last one first (as
	// Ironic walks the list). Empty means DefaultCipherSuite.
	CipherSuiteVersions []int
	// DefaultCipherSuite is the suite used when neither the node nor
	// CipherSuiteVersions names one (3: AES-128 with SHA1). ipmitool's own
	// default depends on its version; a fixed suite avoids the 5 s suite
	// discovery some BMCs (ipmi_sim) never answer.
	DefaultCipherSuite int
	// Debug is [ipmi] debug: log every exchange with a BMC at debug level.
	Debug bool

	// PowerStateChangeTimeout is [conductor] power_state_change_timeout
	// (60 s): how long a power change may take to show in the power
	// status.
	PowerStateChangeTimeout time.Duration
	// SoftPowerOffTimeout is [conductor] soft_power_off_timeout (600 s).
	SoftPowerOffTimeout time.Duration
	// DefaultBootMode is [deploy] default_boot_mode ("uefi" in Debian's
	// Ironic 21.4; "bios" is the other choice): the boot mode of a node
	// that asks for none, which decides how boot devices are set.
	DefaultBootMode string

	// PowerStatePollInterval is the first delay before the power status
	// is read after a power change; the delay then doubles up to ten times
	// this value (Ironic's BackOffLoopingCall starts at 1 s).
	PowerStatePollInterval time.Duration
	// PacketTimeout is how long one request waits for the BMC's reply (3
	// s; ipmitool's lanplus default is 1 s, too short for busy BMCs).
	PacketTimeout time.Duration
	// PacketRetries is how many times an idempotent request is
	// retransmitted after a lost reply before the operation fails (1).
	// Non-idempotent requests (diag, soft off, BMC reset, raw bytes) are
	// never retransmitted.
	PacketRetries int
	// SessionIdleTimeout closes a BMC session unused for this long (10 s).
	SessionIdleTimeout time.Duration
	// SessionMaxAge replaces a session older than this before it is used
	// again (20 s): the IPMI client keeps sessions alive from its own
	// goroutine every 30 s, which must never run beside a command. Its sum
	// with PacketTimeout times (PacketRetries+1) must stay under 30 s.
	SessionMaxAge time.Duration

	// Logger receives the driver's logs; the zero value discards them.
	Logger zerolog.Logger
}

// DefaultConfig returns Ironic's defaults and this driver's transport
// defaults.
func DefaultConfig() Config {
	return Config{
		CommandRetryTimeout:     60 * time.Second,
		MinCommandInterval:      5 * time.Second,
		DisableBootTimeout:      true,
		DefaultCipherSuite:      3,
		PowerStateChangeTimeout: 60 * time.Second,
		SoftPowerOffTimeout:     600 * time.Second,
		DefaultBootMode:         BootModeUEFI,
		PowerStatePollInterval:  time.Second,
		PacketTimeout:           3 * time.Second,
		PacketRetries:           1,
		SessionIdleTimeout:      10 * time.Second,
		SessionMaxAge:           20 * time.Second,
	}
}

// keepAliveInterval is go-ipmi's session keep-alive period.
const keepAliveInterval = 30 * time.Second

// Validate reports every problem, joined.
func (c Config) Validate() error {
	var errs []error
	bad := func(format string, args ...any) {
		errs = append(errs, fmt.Errorf("%w: "+format, append([]any{ErrConfig}, args...)...))
	}
	if c.CommandRetryTimeout < 0 {
		bad("[ipmi] command_retry_timeout must not be negative")
	}
	if c.MinCommandInterval < 0 {
		bad("[ipmi] min_command_interval must not be negative")
	}
	if c.PowerStateChangeTimeout <= 0 {
		bad("[conductor] power_state_change_timeout must be positive")
	}
	if c.SoftPowerOffTimeout <= 0 {
		bad("[conductor] soft_power_off_timeout must be positive")
	}
	if c.DefaultBootMode != BootModeUEFI && c.DefaultBootMode != BootModeBIOS {
		bad("[deploy] default_boot_mode must be %q or %q (got %q)", BootModeUEFI, BootModeBIOS, c.DefaultBootMode)
	}
	if c.DefaultCipherSuite < 0 || c.DefaultCipherSuite > 255 {
		bad("default cipher suite %d is out of range", c.DefaultCipherSuite)
	}
	for _, cs := range c.CipherSuiteVersions {
		if cs < 0 || cs > 255 {
			bad("[ipmi] cipher_suite_versions: %d is out of range", cs)
		}
	}
	if c.PowerStatePollInterval <= 0 {
		bad("power state poll interval must be positive")
	}
	if c.PacketTimeout <= 0 {
		bad("packet timeout must be positive")
	}
	if c.PacketRetries < 0 {
		bad("packet retries must not be negative")
	}
	if c.SessionIdleTimeout <= 0 {
		bad("session idle timeout must be positive")
	}
	if c.SessionMaxAge <= 0 {
		bad("session max age must be positive")
	}
	if c.SessionMaxAge+c.PacketTimeout*time.Duration(c.PacketRetries+1) >= keepAliveInterval {
		bad("session max age (%s) plus packet timeout (%s) times %d attempts must stay under %s",
			c.SessionMaxAge, c.PacketTimeout, c.PacketRetries+1, keepAliveInterval)
	}
	return errors.Join(errs...)
}
