package api

import (
	"errors"
	"net/http"
	"strings"

	"github.com/paulmach/orb/maptile"

	"jingge/api/httpx"
	"jingge/data"
	"jingge/tiles"
)

// contentTypeMVT is the media type of Mapbox Vector Tiles.
const contentTypeMVT = "application/vnd.mapbox-vector-tile"

// tileCacheControl lets the caller keep a tile but makes it ask again
// before each use; the answer is a cheap 304 while the tile's ETag holds,
// and the new tile as soon as the data behind it changed, so no client
// draws a stale grid after an edit is announced. The route's access adds
// private (no shared cache: tiles are for signed-in users), or replaces
// it with no-store for layers of personal data (withCachePolicy).
const tileCacheControl = "no-cache"

func (s *Server) handleTile(w http.ResponseWriter, r *http.Request, _ query) error {
	return s.serveTile(w, r, "")
}

func (s *Server) handleLayerTile(w http.ResponseWriter, r *http.Request, _ query) error {
	layer := httpx.PathVar(r, "layer")
	if err := s.genericLayer(r.Context(), layer); err != nil {
		return err
	}
	return s.serveTile(w, r, layer)
}

// serveTile answers one tile: 200 with the MVT (gzip-encoded when the
// client accepts it), 304 when If-None-Match holds its tag, 204 when the
// tile has no features.
func (s *Server) serveTile(w http.ResponseWriter, r *http.Request, layer string) error {
	if err := s.tilesReady(); err != nil {
		return err
	}
	t, err := tileAddress(r)
	if err != nil {
		return tileProblem(err)
	}
	tile, err := s.tiles.Tile(r.Context(), layer, t)
	if err != nil {
		return tileProblem(err)
	}
	return s.writeTile(w, r, layer, tile)
}

// tileAddress reads the tile a tile route's path names (tiles.ParseTile);
// an error is a *tiles.CoordError.
func tileAddress(r *http.Request) (maptile.Tile, error) {
	y, ext := httpx.PathVar(r, "y"), httpx.PathVar(r, "ext")
	if before, after, found := strings.Cut(y, "."); found {
		// "/tiles/1/2/3.mvt.gz": the route splits at the last dot.
		y, ext = before, after+"."+ext
	}
	return tiles.ParseTile(httpx.PathVar(r, "z"), httpx.PathVar(r, "x"), y, ext)
}

// writeTile sends an encoded tile: 200 with the MVT (gzip-encoded when
// the client accepts it), 304 when If-None-Match holds its tag, 204 when
// it has no features. The bytes of the body count in layer's group at
// /metrics.
//
// The headers are assigned by their canonical names, as shared slices of
// capacity 1 (an Add copies them): the constant ones below, and the tile's
// own, made when it was encoded (tiles.Tile.Headers). A warm tile costs
// little more than its headers, so building them counts.
func (s *Server) writeTile(w http.ResponseWriter, r *http.Request, layer string, tile *tiles.Tile) error {
	var err error
	h := w.Header()
	h["Cache-Control"] = tileCacheControlHeader
	h["Vary"] = varyAcceptEncodingHeader
	if tile.Empty() {
		w.WriteHeader(http.StatusNoContent)
		return nil
	}
	gz := httpx.AcceptsGzip(r.Header.Get("Accept-Encoding"))
	values := tile.Headers(gz)
	h["Etag"] = values.ETag
	if noneMatch := r.Header.Get("If-None-Match"); noneMatch != "" && httpx.ETagListMatches(noneMatch, tile.ETag, tile.GzipETag) {
		w.WriteHeader(http.StatusNotModified)
		return nil
	}
	body := tile.Gzip
	if gz {
		h["Content-Encoding"] = gzipEncodingHeader
	} else if body, err = tile.Raw(); err != nil {
		return err
	}
	h["Content-Type"] = contentTypeMVTHeader
	h["Content-Length"] = values.ContentLength
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(body)
	s.metrics.Traffic.TileSent(layer, len(body))
	return nil
}

// The constant header values of a tile answer (see writeTile).
var (
	tileCacheControlHeader   = []string{tileCacheControl}[:1:1]
	varyAcceptEncodingHeader = []string{"Accept-Encoding"}[:1:1]
	gzipEncodingHeader       = []string{"gzip"}[:1:1]
	contentTypeMVTHeader     = []string{contentTypeMVT}[:1:1]
)

// tilesReady answers 503 before the first index is published.
func (s *Server) tilesReady() error {
	if s.live.Load() == nil {
		return &httpx.Problem{Kind: data.ErrUnavailable, Detail: "no dataset is loaded yet; retry shortly", RetryAfterSeconds: s.retryAfterSeconds}
	}
	return nil
}

// tileProblem turns a tiles error into a problem: a bad address or layer
// is a 400 naming the part that is wrong.
func tileProblem(err error) error {
	var ce *tiles.CoordError
	switch {
	case errors.As(err, &ce):
		return httpx.Invalid(httpx.InvalidParam{Name: ce.Param, Reason: ce.Reason})
	case errors.Is(err, tiles.ErrNoIndex):
		return &httpx.Problem{Kind: data.ErrUnavailable, Detail: "no dataset is loaded yet; retry shortly"}
	}
	return err
}

func (s *Server) handleTileJSON(w http.ResponseWriter, r *http.Request, _ query) error {
	return s.serveTileJSON(w, r, "")
}

func (s *Server) handleLayerTileJSON(w http.ResponseWriter, r *http.Request, _ query) error {
	layer := httpx.PathVar(r, "layer")
	if err := s.genericLayer(r.Context(), layer); err != nil {
		return err
	}
	return s.serveTileJSON(w, r, layer)
}

func (s *Server) serveTileJSON(w http.ResponseWriter, r *http.Request, layer string) error {
	if err := s.tilesReady(); err != nil {
		return err
	}
	tj, err := s.tiles.TileJSON(baseURL(r), layer)
	if err != nil {
		return tileProblem(err)
	}
	httpx.WriteJSON(w, r, s.logger, http.StatusOK, httpx.ContentTypeJSON, tj)
	return nil
}

// baseURL is the scheme and host the client reached the server at, for
// the URLs in TileJSON and the style: the Host header, with https when the
// connection or a proxy's X-Forwarded-Proto says so. A Host that is not a
// plain host[:port] gives "" and so paths from the root, which a browser
// resolves against the page.
func baseURL(r *http.Request) string {
	host := r.Host
	if !validHost(host) {
		return ""
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	if p, _, _ := strings.Cut(r.Header.Get("X-Forwarded-Proto"), ","); p != "" {
		switch p = strings.ToLower(strings.TrimSpace(p)); p {
		case "http", "https":
			scheme = p
		}
	}
	return scheme + "://" + host
}

// validHost accepts a DNS name, IPv4 or bracketed IPv6 address with an
// optional port, and nothing that could break out of a URL.
func validHost(h string) bool {
	if h == "" || len(h) > 255 {
		return false
	}
	for i := 0; i < len(h); i++ {
		c := h[i]
		ok := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '-' || c == ':' || c == '[' || c == ']'
		if !ok {
			return false
		}
	}
	return true
}
