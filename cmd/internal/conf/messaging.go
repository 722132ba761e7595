package conf

import (
	"errors"
	"fmt"
	"time"

	"github.com/ironic-go/ironic-go/messaging"
	"github.com/ironic-go/ironic-go/messaging/rabbit"
)

// ErrInvalid is a configuration value that cannot be used.
var ErrInvalid = errors.New("conf: invalid configuration")

// invalid wraps the problems found, if any, in ErrInvalid.
func invalid(errs []error) error {
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("%w: %w", ErrInvalid, err)
	}
	return nil
}

// Messaging is what the RPC layer reads from ironic.conf.
type Messaging struct {
	// TransportURL is [DEFAULT] transport_url (secret: print URL()).
	TransportURL string
	// URL is TransportURL parsed; its String() masks passwords.
	URL *messaging.URL
	// ResponseTimeout is [DEFAULT] rpc_response_timeout.
	ResponseTimeout time.Duration
	// ExecutorPoolSize is [DEFAULT] executor_thread_pool_size.
	ExecutorPoolSize int
	// Rabbit is [oslo_messaging_rabbit] plus [DEFAULT] control_exchange.
	// rabbit.Dial applies the transport URL's query options over it, as
	// oslo does.
	Rabbit rabbit.Config
}

// MessagingFrom reads the messaging options; defaultExchange is the
// service's control_exchange default ("ironic" for Ironic, "openstack" for
// plain oslo).
func MessagingFrom(f *Files, defaultExchange string) (Messaging, error) {
	var errs []error
	m := readMessaging(f, defaultExchange, &errs)
	return m, invalid(errs)
}

func readMessaging(f *Files, defaultExchange string, errs *[]error) Messaging {
	def := f.Section("DEFAULT", errs)
	one := 1
	m := Messaging{
		TransportURL:     def.String("transport_url", "rabbit://"),
		ResponseTimeout:  def.Seconds("rpc_response_timeout", messaging.DefaultResponseTimeout),
		ExecutorPoolSize: def.Int("executor_thread_pool_size", messaging.DefaultPoolSize, &one),
		Rabbit:           rabbit.DefaultConfig(),
	}
	m.Rabbit.ControlExchange = def.String("control_exchange", defaultExchange)
	u, err := messaging.ParseURL(m.TransportURL)
	if err != nil {
		*errs = append(*errs, fmt.Errorf("[DEFAULT] transport_url: %w", err))
	} else {
		m.URL = u
	}
	if sec := f.sections["oslo_messaging_rabbit"]; len(sec) > 0 {
		opts := map[string][]string{}
		for k := range sec {
			if rabbit.IsOption(k) {
				v, _, _ := f.lookup("oslo_messaging_rabbit", k)
				opts[k] = []string{v}
			}
		}
		if err := m.Rabbit.ApplyQuery(opts); err != nil {
			*errs = append(*errs, fmt.Errorf("[oslo_messaging_rabbit]: %w", err))
		}
	}
	if err := m.Rabbit.Validate(); err != nil {
		*errs = append(*errs, err)
	}
	return m
}
