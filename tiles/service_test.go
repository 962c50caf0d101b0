package tiles

import (
	"bytes"
	"context"
	"errors"
	"math"
	"sync"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/mvt"
	"github.com/paulmach/orb/geojson"
	"github.com/paulmach/orb/maptile"

	"jingge/geo"
)

// warm fills the service's cache with the combined and per-layer tiles
// over the county at the given zooms and returns their keys.
func warm(t *testing.T, svc *Service, zooms ...int) []Key {
	t.Helper()
	src := svc.Source()
	var keys []Key
	for _, z := range zooms {
		for _, tile := range coverTiles(t, src, z) {
			for _, layer := range []string{"", LayerCommunityGrids, LayerPoliceGrids, LayerStations, LayerRegions} {
				if _, err := svc.Tile(context.Background(), layer, tile); err != nil {
					t.Fatal(err)
				}
				keys = append(keys, Key{Layer: layer, Tile: tile})
			}
		}
	}
	return keys
}

// interiorArc finds an arc between two community grids of the same police
// grid (so no police, station or region border runs along it) with at
// least three interior points, and returns its key and the grids.
func interiorArc(t testing.TB, s *Source) (arcKey, [2]string) {
	t.Helper()
	comm := s.byName[LayerCommunityGrids]
	sides := map[arcKey][]string{}
	for _, f := range comm.features {
		for _, p := range f.shape {
			for _, c := range p {
				for _, r := range c {
					k := s.topo.arcs[r.index()].key
					sides[k] = append(sides[k], f.id)
				}
			}
		}
	}
	police := s.byName[LayerPoliceGrids]
	policeArcs := map[arcKey]bool{}
	for _, f := range police.features {
		for _, p := range f.shape {
			for _, c := range p {
				for _, r := range c {
					policeArcs[s.topo.arcs[r.index()].key] = true
				}
			}
		}
	}
	best, bestLen := arcKey{}, 0
	var grids [2]string
	for i, a := range s.topo.arcs {
		ids := sides[a.key]
		if a.closed || policeArcs[a.key] || len(ids) != 2 || len(a.world) < 5 {
			continue
		}
		ga, _ := s.ix.Grid(ids[0])
		gb, _ := s.ix.Grid(ids[1])
		if ga.ParentID != gb.ParentID || len(a.world) <= bestLen {
			continue
		}
		_ = i
		best, bestLen, grids = a.key, len(a.world), [2]string{ids[0], ids[1]}
	}
	if bestLen == 0 {
		t.Fatal("no interior arc between community grids of one police grid")
	}
	return best, grids
}

// TestInvalidationIsExact edits one vertex of a border between two
// community grids of one police grid and checks the swap purges exactly the
// tiles whose buffered bound touches the border's old or new simplified
// geometry, in the community layer and the combined tile only; that every
// tile left in the cache is byte for byte what the new index renders; that
// every purged tile touches the edited grids' bounds; and that a tile far
// away stays cached.
func TestInvalidationIsExact(t *testing.T) {
	ds := freshLantian(t)
	live := new(geo.Live)
	live.Store(mustIndex(t, ds))
	svc := NewService(live, ServiceOptions{})
	lru := svc.Cache().(*LRU)
	zooms := []int{8, 11, 12, 13, 14}
	keys := warm(t, svc, zooms...)
	if lru.Len() != len(keys) {
		t.Fatalf("cache holds %d tiles, warmed %d", lru.Len(), len(keys))
	}
	oldSrc := svc.Source()
	key, grids := interiorArc(t, oldSrc)

	// Move the middle vertex of the arc halfway towards the middle of its
	// neighbours, in every ring that holds it (both grids).
	edited := editArcVertex(t, ds, grids, key)
	ds2 := freshLantian(t)
	for i := range ds2.Grids {
		if g, ok := edited[ds2.Grids[i].ID]; ok {
			ds2.Grids[i].Geometry = g
		}
	}
	var change *Change
	purged := -1
	svc.onSwap = func(c *Change, n int) { change, purged = c, n }
	live.Store(mustIndex(t, ds2))
	newSrc := svc.Source()
	if newSrc == oldSrc || change == nil {
		t.Fatal("the service did not swap to the new index")
	}
	if got := change.Layers(); len(got) != 1 || got[0] != LayerCommunityGrids {
		t.Errorf("changed layers %v, want only %s", got, LayerCommunityGrids)
	}

	// Expected: tiles touching the arc's old or new geometry at each zoom.
	ni, ok := newSrc.topo.keys[key]
	if !ok {
		t.Fatal("the edited arc lost its key")
	}
	oi := oldSrc.topo.keys[key]
	cached := map[Key]bool{}
	for _, k := range lru.Keys() {
		cached[k] = true
	}
	var gridBound orb.Bound
	for i, id := range grids {
		for _, src := range []*Source{oldSrc, newSrc} {
			l := src.byName[LayerCommunityGrids]
			b := l.features[l.byID[id]].bound
			if i == 0 && src == oldSrc {
				gridBound = b
			} else {
				gridBound = gridBound.Union(b)
			}
		}
	}
	nPurged, nKept := 0, 0
	for _, k := range keys {
		z := int(k.Tile.Z)
		oz, nz := oldSrc.zoom(z), newSrc.zoom(z)
		box := orb.Bound{
			Min: orb.Point{float64(k.Tile.X)*4096 - 64, float64(k.Tile.Y)*4096 - 64},
			Max: orb.Point{float64(k.Tile.X+1)*4096 + 64, float64(k.Tile.Y+1)*4096 + 64},
		}
		arcMoved := !equalPoints(oz.arcs[oi], nz.arcs[ni])
		want := arcMoved && (k.Layer == "" || k.Layer == LayerCommunityGrids) &&
			(oz.bound[oi].Intersects(box) || nz.bound[ni].Intersects(box))
		if got := !cached[k]; got != want {
			t.Errorf("%s %s: purged %v, want %v", k.Layer, Path(k.Tile), got, want)
		}
		if !cached[k] {
			nPurged++
			// Every purged tile shows one of the edited grids.
			scale := 4096 * math.Exp2(float64(z))
			gb := orb.Bound{Min: orb.Point{gridBound.Min[0] * scale, gridBound.Min[1] * scale}, Max: orb.Point{gridBound.Max[0] * scale, gridBound.Max[1] * scale}}
			if !gb.Intersects(box) {
				t.Errorf("%s %s purged but far from the edited grids", k.Layer, Path(k.Tile))
			}
			continue
		}
		nKept++
		// Nothing stale: what stayed cached is what the new index renders.
		cachedTile, _ := lru.Get(k)
		fresh, err := svc.render(context.Background(), newSrc, k)
		if err != nil {
			t.Fatal(err)
		}
		if cachedTile.ETag != fresh.ETag {
			t.Errorf("%s %s: kept in the cache but the new index draws it differently", k.Layer, Path(k.Tile))
		}
	}
	if nPurged == 0 || purged != nPurged {
		t.Errorf("purged %d tiles (service says %d)", nPurged, purged)
	}
	t.Logf("edited arc between %s and %s: purged %d of %d cached tiles", grids[0], grids[1], nPurged, len(keys))

	// A tile far away (the other end of the county) keeps its cached copy.
	far := Key{Layer: LayerCommunityGrids, Tile: tileAt(orb.Point{109.75, 34.0}, 12)}
	if !cached[far] {
		t.Errorf("far tile %s was purged", Path(far.Tile))
	}
}

func equalPoints(a, b []orb.Point) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// editArcVertex moves the middle interior vertex of the arc with key in
// the rings of both grids and returns their new geometry.
func editArcVertex(t testing.TB, ds *geo.Dataset, grids [2]string, key arcKey) map[string]orb.MultiPolygon {
	t.Helper()
	// Find the arc in the first grid's rings: the ring holding key[0]
	// followed (either way) by key[1].
	var g *geo.Grid
	for i := range ds.Grids {
		if ds.Grids[i].ID == grids[0] {
			g = &ds.Grids[i]
		}
	}
	var victim, moved orb.Point
	found := false
	for _, poly := range g.Geometry {
		for _, ring := range poly {
			pts := cleanRing(ring)
			n := len(pts)
			for k := range pts {
				dir := 0
				if pts[k] == key[0] && pts[(k+1)%n] == key[1] {
					dir = 1
				} else if pts[k] == key[0] && pts[(k+n-1)%n] == key[1] {
					dir = -1
				}
				if dir == 0 {
					continue
				}
				// Walk two vertices along the arc: an interior vertex.
				m := (k + 2*dir + n) % n
				prev, next := pts[(m+n-1)%n], pts[(m+1)%n]
				victim = pts[m]
				mid := orb.Point{(prev[0] + next[0]) / 2, (prev[1] + next[1]) / 2}
				moved = orb.Point{(victim[0] + mid[0]) / 2, (victim[1] + mid[1]) / 2}
				found = true
			}
		}
	}
	if !found {
		t.Fatal("arc not found in its grid")
	}
	out := map[string]orb.MultiPolygon{}
	for i := range ds.Grids {
		gg := &ds.Grids[i]
		mp := gg.Geometry.Clone()
		changed := false
		for _, poly := range mp {
			for _, ring := range poly {
				for k := range ring {
					if ring[k] == victim {
						ring[k] = moved
						changed = true
					}
				}
			}
		}
		if changed {
			out[gg.ID] = mp
		}
	}
	if len(out) != 2 {
		t.Fatalf("the vertex is in %d grids, want 2", len(out))
	}
	return out
}

// TestServiceTiles covers the Service's answers: tiles with tags, empty
// tiles, unknown layers, no index.
func TestServiceTiles(t *testing.T) {
	live := new(geo.Live)
	svc := NewService(live, ServiceOptions{})
	if _, err := svc.Tile(context.Background(), "", maptile.New(0, 0, 0)); !errors.Is(err, ErrNoIndex) {
		t.Fatalf("before an index: %v, want ErrNoIndex", err)
	}
	live.Store(lantianIndex(t))
	tile, err := svc.Tile(context.Background(), "", tileAt(orb.Point{109.3069, 34.1494}, 12))
	if err != nil || tile.Empty() {
		t.Fatalf("Tile = %v, %v", tile, err)
	}
	raw, err := tile.Raw()
	if err != nil || len(raw) != tile.Size {
		t.Fatalf("Raw: %d bytes, %v; want %d", len(raw), err, tile.Size)
	}
	again, _ := svc.Tile(context.Background(), "", tileAt(orb.Point{109.3069, 34.1494}, 12))
	if again != tile {
		t.Error("second request was not served from the cache")
	}
	if tile.ETag == "" || tile.GzipETag == "" || tile.ETag == tile.GzipETag {
		t.Errorf("tags %q %q", tile.ETag, tile.GzipETag)
	}
	empty, err := svc.Tile(context.Background(), "", maptile.New(0, 0, 10))
	if err != nil || !empty.Empty() {
		t.Errorf("tile in the Arctic: %v, %v; want empty", empty, err)
	}
	if _, err := svc.Tile(context.Background(), "roads", maptile.New(0, 0, 0)); !errors.Is(err, ErrInvalidTile) {
		t.Errorf("unknown layer: %v, want ErrInvalidTile", err)
	}
	raw2, _ := svc.Source().Tile(context.Background(), tileAt(orb.Point{109.3069, 34.1494}, 12))
	if !bytes.Equal(raw, raw2) {
		t.Error("the service's tile differs from the source's")
	}
}

// TestInvalidationOfProperties changes a community grid's population: the
// grid, its police grid and its station show it, so their tiles (and only
// tiles touching them) are purged, and no tile left cached is stale.
func TestInvalidationOfProperties(t *testing.T) {
	ds := freshLantian(t)
	live := new(geo.Live)
	live.Store(mustIndex(t, ds))
	svc := NewService(live, ServiceOptions{})
	lru := svc.Cache().(*LRU)
	keys := warm(t, svc, 9, 12)
	ds2 := freshLantian(t)
	var g *geo.Grid
	for i := range ds2.Grids {
		if ds2.Grids[i].Level == geo.CommunityLevel {
			g = &ds2.Grids[i]
			break
		}
	}
	g.Population += 100
	var ch *Change
	svc.onSwap = func(c *Change, _ int) { ch = c }
	live.Store(mustIndex(t, ds2))
	src := svc.Source()
	if got := ch.Layers(); len(got) != 3 || got[0] != LayerCommunityGrids || got[1] != LayerPoliceGrids || got[2] != LayerStations {
		t.Errorf("changed layers %v, want community_grids, police_grids, stations", got)
	}
	cached := map[Key]bool{}
	for _, k := range lru.Keys() {
		cached[k] = true
	}
	kept := 0
	for _, k := range keys {
		if !cached[k] {
			continue
		}
		kept++
		tile, _ := lru.Get(k)
		fresh, err := svc.render(context.Background(), src, k)
		if err != nil {
			t.Fatal(err)
		}
		if tile.ETag != fresh.ETag {
			t.Errorf("%s %s is stale", k.Layer, Path(k.Tile))
		}
	}
	if kept == 0 || kept == len(keys) {
		t.Errorf("kept %d of %d tiles", kept, len(keys))
	}
	t.Logf("population of %s changed: kept %d of %d cached tiles", g.ID, kept, len(keys))
}

// pointsLayer is a volatile layer of points, standing in for live
// incidents: it plugs into a Service the way the index layers do.
type pointsLayer struct {
	renders int
	mu      sync.Mutex
}

func (l *pointsLayer) Info() LayerInfo {
	return LayerInfo{ID: "incidents", Description: "test incidents", MaxZoom: MaxZoom, Volatile: true,
		Fields: []Field{{"kind", "String", "what happened"}}}
}

func (l *pointsLayer) Render(_ context.Context, t maptile.Tile) (*mvt.Layer, error) {
	l.mu.Lock()
	l.renders++
	l.mu.Unlock()
	f := Frame{Tile: t, Extent: 4096, Buffer: 64}
	p := f.Point(orb.Point{109.3069, 34.1494})
	if !f.Contains(p) {
		return nil, nil
	}
	return &mvt.Layer{Name: "incidents", Version: 2, Extent: 4096,
		Features: []*geojson.Feature{{ID: uint64(1), Geometry: p, Properties: geojson.Properties{"kind": "theft"}}}}, nil
}

// TestVolatileLayer checks an extra layer is listed in TileJSON, served on
// its own, never cached, and left out of the combined tile.
func TestVolatileLayer(t *testing.T) {
	live := new(geo.Live)
	live.Store(lantianIndex(t))
	extra := &pointsLayer{}
	svc := NewService(live, ServiceOptions{Layers: []Layer{extra}})
	tile := tileAt(orb.Point{109.3069, 34.1494}, 14)
	for range 2 {
		got, err := svc.Tile(context.Background(), "incidents", tile)
		if err != nil || got.Empty() {
			t.Fatalf("incidents tile: %v, %v", got, err)
		}
	}
	if extra.renders != 2 {
		t.Errorf("rendered %d times, want 2 (never cached)", extra.renders)
	}
	combined, _ := svc.Tile(context.Background(), "", tile)
	raw, _ := combined.Raw()
	ls, _ := mvt.Unmarshal(raw)
	for _, l := range ls {
		if l.Name == "incidents" {
			t.Error("a volatile layer is in the combined tile")
		}
	}
	tj, _ := svc.TileJSON("", "incidents")
	if len(tj.VectorLayers) != 1 || tj.VectorLayers[0].Fields["kind"] != "String" {
		t.Errorf("TileJSON %+v", tj.VectorLayers)
	}
}

// TestServedShowsSwaps checks Served reports the index of the last swap,
// not the live one: a publish alone changes nothing until Update or a
// request swaps.
func TestServedShowsSwaps(t *testing.T) {
	live := new(geo.Live)
	svc := NewService(live, ServiceOptions{})
	if svc.Served() != nil {
		t.Fatal("Served before any index is not nil")
	}
	ix := lantianIndex(t)
	live.Store(ix)
	if svc.Served() != nil {
		t.Fatal("a publish alone swapped the service")
	}
	if ch := svc.Update(ix); ch != nil || svc.Served() != ix {
		t.Fatalf("first Update: change %v, served %p, want nil and %p", ch, svc.Served(), ix)
	}
	if ch := svc.Update(ix); ch != nil {
		t.Errorf("Update with the index in force: change %v, want nil", ch)
	}
}
