package httpx

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
)

// WithBodyLimit refuses a body declared larger than maxBytes at once and
// caps an undeclared (chunked) one while it is read; handlers that hit the
// cap get an *http.MaxBytesError, which bodyError turns into a 413.
func WithBodyLimit(logger *slog.Logger, maxBytes int64, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.ContentLength > maxBytes {
			// Close the connection rather than drain a body we will not read.
			w.Header().Set("Connection", "close")
			WriteError(w, r, logger, bodyTooLarge(maxBytes))
			return
		}
		if r.Body != nil && r.Body != http.NoBody {
			r.Body = http.MaxBytesReader(w, r.Body, maxBytes)
		}
		next.ServeHTTP(w, r)
	})
}

func bodyTooLarge(maxBytes int64) *Problem {
	return TooLarge("body-too-large", "the request body is larger than the limit of %d bytes (%s); split the points over several requests", maxBytes, HumanBytes(maxBytes))
}

// BodyError maps an error from reading a request body: over the limit is a
// 413, anything else (a client that hung up) is a 400.
func BodyError(err error) error {
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return bodyTooLarge(mbe.Limit)
	}
	return InvalidBody("the request body could not be read: %v", err)
}

// HumanBytes writes n in the largest binary unit that divides it, or in
// bytes: "8 MiB", "1536 bytes".
func HumanBytes(n int64) string {
	for _, u := range []struct {
		size int64
		name string
	}{{1 << 30, "GiB"}, {1 << 20, "MiB"}, {1 << 10, "KiB"}} {
		if n >= u.size && n%u.size == 0 {
			return fmt.Sprintf("%d %s", n/u.size, u.name)
		}
	}
	return fmt.Sprintf("%d bytes", n)
}
