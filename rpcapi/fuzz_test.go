package rpcapi

import (
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/ironic-go/ironic-go/internal/pyjson"
	"github.com/ironic-go/ironic-go/messaging"
)

// roundTrip decodes data as the arguments of m (as a conductor does); if
// that succeeds, the arguments re-encoded by the client must decode to the
// same values.
func roundTrip[A, R any](m *Method[A, R]) func(*testing.T, []byte) {
	return func(t *testing.T, data []byte) {
		a, _, err := m.decodeArgs(messaging.Args(data))
		if err != nil {
			return
		}
		_, kw, err := m.request(&a, messaging.Version{})
		if err != nil {
			t.Fatalf("%s: re-encode %+v: %v", m.Name(), a, err)
		}
		enc, err := pyjson.Marshal(kw)
		if err != nil {
			// A decoded value the encoder refuses (e.g. an object field
			// holding what its type cannot encode) is a bug.
			t.Fatalf("%s: marshal %+v: %v", m.Name(), a, err)
		}
		b, _, err := m.decodeArgs(messaging.Args(enc))
		if err != nil {
			t.Fatalf("%s: re-encoded %s does not decode: %v", m.Name(), enc, err)
		}
		again, err := pyjson.Marshal(mustKW(t, m, &b))
		if err != nil {
			t.Fatal(err)
		}
		var x, y any
		if json.Unmarshal(enc, &x) != nil || json.Unmarshal(again, &y) != nil || !cmp.Equal(x, y) {
			t.Fatalf("%s: %s re-decoded as %s", m.Name(), enc, again)
		}
	}
}

func mustKW[A, R any](t *testing.T, m *Method[A, R], a *A) pyjson.Object {
	_, kw, err := m.request(a, messaging.Version{})
	if err != nil {
		t.Fatal(err)
	}
	return kw
}

var fuzzMethods = map[string]func(*testing.T, []byte){
	MethodCreateNode:                     roundTrip(RPCCreateNode),
	MethodUpdateNode:                     roundTrip(RPCUpdateNode),
	MethodChangeNodePowerState:           roundTrip(RPCChangeNodePowerState),
	MethodVendorPassthru:                 roundTrip(RPCVendorPassthru),
	MethodDriverVendorPassthru:           roundTrip(RPCDriverVendorPassthru),
	MethodGetNodeVendorPassthruMethods:   roundTrip(RPCGetNodeVendorPassthruMethods),
	MethodGetDriverVendorPassthruMethods: roundTrip(RPCGetDriverVendorPassthruMethods),
	MethodDoNodeDeploy:                   roundTrip(RPCDoNodeDeploy),
	MethodDoNodeTearDown:                 roundTrip(RPCDoNodeTearDown),
	MethodDoProvisioningAction:           roundTrip(RPCDoProvisioningAction),
	MethodContinueNodeClean:              roundTrip(RPCContinueNodeClean),
	MethodValidateDriverInterfaces:       roundTrip(RPCValidateDriverInterfaces),
	MethodDestroyNode:                    roundTrip(RPCDestroyNode),
	MethodGetConsoleInformation:          roundTrip(RPCGetConsoleInformation),
	MethodSetConsoleMode:                 roundTrip(RPCSetConsoleMode),
	MethodUpdatePort:                     roundTrip(RPCUpdatePort),
	MethodUpdatePortgroup:                roundTrip(RPCUpdatePortgroup),
	MethodDestroyPortgroup:               roundTrip(RPCDestroyPortgroup),
	MethodGetDriverProperties:            roundTrip(RPCGetDriverProperties),
	MethodSetBootDevice:                  roundTrip(RPCSetBootDevice),
	MethodGetBootDevice:                  roundTrip(RPCGetBootDevice),
	MethodInjectNMI:                      roundTrip(RPCInjectNMI),
	MethodGetSupportedBootDevices:        roundTrip(RPCGetSupportedBootDevices),
	MethodInspectHardware:                roundTrip(RPCInspectHardware),
	MethodDestroyPort:                    roundTrip(RPCDestroyPort),
	MethodSetTargetRAIDConfig:            roundTrip(RPCSetTargetRAIDConfig),
	MethodGetRAIDLogicalDiskProperties:   roundTrip(RPCGetRAIDLogicalDiskProperties),
	MethodDoNodeClean:                    roundTrip(RPCDoNodeClean),
	MethodHeartbeat:                      roundTrip(RPCHeartbeat),
	MethodObjectClassActionVersions:      roundTrip(RPCObjectClassActionVersions),
	MethodObjectAction:                   roundTrip(RPCObjectAction),
	MethodObjectBackportVersions:         roundTrip(RPCObjectBackportVersions),
	MethodDestroyVolumeConnector:         roundTrip(RPCDestroyVolumeConnector),
	MethodUpdateVolumeConnector:          roundTrip(RPCUpdateVolumeConnector),
	MethodDestroyVolumeTarget:            roundTrip(RPCDestroyVolumeTarget),
	MethodUpdateVolumeTarget:             roundTrip(RPCUpdateVolumeTarget),
	MethodVIFAttach:                      roundTrip(RPCVIFAttach),
	MethodVIFDetach:                      roundTrip(RPCVIFDetach),
	MethodVIFList:                        roundTrip(RPCVIFList),
}

// FuzzDecodeArgs feeds request arguments to every method's decoder, as a
// conductor receives them; seeds are what Debian's client sent.
func FuzzDecodeArgs(f *testing.F) {
	for _, g := range loadGolden(f) {
		f.Add(g.Method, mustJSON(f, g.Args))
	}
	f.Add(MethodHeartbeat, []byte(`{"node_id": 1, "callback_url": null, "agent_version": "x"}`))
	f.Add(MethodUpdateNode, []byte(`{"node_obj": null, "reset_interfaces": false}`))
	f.Fuzz(func(t *testing.T, method string, data []byte) {
		if fz, ok := fuzzMethods[method]; ok {
			fz(t, data)
			return
		}
		for _, fz := range fuzzMethods { // an unknown name: try them all
			fz(t, data)
		}
	})
}

func TestFuzzMethodsComplete(t *testing.T) {
	for _, m := range Methods() {
		if fuzzMethods[m.Name] == nil {
			t.Errorf("no fuzz round trip for %s", m.Name)
		}
	}
}

// FuzzDecodeResults feeds replies to the result decoders a client uses.
func FuzzDecodeResults(f *testing.F) {
	var results map[string]json.RawMessage
	decodeJSON(f, readTestdata(f, "results.json"), &results)
	for _, r := range loadResults(f) {
		f.Add([]byte(r))
	}
	f.Add([]byte(`[{"a": 1}, null]`))
	f.Add([]byte(`42`))
	f.Fuzz(func(t *testing.T, data []byte) {
		targets := []any{new(NodeID), new(None), new(BootDevice), new(VendorPassthruResult),
			new(map[string]InterfaceValidation), new(map[string]VendorMethod), new(ConsoleInfo), new([]VIF),
			new(ObjectValue), new(ObjectActionResult)}
		for _, v := range targets {
			if json.Unmarshal(data, v) != nil {
				continue
			}
			enc, err := json.Marshal(v)
			if err != nil {
				t.Fatalf("%T decoded from %s does not encode: %v", v, data, err)
			}
			if err := json.Unmarshal(enc, v); err != nil {
				t.Fatalf("%T: %s re-encoded as %s does not decode: %v", v, data, enc, err)
			}
		}
	})
}
