package rabbit

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ironic-go/ironic-go/messaging"
)

// testCA makes a CA and a server certificate for "broker.test" signed by
// it, and writes the CA to dir.
func testCA(t *testing.T, dir string) (caFile string, server tls.Certificate) {
	t.Helper()
	caKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	caTmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "test CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	ca, _ := x509.ParseCertificate(caDER)
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: "broker.test"},
		DNSNames: []string{"broker.test"}, NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}, KeyUsage: x509.KeyUsageDigitalSignature}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca, &key.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	caFile = filepath.Join(dir, "ca.pem")
	if err := os.WriteFile(caFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: caDER}), 0o600); err != nil {
		t.Fatal(err)
	}
	return caFile, tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}
}

// tlsServer accepts TLS connections, completes the handshake and hangs up
// (it speaks no AMQP). It reports each handshake's outcome.
func tlsServer(t *testing.T, cert tls.Certificate) (addr string, handshakes <-chan error) {
	t.Helper()
	ln, err := tls.Listen("tcp", "127.0.0.1:0", &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12})
	if err != nil {
		t.Fatal(err)
	}
	out := make(chan error, 16)
	var wg sync.WaitGroup
	wg.Go(func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			err = c.(*tls.Conn).HandshakeContext(context.Background())
			_ = c.Close()
			out <- err
		}
	})
	t.Cleanup(func() { _ = ln.Close(); wg.Wait() })
	return ln.Addr().String(), out
}

// TestTLS checks the ssl options: amqps and ssl=true use TLS; with
// ssl_ca_file the chain is verified (a wrong CA fails) but, as in oslo, not
// the host name unless ssl_enforce_hostname_verification.
func TestTLS(t *testing.T) {
	dir := t.TempDir()
	caFile, cert := testCA(t, dir)
	otherCA, _ := testCA(t, t.TempDir())
	addr, handshakes := tlsServer(t, cert)
	_, port, _ := net.SplitHostPort(addr)

	dial := func(url string, mod func(*Config)) error {
		t.Helper()
		u, err := messaging.ParseURL(url)
		if err != nil {
			t.Fatal(err)
		}
		cfg := DefaultConfig()
		cfg.ConnectTimeout = 5 * time.Second
		if mod != nil {
			mod(&cfg)
		}
		tr, err := New(u, cfg)
		if err != nil {
			return err
		}
		defer tr.Close()
		_, err = tr.dialer.dialRound(context.Background())
		return err
	}
	tests := map[string]struct {
		url       string
		mod       func(*Config)
		handshake bool // the server completes a TLS handshake
		clientErr string
	}{
		"amqps, no CA: not verified, as oslo": {url: "amqps://u:p@127.0.0.1:" + port + "/", handshake: true, clientErr: "AMQP handshake"},
		"ssl=true in the URL":                 {url: "rabbit://u:p@127.0.0.1:" + port + "/?ssl=true", handshake: true, clientErr: "AMQP handshake"},
		"CA file, host name not checked": {url: "amqps://u:p@127.0.0.1:" + port + "/",
			mod: func(c *Config) { c.SSLCAFile = caFile }, handshake: true, clientErr: "AMQP handshake"},
		"wrong CA": {url: "amqps://u:p@127.0.0.1:" + port + "/",
			mod: func(c *Config) { c.SSLCAFile = otherCA }, clientErr: "TLS handshake"},
		"host name enforced": {url: "amqps://u:p@127.0.0.1:" + port + "/",
			mod: func(c *Config) { c.SSLCAFile, c.SSLEnforceHostnameVerification = caFile, true }, clientErr: "TLS handshake"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			err := dial(tc.url, tc.mod)
			if err == nil || !strings.Contains(err.Error(), tc.clientErr) || !errors.Is(err, ErrConnect) {
				t.Errorf("dial: %v, want an error about the %s", err, tc.clientErr)
			}
			select {
			case herr := <-handshakes:
				if (herr == nil) != tc.handshake {
					t.Errorf("server handshake error %v, want success=%v", herr, tc.handshake)
				}
			case <-time.After(5 * time.Second):
				t.Error("the client never reached the TLS server")
			}
		})
	}
	if err := dial("amqps://u:p@h/", func(c *Config) { c.SSLCAFile = filepath.Join(dir, "missing.pem") }); !errors.Is(err, ErrConfig) {
		t.Errorf("missing CA file: %v", err)
	}
}
