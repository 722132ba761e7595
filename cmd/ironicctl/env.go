package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/ironic-go/ironic-go/cmd/internal/conf"
	"github.com/ironic-go/ironic-go/db"
	"github.com/ironic-go/ironic-go/messaging/rabbit"
	"github.com/ironic-go/ironic-go/objects"
	"github.com/ironic-go/ironic-go/rpcapi"
	"github.com/ironic-go/ironic-go/rpcapi/hashring"
)

// replyQueueTTL is how long the reply queue outlives a run.
const replyQueueTTL = 10 * time.Second

// env is what a command works with: the configuration, and the database
// and the RPC client, opened on first use and closed at the end.
type env struct {
	flags  conf.Flags
	stdout io.Writer

	files *conf.Files
	store *db.Store
	tr    *rabbit.Transport
	api   *rpcapi.ConductorAPI
}

func (e *env) conf() (*conf.Files, error) {
	if e.files == nil {
		f, err := e.flags.Load("ironic", prog)
		if err != nil {
			return nil, err
		}
		e.files = f
	}
	return e.files, nil
}

// db opens the database of the configuration. The embedded SQLite file
// must exist already: the conductor creates it.
func (e *env) db(ctx context.Context) (*db.Store, error) {
	if e.store != nil {
		return e.store, nil
	}
	f, err := e.conf()
	if err != nil {
		return nil, err
	}
	d, err := conf.DatabaseFrom(f)
	if err != nil {
		return nil, err
	}
	if d.Embedded() {
		if _, err := os.Stat(d.Config.SQLitePath); err != nil {
			return nil, fmt.Errorf("no database at %s ([DEFAULT] state_path %s): start ironic-conductor with the same configuration first", d.Config.SQLitePath, d.StatePath)
		}
	}
	s, err := db.Open(ctx, d.Connection, d.Config)
	if err != nil {
		return nil, fmt.Errorf("cannot open the database (%s): %w", d.Parsed, err)
	}
	e.store = s
	return s, nil
}

// rpc returns the conductor RPC client, routing on the hash ring built
// from the database's conductors.
func (e *env) rpc(ctx context.Context) (*rpcapi.ConductorAPI, error) {
	if e.api != nil {
		return e.api, nil
	}
	store, err := e.db(ctx)
	if err != nil {
		return nil, err
	}
	f, _ := e.conf()
	m, err := conf.MessagingFrom(f, conf.IronicExchange)
	if err != nil {
		return nil, err
	}
	hr, err := conf.HashRingFrom(f)
	if err != nil {
		return nil, err
	}
	m.Rabbit.ConnectionName = prog
	// oslo leaves a reply queue to expire (rabbit_transient_queues_ttl,
	// 30 min by default); a CLI makes one per run, so let it go soon.
	m.Rabbit.TransientQueuesTTL = min(m.Rabbit.TransientQueuesTTL, replyQueueTTL)
	tr, err := rabbit.Dial(ctx, m.TransportURL, m.Rabbit)
	if err != nil {
		return nil, fmt.Errorf("cannot connect to the message broker: %w", err)
	}
	e.tr = tr
	ring, err := hashring.NewManager(hr, store)
	if err != nil {
		return nil, err
	}
	api, err := rpcapi.New(tr, rpcapi.Config{Timeout: m.ResponseTimeout}, ring)
	if err != nil {
		return nil, err
	}
	e.api = api
	return api, nil
}

func (e *env) close() {
	if e.tr != nil {
		_ = e.tr.Close()
	}
	if e.store != nil {
		_ = e.store.Close()
	}
}

// node finds a node by UUID or name, as ironic-api does.
func (e *env) node(ctx context.Context, ident string) (*objects.Node, error) {
	store, err := e.db(ctx)
	if err != nil {
		return nil, err
	}
	if objects.IsUUIDLike(ident) {
		return store.GetNodeByUUID(ctx, ident)
	}
	return store.GetNodeByName(ctx, ident)
}

// routed finds the node and the RPC client and topic to reach its
// conductor.
func (e *env) routed(ctx context.Context, ident string) (*objects.Node, *rpcapi.ConductorAPI, rpcapi.CallOption, error) {
	n, err := e.node(ctx, ident)
	if err != nil {
		return nil, nil, nil, err
	}
	api, err := e.rpc(ctx)
	if err != nil {
		return nil, nil, nil, err
	}
	topic, err := api.GetTopicFor(ctx, n)
	if err != nil {
		return nil, nil, nil, err
	}
	return n, api, rpcapi.WithTopic(topic), nil
}
