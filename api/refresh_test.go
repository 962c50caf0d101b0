package api

import (
	"testing"

	"github.com/paulmach/orb/maptile"

	"jingge/api/apitest"
	"jingge/geo"
	"jingge/tiles"
)

// TestRefreshSwapsTilesBeforeRequests publishes an edited dataset and
// calls Refresh: the tile service serves the new index before any tile is
// asked for, and the swap purged what a request's swap would: the tile
// showing the edited grid, not the one beside it.
func TestRefreshSwapsTilesBeforeRequests(t *testing.T) {
	live := new(geo.Live)
	s := New(Config{Index: live})
	s.Refresh() // nothing published yet: nothing to do
	if s.Tiles().Served() != nil {
		t.Fatal("Refresh before any index swapped the tiles")
	}
	live.Store(mustIndex(t, apitest.Small()))
	s.Refresh()
	if s.Tiles().Served() != live.Load() {
		t.Fatal("Refresh did not swap the tiles to the first index")
	}
	edited := maptile.At(apitest.InCommunity, 14)
	beside := maptile.At(apitest.InPoliceOnly, 14)
	if edited == beside {
		t.Fatal("the fixture's points share a tile at z14")
	}
	for _, tile := range []maptile.Tile{edited, beside} {
		if rec := get(t, s.Handler(), tileURL(tiles.LayerCommunityGrids, tile.Center(), 14)); rec.Code != 200 {
			t.Fatalf("tile %v: status %d", tile, rec.Code)
		}
	}

	ds2 := apitest.Small()
	for i := range ds2.Grids {
		if ds2.Grids[i].ID == apitest.CommunityA {
			ds2.Grids[i].Name = "改名网格"
		}
	}
	next := mustIndex(t, ds2)
	live.Store(next)
	if s.Tiles().Served() == next {
		t.Fatal("the tiles swapped before Refresh; the test proves nothing")
	}
	s.Refresh()
	if s.Tiles().Served() != next {
		t.Fatal("Refresh did not swap the tiles to the published index")
	}
	cache := s.Tiles().Cache()
	if _, ok := cache.Get(tiles.Key{Layer: tiles.LayerCommunityGrids, Tile: edited}); ok {
		t.Error("the tile showing the edited grid is still cached")
	}
	if _, ok := cache.Get(tiles.Key{Layer: tiles.LayerCommunityGrids, Tile: beside}); !ok {
		t.Error("the tile beside the edit was purged")
	}
	s.Refresh() // everything current: nothing changes
	if _, ok := cache.Get(tiles.Key{Layer: tiles.LayerCommunityGrids, Tile: beside}); !ok {
		t.Error("a second Refresh purged the cache")
	}
}

// TestOnPublishRefreshes: a server given Config.OnPublish refreshes the
// index published before New, and each one published after it when the
// publisher calls what New registered, with no request and no Refresh.
func TestOnPublishRefreshes(t *testing.T) {
	live := new(geo.Live)
	live.Store(mustIndex(t, apitest.Small()))
	var published func(*geo.Index)
	s := New(Config{Index: live, OnPublish: func(fn func(*geo.Index)) { published = fn }})
	if published == nil {
		t.Fatal("New registered nothing with OnPublish")
	}
	if s.Tiles().Served() != live.Load() {
		t.Fatal("New did not refresh the index published before it")
	}
	next := mustIndex(t, apitest.Small())
	live.Store(next)
	published(next)
	if s.Tiles().Served() != next {
		t.Fatal("the registered function did not swap the tiles to the published index")
	}
}
