package messaging

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/ironic-go/ironic-go/internal/pyjson"
)

// capturedPub is one publish captured from Python oslo.messaging 14.0.3.
type capturedPub struct {
	Exchange             string          `json:"exchange"`
	RoutingKey           string          `json:"routing_key"`
	Mandatory            bool            `json:"mandatory"`
	Properties           map[string]any  `json:"properties"`
	BodyB64              string          `json:"body_b64"`
	DecodedOsloMessage   json.RawMessage `json:"decoded_oslo_message"`
	AsDeliveredToConsume json.RawMessage `json:"as_delivered_to_consumer"`
}

type capturedScenario struct {
	Scenario string        `json:"scenario"`
	Request  capturedPub   `json:"request"`
	Replies  []capturedPub `json:"replies"`
}

func loadScenarios(t testing.TB) map[string]capturedScenario {
	t.Helper()
	files, err := filepath.Glob("testdata/vectors/[0-2][0-9]_*.json")
	if err != nil || len(files) != 23 {
		t.Fatalf("want 23 scenario vectors in testdata/vectors, got %d (%v)", len(files), err)
	}
	out := map[string]capturedScenario{}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var s capturedScenario
		if err := json.Unmarshal(data, &s); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		out[filepath.Base(f)] = s
	}
	return out
}

func (p capturedPub) body(t testing.TB) []byte {
	t.Helper()
	b, err := base64.StdEncoding.DecodeString(p.BodyB64)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// ordered converts decoded JSON into values the encoder writes in the same
// order and with the same number forms.
func ordered(t testing.TB, raw json.RawMessage) any {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var walk func() any
	walk = func() any {
		tok, err := dec.Token()
		if err != nil {
			t.Fatal(err)
		}
		switch v := tok.(type) {
		case json.Delim:
			if v == '{' {
				obj := pyjson.Object{}
				for dec.More() {
					k, _ := dec.Token()
					obj = append(obj, pyjson.KV{Key: k.(string), Value: walk()})
				}
				dec.Token()
				return obj
			}
			arr := []any{}
			for dec.More() {
				arr = append(arr, walk())
			}
			dec.Token()
			return arr
		case json.Number:
			if strings.ContainsAny(string(v), ".eE") {
				f, _ := v.Float64()
				return f
			}
			n, _ := v.Int64()
			return n
		default:
			return v
		}
	}
	return walk()
}

// TestVectorRequestsDecodeAndReencode decodes every captured request, checks
// the values against the capture's own decoding, then rebuilds it from Go
// values and checks the body is byte-for-byte what Python sent.
func TestVectorRequestsDecodeAndReencode(t *testing.T) {
	for name, sc := range loadScenarios(t) {
		t.Run(name, func(t *testing.T) {
			body := sc.Request.body(t)
			req, err := decodeRequest(body)
			if err != nil {
				t.Fatalf("decode: %v", err)
			}
			want := map[string]json.RawMessage{}
			if err := json.Unmarshal(sc.Request.DecodedOsloMessage, &want); err != nil {
				t.Fatal(err)
			}
			method, _ := req.methodName()
			if got := string(pyjson.AppendString(nil, method)); got != string(want["method"]) {
				t.Errorf("method = %s, want %s", got, want["method"])
			}
			assertJSONEqual(t, "args", req.args, want["args"])
			if v, ok := want["_msg_id"]; ok {
				assertJSONEqual(t, "_msg_id", pyjson.AppendString(nil, req.msgID), v)
				assertJSONEqual(t, "_reply_q", pyjson.AppendString(nil, req.replyQ), want["_reply_q"])
				assertJSONEqual(t, "_timeout", req.timeout, want["_timeout"])
			}
			assertJSONEqual(t, "_unique_id", pyjson.AppendString(nil, req.uniqueID), want["_unique_id"])
			for k, v := range want {
				if key, ok := strings.CutPrefix(k, contextPrefix); ok {
					got, _ := req.ctx.Raw(key)
					assertJSONEqual(t, k, got, v)
				}
			}

			// Rebuild from Go values.
			out := &outgoingRequest{method: method, args: ordered(t, req.args), call: req.msgID != "",
				msgID: req.msgID, replyQ: req.replyQ, uniqueID: req.uniqueID}
			if ns, ok := jsonString(req.namespace); ok {
				out.namespace = ns
			}
			if vs, ok := jsonString(req.version); ok {
				out.version = MustParseVersion(vs)
			}
			if req.timeout != nil && string(req.timeout) != "null" {
				f := secondsToTimeout(req.timeout).Seconds()
				out.timeout = &f
			}
			if req.ctx != nil {
				out.ctx = &RequestContext{}
				for _, k := range req.ctx.Keys() {
					raw, _ := req.ctx.Raw(k)
					if err := out.ctx.Set(k, ordered(t, raw)); err != nil {
						t.Fatal(err)
					}
				}
			}
			got, err := encodeRequest(out)
			if err != nil {
				t.Fatalf("encode: %v", err)
			}
			if !bytes.Equal(got, body) {
				t.Errorf("re-encoded body differs\n got: %s\nwant: %s", got, body)
			}
		})
	}
}

// TestVectorRepliesDecodeAndReencode does the same for every captured reply,
// including call-monitor heartbeats and failures.
func TestVectorRepliesDecodeAndReencode(t *testing.T) {
	n := 0
	for name, sc := range loadScenarios(t) {
		for i, rp := range sc.Replies {
			n++
			body := rp.body(t)
			rep, err := decodeReply(body)
			if err != nil {
				t.Fatalf("%s reply %d: %v", name, i, err)
			}
			var want struct {
				Result   json.RawMessage `json:"result"`
				Failure  *string         `json:"failure"`
				Ending   bool            `json:"ending"`
				MsgID    string          `json:"_msg_id"`
				UniqueID string          `json:"_unique_id"`
			}
			if err := json.Unmarshal(rp.DecodedOsloMessage, &want); err != nil {
				t.Fatal(err)
			}
			if rep.msgID != want.MsgID || rep.ending != want.Ending {
				t.Errorf("%s reply %d: msg_id/ending = %s/%v, want %s/%v", name, i, rep.msgID, rep.ending, want.MsgID, want.Ending)
			}
			if string(want.Result) == "null" {
				want.Result = nil
			}
			assertJSONEqual(t, name+" result", rep.result, want.Result)
			if (want.Failure == nil) != (rep.failure == nil) {
				t.Fatalf("%s reply %d: failure presence differs", name, i)
			}
			var result []byte
			if rep.result != nil {
				result, _ = pyjson.Marshal(ordered(t, rep.result))
			}
			got := encodeReply(rep.msgID, want.UniqueID, result, rep.failure, rep.ending)
			if !bytes.Equal(got, body) {
				t.Errorf("%s reply %d: re-encoded body differs\n got: %s\nwant: %s", name, i, got, body)
			}
			if want.Failure != nil {
				checkFailure(t, name, []byte(*want.Failure))
			}
		}
	}
	if n < 20 {
		t.Fatalf("only %d replies in the vectors", n)
	}
}

// checkFailure decodes a captured failure and re-encodes it from the Go
// values: every member but the traceback must be byte-identical.
func checkFailure(t *testing.T, name string, failure []byte) {
	t.Helper()
	rerr, err := DecodeFailure(failure)
	if err != nil {
		t.Fatalf("%s: DecodeFailure: %v", name, err)
	}
	var want map[string]json.RawMessage
	if err := json.Unmarshal(failure, &want); err != nil {
		t.Fatal(err)
	}
	assertJSONEqual(t, name+" class", pyjson.AppendString(nil, rerr.Class), want["class"])
	assertJSONEqual(t, name+" module", pyjson.AppendString(nil, rerr.Module), want["module"])
	assertJSONEqual(t, name+" message", pyjson.AppendString(nil, rerr.Message), want["message"])
	var tb []string
	_ = json.Unmarshal(want["tb"], &tb)
	if diff := cmp.Diff(tb, rerr.Traceback); diff != "" {
		t.Errorf("%s traceback (-want +got):\n%s", name, diff)
	}
	enc, err := encodeFailure(rerr, "", "")
	if err != nil {
		t.Fatal(err)
	}
	var got map[string]json.RawMessage
	if err := json.Unmarshal(enc, &got); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"class", "module", "message", "args", "kwargs"} {
		assertJSONEqual(t, name+" re-encoded "+k, got[k], want[k])
	}
	if !bytes.HasPrefix(enc, []byte(`{"class": `)) {
		t.Errorf("%s: failure key order: %s", name, enc)
	}
}

func assertJSONEqual(t *testing.T, what string, got, want json.RawMessage) {
	t.Helper()
	if len(got) == 0 && len(want) == 0 {
		return
	}
	var g, w any
	if err := json.Unmarshal(got, &g); err != nil && len(got) > 0 {
		t.Errorf("%s: got invalid JSON %s", what, got)
		return
	}
	if err := json.Unmarshal(want, &w); err != nil && len(want) > 0 {
		t.Errorf("%s: want invalid JSON %s", what, want)
		return
	}
	if diff := cmp.Diff(w, g); diff != "" {
		t.Errorf("%s (-want +got):\n%s", what, diff)
	}
}
