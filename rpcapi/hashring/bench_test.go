package hashring

import (
	"context"
	"crypto/md5"
	"fmt"
	"math/rand/v2"
	"testing"
)

func benchHosts(n int) []string {
	hosts := make([]string, n)
	for i := range hosts {
		hosts[i] = fmt.Sprintf("conductor-%03d.example.org", i)
	}
	return hosts
}

const benchKeys = 1024 // a power of two

// BenchmarkLookup is the hot path of rpcapi and the conductor: the primary
// host of a node UUID (tooz get_nodes with replicas 1).
func BenchmarkLookup(b *testing.B) {
	keys := randomUUIDs(rand.New(rand.NewPCG(1, 1)), benchKeys)
	for _, n := range []int{3, 100} {
		b.Run(fmt.Sprintf("hosts=%d", n), func(b *testing.B) {
			r := New(benchHosts(n), DefaultPartitions)
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				if _, ok := r.Lookup(keys[i&(benchKeys-1)]); !ok {
					b.Fatal("no host")
				}
				i++
			}
		})
	}
}

// BenchmarkGetNodes walks for two replicas, ignoring one host.
func BenchmarkGetNodes(b *testing.B) {
	keys := randomUUIDs(rand.New(rand.NewPCG(2, 2)), benchKeys)
	for _, n := range []int{3, 100} {
		b.Run(fmt.Sprintf("hosts=%d/replicas=2/ignore=1", n), func(b *testing.B) {
			hosts := benchHosts(n)
			r := New(hosts, DefaultPartitions)
			ignore := hosts[:1]
			dst := make([]string, 0, 2)
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				dst = r.AppendNodes(dst[:0], keys[i&(benchKeys-1)], ignore, 2)
				i++
			}
		})
	}
}

// BenchmarkMD5UUID is the md5 of one UUID, the floor of a lookup.
func BenchmarkMD5UUID(b *testing.B) {
	key := []byte("1be26c0b-03f2-4d2e-ae87-c02d7f33c123")
	b.ReportAllocs()
	for b.Loop() {
		_ = md5.Sum(key)
	}
}

// BenchmarkRebuild builds a ring as the Manager does on each reload.
func BenchmarkRebuild(b *testing.B) {
	for _, n := range []int{3, 100} {
		b.Run(fmt.Sprintf("hosts=%d", n), func(b *testing.B) {
			hosts := benchHosts(n)
			b.ReportAllocs()
			for b.Loop() {
				New(hosts, DefaultPartitions)
			}
		})
	}
}

// BenchmarkManagerTopic is Manager.Topic on cached rings (100 hosts).
func BenchmarkManagerTopic(b *testing.B) {
	hosts := benchHosts(100)
	m, err := NewManager(DefaultConfig(), ConductorListerFunc(func(context.Context) (map[string][]string, error) {
		return map[string][]string{"ipmi": hosts}, nil
	}))
	if err != nil {
		b.Fatal(err)
	}
	keys := randomUUIDs(rand.New(rand.NewPCG(3, 3)), benchKeys)
	ctx := b.Context()
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		if _, err := m.Topic(ctx, "ipmi", keys[i&(benchKeys-1)]); err != nil {
			b.Fatal(err)
		}
		i++
	}
}

// BenchmarkLookupParallel checks that concurrent lookups do not contend.
func BenchmarkLookupParallel(b *testing.B) {
	r := New(benchHosts(100), DefaultPartitions)
	keys := randomUUIDs(rand.New(rand.NewPCG(4, 4)), benchKeys)
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		i := 0
		for pb.Next() {
			r.Lookup(keys[i&(benchKeys-1)])
			i++
		}
	})
}

// BenchmarkManagerReload is Reset then Ring with the same 100 conductors
// in 3 drivers: a reload that reuses the hosts' points.
func BenchmarkManagerReload(b *testing.B) {
	hosts := benchHosts(100)
	m, err := NewManager(DefaultConfig(), ConductorListerFunc(func(context.Context) (map[string][]string, error) {
		return map[string][]string{"ipmi": hosts, "redfish": hosts, "fake-hardware": hosts[:10]}, nil
	}))
	if err != nil {
		b.Fatal(err)
	}
	ctx := b.Context()
	b.ReportAllocs()
	for b.Loop() {
		m.Reset()
		if _, err := m.Ring(ctx, "ipmi"); err != nil {
			b.Fatal(err)
		}
	}
}
