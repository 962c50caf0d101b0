package main

import (
	"bufio"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/http/cookiejar"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"jingge/data/storetest"
)

// nginxBinary finds Debian's nginx, which lives in /usr/sbin (not on every
// user's PATH). Without it the test skips, except in CI, which installs it.
func nginxBinary(t *testing.T) string {
	t.Helper()
	if p, err := exec.LookPath("nginx"); err == nil {
		return p
	}
	if _, err := os.Stat("/usr/sbin/nginx"); err == nil {
		return "/usr/sbin/nginx"
	}
	if os.Getenv("CI") != "" {
		t.Fatal("nginx not found; CI installs it (scripts/ci/install-deps.sh --nginx)")
	}
	t.Skip("nginx not installed (apt-get install nginx, or scripts/ci/install-deps.sh --nginx)")
	return ""
}

// deploymentNginx is the nginx configuration docs/deployment.md gives,
// with the addresses and certificate paths changed for this machine; each
// change must apply exactly once, so the test fails when the document's
// configuration drifts from what it checks.
func deploymentNginx(t *testing.T, upstream, plain, secure, cert, key string) string {
	t.Helper()
	doc, err := os.ReadFile("../../docs/deployment.md")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile("(?s)```nginx\n(.*?)```").FindSubmatch(doc)
	if m == nil {
		t.Fatal("docs/deployment.md has no ```nginx block")
	}
	conf := string(m[1])
	for _, r := range [][2]string{
		{"server 127.0.0.1:8080;", "server " + upstream + ";"},
		{"listen 80;", "listen " + plain + ";"},
		{"listen 443 ssl http2;", "listen " + secure + " ssl http2;"},
		{"/etc/jingge/tls/fullchain.pem;", cert + ";"},
		{"/etc/jingge/tls/privkey.pem;", key + ";"},
	} {
		if n := strings.Count(conf, r[0]); n != 1 {
			t.Fatalf("docs/deployment.md's nginx block holds %q %d times; the test expects it once", r[0], n)
		}
		conf = strings.Replace(conf, r[0], r[1], 1)
	}
	return conf
}

// startNginx runs nginx in the foreground with the site configuration
// inside a minimal main one whose files all live in dir.
func startNginx(t *testing.T, dir, site string) {
	t.Helper()
	bin := nginxBinary(t)
	for _, sub := range []string{"body", "proxy", "fastcgi", "uwsgi", "scgi"} {
		if err := os.MkdirAll(filepath.Join(dir, sub), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	user := ""
	if os.Geteuid() == 0 {
		user = "user root;" // the workers read the test's files
	}
	main := fmt.Sprintf(`%s
worker_processes 1;
pid %[2]s/nginx.pid;
error_log %[2]s/error.log info;
events { worker_connections 256; }
http {
    access_log %[2]s/access.log;
    client_body_temp_path %[2]s/body;
    proxy_temp_path %[2]s/proxy;
    fastcgi_temp_path %[2]s/fastcgi;
    uwsgi_temp_path %[2]s/uwsgi;
    scgi_temp_path %[2]s/scgi;
    include %[2]s/jingge.conf;
}
`, user, dir)
	if err := os.WriteFile(filepath.Join(dir, "jingge.conf"), []byte(site), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "nginx.conf"), []byte(main), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "-e", filepath.Join(dir, "error.log"), "-p", dir, "-c", filepath.Join(dir, "nginx.conf"), "-g", "daemon off;")
	var out syncBuffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan struct{})
	go func() { cmd.Wait(); close(exited) }()
	t.Cleanup(func() {
		cmd.Process.Signal(os.Interrupt)
		select {
		case <-exited:
		case <-time.After(10 * time.Second):
			cmd.Process.Kill()
			<-exited
		}
		if t.Failed() {
			log, _ := os.ReadFile(filepath.Join(dir, "error.log"))
			t.Logf("nginx output: %s\nerror.log:\n%s", out.String(), log)
		}
	})
}

// TestNginxInFront runs the documented nginx configuration in front of
// jingge (--trust-proxy): HTTPS with HTTP/2, plain HTTP redirected, the
// session cookie Secure, the audit log naming the client nginx saw (not an
// address the client made up), and the event stream live through the proxy.
func TestNginxInFront(t *testing.T) {
	nginxBinary(t)
	dir := t.TempDir()
	certFile, keyFile, cert := writeCert(t, dir, "nginx")
	ds := storetest.Small()
	st := memStore(t, ds)
	ctx, cancel := context.WithCancel(context.Background())
	var stdout, logs syncBuffer
	done := make(chan error, 1)
	go func() {
		done <- serveCommand(ctx, []string{"--addr", "127.0.0.1:0", "--log-format", "json", "--trust-proxy"}, &stdout, &logs, opener(st))
	}()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("serve: %v", err)
		}
	}()
	urlRE := regexp.MustCompile(`serving on http://(\S+)`)
	linkRE := regexp.MustCompile(`http://\S+(/api/v1/login/link\?token=jgl_\S+)`)
	var upstream, link string
	for deadline := time.Now().Add(30 * time.Second); link == "" && time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		if m, l := urlRE.FindStringSubmatch(stdout.String()), linkRE.FindStringSubmatch(stdout.String()); m != nil && l != nil {
			upstream, link = m[1], l[1]
		}
	}
	if link == "" {
		t.Fatalf("no URL and login link printed: %q\n%s", stdout.String(), logs.String())
	}

	plain, secure := freePort(t), freePort(t)
	startNginx(t, filepath.Join(dir, "nginx"), deploymentNginx(t, upstream, plain, secure, certFile, keyFile))

	// The client reaches jingge.test at nginx's addresses and trusts the
	// test's certificate, as a phone trusts the bureau's CA.
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	dialer := &net.Dialer{}
	transport := &http.Transport{
		TLSClientConfig:   &tls.Config{RootCAs: pool},
		ForceAttemptHTTP2: true,
		DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			if _, port, _ := net.SplitHostPort(addr); strings.HasPrefix(addr, "jingge.test:") {
				addr = "127.0.0.1:" + port
			}
			return dialer.DialContext(ctx, network, addr)
		},
	}
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, Transport: transport, Timeout: time.Minute,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	_, securePort, _ := net.SplitHostPort(secure)
	_, plainPort, _ := net.SplitHostPort(plain)
	base := "https://jingge.test:" + securePort
	var resp *http.Response
	var err error
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if resp, err = c.Get(base + "/healthz"); err == nil {
			break
		}
	}
	if err != nil {
		t.Fatalf("nginx did not answer within 30 s: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || resp.Proto != "HTTP/2.0" {
		t.Errorf("healthz through nginx: %d over %s, want 200 over HTTP/2.0", resp.StatusCode, resp.Proto)
	}

	// Plain HTTP is sent to HTTPS.
	resp, err = c.Get("http://jingge.test:" + plainPort + "/m?x=1")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if loc := resp.Header.Get("Location"); resp.StatusCode != http.StatusMovedPermanently || loc != "https://jingge.test/m?x=1" {
		t.Errorf("plain HTTP: %d to %q, want 301 to https://jingge.test/m?x=1", resp.StatusCode, loc)
	}

	// Signing in through the proxy sets the Secure __Host- session cookie:
	// jingge believed nginx's X-Forwarded-Proto.
	resp, err = c.Get(base + link)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	var session *http.Cookie
	for _, ck := range resp.Cookies() {
		if ck.Name == "__Host-jingge_session" {
			session = ck
		}
	}
	if resp.StatusCode != http.StatusSeeOther || session == nil || !session.Secure {
		t.Fatalf("sign-in through nginx: %d, cookies %v; want 303 and a Secure __Host-jingge_session", resp.StatusCode, resp.Cookies())
	}

	// A client that makes up an X-Forwarded-For address is audited with
	// the address nginx saw.
	req, _ := http.NewRequest(http.MethodGet, base+"/api/v1/patrols", nil)
	req.Header.Set("X-Forwarded-For", "203.0.113.9")
	if resp, err = c.Do(req); err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("patrols through nginx: %d", resp.StatusCode)
	}
	var audit struct {
		Entries []struct{ Action, Remote string }
	}
	resp, err = c.Get(base + "/api/v1/audit?action=listPatrols&limit=1")
	if err != nil {
		t.Fatal(err)
	}
	err = json.NewDecoder(resp.Body).Decode(&audit)
	resp.Body.Close()
	if err != nil || len(audit.Entries) != 1 || audit.Entries[0].Remote != "127.0.0.1" {
		t.Errorf("audit of the patrols read: %+v (%v); want one entry from 127.0.0.1, the client nginx saw", audit.Entries, err)
	}

	// The event stream is live through the proxy: an event raised after
	// the stream opened arrives while it is open.
	req, _ = http.NewRequest(http.MethodGet, base+"/api/v1/events", nil)
	req.Header.Set("Accept", "text/event-stream")
	stream, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer stream.Body.Close()
	if stream.StatusCode != http.StatusOK {
		t.Fatalf("event stream through nginx: %d", stream.StatusCode)
	}
	lines := make(chan string, 64)
	go func() {
		sc := bufio.NewScanner(stream.Body)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	}()
	at := smallGrid(ds, "C0-0").Geometry.Bound().Center()
	ping := fmt.Sprintf(`{"pings":[{"officer":"m-P0-0","at":%q,"lon":%v,"lat":%v}]}`, time.Now().Add(-time.Minute).UTC().Format(time.RFC3339), at[0], at[1])
	req, _ = http.NewRequest(http.MethodPost, base+"/api/v1/patrols/pings", strings.NewReader(ping))
	req.Header.Set("Content-Type", "application/json")
	if resp, err = c.Do(req); err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("ping through nginx: %d", resp.StatusCode)
	}
	deadline := time.After(60 * time.Second)
	for {
		select {
		case line, ok := <-lines:
			if !ok {
				t.Fatal("the event stream ended before the ping's event arrived")
			}
			if strings.HasPrefix(line, "data: ") && strings.Contains(line, `"m-P0-0"`) {
				return
			}
		case <-deadline:
			t.Fatal("the ping's event did not arrive on the stream through nginx within 60 s")
		}
	}
}
