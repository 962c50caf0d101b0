package httpx

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/http"
)

// HeaderRequestID carries the request id both ways.
const HeaderRequestID = "X-Request-ID"

// requestIDHeaderKey is HeaderRequestID in the canonical form a header map keys
// it by: Get and Set with any other spelling make the canonical key anew,
// an allocation on every request.
var requestIDHeaderKey = http.CanonicalHeaderKey(HeaderRequestID)

// RequestIDFrom returns the request id WithRequestID kept for the request
// with ctx, or "".
func RequestIDFrom(ctx context.Context) string {
	if st := StateOf(ctx); st != nil {
		return st.id
	}
	return ""
}

// WithRequestID keeps a caller's X-Request-ID when it is a sane token (so a
// proxy's id follows the request through our logs), otherwise makes a new
// one, and echoes it in the response. It makes the request's State.
func WithRequestID(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var id string
		if v := r.Header[requestIDHeaderKey]; len(v) > 0 {
			id = v[0]
		}
		if !validRequestID(id) {
			id = newRequestID()
		}
		w.Header()[requestIDHeaderKey] = []string{id}
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), stateKey{}, &State{id: id})))
	})
}

// validRequestID accepts 1 to 128 characters of letters, digits and -_.:
// so an id can neither forge log lines nor blow up headers.
func validRequestID(id string) bool {
	if id == "" || len(id) > 128 {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		ok := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.' || c == ':'
		if !ok {
			return false
		}
	}
	return true
}

func newRequestID() string {
	var b [12]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails on supported platforms
	return hex.EncodeToString(b[:])
}
