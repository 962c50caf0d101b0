package api

import (
	"net/http"
	"strings"

	"github.com/gorilla/mux"
)

// tileRoutePrefix starts the path of every tile route: tiles are the
// requests a map sends by the hundred, so they skip the rest of the route
// table (tiledRouter).
const tileRoutePrefix = "/tiles/"

// tiledRouter sends a request whose path starts with tileRoutePrefix to a
// router holding only the routes under that prefix, in table order, and
// everything else to the full router. mux tries routes one regular
// expression at a time, so a per-layer tile paid for every route listed
// before it, more than the rest of its answer. The routes are the same
// handlers and no route outside the prefix can match a path inside it, so
// the route chosen is the one the full router would choose
// (TestTileRouterAgrees); what the small router does not match (a wrong
// method, a path no tile route takes) goes on to the full router, which
// answers as it always did.
func tiledRouter(full *mux.Router, tilesOnly *mux.Router) http.Handler {
	tilesOnly.NotFoundHandler = full
	tilesOnly.MethodNotAllowedHandler = full
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, tileRoutePrefix) {
			tilesOnly.ServeHTTP(w, r)
			return
		}
		full.ServeHTTP(w, r)
	})
}
