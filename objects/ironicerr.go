package objects

import "github.com/ironic-go/ironic-go/objects/exception"

// Errors Ironic raises for bad object values, from objects/exception.
func errInvalidMAC(mac any) error               { return exception.InvalidMAC(mac) }
func errInvalidUUID(uuid any) error             { return exception.InvalidUUID(uuid) }
func errInvalidName(name any) error             { return exception.InvalidName(name) }
func errInvalidParameterValue(msg string) error { return exception.InvalidParameterValue(msg) }
