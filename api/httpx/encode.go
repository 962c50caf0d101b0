package httpx

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"net/http"
	"strconv"
	"sync"
)

// Response media types.
const (
	ContentTypeJSON    = "application/json"
	ContentTypeGeoJSON = "application/geo+json"
	ContentTypeProblem = "application/problem+json"
	// ContentTypeEventStream is the media type of Server-Sent Events.
	ContentTypeEventStream = "text/event-stream"
)

// bufferPool recycles response buffers; huge ones are dropped so one large
// grid collection does not pin its memory forever.
var bufferPool = sync.Pool{New: func() any { return new(bytes.Buffer) }}

const maxPooledBuffer = 1 << 20

// WriteJSON encodes v whole before sending anything, so an encoding failure
// still becomes a clean 500 instead of a truncated body.
func WriteJSON(w http.ResponseWriter, r *http.Request, logger *slog.Logger, status int, contentType string, v any) {
	buf := bufferPool.Get().(*bytes.Buffer)
	buf.Reset()
	defer func() {
		if buf.Cap() <= maxPooledBuffer {
			bufferPool.Put(buf)
		}
	}()
	enc := json.NewEncoder(buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		logger.ErrorContext(r.Context(), "encoding the response failed", "request_id", RequestIDFrom(r.Context()), "path", r.URL.Path, "err", err)
		status, contentType = http.StatusInternalServerError, ContentTypeProblem
		buf.Reset()
		fallback := Problem{Type: ProblemType("internal"), Title: "Internal Server Error", Status: status, Detail: "internal error", Instance: r.URL.Path, RequestID: RequestIDFrom(r.Context())}
		_ = json.NewEncoder(buf).Encode(fallback)
	}
	h := w.Header()
	h.Set("Content-Type", contentType)
	h.Set("Content-Length", strconv.Itoa(buf.Len()))
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}
