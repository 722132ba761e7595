package rabbit

import (
	"errors"
	"fmt"
	"slices"
	"testing"

	"github.com/ironic-go/ironic-go/messaging"
)

// recordingAcknowledger records the frames an acker sends.
type recordingAcknowledger struct {
	frames []string
	fail   error
}

func (r *recordingAcknowledger) Ack(tag uint64, multiple bool) error {
	r.frames = append(r.frames, fmt.Sprintf("ack %d multiple=%v", tag, multiple))
	return r.fail
}

func (r *recordingAcknowledger) Nack(tag uint64, multiple, requeue bool) error {
	r.frames = append(r.frames, fmt.Sprintf("nack %d", tag))
	return r.fail
}

func (r *recordingAcknowledger) Reject(tag uint64, requeue bool) error {
	r.frames = append(r.frames, fmt.Sprintf("reject %d requeue=%v", tag, requeue))
	return r.fail
}

func deliveries(a *acker, tags ...uint64) []*messaging.Delivery {
	ds := make([]*messaging.Delivery, len(tags))
	for i, t := range tags {
		ds[i] = &messaging.Delivery{Group: a, Tag: t}
	}
	return ds
}

func TestAckerBatches(t *testing.T) {
	cases := []struct {
		name   string
		before func(a *acker)
		batch  []uint64
		want   []string
		low    uint64
		left   int // settled tags above low
	}{
		{"contiguous from the first", nil, []uint64{2, 1, 3}, []string{"ack 3 multiple=true"}, 4, 0},
		{"first not taken yet", nil, []uint64{2, 3}, []string{"ack 2 multiple=false", "ack 3 multiple=false"}, 1, 2},
		{"hole in the middle", nil, []uint64{1, 2, 4}, []string{"ack 2 multiple=true", "ack 4 multiple=false"}, 3, 1},
		{"after a reject", func(a *acker) { _ = a.reject(1) }, []uint64{3, 2}, []string{"reject 1 requeue=false", "ack 3 multiple=true"}, 4, 0},
		{"over settled tags", func(a *acker) { _ = a.ack(2) }, []uint64{1, 3}, []string{"ack 2 multiple=false", "ack 3 multiple=true"}, 4, 0},
		{"single", nil, []uint64{1}, []string{"ack 1 multiple=false"}, 2, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := &recordingAcknowledger{}
			a := newAcker(r)
			if c.before != nil {
				c.before(a)
			}
			for i, err := range a.AckBatch(deliveries(a, c.batch...)) {
				if err != nil {
					t.Errorf("delivery %d: %v", c.batch[i], err)
				}
			}
			if !slices.Equal(r.frames, c.want) {
				t.Errorf("frames %q, want %q", r.frames, c.want)
			}
			if a.low != c.low || len(a.settled) != c.left {
				t.Errorf("low %d settled %v, want low %d and %d settled", a.low, a.settled, c.low, c.left)
			}
		})
	}
}

func TestAckerErrorsReachEveryDelivery(t *testing.T) {
	gone := errors.New("channel gone")
	r := &recordingAcknowledger{fail: gone}
	a := newAcker(r)
	for i, err := range a.AckBatch(deliveries(a, 1, 2, 4)) {
		if !errors.Is(err, gone) {
			t.Errorf("delivery %d: %v", i, err)
		}
	}
	if a.low != 1 || len(a.settled) != 0 {
		t.Errorf("failed acks settled: low %d %v", a.low, a.settled)
	}
}

// TestAckerNeverCoversUntakenTags runs random batches over 1..n: a multiple
// ack never covers a tag that is neither settled nor in its batch.
func TestAckerNeverCoversUntakenTags(t *testing.T) {
	const n = 2000
	r := &recordingAcknowledger{}
	a := newAcker(r)
	settled := map[uint64]bool{}
	perm := shuffledTags(n)
	for len(perm) > 0 {
		k := min(len(perm), 1+int(perm[0]%7))
		batch := perm[:k]
		perm = perm[k:]
		r.frames = r.frames[:0]
		inBatch := map[uint64]bool{}
		for _, t := range batch {
			inBatch[t] = true
		}
		a.AckBatch(deliveries(a, batch...))
		for _, f := range r.frames {
			var tag uint64
			var multiple bool
			if _, err := fmt.Sscanf(f, "ack %d multiple=%t", &tag, &multiple); err != nil {
				t.Fatal(err)
			}
			lowest := tag
			if multiple {
				lowest = 1
			}
			for x := lowest; x <= tag; x++ {
				if !settled[x] && !inBatch[x] {
					t.Fatalf("%s covers tag %d, neither settled nor in the batch %v", f, x, batch)
				}
			}
		}
		for _, t := range batch {
			settled[t] = true
		}
	}
	if a.low != n+1 || len(a.settled) != 0 {
		t.Errorf("low %d, %d settled left", a.low, len(a.settled))
	}
}

// shuffledTags returns 1..n in an order where tags arrive mostly in
// sequence with some overtaking, as forwarders of several queues do.
func shuffledTags(n int) []uint64 {
	out := make([]uint64, n)
	for i := range out {
		out[i] = uint64(i + 1)
	}
	seed := uint64(7)
	for i := range out {
		seed = seed*6364136223846793005 + 1442695040888963407
		j := i + int(seed>>33)%5
		if j < n {
			out[i], out[j] = out[j], out[i]
		}
	}
	return out
}
