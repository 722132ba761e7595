package objects

import "fmt"

// ironicError stands in for objects/exception.Error until that package
// lands: an ironic.common.exception class with its kwargs and message.
type ironicError struct {
	class  string
	kwargs map[string]any
	msg    string
}

func (e *ironicError) Error() string { return e.class + ": " + e.msg }

// RemoteModule implements messaging.RemoteException.
func (e *ironicError) RemoteModule() string { return "ironic.common.exception" }

// RemoteClass implements messaging.RemoteException.
func (e *ironicError) RemoteClass() string { return e.class }

// RemoteMessage implements messaging.RemoteException.
func (e *ironicError) RemoteMessage() string { return e.msg }

// RemoteArgs implements messaging.RemoteException.
func (e *ironicError) RemoteArgs() ([]any, map[string]any) { return []any{e.msg}, e.kwargs }

// pyStr formats a value as Python's %s would for the message.
func pyStr(v any) string {
	switch x := v.(type) {
	case nil:
		return "None"
	case bool:
		if x {
			return "True"
		}
		return "False"
	}
	return fmt.Sprint(v)
}

func errInvalidMAC(mac any) error {
	return &ironicError{class: "InvalidMAC", kwargs: map[string]any{"mac": mac, "code": 400},
		msg: "Expected a MAC address but received " + pyStr(mac) + "."}
}

func errInvalidUUID(uuid any) error {
	return &ironicError{class: "InvalidUUID", kwargs: map[string]any{"uuid": uuid, "code": 400},
		msg: "Expected a UUID but received " + pyStr(uuid) + "."}
}

func errInvalidName(name any) error {
	return &ironicError{class: "InvalidName", kwargs: map[string]any{"name": name, "code": 400},
		msg: "Expected a logical name but received " + pyStr(name) + "."}
}

func errInvalidParameterValue(msg string) error {
	return &ironicError{class: "InvalidParameterValue", kwargs: map[string]any{"err": msg, "code": 400}, msg: msg}
}
