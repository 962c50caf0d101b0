package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"jingge/api/httpx"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"jingge/data"
)

func TestRequestID(t *testing.T) {
	s := newTestServer(t, nil, Config{})
	req := httptest.NewRequest(http.MethodGet, "/healthz", nil)
	req.Header.Set(httpx.HeaderRequestID, "proxy-42.a:b_c")
	rec := httptest.NewRecorder()
	s.Handler().ServeHTTP(rec, req)
	if got := rec.Header().Get(httpx.HeaderRequestID); got != "proxy-42.a:b_c" {
		t.Errorf("kept id %q", got)
	}
	for _, bad := range []string{"", "has space", "new\nline", strings.Repeat("x", 129)} {
		req := httptest.NewRequest(http.MethodGet, "/healthz", nil)
		req.Header.Set(httpx.HeaderRequestID, bad)
		rec := httptest.NewRecorder()
		s.Handler().ServeHTTP(rec, req)
		if got := rec.Header().Get(httpx.HeaderRequestID); got == bad || len(got) != 24 {
			t.Errorf("id for %q: %q, want a fresh one", bad, got)
		}
	}
}

func TestAccessLog(t *testing.T) {
	var buf bytes.Buffer
	s := newTestServer(t, nil, Config{Logger: slog.New(slog.NewJSONHandler(&buf, nil))})
	rec := serve(t, s.Handler(), http.MethodGet, "/api/v1/lookup?lon=109.305&lat=34.15", "")
	var line struct {
		Msg       string `json:"msg"`
		RequestID string `json:"request_id"`
		Method    string `json:"method"`
		Path      string `json:"path"`
		Query     string `json:"query"`
		Status    int    `json:"status"`
		Bytes     int    `json:"bytes"`
		Duration  int64  `json:"duration"`
	}
	if err := json.Unmarshal(buf.Bytes(), &line); err != nil {
		t.Fatalf("log %q: %v", buf.String(), err)
	}
	if line.Msg != "request" || line.RequestID != rec.Header().Get(httpx.HeaderRequestID) || line.Method != "GET" || line.Path != "/api/v1/lookup" ||
		line.Query != "lon=109.305&lat=34.15" || line.Status != 200 || line.Bytes != rec.Body.Len() || line.Duration <= 0 {
		t.Errorf("log line %+v", line)
	}
}

func TestPanicRecovery(t *testing.T) {
	var buf bytes.Buffer
	logger := slog.New(slog.NewJSONHandler(&buf, nil))
	h := httpx.WithRequestID(httpx.WithAccessLog(logger, httpx.WithRecovery(logger, http.HandlerFunc(func(http.ResponseWriter, *http.Request) {
		panic("secret detail")
	}))))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/x", nil))
	p := expectProblem(t, rec, http.StatusInternalServerError)
	if p.Detail != "internal error" || strings.Contains(rec.Body.String(), "secret") {
		t.Errorf("problem shows %q", rec.Body.String())
	}
	if !strings.Contains(buf.String(), "secret detail") || !strings.Contains(buf.String(), `"status":500`) {
		t.Errorf("log lacks the panic or the 500: %s", buf.String())
	}
}

func TestErrorMapping(t *testing.T) {
	tests := []struct {
		err    error
		status int
		detail string
	}{
		{data.ErrNotFound, 404, "not found"},
		{fmt.Errorf("postgis: grid 7: %w", data.ErrNotFound), 404, "not found"},
		{fmt.Errorf("postgis: %w", data.ErrInvalid), 400, "bad request"},
		{fmt.Errorf("postgis: unique violation on grids_pkey: %w", data.ErrConflict), 409, "conflict"},
		{data.ErrReadOnly, 409, "conflict"},
		{fmt.Errorf("postgis: dial tcp 10.0.0.5:5432: %w", data.ErrUnavailable), 503, "service unavailable"},
		{errors.New("pq: password authentication failed for user jingge"), 500, "internal error"},
		{httpx.NotFound("there is no grid %q", "x"), 404, `there is no grid "x"`},
		{fmt.Errorf("wrapped: %w", httpx.Invalid(httpx.InvalidParam{Name: "lat", Reason: "bad lat"})), 400, "bad lat"},
	}
	for _, tc := range tests {
		t.Run(tc.err.Error(), func(t *testing.T) {
			var buf bytes.Buffer
			logger := slog.New(slog.NewJSONHandler(&buf, nil))
			rec := httptest.NewRecorder()
			req := httptest.NewRequest(http.MethodGet, "/x", nil)
			httpx.WithRequestID(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				httpx.WriteError(w, r, logger, tc.err)
			})).ServeHTTP(rec, req)
			p := expectProblem(t, rec, tc.status)
			if p.Detail != tc.detail {
				t.Errorf("detail %q, want %q", p.Detail, tc.detail)
			}
			// Storage details reach the log, never the client.
			for _, secret := range []string{"postgis", "pq:", "10.0.0.5", "grids_pkey"} {
				if strings.Contains(rec.Body.String(), secret) {
					t.Errorf("response leaks %q: %s", secret, rec.Body.String())
				}
				if strings.Contains(tc.err.Error(), secret) && !strings.Contains(buf.String(), secret) {
					t.Errorf("log lacks the cause %q", secret)
				}
			}
			if tc.status == 503 && rec.Header().Get("Retry-After") == "" {
				t.Error("503 without Retry-After")
			}
		})
	}
}

func TestMethodNotAllowed(t *testing.T) {
	s := newTestServer(t, nil, Config{})
	tests := []struct{ method, target, allow string }{
		{http.MethodDelete, "/api/v1/lookup", "GET, HEAD, POST"},
		{http.MethodPut, "/api/v1/lookup?lon=1&lat=2", "GET, HEAD, POST"},
		{http.MethodPost, "/api/v1/stations", "GET, HEAD"},
		{http.MethodPatch, "/api/v1/grids/" + "x", "GET, HEAD, PUT"},
	}
	for _, tc := range tests {
		t.Run(tc.method+" "+tc.target, func(t *testing.T) {
			rec := serve(t, s.Handler(), tc.method, tc.target, "")
			p := expectProblem(t, rec, http.StatusMethodNotAllowed)
			if got := rec.Header().Get("Allow"); got != tc.allow {
				t.Errorf("Allow %q, want %q", got, tc.allow)
			}
			if !strings.Contains(p.Detail, "does not accept "+tc.method) {
				t.Errorf("detail %q", p.Detail)
			}
		})
	}
}

func TestUnknownRoute(t *testing.T) {
	s := newTestServer(t, nil, Config{})
	for _, target := range []string{"/", "/api/v2/lookup", "/api/v1/stations/", "/api/v1/stations/a/b"} {
		p := expectProblem(t, serve(t, s.Handler(), http.MethodGet, target, ""), http.StatusNotFound)
		if p.Type != httpx.ProblemType("no-route") || !strings.Contains(p.Detail, "/api/v1/openapi.json") {
			t.Errorf("%s: %+v", target, p)
		}
	}
}

func TestHumanBytes(t *testing.T) {
	for n, want := range map[int64]string{8 << 20: "8 MiB", 1536: "1536 bytes", 1024: "1 KiB", 1 << 30: "1 GiB", 100: "100 bytes"} {
		if got := httpx.HumanBytes(n); got != want {
			t.Errorf("humanBytes(%d) = %q, want %q", n, got, want)
		}
	}
}

// TestHead checks, through a real HTTP server (which sends no body for
// HEAD), that every GET route answers HEAD with GET's status and headers,
// (HEAD of the event stream: TestEventStreamHead.)
func TestHead(t *testing.T) {
	s := newTestServer(t, nil, Config{})
	srv := httptest.NewServer(s.Handler())
	defer srv.Close()
	client := &http.Client{Timeout: 10 * time.Second}
	do := func(method, target, accept string) *http.Response {
		t.Helper()
		req, _ := http.NewRequest(method, srv.URL+target, nil)
		if accept != "" {
			req.Header.Set("Accept", accept)
		}
		res, err := client.Do(req)
		if err != nil {
			t.Fatalf("%s %s: %v", method, target, err)
		}
		defer res.Body.Close()
		n, _ := io.Copy(io.Discard, res.Body)
		if method == http.MethodHead && n != 0 {
			t.Errorf("HEAD %s: %d bytes of body", target, n)
		}
		return res
	}
	for _, target := range []string{"/healthz", "/api/v1/stations", "/api/v1/lookup?lon=109.317&lat=34.152", "/api/v1/openapi.json", "/api/v1/nowhere"} {
		get, head := do(http.MethodGet, target, ""), do(http.MethodHead, target, "")
		if head.StatusCode != get.StatusCode || head.Header.Get("Content-Type") != get.Header.Get("Content-Type") {
			t.Errorf("HEAD %s: %d %q, GET: %d %q", target, head.StatusCode, head.Header.Get("Content-Type"), get.StatusCode, get.Header.Get("Content-Type"))
		}
	}
}
