package api

import (
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/paulmach/orb"

	"jingge/api/locate"
	"jingge/geo"
	"jingge/geo/geotest"
)

// BenchmarkGridEdit measures what a one-grid edit costs until this
// server's lookups answer with the new grid, at Lantian size and at 100k
// grids, beside the index build alone (the baseline: the edit cannot
// cost less while each edit rebuilds the index). "notified" is the path a
// replica takes (the store's notification, a reload, the lookup polled
// until it sees the edit); "answered" is the server that took the PUT,
// whose answer waits until its index holds the edit (or gives up after
// indexWaitLimit; the loop below then waits on, as for a replica).
func BenchmarkGridEdit(b *testing.B) {
	sizes := []struct {
		name string
		ds   func(b *testing.B) *geo.Dataset
	}{
		{"lantian", benchDataset},
		// 283² community grids and 142² police grids: 100,253 grids.
		{"grids=100k", func(*testing.B) *geo.Dataset { return geotest.Lattice(283, 2, 0.002, 1) }},
	}
	for _, size := range sizes {
		b.Run(size.name, func(b *testing.B) {
			ds := size.ds(b)
			b.Run("newindex", func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					if _, err := geo.NewIndex(ds); err != nil {
						b.Fatal(err)
					}
				}
			})
			b.Run("notified", func(b *testing.B) { benchEdit(b, ds, false) })
			b.Run("answered", func(b *testing.B) { benchEdit(b, ds, true) })
		})
	}
}

// benchEdit renames one community grid per iteration and returns when a
// lookup inside it answers with the new name.
func benchEdit(b *testing.B, ds *geo.Dataset, answered bool) {
	s, _ := followedServer(b, ds, false)
	if !answered {
		s.awaitIndex = nil
	}
	h := s.Handler()
	var g *geo.Grid
	var inside orb.Point
	for _, p := range benchPoints(b, s.live.Load(), 256) {
		if hit := s.live.Load().Lookup(p); hit.Community != nil {
			g, inside = hit.Community, p
			break
		}
	}
	if g == nil {
		b.Fatal("no point fell in a community grid")
	}
	lookup := fmt.Sprintf("/api/v1/lookup?lon=%v&lat=%v", inside[0], inside[1])
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		name := fmt.Sprintf("edit %d", i)
		rec := serve(b, h, http.MethodPut, "/api/v1/grids/"+g.ID, fmt.Sprintf(`{"type":"Feature","properties":{"name":%q}}`, name))
		if rec.Code != http.StatusOK {
			b.Fatalf("PUT: %d %s", rec.Code, rec.Body.String())
		}
		for {
			var l locate.Response
			decodeJSON(b, serve(b, h, http.MethodGet, lookup, ""), &l)
			if l.CommunityGrid != nil && l.CommunityGrid.Name == name {
				break
			}
			// A replica's readers ask now and then, not in a loop that
			// takes the core the reload needs.
			time.Sleep(100 * time.Microsecond)
		}
	}
}
