package ipmi

import (
	"context"
	"errors"
	"net"
	"strconv"
	"strings"
	"time"

	"github.com/bougou/go-ipmi/pkg/client"
	"github.com/bougou/go-ipmi/pkg/types"
)

// bmcClient is one session with one BMC: what the driver needs of an IPMI
// client. Every command is a raw request (network function, command,
// data); its reply data excludes the completion code, and a non-zero
// completion code is an error carrying it (see completionCode). The
// driver calls one method at a time per client.
type bmcClient interface {
	// Connect opens the session.
	Connect(ctx context.Context) error
	// Close closes the session and releases the socket, even when the BMC
	// does not answer.
	Close(ctx context.Context) error
	// Raw sends one request. retransmit allows resending it when the reply
	// is lost; it is false for requests that must not run twice.
	Raw(ctx context.Context, netfn, cmd uint8, data []byte, retransmit bool) ([]byte, error)
}

// credentials is what opens a session; two requests with equal
// credentials may share one.
type credentials struct {
	host     string
	port     int
	username string
	password secret
	priv     string
	v15      bool
	suites   []int
}

func (c credentials) equal(o credentials) bool {
	if c.host != o.host || c.port != o.port || c.username != o.username || c.password != o.password ||
		c.priv != o.priv || c.v15 != o.v15 || len(c.suites) != len(o.suites) {
		return false
	}
	for i := range c.suites {
		if c.suites[i] != o.suites[i] {
			return false
		}
	}
	return true
}

// String never shows the password.
func (c credentials) String() string {
	return c.username + "@" + net.JoinHostPort(c.host, strconv.Itoa(c.port))
}

// GoString never shows the password.
func (c credentials) GoString() string { return c.String() }

// dialer makes a (not yet connected) client.
type dialer func(c credentials, cfg Config) (bmcClient, error)

// goIPMI is bmcClient over github.com/bougou/go-ipmi (lanplus, or lan for
// IPMI 1.5).
type goIPMI struct {
	c       *client.Client
	retries int
}

// dialGoIPMI is the production dialer.
func dialGoIPMI(cr credentials, cfg Config) (bmcClient, error) {
	c, err := client.NewClient(cr.host, cr.port, cr.username, cr.password.reveal())
	if err != nil {
		return nil, err
	}
	if cr.v15 {
		c.WithInterface(client.InterfaceLan)
	}
	ids := make([]types.CipherSuiteID, len(cr.suites))
	for i, s := range cr.suites {
		ids[i] = types.CipherSuiteID(s)
	}
	if len(ids) > 0 {
		c.WithCipherSuiteID(ids...)
	}
	c.WithMaxPrivilegeLevel(privilege(cr.priv)).WithTimeout(cfg.PacketTimeout).WithRetry(cfg.PacketRetries).WithDebug(false)
	return &goIPMI{c: c, retries: cfg.PacketRetries}, nil
}

func privilege(level string) types.PrivilegeLevel {
	switch level {
	case "CALLBACK":
		return types.PrivilegeLevelCallback
	case "USER":
		return types.PrivilegeLevelUser
	case "OPERATOR":
		return types.PrivilegeLevelOperator
	}
	return types.PrivilegeLevelAdministrator
}

func (g *goIPMI) Connect(ctx context.Context) error { return g.c.Connect(ctx) }

func (g *goIPMI) Close(ctx context.Context) error { return g.c.Close(ctx) }

func (g *goIPMI) Raw(ctx context.Context, netfn, cmd uint8, data []byte, retransmit bool) ([]byte, error) {
	if retransmit {
		g.c.WithRetry(g.retries)
	} else {
		g.c.WithRetry(0)
	}
	res, err := g.c.RawCommand(ctx, types.NetFn(netfn), cmd, data, "")
	if err != nil {
		return nil, err
	}
	return res.Response, nil
}

// ---- error classification ----

// ccError is a non-zero completion code from a fake client (tests); real
// ones come as go-ipmi's *types.ResponseError.
type ccError struct{ code uint8 }

func (e *ccError) Error() string { return "completion code " + hexByte(e.code) }

// completionCode returns the completion code an error carries.
func completionCode(err error) (uint8, bool) {
	if re, ok := types.IsResponseError(err); ok && re.CompletionCode() != 0 {
		return uint8(re.CompletionCode()), true
	}
	var ce *ccError
	if errors.As(err, &ce) {
		return ce.code, true
	}
	return 0, false
}

// ccText names the generic completion codes with ipmitool's strings,
// which Ironic's retry list matches.
func ccText(code uint8) string {
	switch code {
	case 0xc0:
		return "Node busy"
	case 0xc1:
		return "Invalid command"
	case 0xc2:
		return "Invalid command on LUN"
	case 0xc3:
		return "Timeout"
	case 0xc4:
		return "Out of space"
	case 0xc5:
		return "Reservation cancelled or invalid"
	case 0xc6:
		return "Request data truncated"
	case 0xc7:
		return "Request data length invalid"
	case 0xc8:
		return "Request data field length limit exceeded"
	case 0xc9:
		return "Parameter out of range"
	case 0xca:
		return "Cannot return number of requested data bytes"
	case 0xcb:
		return "Requested sensor, data, or record not found"
	case 0xcc:
		return "Invalid data field in request"
	case 0xcd:
		return "Command illegal for specified sensor or record type"
	case 0xce:
		return "Command response could not be provided"
	case 0xcf:
		return "Cannot execute duplicated request"
	case 0xd0:
		return "SDR Repository in update mode"
	case 0xd1:
		return "Device firmeware in update mode"
	case 0xd2:
		return "BMC initialization in progress"
	case 0xd3:
		return "Destination unavailable"
	case 0xd4:
		return "Insufficient privilege level"
	case 0xd5:
		return "Command not supported in present state"
	case 0xd6:
		return "Cannot execute command, command disabled"
	case 0xff:
		return "Unspecified error"
	}
	return "Unknown (" + hexByte(code) + ")"
}

// isTimeout reports a lost reply: a UDP read deadline or a request that
// no reply matched.
func isTimeout(err error) bool {
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return true
	}
	s := err.Error()
	return strings.Contains(s, "timed out") || strings.Contains(s, "no matching IPMI response") ||
		strings.Contains(s, "no UDP datagram matched") || strings.Contains(s, "i/o timeout")
}

// noSessionResources reports "insufficient resources for session": the
// BMC has no free session slot (RMCP+ status 0x01 or 0x0b).
func noSessionResources(err error) bool {
	var se *types.RmcpStatusError
	if errors.As(err, &se) {
		sc := se.StatusCode()
		return sc == types.RmcpStatusCodeNoResToCreateSess || sc == types.RmcpStatusCodeNoResToCreateSessAtRole
	}
	var fe *fakeSessionError
	if errors.As(err, &fe) {
		return fe.noResources
	}
	// go-ipmi cannot decode the 2-byte error form of the Open Session
	// response (tag, status) that ipmi_sim sends when its session slots
	// are full; the status is lost, so a refused Open Session counts as
	// this (retryable) refusal.
	s := err.Error()
	return strings.Contains(s, "Open Session failed") && strings.Contains(s, "too short")
}

// fakeSessionError is a session setup failure from a fake client (tests).
type fakeSessionError struct {
	noResources bool
	msg         string
}

func (e *fakeSessionError) Error() string { return e.msg }

// errorText describes err as ipmitool would, so that Ironic's retryable
// substrings and [ipmi] additional_retryable_ipmi_errors match it.
func errorText(err error) string {
	var parts []string
	if cc, ok := completionCode(err); ok {
		parts = append(parts, ccText(cc))
	}
	if noSessionResources(err) {
		parts = append(parts, "insufficient resources for session")
	}
	if isTimeout(err) {
		parts = append(parts, "Timeout")
	}
	parts = append(parts, err.Error())
	return strings.Join(parts, ": ")
}

// Ironic's IPMITOOL_RETRYABLE_FAILURES.
var retryableFailures = []string{
	"insufficient resources for session", "Node busy", "Timeout", "Out of space", "BMC initialization in progress",
}

const hexDigits = "0123456789abcdef"

func hexByte(b uint8) string { return "0x" + string(hexDigits[b>>4]) + string(hexDigits[b&0xf]) }

// sleep waits d or until ctx ends.
func sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
