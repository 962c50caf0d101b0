package httpx

import (
	"net/http"
	"strings"
	"sync/atomic"
)

// WithCachePolicy makes every answer of next carry the Cache-Control that
// policy makes of the one next set ("" when none), problems included; the
// header is fixed when the answer starts, so no handler can send another.
// policy must give the same answer for the same input: it is worked out
// once per distinct header, not on every answer.
func WithCachePolicy(policy func(handler string) string, next http.Handler) http.Handler {
	memo := new(atomic.Pointer[policyMemo])
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		cw := &cachePolicyWriter{ResponseWriter: w, policy: policy, memo: memo}
		next.ServeHTTP(cw, r)
		cw.apply() // a handler that wrote nothing: net/http sends the headers after this
	})
}

// cachePolicyWriter sets Cache-Control from its route's policy just
// before the headers go out.
type cachePolicyWriter struct {
	http.ResponseWriter
	policy  func(string) string
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
		m = &policyMemo{handler: handler, header: []string{c.policy(handler)}[:1:1]}
		c.memo.Store(m)
	}
	// Delete first: a header map holding eight keys (a tile's answer) is
	// grown into a table by any assignment, even to a key it holds, and
	// that allocation cost more than the rest of this function.
	delete(h, "Cache-Control")
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
