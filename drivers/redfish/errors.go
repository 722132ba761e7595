package redfish

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"sort"
	"strings"

	"github.com/stmcginnis/gofish/schemas"

	"github.com/ironic-go/ironic-go/objects/exception"
)

// Sentinel errors, found with errors.Is in the chain of what the driver
// returns (next to the *exception.Error the API caller sees).
var (
	// ErrConnection marks a failure to reach the BMC (refused, reset,
	// TLS, timeout): what sushy calls a ConnectionError and Ironic
	// retries.
	ErrConnection = errors.New("redfish: cannot reach the BMC")
	// ErrAccess marks a BMC refusing the credentials (401, 403).
	ErrAccess = errors.New("redfish: access denied by the BMC")
	// ErrMalformed marks a BMC answer that is not the JSON expected.
	ErrMalformed = errors.New("redfish: malformed BMC response")
)

// HTTPError is a BMC answer with an error status (sushy's HTTPError).
type HTTPError struct {
	Method string
	// URL is the request's URL (the BMC address and the path).
	URL        string
	StatusCode int
	// MessageID and Message are the Redfish error's most specific
	// message, or the start of the body when it is not a Redfish error.
	MessageID, Message string
}

// Error returns sushy's text: "HTTP <method> <url> returned code <n>. <id>: <message>".
func (e *HTTPError) Error() string {
	msg := e.Message
	if e.MessageID != "" {
		msg = e.MessageID + ": " + msg
	}
	return fmt.Sprintf("HTTP %s %s returned code %d. %s", e.Method, e.URL, e.StatusCode, msg)
}

// Is matches ErrAccess for 401 and 403.
func (e *HTTPError) Is(target error) bool {
	return target == ErrAccess && (e.StatusCode == 401 || e.StatusCode == 403)
}

// httpError converts gofish's *schemas.Error, adding the request (base is
// the BMC address).
func httpError(method, base, path string, err error) error {
	var se *schemas.Error
	if !errors.As(err, &se) || se.HTTPReturnedStatusCode == 0 {
		return err
	}
	he := &HTTPError{Method: method, URL: base + path, StatusCode: se.HTTPReturnedStatusCode, MessageID: se.Code, Message: se.Message}
	for _, ei := range se.ExtendedInfos {
		if ei.Message != "" {
			he.MessageID, he.Message = ei.MessageID, ei.Message
			break
		}
	}
	if he.MessageID == "" && he.Message != "" {
		// Not a Redfish error object: gofish kept the raw body.
		he.Message = truncate(strings.TrimSpace(he.Message), 200)
	}
	return he
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "..."
}

// connectionError is a transport failure (ErrConnection).
type connectionError struct{ err error }

func (e *connectionError) Error() string   { return e.err.Error() }
func (e *connectionError) Unwrap() []error { return []error{ErrConnection, e.err} }

// collectionError exposes the failures gofish gathers in a
// *schemas.CollectionError (which has no Unwrap) to errors.Is and As.
type collectionError struct {
	ce   *schemas.CollectionError
	errs []error
}

func (e *collectionError) Error() string   { return e.ce.Error() }
func (e *collectionError) Unwrap() []error { return e.errs }

func unwrapCollection(err error) error {
	var ce *schemas.CollectionError
	if err == nil || !errors.As(err, &ce) {
		return err
	}
	keys := make([]string, 0, len(ce.Failures))
	for k := range ce.Failures {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	out := &collectionError{ce: ce}
	for _, k := range keys {
		out.errs = append(out.errs, ce.Failures[k])
	}
	return out
}

// classify marks transport failures with ErrConnection and decoding
// failures with ErrMalformed; a cancelled or expired ctx is returned as
// is.
func classify(ctx context.Context, err error) error {
	if err == nil {
		return nil
	}
	err = unwrapCollection(err)
	if ctx.Err() != nil && (errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)) {
		return err
	}
	if errors.Is(err, ErrMalformed) {
		return err
	}
	if errors.Is(err, errTooManyRequests) || errors.Is(err, errTooLarge) {
		return fmt.Errorf("%w: %w", ErrMalformed, err)
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		return &connectionError{err: err}
	}
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	if errors.As(err, &syn) || errors.As(err, &typ) {
		return fmt.Errorf("%w: %w", ErrMalformed, err)
	}
	return err
}

// driverError is what the driver returns: the Ironic exception the API
// caller sees, and the Go cause. errors.As finds the exception first.
type driverError struct {
	exc   *exception.Error
	cause error
}

func (e *driverError) Error() string   { return e.exc.Error() }
func (e *driverError) Unwrap() []error { return []error{e.exc, e.cause} }

// scrubbedError hides secrets in the text of an error while keeping its
// chain for errors.Is and errors.As.
type scrubbedError struct {
	err  error
	text string
}

func (e *scrubbedError) Error() string { return e.text }
func (e *scrubbedError) Unwrap() error { return e.err }

// scrubber removes a node's secrets from text.
type scrubber []string

func (s scrubber) text(msg string) string {
	for _, secret := range s {
		if secret != "" {
			msg = strings.ReplaceAll(msg, secret, "***")
		}
	}
	return msg
}

func (s scrubber) err(err error) error {
	if err == nil {
		return nil
	}
	text := err.Error()
	if clean := s.text(text); clean != text {
		return &scrubbedError{err: err, text: clean}
	}
	return err
}

func (di *driverInfo) scrub() scrubber {
	if di == nil {
		return nil
	}
	s := scrubber{di.password}
	if u, err := url.Parse(di.address); err == nil && u.User != nil {
		if p, ok := u.User.Password(); ok {
			s = append(s, p)
		}
	}
	return s
}

// redfishError builds RedfishError(error=msg) over cause; msg is
// scrubbed of the node's secrets.
func (di *driverInfo) redfishError(msg string, cause error) error {
	sc := di.scrub()
	return &driverError{exc: exception.RedfishError(sc.text(msg)), cause: sc.err(cause)}
}

// connectionFailure builds RedfishConnectionError(node, error).
func (di *driverInfo) connectionFailure(cause error) error {
	sc := di.scrub()
	return &driverError{exc: exception.RedfishConnectionError(di.node, sc.text(cause.Error())), cause: sc.err(cause)}
}

// wrapException pairs an Ironic exception with a cause.
func wrapException(exc *exception.Error, cause error) error {
	return &driverError{exc: exc, cause: cause}
}
