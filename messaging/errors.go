package messaging

import (
	"context"
	"errors"
	"fmt"
)

// Sentinel errors. Match them with errors.Is.
var (
	// ErrTimeout matches every [TimeoutError].
	ErrTimeout = errors.New("messaging: timed out waiting for reply")
	// ErrClosed is returned by a transport or client used after Close.
	ErrClosed = errors.New("messaging: transport closed")
	// ErrServerClosed is returned by Server.Start after Stop.
	ErrServerClosed = errors.New("messaging: server closed")
	// ErrUndeliverable is oslo's MessageUndeliverable: a mandatory message
	// (a reply, or a request with at_least_once) had no queue to go to.
	ErrUndeliverable = errors.New("messaging: message undeliverable")
	// ErrDeliveryFailure is oslo's MessageDeliveryFailure: the broker could
	// not be reached within the retry budget.
	ErrDeliveryFailure = errors.New("messaging: message delivery failure")
	// ErrUnsupportedVersion matches oslo's UnsupportedVersion, local or remote.
	ErrUnsupportedVersion = errors.New("messaging: unsupported version")
	// ErrNoSuchMethod matches oslo's NoSuchMethod, local or remote.
	ErrNoSuchMethod = errors.New("messaging: no such method")
	// ErrMalformed is a message that cannot be decoded.
	ErrMalformed = errors.New("messaging: malformed message")
	// ErrVersionCap is a request above the client's version cap; nothing
	// was sent.
	ErrVersionCap = errors.New("messaging: version above cap")
)

// TimeoutError is oslo's MessagingTimeout: no final reply arrived in time.
// It matches both [ErrTimeout] and context.DeadlineExceeded.
type TimeoutError struct {
	Topic  string
	Method string
	MsgID  string
	// CallMonitor is set when the call-monitor timer, not the overall
	// timeout, expired (no heartbeat from the server).
	CallMonitor bool
}

func (e *TimeoutError) Error() string {
	what := "reply"
	if e.CallMonitor {
		what = "call-monitor heartbeat"
	}
	return fmt.Sprintf("messaging: timed out waiting for a %s to message ID %s (method %s, topic %s)", what, e.MsgID, e.Method, e.Topic)
}

// Is matches ErrTimeout and context.DeadlineExceeded.
func (e *TimeoutError) Is(target error) bool {
	return target == ErrTimeout || target == context.DeadlineExceeded
}

// VersionCapError is oslo's RPCVersionCapError.
type VersionCapError struct {
	Version, Cap Version
}

func (e *VersionCapError) Error() string {
	return fmt.Sprintf("messaging: requested message version, %s is incompatible. It needs to be equal in major version and less than or equal in minor version as the specified version cap %s", e.Version, e.Cap)
}

// Is matches ErrVersionCap.
func (e *VersionCapError) Is(target error) bool { return target == ErrVersionCap }

// MalformedError describes why a received message could not be decoded.
type MalformedError struct {
	Reason string
}

func (e *MalformedError) Error() string { return "messaging: malformed message: " + e.Reason }

// Is matches ErrMalformed.
func (e *MalformedError) Is(target error) bool { return target == ErrMalformed }

func malformed(format string, args ...any) error {
	return &MalformedError{Reason: fmt.Sprintf(format, args...)}
}
