package api

import (
	"context"
	"errors"
	"fmt"
	"jingge/api/httpx"
	"net/http"
	"strings"
	"time"

	"github.com/gorilla/mux"

	"jingge/api/intake"
	"jingge/data"
	"jingge/geo"
	"jingge/tiles"
)

// maxTileWindow bounds the time window of an incidents tile.
const maxTileWindow = 366 * 24 * time.Hour

// handleIncidentTile answers a tile of the incidents layer for the window
// of its query (the last 30 days by default); without an incidents layer
// it answers as any unknown layer does.
func (s *Server) handleIncidentTile(w http.ResponseWriter, r *http.Request, q query) error {
	if s.inc.tiles == nil {
		return s.serveTile(w, r, tiles.LayerIncidents)
	}
	if err := s.tilesReady(); err != nil {
		return err
	}
	win, bad := parseTileWindow(q, s.inc.tiles.DefaultWindow(), s.zone())
	vars := mux.Vars(r)
	y, ext := vars["y"], vars["ext"]
	if before, after, found := strings.Cut(y, "."); found {
		y, ext = before, after+"."+ext
	}
	t, err := tiles.ParseTile(vars["z"], vars["x"], y, ext)
	if err != nil {
		var ce *tiles.CoordError
		if errors.As(err, &ce) {
			bad = append(bad, httpx.InvalidParam{Name: ce.Param, Reason: ce.Reason})
		} else {
			return err
		}
	}
	if len(bad) > 0 {
		return httpx.Invalid(bad...)
	}
	tile, err := s.inc.tiles.Tile(r.Context(), t, win)
	if errors.Is(err, tiles.ErrWindowTooLarge) {
		return httpx.Invalid(httpx.InvalidParam{Name: "from", Reason: strings.TrimPrefix(err.Error(), "tiles: ")})
	}
	if err != nil {
		return err
	}
	return s.writeTile(w, r, tiles.LayerIncidents, tile)
}

// parseTileWindow reads from=, to= and category= of an incidents tile over
// the default window.
func parseTileWindow(q query, win tiles.IncidentWindow, loc *time.Location) (tiles.IncidentWindow, []httpx.InvalidParam) {
	var bad []httpx.InvalidParam
	if text, ok := q.lookup("from"); ok {
		t, err := parseTimeParam("from", text, false, loc)
		if err != nil {
			bad = append(bad, *err)
		}
		win.From = t
	}
	if text, ok := q.lookup("to"); ok {
		t, err := parseTimeParam("to", text, true, loc)
		if err != nil {
			bad = append(bad, *err)
		}
		win.To = t
	}
	if len(bad) == 0 {
		switch {
		case !win.From.Before(win.To):
			bad = append(bad, httpx.InvalidParam{Name: "to", Reason: fmt.Sprintf("to (%s) must be after from (%s)", win.To.In(loc).Format(time.RFC3339Nano), win.From.In(loc).Format(time.RFC3339Nano))})
		case win.To.Sub(win.From) > maxTileWindow:
			bad = append(bad, httpx.InvalidParam{Name: "from", Reason: "the window from from to to spans more than 366 days; tiles draw at most a year"})
		}
	}
	for _, c := range listParam(q, "category") {
		cat, err := intake.ParseCategory(c)
		if err != nil {
			bad = append(bad, httpx.InvalidParam{Name: "category", Reason: "category " + err.Error()})
		}
		win.Categories = append(win.Categories, cat)
	}
	return win, bad
}

// tileSourcePage is how many incidents IncidentTileSource reads a query.
const tileSourcePage = data.MaxPageLimit

// IncidentTileSource lists a window's incidents from st for the incidents
// tile layer, a page at a time.
func IncidentTileSource(st data.IncidentStore) tiles.IncidentSource {
	return func(ctx context.Context, w tiles.IncidentWindow, yield func(geo.Incident) bool) error {
		f := data.IncidentFilter{From: w.From, To: w.To, Categories: w.Categories}
		p := data.Page{Limit: tileSourcePage}
		for {
			page, err := st.QueryIncidents(ctx, f, p)
			if err != nil {
				return err
			}
			for _, inc := range page.Incidents {
				if !yield(inc) {
					return nil
				}
			}
			if page.Next == "" {
				return nil
			}
			p.Cursor = page.Next
		}
	}
}

// incidentTileLayers lists the incidents layer of cfg, if any, for the
// tile Service api.New makes, so TileJSON lists it beside the index layers.
func incidentTileLayers(cfg Config) []tiles.Layer {
	if cfg.IncidentTiles == nil {
		return nil
	}
	return []tiles.Layer{cfg.IncidentTiles}
}
