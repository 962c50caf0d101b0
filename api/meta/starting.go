package meta

import (
	"log/slog"
	"net/http"
	"time"

	"jingge/api/httpx"
	"jingge/data"
)

// DefaultRetryAfter is the Retry-After of a 503 answered before an index
// is loaded, when none is configured.
const DefaultRetryAfter = 5 * time.Second

// Starting returns the handler a server answers with before its api.Server
// exists, while it waits for its database at start: GET (and HEAD)
// /healthz answers 200, since the process is alive and needs no restart;
// /readyz and every other request answer 503 with Retry-After and an
// application/problem+json body of type urn:jingge:problem:starting whose
// detail is reason(), asked per request, so it can say how far the start
// has got. Requests are logged and get request ids as with api.Server.Handler.
// A zero retryAfter means DefaultRetryAfter.
func Starting(logger *slog.Logger, retryAfter time.Duration, reason func() string) http.Handler {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	if retryAfter <= 0 {
		retryAfter = DefaultRetryAfter
	}
	seconds := int((retryAfter + time.Second - 1) / time.Second)
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/healthz" && (r.Method == http.MethodGet || r.Method == http.MethodHead) {
			httpx.WriteJSON(w, r, logger, http.StatusOK, httpx.ContentTypeJSON, Health{Status: "ok"})
			return
		}
		detail := reason()
		if r.URL.Path != "/readyz" {
			detail = "the server is starting and cannot answer yet: " + detail
		}
		httpx.WriteError(w, r, logger, &httpx.Problem{Kind: data.ErrUnavailable, Type: httpx.ProblemType("starting"), Detail: detail, RetryAfterSeconds: seconds})
	})
	return httpx.WithNoSniff(httpx.WithRequestID(httpx.WithAccessLog(logger, httpx.WithRecovery(logger, h))))
}
