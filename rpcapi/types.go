package rpcapi

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"

	"github.com/ironic-go/ironic-go/objects"
)

// NodeID is a node_id argument: the node's UUID as Ironic's API sends it,
// or its integer database id, which a conductor also accepts (Node.get).
// It decodes from a JSON string or integer (kept as its decimal text, which
// Ironic's Node.get also reads as an id) and encodes as a string.
type NodeID string

// UnmarshalJSON accepts a string, an integer or null ("").
func (id *NodeID) UnmarshalJSON(data []byte) error {
	data = bytes.TrimSpace(data)
	switch {
	case len(data) == 0:
		return fmt.Errorf("rpcapi: empty node_id")
	case data[0] == '"':
		var s string
		if err := json.Unmarshal(data, &s); err != nil {
			return err
		}
		*id = NodeID(s)
	case string(data) == "null":
		*id = ""
	default:
		n, err := strconv.ParseInt(string(data), 10, 64)
		if err != nil {
			return fmt.Errorf("rpcapi: node_id %s is neither a UUID nor an integer id", data)
		}
		*id = NodeID(strconv.FormatInt(n, 10))
	}
	return nil
}

// None is the result of a method that returns nothing: it encodes as
// null, and decodes from anything (a client ignores the value, as Ironic's
// API does).
type None struct{}

// MarshalJSON returns null.
func (None) MarshalJSON() ([]byte, error) { return []byte("null"), nil }

// UnmarshalJSON ignores data.
func (*None) UnmarshalJSON([]byte) error { return nil }

// BootDevice is the result of get_boot_device.
type BootDevice struct {
	// BootDevice is one of ironic.common.boot_devices (pxe, disk, cdrom,
	// bios, safe, wanboot), or nil when unknown.
	BootDevice *string `json:"boot_device"`
	// Persistent tells whether the device applies to every boot; nil when
	// unknown.
	Persistent *bool `json:"persistent"`
}

// VendorPassthruResult is the result of vendor_passthru and
// driver_vendor_passthru.
type VendorPassthruResult struct {
	// Return is the vendor method's return value (nil when it runs
	// asynchronously). JSON numbers decode as json.Number.
	Return any `json:"return"`
	// Async tells whether the method was started in the background.
	Async bool `json:"async"`
	// Attach tells the API to send Return as the raw HTTP body.
	Attach bool `json:"attach"`
}

// InterfaceValidation is one interface's entry in the result of
// validate_driver_interfaces: {"result": true}, {"result": false,
// "reason": ...} or, for an interface the driver lacks, {"result": null,
// "reason": "not supported"}.
type InterfaceValidation struct {
	Result *bool   `json:"result"`
	Reason *string `json:"reason,omitempty"`
}

// VendorMethod is the metadata of one vendor passthru method, as
// get_node_vendor_passthru_methods and get_driver_vendor_passthru_methods
// return it.
type VendorMethod struct {
	// HTTPMethods are the allowed HTTP methods, upper case.
	HTTPMethods []string `json:"http_methods"`
	// Async tells whether the method runs in the background (202).
	Async bool `json:"async"`
	// Description is the method's description ("" when none).
	Description string `json:"description"`
	// Attach tells whether the return value is sent as the raw HTTP body.
	Attach bool `json:"attach"`
	// RequireExclusiveLock is set for node methods only.
	RequireExclusiveLock *bool `json:"require_exclusive_lock,omitempty"`
}

// ConsoleInfo is the result of get_console_information: the dict the
// node's console interface returns, as Ironic passes it through, e.g.
// {"type": "shellinabox", "url": "http://..."}; empty for fake-hardware.
type ConsoleInfo map[string]any

// Type is the console's "type" entry, or "".
func (c ConsoleInfo) Type() string { s, _ := c["type"].(string); return s }

// URL is the console's "url" entry, or "".
func (c ConsoleInfo) URL() string { s, _ := c["url"].(string); return s }

// VIF is one entry of vif_list.
type VIF struct {
	ID string `json:"id"`
}

// ObjectValue is an object argument of the object_* indirection methods:
// any of the objects package's types, encoded as its ironic_object
// envelope. The zero value encodes as null.
type ObjectValue struct {
	objects.Object
}

// MarshalJSON encodes the object's envelope, or null.
func (o ObjectValue) MarshalJSON() ([]byte, error) {
	if o.Object == nil {
		return []byte("null"), nil
	}
	return o.Object.MarshalJSON()
}

// UnmarshalJSON decodes an envelope of any known object type with
// objects.Decode; null gives the zero ObjectValue.
func (o *ObjectValue) UnmarshalJSON(data []byte) error {
	if string(bytes.TrimSpace(data)) == "null" {
		o.Object = nil
		return nil
	}
	obj, err := objects.Decode(data)
	if err != nil {
		return err
	}
	o.Object = obj
	return nil
}

// ObjectActionResult is the result of object_action, the pair (updates,
// result) that travels as a two-element JSON list.
type ObjectActionResult struct {
	// Updates maps changed field names to their primitives, plus
	// "obj_what_changed".
	Updates map[string]any
	// Result is the primitive the object method returned.
	Result json.RawMessage
}

// MarshalJSON encodes [updates, result].
func (r ObjectActionResult) MarshalJSON() ([]byte, error) {
	res := r.Result
	if len(res) == 0 {
		res = json.RawMessage("null")
	}
	upd := r.Updates
	if upd == nil {
		upd = map[string]any{}
	}
	return json.Marshal([]any{upd, res})
}

// UnmarshalJSON decodes a two-element list.
func (r *ObjectActionResult) UnmarshalJSON(data []byte) error {
	var pair []json.RawMessage
	if err := json.Unmarshal(data, &pair); err != nil {
		return fmt.Errorf("rpcapi: object_action result: %w", err)
	}
	if len(pair) != 2 {
		return fmt.Errorf("rpcapi: object_action result has %d elements, want 2", len(pair))
	}
	dec := json.NewDecoder(bytes.NewReader(pair[0]))
	dec.UseNumber()
	var upd map[string]any
	if err := dec.Decode(&upd); err != nil {
		return fmt.Errorf("rpcapi: object_action updates: %w", err)
	}
	r.Updates, r.Result = upd, append(json.RawMessage(nil), pair[1]...)
	return nil
}
