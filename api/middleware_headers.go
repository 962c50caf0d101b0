package api

import (
	"jingge/api/httpx"
	"net/http"
	"strings"
)

// cacheControl is the Cache-Control a route declared a sends, given the
// one its handler set (""), so what may be stored follows who may read:
//
//   - public routes (health, sign-in, pages and their assets): as the
//     handler says;
//   - personal data: "private, no-store" whatever the handler says: no
//     shared cache keeps it and no browser writes it to disk, where it
//     would outlive the session;
//   - any other signed-in answer: "private" with the handler's freshness
//     directives (a tile's no-cache keeps its ETag revalidation), never
//     "public", and "no-cache" when the handler says nothing, so a role
//     change or sign-out is seen at once.
func (a access) cacheControl(handler string) string {
	if a.public {
		return handler
	}
	if a.personal {
		return "private, no-store"
	}
	keep := []string{"private"}
	for _, d := range strings.Split(handler, ",") {
		d = strings.TrimSpace(d)
		name, _, _ := strings.Cut(strings.ToLower(d), "=")
		switch name {
		case "", "public", "private", "s-maxage", "proxy-revalidate":
			continue // shared caches never hold these answers
		}
		keep = append(keep, d)
	}
	if len(keep) == 1 {
		keep = append(keep, "no-cache")
	}
	return strings.Join(keep, ", ")
}

// withCachePolicy makes every answer of a route declared a carry
// a.cacheControl of what its handler set, problems included
// (httpx.WithCachePolicy).
func withCachePolicy(a access, next http.Handler) http.Handler {
	if a.public {
		return next
	}
	return httpx.WithCachePolicy(a.cacheControl, next)
}
