package exception

// PyStr returns Python's str() of a JSON-like Go value (strings as they
// are; None, True, numbers, lists and dicts as Python prints them, dict
// keys sorted), for messages that Ironic builds with "%s" from such
// values.
func PyStr(v any) string { return toPy(v).str() }

// PyRepr returns Python's repr() of a JSON-like Go value ('quoted'
// strings, None, True, [...], {...}), for messages Ironic builds with
// "%r" or from containers.
func PyRepr(v any) string { return toPy(v).repr() }
