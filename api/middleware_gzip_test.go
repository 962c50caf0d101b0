package api

import (
	"bytes"
	"compress/gzip"
	"io"
	"jingge/api/httpx"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"jingge/api/apitest"
	"jingge/web"
)

// fetch sends a request straight to h, with the headers given in pairs.
func fetch(t *testing.T, h http.Handler, method, target string, hdr ...string) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest(method, target, nil)
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

func gunzip(t *testing.T, b []byte) []byte {
	t.Helper()
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("not gzip: %v", err)
	}
	out, err := io.ReadAll(zr)
	if err != nil {
		t.Fatalf("bad gzip: %v", err)
	}
	return out
}

// TestCompressLargeJSON checks a large JSON answer arrives gzipped for a
// client that accepts it, decodes to the bytes others get, and says
// Vary; a client that does not accept gzip gets the same bytes plain.
func TestCompressLargeJSON(t *testing.T) {
	s := newTestServer(t, nil, Config{})
	for _, target := range []string{"/api/v1/grids", "/api/v1/labels", "/api/v1/openapi.json"} {
		plain := fetch(t, s.Handler(), http.MethodGet, target)
		zipped := fetch(t, s.Handler(), http.MethodGet, target, "Accept-Encoding", "gzip, deflate, br")
		if plain.Code != 200 || zipped.Code != 200 || plain.Body.Len() < httpx.MinCompressBytes {
			t.Fatalf("%s: %d, %d, %d bytes", target, plain.Code, zipped.Code, plain.Body.Len())
		}
		if ce := plain.Header().Get("Content-Encoding"); ce != "" {
			t.Errorf("%s without Accept-Encoding: Content-Encoding %q", target, ce)
		}
		if zipped.Header().Get("Content-Encoding") != "gzip" || zipped.Header().Get("Content-Length") != "" {
			t.Fatalf("%s: headers %v", target, zipped.Header())
		}
		if got := gunzip(t, zipped.Body.Bytes()); !bytes.Equal(got, plain.Body.Bytes()) {
			t.Errorf("%s: gunzipped %d bytes differ from the plain %d", target, len(got), plain.Body.Len())
		}
		if zipped.Body.Len()*2 > plain.Body.Len() {
			t.Errorf("%s: %d bytes gzipped from %d", target, zipped.Body.Len(), plain.Body.Len())
		}
		for _, rec := range []*httptest.ResponseRecorder{plain, zipped} {
			if rec.Header().Get("Vary") != "Accept-Encoding" {
				t.Errorf("%s: Vary %q", target, rec.Header().Values("Vary"))
			}
		}
	}
}

// TestCompressSkips checks what is not compressed: tiny bodies, answers
// the handler encoded itself (not twice), types that do not shrink, a
// client refusing gzip, and HEAD, which says what GET would without it.
func TestCompressSkips(t *testing.T) {
	s := newTestServer(t, nil, Config{Web: web.Files()})
	gz := []string{"Accept-Encoding", "gzip"}
	tiny := fetch(t, s.Handler(), http.MethodGet, "/healthz", gz...)
	if tiny.Header().Get("Content-Encoding") != "" || !strings.HasPrefix(tiny.Body.String(), "{") {
		t.Errorf("tiny /healthz: %v %q", tiny.Header(), tiny.Body)
	}
	refused := fetch(t, s.Handler(), http.MethodGet, "/api/v1/grids", "Accept-Encoding", "gzip;q=0, identity")
	if refused.Header().Get("Content-Encoding") != "" {
		t.Errorf("gzip;q=0 got %q", refused.Header().Get("Content-Encoding"))
	}
	page := fetch(t, s.Handler(), http.MethodGet, "/", gz...)
	if page.Code != 200 || page.Header().Get("Content-Encoding") != "gzip" {
		t.Fatalf("page: %d %v", page.Code, page.Header())
	}
	if html := gunzip(t, page.Body.Bytes()); !bytes.Contains(bytes.ToLower(html), []byte("<!doctype html")) {
		t.Errorf("the page is not HTML once gunzipped (compressed twice?): %.60q", html)
	}
	get := fetch(t, s.Handler(), http.MethodGet, "/api/v1/grids")
	head := fetch(t, s.Handler(), http.MethodHead, "/api/v1/grids", gz...)
	if head.Code != 200 || head.Header().Get("Content-Encoding") != "" || head.Header().Get("Content-Length") != get.Header().Get("Content-Length") ||
		head.Header().Get("Vary") != "Accept-Encoding" {
		t.Errorf("HEAD: %d %v, GET's length %s", head.Code, head.Header(), get.Header().Get("Content-Length"))
	}
}

// TestCompressNotModified checks a 304 stays a bodiless 304 and a gzipped
// answer's ETag still revalidates.
func TestCompressNotModified(t *testing.T) {
	s := newTestServer(t, nil, Config{Web: web.Files()})
	gz := []string{"Accept-Encoding", "gzip"}
	first := fetch(t, s.Handler(), http.MethodGet, "/", gz...)
	etag := first.Header().Get("ETag")
	if etag == "" {
		t.Fatal("the page has no ETag")
	}
	again := fetch(t, s.Handler(), http.MethodGet, "/", "Accept-Encoding", "gzip", "If-None-Match", etag)
	if again.Code != http.StatusNotModified || again.Body.Len() != 0 || again.Header().Get("Content-Encoding") != "" {
		t.Errorf("revalidation: %d %v %d bytes", again.Code, again.Header(), again.Body.Len())
	}
}

// TestCompressWeakensETag checks the ETag of a body the middleware
// compressed turns weak: the bytes are not the identity form's.
func TestCompressWeakensETag(t *testing.T) {
	h := httpx.WithCompression(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", httpx.ContentTypeJSON)
		w.Header().Set("ETag", `"v1"`)
		_, _ = io.WriteString(w, `{"x":"`+strings.Repeat("a", 4*httpx.MinCompressBytes)+`"}`)
	}))
	rec := fetch(t, h, http.MethodGet, "/", "Accept-Encoding", "gzip")
	if rec.Header().Get("ETag") != `W/"v1"` || rec.Header().Get("Content-Encoding") != "gzip" {
		t.Errorf("headers %v", rec.Header())
	}
	if plain := fetch(t, h, http.MethodGet, "/"); plain.Header().Get("ETag") != `"v1"` {
		t.Errorf("identity ETag %q", plain.Header().Get("ETag"))
	}
}

// TestCompressFlushes checks a compressed answer written in flushed parts
// reaches the client part by part: the first part is readable before the
// handler writes the second.
func TestCompressFlushes(t *testing.T) {
	second := make(chan struct{})
	part := `[` + strings.Repeat(`"row",`, httpx.MinCompressBytes) + "\n"
	srv := httptest.NewServer(httpx.WithCompression(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", httpx.ContentTypeJSON)
		_, _ = io.WriteString(w, part)
		_ = http.NewResponseController(w).Flush()
		select {
		case <-second:
		case <-r.Context().Done():
		}
		_, _ = io.WriteString(w, `"end"]`)
	})))
	defer srv.Close()
	defer close(second)
	client := &http.Client{Timeout: time.Minute}
	resp, err := client.Get(srv.URL) // the transport asks for gzip and decodes it
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if !resp.Uncompressed {
		t.Fatal("the answer was not gzipped")
	}
	got := make([]byte, len(part))
	if _, err := io.ReadFull(resp.Body, got); err != nil || string(got) != part {
		t.Fatalf("first part: %v", err)
	}
}

// TestEventStreamNotCompressed checks a client accepting gzip still gets
// each event as it happens, in plain text.
func TestEventStreamNotCompressed(t *testing.T) {
	s, _ := newPatrolServer(t, PatrolOptions{})
	ls := startLive(t, s, nil)
	c := openStreamWith(t, ls.URL, "Accept-Encoding", "gzip")
	if ce := c.resp.Header.Get("Content-Encoding"); ce != "" {
		t.Fatalf("the stream is %s-encoded", ce)
	}
	postPings(t, s, pingBody(pingJSON("m1", 0, apitest.InCommunity, "")), http.StatusOK)
	if ids := c.events(t, 1); len(ids) != 1 {
		t.Errorf("events %v", ids)
	}
}
