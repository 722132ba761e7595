package messaging

import (
	"context"
	"encoding/json"
	"sync"

	"github.com/rs/zerolog"
)

// ReplyRouter hands the replies arriving on a transport's reply queue to
// the calls waiting for them, by _msg_id. A Transport creates one with
// [NewReplyRouter] for its reply queue and calls [ReplyRouter.Deliver] for
// every body received there; Clients register and wait.
type ReplyRouter struct {
	queue string
	log   zerolog.Logger

	mu      sync.Mutex
	waiters map[string]chan *incomingReply
}

// replyBuffer is a waiter's channel capacity. Heartbeats are dropped when
// the channel is nearly full (the waiter is late anyway and one pending
// heartbeat resets the same timer); the final reply always has room.
const replyBuffer = 4

// NewReplyRouter returns a router for the reply queue named queue.
func NewReplyRouter(queue string, log zerolog.Logger) *ReplyRouter {
	return &ReplyRouter{queue: queue, log: log, waiters: make(map[string]chan *incomingReply)}
}

// Queue returns the reply queue's name, sent as _reply_q.
func (r *ReplyRouter) Queue() string { return r.queue }

// Deliver routes one reply body. It never blocks: a reply nobody waits for
// (a late reply to a call that timed out) is logged at debug and dropped,
// as oslo does.
func (r *ReplyRouter) Deliver(body []byte) {
	rep, err := decodeReply(body)
	if err != nil {
		r.log.Warn().Err(err).Str("queue", r.queue).Msg("dropping malformed reply")
		return
	}
	r.mu.Lock()
	ch := r.waiters[rep.msgID]
	r.mu.Unlock()
	if ch == nil {
		r.log.Debug().Str("msg_id", rep.msgID).Msg("no calling thread waiting for reply; dropped")
		return
	}
	if rep.isHeartbeat() && len(ch) >= cap(ch)-1 {
		return
	}
	select {
	case ch <- rep:
	default:
		r.log.Warn().Str("msg_id", rep.msgID).Msg("reply waiter full; duplicate reply dropped")
	}
}

// Pending returns the number of calls waiting for a reply.
func (r *ReplyRouter) Pending() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.waiters)
}

func (r *ReplyRouter) register(msgID string) <-chan *incomingReply {
	ch := make(chan *incomingReply, replyBuffer)
	r.mu.Lock()
	r.waiters[msgID] = ch
	r.mu.Unlock()
	return ch
}

func (r *ReplyRouter) unregister(msgID string) {
	r.mu.Lock()
	delete(r.waiters, msgID)
	r.mu.Unlock()
}

// PendingReply is the wait for the reply to one request published by hand
// (tests and tools; Client.Call does this itself).
type PendingReply struct {
	r     *ReplyRouter
	msgID string
	ch    <-chan *incomingReply
}

// Expect registers interest in the reply to msgID. Call it before
// publishing the request, and Cancel when done.
func (r *ReplyRouter) Expect(msgID string) *PendingReply {
	return &PendingReply{r: r, msgID: msgID, ch: r.register(msgID)}
}

// Wait returns the final reply's result, or its failure as a *RemoteError.
// Heartbeats are skipped. It returns ctx.Err() if ctx ends first.
func (p *PendingReply) Wait(ctx context.Context) (json.RawMessage, error) {
	var last json.RawMessage
	for {
		select {
		case rep := <-p.ch:
			if !rep.ending {
				if rep.result != nil {
					last = rep.result
				}
				continue
			}
			if rep.failure != nil {
				rerr, err := DecodeFailure(rep.failure)
				if err != nil {
					return nil, err
				}
				return nil, rerr
			}
			if rep.result == nil {
				return last, nil
			}
			return rep.result, nil
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
}

// Cancel stops waiting; a reply arriving later is dropped.
func (p *PendingReply) Cancel() { p.r.unregister(p.msgID) }
