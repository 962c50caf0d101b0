package tiles

import (
	"flag"
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/clip"
	"github.com/paulmach/orb/encoding/mvt"
	"github.com/paulmach/orb/maptile"

	"jingge/geo"
	"jingge/tiles/tileclip"
)

var seedFlag = flag.Uint64("tiles.seed", 20260604, "seed of the random tile and point samples of the partition tests")

// Sampling of TestTilesPartitionEveryZoom: every tile over the county up
// to allTilesUpTo tiles per zoom, else sampledTiles non-empty tiles drawn at
// random; pointsPerTile random points in each.
const (
	allTilesUpTo  = 400
	sampledTiles  = 150
	pointsPerTile = 400
	// presenceMinArea is the area, in pixels of the extent, above which a
	// grid's part of a tile must appear in it: 16 pixels of the 4096 grid,
	// a quarter of a screen pixel of a tile drawn 512 pixels wide.
	presenceMinArea = 16
)

// partitionLayers are the layers that each cover the county exactly once.
var partitionLayers = []string{LayerCommunityGrids, LayerPoliceGrids, LayerStations, LayerRegions, LayerTownships}

// TestTilesPartitionEveryZoom decodes tiles at every zoom from 6 to 16 over
// the county and checks, in tile pixels: each random point inside the
// county outline lies in exactly one feature of every partition layer and
// each point outside it in none (no gaps, no overlaps, no slivers); every
// grid with at least presenceMinArea of area in a tile is in that tile; and
// every polygon of every layer is valid, in the buffer too
// (checkDecodedPolygons).
func TestTilesPartitionEveryZoom(t *testing.T) {
	seed := *seedFlag
	t.Logf("seed %d (rerun with -tiles.seed=%d)", seed, seed)
	ix := lantianIndex(t)
	src := NewSource(ix, Options{})
	rng := rand.New(rand.NewPCG(seed, 4))
	for z := 6; z <= 16; z++ {
		t.Run(fmt.Sprintf("z%d", z), func(t *testing.T) {
			all := coverTiles(t, src, z)
			checked := 0
			if len(all) <= allTilesUpTo {
				for _, tile := range all {
					if checkPartitionTile(t, src, tile, rng) {
						checked++
					}
				}
			} else {
				rng.Shuffle(len(all), func(i, j int) { all[i], all[j] = all[j], all[i] })
				for _, tile := range all {
					if checked >= sampledTiles {
						break
					}
					if checkPartitionTile(t, src, tile, rng) {
						checked++
					}
				}
			}
			if checked == 0 {
				t.Fatal("no tile over the county had any feature")
			}
			t.Logf("z%d: %d non-empty tiles checked of %d over the county", z, checked, len(all))
		})
	}
}

// checkPartitionTile checks one tile and reports whether it had features.
func checkPartitionTile(t *testing.T, src *Source, tile maptile.Tile, rng *rand.Rand) bool {
	t.Helper()
	layers := decodeTile(t, src, tile)
	checkPresence(t, src, tile, layers)
	if layers == nil {
		return false
	}
	type feat struct {
		id    string
		polys []orb.Polygon
	}
	byLayer := map[string][]feat{}
	for name, l := range layers {
		for _, f := range l.Features {
			if name == LayerStations && f.Properties["kind"] != "area" {
				continue
			}
			ps := polygonsOf(f.Geometry)
			if ps == nil {
				continue
			}
			byLayer[name] = append(byLayer[name], feat{id: fmt.Sprint(f.Properties["id"]), polys: ps})
		}
	}
	checkDecodedPolygons(t, tile, layers)
	var county []orb.Polygon
	for _, f := range byLayer[LayerCounty] {
		county = append(county, f.polys...)
	}
	bad := 0
	for range pointsPerTile {
		p := orb.Point{rng.Float64() * 4096, rng.Float64() * 4096}
		want := 0
		if evenOddContains(county, p) {
			want = 1
		}
		for _, name := range partitionLayers {
			var in []string
			for _, f := range byLayer[name] {
				if evenOddContains(f.polys, p) {
					in = append(in, f.id)
				}
			}
			if len(in) != want && bad < 5 {
				bad++
				t.Errorf("%s: point %.3f,%.3f is in %d features of %s %v, want %d", Path(tile), p[0], p[1], len(in), name, in, want)
			}
		}
	}
	return true
}

// checkPresence checks every grid that covers at least presenceMinArea of
// the tile (by its original geometry) is in the tile.
func checkPresence(t *testing.T, src *Source, tile maptile.Tile, layers map[string]*mvt.Layer) {
	t.Helper()
	present := map[string]bool{}
	for _, name := range []string{LayerCommunityGrids, LayerPoliceGrids} {
		if l := layers[name]; l != nil {
			for _, f := range l.Features {
				present[fmt.Sprint(f.Properties["id"])] = true
			}
		}
	}
	llb := tile.Bound()
	project := projector(src.Index().Meta().Datum)
	scale := 4096 * math.Exp2(float64(tile.Z))
	box := orb.Bound{Max: orb.Point{4096, 4096}}
	for _, g := range src.Index().Grids(geo.GridFilter{Bound: &llb}) {
		area := 0.0
		for _, poly := range g.Geometry {
			for r, ring := range poly {
				px := make(orb.Ring, len(ring))
				for k, p := range ring {
					w := project(p)
					px[k] = orb.Point{w[0]*scale - float64(tile.X)*4096, w[1]*scale - float64(tile.Y)*4096}
				}
				a := math.Abs(tileclip.SignedArea(clip.Ring(box, px))) / 2
				if r > 0 {
					a = -a
				}
				area += a
			}
		}
		if area >= presenceMinArea && !present[g.ID] {
			t.Errorf("%s: %s grid %s covers %.0f px² of the tile but is missing", Path(tile), g.Level, g.ID, area)
		}
	}
}

// naiveCommunityLayer renders the community grids of a tile the way
// per-feature tile servers do: each polygon projected, simplified on its
// own with the same tolerance, rounded to whole pixels and clipped.
func naiveCommunityLayer(src *Source, tile maptile.Tile) [][]orb.Polygon {
	project := projector(src.Index().Meta().Datum)
	scale := float64(src.opts.Extent) * math.Exp2(float64(tile.Z))
	f := Frame{Tile: tile, Extent: src.opts.Extent, Buffer: src.opts.Buffer}
	llb := tile.Bound(0.1)
	var out [][]orb.Polygon
	for _, g := range src.Index().Grids(geo.GridFilter{Level: geo.CommunityLevel, Bound: &llb}) {
		var polys []orb.Polygon
		for _, poly := range g.Geometry {
			var pp orb.Polygon
			for _, ring := range poly {
				px := make(orb.Ring, len(ring))
				for k, p := range ring {
					w := project(p)
					px[k] = orb.Point{w[0]*scale - float64(tile.X)*float64(src.opts.Extent), w[1]*scale - float64(tile.Y)*float64(src.opts.Extent)}
				}
				px = orb.Ring(simplifyRingNaive(px, src.opts.Tolerance))
				for k := range px {
					px[k] = orb.Point{math.Round(px[k][0]), math.Round(px[k][1])}
				}
				if c := clip.Ring(f.ClipBound(), px); len(c) >= 4 {
					pp = append(pp, c)
				}
			}
			if len(pp) > 0 {
				polys = append(polys, pp)
			}
		}
		if len(polys) > 0 {
			out = append(out, polys)
		}
	}
	return out
}

func simplifyRingNaive(r orb.Ring, tolerance float64) orb.Ring {
	a := arc{world: r, minInterior: 2}
	return orb.Ring(simplifyArc(&a, 1, tolerance))
}

// TestPerFeatureSimplificationLeavesGaps is the control of the partition
// test: tiles whose grids are simplified one by one, as Martin and
// pg_tileserv do, fail the same coverage check, so the check can see the
// gaps and overlaps that shared arcs prevent.
func TestPerFeatureSimplificationLeavesGaps(t *testing.T) {
	seed := *seedFlag
	t.Logf("seed %d", seed)
	src := NewSource(lantianIndex(t), Options{})
	rng := rand.New(rand.NewPCG(seed, 5))
	for _, z := range []int{9, 11} {
		wrong, inside := 0, 0
		for _, tile := range coverTiles(t, src, z) {
			layers := decodeTile(t, src, tile, LayerCounty)
			if layers == nil {
				continue
			}
			var county []orb.Polygon
			for _, f := range layers[LayerCounty].Features {
				county = append(county, polygonsOf(f.Geometry)...)
			}
			naive := naiveCommunityLayer(src, tile)
			for range 2000 {
				p := orb.Point{rng.Float64() * 4096, rng.Float64() * 4096}
				if !evenOddContains(county, p) {
					continue
				}
				inside++
				n := 0
				for _, polys := range naive {
					if evenOddContains(polys, p) {
						n++
					}
				}
				if n != 1 {
					wrong++
				}
			}
		}
		t.Logf("z%d: per-feature simplification puts %d of %d points in a gap or an overlap", z, wrong, inside)
		if wrong == 0 {
			t.Errorf("z%d: per-feature simplification left no gap or overlap; the partition check may be blind", z)
		}
	}
}
