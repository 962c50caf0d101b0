package main

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"testing"

	"jingge/api"
)

// TestOversizedHeaderIsProblem sends a request with a 100 kB header to
// the server `jingge serve` builds: the answer is a 431 problem document,
// not net/http's plain-text one.
func TestOversizedHeaderIsProblem(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	srv := newHTTPServer(context.Background(), api.New(api.Config{Logger: logger}).Handler(), logger)
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
	defer func() {
		srv.Close()
		if err := <-done; !errors.Is(err, http.ErrServerClosed) {
			t.Error(err)
		}
	}()
	for _, tc := range []struct {
		size   int
		status int
	}{{100_000, http.StatusRequestHeaderFieldsTooLarge}, {1000, http.StatusOK}} {
		req, _ := http.NewRequest(http.MethodGet, "http://"+ln.Addr().String()+"/healthz", nil)
		req.Header.Set("X-Padding", strings.Repeat("a", tc.size))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != tc.status {
			t.Errorf("%d-byte header: %d %s", tc.size, resp.StatusCode, body)
			continue
		}
		if ct := resp.Header.Get("Content-Type"); tc.status != http.StatusOK && (ct != "application/problem+json" || !strings.Contains(string(body), "header-too-large")) {
			t.Errorf("%d-byte header: %s %s", tc.size, ct, body)
		}
	}
}
