package messaging

import (
	"errors"
	"fmt"
)

// ErrInvalidTarget is returned when a target cannot be used for the
// requested operation (a call on a fanout target, a missing topic).
var ErrInvalidTarget = errors.New("messaging: invalid target")

// Target names where requests go and what a server serves, as
// oslo_messaging.Target.
type Target struct {
	// Exchange is the topic exchange; empty means the transport's
	// control_exchange.
	Exchange string
	// Topic is the shared queue name and routing key.
	Topic string
	// Server directs a request to one server's queue "<topic>.<server>";
	// on a server target it names that server.
	Server string
	// Fanout sends a cast to every server listening on Topic.
	Fanout bool
	// Namespace is the endpoint namespace; empty is oslo's null namespace.
	Namespace string
	// Version is the API version requested (client) or implemented
	// (endpoint); zero means none (1.0 on the server side).
	Version Version
}

// String describes the target for logs and errors.
func (t Target) String() string {
	s := "topic=" + t.Topic
	if t.Exchange != "" {
		s = "exchange=" + t.Exchange + " " + s
	}
	if t.Server != "" {
		s += " server=" + t.Server
	}
	if t.Fanout {
		s += " fanout"
	}
	if t.Namespace != "" {
		s += " namespace=" + t.Namespace
	}
	if !t.Version.IsZero() {
		s += " version=" + t.Version.String()
	}
	return s
}

func (t Target) validateSend(call bool) error {
	if t.Topic == "" {
		return fmt.Errorf("%w: a topic is required (%s)", ErrInvalidTarget, t)
	}
	if call && t.Fanout {
		return fmt.Errorf("%w: a call cannot be fanned out (%s)", ErrInvalidTarget, t)
	}
	return nil
}
