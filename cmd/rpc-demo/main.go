// Command rpc-demo is a small oslo.messaging RPC server built on ironic-go's
// messaging layer. `make run` starts it until the conductor lands: it reads
// the [DEFAULT] and [oslo_messaging_rabbit] options of an ironic.conf,
// serves topic "ironic-go-demo" (version 1.40) on the configured broker and
// answers echo, ping and whoami from any oslo.messaging client, Go or
// Python.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/ironic-go/ironic-go/cmd/internal/conf"
	"github.com/ironic-go/ironic-go/messaging"
	"github.com/ironic-go/ironic-go/messaging/rabbit"
	"github.com/rs/zerolog"
)

type stringList []string

func (s *stringList) String() string     { return strings.Join(*s, ",") }
func (s *stringList) Set(v string) error { *s = append(*s, v); return nil }

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "rpc-demo:", err)
		os.Exit(1)
	}
}

func run() error {
	var files, dirs stringList
	flag.Var(&files, "config-file", "ironic.conf to read (repeatable)")
	flag.Var(&dirs, "config-dir", "directory of *.conf files (repeatable)")
	topic := flag.String("topic", "ironic-go-demo", "RPC topic to serve")
	flag.Parse()

	log := zerolog.New(zerolog.ConsoleWriter{Out: os.Stderr, TimeFormat: time.TimeOnly}).With().Timestamp().Logger()
	f, err := conf.Load(files, dirs)
	if err != nil {
		return err
	}
	m, err := conf.MessagingFrom(f, "openstack")
	if err != nil {
		return err
	}
	host, _ := os.Hostname()
	m.Rabbit.Logger = log
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	dialCtx, cancel := context.WithTimeout(ctx, 30*time.Second)
	tr, err := rabbit.Dial(dialCtx, m.TransportURL, m.Rabbit)
	cancel()
	if err != nil {
		return err
	}
	defer tr.Close()

	target := messaging.Target{Topic: *topic, Server: host}
	srv, err := messaging.NewServer(tr, target, []messaging.Endpoint{{
		Version: messaging.V(1, 40),
		Methods: map[string]messaging.Handler{
			"echo": func(ctx context.Context, args messaging.Args) (any, error) {
				var a map[string]any
				err := args.Decode(&a)
				return a, err
			},
			"ping": func(context.Context, messaging.Args) (any, error) { return "pong", nil },
			"whoami": func(ctx context.Context, _ messaging.Args) (any, error) {
				rc, _ := messaging.RequestContextFrom(ctx)
				return map[string]any{"server": host, "context": rc}, nil
			},
		},
	}}, messaging.ServerConfig{PoolSize: m.ExecutorPoolSize, MissingReplyTimeout: m.Rabbit.MissingConsumerRetryTimeout, Logger: log})
	if err != nil {
		return err
	}
	if err := srv.Start(ctx); err != nil {
		return err
	}
	log.Info().Str("transport_url", m.URL.String()).Str("exchange", m.Rabbit.ControlExchange).
		Str("topic", *topic).Str("server", host).Msg("serving echo, ping and whoami at version 1.40; Ctrl-C stops")
	fmt.Fprintf(os.Stderr, "\nTry it from Python (Debian's python3-oslo.messaging):\n"+
		"  /usr/bin/python3 -c \"import oslo_messaging as om; from oslo_config import cfg; cfg.CONF([]); "+
		"om.set_transport_defaults('%s'); t=om.get_rpc_transport(cfg.CONF, url='rabbit://guest:guest@127.0.0.1:5672/'); "+
		"print(om.get_rpc_client(t, om.Target(topic='%s', version='1.40')).call({}, 'echo', hello='world'))\"\n\n",
		m.Rabbit.ControlExchange, *topic)
	<-ctx.Done()
	stopCtx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := srv.Stop(stopCtx); err != nil && !errors.Is(err, context.Canceled) {
		return err
	}
	return nil
}
