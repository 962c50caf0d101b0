package httpx

import (
	"fmt"
	"log/slog"
	"net/http"
	"runtime/debug"
)

// WithRecovery turns a handler panic into a logged 500 problem, so one bad
// request neither kills the connection silently nor leaks a stack trace.
// http.ErrAbortHandler is re-raised: it is the documented way to abort.
func WithRecovery(logger *slog.Logger, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec := &StatusRecorder{ResponseWriter: w}
		defer func() {
			v := recover()
			if v == nil {
				return
			}
			if v == http.ErrAbortHandler {
				panic(v)
			}
			logger.ErrorContext(r.Context(), "panic serving request",
				"request_id", RequestIDFrom(r.Context()), "method", r.Method, "path", r.URL.Path,
				"panic", fmt.Sprint(v), "stack", string(debug.Stack()))
			if rec.status != 0 {
				// Headers are gone; all we can do is cut the response short.
				panic(http.ErrAbortHandler)
			}
			WriteError(rec, r, logger, fmt.Errorf("api: panic: %v", v))
		}()
		next.ServeHTTP(rec, r)
	})
}
