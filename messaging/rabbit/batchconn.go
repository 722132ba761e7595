package rabbit

import (
	"net"
	"sync"
	"time"
)

// batchConnLimit bounds the bytes a batchConn holds before Write waits.
const batchConnLimit = 4 << 20

// batchConn is a connection whose writes are sent by one writer
// goroutine: a Write only queues its bytes, so that amqp091-go, which
// writes every frame under one connection lock and flushes each publish,
// releases the lock at once, and the frames that publishers queue while
// the writer is in a write(2) leave together in the next one. Under
// concurrency this turns one system call (and one TCP segment for the
// broker to read) per publish into one per batch; alone, a Write costs a
// goroutine hand-off. Order is kept; Close writes what is queued first.
// A write error is returned by the next Write and closes the connection,
// so the reader fails too.
type batchConn struct {
	net.Conn

	mu      sync.Mutex
	cond    *sync.Cond // signalled when the writer takes or fails
	pending []byte
	spare   []byte
	err     error
	closed  bool

	wake chan struct{} // one token: pending has bytes
	done chan struct{} // closed when the writer returns
}

func newBatchConn(c net.Conn) *batchConn {
	b := &batchConn{Conn: c, wake: make(chan struct{}, 1), done: make(chan struct{})}
	b.cond = sync.NewCond(&b.mu)
	go b.writer()
	return b
}

// Write queues p for the writer.
func (b *batchConn) Write(p []byte) (int, error) {
	b.mu.Lock()
	for b.err == nil && !b.closed && len(b.pending) >= batchConnLimit {
		b.cond.Wait()
	}
	if b.err != nil {
		err := b.err
		b.mu.Unlock()
		return 0, err
	}
	if b.closed {
		b.mu.Unlock()
		return 0, net.ErrClosed
	}
	b.pending = append(b.pending, p...)
	select { // under mu: Close closes wake under it
	case b.wake <- struct{}{}:
	default:
	}
	b.mu.Unlock()
	return len(p), nil
}

// closeFlushTimeout bounds how long Close waits for queued bytes to be
// written (amqp091-go answers a broker's connection.close with close-ok
// and then closes the socket at once).
const closeFlushTimeout = 500 * time.Millisecond

// writer sends what is queued until the connection closes (then it writes
// what is left, within closeFlushTimeout) or fails.
func (b *batchConn) writer() {
	defer close(b.done)
	for {
		_, open := <-b.wake
		b.mu.Lock()
		out := b.pending
		b.pending, b.spare = b.spare[:0], nil
		b.cond.Broadcast()
		b.mu.Unlock()
		var err error
		if len(out) > 0 {
			_, err = b.Conn.Write(out)
		}
		b.mu.Lock()
		if cap(out) <= maxSpare {
			b.spare = out[:0]
		}
		if err != nil && b.err == nil {
			b.err = err
		}
		b.cond.Broadcast()
		b.mu.Unlock()
		if err != nil {
			_ = b.Conn.Close()
			return
		}
		if !open {
			return
		}
	}
}

// maxSpare is the largest buffer kept for reuse after a burst.
const maxSpare = 1 << 20

// Close stops the writer once it has written what is queued (at most
// closeFlushTimeout) and closes the connection.
func (b *batchConn) Close() error {
	b.mu.Lock()
	if !b.closed {
		b.closed = true
		close(b.wake)
	}
	b.cond.Broadcast()
	b.mu.Unlock()
	_ = b.SetWriteDeadline(time.Now().Add(closeFlushTimeout))
	<-b.done
	return b.Conn.Close()
}
