package exception

import (
	"encoding/json"
	"testing"
)

func BenchmarkNodeLocked(b *testing.B) {
	for b.Loop() {
		_ = NodeLocked("1be26c0b-03f2-4d2e-ae87-c02d7f33c123", "cond-b")
	}
}

func BenchmarkRemoteArgs(b *testing.B) {
	e := NodeLocked("1be26c0b-03f2-4d2e-ae87-c02d7f33c123", "cond-b")
	for b.Loop() {
		_, _ = e.RemoteArgs()
	}
}

func BenchmarkFromRemote(b *testing.B) {
	kw := map[string]any{"node": `"1be26c0b-03f2-4d2e-ae87-c02d7f33c123"`, "host": `"cond-b"`, "code": json.Number("409")}
	msg := NodeLocked("1be26c0b-03f2-4d2e-ae87-c02d7f33c123", "cond-b").Msg
	for b.Loop() {
		_ = FromRemote(Module, "NodeLocked", msg, kw)
	}
}
