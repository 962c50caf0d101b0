package api

import (
	"net/http"

	"jingge/api/overlayroutes"
	"jingge/api/overlays"
	"jingge/geo"
	"jingge/geo/crs"
)

// newOverlays wires the overlay service (and the grid list's filter,
// s.overlaySelect) and the routes of areas, key places and checkpoints
// (package overlayroutes) to this server's index, editors, masking and
// read-your-writes wait.
func (s *Server) newOverlays(cfg Config) *overlayroutes.Routes {
	s.overlaySelect = overlays.New(overlays.Options{Index: s.indexInForce, Overlays: cfg.Overlays, Checkpoints: cfg.Checkpoints})
	return overlayroutes.New(overlayroutes.Options{
		Service: s.overlaySelect, Logger: s.logger, Index: s.indexInForce, Phone: phoneFor, Actor: actorOf, AwaitEdit: s.awaitEdit,
	})
}

// indexInForce is the index in force and its datum, for the application
// packages; before the first index it is the 503 of current.
func (s *Server) indexInForce() (*geo.Index, crs.CRS, error) {
	v, err := s.current()
	if err != nil {
		return nil, "", err
	}
	return v.ix, v.datum, nil
}

// viaLookup mounts a handler of an adapter package, which reads the query
// parameters one at a time through the route's checked query.
func viaLookup(h func(http.ResponseWriter, *http.Request, func(string) (string, bool)) error) func(http.ResponseWriter, *http.Request, query) error {
	return func(w http.ResponseWriter, r *http.Request, q query) error { return h(w, r, q.lookup) }
}
