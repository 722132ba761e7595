package rabbit

import (
	"encoding/json"
	"net/url"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/ironic-go/ironic-go/messaging"
)

// frame is a decoded AMQP method as logged in the oslo vectors.
type frame struct {
	Conn   int    `json:"conn"`
	Method string `json:"method"`
	Args   any    `json:"args"`
}

// typed renders a table value as the vectors do: [type letter, value].
func typed(v any) []any {
	switch x := v.(type) {
	case int32:
		return []any{"I", float64(x)}
	case int64:
		return []any{"l", float64(x)}
	case string:
		return []any{"S", x}
	case bool:
		return []any{"t", x}
	}
	return []any{"?", v}
}

func table(args []arg) map[string]any {
	m := map[string]any{}
	for _, a := range args {
		m[a.Key] = typed(a.Value)
	}
	return m
}

func exchangeFrame(x *exchangeSpec) frame {
	return frame{Method: "exchange.declare", Args: map[string]any{
		"exchange": x.Name, "type": x.Kind, "passive": false, "durable": x.Durable,
		"auto_delete": x.AutoDelete, "internal": false, "nowait": false, "arguments": map[string]any{}}}
}

// planFrames renders a setup plan as the frames it sends.
func planFrames(cfg *Config, ops []op) []frame {
	consumerArgs := map[string]any{}
	for k, v := range cfg.consumerArgs() {
		consumerArgs[k] = typed(v)
	}
	var fs []frame
	for _, o := range ops {
		switch o.kind {
		case opQos:
			fs = append(fs, frame{Method: "basic.qos", Args: map[string]any{
				"prefetch_size": float64(0), "prefetch_count": float64(o.prefetch), "global": false}})
		case opExchangeDeclare:
			fs = append(fs, exchangeFrame(o.exchange))
		case opQueueDeclare:
			fs = append(fs, frame{Method: "queue.declare", Args: map[string]any{
				"queue": o.queue.Name, "passive": false, "durable": o.queue.Durable, "exclusive": false,
				"auto_delete": o.queue.AutoDelete, "nowait": false, "arguments": table(o.queue.Args)}})
		case opQueueBind:
			fs = append(fs, frame{Method: "queue.bind", Args: map[string]any{
				"queue": o.queue.Name, "exchange": o.queue.Exchange.Name, "routing_key": o.queue.BindKey,
				"nowait": false, "arguments": map[string]any{}}})
		case opConsume:
			fs = append(fs, frame{Method: "basic.consume", Args: map[string]any{
				"queue": o.queue.Name, "consumer_tag": o.queue.Tag, "no_local": false, "no_ack": false,
				"exclusive": false, "nowait": false, "arguments": consumerArgs}})
		}
	}
	return fs
}

// vectorFrames keeps the declare/consume frames of one connection and
// drops the "ticket" field.
func vectorFrames(fs []frame, conn int) []frame {
	var out []frame
	for _, f := range fs {
		if conn != 0 && f.Conn != conn {
			continue
		}
		switch f.Method {
		case "basic.qos", "exchange.declare", "queue.declare", "queue.bind", "basic.consume":
			if m, ok := f.Args.(map[string]any); ok {
				delete(m, "ticket")
			}
			f.Conn = 0
			out = append(out, f)
		}
	}
	return out
}

var targetRE = regexp.MustCompile(`topic=([^,]+), server=([^)]+)`)

// TestServerTopologyMatchesOsloVariants checks the listener's declare,
// bind and consume sequence against what oslo.messaging 14.0.3 sent under
// each option variant (vector 42), with the options given in the URL.
func TestServerTopologyMatchesOsloVariants(t *testing.T) {
	raw, err := os.ReadFile("testdata/42_option_variants_declares.json")
	if err != nil {
		t.Fatal(err)
	}
	var v struct {
		Variants map[string]struct {
			Query    string  `json:"transport_url_query"`
			Exchange string  `json:"control_exchange"`
			Target   string  `json:"server_target"`
			Server   []frame `json:"server_frames"`
			Client   []frame `json:"client_frames"`
		} `json:"variants"`
	}
	if err := json.Unmarshal(raw, &v); err != nil {
		t.Fatal(err)
	}
	if len(v.Variants) != 5 {
		t.Fatalf("vector has %d variants, want 5", len(v.Variants))
	}
	for name, variant := range v.Variants {
		t.Run(name, func(t *testing.T) {
			q, err := url.ParseQuery(variant.Query)
			if err != nil {
				t.Fatal(err)
			}
			cfg := DefaultConfig()
			cfg.ControlExchange = variant.Exchange
			if err := cfg.ApplyQuery(q); err != nil {
				t.Fatal(err)
			}
			if err := cfg.Validate(); err != nil {
				t.Fatal(err)
			}
			m := targetRE.FindStringSubmatch(variant.Target)
			topic, server := m[1], m[2]
			want := vectorFrames(variant.Server, variant.Server[0].Conn)
			var fanoutID string
			for _, f := range want {
				if name, _ := f.Args.(map[string]any)["queue"].(string); strings.HasPrefix(name, topic+"_fanout_") {
					fanoutID = strings.TrimPrefix(name, topic+"_fanout_")
				}
			}
			got := planFrames(&cfg, setupPlan(cfg.serverQueues(cfg.ControlExchange, topic, server, fanoutID), cfg.QosPrefetchCount))
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("server frames (-oslo +go):\n%s", diff)
			}

			// tune-ok heartbeat = heartbeat_timeout_threshold
			for _, f := range variant.Server {
				if f.Method == "connection.tune-ok" {
					if hb := f.Args.(map[string]any)["heartbeat"].(float64); time.Duration(hb)*time.Second != cfg.HeartbeatTimeoutThreshold {
						t.Errorf("heartbeat %v s, config %s", hb, cfg.HeartbeatTimeoutThreshold)
					}
					break
				}
			}

			// Client: the publisher declares the fanout exchange, then E;
			// the reply connection declares and consumes reply_<uuid>.
			pubConn, replyConn := variant.Client[0].Conn, 0
			for _, f := range variant.Client {
				if f.Conn != pubConn {
					replyConn = f.Conn
					break
				}
			}
			tr := &Transport{cfg: cfg}
			fan := tr.routeOf(&messaging.Outgoing{Topic: topic, Fanout: true})
			call := tr.routeOf(&messaging.Outgoing{Topic: topic, Server: server, Expiration: time.Minute})
			wantPub := vectorFrames(variant.Client, pubConn)
			if diff := cmp.Diff(wantPub, []frame{exchangeFrame(fan.declare), exchangeFrame(call.declare)}); diff != "" {
				t.Errorf("publisher frames (-oslo +go):\n%s", diff)
			}
			wantReply := vectorFrames(variant.Client, replyConn)
			replyName, _ := wantReply[len(wantReply)-1].Args.(map[string]any)["queue"].(string)
			gotReply := planFrames(&cfg, setupPlan([]queueSpec{cfg.replyQueue(replyName)}, cfg.QosPrefetchCount))
			if diff := cmp.Diff(wantReply, gotReply); diff != "" {
				t.Errorf("reply frames (-oslo +go):\n%s", diff)
			}
		})
	}
}

// TestDefaultTopologyMatchesOslo checks the default server startup and
// reply listener sequences against vector 41.
func TestDefaultTopologyMatchesOslo(t *testing.T) {
	raw, err := os.ReadFile("testdata/41_amqp_frame_sequences_default.json")
	if err != nil {
		t.Fatal(err)
	}
	var v map[string]json.RawMessage
	if err := json.Unmarshal(raw, &v); err != nil {
		t.Fatal(err)
	}
	var server, reply []frame
	if err := json.Unmarshal(v["rpc_server_listener_connection_startup"], &server); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(v["rpc_client_reply_listener_connection"], &reply); err != nil {
		t.Fatal(err)
	}
	cfg := DefaultConfig()
	want := vectorFrames(server, 0)
	got := planFrames(&cfg, setupPlan(cfg.serverQueues("openstack", "demo_topic", "demo_server",
		"324720220c5a4e94a031928adfed66c8"), 0))
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("server startup (-oslo +go):\n%s", diff)
	}
	want = vectorFrames(reply, 0)
	got = planFrames(&cfg, setupPlan([]queueSpec{cfg.replyQueue("reply_39db744de7864b5595202ac03795044e")}, 0))
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("reply listener (-oslo +go):\n%s", diff)
	}
}

// TestQueueArgumentTables checks the argument tables, their order and
// their AMQP types for each option (oslo_wire.md §2.2).
func TestQueueArgumentTables(t *testing.T) {
	tests := map[string]struct {
		mod              func(*Config)
		topic, transient []arg
		durable          bool
	}{
		"default": {transient: []arg{{"x-expires", int32(1800000)}}},
		"durable": {mod: func(c *Config) { c.DurableQueues = true }, durable: true,
			transient: []arg{{"x-expires", int32(1800000)}}},
		"ha": {mod: func(c *Config) { c.HAQueues = true },
			topic:     []arg{{"x-ha-policy", "all"}},
			transient: []arg{{"x-ha-policy", "all"}, {"x-expires", int32(1800000)}}},
		"quorum": {mod: func(c *Config) {
			c.QuorumQueue, c.QuorumDeliveryLimit, c.QuorumMaxMemoryLength, c.QuorumMaxMemoryBytes = true, 5, 100, 1<<40
		}, durable: true,
			topic: []arg{{"x-queue-type", "quorum"}, {"x-delivery-limit", int32(5)},
				{"x-max-in-memory-length", int32(100)}, {"x-max-in-memory-bytes", int64(1 << 40)}},
			transient: []arg{{"x-expires", int32(1800000)}}},
		"ttl": {mod: func(c *Config) { c.TransientQueuesTTL = 60 * time.Second },
			transient: []arg{{"x-expires", int32(60000)}}},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			cfg := DefaultConfig()
			if tc.mod != nil {
				tc.mod(&cfg)
			}
			qs := cfg.serverQueues("E", "T", "S", "f")
			for _, q := range qs[:2] {
				if diff := cmp.Diff(tc.topic, q.Args); diff != "" {
					t.Errorf("%s args (-want +got):\n%s", q.Name, diff)
				}
				if q.Durable != tc.durable || q.Exchange.Durable != tc.durable {
					t.Errorf("%s durable %v, exchange durable %v, want %v", q.Name, q.Durable, q.Exchange.Durable, tc.durable)
				}
			}
			if diff := cmp.Diff(tc.transient, qs[2].Args); diff != "" {
				t.Errorf("fanout args (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tc.transient, cfg.replyQueue("reply_x").Args); diff != "" {
				t.Errorf("reply args (-want +got):\n%s", diff)
			}
			if qs[2].Durable || qs[2].AutoDelete || !qs[2].Exchange.AutoDelete || qs[2].Exchange.Durable {
				t.Errorf("fanout flags: %+v exchange %+v", qs[2], *qs[2].Exchange)
			}
		})
	}
}

// TestRouteProperties checks exchange, key, mandatory and properties of
// each message kind (oslo_wire.md §4).
func TestRouteProperties(t *testing.T) {
	cfg := DefaultConfig()
	tr := &Transport{cfg: cfg}
	tests := map[string]struct {
		m                  messaging.Outgoing
		exchange, key, exp string
		mandatory          bool
		declared           string
	}{
		"cast":             {m: messaging.Outgoing{Topic: "T"}, exchange: "openstack", key: "T", declared: "openstack"},
		"cast to server":   {m: messaging.Outgoing{Topic: "T", Server: "S", Exchange: "E"}, exchange: "E", key: "T.S", declared: "E"},
		"at least once":    {m: messaging.Outgoing{Topic: "T", Mandatory: true}, exchange: "openstack", key: "T", mandatory: true, declared: "openstack"},
		"call":             {m: messaging.Outgoing{Topic: "T", Expiration: 60 * time.Second}, exchange: "openstack", key: "T", exp: "60000", declared: "openstack"},
		"call sub-ms":      {m: messaging.Outgoing{Topic: "T", Expiration: time.Microsecond}, exchange: "openstack", key: "T", exp: "1", declared: "openstack"},
		"fanout":           {m: messaging.Outgoing{Topic: "T", Fanout: true, Mandatory: true}, exchange: "T_fanout", key: "", declared: "T_fanout"},
		"reply":            {m: messaging.Outgoing{ReplyTo: "reply_x", Mandatory: true}, exchange: "", key: "reply_x", mandatory: true},
		"reply, no expiry": {m: messaging.Outgoing{ReplyTo: "reply_x", Mandatory: true, Expiration: time.Second}, exchange: "", key: "reply_x", mandatory: true},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			r := tr.routeOf(&tc.m)
			if r.exchange != tc.exchange || r.key != tc.key || r.mandatory != tc.mandatory || r.msg.Expiration != tc.exp {
				t.Errorf("route %q %q mandatory=%v expiration=%q, want %q %q %v %q",
					r.exchange, r.key, r.mandatory, r.msg.Expiration, tc.exchange, tc.key, tc.mandatory, tc.exp)
			}
			if r.msg.ContentType != "application/json" || r.msg.ContentEncoding != "utf-8" || r.msg.DeliveryMode != 2 {
				t.Errorf("properties %q %q %d", r.msg.ContentType, r.msg.ContentEncoding, r.msg.DeliveryMode)
			}
			declared := ""
			if r.declare != nil {
				declared = r.declare.Name
			}
			if declared != tc.declared {
				t.Errorf("declares %q, want %q", declared, tc.declared)
			}
		})
	}
	tr.cfg.DirectMandatoryFlag = false
	if r := tr.routeOf(&messaging.Outgoing{ReplyTo: "reply_x", Mandatory: true}); r.mandatory {
		t.Error("direct_mandatory_flag=false: reply still mandatory")
	}
}
