package hashring

import (
	"cmp"
	"crypto/md5" // tooz's ring is md5 by definition; not a security use
	"encoding/binary"
	"fmt"
	"io"
	"math/bits"
	"slices"
	"sync"
	"sync/atomic"
)

// DefaultPartitions is tooz's HashRing.DEFAULT_PARTITION_NUMBER, 2^5: the
// points per host of weight 1. Ironic passes 2^hash_partition_exponent.
const DefaultPartitions = 1 << 5

// point is a position on the ring: an md5 digest read as a big-endian
// 128-bit integer, as tooz's int(hexdigest, 16).
type point struct{ hi, lo uint64 }

func pointOf(sum *[md5.Size]byte) point {
	return point{binary.BigEndian.Uint64(sum[:8]), binary.BigEndian.Uint64(sum[8:])}
}

func comparePoints(a, b point) int {
	if c := cmp.Compare(a.hi, b.hi); c != 0 {
		return c
	}
	return cmp.Compare(a.lo, b.lo)
}

// Ring is tooz's HashRing with md5. The zero value is not usable; build one
// with [New].
//
// A Ring is safe for concurrent use: lookups read an immutable snapshot
// without locking, and mutations ([Ring.AddNodes], [Ring.RemoveNode]) are
// serialized and publish a new snapshot when done, as tooz re-sorts its
// partitions after each call.
type Ring struct {
	partitions int

	mu      sync.Mutex       // serializes mutations; guards weights and owners
	weights map[string]int   // tooz's nodes: host → weight
	owners  map[point]string // tooz's _ring: point → host; a collision overwrites
	tab     atomic.Pointer[table]
}

// table is an immutable snapshot of a Ring, read by lookups.
type table struct {
	points  []point           // tooz's _partitions: ascending
	owner   []uint32          // owner[i] indexes names: the host at points[i]
	names   []string          // every host that is a member or owns a point
	ids     map[string]uint32 // host → index in names
	member  []bool            // names[i] is in tooz's nodes
	members int               // len(tooz's nodes)
	// index[k] is the first i with points[i].hi>>shift >= k, so the
	// bisection for x only searches points[index[k]:index[k+1]].
	index []uint32
	shift uint
}

// New returns a ring holding nodes with weight 1 and partitions points per
// unit of weight, as tooz's HashRing(nodes, partitions=partitions). Ironic
// uses partitions = 2^hash_partition_exponent. Duplicate nodes are added
// once. A partitions value below 1 gives hosts no points: lookups then
// find nothing (tooz fails there).
//
// Points of different hosts can only collide when one host name is a
// repetition of another ("ab", "abab"); the later node in nodes then owns
// the point, where tooz follows Python's set order, which varies per
// process.
func New(nodes []string, partitions int) *Ring {
	r := &Ring{
		partitions: partitions,
		weights:    make(map[string]int, len(nodes)),
		owners:     make(map[point]string, len(nodes)*max(partitions, 0)),
	}
	seen := make(map[string]struct{}, len(nodes))
	uniq := make([]string, 0, len(nodes))
	for _, n := range nodes {
		if _, ok := seen[n]; !ok {
			seen[n] = struct{}{}
			uniq = append(uniq, n)
		}
	}
	r.AddNodes(uniq, 1)
	return r
}

// Partitions returns the points per unit of weight the ring was built with.
func (r *Ring) Partitions() int { return r.partitions }

// AddNode adds node with weight, as tooz's add_node: the node gets
// partitions×weight points. A node with weight 2 gets twice the keys of a
// node with weight 1. Adding a node again sets its weight and (re)adds its
// first partitions×weight points.
func (r *Ring) AddNode(node string, weight int) { r.AddNodes([]string{node}, weight) }

// AddNodes adds each of nodes with the same weight, as tooz's add_nodes.
func (r *Ring) AddNodes(nodes []string, weight int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	n := r.partitions * weight
	for _, node := range nodes {
		forEachPoint(node, n, func(p point) { r.owners[p] = node })
		r.weights[node] = weight
	}
	r.publish()
}

// RemoveNode removes node and its points, as tooz's remove_node. A node
// not in the ring gives an error matching [ErrUnknownNode].
//
// As in tooz, the points removed are the first partitions×weight of the
// node's current weight, whoever owns them.
func (r *Ring) RemoveNode(node string) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	w, ok := r.weights[node]
	if !ok {
		return fmt.Errorf("%w `%s'", ErrUnknownNode, node)
	}
	delete(r.weights, node)
	forEachPoint(node, r.partitions*w, func(p point) { delete(r.owners, p) })
	r.publish()
	return nil
}

// Nodes returns the hosts of the ring (tooz's nodes), sorted.
func (r *Ring) Nodes() []string {
	t := r.tab.Load()
	out := make([]string, 0, t.members)
	for i, name := range t.names {
		if t.member[i] {
			out = append(out, name)
		}
	}
	slices.Sort(out)
	return out
}

// Weight returns node's weight and whether node is in the ring.
func (r *Ring) Weight(node string) (int, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	w, ok := r.weights[node]
	return w, ok
}

// Len returns the number of points on the ring (tooz's len(ring)).
func (r *Ring) Len() int { return len(r.tab.Load().points) }

// Lookup returns the host owning key, the single result of tooz's
// get_nodes(key) with replicas 1 and nothing ignored, and false when the
// ring has no points. It does not allocate for keys up to 64 bytes.
func (r *Ring) Lookup(key string) (string, bool) {
	t := r.tab.Load()
	if len(t.points) == 0 || t.members == 0 {
		return "", false
	}
	sum := sumString(key)
	return t.names[t.owner[t.bisect(pointOf(&sum))]], true
}

// GetNodes returns the hosts key maps to, as tooz's get_nodes(key,
// ignore_nodes=ignore, replicas=replicas): min(replicas, hosts not in
// ignore) distinct hosts, none in ignore. They are in the order met going
// clockwise from the key, so the first one is the key's primary owner
// (tooz returns the same hosts as an unordered set). The key is hashed as
// given: Ironic passes the node UUID string as stored. The result is
// empty (nil) when the ring has no hosts or replicas < 1.
func (r *Ring) GetNodes(key string, ignore []string, replicas int) []string {
	return r.AppendNodes(nil, key, ignore, replicas)
}

// GetNodesBytes is [Ring.GetNodes] for a key given as bytes.
func (r *Ring) GetNodesBytes(key []byte, ignore []string, replicas int) []string {
	sum := md5.Sum(key)
	return r.tab.Load().appendNodes(nil, pointOf(&sum), ignore, replicas)
}

// AppendNodes is [Ring.GetNodes] appending to dst. It does not allocate
// when dst has room, the key is at most 64 bytes and the ring has at most
// 256 hosts.
func (r *Ring) AppendNodes(dst []string, key string, ignore []string, replicas int) []string {
	sum := sumString(key)
	return r.tab.Load().appendNodes(dst, pointOf(&sum), ignore, replicas)
}

// sumString is md5.Sum([]byte(s)) without allocating for short keys (a
// UUID is 36 bytes).
func sumString(s string) [md5.Size]byte {
	var buf [64]byte
	if len(s) <= len(buf) {
		return md5.Sum(buf[:copy(buf[:], s)])
	}
	h := md5.New()
	_, _ = io.WriteString(h, s)
	var out [md5.Size]byte
	h.Sum(out[:0])
	return out
}

// forEachPoint calls f with the first n points of node: tooz feeds the node
// name into one running md5 digest, once and then once per point, so point
// r is md5(node repeated r+2 times).
func forEachPoint(node string, n int, f func(point)) {
	if n <= 0 {
		return
	}
	key := []byte(node)
	h := md5.New()
	h.Write(key)
	var sum [md5.Size]byte
	for range n {
		h.Write(key)
		h.Sum(sum[:0])
		f(pointOf(&sum))
	}
}

// publish builds a new table from weights and owners. r.mu must be held.
func (r *Ring) publish() {
	t := &table{
		points: make([]point, 0, len(r.owners)),
		ids:    make(map[string]uint32, len(r.weights)),
	}
	id := func(name string) uint32 {
		i, ok := t.ids[name]
		if !ok {
			i = uint32(len(t.names))
			t.ids[name] = i
			t.names = append(t.names, name)
			t.member = append(t.member, false)
		}
		return i
	}
	for name := range r.weights {
		t.member[id(name)] = true
	}
	t.members = len(r.weights)
	for p := range r.owners {
		t.points = append(t.points, p)
	}
	slices.SortFunc(t.points, comparePoints)
	t.owner = make([]uint32, len(t.points))
	for i, p := range t.points {
		t.owner[i] = id(r.owners[p])
	}
	t.buildIndex()
	r.tab.Store(t)
}

// buildIndex makes a table of 2^b buckets, 2^b in (n, 2n], keyed by the
// top b bits of a point, so that a lookup bisects about one point.
func (t *table) buildIndex() {
	n := len(t.points)
	if n == 0 {
		return
	}
	b := min(bits.Len(uint(n)), 20)
	t.shift = uint(64 - b)
	nb := 1 << b
	t.index = make([]uint32, nb+1)
	i := 0
	for k := range nb + 1 {
		for i < n && t.points[i].hi>>t.shift < uint64(k) {
			i++
		}
		t.index[k] = uint32(i)
	}
}

// bisect returns tooz's partition for x: bisect_right(points, x), wrapped
// to 0 past the end. The table must have points.
func (t *table) bisect(x point) int {
	k := x.hi >> t.shift
	lo, hi := int(t.index[k]), int(t.index[k+1])
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if p := t.points[m]; p.hi > x.hi || (p.hi == x.hi && p.lo > x.lo) {
			hi = m
		} else {
			lo = m + 1
		}
	}
	if lo == len(t.points) {
		return 0
	}
	return lo
}

// appendNodes is tooz's get_nodes on the table, appending the hosts in
// walk order.
func (t *table) appendNodes(dst []string, x point, ignore []string, replicas int) []string {
	if replicas <= 0 || len(t.points) == 0 {
		return dst
	}
	want := min(t.members, replicas)
	if want == 1 && len(ignore) == 0 {
		return append(dst, t.names[t.owner[t.bisect(x)]])
	}
	var small [4]uint64 // enough for 256 hosts, on the stack
	skip := bitset(small[:])
	if len(t.names) > 64*len(small) {
		skip = make(bitset, (len(t.names)+63)/64)
	}
	candidates := t.members
	for _, name := range ignore {
		if i, ok := t.ids[name]; ok && !skip.has(i) {
			skip.set(i)
			if t.member[i] {
				candidates--
			}
		}
	}
	want = min(want, candidates)
	if want <= 0 {
		return dst
	}
	p := t.bisect(x)
	// tooz loops until it has enough hosts; we stop after one lap, which
	// only differs where tooz would loop forever (a member whose points
	// were all taken over by colliding hosts).
	for range len(t.points) {
		if i := t.owner[p]; !skip.has(i) {
			skip.set(i)
			dst = append(dst, t.names[i])
			if want--; want == 0 {
				break
			}
		}
		if p++; p == len(t.points) {
			p = 0
		}
	}
	return dst
}

// bitset is a set of host indexes.
type bitset []uint64

func (s bitset) has(i uint32) bool { return s[i/64]&(1<<(i%64)) != 0 }
func (s bitset) set(i uint32)      { s[i/64] |= 1 << (i % 64) }
