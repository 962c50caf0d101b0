package pages

import (
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"strings"

	"jingge/api/httpx"
)

// Handler serves the web pages and assets, and hands every other path
// to next (the API's answer to a path no route matches). A method other
// than GET or HEAD on a page is a 405 problem, logged to logger.
func (s *Site) Handler(logger *slog.Logger, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := r.URL.Path
		f := s.files[p]
		to, redirect := webRedirects[p]
		if f == nil && !redirect {
			next.ServeHTTP(w, r)
			return
		}
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			httpx.WriteError(w, r, logger, &httpx.Problem{
				Kind:   httpx.ErrMethodNotAllowed,
				Detail: fmt.Sprintf("%s is a web page or asset; use GET or HEAD", p),
				Allow:  []string{http.MethodGet, http.MethodHead},
			})
			return
		}
		if redirect {
			if q := r.URL.RawQuery; q != "" {
				to += "?" + q
			}
			http.Redirect(w, r, to, http.StatusMovedPermanently)
			return
		}
		s.serveFile(w, r, f, strings.HasPrefix(p, "/assets/"))
	})
}

// serveWebFile answers with f: gzip-encoded when the client accepts it,
// 304 when If-None-Match holds its tag.
func (s *Site) serveFile(w http.ResponseWriter, r *http.Request, f *webFile, asset bool) {
	h := w.Header()
	h.Set("Content-Type", f.contentType)
	if asset {
		h.Set("Cache-Control", AssetCacheControl)
	} else {
		h.Set("Cache-Control", PageCacheControl)
		h.Set("Content-Security-Policy", s.csp)
		h.Set("Referrer-Policy", "strict-origin-when-cross-origin")
		h.Set("X-Frame-Options", "SAMEORIGIN")
	}
	body, etag := f.body, f.etag
	if f.compress {
		h.Set("Vary", "Accept-Encoding")
		if gz := f.gzipped(); gz != nil && httpx.AcceptsGzip(r.Header.Get("Accept-Encoding")) {
			body, etag = gz, f.gzipETag
			h.Set("Content-Encoding", "gzip")
		}
	}
	h.Set("ETag", etag)
	if inm := r.Header.Get("If-None-Match"); inm != "" && httpx.ETagListMatches(inm, etag) {
		h.Del("Content-Encoding")
		w.WriteHeader(http.StatusNotModified)
		return
	}
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		_, _ = w.Write(body)
	}
}
