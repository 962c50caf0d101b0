package httpx

import (
	"log/slog"
	"net/http"
	"time"
)

// StatusRecorder remembers what a handler sent, for the access log and for
// the panic handler, which may only write a problem while nothing was sent.
type StatusRecorder struct {
	http.ResponseWriter
	status int
	bytes  int64
}

func (s *StatusRecorder) WriteHeader(code int) {
	if s.status == 0 {
		s.status = code
	}
	s.ResponseWriter.WriteHeader(code)
}

func (s *StatusRecorder) Write(p []byte) (int, error) {
	if s.status == 0 {
		s.status = http.StatusOK
	}
	n, err := s.ResponseWriter.Write(p)
	s.bytes += int64(n)
	return n, err
}

// Status is the status sent, 0 while nothing was.
func (s *StatusRecorder) Status() int { return s.status }

// Unwrap lets http.ResponseController reach the real writer (flushes,
// deadlines).
func (s *StatusRecorder) Unwrap() http.ResponseWriter { return s.ResponseWriter }

// WithAccessLog logs one structured line per request once it is answered.
// Query strings are logged because they hold coordinates; the few secrets
// that travel in one (a sign-in link's token) are redacted.
func WithAccessLog(logger *slog.Logger, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &StatusRecorder{ResponseWriter: w}
		next.ServeHTTP(rec, r)
		status := rec.status
		if status == 0 {
			status = http.StatusOK
		}
		level := slog.LevelInfo
		if status >= 500 {
			level = slog.LevelError
		}
		logger.LogAttrs(r.Context(), level, "request",
			slog.String("request_id", RequestIDFrom(r.Context())),
			slog.String("method", r.Method),
			slog.String("path", r.URL.Path),
			slog.String("query", RedactQuery(r.URL.RawQuery)), // sign-in links carry secrets
			slog.Int("status", status),
			slog.Int64("bytes", rec.bytes),
			slog.Duration("duration", time.Since(start)),
			slog.String("remote", r.RemoteAddr),
		)
	})
}
