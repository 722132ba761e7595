package messaging

import (
	"errors"
	"slices"
	"testing"
)

// recordingGroup records the batches it is asked to acknowledge.
type recordingGroup struct {
	batches [][]uint64
	fail    uint64 // this tag's acknowledgement fails
}

func (g *recordingGroup) AckBatch(ds []*Delivery) []error {
	var tags []uint64
	errs := make([]error, len(ds))
	for i, d := range ds {
		tags = append(tags, d.Tag)
		if d.Tag == g.fail {
			errs[i] = errors.New("gone")
		}
	}
	g.batches = append(g.batches, tags)
	return errs
}

func TestAckAllGroupsDeliveries(t *testing.T) {
	a, b := &recordingGroup{fail: 3}, &recordingGroup{}
	var single []string
	plain := func(name string) *Delivery {
		return &Delivery{Ack: func() error { single = append(single, name); return nil }}
	}
	ds := []*Delivery{
		{Group: a, Tag: 1}, plain("x"), {Group: b, Tag: 7}, {Group: a, Tag: 3}, {Group: a, Tag: 2}, {Group: b, Tag: 8},
	}
	errs := ackAll(ds)
	for i, err := range errs {
		if (err != nil) != (i == 3) {
			t.Errorf("delivery %d: %v", i, err)
		}
	}
	if len(a.batches) != 1 || !slices.Equal(a.batches[0], []uint64{1, 3, 2}) {
		t.Errorf("group a got %v", a.batches)
	}
	if len(b.batches) != 1 || !slices.Equal(b.batches[0], []uint64{7, 8}) {
		t.Errorf("group b got %v", b.batches)
	}
	if !slices.Equal(single, []string{"x"}) {
		t.Errorf("single acks %v", single)
	}
	if errs := ackAll([]*Delivery{plain("y")}); len(errs) != 1 || errs[0] != nil || !slices.Equal(single, []string{"x", "y"}) {
		t.Errorf("one-delivery batch: errors %v, single acks %v", errs, single)
	}
	if got := ackAll(nil); len(got) != 0 {
		t.Errorf("empty batch: %v", got)
	}
}
