package db_test

import (
	"fmt"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ironic-go/ironic-go/db"
	"github.com/ironic-go/ironic-go/objects"
)

// benchBackends open a store for a benchmark; the integration build adds
// PostgreSQL.
var benchBackends = []struct {
	name string
	open func(b *testing.B, cfg db.Config) *db.Store
}{
	{"sqlite", func(b *testing.B, cfg db.Config) *db.Store {
		cfg.SQLitePath = filepath.Join(b.TempDir(), "bench.sqlite")
		s, err := db.Open(b.Context(), "", cfg)
		must(b, err)
		b.Cleanup(func() { _ = s.Close() })
		return s
	}},
}

// BenchmarkReserveRelease: one reserve (conditional UPDATE ... RETURNING
// the node) plus one release per op, each caller on its own node. The
// pool keeps a connection per caller idle (MaxIdleConns).
func BenchmarkReserveRelease(b *testing.B) {
	for _, be := range benchBackends {
		for _, callers := range []int{1, 16} {
			b.Run(fmt.Sprintf("%s/callers=%d", be.name, callers), func(b *testing.B) {
				s := be.open(b, db.Config{MaxIdleConns: callers + 1})
				ctx := b.Context()
				nodes := make([]int64, callers)
				for i := range nodes {
					n, err := s.CreateNode(ctx, &objects.Node{Driver: ptr("fake-hardware")})
					must(b, err)
					nodes[i] = n.ID
				}
				b.ReportAllocs()
				b.ResetTimer()
				start := time.Now()
				var next atomic.Int64
				var wg sync.WaitGroup
				for c := range callers {
					tag := fmt.Sprintf("bench-%d", c)
					wg.Go(func() {
						for next.Add(1) <= int64(b.N) {
							if _, err := s.ReserveNode(ctx, tag, db.ByID(nodes[c])); err != nil {
								b.Error(err)
								return
							}
							if err := s.ReleaseNode(ctx, tag, db.ByID(nodes[c])); err != nil {
								b.Error(err)
								return
							}
						}
					})
				}
				wg.Wait()
				b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "ops/s")
			})
		}
	}
}
