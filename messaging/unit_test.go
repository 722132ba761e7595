package messaging

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestVersionCompatibility(t *testing.T) {
	cases := []struct {
		imp, req string
		ok       bool
	}{
		{"1.40", "1.40", true}, {"1.40", "1.0", true}, {"1.40", "1.41", false}, {"1.40", "2.0", false},
		{"1.40", "1.40.1", false}, {"1.40.2", "1.40.1", true}, {"1.40", "1.39.9", true}, {"2.3", "2.3", true},
		{"1.0", "1.0", true}, {"1.0", "0.9", false},
	}
	for _, c := range cases {
		imp, req := MustParseVersion(c.imp), MustParseVersion(c.req)
		if got := imp.CanServe(req); got != c.ok {
			t.Errorf("%s.CanServe(%s) = %v, want %v", c.imp, c.req, got, c.ok)
		}
		if got, err := versionIsCompatible(c.imp, c.req); err != nil || got != c.ok {
			t.Errorf("versionIsCompatible(%s, %s) = %v, %v; want %v", c.imp, c.req, got, err, c.ok)
		}
	}
	if !(Version{}).CanServe(V(1, 0)) || (Version{}).CanServe(V(1, 1)) {
		t.Error("the zero Version must behave as 1.0")
	}
	for _, bad := range []string{"1", "", "a.b", "1.2.3.4", "1.-2", "1..2", "+1.2"} {
		if _, err := ParseVersion(bad); !errors.Is(err, ErrBadVersion) {
			t.Errorf("ParseVersion(%q) error = %v, want ErrBadVersion", bad, err)
		}
	}
	if s := MustParseVersion("1.40.0").String(); s != "1.40" {
		t.Errorf("String = %q", s)
	}
	if s := MustParseVersion("1.40.3").String(); s != "1.40.3" {
		t.Errorf("String = %q", s)
	}
}

func TestParseURL(t *testing.T) {
	u, err := ParseURL("rabbit://u1:p%40ss@h1:5673,u2:s3cret@[::1]:5672/my%2Fvhost?rabbit_qos_prefetch_count=10&ssl=1")
	if err != nil {
		t.Fatal(err)
	}
	want := []Host{{Hostname: "h1", Port: 5673, Username: "u1", Password: "p@ss"}, {Hostname: "::1", Port: 5672, Username: "u2", Password: "s3cret"}}
	if diff := cmp.Diff(want, u.Hosts); diff != "" {
		t.Errorf("hosts (-want +got):\n%s", diff)
	}
	if u.VirtualHost != "my/vhost" || u.Query.Get("rabbit_qos_prefetch_count") != "10" || u.Query.Get("ssl") != "1" {
		t.Errorf("vhost %q query %v", u.VirtualHost, u.Query)
	}
	s := u.String()
	if strings.Contains(s, "p@ss") || strings.Contains(s, "s3cret") || strings.Contains(s, "p%40ss") {
		t.Errorf("String leaks a password: %s", s)
	}
	for _, out := range []string{fmt.Sprint(u.Hosts[0]), fmt.Sprintf("%+v", u.Hosts), fmt.Sprintf("%#v", u.Hosts[1]), fmt.Sprint(u.Hosts[1].Password)} {
		if strings.Contains(out, "s3cret") || strings.Contains(out, "p@ss") {
			t.Errorf("formatting leaks a password: %s", out)
		}
	}
	if b, _ := json.Marshal(u.Hosts[1]); bytes.Contains(b, []byte("s3cret")) {
		t.Errorf("JSON leaks a password: %s", b)
	}
	if u.Hosts[1].Password.Reveal() != "s3cret" || u.Hosts[1].Address(0) != "[::1]:5672" {
		t.Error("Reveal/Address")
	}
	for raw, wantScheme := range map[string]string{"amqps://h/": "amqps", "memory://": "memory", "kombu://h": "rabbit", "rabbit:///": "rabbit"} {
		u, err := ParseURL(raw)
		if err != nil || u.Scheme != wantScheme {
			t.Errorf("ParseURL(%q) = %v, %v", raw, u, err)
		}
	}
	for _, bad := range []string{"", "h1:5672", "zmq://h", "rabbit://u:secretpw@h:99999/", "rabbit://u:secretpw@[::1/", "rabbit://u:secret%zz@h/"} {
		_, err := ParseURL(bad)
		if !errors.Is(err, ErrBadURL) {
			t.Errorf("ParseURL(%q) error = %v, want ErrBadURL", bad, err)
		}
		if err != nil && strings.Contains(err.Error(), "secret") {
			t.Errorf("error leaks a password: %v", err)
		}
	}
}

func TestRequestContext(t *testing.T) {
	rc := NewRequestContext()
	if !strings.HasPrefix(rc.RequestID(), "req-") || len(rc.RequestID()) != 40 {
		t.Errorf("request id %q", rc.RequestID())
	}
	_ = rc.Set("user", "u1")
	_ = rc.Set("is_admin", true)
	_ = rc.Set("user", "u2")
	if rc.Str("user") != "u2" || !rc.Bool("is_admin") || rc.Len() != 3 {
		t.Errorf("context %v", rc.Keys())
	}
	cp := rc.Clone()
	cp.Delete("user")
	if rc.Str("user") != "u2" || cp.Len() != 2 {
		t.Error("Clone is not independent")
	}
	b, _ := rc.MarshalJSON()
	if !bytes.HasPrefix(b, []byte(`{"request_id": "req-`)) || !bytes.HasSuffix(b, []byte(`"user": "u2", "is_admin": true}`)) {
		t.Errorf("MarshalJSON = %s", b)
	}
}

// TestEdgeCaseVectors replays the hand-built requests of vector 30 against
// a Go server and checks it reacts as the Python server did.
func TestEdgeCaseVectors(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("testdata", "vectors", "30_edge_cases_raw_requests.json"))
	if err != nil {
		t.Fatal(err)
	}
	var file struct {
		Cases []struct {
			Case         string         `json:"case"`
			Properties   map[string]any `json:"properties"`
			BodyB64      string         `json:"body_b64"`
			ServerAction string         `json:"server_action"`
			Replies      []json.RawMessage
		} `json:"cases"`
	}
	if err := json.Unmarshal(data, &file); err != nil {
		t.Fatal(err)
	}
	var raw struct{ Cases []map[string]json.RawMessage }
	_ = json.Unmarshal(data, &raw)
	if len(file.Cases) < 15 {
		t.Fatalf("only %d edge cases", len(file.Cases))
	}
	for i := range file.Cases {
		// The key has a comma, which encoding/json tags cannot spell.
		_ = json.Unmarshal(raw.Cases[i]["replies_received(decoded, tb elided)"], &file.Cases[i].Replies)
	}
	for _, c := range file.Cases {
		body, _ := base64.StdEncoding.DecodeString(c.BodyB64)
		ctype, _ := c.Properties["content_type"].(string)
		req, decErr := decodeRequest(body)
		rejected := decErr != nil || ctype != "application/json"
		wantRejected := strings.HasPrefix(c.ServerAction, "basic.reject")
		if rejected != wantRejected {
			t.Errorf("%s: rejected=%v (%v), Python rejected=%v", c.Case, rejected, decErr, wantRejected)
			continue
		}
		if rejected || len(c.Replies) == 0 || c.Replies[0][0] != '{' {
			continue
		}
		var want struct {
			Failure *struct {
				Class, Message string
			} `json:"failure"`
		}
		_ = json.Unmarshal(c.Replies[len(c.Replies)-1], &want)
		_, _, err := dispatch(edgeEndpoints, req)
		switch {
		case want.Failure == nil && err != nil:
			t.Errorf("%s: dispatch failed with %v, Python served it", c.Case, err)
		case want.Failure != nil:
			var ex RemoteException
			if !errors.As(err, &ex) || ex.RemoteClass() != want.Failure.Class || ex.RemoteMessage() != want.Failure.Message {
				t.Errorf("%s: got %v, want %s: %s", c.Case, err, want.Failure.Class, want.Failure.Message)
			}
		}
	}
}

var edgeEndpoints = []Endpoint{{Version: V(1, 40), Methods: map[string]Handler{
	"echo": noopHandler, "ctx": noopHandler, "slow": noopHandler,
}}}

func noopHandler(context.Context, Args) (any, error) { return nil, nil }
