package rabbit

import (
	"cmp"
	"slices"
	"sync"

	"github.com/ironic-go/ironic-go/messaging"
	amqp "github.com/rabbitmq/amqp091-go"
)

// acker settles the deliveries of one consuming channel. A channel's
// delivery tags are 1, 2, 3, ... across all its consumers, so it knows
// every tag below the highest one seen, delivered to a forwarder yet or
// not. It acknowledges a batch with one basic.ack multiple=true up to the
// highest tag below which every tag is in the batch or already settled,
// and the rest of the batch one by one: never a delivery the server has
// not taken.
type acker struct {
	ch amqp.Acknowledger

	mu      sync.Mutex
	low     uint64              // every tag below low is settled
	settled map[uint64]struct{} // settled tags from low on
}

func newAcker(ch amqp.Acknowledger) *acker {
	return &acker{ch: ch, low: 1, settled: map[uint64]struct{}{}}
}

// settleLocked records tag as settled. Callers hold a.mu.
func (a *acker) settleLocked(tag uint64) {
	if tag != a.low {
		if tag > a.low {
			a.settled[tag] = struct{}{}
		}
		return
	}
	a.low++
	for {
		if _, ok := a.settled[a.low]; !ok {
			return
		}
		delete(a.settled, a.low)
		a.low++
	}
}

// ack acknowledges one delivery.
func (a *acker) ack(tag uint64) error {
	return a.settleOne(tag, func() error { return a.ch.Ack(tag, false) })
}

// reject drops one delivery without requeueing it.
func (a *acker) reject(tag uint64) error {
	return a.settleOne(tag, func() error { return a.ch.Reject(tag, false) })
}

// settleOne sends one delivery's settlement and records it if sent.
func (a *acker) settleOne(tag uint64, send func() error) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	err := send()
	if err == nil {
		a.settleLocked(tag)
	}
	return err
}

// AckBatch acknowledges the deliveries of ds, all of this channel.
func (a *acker) AckBatch(ds []*messaging.Delivery) []error {
	errs := make([]error, len(ds))
	order := make([]int, len(ds))
	for i := range order {
		order[i] = i
	}
	slices.SortFunc(order, func(x, y int) int { return cmp.Compare(ds[x].Tag, ds[y].Tag) })
	a.mu.Lock()
	defer a.mu.Unlock()
	// The prefix of the batch that one multiple ack may cover: walking up
	// from low, every tag is settled or the batch's next.
	n, cur := 0, a.low
	for {
		if _, ok := a.settled[cur]; ok {
			cur++
			continue
		}
		if n < len(order) && ds[order[n]].Tag == cur {
			n++
			cur++
			continue
		}
		break
	}
	rest := order
	if n >= 2 {
		last := ds[order[n-1]].Tag
		err := a.ch.Ack(last, true)
		for _, i := range order[:n] {
			errs[i] = err
			if err == nil {
				a.settleLocked(ds[i].Tag)
			}
		}
		rest = order[n:]
	}
	for _, i := range rest {
		err := a.ch.Ack(ds[i].Tag, false)
		errs[i] = err
		if err == nil {
			a.settleLocked(ds[i].Tag)
		}
	}
	return errs
}
