package ipmi

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/rs/zerolog"
)

// ErrClosed is returned for an operation on a closed driver.
var ErrClosed = errors.New("ipmi: driver closed")

// op is one IPMI operation: the requests one ipmitool invocation would
// send, sent under one min_command_interval slot and retried as a whole.
type op struct {
	// name is the ipmitool command it stands for ("power status"), which
	// Ironic's IPMIFailure names.
	name string
	// idempotent operations may be retransmitted and retried after a lost
	// reply; the others only when the BMC says it did not run them (busy,
	// initializing) or the session never opened.
	idempotent bool
	// run sends the requests; it returns the last reply's data.
	run func(ctx context.Context, c bmcClient) ([]byte, error)
	// dropSession closes the session after the operation (a BMC reset
	// ends it anyway).
	dropSession bool
}

// bmc is one BMC (host:port): at most one open session, used by one
// operation at a time, and the time of its last operation.
type bmc struct {
	endpoint string
	sem      chan struct{} // holds one token: whoever has it uses the BMC

	// Guarded by sem.
	client      bmcClient
	creds       credentials
	connectedAt time.Time
	lastCmd     time.Time
	// lastUsed is read by the reaper without sem; guarded by pool.mu.
	lastUsed time.Time
}

// pool holds the BMC sessions of the driver: one per BMC, serialized,
// closed when idle, replaced before go-ipmi's keep-alive would run, and
// all closed by Close.
type pool struct {
	cfg  Config
	log  zerolog.Logger
	dial dialer

	mu     sync.Mutex
	bmcs   map[string]*bmc
	closed bool

	stop context.CancelFunc
	wg   sync.WaitGroup
}

func newPool(cfg Config, dial dialer, log zerolog.Logger) *pool {
	ctx, cancel := context.WithCancel(context.Background())
	p := &pool{cfg: cfg, log: log, dial: dial, bmcs: map[string]*bmc{}, stop: cancel}
	p.wg.Go(func() { p.reap(ctx) })
	return p
}

// get returns the BMC for endpoint, creating it.
func (p *pool) get(endpoint string) (*bmc, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return nil, ErrClosed
	}
	b, ok := p.bmcs[endpoint]
	if !ok {
		b = &bmc{endpoint: endpoint, sem: make(chan struct{}, 1)}
		b.sem <- struct{}{}
		p.bmcs[endpoint] = b
	}
	return b, nil
}

// acquire takes the BMC's token, or fails when ctx ends.
func (b *bmc) acquire(ctx context.Context) error {
	select {
	case <-b.sem:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (b *bmc) release() { b.sem <- struct{}{} }

// closeClient ends the session. With graceful false it only releases the
// socket (no Close Session request is sent): for sessions that failed or
// never opened.
func (p *pool) closeClient(b *bmc, graceful bool) {
	if b.client == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), p.cfg.PacketTimeout)
	if !graceful {
		cancel()
	}
	if err := b.client.Close(ctx); err != nil && graceful {
		p.log.Debug().Str("bmc", b.endpoint).Err(err).Msg("closing the IPMI session failed")
	}
	cancel()
	b.client = nil
}

// tries is Ironic's num_tries: command_retry_timeout over
// min_command_interval, at least 1.
func (p *pool) tries() int {
	step := p.cfg.MinCommandInterval
	if step <= 0 {
		step = p.cfg.PacketTimeout
	}
	return max(int(p.cfg.CommandRetryTimeout/step), 1)
}

// do runs o on the BMC the credentials name, as Ironic's _exec_ipmitool:
// it waits for the BMC (one operation at a time) and for
// min_command_interval since its last operation, then (re)opens the
// session if needed and runs o; retryable failures are retried until
// command_retry_timeout. node is for logs.
func (p *pool) do(ctx context.Context, node string, cr credentials, o op) ([]byte, error) {
	endpoint := net.JoinHostPort(cr.host, strconv.Itoa(cr.port))
	b, err := p.get(endpoint)
	if err != nil {
		return nil, err
	}
	if err := b.acquire(ctx); err != nil {
		return nil, err
	}
	defer func() {
		p.mu.Lock()
		b.lastUsed = time.Now()
		p.mu.Unlock()
		b.release()
	}()
	if p.isClosed() {
		return nil, ErrClosed
	}
	log := p.log.With().Str("node", node).Str("bmc", endpoint).Str("cmd", o.name).Logger()
	end := time.Now().Add(p.cfg.CommandRetryTimeout)
	tries := p.tries()
	for attempt := 1; ; attempt++ {
		if err := sleep(ctx, time.Until(b.lastCmd.Add(p.cfg.MinCommandInterval))); err != nil {
			return nil, err
		}
		out, retry, err := p.attempt(ctx, b, cr, o, log)
		b.lastCmd = time.Now()
		if err == nil {
			return out, nil
		}
		if ctx.Err() != nil {
			return nil, errors.Join(err, ctx.Err())
		}
		if !retry || attempt >= tries || time.Now().After(end) {
			log.Error().Err(err).Int("attempt", attempt).Msg("IPMI error")
			return nil, err
		}
		log.Warn().Err(err).Int("attempt", attempt).Msg("IPMI error encountered, retrying")
	}
}

func (p *pool) isClosed() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.closed
}

// attempt runs o once; retry tells whether the failure may be retried.
func (p *pool) attempt(ctx context.Context, b *bmc, cr credentials, o op, log zerolog.Logger) ([]byte, bool, error) {
	if b.client != nil && (!b.creds.equal(cr) || time.Since(b.connectedAt) > p.cfg.SessionMaxAge) {
		p.closeClient(b, true)
	}
	if b.client == nil {
		start := time.Now()
		c, err := p.dial(cr, p.cfg)
		if err != nil {
			return nil, false, fmt.Errorf("ipmi client for %s: %w", cr, err)
		}
		if err := c.Connect(ctx); err != nil {
			b.client = c
			p.closeClient(b, false)
			err = fmt.Errorf("open IPMI session with %s: %w", cr, err)
			return nil, p.retryable(err, true), err
		}
		b.client, b.creds, b.connectedAt = c, cr, time.Now()
		if p.cfg.Debug {
			log.Debug().Dur("took", time.Since(start)).Msg("IPMI session opened")
		}
	}
	start := time.Now()
	out, err := o.run(ctx, b.client)
	if p.cfg.Debug {
		log.Debug().Dur("took", time.Since(start)).Err(err).Msg("IPMI operation")
	}
	if o.dropSession {
		p.closeClient(b, err == nil)
	}
	if err == nil {
		return out, false, nil
	}
	err = fmt.Errorf("%s on %s: %w", o.name, cr, err)
	if _, isCC := completionCode(err); !isCC {
		// A lost reply or a broken session: start afresh next time.
		p.closeClient(b, false)
	}
	return nil, p.retryable(err, o.idempotent), err
}

// retryable tells whether a failed attempt may be repeated. A session
// that did not open (safe is true: nothing ran) and an idempotent
// operation retry on Ironic's retryable failures and the configured
// extra ones; a non-idempotent one only when the BMC refused to run it.
func (p *pool) retryable(err error, safe bool) bool {
	if cc, ok := completionCode(err); ok && !safe {
		return cc == 0xc0 || cc == 0xd2 // node busy, BMC initializing: not run
	}
	if !safe {
		return false
	}
	text := errorText(err)
	for _, s := range retryableFailures {
		if strings.Contains(text, s) {
			return true
		}
	}
	for _, s := range p.cfg.AdditionalRetryableErrors {
		if s != "" && strings.Contains(text, s) {
			return true
		}
	}
	return false
}

// reap closes sessions idle for SessionIdleTimeout and forgets BMCs
// unused for long.
func (p *pool) reap(ctx context.Context) {
	every := min(p.cfg.SessionIdleTimeout/2, time.Second)
	t := time.NewTicker(max(every, 10*time.Millisecond))
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		p.mu.Lock()
		var idle []*bmc
		for ep, b := range p.bmcs {
			since := time.Since(b.lastUsed)
			if since > p.cfg.SessionIdleTimeout {
				idle = append(idle, b)
			}
			if since > 10*p.cfg.SessionIdleTimeout && since > p.cfg.MinCommandInterval {
				select {
				case <-b.sem:
					if b.client == nil {
						delete(p.bmcs, ep)
					}
					b.release()
				default:
				}
			}
		}
		p.mu.Unlock()
		for _, b := range idle {
			select {
			case <-b.sem:
				if b.client != nil {
					p.log.Debug().Str("bmc", b.endpoint).Msg("closing idle IPMI session")
					p.closeClient(b, true)
				}
				b.release()
			default: // in use: not idle any more
			}
		}
	}
}

// sessions returns how many sessions are open (tests).
func (p *pool) sessions() int {
	p.mu.Lock()
	bs := make([]*bmc, 0, len(p.bmcs))
	for _, b := range p.bmcs {
		bs = append(bs, b)
	}
	p.mu.Unlock()
	n := 0
	for _, b := range bs {
		<-b.sem
		if b.client != nil {
			n++
		}
		b.release()
	}
	return n
}

// close stops the reaper and closes every session, waiting for the
// operations in progress to end.
func (p *pool) close() {
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return
	}
	p.closed = true
	bs := make([]*bmc, 0, len(p.bmcs))
	for _, b := range p.bmcs {
		bs = append(bs, b)
	}
	p.mu.Unlock()
	p.stop()
	p.wg.Wait()
	var wg sync.WaitGroup
	for _, b := range bs {
		wg.Go(func() {
			<-b.sem
			p.closeClient(b, true)
			b.release()
		})
	}
	wg.Wait()
}
