package ipmi

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/rs/zerolog"

	"github.com/ironic-go/ironic-go/objects"
	"github.com/ironic-go/ironic-go/objects/exception"
)

// FuzzParseBootFlags decodes any Get System Boot Options reply without
// panicking. Seeds: replies of ipmi_sim and pyghmi (multibmc.py).
func FuzzParseBootFlags(f *testing.F) {
	for _, s := range [][]byte{
		{0x01, 0x05, 0x00, 0x04, 0x00, 0x00, 0x00}, // ipmi_sim after bootdev pxe
		{0x01, 0x05, 0xe0, 0x04, 0x00, 0x00, 0x00}, // pyghmi, persistent UEFI pxe
		{0x01, 0x05, 0x80, 0x24, 0x00, 0x00, 0x00},
		{0x01},
		{},
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, reply []byte) {
		bd := parseBootFlags(reply)
		if bd.Persistent == nil {
			t.Fatal("persistent unset")
		}
		if len(reply) < 4 && (bd.Device != "" || *bd.Persistent) {
			t.Fatalf("short reply decoded: %+v", bd)
		}
	})
}

// FuzzParseRawBytes: what parses re-parses identically from its
// canonical hexadecimal form.
func FuzzParseRawBytes(f *testing.F) {
	for _, s := range []string{"0x00 0x08 0x03 0x08", "0x00 0x08 0x05 0xe0 0x04 0x00 0x00 0x00", "6 1", "0x06 0x02", "010 0x1 9", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		netfn, cmd, data, err := parseRawBytes(s)
		if err != nil {
			return
		}
		canon := fmt.Sprintf("0x%02x 0x%02x", netfn, cmd)
		for _, b := range data {
			canon += fmt.Sprintf(" 0x%02x", b)
		}
		n2, c2, d2, err := parseRawBytes(canon)
		if err != nil || n2 != netfn || c2 != cmd || string(d2) != string(data) {
			t.Fatalf("%q -> %q does not round-trip", s, canon)
		}
	})
}

// FuzzDriverInfo parses any driver_info JSON without panicking; failures
// are Ironic's parameter exceptions, and no message shows the password.
func FuzzDriverInfo(f *testing.F) {
	for _, s := range []string{
		`{"ipmi_address": "192.0.2.1", "ipmi_password": "pw", "ipmi_port": 623, "ipmi_cipher_suite": 3}`,
		`{"ipmi_address": "192.0.2.1", "ipmi_password": "pw", "ipmi_port": "x"}`,
		`{"ipmi_address": "192.0.2.1", "ipmi_bridging": "dual", "ipmi_priv_level": "USER"}`,
		`{"ipmi_address": "h", "ipmi_protocol_version": "1.5", "ipmi_cipher_suite": "17"}`,
		`{"ipmi_address": "h", "ipmi_hex_kg_key": "abc", "ipmi_terminal_port": 1.5}`,
		`{}`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		var info map[string]any
		dec := json.NewDecoder(strings.NewReader(s))
		dec.UseNumber()
		if dec.Decode(&info) != nil {
			return
		}
		pw, _ := info["ipmi_password"].(string)
		n := &objects.Node{UUID: new("11111111-2222-3333-4444-555555555555"), DriverInfo: info}
		d, err := parseDriverInfo(n, zerolog.Nop())
		if err != nil {
			var e *exception.Error
			if !errors.As(err, &e) || !errors.Is(err, exception.ErrInvalidParameterValue) {
				t.Fatalf("%v is not InvalidParameterValue", err)
			}
			return
		}
		if d.port < 0 || d.port > 65535 {
			t.Fatalf("port %d", d.port)
		}
		if len(pw) > 3 && (strings.Contains(d.String(), pw) && !strings.Contains(d.address+d.username, pw)) {
			t.Fatalf("password in %q", d.String())
		}
	})
}
