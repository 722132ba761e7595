package messaging_test

import (
	"testing"

	"github.com/ironic-go/ironic-go/messaging"
	"github.com/ironic-go/ironic-go/messaging/messagingtest"
)

func TestInmemTransportConformance(t *testing.T) {
	broker := messaging.NewInmemBroker()
	messagingtest.RunTransportTests(t, func(t *testing.T) messaging.Transport {
		return messaging.NewInmemTransport(messaging.InmemConfig{Broker: broker, Logger: messagingtest.TestLogger(t)})
	})
}
