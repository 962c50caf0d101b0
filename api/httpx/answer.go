package httpx

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strconv"

	"jingge/data"
)

// JSONAnswer is the answer WriteJSON would send for v, as bytes a store
// can keep under an idempotency key. An encoding failure keeps a 500
// problem, as WriteJSON sends one.
func JSONAnswer(r *http.Request, status int, contentType string, v any) data.Answer {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		buf.Reset()
		status, contentType = http.StatusInternalServerError, ContentTypeProblem
		_ = json.NewEncoder(&buf).Encode(Problem{Type: ProblemType("internal"), Title: "Internal Server Error", Status: status, Detail: "internal error", Instance: r.URL.Path})
	}
	return data.Answer{Status: status, ContentType: contentType, Body: buf.Bytes()}
}

// WriteAnswer sends a, a first answer or its replay, byte for byte.
func WriteAnswer(w http.ResponseWriter, a data.Answer) {
	WriteBody(w, a.Status, a.ContentType, "", a.Body)
}

// WriteBody sends a finished body with its type; a filename makes
// browsers save it.
func WriteBody(w http.ResponseWriter, status int, contentType, filename string, body []byte) {
	h := w.Header()
	h.Set("Content-Type", contentType)
	h.Set("Content-Length", strconv.Itoa(len(body)))
	if filename != "" {
		h.Set("Content-Disposition", `attachment; filename="`+filename+`"`)
	}
	w.WriteHeader(status)
	_, _ = w.Write(body)
}
