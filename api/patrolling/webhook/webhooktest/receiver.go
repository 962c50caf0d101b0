// Package webhooktest is a webhook endpoint for tests: it answers with
// the statuses it is given in turn (200 once they run out) and records
// every request it got. It imports only the standard library, so the
// webhook package's own tests and the API's can both use it.
package webhooktest

import (
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"
)

// Hook is one request the receiver got and the status it answered.
type Hook struct {
	Header http.Header
	Body   []byte
	Status int
}

// Receiver is a webhook endpoint on a loopback test server.
type Receiver struct {
	mu       sync.Mutex
	statuses []int
	got      []Hook
	srv      *httptest.Server
	arrived  chan struct{}
}

// NewReceiver starts a receiver answering statuses in turn; the test's
// cleanup stops it.
func NewReceiver(t testing.TB, statuses ...int) *Receiver {
	rc := &Receiver{statuses: statuses, arrived: make(chan struct{}, 100)}
	rc.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		rc.mu.Lock()
		status := http.StatusOK
		if len(rc.statuses) > 0 {
			status, rc.statuses = rc.statuses[0], rc.statuses[1:]
		}
		rc.got = append(rc.got, Hook{Header: r.Header.Clone(), Body: body, Status: status})
		rc.mu.Unlock()
		w.WriteHeader(status)
		select {
		case rc.arrived <- struct{}{}:
		default: // nobody waits for so many; Received still has them
		}
	}))
	t.Cleanup(rc.srv.Close)
	return rc
}

// URL is the receiver's address.
func (rc *Receiver) URL() string { return rc.srv.URL }

// Received returns the requests got so far, in order.
func (rc *Receiver) Received() []Hook {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return append([]Hook(nil), rc.got...)
}

// Arrived signals a request, for waits on a condition of Received.
func (rc *Receiver) Arrived() <-chan struct{} { return rc.arrived }

// Wait waits up to 30 s for n requests in all and returns them.
func (rc *Receiver) Wait(t testing.TB, n int) []Hook {
	t.Helper()
	deadline := time.After(30 * time.Second)
	for {
		got := rc.Received()
		if len(got) >= n {
			return got
		}
		select {
		case <-rc.arrived:
		case <-deadline:
			t.Fatalf("%d webhook requests within 30 s, want %d", len(got), n)
		}
	}
}
