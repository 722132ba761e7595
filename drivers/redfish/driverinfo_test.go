package redfish

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/ironic-go/ironic-go/drivers/redfish/redfishtest"
	"github.com/ironic-go/ironic-go/objects"
	"github.com/ironic-go/ironic-go/objects/exception"
)

// driverInfoCase is one driver_info and what parse_driver_info makes of
// it. Cases with ironic true are compared with Debian's Ironic by the
// integration test.
type driverInfoCase struct {
	name string
	info map[string]any
	// class and msg are the expected exception ("" for success); %NODE%
	// stands for the node UUID.
	class, msg string
	// address, systemID, verify and auth are the expected parse on
	// success.
	address, systemID, verify, auth string
	// ironic marks behaviour identical to Ironic's.
	ironic bool
}

func driverInfoCases(caFile, caDir string) []driverInfoCase {
	missing := "Missing the following Redfish properties in node %NODE% driver_info: ['redfish_address']"
	return []driverInfoCase{
		{name: "minimal", info: map[string]any{"redfish_address": "https://bmc.example.com"},
			address: "https://bmc.example.com", verify: "true", auth: "auto", ironic: true},
		{name: "no scheme", info: map[string]any{"redfish_address": "bmc.example.com"},
			address: "https://bmc.example.com", verify: "true", auth: "auto", ironic: true},
		{name: "host and port", info: map[string]any{"redfish_address": "127.0.0.1:8000"},
			address: "https://127.0.0.1:8000", verify: "true", auth: "auto", ironic: true},
		{name: "ipv6", info: map[string]any{"redfish_address": "::1"},
			address: "https://[::1]", verify: "true", auth: "auto", ironic: true},
		{name: "http with root", info: map[string]any{"redfish_address": "http://10.0.0.1:8000/redfish/v1/"},
			address: "http://10.0.0.1:8000", verify: "true", auth: "auto", ironic: true},
		{name: "userinfo", info: map[string]any{"redfish_address": "https://root:pw@bmc"},
			address: "https://root:pw@bmc", verify: "true", auth: "auto", ironic: true},
		{name: "missing", info: map[string]any{}, class: "MissingParameterValue", msg: missing, ironic: true},
		{name: "empty", info: map[string]any{"redfish_address": ""}, class: "MissingParameterValue", msg: missing, ironic: true},
		{name: "null", info: map[string]any{"redfish_address": nil}, class: "MissingParameterValue", msg: missing, ironic: true},
		{name: "space in host", info: map[string]any{"redfish_address": "https://bmc example.com"},
			class: "InvalidParameterValue",
			msg:   "Invalid Redfish address https://bmc example.com set in driver_info/redfish_address on node %NODE%", ironic: true},
		{name: "bad ipv4", info: map[string]any{"redfish_address": "https://300.1.1.1"},
			class: "InvalidParameterValue",
			msg:   "Invalid Redfish address https://300.1.1.1 set in driver_info/redfish_address on node %NODE%", ironic: true},
		{name: "long port", info: map[string]any{"redfish_address": "bmc:123456"},
			class: "InvalidParameterValue",
			msg:   "Invalid Redfish address https://bmc:123456 set in driver_info/redfish_address on node %NODE%", ironic: true},
		{name: "query kept out", info: map[string]any{"redfish_address": "https://bmc:8000?a=b c#x y"},
			address: "https://bmc:8000", verify: "true", auth: "auto", ironic: true},
		{name: "scheme-like host", info: map[string]any{"redfish_address": "1http://bmc"},
			class: "InvalidParameterValue",
			msg: "Invalid Redfish address https://1http://bmc set in driver_info/redfish_address on node %NODE%: " +
				"the root prefix //bmc is not supported, only /redfish/v1"},
		{name: "number", info: map[string]any{"redfish_address": int64(5)},
			class: "InvalidParameterValue",
			msg:   "Invalid Redfish address 5 set in driver_info/redfish_address on node %NODE%", ironic: true},
		{name: "bad port", info: map[string]any{"redfish_address": "https://bmc:80a"},
			class: "InvalidParameterValue",
			msg:   "Invalid Redfish address https://bmc:80a set in driver_info/redfish_address on node %NODE%", ironic: true},
		{name: "other root prefix", info: map[string]any{"redfish_address": "https://bmc/custom"},
			class: "InvalidParameterValue",
			msg: "Invalid Redfish address https://bmc/custom set in driver_info/redfish_address on node %NODE%: " +
				"the root prefix /custom is not supported, only /redfish/v1"},
		{name: "system id", info: map[string]any{"redfish_address": "bmc", "redfish_system_id": "/redfish/v1/Systems/a b"},
			address: "https://bmc", systemID: "/redfish/v1/Systems/a%20b", verify: "true", auth: "auto", ironic: true},
		{name: "system id null", info: map[string]any{"redfish_address": "bmc", "redfish_system_id": nil},
			address: "https://bmc", verify: "true", auth: "auto", ironic: true},
		{name: "system id number", info: map[string]any{"redfish_address": "bmc", "redfish_system_id": int64(5)},
			class: "InvalidParameterValue",
			msg: "Invalid value \"5\" set in driver_info/redfish_system_id on node %NODE%. The value should be a path " +
				"(string) to the resource that the driver will interact with. For example: /redfish/v1/Systems/1", ironic: true},
		{name: "verify false", info: map[string]any{"redfish_address": "bmc", "redfish_verify_ca": false},
			address: "https://bmc", verify: "false", auth: "auto", ironic: true},
		{name: "verify string no", info: map[string]any{"redfish_address": "bmc", "redfish_verify_ca": "no"},
			address: "https://bmc", verify: "false", auth: "auto", ironic: true},
		{name: "verify string True", info: map[string]any{"redfish_address": "bmc", "redfish_verify_ca": " True "},
			address: "https://bmc", verify: "true", auth: "auto", ironic: true},
		{name: "verify file", info: map[string]any{"redfish_address": "bmc", "redfish_verify_ca": caFile},
			address: "https://bmc", verify: caFile, auth: "auto", ironic: true},
		{name: "verify dir", info: map[string]any{"redfish_address": "bmc", "redfish_verify_ca": caDir},
			address: "https://bmc", verify: caDir, auth: "auto", ironic: true},
		{name: "verify maybe", info: map[string]any{"redfish_address": "bmc", "redfish_verify_ca": "maybe"},
			class: "InvalidParameterValue",
			msg: "Invalid value type set in driver_info/redfish_verify_ca on node %NODE%. The value should be a " +
				"Boolean or the path to a file/directory, not \"maybe\"", ironic: true},
		{name: "verify number", info: map[string]any{"redfish_address": "bmc", "redfish_verify_ca": int64(1)},
			class: "InvalidParameterValue",
			msg: "Invalid value type set in driver_info/redfish_verify_ca on node %NODE%. The value should be a " +
				"Boolean or the path to a file/directory, not \"1\"", ironic: true},
		{name: "verify null", info: map[string]any{"redfish_address": "bmc", "redfish_verify_ca": nil},
			class: "InvalidParameterValue",
			msg: "Invalid value type set in driver_info/redfish_verify_ca on node %NODE%. The value should be a " +
				"Boolean or the path to a file/directory, not \"None\"", ironic: true},
		{name: "auth basic", info: map[string]any{"redfish_address": "bmc", "redfish_auth_type": "basic"},
			address: "https://bmc", verify: "true", auth: "basic", ironic: true},
		{name: "auth session", info: map[string]any{"redfish_address": "bmc", "redfish_auth_type": "session"},
			address: "https://bmc", verify: "true", auth: "session", ironic: true},
		{name: "auth digest", info: map[string]any{"redfish_address": "bmc", "redfish_auth_type": "digest"},
			class: "InvalidParameterValue",
			msg: "Invalid value \"digest\" set in driver_info/redfish_auth_type on node %NODE%. The value should be " +
				"one of \"basic\", \"session\" or \"auto\".", ironic: true},
		{name: "auth null", info: map[string]any{"redfish_address": "bmc", "redfish_auth_type": nil},
			class: "InvalidParameterValue",
			msg: "Invalid value \"None\" set in driver_info/redfish_auth_type on node %NODE%. The value should be " +
				"one of \"basic\", \"session\" or \"auto\".", ironic: true},
		{name: "username number", info: map[string]any{"redfish_address": "bmc", "redfish_username": int64(3)},
			class: "InvalidParameterValue",
			msg:   "Invalid value type set in driver_info/redfish_username on node %NODE%. The value should be a string"},
		{name: "password list", info: map[string]any{"redfish_address": "bmc", "redfish_password": []any{testPassword}},
			class: "InvalidParameterValue",
			msg:   "Invalid value type set in driver_info/redfish_password on node %NODE%. The value should be a string"},
	}
}

// caFixtures writes a PEM file and a directory holding it.
func caFixtures(t *testing.T) (string, string) {
	t.Helper()
	srv := redfishtest.Start(t, redfishtest.Options{TLS: true})
	dir := t.TempDir()
	file, err := srv.WriteCAFile(dir)
	if err != nil {
		t.Fatal(err)
	}
	return file, dir
}

func parseCase(c driverInfoCase) (*driverInfo, error) {
	node := &objects.Node{UUID: new(testNodeUUID), DriverInfo: c.info}
	return parseDriverInfo(node, AuthAuto)
}

func TestParseDriverInfo(t *testing.T) {
	caFile, caDir := caFixtures(t)
	for _, c := range driverInfoCases(caFile, caDir) {
		t.Run(c.name, func(t *testing.T) {
			di, err := parseCase(c)
			if c.class != "" {
				ie := exc(t, err)
				if ie.Class != c.class {
					t.Fatalf("class %s, want %s (%v)", ie.Class, c.class, ie)
				}
				if want := strings.ReplaceAll(c.msg, "%NODE%", testNodeUUID); ie.Msg != want {
					t.Errorf("message:\n got %q\nwant %q", ie.Msg, want)
				}
				if strings.Contains(ie.Msg, testPassword) {
					t.Errorf("message contains the password: %q", ie.Msg)
				}
				if !errors.Is(err, exception.ErrInvalidParameterValue) {
					t.Errorf("%v does not match InvalidParameterValue", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			got := []string{di.address, di.systemID, di.verifyCA.String(), di.authType}
			want := []string{c.address, c.systemID, c.verify, c.auth}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("parse (-want +got):\n%s", diff)
			}
		})
	}
}

func TestParseDriverInfoDefaultAuth(t *testing.T) {
	node := &objects.Node{UUID: new(testNodeUUID), DriverInfo: map[string]any{"redfish_address": "bmc"}}
	di, err := parseDriverInfo(node, AuthBasic)
	if err != nil || di.authType != AuthBasic {
		t.Fatalf("default auth: %+v %v", di, err)
	}
	node.UUID = nil
	_, err = parseDriverInfo(&objects.Node{}, AuthAuto)
	wantClass(t, err, "MissingParameterValue", "node None driver_info")
}

func TestProperties(t *testing.T) {
	p := Properties()
	want := []string{InfoAddress, InfoAuthType, InfoPassword, InfoSystemID, InfoUsername, InfoVerifyCA}
	var got []string
	for k := range p {
		got = append(got, k)
	}
	if diff := cmp.Diff(want, got, cmpSorted); diff != "" {
		t.Errorf("properties (-want +got):\n%s", diff)
	}
	if !strings.HasSuffix(p[InfoAddress], "Required") {
		t.Errorf("redfish_address description: %q", p[InfoAddress])
	}
	d, err := New(DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	for name, props := range map[string]map[string]string{
		"power": d.Power().Properties(), "management": d.Management().Properties(), "inspect": d.Inspect().Properties(),
	} {
		if diff := cmp.Diff(p, props); diff != "" {
			t.Errorf("%s properties differ:\n%s", name, diff)
		}
	}
}

func TestQuotePath(t *testing.T) {
	for in, want := range map[string]string{
		"/redfish/v1/Systems/1":    "/redfish/v1/Systems/1",
		"/a b/é":                   "/a%20b/%C3%A9",
		"sys~_.-":                  "sys~_.-",
		"/Systems/x?y#z%":          "/Systems/x%3Fy%23z%25",
		"/Systems/System.Embedded": "/Systems/System.Embedded",
	} {
		if got := quotePath(in); got != want {
			t.Errorf("quotePath(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestConfigValidate(t *testing.T) {
	if err := DefaultConfig().Validate(); err != nil {
		t.Fatal(err)
	}
	bad := Config{AuthType: "kerberos", ConnectionCacheSize: -1, ConnectionRetryInterval: -1}
	err := bad.Validate()
	for _, frag := range []string{"connection_attempts", "auth_type", "connection_cache_size", "connection_retry_interval",
		"power_state_change_timeout", "poll intervals", "request timeout", "response size"} {
		if err == nil || !strings.Contains(err.Error(), frag) {
			t.Errorf("Validate() = %v, lacks %q", err, frag)
		}
	}
	if _, err := New(bad); err == nil {
		t.Error("New accepted an invalid config")
	}
}

var cmpSorted = cmp.Transformer("sort", func(in []string) []string {
	out := append([]string(nil), in...)
	for i := range out {
		for j := i + 1; j < len(out); j++ {
			if out[j] < out[i] {
				out[i], out[j] = out[j], out[i]
			}
		}
	}
	return out
})

// writeFile is a test helper.
func writeFile(t *testing.T, p string, data []byte) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, data, 0o600); err != nil {
		t.Fatal(err)
	}
}
