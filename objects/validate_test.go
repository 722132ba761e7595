package objects

import (
	"errors"
	"strings"
	"testing"

	"github.com/ironic-go/ironic-go/messaging"
)

func TestIsUUIDLike(t *testing.T) {
	for s, want := range map[string]bool{
		"1be26c0b-03f2-4d2e-ae87-c02d7f33c123":          true,
		"1BE26C0B-03F2-4D2E-AE87-C02D7F33C123":          true,
		"1be26c0b03f24d2eae87c02d7f33c123":              true,
		"{1be26c0b-03f2-4d2e-ae87-c02d7f33c123}":        true,
		"urn:uuid:1be26c0b-03f2-4d2e-ae87-c02d7f33c123": true,
		"1be2-6c0b03f24d2eae87c02d7f33c123":             true,
		"1be26c0b-03f2-4d2e-ae87-c02d7f33c12":           false,
		"1be26c0b-03f2-4d2e-ae87-c02d7f33c12g":          false,
		" 1be26c0b-03f2-4d2e-ae87-c02d7f33c123":         false,
		"":                                              false,
		"node-1":                                        false,
	} {
		if got := IsUUIDLike(s); got != want {
			t.Errorf("IsUUIDLike(%q) = %v", s, got)
		}
	}
	var re messaging.RemoteException
	if err := ValidateUUID("x"); !errors.As(err, &re) || re.RemoteClass() != "InvalidUUID" || re.RemoteMessage() != "Expected a UUID but received x." {
		t.Errorf("ValidateUUID: %v", err)
	}
}

func TestIsValidLogicalName(t *testing.T) {
	for s, want := range map[string]bool{
		"node-1":                 true,
		"Node_1.rack~2":          true,
		strings.Repeat("a", 255): true,
		strings.Repeat("a", 256): false,
		"":                       false,
		"node 1":                 false,
		"node/1":                 false,
		"nöde":                   false,
		"node\n":                 false,
	} {
		if got := IsValidLogicalName(s); got != want {
			t.Errorf("IsValidLogicalName(%q) = %v", s, got)
		}
	}
	var re messaging.RemoteException
	if err := ValidateLogicalName("a b"); !errors.As(err, &re) || re.RemoteClass() != "InvalidName" {
		t.Errorf("ValidateLogicalName: %v", err)
	}
}

func TestValidatePropertyValues(t *testing.T) {
	uuid := "1be26c0b-03f2-4d2e-ae87-c02d7f33c123"
	for _, ok := range []map[string]any{
		nil, {}, {"cpus": int64(8), "local_gb": "100", "memory_mb": 1.5, "cpu_arch": "x"}, {"cpus": nil}, {"cpus": true},
	} {
		if err := ValidatePropertyValues(&uuid, ok); err != nil {
			t.Errorf("%v: %v", ok, err)
		}
	}
	err := ValidatePropertyValues(&uuid, map[string]any{"local_gb": int64(-1), "cpus": "abc", "memory_mb": []any{int64(1)}})
	var re messaging.RemoteException
	if !errors.As(err, &re) || re.RemoteClass() != "InvalidParameterValue" {
		t.Fatalf("err = %v", err)
	}
	want := "The following properties for node " + uuid + " should be non-negative integers, but provided values are: local_gb=-1, cpus=abc, memory_mb=[1]"
	if re.RemoteMessage() != want {
		t.Errorf("message:\n got %s\nwant %s", re.RemoteMessage(), want)
	}
	n := &Node{Properties: map[string]any{"cpus": int64(-2)}}
	if err := n.Validate(); err == nil || !strings.Contains(err.Error(), "node None") {
		t.Errorf("Validate: %v", err)
	}
}
