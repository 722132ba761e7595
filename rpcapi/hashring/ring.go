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

// Ring is tooz's HashRing with md5. Build one with [New].
//
// A Ring is safe for concurrent use: lookups read an immutable snapshot
// without locking, and mutations ([Ring.AddNodes], [Ring.RemoveNode]) are
// serialized and publish a new snapshot when done, as tooz re-sorts its
// partitions after each call.
type Ring struct {
	partitions int
	mu         sync.Mutex // serializes mutations
	tab        atomic.Pointer[table]
}

// table is an immutable snapshot of a Ring: tooz's _partitions, _ring and
// nodes. Mutations build a new one.
type table struct {
	points []point  // tooz's _partitions: ascending
	owner  []uint32 // owner[i] indexes names: tooz's _ring[points[i]]
	// names holds every host that is a member or owns a point (a
	// non-member owns points only after tooz's weight quirks).
	names   []string
	ids     map[string]uint32 // host → index in names
	member  []bool            // names[i] is in tooz's nodes
	weight  []int             // tooz's nodes[names[i]] for members
	members int               // len(tooz's nodes)
	// index[k] is the first i with points[i].hi>>shift >= k, so the
	// bisection for x only searches points[index[k]:index[k+1]].
	index []uint32
	shift uint
}

var emptyTable = &table{}

// load returns the current table; an empty one for a zero Ring.
func (r *Ring) load() *table {
	if t := r.tab.Load(); t != nil {
		return t
	}
	return emptyTable
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
func New(nodes []string, partitions int) *Ring { return newRing(nodes, partitions, nil) }

// newRing is New with a source of points (see addNodes).
func newRing(nodes []string, partitions int, pts func(string, int) []point) *Ring {
	r := &Ring{partitions: partitions}
	seen := make(map[string]struct{}, len(nodes))
	uniq := make([]string, 0, len(nodes))
	for _, n := range nodes {
		if _, ok := seen[n]; !ok {
			seen[n] = struct{}{}
			uniq = append(uniq, n)
		}
	}
	r.addNodes(uniq, 1, pts)
	return r
}

// Partitions returns the points per unit of weight the ring was built with.
func (r *Ring) Partitions() int { return r.partitions }

// AddNode adds node with weight, as tooz's add_node: the node gets
// partitions×weight points. A node with weight 2 gets twice the keys of a
// node with weight 1. Adding a node again sets its weight and (re)adds its
// first partitions×weight points.
func (r *Ring) AddNode(node string, weight int) { r.AddNodes([]string{node}, weight) }

// entry is a point and its owner while a table is built.
type entry struct {
	p  point
	id uint32
}

// AddNodes adds each of nodes with the same weight, as tooz's add_nodes.
func (r *Ring) AddNodes(nodes []string, weight int) { r.addNodes(nodes, weight, nil) }

// addNodes is AddNodes; pts, when set, gives the first points of each node
// (pointsOf) or nil to compute them.
func (r *Ring) addNodes(nodes []string, weight int, pts func(node string, n int) []point) {
	r.mu.Lock()
	defer r.mu.Unlock()
	old := r.load()
	b := newBuilder(old)
	n := max(r.partitions*weight, 0)
	// Entries in write order: a later write of a point wins, as in tooz's
	// dict; sortEntries is stable.
	entries := make([]entry, len(old.points), len(old.points)+n*len(nodes))
	for i, p := range old.points {
		entries[i] = entry{p: p, id: old.owner[i]}
	}
	for _, node := range nodes {
		id := b.id(node)
		if pts != nil {
			for _, p := range pts(node, n) {
				entries = append(entries, entry{p: p, id: id})
			}
		} else {
			forEachPoint(node, n, func(p point) { entries = append(entries, entry{p: p, id: id}) })
		}
		b.member[id], b.weight[id] = true, weight
	}
	entries = sortEntries(entries)
	out := entries[:0]
	for i, e := range entries {
		if i+1 < len(entries) && entries[i+1].p == e.p {
			continue
		}
		out = append(out, e)
	}
	r.tab.Store(b.finish(out))
}

// pointsOf returns the first n points of node.
func pointsOf(node string, n int) []point {
	out := make([]point, 0, max(n, 0))
	forEachPoint(node, n, func(p point) { out = append(out, p) })
	return out
}

// RemoveNode removes node and its points, as tooz's remove_node. A node
// not in the ring gives an error matching [ErrUnknownNode].
//
// As in tooz, the points removed are the first partitions×weight of the
// node's current weight, whoever owns them.
func (r *Ring) RemoveNode(node string) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	old := r.load()
	id, ok := old.ids[node]
	if !ok || !old.member[id] {
		return fmt.Errorf("%w `%s'", ErrUnknownNode, node)
	}
	b := newBuilder(old)
	b.member[id] = false
	var gone []point
	forEachPoint(node, r.partitions*old.weight[id], func(p point) { gone = append(gone, p) })
	slices.SortFunc(gone, comparePoints)
	entries := make([]entry, 0, len(old.points))
	j := 0
	for i, p := range old.points {
		for j < len(gone) && comparePoints(gone[j], p) < 0 {
			j++
		}
		if j < len(gone) && gone[j] == p {
			continue
		}
		entries = append(entries, entry{p: p, id: old.owner[i]})
	}
	r.tab.Store(b.finish(entries))
	return nil
}

// Nodes returns the hosts of the ring (tooz's nodes), sorted.
func (r *Ring) Nodes() []string {
	t := r.load()
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
	t := r.load()
	if id, ok := t.ids[node]; ok && t.member[id] {
		return t.weight[id], true
	}
	return 0, false
}

// Len returns the number of points on the ring (tooz's len(ring)).
func (r *Ring) Len() int { return len(r.load().points) }

// Lookup returns the host owning key, the single result of tooz's
// get_nodes(key) with replicas 1 and nothing ignored, and false when the
// ring has no points. It does not allocate for keys up to 64 bytes.
func (r *Ring) Lookup(key string) (string, bool) {
	t := r.load()
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
	return r.load().appendNodes(nil, pointOf(&sum), ignore, replicas)
}

// AppendNodes is [Ring.GetNodes] appending to dst. It does not allocate
// when dst has room, the key is at most 64 bytes and the ring has at most
// 256 hosts.
func (r *Ring) AppendNodes(dst []string, key string, ignore []string, replicas int) []string {
	sum := sumString(key)
	return r.load().appendNodes(dst, pointOf(&sum), ignore, replicas)
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

// sortEntries sorts entries by point, keeping the order of equal points,
// and returns the sorted slice (which may be a new one). md5 points are
// uniform, so a counting sort on the top bits leaves about one entry per
// bucket, finished by an insertion sort: linear time in practice.
func sortEntries(entries []entry) []entry {
	n := len(entries)
	if n < 2 {
		return entries
	}
	b := min(bits.Len(uint(n)), 20)
	shift := uint(64 - b)
	count := make([]int, 1<<b+1)
	for _, e := range entries {
		count[e.p.hi>>shift+1]++
	}
	for k := 1; k < len(count); k++ {
		count[k] += count[k-1]
	}
	out := make([]entry, n)
	for _, e := range entries {
		k := e.p.hi >> shift
		out[count[k]] = e
		count[k]++
	}
	// Stable insertion sort: only neighbours in the same bucket move.
	for i := 1; i < n; i++ {
		e := out[i]
		j := i
		for j > 0 && comparePoints(out[j-1].p, e.p) > 0 {
			out[j] = out[j-1]
			j--
		}
		out[j] = e
	}
	return out
}

// builder collects the hosts of a table being built. Its ids extend the
// old table's, so the old owner indexes stay valid.
type builder struct {
	names  []string
	ids    map[string]uint32
	member []bool
	weight []int
}

func newBuilder(old *table) *builder {
	b := &builder{
		names:  slices.Clone(old.names),
		ids:    make(map[string]uint32, len(old.names)+1),
		member: slices.Clone(old.member),
		weight: slices.Clone(old.weight),
	}
	for i, n := range b.names {
		b.ids[n] = uint32(i)
	}
	return b
}

func (b *builder) id(name string) uint32 {
	i, ok := b.ids[name]
	if !ok {
		i = uint32(len(b.names))
		b.ids[name] = i
		b.names = append(b.names, name)
		b.member = append(b.member, false)
		b.weight = append(b.weight, 0)
	}
	return i
}

// finish returns the table of the sorted, unique entries, keeping only the
// hosts that are members or own a point.
func (b *builder) finish(entries []entry) *table {
	used := make([]bool, len(b.names))
	for _, e := range entries {
		used[e.id] = true
	}
	remap := make([]uint32, len(b.names))
	t := &table{ids: make(map[string]uint32, len(b.names))}
	for i, name := range b.names {
		if !used[i] && !b.member[i] {
			continue
		}
		remap[i] = uint32(len(t.names))
		t.ids[name] = remap[i]
		t.names = append(t.names, name)
		t.member = append(t.member, b.member[i])
		t.weight = append(t.weight, b.weight[i])
		if b.member[i] {
			t.members++
		}
	}
	t.points = make([]point, len(entries))
	t.owner = make([]uint32, len(entries))
	for i, e := range entries {
		t.points[i], t.owner[i] = e.p, remap[e.id]
	}
	t.buildIndex()
	return t
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
