package exception

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"os"
	"reflect"
	"strings"
	"testing"

	"github.com/ironic-go/ironic-go/messaging"
)

// goldenFile holds failures serialized by Python's oslo.messaging for every
// class (rewritten by go test -tags integration -run TestGoDecodesPythonFailures -update).
const goldenFile = "testdata/python_failures.json"

// goldenFailure is one Python-raised exception: how it was built and the
// failure oslo serialized.
type goldenFailure struct {
	Class   string            `json:"class"`
	Kwargs  map[string]string `json:"kwargs"` // JSON of each kwarg given to the class
	Message string            `json:"message,omitempty"`
	Failure string            `json:"failure"`
}

func loadGolden(t testing.TB) []goldenFailure {
	t.Helper()
	data, err := os.ReadFile(goldenFile)
	if err != nil {
		t.Fatal(err)
	}
	var g []goldenFailure
	if err := json.Unmarshal(data, &g); err != nil {
		t.Fatal(err)
	}
	return g
}

func TestTableConsistency(t *testing.T) {
	seen := map[string]bool{}
	for _, r := range classTable {
		if seen[r.name] {
			t.Errorf("%s listed twice", r.name)
		}
		if r.parent == "" {
			if r.name != "IronicException" {
				t.Errorf("%s has no parent", r.name)
			}
		} else if !seen[r.parent] {
			t.Errorf("%s: parent %s missing or listed after it", r.name, r.parent)
		}
		seen[r.name] = true
	}
	ownCodes := map[string]int{
		"IronicException": 500, "NotAuthorized": 403, "Invalid": 400, "Conflict": 409,
		"TemporaryFailure": 503, "NotAcceptable": 406, "NotFound": 404,
		"NoFreeConductorWorker": 503, "ImageChecksumFileReadFailure": 503,
	}
	for _, r := range classTable {
		c, _ := Lookup(r.name)
		if want, ok := ownCodes[r.name]; ok {
			if r.code != want {
				t.Errorf("%s sets code %d, want %d", r.name, r.code, want)
			}
		} else if r.code != 0 {
			t.Errorf("%s sets code %d, Python inherits it", r.name, r.code)
		}
		if r.parent != "" {
			p, _ := Lookup(r.parent)
			if r.code == 0 && c.Code != p.Code {
				t.Errorf("%s: code %d, parent %s has %d", r.name, c.Code, p.Name, p.Code)
			}
			if r.format == "" && c.Format != p.Format {
				t.Errorf("%s: format %q, parent's %q", r.name, c.Format, p.Format)
			}
		}
		if c.Format == "" {
			t.Errorf("%s has no format", r.name)
		}
		if _, err := pyFormat(c.Format, exampleKwargs(0, c.Format)); err != nil {
			t.Errorf("%s: format %q fails with its own keys", r.name, c.Format)
		}
	}
	if n := len(Classes()); n != len(classTable) || n < 170 {
		t.Errorf("%d classes", n)
	}
	if _, ok := Lookup("NoSuchClass"); ok {
		t.Error("Lookup of an unknown class succeeded")
	}
}

// TestCodes checks the HTTP codes ironic_1_40.md §2.1 lists.
func TestCodes(t *testing.T) {
	want := map[int][]string{
		409: {"NodeLocked", "InvalidState", "NodeAssociated", "Conflict", "MACAlreadyExists", "PortgroupMACAlreadyExists",
			"VifAlreadyAttached", "NodeAlreadyExists", "PortAlreadyExists", "PortgroupAlreadyExists",
			"VolumeConnectorTypeAndIdAlreadyExists", "VolumeTargetBootIndexAlreadyExists", "DuplicateName",
			"InstanceAssociated", "PowerStateFailure"},
		400: {"InvalidParameterValue", "MissingParameterValue", "InvalidStateRequested", "NodeInMaintenance",
			"UnsupportedDriverExtension", "NodeConsoleNotEnabled", "PortgroupNotEmpty", "NoFreePhysicalPorts",
			"VifNotAttached", "NodeNotLocked", "NoValidDefaultForInterface", "InterfaceNotFoundInEntrypoint",
			"IncompatibleInterface", "InvalidIdentity", "InvalidUUID", "InvalidName", "InvalidUuidOrName"},
		404: {"NodeNotFound", "DriverNotFound", "NoValidHost", "VolumeConnectorNotFound", "VolumeTargetNotFound",
			"PortNotFound", "PortgroupNotFound", "ChassisNotFound", "ConductorNotFound", "ImageNotFound"},
		503: {"NoFreeConductorWorker", "TemporaryFailure"},
		500: {"InstanceDeployFailure", "HardwareInspectionFailure", "NetworkError", "FailedToUpdateMacOnPort",
			"FailedToUpdateDHCPOptOnPort", "IPMIFailure", "RedfishError", "RedfishConnectionError",
			"ConductorAlreadyRegistered", "NodeCleaningFailure", "IronicException"},
		403: {"NodeProtected", "ExclusiveLockRequired", "NotAuthorized"},
	}
	for code, names := range want {
		for _, n := range names {
			c, ok := Lookup(n)
			if !ok {
				t.Errorf("%s missing", n)
				continue
			}
			if c.Code != code {
				t.Errorf("%s: code %d, want %d", n, c.Code, code)
			}
			if got := New(n, nil).Code(); got != code {
				t.Errorf("New(%s).Code() = %d, want %d", n, got, code)
			}
		}
	}
}

func TestSentinels(t *testing.T) {
	if len(sentinels) != len(classTable) {
		t.Fatalf("%d sentinels for %d classes", len(sentinels), len(classTable))
	}
	for i, s := range sentinels {
		if s.Class != classTable[i].name {
			t.Errorf("sentinel %d is %s, want %s", i, s.Class, classTable[i].name)
		}
		if !errors.Is(s, s) || !errors.Is(s, ErrIronicException) {
			t.Errorf("%s does not match itself or IronicException", s.Class)
		}
		if s.Error() != s.Class {
			t.Errorf("sentinel Error() = %q", s.Error())
		}
	}
}

func TestIsFollowsParents(t *testing.T) {
	cases := []struct {
		err    error
		target *Error
		want   bool
	}{
		{NodeLocked("n", "h"), ErrNodeLocked, true},
		{NodeLocked("n", "h"), ErrConflict, true},
		{NodeLocked("n", "h"), ErrIronicException, true},
		{NodeLocked("n", "h"), ErrNotFound, false},
		{NodeLocked("n", "h"), ErrInvalidState, false},
		{fmt.Errorf("lock node n: %w", NodeLocked("n", "h")), ErrConflict, true},
		{NodeAssociated("n", "i"), ErrInvalidState, true},
		{NodeAssociated("n", "i"), ErrConflict, true},
		{MissingParameterValue("x"), ErrInvalidParameterValue, true},
		{MissingParameterValue("x"), ErrInvalid, true},
		{InvalidParameterValue("x"), ErrMissingParameterValue, false},
		{IncompatibleInterface("a", "b", "c"), ErrInvalidParameterValue, true},
		{NoValidDefaultForInterface("", "ipmi", "boot"), ErrInvalidParameterValue, true},
		{NoFreeConductorWorker(), ErrTemporaryFailure, true},
		{NodeProtected("n"), ErrHTTPForbidden, true},
		{NodeProtected("n"), ErrNotAuthorized, true},
		{RedfishConnectionError("n", "e"), ErrDriverOperationError, true},
		{DriverNotFoundInEntrypoint([]string{"x"}, "ironic.hardware.types"), ErrDriverNotFound, true},
		{PowerStateFailure("power on"), ErrInvalidState, true},
		{New("NoSuchClass", nil), &Error{Class: "NoSuchClass"}, true},
		{New("NoSuchClass", nil), ErrIronicException, false},
		{errors.New("plain"), ErrIronicException, false},
		{NodeLocked("n", "h"), nil, false},
	}
	for _, c := range cases {
		if got := errors.Is(c.err, c.target); got != c.want {
			t.Errorf("errors.Is(%v, %v) = %v, want %v", c.err, c.target, got, c.want)
		}
	}
	e, ok := errors.AsType[*Error](fmt.Errorf("wrap: %w", NodeNotFound("n")))
	if !ok || e.Class != "NodeNotFound" || e.Code() != 404 {
		t.Errorf("errors.AsType: %v %v", e, ok)
	}
	if !IsSubclass("NodeAssociated", "Conflict") || IsSubclass("Conflict", "NodeAssociated") || IsSubclass("X", "IronicException") {
		t.Error("IsSubclass")
	}
}

// TestMessages checks messages and wire kwargs against Python's (captured
// from python3-ironic 21.4).
func TestMessages(t *testing.T) {
	cases := []struct {
		err    *Error
		msg    string
		kwargs map[string]any
	}{
		{NodeLocked("n1", "cond-b"), "Node n1 is locked by host cond-b, please retry after the current operation is completed.",
			map[string]any{"node": `"n1"`, "host": `"cond-b"`, "code": 409}},
		{NodeNotFound(42), "Node 42 could not be found.", map[string]any{"node": "42", "code": 404}},
		{InvalidStateRequested("deploy", "n1", "active"), `The requested action "deploy" can not be performed on node "n1" while it is in state "active".`,
			map[string]any{"action": `"deploy"`, "node": `"n1"`, "state": `"active"`, "code": 400}},
		{NoFreeConductorWorker(), "Requested action cannot be performed due to lack of free conductor workers.", map[string]any{"code": 503}},
		{NodeInMaintenance("deploy", "n1"), "The deploy operation can't be performed on node n1 because it's in maintenance mode.", nil},
		{DriverNotFound("ipmi"), "Could not find the following driver(s) or hardware type(s): ipmi.", nil},
		{NoValidHost("No conductor"), "No valid host was found. Reason: No conductor", nil},
		{UnsupportedDriverExtension("fake", "console"), "Driver fake does not support console (disabled or not implemented).", nil},
		{New("NodeLocked", map[string]any{"node": "n1"}), "Node %(node)s is locked by host %(host)s, please retry after the current operation is completed.", nil},
		{New("RedfishError", map[string]any{"error": "x", "code": 404}), "Redfish exception occurred. Error: x",
			map[string]any{"error": `"x"`, "code": "404"}},
		{New("InstanceDeployFailure", map[string]any{"reason": errors.New(`boom "x"`)}), `Failed to deploy instance: boom "x"`,
			map[string]any{"reason": `boom "x"`, "code": 500}},
		{New("Conflict", map[string]any{"extra": []any{1, "a", nil, 2.5, map[string]any{"a": true, "b": 1}}}), "Conflict.",
			map[string]any{"extra": `[1, "a", null, 2.5, {"a": true, "b": 1}]`, "code": 409}},
		{InsufficientDiskSpace("/x", 2, 1), "Disk volume where '/x' is located doesn't have enough disk space. Required 2 MiB, only 1 MiB available space present.", nil},
		{New("InsufficientDiskSpace", map[string]any{"path": "/x", "required": 2.9, "actual": true}), "Disk volume where '/x' is located doesn't have enough disk space. Required 2 MiB, only 1 MiB available space present.", nil},
		{VolumeTargetBootIndexAlreadyExists(0), "A volume target with boot index '0' for the same node already exists.", nil},
		{NoValidDefaultForInterface(" node n1 with", "ipmi", "boot"), "For node n1 with hardware type 'ipmi', no default value found for boot interface could be determined. Please ensure the interfaces are enabled.", nil},
		{InvalidParameterValue(""), "", map[string]any{"err": `""`, "code": 400}},
		{NodeLocked("é\U0001F600", "h"), "Node é\U0001F600 is locked by host h, please retry after the current operation is completed.",
			map[string]any{"node": `"\u00e9\ud83d\ude00"`, "host": `"h"`, "code": 409}},
		{InvalidState("Node n1 is in state active"), "Node n1 is in state active", map[string]any{"code": 409}},
		{InvalidState(""), "Invalid resource state.", map[string]any{"code": 409}},
	}
	for _, c := range cases {
		if c.err.Msg != c.msg {
			t.Errorf("%s: message %q, want %q", c.err.Class, c.err.Msg, c.msg)
		}
		args, kw := c.err.RemoteArgs()
		if len(args) != 1 || args[0] != c.msg {
			t.Errorf("%s: args %q", c.err.Class, args)
		}
		if c.kwargs != nil && !reflect.DeepEqual(kw, c.kwargs) {
			t.Errorf("%s: wire kwargs %#v, want %#v", c.err.Class, kw, c.kwargs)
		}
		if c.err.RemoteModule() != "ironic.common.exception" || c.err.RemoteClass() != c.err.Class || c.err.RemoteMessage() != c.msg {
			t.Errorf("%s: identity %s.%s %q", c.err.Class, c.err.RemoteModule(), c.err.RemoteClass(), c.err.RemoteMessage())
		}
	}
	if got := InvalidParameterValue("").Error(); got != "InvalidParameterValue" {
		t.Errorf("Error() of an empty message = %q", got)
	}
	if got := New("RedfishError", map[string]any{"error": "x", "code": 404}).Code(); got != 404 {
		t.Errorf("explicit code: %d", got)
	}
}

// TestConstructors checks that every typed constructor names a known class
// and fills its format.
func TestConstructors(t *testing.T) {
	errs := []*Error{
		IronicException(""), Invalid(""), Conflict(""), NotFound(""), TemporaryFailure(""), NotAuthorized(""),
		InvalidState(""), NetworkError(""), StorageError(""), InvalidParameterValue("e"), MissingParameterValue("e"),
		InvalidIdentity("x"), InvalidUUID("x"), InvalidName("x"), InvalidUuidOrName("x"), InvalidMAC("x"),
		InvalidStateRequested("a", "n", "s"), NodeLocked("n", "h"), NodeNotLocked("n"), NodeNotFound("n"),
		NodeAlreadyExists("u"), DuplicateName("n"), InstanceAssociated("i", "n"), NodeAssociated("n", "i"),
		NodeInMaintenance("o", "n"), NodeMaintenanceFailure("n", "r"), NodeConsoleNotEnabled("n"), NodeProtected("n"),
		NodeIsRetired("o", "n"), NodeCleaningFailure("n", "r"), NodeVerifyFailure("n", "r"), NodeTagNotFound(1, "t"),
		NodeTraitNotFound(1, "t"), NoFreeConductorWorker(), ExclusiveLockRequired(), ConcurrentActionLimit("t"),
		DriverNotFound("d"), DriverNotFoundInEntrypoint("n", "e"), DriverLoadError("d", "r"), DriverOperationError("d", "r"),
		NoValidHost("r"), NoDriversLoaded("c"), UnsupportedDriverExtension("d", "e"), IncompatibleInterface("a", "b", "c"),
		NoValidDefaultForInterface("", "d", "i"), InterfaceNotFoundInEntrypoint("i", "e", []string{"v"}),
		InstanceDeployFailure("r"), HardwareInspectionFailure("e"), PowerStateFailure("p"), IPMIFailure("c"),
		RedfishError("e"), RedfishConnectionError("n", "e"), FailedToGetSensorData("n", "e"), FailedToParseSensorData("n", "e"),
		ConsoleSubprocessFailed("e"), NoConsolePid("p"), NoFreeIPMITerminalPorts("h"), ImageNotFound("i"),
		ImageUnacceptable("i", "r"), InvalidImageRef("h"), ImageRefValidationFailed("h", "r"), ImageDownloadFailed("h", "r"),
		InsufficientDiskSpace("p", 1, 2), PortNotFound("p"), PortAlreadyExists("u"), PortDuplicateName("n"),
		MACAlreadyExists("m"), PortgroupNotFound("p"), PortgroupAlreadyExists("u"), PortgroupDuplicateName("n"),
		PortgroupMACAlreadyExists("m"), PortgroupNotEmpty("p"), FailedToUpdateMacOnPort("p"), FailedToUpdateDHCPOptOnPort("p"),
		ChassisNotFound("c"), ChassisAlreadyExists("u"), ChassisNotEmpty("c"), ConductorNotFound("c"),
		ConductorAlreadyRegistered("c"), ConductorHardwareInterfacesAlreadyRegistered("r"), VolumeConnectorNotFound("c"),
		VolumeConnectorAlreadyExists("u"), VolumeConnectorTypeAndIdAlreadyExists("t", "c"), VolumeTargetNotFound("t"),
		VolumeTargetAlreadyExists("u"), VolumeTargetBootIndexAlreadyExists(0), VifAlreadyAttached("v", "t", "u"),
		VifInvalidForAttach("v", "n", "r"), NoFreePhysicalPorts("v"), VifNotAttached("v", "n"), PatchError("p", "r"),
		ConfigInvalid("e"), DatabaseVersionTooOld(), AgentAPIError("n", 500, "e"), AgentConnectionFailed("r"),
		AgentCommandTimeout("c", "n"), InstanceNotFound("i"),
	}
	for _, e := range errs {
		c, ok := Lookup(e.Class)
		if !ok {
			t.Errorf("%s: unknown class", e.Class)
			continue
		}
		if strings.Contains(e.Msg, "%(") || e.Msg == "" {
			t.Errorf("%s: message %q not formatted from %q", e.Class, e.Msg, c.Format)
		}
		if e.Code() != c.Code || e.Kwargs["code"] != c.Code {
			t.Errorf("%s: code %d / %v, want %d", e.Class, e.Code(), e.Kwargs["code"], c.Code)
		}
	}
}

// wireKwargs passes kwargs through JSON as messaging.DecodeFailure reads
// them (numbers as json.Number).
func wireKwargs(t testing.TB, kw map[string]any) map[string]any {
	t.Helper()
	b, err := json.Marshal(kw)
	if err != nil {
		t.Fatal(err)
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var out map[string]any
	if err := dec.Decode(&out); err != nil {
		t.Fatal(err)
	}
	return out
}

func TestFromRemoteRoundTrip(t *testing.T) {
	for i, c := range Classes() {
		kw := exampleKwargs(i, c.Format)
		e := New(c.Name, kw)
		args, wire := e.RemoteArgs()
		got := FromRemote(e.RemoteModule(), e.RemoteClass(), args[0].(string), wireKwargs(t, wire))
		if got == nil {
			t.Fatalf("%s: FromRemote = nil", c.Name)
		}
		want := map[string]any{"code": c.Code}
		for k, v := range kw {
			d, _ := decodeJSONValue(pyJSON(v))
			want[k] = d
		}
		if got.Class != e.Class || got.Msg != e.Msg || got.Code() != e.Code() || !reflect.DeepEqual(got.Kwargs, want) {
			t.Errorf("%s: round trip %#v, want %#v", c.Name, got, want)
		}
		if !errors.Is(got, &Error{Class: c.Name}) {
			t.Errorf("%s: not Is its class", c.Name)
		}
		_, wire2 := got.RemoteArgs()
		if !reflect.DeepEqual(wire2, wire) {
			t.Errorf("%s: re-encoded %v, first %v", c.Name, wire2, wire)
		}
	}
	// Explicit code: sent JSON-encoded, kept so.
	e := New("RedfishError", map[string]any{"error": "x", "code": 404})
	_, wire := e.RemoteArgs()
	got := FromRemote(Module, "RedfishError", e.Msg, wireKwargs(t, wire))
	if _, wire2 := got.RemoteArgs(); !reflect.DeepEqual(wire2, wire) || got.Code() != 404 {
		t.Errorf("explicit code: %v, want %v", wire2, wire)
	}
	// A str()'d kwarg that is not JSON stays a string.
	got = FromRemote(Module, "InstanceDeployFailure", "Failed to deploy instance: boom", map[string]any{"reason": "boom", "code": json.Number("500")})
	if got.Kwargs["reason"] != "boom" || got.Kwargs["code"] != 500 {
		t.Errorf("str kwarg: %#v", got.Kwargs)
	}
	// No code: the class's.
	if got := FromRemote(Module, "NodeNotFound", "m", nil); got.Code() != 404 || got.Kwargs["code"] != 404 {
		t.Errorf("no code: %#v", got)
	}
}

func TestFromRemoteIdentity(t *testing.T) {
	cases := []struct {
		module, class string
		want          string // "" for nil
	}{
		{Module, "NodeLocked", "NodeLocked"},
		{Module + "_Remote", "NodeLocked_Remote", "NodeLocked"},
		{Module, "NodeLocked_Remote", ""},
		{Module, "NoSuchClass", ""},
		{"builtins", "ValueError", ""},
		{"builtins", "NodeLocked", ""},
		{"ironic_lib.exception", "IronicException", "IronicException"},
		{"ironic_lib.exception", "InstanceDeployFailure", ""},
		{Module, "IronicException", "IronicException"},
		{Module, "ClientSideError", ""},
	}
	for _, c := range cases {
		got := FromRemote(c.module, c.class, "m", nil)
		switch {
		case c.want == "" && got != nil:
			t.Errorf("FromRemote(%s, %s) = %v, want nil", c.module, c.class, got)
		case c.want != "" && (got == nil || got.Class != c.want):
			t.Errorf("FromRemote(%s, %s) = %v, want %s", c.module, c.class, got, c.want)
		}
	}
}

// TestFromRemoteMessaging goes through messaging's failure codec.
func TestFromRemoteMessaging(t *testing.T) {
	e := NodeLocked("1be26c0b-03f2-4d2e-ae87-c02d7f33c123", "cond-b")
	data, err := messaging.EncodeFailure(e)
	if err != nil {
		t.Fatal(err)
	}
	var raw map[string]any
	if err := json.Unmarshal(data, &raw); err != nil {
		t.Fatal(err)
	}
	wantKw := map[string]any{"node": `"1be26c0b-03f2-4d2e-ae87-c02d7f33c123"`, "host": `"cond-b"`, "code": 409.0}
	if raw["class"] != "NodeLocked" || raw["module"] != Module || raw["message"] != e.Msg || !reflect.DeepEqual(raw["kwargs"], wantKw) ||
		!reflect.DeepEqual(raw["args"], []any{e.Msg}) {
		t.Errorf("failure %s", data)
	}
	rerr, err := messaging.DecodeFailure(data)
	if err != nil {
		t.Fatal(err)
	}
	got := FromRemote(rerr.Module, rerr.Class, rerr.Message, rerr.Kwargs)
	if got == nil || !reflect.DeepEqual(got.Kwargs, e.Kwargs) || got.Msg != e.Msg || !errors.Is(got, ErrConflict) {
		t.Errorf("decoded %#v, want %#v", got, e)
	}
	if got := FromError(rerr); got == nil || got.Class != "NodeLocked" || !maps.Equal(got.Kwargs, e.Kwargs) {
		t.Errorf("FromError(RemoteError) = %#v", got)
	}
}

func TestFromError(t *testing.T) {
	if FromError(nil) != nil {
		t.Error("FromError(nil) != nil")
	}
	nl := NodeLocked("n", "h")
	if got := FromError(fmt.Errorf("x: %w", nl)); got != nl {
		t.Errorf("FromError(wrapped) = %v", got)
	}
	got := FromError(errors.New("disk on fire"))
	if got.Class != "IronicException" || got.Msg != "disk on fire" || got.Code() != 500 {
		t.Errorf("FromError(plain) = %#v", got)
	}
	if args, kw := got.RemoteArgs(); !reflect.DeepEqual(args, []any{"disk on fire"}) || !reflect.DeepEqual(kw, map[string]any{"code": 500}) {
		t.Errorf("FromError(plain) wire %v %v", args, kw)
	}
	b := messaging.BuiltinError("ValueError", "bad")
	if got := FromError(b); got.Class != "IronicException" || got.Msg != "builtins.ValueError: bad" {
		t.Errorf("FromError(builtin) = %#v", got)
	}
	if got := FromError(errors.New("")); got.Msg != "An unknown exception occurred." {
		t.Errorf("FromError(empty) = %q", got.Msg)
	}
}

// TestGoldenPythonFailures decodes failures Python serialized and rebuilds
// them in Go: same class, message, wire kwargs.
func TestGoldenPythonFailures(t *testing.T) {
	golden := loadGolden(t)
	if len(golden) < len(classTable) {
		t.Fatalf("%d golden failures for %d classes", len(golden), len(classTable))
	}
	for _, g := range golden {
		rerr, err := messaging.DecodeFailure([]byte(g.Failure))
		if err != nil {
			t.Fatalf("%s: %v", g.Class, err)
		}
		got := FromRemote(rerr.Module, rerr.Class, rerr.Message, rerr.Kwargs)
		if got == nil || got.Class != g.Class || got.Msg != rerr.Message {
			t.Errorf("%s: FromRemote = %#v", g.Class, got)
			continue
		}
		kw := map[string]any{}
		for k, v := range g.Kwargs {
			var ok bool
			if kw[k], ok = decodeJSONValue(v); !ok {
				t.Fatalf("%s: kwarg %s=%s", g.Class, k, v)
			}
		}
		local := NewMessage(g.Class, g.Message, kw)
		if local.Msg != rerr.Message {
			t.Errorf("%s: Go message %q, Python %q", g.Class, local.Msg, rerr.Message)
		}
		for _, e := range []*Error{local, got} {
			_, wire := e.RemoteArgs()
			if !reflect.DeepEqual(wireKwargs(t, wire), rerr.Kwargs) {
				t.Errorf("%s: Go wire kwargs %v, Python %v", g.Class, wire, rerr.Kwargs)
			}
		}
	}
}

func TestNewCopiesKwargs(t *testing.T) {
	kw := map[string]any{"node": "n", "host": "h"}
	e := New("NodeLocked", kw)
	if _, ok := kw["code"]; ok {
		t.Error("New modified the caller's map")
	}
	if e.Kwargs["node"] != "n" || e.Kwargs["code"] != 409 {
		t.Errorf("kwargs %v", e.Kwargs)
	}
	u := New("NoSuchClass", nil)
	if u.Msg != "An unknown exception occurred." || u.Code() != 500 {
		t.Errorf("unknown class %#v", u)
	}
}
