package incidents

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/paulmach/orb/maptile"

	"jingge/api/intake"
	"jingge/data"
	"jingge/geo"
	"jingge/tiles"
)

// maxTileWindow bounds the time window of an incidents tile.
const maxTileWindow = 366 * 24 * time.Hour

// ParseTileWindow reads from=, to= and category= of an incidents tile
// over win, the layer's default window; times without an offset are in
// loc, the dataset's zone.
func ParseTileWindow(p Params, win tiles.IncidentWindow, loc *time.Location) (tiles.IncidentWindow, []data.Param) {
	var bad []data.Param
	if text, ok := p("from"); ok {
		t, err := intake.ParseWindowTime("from", text, intake.WindowStart, loc)
		if err != nil {
			bad = append(bad, *err)
		}
		win.From = t
	}
	if text, ok := p("to"); ok {
		t, err := intake.ParseWindowTime("to", text, intake.WindowEnd, loc)
		if err != nil {
			bad = append(bad, *err)
		}
		win.To = t
	}
	if len(bad) == 0 {
		switch {
		case !win.From.Before(win.To):
			bad = append(bad, data.Param{Name: "to", Reason: fmt.Sprintf("to (%s) must be after from (%s)", win.To.In(loc).Format(time.RFC3339Nano), win.From.In(loc).Format(time.RFC3339Nano))})
		case win.To.Sub(win.From) > maxTileWindow:
			bad = append(bad, data.Param{Name: "from", Reason: "the window from from to to spans more than 366 days; tiles draw at most a year"})
		}
	}
	for _, c := range p.List("category") {
		cat, err := intake.ParseCategory(c)
		if err != nil {
			bad = append(bad, data.Param{Name: "category", Reason: "category " + err.Error()})
		}
		win.Categories = append(win.Categories, cat)
	}
	return win, bad
}

// Tile draws the incidents tile t for win; a window the layer will not
// draw is refused naming from.
func (s *Service) Tile(ctx context.Context, t maptile.Tile, win tiles.IncidentWindow) (*tiles.Tile, error) {
	tile, err := s.tiles.Tile(ctx, t, win)
	if errors.Is(err, tiles.ErrWindowTooLarge) {
		return nil, data.InvalidParams(data.Param{Name: "from", Reason: strings.TrimPrefix(err.Error(), "tiles: ")})
	}
	return tile, err
}

// tileSourcePage is how many incidents TileSource reads a query.
const tileSourcePage = data.MaxPageLimit

// TileSource lists a window's incidents from st for the incidents tile
// layer, a page at a time.
func TileSource(st data.IncidentStore) tiles.IncidentSource {
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
