package objects

import "testing"

func BenchmarkDecodeNode(b *testing.B) {
	raw := vectors(b)["node_1.21_update_node.json"]
	b.ReportAllocs()
	b.SetBytes(int64(len(raw)))
	for b.Loop() {
		if _, err := DecodeNode(raw); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkEncodeNode(b *testing.B) {
	n, err := DecodeNode(vectors(b)["node_1.21_update_node.json"])
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := n.MarshalJSON(); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkChangesNode(b *testing.B) {
	n, err := DecodeNode(vectors(b)["node_1.21_update_node.json"])
	if err != nil {
		b.Fatal(err)
	}
	n.DriverInternalInfo["x"] = int64(1)
	b.ReportAllocs()
	for b.Loop() {
		_ = n.Changes()
	}
}
