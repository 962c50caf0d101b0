package api

import (
	"net/http"
	"strings"
	"sync/atomic"
)

// withNoSniff tells browsers to trust every response's Content-Type and
// never guess another (a tile or an error guessed to be HTML or script
// could run in the site's origin). It is set once, here, before anything
// runs, so errors, 404s, pages, assets and streams all carry it.
func withNoSniff(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Content-Type-Options", "nosniff")
		next.ServeHTTP(w, r)
	})
}

// cacheControl is the Cache-Control a route declared a sends, given the
// one its handler set (""), so what may be stored follows who may read:
//
//   - public routes (health, sign-in, pages and their assets): as the
//     handler says;
//   - personal data: "private, no-store" whatever the handler says: no
//     shared cache keeps it and no browser writes it to disk, where it
//     would outlive the session;
//   - any other signed-in answer: "private" with the handler's freshness
//     directives (a tile's no-cache keeps its ETag revalidation), never
//     "public", and "no-cache" when the handler says nothing, so a role
//     change or sign-out is seen at once.
func (a access) cacheControl(handler string) string {
	if a.public {
		return handler
	}
	if a.personal {
		return "private, no-store"
	}
	keep := []string{"private"}
	for _, d := range strings.Split(handler, ",") {
		d = strings.TrimSpace(d)
		name, _, _ := strings.Cut(strings.ToLower(d), "=")
		switch name {
		case "", "public", "private", "s-maxage", "proxy-revalidate":
			continue // shared caches never hold these answers
		}
		keep = append(keep, d)
	}
	if len(keep) == 1 {
		keep = append(keep, "no-cache")
	}
	return strings.Join(keep, ", ")
}

// withCachePolicy makes every answer of a route declared a carry
// a.cacheControl of what its handler set, problems included; the header
// is fixed when the answer starts, so no handler can send a weaker one.
func withCachePolicy(a access, next http.Handler) http.Handler {
	if a.public {
		return next
	}
	memo := new(atomic.Pointer[policyMemo])
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		cw := &cachePolicyWriter{ResponseWriter: w, policy: a, memo: memo}
		next.ServeHTTP(cw, r)
		cw.apply() // a handler that wrote nothing: net/http sends the headers after this
	})
}

// cachePolicyWriter sets Cache-Control from its route's access just
// before the headers go out.
type cachePolicyWriter struct {
	http.ResponseWriter
	policy  access
	memo    *atomic.Pointer[policyMemo]
	applied bool
}

// policyMemo is the last Cache-Control a route's policy made of its
// handler's: a route's handler nearly always sets the same one, so the
// header is worked out once, not on every answer (a tile is served in
// microseconds).
type policyMemo struct {
	handler string
	header  []string
}

func (c *cachePolicyWriter) apply() {
	if c.applied {
		return
	}
	c.applied = true
	h := c.Header()
	handler := strings.Join(h.Values("Cache-Control"), ", ")
	m := c.memo.Load()
	if m == nil || m.handler != handler {
		// Capacity 1: a later Add copies rather than writing into the
		// slice every answer of the route shares.
		m = &policyMemo{handler: handler, header: []string{c.policy.cacheControl(handler)}[:1:1]}
		c.memo.Store(m)
	}
	h["Cache-Control"] = m.header
}

func (c *cachePolicyWriter) WriteHeader(code int) {
	c.apply()
	c.ResponseWriter.WriteHeader(code)
}

func (c *cachePolicyWriter) Write(p []byte) (int, error) {
	c.apply()
	return c.ResponseWriter.Write(p)
}

// FlushError lets http.ResponseController flush (event streams) with the
// policy applied first.
func (c *cachePolicyWriter) FlushError() error {
	c.apply()
	return http.NewResponseController(c.ResponseWriter).Flush()
}

// Unwrap lets http.ResponseController reach the real writer (deadlines).
func (c *cachePolicyWriter) Unwrap() http.ResponseWriter { return c.ResponseWriter }
