package conductor

import (
	"context"
	"fmt"
	"runtime/debug"
	"sync"

	"github.com/rs/zerolog"

	"github.com/ironic-go/ironic-go/objects/exception"
)

// WorkerPool runs the conductor's background work, as Ironic's futurist
// executor: up to Workers functions run at once, up to Backlog more wait
// for a worker, and anything beyond is refused with NoFreeConductorWorker.
// It is safe for concurrent use.
type WorkerPool struct {
	admit chan struct{} // running + waiting
	run   chan struct{} // running
	log   zerolog.Logger

	mu      sync.Mutex
	closed  bool
	wg      sync.WaitGroup
	baseCtx context.Context
	cancel  context.CancelFunc
}

// NewWorkerPool returns a pool of workers goroutines with a backlog.
func NewWorkerPool(workers, backlog int, log zerolog.Logger) *WorkerPool {
	if workers < 1 {
		workers = 1
	}
	if backlog < 0 {
		backlog = 0
	}
	ctx, cancel := context.WithCancel(context.Background())
	return &WorkerPool{admit: make(chan struct{}, workers+backlog), run: make(chan struct{}, workers),
		log: log, baseCtx: ctx, cancel: cancel}
}

// Submit queues fn. It returns NoFreeConductorWorker when the pool and its
// backlog are full or the pool is stopping. fn gets a context that is
// cancelled when Stop gives up waiting; a panic in fn is recovered and
// logged, and onDone (if not nil) always runs after fn with fn's error.
func (p *WorkerPool) Submit(fn func(ctx context.Context) error, onDone func(error)) error {
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return exception.NoFreeConductorWorker()
	}
	select {
	case p.admit <- struct{}{}:
	default:
		p.mu.Unlock()
		return exception.NoFreeConductorWorker()
	}
	p.wg.Add(1)
	p.mu.Unlock()
	go func() {
		defer p.wg.Done()
		defer func() { <-p.admit }()
		p.run <- struct{}{}
		defer func() { <-p.run }()
		err := p.safeRun(fn)
		if onDone != nil {
			onDone(err)
		}
	}()
	return nil
}

func (p *WorkerPool) safeRun(fn func(ctx context.Context) error) (err error) {
	defer func() {
		if r := recover(); r != nil {
			p.log.Error().Str("stack", string(debug.Stack())).Msgf("worker panic: %v", r)
			err = fmt.Errorf("worker panic: %v", r)
		}
	}()
	return fn(p.baseCtx)
}

// Busy returns the number of functions running or waiting.
func (p *WorkerPool) Busy() int { return len(p.admit) }

// Stop refuses new work and waits for the running and waiting functions.
// If ctx ends first it cancels their context and returns ctx.Err() after
// they return.
func (p *WorkerPool) Stop(ctx context.Context) error {
	p.mu.Lock()
	p.closed = true
	p.mu.Unlock()
	done := make(chan struct{})
	go func() { p.wg.Wait(); close(done) }()
	select {
	case <-done:
		p.cancel()
		return nil
	case <-ctx.Done():
		p.cancel()
		<-done
		return ctx.Err()
	}
}
