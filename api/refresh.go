package api

import (
	"jingge/geo"
	"jingge/tiles"
)

// Refresh brings what the server derives from the index in force up to date
// now instead of on the first request that needs it: the tile source (the
// swap purges exactly the cached tiles the change touched, as a request's
// swap would) and the handlers' view. Call it right after publishing a new
// index to the Live the server follows, so the first tile request after a
// reload does not pay for building the tile index; requests arriving during
// the call wait for the same swap instead of repeating it. It does nothing
// before an index is published or when everything is current, and is safe
// for concurrent use.
func (s *Server) Refresh() {
	ix := s.live.Load()
	if ix == nil {
		return
	}
	s.tiles.Update(ix)
	s.metrics.ObserveIndex(ix)
	// A dataset whose datum is unknown fails here and on every request
	// alike; the request reports it.
	_, _ = s.current()
}

// refreshOnPublish registers Refresh with onPublish (Config.OnPublish) and refreshes
// once, for an index published before New; nil does nothing, and what the
// server derives is built by the first request that needs it.
func (s *Server) refreshOnPublish(onPublish func(func(*geo.Index))) {
	if onPublish == nil {
		return
	}
	onPublish(func(*geo.Index) { s.Refresh() })
	s.Refresh()
}

// Tiles returns the tile service the server renders with: Config.Tiles, or
// the one New made.
func (s *Server) Tiles() *tiles.Service { return s.tiles }
