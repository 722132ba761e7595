package rpcapi_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/ironic-go/ironic-go/messaging"
	"github.com/ironic-go/ironic-go/objects"
	"github.com/ironic-go/ironic-go/objects/exception"
	"github.com/ironic-go/ironic-go/rpcapi"
	"github.com/ironic-go/ironic-go/rpcapi/hashring"
	"github.com/rs/zerolog"
)

// A conductor serves the method table through an Endpoint; a client
// routes a node with the hash ring and calls it.
func Example() {
	ctx := context.Background()
	broker := messaging.NewInmemBroker()
	serverTr := messaging.NewInmemTransport(messaging.InmemConfig{Broker: broker, ControlExchange: "ironic"})
	clientTr := messaging.NewInmemTransport(messaging.InmemConfig{Broker: broker, ControlExchange: "ironic"})
	defer serverTr.Close()
	defer clientTr.Close()

	// The conductor on host cond-a.
	ep := rpcapi.NewEndpoint(zerolog.Nop())
	rpcapi.Register(ep, rpcapi.RPCChangeNodePowerState, func(ctx context.Context, a rpcapi.ChangeNodePowerStateArgs) (rpcapi.None, error) {
		fmt.Printf("conductor: %s -> %s (timeout %v)\n", a.NodeID, a.NewState, a.Timeout)
		return rpcapi.None{}, nil
	})
	rpcapi.Register(ep, rpcapi.RPCGetBootDevice, func(ctx context.Context, a rpcapi.NodeArgs) (rpcapi.BootDevice, error) {
		return rpcapi.BootDevice{}, exception.NodeLocked(string(a.NodeID), "cond-b")
	})
	fmt.Println("methods without a handler:", len(ep.Missing()))
	srv, _ := messaging.NewServer(serverTr, messaging.Target{Topic: rpcapi.TopicConductorManager, Server: "cond-a"},
		[]messaging.Endpoint{ep.Messaging()}, messaging.ServerConfig{})
	_ = srv.Start(ctx)
	defer srv.Stop(ctx)

	// The client: membership comes from the database in real life.
	ring, _ := hashring.NewManager(hashring.DefaultConfig(), hashring.ConductorListerFunc(
		func(context.Context) (map[string][]string, error) {
			return map[string][]string{"ipmi": {"cond-a"}}, nil
		}))
	api, _ := rpcapi.New(clientTr, rpcapi.Config{}, ring)

	uuid, driver := "1be26c0b-03f2-4d2e-ae87-c02d7f33c123", "ipmi"
	topic, _ := api.GetTopicFor(ctx, nodeOf(uuid, driver))
	fmt.Println("topic:", topic)
	err := api.ChangeNodePowerState(ctx, uuid, "power on", 0, rpcapi.WithTopic(topic))
	fmt.Println("power:", err)
	_, err = api.GetBootDevice(ctx, uuid, rpcapi.WithTopic(topic))
	var exc *exception.Error
	if errors.As(err, &exc) {
		fmt.Println("boot device:", exc.Class, exc.Code(), errors.Is(err, exception.ErrConflict))
	}
	// Output:
	// methods without a handler: 37
	// topic: ironic.conductor_manager.cond-a
	// conductor: 1be26c0b-03f2-4d2e-ae87-c02d7f33c123 -> power on (timeout <nil>)
	// power: <nil>
	// boot device: NodeLocked 409 true
}

func nodeOf(uuid, driver string) *objects.Node { return &objects.Node{UUID: &uuid, Driver: &driver} }
