package objects

import (
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/ironic-go/ironic-go/messaging"
	"github.com/ironic-go/ironic-go/objects/exception"
)

// setValue sets a field on a fresh object and returns its primitive.
func setValue(t *testing.T, name, field string, v any) (any, error) {
	t.Helper()
	o, _ := New(name)
	if err := o.Set(field, v); err != nil {
		return nil, err
	}
	p, _ := o.objSchema().lookup(field)
	return primitive(o, p), nil
}

func TestFieldCoercion(t *testing.T) {
	type tc struct {
		obj, field string
		in         any
		want       any    // primitive
		err        string // RemoteClass of the error
	}
	cases := []tc{
		// Integer
		{"Node", "id", int64(5), int64(5), ""},
		{"Node", "id", "5", int64(5), ""},
		{"Node", "id", " -5 ", int64(-5), ""},
		{"Node", "id", "1_000", int64(1000), ""},
		{"Node", "id", 5.7, int64(5), ""},
		{"Node", "id", -5.7, int64(-5), ""},
		{"Node", "id", true, int64(1), ""},
		{"Node", "id", json.Number("7"), int64(7), ""},
		{"Node", "id", "x", nil, "ValueError"},
		{"Node", "id", "1__0", nil, "ValueError"},
		{"Node", "id", "5.0", nil, "ValueError"},
		{"Node", "id", nil, nil, "ValueError"},
		{"Node", "id", "99999999999999999999", nil, "ValueError"},
		{"Node", "chassis_id", nil, nil, ""},
		{"Node", "id", map[string]any{}, nil, "ValueError"},
		// String and UUID (not normalized)
		{"Node", "name", "n", "n", ""},
		{"Node", "name", int64(5), "5", ""},
		{"Node", "name", 5.0, "5.0", ""},
		{"Node", "name", 1e16, "1e+16", ""},
		{"Node", "name", true, "True", ""},
		{"Node", "name", map[string]any{"a": 1}, nil, "ValueError"},
		{"Node", "name", []any{}, nil, "ValueError"},
		{"Node", "uuid", "NOT-A-UUID", "NOT-A-UUID", ""},
		{"Node", "uuid", "1BE26C0B-03F2-4D2E-AE87-C02D7F33C123", "1BE26C0B-03F2-4D2E-AE87-C02D7F33C123", ""},
		{"Node", "driver", nil, nil, ""},
		{"Conductor", "hostname", nil, nil, "ValueError"},
		// Boolean: Python's bool(); non-nullable ones refuse None
		{"Node", "maintenance", true, true, ""},
		{"Node", "maintenance", "", false, ""},
		{"Node", "maintenance", "false", true, ""},
		{"Node", "maintenance", int64(0), false, ""},
		{"Node", "maintenance", map[string]any{}, false, ""},
		{"Node", "maintenance", nil, nil, "ValueError"},
		{"Node", "console_enabled", nil, nil, "ValueError"},
		{"Port", "pxe_enabled", nil, nil, "ValueError"},
		{"Portgroup", "standalone_ports_supported", nil, nil, "ValueError"},
		// DateTime
		{"Node", "provision_updated_at", "2017-02-01T12:30:45.123456Z", "2017-02-01T12:30:45Z", ""},
		{"Node", "provision_updated_at", "2017-02-01T12:30:45+00:00", "2017-02-01T12:30:45Z", ""},
		{"Node", "provision_updated_at", "2017-02-01T12:30:45", "2017-02-01T12:30:45Z", ""},
		{"Node", "provision_updated_at", "2017-02-01T14:30:45.5+02:00", "2017-02-01T12:30:45Z", ""},
		{"Node", "provision_updated_at", "2017-02-01T10:00:00-0230", "2017-02-01T12:30:00Z", ""},
		{"Node", "provision_updated_at", "2017-02-01 12:30", "2017-02-01T12:30:00Z", ""},
		{"Node", "provision_updated_at", "20170201T123045Z", "2017-02-01T12:30:45Z", ""},
		{"Node", "provision_updated_at", "2017-02-01", "2017-02-01T00:00:00Z", ""},
		{"Node", "provision_updated_at", "2017-02", "2017-02-01T00:00:00Z", ""},
		{"Node", "provision_updated_at", "2017", "2017-01-01T00:00:00Z", ""},
		{"Node", "provision_updated_at", "2017-02-01T12:30:45Z\n", "2017-02-01T12:30:45Z", ""},
		{"Node", "provision_updated_at", time.Date(2017, 2, 1, 13, 30, 45, 999, time.FixedZone("", 3600)), "2017-02-01T12:30:45Z", ""},
		{"Node", "provision_updated_at", "201702", nil, "ValueError"},
		{"Node", "provision_updated_at", "2017-02-30", nil, "ValueError"},
		{"Node", "provision_updated_at", "2017-02-01T24:00:00", nil, "ValueError"},
		{"Node", "provision_updated_at", "2017-02-01T12:00:00z", nil, "ValueError"},
		{"Node", "provision_updated_at", "0001-01-01T00:00:00+01:00", nil, "ValueError"},
		{"Node", "provision_updated_at", "2017-02-01T12:00:00+24:00", nil, "ValueError"},
		{"Node", "provision_updated_at", "2017-02-01T12:00:00.9999999999999999999999999999999Z", nil, "ValueError"},
		{"Node", "provision_updated_at", "2017-02-01T12:00:00.99999999999999999999999999Z", "2017-02-01T12:00:00Z", ""},
		{"Node", "provision_updated_at", int64(5), nil, "ValueError"},
		{"Node", "provision_updated_at", nil, nil, ""},
		// FlexibleDict
		{"Node", "extra", nil, map[string]any{}, ""},
		{"Node", "extra", map[string]any{"a": int64(1)}, map[string]any{"a": int64(1)}, ""},
		{"Node", "extra", map[string]string{"a": "b"}, map[string]any{"a": "b"}, ""},
		{"Node", "extra", `{"a": 1, "b": [1, 2.5, "x"]}`, map[string]any{"a": int64(1), "b": []any{int64(1), 2.5, "x"}}, ""},
		{"Node", "extra", `{'a': True, 'b': None, 'c': False, 'd': (1, 2)}`, map[string]any{"a": true, "b": nil, "c": false, "d": []any{int64(1), int64(2)}}, ""},
		{"Node", "extra", `{"a": true, "b": null}`, map[string]any{"a": true, "b": nil}, ""},
		{"Node", "extra", `{1: 2, True: 3, None: 4, 1.5: 5}`, map[string]any{"1": int64(3), "null": int64(4), "1.5": int64(5)}, ""},
		{"Node", "extra", `[('a', 1), ['b', 2], 'cd']`, map[string]any{"a": int64(1), "b": int64(2), "c": "d"}, ""},
		{"Node", "extra", `{}`, map[string]any{}, ""},
		{"Node", "extra", `5`, nil, "ValueError"},
		{"Node", "extra", `{'a': x}`, nil, "ValueError"},
		{"Node", "extra", `{'a': 1e999}`, nil, "ValueError"},
		{"Node", "extra", `{'a': b'x'}`, nil, "ValueError"},
		{"Node", "extra", `{'a': 1j}`, nil, "ValueError"},
		{"Node", "extra", `{'a': 1} junk`, nil, "ValueError"},
		{"Node", "extra", int64(5), nil, "ValueError"},
		{"Node", "extra", []any{"abc"}, nil, "ValueError"},
		// MACAddress
		{"Port", "address", "AA:BB:CC:DD:EE:FF", "aa:bb:cc:dd:ee:ff", ""},
		{"Portgroup", "address", "aa:bb:cc:dd:ee:ff", "aa:bb:cc:dd:ee:ff", ""},
		{"Port", "address", "aa-bb-cc-dd-ee-ff", nil, "InvalidMAC"},
		{"Port", "address", "aabb.ccdd.eeff", nil, "InvalidMAC"},
		{"Port", "address", "aa:bb:cc:dd:ee", nil, "InvalidMAC"},
		{"Port", "address", "aa:bb:cc:dd:ee:ff\n", nil, "InvalidMAC"},
		{"Port", "address", int64(5), nil, "InvalidMAC"},
		{"Port", "address", nil, nil, ""},
		// ListOfStrings
		{"Conductor", "drivers", []any{"ipmi", int64(1)}, []string{"ipmi", "1"}, ""},
		{"Conductor", "drivers", []string{}, []string{}, ""},
		{"Conductor", "drivers", nil, nil, ""},
		{"Conductor", "drivers", "ipmi", nil, "ValueError"},
		{"Conductor", "drivers", []any{nil}, nil, "ValueError"},
	}
	for _, c := range cases {
		name := c.obj + "." + c.field + "=" + strings.ReplaceAll(reflect.ValueOf(c.in).String(), "\n", `\n`)
		got, err := setValue(t, c.obj, c.field, c.in)
		if c.err != "" {
			var re messaging.RemoteException
			if !errors.As(err, &re) || re.RemoteClass() != c.err {
				t.Errorf("%s: err = %v, want %s", name, err, c.err)
			}
			var fe *FieldError
			if !errors.As(err, &fe) || fe.Field != c.field {
				t.Errorf("%s: not a FieldError: %v", name, err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if diff := cmp.Diff(c.want, got); diff != "" {
			t.Errorf("%s (-want +got):\n%s", name, diff)
		}
	}
}

func TestInvalidMACError(t *testing.T) {
	_, err := NormalizeMAC("zz:bb:cc:dd:ee:ff")
	if !errors.Is(err, exception.ErrInvalidMAC) || !errors.Is(err, exception.ErrInvalid) {
		t.Fatalf("err = %v, want InvalidMAC", err)
	}
	var e *exception.Error
	if !errors.As(err, &e) || e.Msg != "Expected a MAC address but received zz:bb:cc:dd:ee:ff." ||
		e.Kwargs["mac"] != "zz:bb:cc:dd:ee:ff" || e.Kwargs["code"] != 400 {
		t.Errorf("err = %#v", e)
	}
	// Through Set, the FieldError wraps it.
	var fe *FieldError
	if err := (&Port{}).Set("address", "x"); !errors.As(err, &fe) || !errors.Is(err, exception.ErrInvalidMAC) {
		t.Errorf("Set: %v", err)
	}
}

func TestDecodeFieldValues(t *testing.T) {
	// Values as a peer may send them: FlexibleDict null becomes {}, big and
	// float numbers survive, a MAC is normalized, DateTime microseconds drop.
	raw := []byte(`{"ironic_object.name": "Port", "ironic_object.namespace": "ironic", "ironic_object.version": "1.6",
	 "ironic_object.data": {"id": 1, "extra": null, "address": "52:54:00:AB:CD:EF", "pxe_enabled": 1,
	  "internal_info": {"big": 123456789012345678901234567890, "f": 1.0, "e": 1e400, "s": "\u00e9"},
	  "created_at": "2017-02-01T12:00:00.999999+00:00"}, "ironic_object.changes": ["extra", "uuid", "bogus"]}`)
	p, err := DecodePort(raw)
	if err != nil {
		t.Fatal(err)
	}
	if p.Extra == nil || len(p.Extra) != 0 || *p.Address != "52:54:00:ab:cd:ef" || !p.PXEEnabled {
		t.Errorf("port = %+v", p)
	}
	if got := p.Changes(); !cmp.Equal(got, []string{"extra"}) {
		t.Errorf("changes = %v (unset and unknown names are dropped)", got)
	}
	got := string(mustEncode(t, p))
	for _, want := range []string{`"big": 123456789012345678901234567890`, `"f": 1.0`, `"e": 1e400`, `"s": "\u00e9"`,
		`"created_at": "2017-02-01T12:00:00Z"`, `"extra": {}`} {
		if !strings.Contains(got, want) {
			t.Errorf("encoding lacks %s: %s", want, got)
		}
	}
}
