package hashring

import (
	"crypto/md5"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// refRing is a deliberately naive transliteration of tooz's HashRing, used
// to check Ring: points are hex strings of md5(host repeated r+2 times),
// which sort like the 128-bit integers tooz uses.
type refRing struct {
	nodes map[string]int    // host → weight
	ring  map[string]string // hex point → host
	parts []string          // sorted hex points
	P     int
}

func newRef(hosts []string, partitions int) *refRing {
	r := &refRing{nodes: map[string]int{}, ring: map[string]string{}, P: partitions}
	for _, h := range hosts {
		r.add(h, 1)
	}
	return r
}

func refPoint(host string, r int) string {
	s := md5.Sum([]byte(strings.Repeat(host, r+2)))
	return hex.EncodeToString(s[:])
}

func (r *refRing) add(host string, weight int) {
	for i := range r.P * weight {
		r.ring[refPoint(host, i)] = host
	}
	r.nodes[host] = weight
	r.sortParts()
}

func (r *refRing) remove(host string) {
	w := r.nodes[host]
	delete(r.nodes, host)
	for i := range r.P * w {
		delete(r.ring, refPoint(host, i))
	}
	r.sortParts()
}

func (r *refRing) sortParts() {
	r.parts = r.parts[:0]
	for p := range r.ring {
		r.parts = append(r.parts, p)
	}
	sort.Strings(r.parts)
}

func (r *refRing) partition(key string) int {
	s := md5.Sum([]byte(key))
	x := hex.EncodeToString(s[:])
	p := sort.Search(len(r.parts), func(i int) bool { return r.parts[i] > x }) // bisect_right
	if p == len(r.parts) {
		return 0
	}
	return p
}

// getNodes returns tooz's set in walk order.
func (r *refRing) getNodes(key string, ignore []string, replicas int) []string {
	ign := map[string]bool{}
	for _, h := range ignore {
		ign[h] = true
	}
	cand := 0
	for h := range r.nodes {
		if !ign[h] {
			cand++
		}
	}
	want := min(replicas, cand)
	out := []string{}
	if len(r.parts) == 0 {
		return out
	}
	p := r.partition(key)
	for steps := 0; len(out) < want && steps < len(r.parts); steps++ {
		h := r.ring[r.parts[p]]
		if !ign[h] && !slices.Contains(out, h) {
			out = append(out, h)
		}
		p = (p + 1) % len(r.parts)
	}
	return out
}

type vectorFile struct {
	Partitions  int `json:"partitions"`
	CheckPoints struct {
		Host  string   `json:"host"`
		First []string `json:"first"`
	} `json:"check_points"`
	Sets map[string]struct {
		Hosts  []string `json:"hosts"`
		Points int      `json:"points"`
	} `json:"sets"`
	Keys []struct {
		UUID   string `json:"uuid"`
		MD5    string `json:"md5"`
		A      vecRow `json:"A"`
		B      vecRow `json:"B"`
		TopicA string `json:"topic_A"`
	} `json:"keys"`
}

type vecRow struct {
	Pidx  int      `json:"pidx"`
	Owner string   `json:"owner"`
	Walk  []string `json:"walk"`
}

func loadVectors(t testing.TB) vectorFile {
	t.Helper()
	b, err := os.ReadFile("testdata/vectors.json")
	if err != nil {
		t.Fatal(err)
	}
	var v vectorFile
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatal(err)
	}
	return v
}

// diffNodes compares host lists; nil and empty are equal.
func diffNodes(want, got []string) string { return cmp.Diff(want, got, cmpopts.EquateEmpty()) }

func pointHex(p point) string { return fmt.Sprintf("%016x%016x", p.hi, p.lo) }

func TestCheckPoints(t *testing.T) {
	v := loadVectors(t)
	var got []string
	forEachPoint(v.CheckPoints.Host, len(v.CheckPoints.First), func(p point) { got = append(got, pointHex(p)) })
	if diff := diffNodes(v.CheckPoints.First, got); diff != "" {
		t.Errorf("first points of %s (-want +got):\n%s", v.CheckPoints.Host, diff)
	}
}

func TestVectors(t *testing.T) {
	v := loadVectors(t)
	rings := map[string]*Ring{}
	for name, set := range v.Sets {
		r := New(set.Hosts, v.Partitions)
		if r.Len() != set.Points {
			t.Errorf("set %s: %d points, want %d", name, r.Len(), set.Points)
		}
		if diff := diffNodes(set.Hosts, r.Nodes()); diff != "" {
			t.Errorf("set %s nodes (-want +got):\n%s", name, diff)
		}
		rings[name] = r
	}
	for _, k := range v.Keys {
		t.Run(k.UUID, func(t *testing.T) {
			sum := md5.Sum([]byte(k.UUID))
			if got := hex.EncodeToString(sum[:]); got != k.MD5 {
				t.Errorf("md5 = %s, want %s", got, k.MD5)
			}
			for name, want := range map[string]vecRow{"A": k.A, "B": k.B} {
				r := rings[name]
				if got := r.tab.Load().bisect(pointOf(&sum)); got != want.Pidx {
					t.Errorf("set %s: partition %d, want %d", name, got, want.Pidx)
				}
				if got, ok := r.Lookup(k.UUID); !ok || got != want.Owner {
					t.Errorf("set %s: Lookup = %q, %v, want %q", name, got, ok, want.Owner)
				}
				if diff := diffNodes([]string{want.Owner}, r.GetNodes(k.UUID, nil, 1)); diff != "" {
					t.Errorf("set %s: GetNodes r=1 (-want +got):\n%s", name, diff)
				}
				if diff := diffNodes([]string{want.Owner}, r.GetNodesBytes([]byte(k.UUID), nil, 1)); diff != "" {
					t.Errorf("set %s: GetNodesBytes r=1 (-want +got):\n%s", name, diff)
				}
				if want.Walk != nil {
					if diff := diffNodes(want.Walk, r.GetNodes(k.UUID, nil, 2)); diff != "" {
						t.Errorf("set %s: GetNodes r=2 (-want +got):\n%s", name, diff)
					}
					// Ignoring the primary promotes the second host of the walk.
					if diff := diffNodes(want.Walk[1:2], r.GetNodes(k.UUID, want.Walk[:1], 1)); diff != "" {
						t.Errorf("set %s: GetNodes ignoring %s (-want +got):\n%s", name, want.Walk[0], diff)
					}
				}
			}
			if k.TopicA != "" {
				got, err := rings["A"].Topic(k.UUID, 1)
				if err != nil || got != k.TopicA {
					t.Errorf("Topic = %q, %v, want %q", got, err, k.TopicA)
				}
			}
		})
	}
}

// keyAfterLastPoint finds a UUID-like key whose md5 is above every point.
func keyAfterLastPoint(t *testing.T, r *Ring) string {
	t.Helper()
	tab := r.tab.Load()
	last := tab.points[len(tab.points)-1]
	for i := range 1 << 20 {
		k := fmt.Sprintf("00000000-0000-4000-8000-%012x", i)
		sum := md5.Sum([]byte(k))
		if comparePoints(pointOf(&sum), last) > 0 {
			return k
		}
	}
	t.Fatal("no key above the last point")
	return ""
}

func TestWrapAround(t *testing.T) {
	hosts := []string{"cond-a", "cond-b", "cond-c"}
	r := New(hosts, DefaultPartitions)
	ref := newRef(hosts, DefaultPartitions)
	k := keyAfterLastPoint(t, r)
	tab := r.tab.Load()
	sum := md5.Sum([]byte(k))
	if p := tab.bisect(pointOf(&sum)); p != 0 {
		t.Fatalf("partition of %s = %d, want 0 (wrap-around)", k, p)
	}
	first := tab.names[tab.owner[0]]
	if got, _ := r.Lookup(k); got != first {
		t.Errorf("Lookup(%s) = %s, want owner of the first point %s", k, got, first)
	}
	if diff := diffNodes(ref.getNodes(k, nil, 3), r.GetNodes(k, nil, 3)); diff != "" {
		t.Errorf("walk from the wrap (-ref +got):\n%s", diff)
	}
	// A key equal to the last point also wraps (bisect_right).
	lastKey := tab.points[len(tab.points)-1]
	if p := tab.bisect(lastKey); p != 0 {
		t.Errorf("bisect(last point) = %d, want 0", p)
	}
	if p := tab.bisect(tab.points[0]); p != 1 {
		t.Errorf("bisect(first point) = %d, want 1", p)
	}
	if p := tab.bisect(point{}); p != 0 {
		t.Errorf("bisect(0) = %d, want 0", p)
	}
}

func TestReplicas(t *testing.T) {
	hosts := []string{"cond-a", "cond-b", "cond-c", "cond-d"}
	r := New(hosts, DefaultPartitions)
	ref := newRef(hosts, DefaultPartitions)
	const key = "f47ac10b-58cc-4372-a567-0e02b2c3d479"
	for _, n := range []int{-1, 0, 1, 2, 3, 4, 5, 100} {
		got := r.GetNodes(key, nil, n)
		if want := min(max(n, 0), len(hosts)); len(got) != want {
			t.Errorf("replicas %d: %d hosts %v, want %d", n, len(got), got, want)
		}
		if diff := diffNodes(ref.getNodes(key, nil, n), got); diff != "" {
			t.Errorf("replicas %d (-ref +got):\n%s", n, diff)
		}
	}
	// Each prefix of a longer walk is the shorter walk.
	all := r.GetNodes(key, nil, len(hosts))
	for n := 1; n <= len(hosts); n++ {
		if diff := diffNodes(all[:n], r.GetNodes(key, nil, n)); diff != "" {
			t.Errorf("replicas %d is not a prefix of the full walk:\n%s", n, diff)
		}
	}
}

func TestIgnoreNodes(t *testing.T) {
	hosts := []string{"cond-a", "cond-b", "cond-c"}
	r := New(hosts, DefaultPartitions)
	ref := newRef(hosts, DefaultPartitions)
	const key = "1be26c0b-03f2-4d2e-ae87-c02d7f33c123" // walk c, b, a
	tests := map[string]struct {
		ignore   []string
		replicas int
		want     []string
	}{
		"primary":        {[]string{"cond-c"}, 1, []string{"cond-b"}},
		"two":            {[]string{"cond-c", "cond-b"}, 1, []string{"cond-a"}},
		"all":            {hosts, 2, []string{}},
		"unknown":        {[]string{"cond-z"}, 1, []string{"cond-c"}},
		"duplicates":     {[]string{"cond-c", "cond-c"}, 3, []string{"cond-b", "cond-a"}},
		"capped by rest": {[]string{"cond-b"}, 3, []string{"cond-c", "cond-a"}},
		"none":           {[]string{}, 3, []string{"cond-c", "cond-b", "cond-a"}},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			got := r.GetNodes(key, tc.ignore, tc.replicas)
			if diff := diffNodes(tc.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
			if diff := diffNodes(ref.getNodes(key, tc.ignore, tc.replicas), got); diff != "" {
				t.Errorf("(-ref +got):\n%s", diff)
			}
		})
	}
}

func TestEmptyRing(t *testing.T) {
	for name, r := range map[string]*Ring{
		"nil":          New(nil, DefaultPartitions),
		"no partition": New([]string{"cond-a"}, 0),
	} {
		t.Run(name, func(t *testing.T) {
			if h, ok := r.Lookup("x"); ok {
				t.Errorf("Lookup = %q, true on an empty ring", h)
			}
			if got := r.GetNodes("x", nil, 1); len(got) != 0 {
				t.Errorf("GetNodes = %v", got)
			}
			if _, err := r.Topic("x", 1); !errors.Is(err, ErrNoHosts) {
				t.Errorf("Topic error = %v, want ErrNoHosts", err)
			}
		})
	}
	if _, err := New([]string{"cond-a"}, 1).Topic("x", 0); !errors.Is(err, ErrNoHosts) {
		t.Errorf("Topic with replicas 0: %v, want ErrNoHosts", err)
	}
}

func TestAddRemoveWeights(t *testing.T) {
	r := New([]string{"cond-a", "cond-b"}, 8)
	ref := newRef([]string{"cond-a", "cond-b"}, 8)
	keys := randomUUIDs(rand.New(rand.NewPCG(1, 2)), 2000)
	check := func(step string) {
		t.Helper()
		if r.Len() != len(ref.parts) {
			t.Errorf("%s: %d points, want %d", step, r.Len(), len(ref.parts))
		}
		for _, k := range keys {
			if diff := diffNodes(ref.getNodes(k, nil, 2), r.GetNodes(k, nil, 2)); diff != "" {
				t.Fatalf("%s: key %s (-ref +got):\n%s", step, k, diff)
			}
		}
	}
	check("new")
	r.AddNode("cond-c", 3)
	ref.add("cond-c", 3)
	check("add weight 3")
	if w, ok := r.Weight("cond-c"); !ok || w != 3 {
		t.Errorf("Weight(cond-c) = %d, %v", w, ok)
	}
	// Weight 3 owns about three fifths of the keys.
	n := 0
	for _, k := range keys {
		if h, _ := r.Lookup(k); h == "cond-c" {
			n++
		}
	}
	if n < len(keys)/3 {
		t.Errorf("cond-c with weight 3 owns %d of %d keys", n, len(keys))
	}
	r.AddNodes([]string{"cond-d", "cond-e"}, 1)
	ref.add("cond-d", 1)
	ref.add("cond-e", 1)
	check("add two")
	if err := r.RemoveNode("cond-a"); err != nil {
		t.Fatal(err)
	}
	ref.remove("cond-a")
	check("remove")
	if diff := diffNodes([]string{"cond-b", "cond-c", "cond-d", "cond-e"}, r.Nodes()); diff != "" {
		t.Errorf("nodes (-want +got):\n%s", diff)
	}
	if err := r.RemoveNode("cond-a"); !errors.Is(err, ErrUnknownNode) {
		t.Errorf("second remove: %v, want ErrUnknownNode", err)
	}
	// Removing everything gives an empty ring.
	for _, h := range r.Nodes() {
		if err := r.RemoveNode(h); err != nil {
			t.Fatal(err)
		}
	}
	if r.Len() != 0 || len(r.Nodes()) != 0 {
		t.Errorf("after removing all: %d points, nodes %v", r.Len(), r.Nodes())
	}
	// tooz quirk: lowering a weight by re-adding keeps the extra points,
	// and removing then deletes only the lower count.
	q := New(nil, 4)
	qref := newRef(nil, 4)
	q.AddNode("h", 2)
	qref.add("h", 2)
	q.AddNode("h", 1)
	qref.add("h", 1)
	if q.Len() != 8 {
		t.Errorf("re-add with lower weight: %d points, want 8", q.Len())
	}
	if err := q.RemoveNode("h"); err != nil {
		t.Fatal(err)
	}
	qref.remove("h")
	if q.Len() != 4 || len(q.Nodes()) != 0 {
		t.Errorf("orphan points: %d, nodes %v; want 4 and none", q.Len(), q.Nodes())
	}
	if got := q.GetNodes("k", nil, 1); len(got) != 0 {
		t.Errorf("ring with no members returned %v", got)
	}
}

// TestCollidingHosts: "ab" and "abab" share points; the later host wins.
func TestCollidingHosts(t *testing.T) {
	hosts := []string{"ab", "abab"}
	r := New(hosts, DefaultPartitions)
	ref := newRef(hosts, DefaultPartitions)
	if r.Len() != len(ref.parts) || r.Len() >= 2*DefaultPartitions {
		t.Fatalf("%d points, ref %d; want a collision", r.Len(), len(ref.parts))
	}
	for _, k := range randomUUIDs(rand.New(rand.NewPCG(3, 4)), 1000) {
		if diff := diffNodes(ref.getNodes(k, nil, 2), r.GetNodes(k, nil, 2)); diff != "" {
			t.Fatalf("key %s (-ref +got):\n%s", k, diff)
		}
	}
}

func TestDuplicatesAndUnicode(t *testing.T) {
	r := New([]string{"kondüktör-1", "cond-b", "kondüktör-1"}, DefaultPartitions)
	ref := newRef([]string{"kondüktör-1", "cond-b"}, DefaultPartitions)
	if r.Len() != 2*DefaultPartitions {
		t.Errorf("%d points, want %d", r.Len(), 2*DefaultPartitions)
	}
	long := strings.Repeat("x", 200) // past the 64-byte stack buffer
	for _, k := range append(randomUUIDs(rand.New(rand.NewPCG(5, 6)), 500), long, "", "ÜÜID") {
		if diff := diffNodes(ref.getNodes(k, nil, 2), r.GetNodes(k, nil, 2)); diff != "" {
			t.Fatalf("key %q (-ref +got):\n%s", k, diff)
		}
		if diff := diffNodes(r.GetNodes(k, nil, 2), r.GetNodesBytes([]byte(k), nil, 2)); diff != "" {
			t.Fatalf("key %q: bytes differ from string:\n%s", k, diff)
		}
	}
}

func randomUUIDs(rng *rand.Rand, n int) []string {
	out := make([]string, n)
	for i := range out {
		var b [16]byte
		for j := range b {
			b[j] = byte(rng.Uint32())
		}
		b[6] = b[6]&0x0f | 0x40
		b[8] = b[8]&0x3f | 0x80
		h := hex.EncodeToString(b[:])
		out[i] = h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
	}
	return out
}

func TestAgainstReference(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	for _, nHosts := range []int{1, 2, 3, 7, 20, 100, 300} {
		t.Run(fmt.Sprintf("hosts=%d", nHosts), func(t *testing.T) {
			hosts := make([]string, nHosts)
			for i := range hosts {
				hosts[i] = fmt.Sprintf("conductor-%d.example.org", rng.IntN(1_000_000))
			}
			partitions := []int{1, 4, 32}[rng.IntN(3)]
			r := New(hosts, partitions)
			ref := newRef(hosts, partitions)
			for _, k := range randomUUIDs(rng, 500) {
				replicas := 1 + rng.IntN(4)
				var ignore []string
				for range rng.IntN(3) {
					ignore = append(ignore, hosts[rng.IntN(len(hosts))])
				}
				if diff := diffNodes(ref.getNodes(k, ignore, replicas), r.GetNodes(k, ignore, replicas)); diff != "" {
					t.Fatalf("key %s ignore %v replicas %d (-ref +got):\n%s", k, ignore, replicas, diff)
				}
			}
		})
	}
}

func TestNoAllocs(t *testing.T) {
	hosts := make([]string, 100)
	for i := range hosts {
		hosts[i] = fmt.Sprintf("cond-%d", i)
	}
	r := New(hosts, DefaultPartitions)
	const key = "1be26c0b-03f2-4d2e-ae87-c02d7f33c123"
	ignore := []string{"cond-1", "cond-2"}
	dst := make([]string, 0, 4)
	for name, f := range map[string]func(){
		"Lookup":            func() { r.Lookup(key) },
		"AppendNodes r=1":   func() { dst = r.AppendNodes(dst[:0], key, nil, 1) },
		"AppendNodes r=3+i": func() { dst = r.AppendNodes(dst[:0], key, ignore, 3) },
	} {
		if n := testing.AllocsPerRun(100, f); n != 0 {
			t.Errorf("%s: %v allocs per run, want 0", name, n)
		}
	}
}

func FuzzGetNodes(f *testing.F) {
	v := loadVectors(f)
	for i, k := range v.Keys {
		f.Add([]byte(k.UUID), uint8(3), uint8(1+i%3), uint8(i), uint8(32))
	}
	f.Add([]byte(""), uint8(1), uint8(1), uint8(0), uint8(1))
	f.Add([]byte(strings.Repeat("z", 100)), uint8(9), uint8(4), uint8(5), uint8(2))
	f.Fuzz(func(t *testing.T, key []byte, nHosts, replicas, ignoreMask, partitions uint8) {
		nHosts %= 12
		partitions %= 40
		hosts := make([]string, nHosts)
		var ignore []string
		for i := range hosts {
			hosts[i] = fmt.Sprintf("cond-%c", 'a'+i)
			if ignoreMask&(1<<(i%8)) != 0 {
				ignore = append(ignore, hosts[i])
			}
		}
		r := New(hosts, int(partitions))
		got := r.GetNodesBytes(key, ignore, int(replicas))
		if diff := diffNodes(got, r.GetNodes(string(key), ignore, int(replicas))); diff != "" {
			t.Fatalf("string and bytes keys differ:\n%s", diff)
		}
		ref := newRef(hosts, int(partitions))
		if diff := diffNodes(ref.getNodes(string(key), ignore, int(replicas)), got); diff != "" {
			t.Fatalf("(-ref +got):\n%s", diff)
		}
		want := 0
		if partitions > 0 {
			want = min(int(replicas), len(hosts)-len(ignore))
		}
		if len(got) != want {
			t.Fatalf("%d hosts, want %d", len(got), want)
		}
		for i, h := range got {
			if slices.Contains(ignore, h) || slices.Contains(got[:i], h) {
				t.Fatalf("host %s ignored or repeated in %v", h, got)
			}
		}
	})
}
