package httpx

import (
	"errors"
	"log/slog"
	"net/http"
)

// DefaultMaxHeaderBytes is the largest request head (request line and
// header fields) a Server accepts by default; more is a 431.
const DefaultMaxHeaderBytes = 64 << 10

// HeaderReadCeiling is the MaxHeaderBytes to give the http.Server in
// front of a Server: net/http answers a head larger than it with its own
// plain-text 431 before any handler runs, so it is set well above the
// Server's limit (to net/http's own default, 1 MiB) and withHeaderLimit
// answers the heads between the two with a problem document.
const HeaderReadCeiling = 1 << 20

// ErrHeaderTooLarge is a 431.
var ErrHeaderTooLarge = errors.New("api: request header fields too large")

// WithHeaderLimit refuses a request whose head is larger than maxBytes
// with a 431 problem, and closes the connection.
func WithHeaderLimit(logger *slog.Logger, maxBytes int, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if n := headBytes(r); n > maxBytes {
			w.Header().Set("Connection", "close")
			WriteError(w, r, logger, &Problem{Kind: ErrHeaderTooLarge, Type: ProblemType("header-too-large"),
				Detail: "the request's header fields take " + HumanBytes(int64(n)) + ", more than the limit of " + HumanBytes(int64(maxBytes)) + "; send fewer or shorter headers (cookies included)"})
			return
		}
		next.ServeHTTP(w, r)
	})
}

// headBytes is about how many bytes r's request line and header fields
// took on the wire, counted as net/http counts them against
// MaxHeaderBytes.
func headBytes(r *http.Request) int {
	n := len(r.Method) + 1 + len(r.RequestURI) + 1 + len(r.Proto) + 2
	if r.Host != "" {
		n += len("Host: ") + len(r.Host) + 2 // net/http moves Host out of Header
	}
	for k, vs := range r.Header {
		for _, v := range vs {
			n += len(k) + 2 + len(v) + 2
		}
	}
	return n + 2
}
