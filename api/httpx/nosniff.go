package httpx

import "net/http"

// WithNoSniff tells browsers to trust every response's Content-Type and
// never guess another (a tile or an error guessed to be HTML or script
// could run in the site's origin). Set before anything runs, so errors,
// 404s, pages, assets and streams all carry it.
func WithNoSniff(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header()["X-Content-Type-Options"] = noSniffHeader
		next.ServeHTTP(w, r)
	})
}

// noSniffHeader is the header's value, shared by every answer as a slice
// of capacity 1 (an Add copies it); nothing else writes the header.
var noSniffHeader = []string{"nosniff"}[:1:1]
