package httpx

import "net/http"

// WithNoSniff tells browsers to trust every response's Content-Type and
// never guess another (a tile or an error guessed to be HTML or script
// could run in the site's origin). Set before anything runs, so errors,
// 404s, pages, assets and streams all carry it.
func WithNoSniff(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Content-Type-Options", "nosniff")
		next.ServeHTTP(w, r)
	})
}
