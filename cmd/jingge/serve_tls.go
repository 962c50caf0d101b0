package main

import (
	"context"
	"crypto/tls"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"sync"
	"time"
)

// tlsOptions are the flags that make `jingge serve` speak HTTPS itself:
// phones share their position and install the officer page only over
// HTTPS (or from localhost), so a bureau without a reverse proxy needs it.
type tlsOptions struct {
	cert, key string // PEM files; both or neither
	// redirect, when set, is an address where plain HTTP is answered with a
	// permanent redirect to the HTTPS server.
	redirect string
	// reloader serves the certificate, re-read when its files change.
	reloader *certReloader
}

func addTLSFlags(fs *flag.FlagSet, o *tlsOptions) {
	fs.StringVar(&o.cert, "tls-cert", os.Getenv("JINGGE_TLS_CERT"), "serve HTTPS (HTTP/2) with the certificate chain in this PEM `file`, re-read when it changes; needs --tls-key (env JINGGE_TLS_CERT)")
	fs.StringVar(&o.key, "tls-key", os.Getenv("JINGGE_TLS_KEY"), "the private key of --tls-cert, a PEM `file` (env JINGGE_TLS_KEY)")
	fs.StringVar(&o.redirect, "http-redirect", os.Getenv("JINGGE_HTTP_REDIRECT"), "with --tls-cert: also listen on this `address` (e.g. :80) and redirect plain HTTP to HTTPS (env JINGGE_HTTP_REDIRECT)")
}

func (o *tlsOptions) on() bool { return o.cert != "" }

// check loads the certificate once, so a wrong file fails at start with a
// message that names it rather than at the first handshake.
func (o *tlsOptions) check() error {
	switch {
	case o.cert == "" && o.key == "":
		if o.redirect != "" {
			return fmt.Errorf("%w: --http-redirect needs --tls-cert and --tls-key (it sends clients to HTTPS)", errUsage)
		}
		return nil
	case o.cert == "" || o.key == "":
		return fmt.Errorf("%w: give --tls-cert and --tls-key together", errUsage)
	}
	r, err := newCertReloader(o.cert, o.key)
	if err != nil {
		return err
	}
	o.reloader = r
	return nil
}

// serve serves srv on ln, over TLS when configured: TLS 1.2 or newer with
// Go's default cipher suites, HTTP/2 offered by ALPN.
func (o *tlsOptions) serve(srv *http.Server, ln net.Listener) error {
	if !o.on() {
		return srv.Serve(ln)
	}
	srv.TLSConfig = &tls.Config{MinVersion: tls.VersionTLS12, GetCertificate: o.reloader.get}
	return srv.ServeTLS(ln, "", "")
}

// scheme is the scheme clients reach the server by.
func (o *tlsOptions) scheme() string {
	if o.on() {
		return "https"
	}
	return "http"
}

// startRedirect listens on o.redirect and answers every plain-HTTP request
// with 308 to the same path on the HTTPS server at httpsAddr's port. The
// returned function stops it.
func (o *tlsOptions) startRedirect(ctx context.Context, httpsAddr net.Addr, logger *slog.Logger) (stop func(), err error) {
	if o.redirect == "" {
		return func() {}, nil
	}
	ln, err := net.Listen("tcp", o.redirect)
	if err != nil {
		return nil, fmt.Errorf("listening on %s for the HTTPS redirect: %w", o.redirect, err)
	}
	_, port, _ := net.SplitHostPort(httpsAddr.String())
	srv := &http.Server{
		Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, httpsURL(r, port), http.StatusPermanentRedirect)
		}),
		ReadHeaderTimeout: readHeaderTimeout,
		ReadTimeout:       readTimeout,
		WriteTimeout:      writeTimeout,
		IdleTimeout:       idleTimeout,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
		BaseContext:       func(net.Listener) context.Context { return context.WithoutCancel(ctx) },
	}
	logger.Info("redirecting plain HTTP to HTTPS", "addr", ln.Addr().String())
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			logger.Error("the HTTPS redirect stopped", "err", err)
		}
	}()
	return func() {
		_ = srv.Close()
		<-done
	}, nil
}

// httpsURL is r's URL on the HTTPS port: the host the client asked for,
// without a port when it is 443.
func httpsURL(r *http.Request, port string) string {
	host := r.Host
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	if port != "443" {
		host = net.JoinHostPort(host, port)
	} else if ip := net.ParseIP(host); ip != nil && ip.To4() == nil {
		host = "[" + host + "]"
	}
	return "https://" + host + r.URL.RequestURI()
}

// certReloader serves a certificate from files and loads them again when
// either changes (a renewal by the bureau's CA or certbot), checked at
// most every certCheckEvery, so renewing needs no restart. A renewal that
// does not load (a key that does not match, half-written files) keeps the
// certificate in use and is logged once per change.
type certReloader struct {
	cert, key string
	mu        sync.Mutex
	current   *tls.Certificate
	stamp     [2]time.Time // modification times of cert and key when loaded
	checked   time.Time
}

// certCheckEvery bounds how often a handshake looks at the files.
var certCheckEvery = 10 * time.Second

func newCertReloader(cert, key string) (*certReloader, error) {
	r := &certReloader{cert: cert, key: key}
	if err := r.load(); err != nil {
		return nil, err
	}
	return r, nil
}

func (r *certReloader) load() error {
	stamp, err := r.stamps()
	if err != nil {
		return err
	}
	c, err := tls.LoadX509KeyPair(r.cert, r.key)
	if err != nil {
		return fmt.Errorf("the TLS certificate %s with key %s: %w", r.cert, r.key, err)
	}
	r.current, r.stamp = &c, stamp
	return nil
}

func (r *certReloader) stamps() ([2]time.Time, error) {
	var out [2]time.Time
	for i, f := range []string{r.cert, r.key} {
		fi, err := os.Stat(f)
		if err != nil {
			return out, fmt.Errorf("the TLS certificate: %w", err)
		}
		out[i] = fi.ModTime()
	}
	return out, nil
}

func (r *certReloader) get(*tls.ClientHelloInfo) (*tls.Certificate, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if time.Since(r.checked) >= certCheckEvery {
		r.checked = time.Now()
		if stamp, err := r.stamps(); err == nil && stamp != r.stamp {
			if err := r.load(); err != nil {
				r.stamp = stamp // try again after the next change, not every handshake
				slog.Warn("keeping the TLS certificate in use: its renewal did not load", "err", err)
			}
		}
	}
	return r.current, nil
}
