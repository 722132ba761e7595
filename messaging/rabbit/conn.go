package rabbit

import (
	"context"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"fmt"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/ironic-go/ironic-go/messaging"
	amqp "github.com/rabbitmq/amqp091-go"
)

// ErrConnect matches the failure to reach any broker of the transport URL.
// Sends that run out of retries match both it and
// messaging.ErrDeliveryFailure.
var ErrConnect = errors.New("rabbit: unable to connect to AMQP server")

const (
	defaultPort    = 5672
	defaultTLSPort = 5671
	frameMax       = 131072
	closeTimeout   = 5 * time.Second
	productName    = "ironic-go"
)

// endpoint is one broker of the URL, ready to dial.
type endpoint struct {
	addr     string // host:port, for logs and errors
	hostname string
	user     string
	password messaging.Secret
}

// amqpConn is an AMQP connection and the socket under it, so that a stuck
// connection can be aborted.
type amqpConn struct {
	*amqp.Connection
	raw    net.Conn
	addr   string
	name   string // connection_name
	closed chan *amqp.Error
}

// abort closes the socket: every pending amqp091 call returns.
func (c *amqpConn) abort() { _ = c.raw.Close() }

// shut closes the connection gracefully, or aborts it after closeTimeout.
func (c *amqpConn) shut() {
	if err := c.CloseDeadline(time.Now().Add(closeTimeout)); err != nil {
		c.abort()
	}
}

// uuid4 returns a random RFC 4122 version 4 UUID.
func uuid4() [16]byte {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return b
}

// uuidHex is Python's uuid.uuid4().hex.
func uuidHex() string {
	b := uuid4()
	return hex.EncodeToString(b[:])
}

// uuidString is Python's str(uuid.uuid4()).
func uuidString() string {
	h := uuidHex()
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

// connectionPrefix is the first field of connection_name.
func connectionPrefix(cfg *Config) string {
	if cfg.ConnectionName != "" {
		return cfg.ConnectionName
	}
	if len(os.Args) > 0 {
		return filepath.Base(os.Args[0])
	}
	return productName
}

// shuffle returns the endpoints in random order, as oslo shuffles the URL's
// hosts before round-robin failover.
func shuffle(eps []endpoint) []endpoint {
	out := append([]endpoint(nil), eps...)
	for i := len(out) - 1; i > 0; i-- {
		j, err := rand.Int(rand.Reader, big.NewInt(int64(i+1)))
		if err != nil {
			continue
		}
		k := int(j.Int64())
		out[i], out[k] = out[k], out[i]
	}
	return out
}

// endpoints turns the URL's hosts into dial targets; a URL without hosts
// means guest:guest@localhost, as oslo.
func endpoints(u *messaging.URL) []endpoint {
	port := defaultPort
	if u.Scheme == "amqps" {
		port = defaultTLSPort
	}
	if len(u.Hosts) == 0 {
		return []endpoint{{addr: net.JoinHostPort("localhost", strconv.Itoa(port)), hostname: "localhost",
			user: "guest", password: "guest"}}
	}
	eps := make([]endpoint, 0, len(u.Hosts))
	for _, h := range u.Hosts {
		name := h.Hostname
		if name == "" {
			name = "localhost"
		}
		p := h.Port
		if p == 0 {
			p = port
		}
		eps = append(eps, endpoint{addr: net.JoinHostPort(name, strconv.Itoa(p)), hostname: name,
			user: h.Username, password: h.Password})
	}
	return eps
}

// buildTLS returns the TLS configuration for cfg, or nil for plain TCP.
func buildTLS(cfg *Config, on bool) (*tls.Config, error) {
	if !on {
		return nil, nil
	}
	if cfg.TLSConfig != nil {
		return cfg.TLSConfig.Clone(), nil
	}
	tc := &tls.Config{MinVersion: tls.VersionTLS12}
	if cfg.SSLCertFile != "" {
		cert, err := tls.LoadX509KeyPair(cfg.SSLCertFile, cfg.SSLKeyFile)
		if err != nil {
			return nil, fmt.Errorf("%w: ssl_cert_file/ssl_key_file: %w", ErrConfig, err)
		}
		tc.Certificates = []tls.Certificate{cert}
	}
	if cfg.SSLCAFile == "" {
		// oslo passes no ca_certs, so Python's ssl does not verify.
		tc.InsecureSkipVerify = true //nolint:gosec // mirrors oslo's ssl without ssl_ca_file
		return tc, nil
	}
	pem, err := os.ReadFile(cfg.SSLCAFile)
	if err != nil {
		return nil, fmt.Errorf("%w: ssl_ca_file: %w", ErrConfig, err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		return nil, fmt.Errorf("%w: ssl_ca_file %s holds no PEM certificate", ErrConfig, cfg.SSLCAFile)
	}
	tc.RootCAs = pool
	if !cfg.SSLEnforceHostnameVerification {
		// Verify the chain but not the host name, as oslo's default.
		tc.InsecureSkipVerify = true //nolint:gosec // the chain is verified below
		tc.VerifyPeerCertificate = func(raw [][]byte, _ [][]*x509.Certificate) error {
			if len(raw) == 0 {
				return errors.New("rabbit: broker sent no certificate")
			}
			certs := make([]*x509.Certificate, len(raw))
			for i, r := range raw {
				c, err := x509.ParseCertificate(r)
				if err != nil {
					return err
				}
				certs[i] = c
			}
			inter := x509.NewCertPool()
			for _, c := range certs[1:] {
				inter.AddCert(c)
			}
			_, err := certs[0].Verify(x509.VerifyOptions{Roots: pool, Intermediates: inter})
			return err
		}
	}
	return tc, nil
}

// dialer opens AMQP connections to the URL's brokers in round-robin order.
type dialer struct {
	cfg      *Config
	eps      []endpoint
	tls      *tls.Config
	prefix   string
	secrets  []string
	vhost    string
	mu       sync.Mutex
	next     int
	lastAddr string
}

// redact replaces every password of the URL in err's message.
func (d *dialer) redact(err error) error {
	if err == nil {
		return nil
	}
	msg := err.Error()
	changed := false
	for _, s := range d.secrets {
		if s != "" && strings.Contains(msg, s) {
			msg = strings.ReplaceAll(msg, s, "***")
			changed = true
		}
	}
	if !changed {
		return err
	}
	return &redactedError{msg: msg, err: err}
}

// redactedError is an error whose message had a password masked.
type redactedError struct {
	msg string
	err error
}

func (e *redactedError) Error() string { return e.msg }
func (e *redactedError) Unwrap() error { return e.err }

// pick returns the next endpoint in round-robin order.
func (d *dialer) pick() endpoint {
	d.mu.Lock()
	defer d.mu.Unlock()
	ep := d.eps[d.next%len(d.eps)]
	d.next = (d.next + 1) % len(d.eps)
	d.lastAddr = ep.addr
	return ep
}

// last returns the address of the broker tried last.
func (d *dialer) last() string {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.lastAddr == "" {
		return d.eps[0].addr
	}
	return d.lastAddr
}

// dialRound tries every broker once, in round-robin order, and returns the
// first connection made. The error names every broker tried.
func (d *dialer) dialRound(ctx context.Context) (*amqpConn, error) {
	var errs []error
	for range d.eps {
		if err := ctx.Err(); err != nil {
			errs = append(errs, err)
			break
		}
		ep := d.pick()
		c, err := d.dialOne(ctx, ep)
		if err == nil {
			return c, nil
		}
		errs = append(errs, fmt.Errorf("%s: %w", ep.addr, err))
	}
	return nil, d.redact(fmt.Errorf("%w: %w", ErrConnect, errors.Join(errs...)))
}

// dialOne opens one connection to ep: TCP (and TLS), the AMQP handshake,
// heartbeat and client properties. It honours ctx and ConnectTimeout.
func (d *dialer) dialOne(ctx context.Context, ep endpoint) (*amqpConn, error) {
	timeout := d.cfg.ConnectTimeout
	if timeout <= 0 {
		timeout = 10 * time.Second
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	var nd net.Dialer
	raw, err := nd.DialContext(ctx, "tcp", ep.addr)
	if err != nil {
		return nil, err
	}
	deadline, _ := ctx.Deadline()
	_ = raw.SetDeadline(deadline)
	stop := context.AfterFunc(ctx, func() { _ = raw.Close() })
	defer stop()
	if d.tls != nil {
		tc := d.tls.Clone()
		if tc.ServerName == "" {
			tc.ServerName = ep.hostname
		}
		tlsConn := tls.Client(raw, tc)
		if err := tlsConn.HandshakeContext(ctx); err != nil {
			_ = raw.Close()
			return nil, fmt.Errorf("TLS handshake: %w", err)
		}
		raw = tlsConn
	}
	var auth amqp.Authentication
	if strings.EqualFold(d.cfg.LoginMethod, "PLAIN") {
		auth = &amqp.PlainAuth{Username: ep.user, Password: ep.password.Reveal()}
	} else {
		auth = &amqp.AMQPlainAuth{Username: ep.user, Password: ep.password.Reveal()}
	}
	name := d.prefix + ":" + strconv.Itoa(os.Getpid()) + ":" + uuidString()
	bc := newBatchConn(raw)
	conn, err := amqp.Open(bc, amqp.Config{
		SASL:      []amqp.Authentication{auth},
		Vhost:     d.vhost,
		Heartbeat: d.cfg.HeartbeatTimeoutThreshold,
		FrameSize: frameMax,
		Locale:    "en_US",
		Properties: amqp.Table{
			"product":         productName,
			"platform":        "Go",
			"connection_name": name,
		},
	})
	if err != nil {
		_ = bc.Close()
		if ctx.Err() != nil {
			return nil, fmt.Errorf("AMQP handshake: %w", ctx.Err())
		}
		return nil, fmt.Errorf("AMQP handshake: %w", err)
	}
	if !stop() {
		// ctx ended just as the handshake completed: the socket is closed.
		_ = conn.Close()
		return nil, fmt.Errorf("AMQP handshake: %w", context.Cause(ctx))
	}
	_ = raw.SetDeadline(time.Time{})
	c := &amqpConn{Connection: conn, raw: bc, addr: ep.addr, name: name}
	c.closed = conn.NotifyClose(make(chan *amqp.Error, 1))
	return c, nil
}

// backoff returns the sleep before reconnect attempt n (1 = the first
// retry): kombu_reconnect_delay, plus from the second retry on an interval
// starting at rabbit_retry_interval, growing by rabbit_retry_backoff and
// capped at rabbit_interval_max, plus up to 10% jitter.
func backoff(cfg *Config, n int) time.Duration {
	d := cfg.ReconnectDelay
	if n >= 2 {
		start := cfg.RetryInterval
		if start <= 0 {
			start = time.Second // oslo: interval_start or 1
		}
		iv := start + time.Duration(n-2)*cfg.RetryBackoff
		if cfg.IntervalMax > 0 && iv > cfg.IntervalMax {
			iv = cfg.IntervalMax
		}
		d += iv
	}
	if d <= 0 {
		return 0
	}
	if j, err := rand.Int(rand.Reader, big.NewInt(int64(d/10)+1)); err == nil {
		d += time.Duration(j.Int64())
	}
	return d
}

// sleep waits d, returning false if ctx or stop ends first.
func sleep(ctx context.Context, stop <-chan struct{}, d time.Duration) bool {
	if d <= 0 {
		select {
		case <-ctx.Done():
			return false
		case <-stop:
			return false
		default:
			return true
		}
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	case <-stop:
		return false
	}
}
