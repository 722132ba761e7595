//go:build integration

package hashring

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"
)

var toozSeed = flag.Uint64("hashring.seed", 0, "seed of the tooz comparison (0: from the clock)")

const peerScript = "testdata/tooz_peer.py"

func pythonPath() string {
	if p := os.Getenv("IRONIC_GO_PYTHON"); p != "" {
		return p
	}
	return "/usr/bin/python3"
}

// checkPython fails the test unless python3-tooz and python3-ironic import.
func checkPython(t *testing.T) {
	t.Helper()
	py := pythonPath()
	out, err := exec.CommandContext(t.Context(), py, "-c", "import tooz.hashring, ironic.common.hash_ring").CombinedOutput()
	if err != nil {
		t.Fatalf("%s cannot import tooz and ironic: %v\n%s\nInstall them: apt-get install python3-tooz python3-ironic (or set IRONIC_GO_PYTHON)", py, err, out)
	}
}

// runPeer sends req to testdata/tooz_peer.py and decodes its answer.
func runPeer(t *testing.T, req, resp any) {
	t.Helper()
	in, err := json.Marshal(req)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.CommandContext(t.Context(), pythonPath(), peerScript)
	cmd.Cancel = func() error { return cmd.Process.Signal(syscall.SIGTERM) }
	cmd.WaitDelay = 5 * time.Second
	cmd.Stdin = bytes.NewReader(in)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err = cmd.Run()
	if stderr.Len() > 0 {
		t.Logf("peer stderr:\n%s", stderr.String())
	}
	if err != nil {
		t.Fatalf("%s %s: %v", pythonPath(), peerScript, err)
	}
	if err := json.Unmarshal(stdout.Bytes(), resp); err != nil {
		t.Fatalf("peer answer: %v", err)
	}
}

type toozQuery struct {
	Replicas int      `json:"replicas"`
	Ignore   []string `json:"ignore"`
}

type toozAdd struct {
	Node   string `json:"node"`
	Weight int    `json:"weight"`
}

type toozCase struct {
	Kind       string      `json:"kind"`
	Hosts      []string    `json:"hosts"`
	Partitions int         `json:"partitions"`
	Add        []toozAdd   `json:"add,omitempty"`
	Remove     []string    `json:"remove,omitempty"`
	Keys       []string    `json:"keys"`
	Queries    []toozQuery `json:"queries"`
}

type toozAnswer struct {
	Names     []string  `json:"names"`
	Nodes     []string  `json:"nodes"`
	Len       int       `json:"len"`
	PointsMD5 string    `json:"points_md5"`
	Pidx      []int     `json:"pidx"`
	Results   [][][]int `json:"results"`
}

// hostName makes host names of several shapes, all distinct for distinct i.
func hostName(rng *rand.Rand, i int) string {
	switch rng.IntN(5) {
	case 0:
		return fmt.Sprintf("conductor-%d.example.org", i)
	case 1:
		return fmt.Sprintf("c%d", i)
	case 2:
		return fmt.Sprintf("kondüktör-%d", i)
	case 3:
		return fmt.Sprintf("10.%d.%d.%d", i/65536, i/256%256, i%256)
	default:
		return fmt.Sprintf("COND_%d-Rack%d", i, rng.IntN(9))
	}
}

// keyVariant returns a UUID as Ironic stores it, or (rarely) in another
// form: the ring hashes the exact string.
func keyVariant(rng *rand.Rand, u string) string {
	switch rng.IntN(20) {
	case 0:
		return strings.ToUpper(u)
	case 1:
		return strings.ReplaceAll(u, "-", "")
	default:
		return u
	}
}

func newToozCase(rng *rand.Rand, nHosts, nKeys int) toozCase {
	c := toozCase{Kind: "tooz", Partitions: 1 << 5}
	if rng.IntN(5) == 0 { // mostly Ironic's default exponent
		c.Partitions = 1 << rng.IntN(9)
	}
	base := rng.IntN(1 << 20)
	for i := range nHosts {
		c.Hosts = append(c.Hosts, hostName(rng, base+i))
	}
	for _, u := range randomUUIDs(rng, nKeys) {
		c.Keys = append(c.Keys, keyVariant(rng, u))
	}
	pick := func(n int) []string {
		p := slices.Clone(c.Hosts)
		rng.Shuffle(len(p), func(i, j int) { p[i], p[j] = p[j], p[i] })
		return p[:min(n, len(p))]
	}
	c.Queries = []toozQuery{
		{Replicas: 1},
		{Replicas: 2},
		{Replicas: 3, Ignore: pick(1 + rng.IntN(max(nHosts/2, 1)))},
		{Replicas: 1, Ignore: append(pick(1), "not-a-member")},
	}
	return c
}

// goAnswer computes, with Ring, what tooz_peer.py answers for c.
func goAnswer(c toozCase) toozAnswer {
	r := New(c.Hosts, c.Partitions)
	for _, a := range c.Add {
		r.AddNode(a.Node, a.Weight)
	}
	for _, n := range c.Remove {
		if err := r.RemoveNode(n); err != nil {
			panic(err)
		}
	}
	names := slices.Clone(c.Hosts)
	for _, a := range c.Add {
		names = append(names, a.Node)
	}
	index := map[string]int{}
	for i, n := range names {
		if _, ok := index[n]; !ok {
			index[n] = i
		}
	}
	t := r.load()
	h := md5.New()
	for _, p := range t.points {
		fmt.Fprintf(h, "%016x%016x", p.hi, p.lo)
	}
	a := toozAnswer{Names: names, Nodes: r.Nodes(), Len: r.Len(), PointsMD5: hex.EncodeToString(h.Sum(nil))}
	for _, k := range c.Keys {
		p := 0
		if len(t.points) > 0 {
			sum := md5.Sum([]byte(k))
			p = t.bisect(pointOf(&sum))
		}
		a.Pidx = append(a.Pidx, p)
	}
	for _, q := range c.Queries {
		rows := make([][]int, len(c.Keys))
		for i, k := range c.Keys {
			row := []int{}
			for _, n := range r.GetNodes(k, q.Ignore, q.Replicas) {
				row = append(row, index[n])
			}
			slices.Sort(row)
			rows[i] = row
		}
		a.Results = append(a.Results, rows)
	}
	return a
}

// compareToozCase reports every difference between Go and tooz for c.
func compareToozCase(t *testing.T, name string, c toozCase, want toozAnswer) {
	t.Helper()
	got := goAnswer(c)
	if diff := diffNodes(want.Nodes, got.Nodes); diff != "" {
		t.Errorf("%s: nodes (-tooz +go):\n%s", name, diff)
	}
	if got.Len != want.Len || got.PointsMD5 != want.PointsMD5 {
		t.Errorf("%s: ring of %d points (digest %s), tooz %d (%s)", name, got.Len, got.PointsMD5, want.Len, want.PointsMD5)
	}
	bad := 0
	for i, k := range c.Keys {
		if got.Pidx[i] != want.Pidx[i] {
			if bad++; bad <= 5 {
				t.Errorf("%s: key %q: partition %d, tooz %d", name, k, got.Pidx[i], want.Pidx[i])
			}
		}
	}
	for qi, q := range c.Queries {
		for i, k := range c.Keys {
			if !slices.Equal(got.Results[qi][i], want.Results[qi][i]) {
				if bad++; bad <= 5 {
					t.Errorf("%s: key %q replicas %d ignore %v: go %v, tooz %v (names %v)",
						name, k, q.Replicas, q.Ignore, got.Results[qi][i], want.Results[qi][i], want.Names)
				}
			}
		}
	}
	if bad > 5 {
		t.Errorf("%s: %d differences in all", name, bad)
	}
}

func seed(t *testing.T) uint64 {
	s := *toozSeed
	if s == 0 {
		s = uint64(time.Now().UnixNano())
	}
	t.Logf("seed %d (rerun with -args -hashring.seed=%d)", s, s)
	return s
}

// TestToozPlacement compares Ring with tooz's HashRing on host sets of 1
// to 50 hosts, 10,000 random UUIDs each, with replicas 1 to 3 and
// ignore_nodes. Each batch of host sets is one Python process.
func TestToozPlacement(t *testing.T) {
	checkPython(t)
	rng := rand.New(rand.NewPCG(seed(t), 1))
	sizes := make([]int, 50)
	for i := range sizes {
		sizes[i] = i + 1
	}
	rng.Shuffle(len(sizes), func(i, j int) { sizes[i], sizes[j] = sizes[j], sizes[i] })
	const batches = 5
	for b := range batches {
		var cases []toozCase
		for _, n := range sizes[b*len(sizes)/batches : (b+1)*len(sizes)/batches] {
			cases = append(cases, newToozCase(rng, n, 10_000))
		}
		t.Run(fmt.Sprintf("batch=%d", b), func(t *testing.T) {
			t.Parallel()
			var resp struct{ Cases []toozAnswer }
			runPeer(t, map[string]any{"cases": cases}, &resp)
			if len(resp.Cases) != len(cases) {
				t.Fatalf("peer answered %d cases, want %d", len(resp.Cases), len(cases))
			}
			for i, c := range cases {
				compareToozCase(t, fmt.Sprintf("hosts=%d partitions=%d", len(c.Hosts), c.Partitions), c, resp.Cases[i])
			}
		})
	}
}

// TestToozAddRemoveWeights compares add_node with weights and remove_node.
func TestToozAddRemoveWeights(t *testing.T) {
	checkPython(t)
	rng := rand.New(rand.NewPCG(seed(t), 2))
	var cases []toozCase
	for range 6 {
		c := newToozCase(rng, 2+rng.IntN(10), 2000)
		c.Add = []toozAdd{
			{Node: "weighted-a", Weight: 2 + rng.IntN(3)},
			{Node: "weighted-b", Weight: 1},
			{Node: c.Hosts[0], Weight: 3}, // re-add with a higher weight
		}
		c.Remove = []string{c.Hosts[1], "weighted-b"}
		cases = append(cases, c)
	}
	var resp struct{ Cases []toozAnswer }
	runPeer(t, map[string]any{"cases": cases}, &resp)
	if len(resp.Cases) != len(cases) {
		t.Fatalf("peer answered %d cases, want %d", len(resp.Cases), len(cases))
	}
	for i, c := range cases {
		compareToozCase(t, fmt.Sprintf("case %d", i), c, resp.Cases[i])
	}
}

// TestIronicTopics compares Manager.Topic with Ironic 21.4's own
// ConductorAPI.get_topic_for over the same membership.
func TestIronicTopics(t *testing.T) {
	checkPython(t)
	rng := rand.New(rand.NewPCG(seed(t), 3))
	type node struct {
		Driver string `json:"driver"`
		UUID   string `json:"uuid"`
	}
	type ironicCase struct {
		Kind     string              `json:"kind"`
		Exponent int                 `json:"exponent"`
		Drivers  map[string][]string `json:"drivers"`
		Nodes    []node              `json:"nodes"`
	}
	var cases []ironicCase
	for _, exp := range []int{5, 2, 7} {
		c := ironicCase{Kind: "ironic", Exponent: exp, Drivers: map[string][]string{}}
		base := rng.IntN(1 << 20)
		for d, n := range map[string]int{"ipmi": 1 + rng.IntN(30), "redfish": 1 + rng.IntN(5), "fake-hardware": 1} {
			for i := range n {
				c.Drivers[d] = append(c.Drivers[d], hostName(rng, base+i))
			}
		}
		drivers := []string{"ipmi", "redfish", "fake-hardware", "idrac"} // idrac: no conductor
		for _, u := range randomUUIDs(rng, 3000) {
			c.Nodes = append(c.Nodes, node{Driver: drivers[rng.IntN(len(drivers))], UUID: u})
		}
		cases = append(cases, c)
	}
	var resp struct {
		Cases []struct{ Topics []string }
	}
	runPeer(t, map[string]any{"cases": cases}, &resp)
	if len(resp.Cases) != len(cases) {
		t.Fatalf("peer answered %d cases, want %d", len(resp.Cases), len(cases))
	}
	for ci, c := range cases {
		cfg := DefaultConfig()
		cfg.HashPartitionExponent = c.Exponent
		m, err := NewManager(cfg, ConductorListerFunc(func(context.Context) (map[string][]string, error) {
			return c.Drivers, nil
		}))
		if err != nil {
			t.Fatal(err)
		}
		bad, notFound := 0, 0
		for i, n := range c.Nodes {
			got, err := m.Topic(t.Context(), n.Driver, n.UUID)
			if errors.Is(err, ErrDriverNotFound) {
				got = "!NoValidHost" // rpcapi's mapping of DriverNotFound
				notFound++
			} else if err != nil {
				t.Fatal(err)
			}
			if want := resp.Cases[ci].Topics[i]; got != want {
				if bad++; bad <= 5 {
					t.Errorf("exponent %d, node %s driver %s: %s, ironic %s", c.Exponent, n.UUID, n.Driver, got, want)
				}
			}
		}
		if bad > 0 {
			t.Errorf("exponent %d: %d of %d topics differ", c.Exponent, bad, len(c.Nodes))
		}
		if notFound == 0 {
			t.Errorf("exponent %d: no node of an unknown driver was checked", c.Exponent)
		}
	}
}
