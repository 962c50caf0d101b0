package main

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
	"io"
	"math/big"
	"net"
	"net/http"
	"net/http/cookiejar"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"jingge/api/apitest"
)

// writeCert makes a self-signed certificate for jingge.test and 127.0.0.1
// with common name cn and writes it and its key as PEM files.
func writeCert(t *testing.T, dir, cn string) (certFile, keyFile string, cert *x509.Certificate) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	serial, _ := rand.Int(rand.Reader, big.NewInt(1<<62))
	tmpl := &x509.Certificate{
		SerialNumber: serial, Subject: pkix.Name{CommonName: cn},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		DNSNames: []string{"jingge.test"}, IPAddresses: []net.IP{net.ParseIP("127.0.0.1")},
		KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true, IsCA: true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, _ = x509.ParseCertificate(der)
	kder, _ := x509.MarshalECPrivateKey(key)
	certFile, keyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	// Written beside and renamed, as a renewal tool would, so a handshake
	// never reads half a file.
	for _, f := range []struct {
		name, typ string
		der       []byte
	}{{certFile, "CERTIFICATE", der}, {keyFile, "EC PRIVATE KEY", kder}} {
		tmp := f.name + ".tmp"
		if err := os.WriteFile(tmp, pem.EncodeToMemory(&pem.Block{Type: f.typ, Bytes: f.der}), 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.Rename(tmp, f.name); err != nil {
			t.Fatal(err)
		}
	}
	return certFile, keyFile, cert
}

func freePort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// TestServeTLS serves the demo over HTTPS: HTTP/2, the session cookie
// marked Secure, plain HTTP redirected, and a renewed certificate served
// without a restart.
func TestServeTLS(t *testing.T) {
	old := certCheckEvery
	certCheckEvery = 0
	t.Cleanup(func() { certCheckEvery = old })
	dir := t.TempDir()
	certFile, keyFile, first := writeCert(t, dir, "first")
	redirect := freePort(t)
	st := memStore(t, apitest.Small())
	ctx, cancel := context.WithCancel(context.Background())
	var stdout, logs syncBuffer
	done := make(chan error, 1)
	go func() {
		done <- serveCommand(ctx, []string{"--addr", "127.0.0.1:0", "--log-format", "json", "--tls-cert", certFile, "--tls-key", keyFile, "--http-redirect", redirect}, &stdout, &logs, opener(st))
	}()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("serve: %v", err)
		}
	}()
	urlRE := regexp.MustCompile(`serving on (https://\S+)`)
	linkRE := regexp.MustCompile(`(https://\S+/api/v1/login/link\?token=jgl_\S+)`)
	var base, link string
	for deadline := time.Now().Add(30 * time.Second); base == "" && time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		if m := urlRE.FindStringSubmatch(stdout.String()); m != nil {
			base = m[1]
			if l := linkRE.FindStringSubmatch(stdout.String()); l != nil {
				link = l[1]
			}
		}
	}
	if base == "" || link == "" {
		t.Fatalf("no https URL and login link printed: %q\n%s", stdout.String(), logs.String())
	}
	trust := func(c *x509.Certificate) *http.Client {
		pool := x509.NewCertPool()
		pool.AddCert(c)
		jar, _ := cookiejar.New(nil)
		return &http.Client{Jar: jar, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}, ForceAttemptHTTP2: true},
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	}
	c := trust(first)
	resp, err := c.Get(link)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.Proto != "HTTP/2.0" {
		t.Errorf("protocol %s, want HTTP/2.0", resp.Proto)
	}
	secure := false
	for _, ck := range resp.Cookies() {
		secure = secure || ck.Secure
	}
	if len(resp.Cookies()) == 0 || !secure {
		t.Errorf("sign-in cookies %v: want the session cookie marked Secure", resp.Cookies())
	}
	if code := getStatus(t, c, base+"/api/v1/stations"); code != http.StatusOK {
		t.Errorf("signed-in read over HTTPS: %d", code)
	}
	// Plain HTTP on the redirect address goes to the same path over HTTPS.
	_, port, _ := net.SplitHostPort(strings.TrimPrefix(base, "https://"))
	plain := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err = plain.Get("http://" + redirect + "/m?x=1")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if want := "https://127.0.0.1:" + port + "/m?x=1"; resp.StatusCode != http.StatusPermanentRedirect || resp.Header.Get("Location") != want {
		t.Errorf("redirect: %d to %q, want 308 to %q", resp.StatusCode, resp.Header.Get("Location"), want)
	}
	// A renewed certificate is served by the next handshake.
	_, _, second := writeCert(t, dir, "second")
	var got string
	for deadline := time.Now().Add(30 * time.Second); got != "second" && time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		conn, err := tls.Dial("tcp", strings.TrimPrefix(base, "https://"), &tls.Config{InsecureSkipVerify: true}) // only to read what is served
		if err != nil {
			continue
		}
		got = conn.ConnectionState().PeerCertificates[0].Subject.CommonName
		conn.Close()
	}
	if got != "second" {
		t.Errorf("after renewal the server still presents %q", got)
	}
	if code := getStatus(t, trust(second), base+"/healthz"); code != http.StatusOK {
		t.Errorf("healthz with the renewed certificate: %d", code)
	}
}

func getStatus(t *testing.T, c *http.Client, url string) int {
	t.Helper()
	resp, err := c.Get(url)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode
}

func TestTLSFlagsChecked(t *testing.T) {
	dir := t.TempDir()
	certFile, keyFile, _ := writeCert(t, dir, "x")
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--tls-cert", certFile}, "together"},
		{[]string{"--tls-key", keyFile}, "together"},
		{[]string{"--http-redirect", ":0"}, "needs --tls-cert"},
		{[]string{"--tls-cert", certFile, "--tls-key", certFile}, "TLS certificate"},
		{[]string{"--tls-cert", filepath.Join(dir, "missing.pem"), "--tls-key", keyFile}, "missing.pem"},
	} {
		_, err := parseServeFlags(c.args, io.Discard)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%v: err %v, want one saying %q", c.args, err, c.want)
		}
		if strings.Contains(c.want, "together") && !errors.Is(err, errUsage) {
			t.Errorf("%v: %v is not a usage error", c.args, err)
		}
	}
}
