package httpx

import (
	"compress/gzip"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"sync"
)

// A wall display polls /api/v1/patrols (about 100 KB of JSON) every few
// seconds and loads /api/v1/labels (110 KB) at start; JSON of this kind
// shrinks five- to tenfold under gzip. withCompression gzips every
// compressible answer for a client that accepts it. Answers a handler
// encoded itself (tiles, the web pages' files: Content-Encoding set) pass
// as they are; so do event streams, whose events must leave at once and
// not wait in a compressor's window, and bodies too small to gain.
// Brotli would save a little more, but no well-kept Go library for it is
// in go.mod and gzip serves the goal; the standard library is enough.

// MinCompressBytes is the smallest body worth compressing: below it the
// gzip header and trailer (18 bytes) and the CPU cost more than they save.
const MinCompressBytes = 1024

// compressLevel trades CPU for size. Level 1 uses the standard library's
// fast encoder, whose reset is cheap: a 1.6 KB lookup answer costs about
// 10 µs against 30 µs at level 5, and a 100 KB list half the time, for
// bodies about a quarter larger than level 5's (still four to six times
// smaller than plain JSON). On a two-core server answering thousands of
// small answers a second, CPU is the scarcer resource.
const compressLevel = gzip.BestSpeed

var gzipWriters = sync.Pool{New: func() any {
	zw, _ := gzip.NewWriterLevel(nil, compressLevel) // the level is valid
	return zw
}}

// compressibleTypes are the media types whose bodies are text and shrink
// under gzip. Vector tiles compress too, but the tile handler caches them
// compressed and sets Content-Encoding itself.
var compressibleTypes = map[string]bool{
	"application/json":          true,
	"application/problem+json":  true,
	"application/geo+json":      true,
	"application/javascript":    true,
	"application/manifest+json": true,
	"application/xml":           true,
	"image/svg+xml":             true,
	"text/html":                 true,
	"text/css":                  true,
	"text/javascript":           true,
	"text/plain":                true,
	"text/csv":                  true,
	"text/markdown":             true,
}

// Compressible reports whether a body of contentType is worth gzipping.
func Compressible(contentType string) bool {
	mt, _, err := mime.ParseMediaType(contentType)
	return err == nil && compressibleTypes[mt]
}

// WithCompression gzips compressible answers for clients that accept
// gzip, and says Vary: Accept-Encoding on every compressible answer so a
// cache keeps the two forms apart. HEAD answers and answers without a
// body (204, 304) go through as they are.
func WithCompression(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		cw := &compressWriter{ResponseWriter: w, accepts: r.Method != http.MethodHead && AcceptsGzip(r.Header.Get("Accept-Encoding"))}
		next.ServeHTTP(cw, r)
		cw.finish()
	})
}

// compressWriter decides, when the status is written, whether the body
// is compressed: it holds back up to minCompressBytes of a body of
// unknown length so a small answer goes out as it is.
type compressWriter struct {
	http.ResponseWriter
	accepts bool

	status  int  // held back until the body's form is decided
	pending bool // WriteHeader was called and not yet passed on
	decided bool
	zw      *gzip.Writer // set once compressing
	held    []byte       // the start of the body while undecided
}

// WriteHeader holds the status back until the body decides the form,
// unless no body can follow.
func (c *compressWriter) WriteHeader(code int) {
	if c.decided || c.pending {
		if c.decided && c.zw == nil {
			c.ResponseWriter.WriteHeader(code)
		}
		return
	}
	if code < 200 || code == http.StatusNoContent || code == http.StatusNotModified {
		if code >= 200 {
			c.decided = true
		}
		c.ResponseWriter.WriteHeader(code)
		return
	}
	c.status, c.pending = code, true
	c.decide(false, 0)
}

// decide settles the form if it can: the headers may tell (an encoding
// set, a type not worth compressing, a known small length), else the
// body held back with incoming more bytes is long enough to compress or,
// once ended, too short.
func (c *compressWriter) decide(ended bool, incoming int) {
	if c.decided {
		return
	}
	h := c.Header()
	if h.Get("Content-Encoding") != "" || !Compressible(h.Get("Content-Type")) {
		c.passThrough()
		return
	}
	addVary(h, "Accept-Encoding")
	if !c.accepts {
		c.passThrough()
		return
	}
	if n, err := strconv.Atoi(h.Get("Content-Length")); err == nil && n < MinCompressBytes {
		c.passThrough()
		return
	}
	switch size := len(c.held) + incoming; {
	case size >= MinCompressBytes:
		c.compress()
	case ended:
		c.passThrough()
	}
}

// passThrough sends the held status and body as they are.
func (c *compressWriter) passThrough() {
	c.decided = true
	c.sendStatus()
	if len(c.held) > 0 {
		held := c.held
		c.held = nil
		_, _ = c.ResponseWriter.Write(held)
	}
}

// compress starts the gzip stream with the held body.
func (c *compressWriter) compress() {
	c.decided = true
	h := c.Header()
	h.Del("Content-Length")
	h.Set("Content-Encoding", "gzip")
	if etag := h.Get("ETag"); etag != "" && !strings.HasPrefix(etag, "W/") {
		// The bytes differ from the identity form's: the tag is weak now.
		h.Set("ETag", "W/"+etag)
	}
	c.sendStatus()
	c.zw = gzipWriters.Get().(*gzip.Writer)
	c.zw.Reset(c.ResponseWriter)
	if len(c.held) > 0 {
		held := c.held
		c.held = nil
		_, _ = c.zw.Write(held)
	}
}

func (c *compressWriter) sendStatus() {
	if c.pending {
		c.pending = false
		c.ResponseWriter.WriteHeader(c.status)
	}
}

// Write compresses, passes or holds back p as decided.
func (c *compressWriter) Write(p []byte) (int, error) {
	if !c.decided && !c.pending {
		c.WriteHeader(http.StatusOK)
	}
	c.decide(false, len(p))
	switch {
	case c.zw != nil:
		return c.zw.Write(p)
	case c.decided:
		return c.ResponseWriter.Write(p)
	}
	c.held = append(c.held, p...)
	return len(p), nil
}

// FlushError sends what was written so far: a handler that flushes wants
// its bytes on the wire now, so a body held back is decided at once.
func (c *compressWriter) FlushError() error {
	if !c.decided && c.pending {
		if len(c.held) >= MinCompressBytes {
			c.compress()
		} else {
			c.passThrough()
		}
	}
	if c.zw != nil {
		if err := c.zw.Flush(); err != nil {
			return err
		}
	}
	return http.NewResponseController(c.ResponseWriter).Flush()
}

// Unwrap lets http.ResponseController reach the real writer (deadlines).
func (c *compressWriter) Unwrap() http.ResponseWriter { return c.ResponseWriter }

// finish ends the body: a held one goes out in the form it earned, the
// gzip stream is closed and its writer returned to the pool.
func (c *compressWriter) finish() {
	if c.pending {
		c.decide(true, 0)
	}
	if c.zw != nil {
		_ = c.zw.Close()
		c.zw.Reset(nil)
		gzipWriters.Put(c.zw)
		c.zw = nil
	}
}

// addVary adds name to the Vary header unless it is there already.
func addVary(h http.Header, name string) {
	for _, v := range h.Values("Vary") {
		for _, part := range strings.Split(v, ",") {
			if p := strings.TrimSpace(part); p == "*" || strings.EqualFold(p, name) {
				return
			}
		}
	}
	h.Add("Vary", name)
}

// AcceptsGzip reports whether an Accept-Encoding header allows gzip: it
// names gzip (or *) without q=0, and does not refuse gzip by name.
func AcceptsGzip(header string) bool {
	star := false
	for part := range strings.SplitSeq(header, ",") {
		coding, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		coding = strings.ToLower(strings.TrimSpace(coding))
		if coding != "gzip" && coding != "x-gzip" && coding != "*" {
			continue
		}
		ok := true
		for p := range strings.SplitSeq(params, ";") {
			k, v, _ := strings.Cut(strings.TrimSpace(p), "=")
			if strings.EqualFold(strings.TrimSpace(k), "q") {
				if q, err := strconv.ParseFloat(strings.TrimSpace(v), 64); err == nil && q <= 0 {
					ok = false
				}
			}
		}
		if coding == "*" {
			star = ok
			continue
		}
		return ok
	}
	return star
}
