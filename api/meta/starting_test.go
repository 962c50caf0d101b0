package meta

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"jingge/api/httpx"
)

// problem is the part of a problem document the test reads.
type problem struct {
	Type      string `json:"type"`
	Title     string `json:"title"`
	Status    int    `json:"status"`
	Detail    string `json:"detail"`
	RequestID string `json:"request_id"`
}

// expectProblem checks rec is a complete problem document of status, with
// the request id of its header, and returns it.
func expectProblem(tb testing.TB, rec *httptest.ResponseRecorder, status int) problem {
	tb.Helper()
	if rec.Code != status {
		tb.Fatalf("status %d, want %d; body %s", rec.Code, status, rec.Body.String())
	}
	if ct := rec.Header().Get("Content-Type"); ct != httpx.ContentTypeProblem {
		tb.Fatalf("Content-Type %q, want %q", ct, httpx.ContentTypeProblem)
	}
	var p problem
	if err := json.Unmarshal(rec.Body.Bytes(), &p); err != nil {
		tb.Fatalf("%v: %s", err, rec.Body.String())
	}
	if p.Status != status || p.Title == "" || p.Type == "" || p.Detail == "" {
		tb.Fatalf("incomplete problem: %+v", p)
	}
	if p.RequestID == "" || p.RequestID != rec.Header().Get(httpx.HeaderRequestID) {
		tb.Fatalf("problem request_id %q, header %q", p.RequestID, rec.Header().Get(httpx.HeaderRequestID))
	}
	return p
}

// TestStarting checks what a server waiting for its database answers: it
// is alive, not ready, and every other request is a 503 with Retry-After
// that says why.
func TestStarting(t *testing.T) {
	reason := "the database is not reachable yet"
	h := Starting(nil, 2*time.Second, func() string { return reason })
	tests := []struct {
		name, method, target string
		status               int
	}{
		{"alive", http.MethodGet, "/healthz", http.StatusOK},
		{"alive to HEAD", http.MethodHead, "/healthz", http.StatusOK},
		{"not ready", http.MethodGet, "/readyz", http.StatusServiceUnavailable},
		{"lookup", http.MethodGet, "/api/v1/lookup?lon=109.3&lat=34.1", http.StatusServiceUnavailable},
		{"write", http.MethodPost, "/api/v1/patrols/pings", http.StatusServiceUnavailable},
		{"tile", http.MethodGet, "/tiles/14/13166/6568.mvt", http.StatusServiceUnavailable},
		{"page", http.MethodGet, "/", http.StatusServiceUnavailable},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, httptest.NewRequest(tc.method, tc.target, nil))
			if got := rec.Header().Get("X-Content-Type-Options"); got != "nosniff" {
				t.Errorf("X-Content-Type-Options %q, want nosniff", got)
			}
			if tc.status == http.StatusOK {
				if rec.Code != http.StatusOK {
					t.Fatalf("status %d, want 200; body %s", rec.Code, rec.Body.String())
				}
				return
			}
			p := expectProblem(t, rec, tc.status)
			if p.Type != "urn:jingge:problem:starting" || !strings.Contains(p.Detail, reason) {
				t.Errorf("problem %+v, want type starting and a detail saying %q", p, reason)
			}
			if got := rec.Header().Get("Retry-After"); got != "2" {
				t.Errorf("Retry-After %q, want 2", got)
			}
		})
	}
	reason = "connected to the database; loading the dataset"
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/readyz", nil))
	if p := expectProblem(t, rec, http.StatusServiceUnavailable); p.Detail != reason {
		t.Errorf("detail %q, want the reason of the moment %q", p.Detail, reason)
	}
}
