package rabbit

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"net"
	"sync"
	"testing"
	"time"
)

// loopback returns both ends of a TCP connection on 127.0.0.1.
func loopback(t *testing.T) (client, server net.Conn) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	accepted := make(chan net.Conn, 1)
	go func() {
		c, _ := ln.Accept()
		accepted <- c
	}()
	client, err = net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	server = <-accepted
	if server == nil {
		t.Fatal("accept failed")
	}
	return client, server
}

// TestBatchConnKeepsEveryWriteInOrder: writers write numbered records
// concurrently; the reader gets every record whole, each writer's in order.
func TestBatchConnKeepsEveryWriteInOrder(t *testing.T) {
	raw, peer := loopback(t)
	defer peer.Close()
	bc := newBatchConn(raw)
	const writers, records = 16, 2000
	var wg sync.WaitGroup
	for w := range writers {
		wg.Go(func() {
			rec := make([]byte, 12)
			for i := range records {
				binary.BigEndian.PutUint32(rec[0:], uint32(w))
				binary.BigEndian.PutUint32(rec[4:], uint32(i))
				binary.BigEndian.PutUint32(rec[8:], 0xfeedface)
				if _, err := bc.Write(rec); err != nil {
					t.Errorf("write: %v", err)
					return
				}
			}
		})
	}
	next := make([]uint32, writers)
	got := make(chan error, 1)
	go func() {
		rec := make([]byte, 12)
		for n := 0; n < writers*records; n++ {
			if _, err := io.ReadFull(peer, rec); err != nil {
				got <- err
				return
			}
			w, i := binary.BigEndian.Uint32(rec[0:]), binary.BigEndian.Uint32(rec[4:])
			if binary.BigEndian.Uint32(rec[8:]) != 0xfeedface || w >= writers || i != next[w] {
				got <- errors.New("record out of order or torn")
				return
			}
			next[w]++
		}
		got <- nil
	}()
	wg.Wait()
	select {
	case err := <-got:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("records did not all arrive")
	}
	if err := bc.Close(); err != nil {
		t.Errorf("close: %v", err)
	}
	if _, err := bc.Write([]byte("x")); !errors.Is(err, net.ErrClosed) {
		t.Errorf("write after close: %v", err)
	}
	if err := bc.Close(); err == nil {
		t.Error("second close of the socket reported no error")
	}
}

// TestBatchConnWriteErrorSurfaces: once the peer is gone, a later Write
// fails and the connection is closed, so a reader fails too.
func TestBatchConnWriteErrorSurfaces(t *testing.T) {
	raw, peer := loopback(t)
	bc := newBatchConn(raw)
	defer bc.Close()
	if tc, ok := peer.(*net.TCPConn); ok {
		_ = tc.SetLinger(0) // reset, so writes fail at once
	}
	peer.Close()
	payload := bytes.Repeat([]byte("x"), 64<<10)
	deadline := time.Now().Add(10 * time.Second)
	var err error
	for err == nil && time.Now().Before(deadline) {
		_, err = bc.Write(payload)
		time.Sleep(time.Millisecond)
	}
	if err == nil {
		t.Fatal("writes to a reset connection kept succeeding")
	}
	if _, rerr := bc.Read(make([]byte, 1)); rerr == nil {
		t.Error("read after a write error succeeded")
	}
}

// TestBatchConnBoundsPending: a writer whose peer reads nothing blocks
// after the limit instead of growing without bound, and Close releases it.
func TestBatchConnBoundsPending(t *testing.T) {
	raw, peer := loopback(t)
	defer peer.Close()
	bc := newBatchConn(raw)
	chunk := make([]byte, 256<<10)
	blocked := make(chan error, 1)
	go func() {
		for {
			if _, err := bc.Write(chunk); err != nil {
				blocked <- err
				return
			}
		}
	}()
	time.Sleep(300 * time.Millisecond)
	bc.mu.Lock()
	pending := len(bc.pending)
	bc.mu.Unlock()
	if pending > batchConnLimit+len(chunk) {
		t.Errorf("%d bytes pending, limit %d", pending, batchConnLimit)
	}
	select {
	case err := <-blocked:
		t.Fatalf("writer stopped early: %v", err)
	default:
	}
	_ = bc.Close()
	select {
	case <-blocked:
	case <-time.After(10 * time.Second):
		t.Fatal("Close did not release a blocked writer")
	}
}

// TestBatchConnCloseWritesWhatIsQueued: bytes queued and not yet taken by
// the writer when Close runs (amqp091-go's close-ok to a broker's
// connection.close) still leave.
func TestBatchConnCloseWritesWhatIsQueued(t *testing.T) {
	raw, peer := loopback(t)
	defer peer.Close()
	bc := newBatchConn(raw)
	want := bytes.Repeat([]byte("close-ok "), 10000)
	// Queued without waking the writer: only Close can send them.
	bc.mu.Lock()
	bc.pending = append(bc.pending, want...)
	bc.mu.Unlock()
	if err := bc.Close(); err != nil {
		t.Fatalf("close: %v", err)
	}
	got, err := io.ReadAll(peer)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("peer got %d of %d bytes", len(got), len(want))
	}
}
