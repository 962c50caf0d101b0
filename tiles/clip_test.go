package tiles

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/clip"
	"github.com/paulmach/orb/encoding/mvt"
	"github.com/paulmach/orb/maptile"
	"github.com/paulmach/orb/planar"

	"jingge/geo/topo"
	"jingge/tiles/tileclip"
)

// validOGC checks a polygon or the polygons of a multipolygon as OGC
// Simple Features, which MVT 2.1 §4.3.4.4 refers to, asks: every ring
// closed, simple and with area (topo.ValidatePolygon on the ring alone);
// rings meeting only at single points that are vertices of both
// (topo.Crossings with shared endpoints allowed); holes inside their
// exterior (planar.RingContains, the boundary counting as inside).
func validOGC(polys ...orb.Polygon) error {
	var all [][]orb.Point
	for k, p := range polys {
		for i, r := range p {
			if err := topo.ValidatePolygon(orb.Polygon{r}); err != nil {
				return fmt.Errorf("polygon %d ring %d: %w", k, i, err)
			}
			all = append(all, r)
			if i > 0 {
				for _, v := range r {
					if !planar.RingContains(p[0], v) {
						return fmt.Errorf("polygon %d: hole %d reaches outside its exterior at %v", k, i, v)
					}
				}
			}
		}
	}
	if c := topo.Crossings(topo.LinesOf(all, true), true, 1); len(c) > 0 {
		return fmt.Errorf("rings meet where they may not: %v", c[0])
	}
	return nil
}

// checkDecodedPolygons checks every polygon feature of every decoded layer
// with validOGC and for the orientation MVT 2.1 §4.3.4.4 asks for: exteriors of
// positive area in tile coordinates, holes negative. orb's decoder starts a
// new polygon at every ring of positive area, so a wrongly wound ring shows
// up here as a polygon of its own or a hole outside its exterior. It
// returns the number of polygon features checked.
func checkDecodedPolygons(t *testing.T, tile maptile.Tile, layers map[string]*mvt.Layer) int {
	t.Helper()
	n := 0
	for name, l := range layers {
		for _, f := range l.Features {
			polys := polygonsOf(f.Geometry)
			if polys == nil {
				continue
			}
			n++
			err := validOGC(polys...)
			for k, p := range polys {
				for i, r := range p {
					if a := tileclip.SignedArea(r); err == nil && (a > 0) != (i == 0) {
						err = fmt.Errorf("polygon %d ring %d has area %g: exteriors are positive, holes negative", k, i, a/2)
					}
				}
			}
			if err != nil {
				t.Errorf("%s %s %v: %v", Path(tile), name, f.Properties["id"], err)
			}
		}
	}
	return n
}

// TestTileRingsValidOnBufferLine decodes tile 14/13159/6533 of the bundled
// dataset with orb's decoder and checks every polygon in it. Community grid
// 61012210121401 leaves that tile's clip bound across its east buffer line
// (x = 4160) and comes back twice; clipping it ring by ring joined the
// three parts along the buffer line, and the closing edge ran back over
// the joins: one ring crossing itself.
func TestTileRingsValidOnBufferLine(t *testing.T) {
	src := NewSource(lantianIndex(t), Options{})
	tile := maptile.New(13159, 6533, 14)
	layers := decodeTile(t, src, tile)
	found := false
	for _, f := range layers[LayerCommunityGrids].Features {
		if f.Properties["id"] == "61012210121401" {
			found = true
			if b := f.Geometry.Bound(); b.Max[0] != 4160 {
				t.Errorf("grid 61012210121401 reaches x = %g, want the buffer line 4160", b.Max[0])
			}
		}
	}
	if !found {
		t.Fatalf("%s has no community grid 61012210121401", Path(tile))
	}
	checkDecodedPolygons(t, tile, layers)
}

// TestClipPolygonMatchesOrbWhereValid clips random star-shaped polygons,
// some with a hole, against the clip bound of a tile, with clipPolygon and
// with orb's clip.Polygon (Sutherland–Hodgman, rounded as the tiles round).
// Where orb's result is a valid polygon, clipPolygon's is the same rings,
// up to where each ring starts. Where it is not (a ring leaving the box
// and coming back on one side is joined along the box edge, and a hole
// cut by the box edge overlaps its exterior there), clipPolygon's polygons
// are valid and cover the same area. Vertices lie on a 64-pixel lattice
// that holds the box edges, so rings often touch and run along them.
func TestClipPolygonMatchesOrbWhereValid(t *testing.T) {
	seed := *seedFlag
	t.Logf("seed %d", seed)
	rng := rand.New(rand.NewPCG(seed, 8))
	box := orb.Bound{Min: orb.Point{-64, -64}, Max: orb.Point{4160, 4160}}
	var c tileclip.Clipper
	star := func(cx, cy, rmin, rmax float64, n int, hole bool) orb.Ring {
		ring := make(orb.Ring, 0, n+1)
		for k := range n {
			a := 2 * math.Pi * (float64(k) + rng.Float64()*0.8) / float64(n)
			rad := rmin + rng.Float64()*(rmax-rmin)
			ring = append(ring, orb.Point{math.Round((cx+rad*math.Cos(a))/64) * 64, math.Round((cy+rad*math.Sin(a))/64) * 64})
		}
		ring = append(ring, ring[0])
		if hole {
			slices.Reverse(ring)
		}
		return ring
	}
	same, fixed := 0, 0
	for i := range 20000 {
		cx, cy := rng.Float64()*6000-1000, rng.Float64()*6000-1000
		rmax := 200 + rng.Float64()*4000
		poly := orb.Polygon{star(cx, cy, rmax*0.3, rmax, 3+rng.IntN(60), false)}
		if rng.IntN(3) == 0 {
			poly = append(poly, star(cx, cy, rmax*0.05, rmax*0.25, 3+rng.IntN(20), true))
		}
		if topo.ValidatePolygon(poly) != nil || tileclip.SignedArea(poly[0]) <= 0 {
			continue
		}
		var orbPoly orb.Polygon
		for k, ring := range clip.Polygon(box, poly.Clone()) {
			ring = tileclip.Round(ring, box)
			if len(ring) >= 4 && tileclip.SignedArea(ring) != 0 && (tileclip.SignedArea(ring) > 0) == (k == 0) {
				orbPoly = append(orbPoly, ring)
			} else if k == 0 {
				break
			}
		}
		mp, ok := c.Polygon(nil, slices.Clone(poly), box)
		if !ok {
			t.Fatalf("polygon %d: clipPolygon found its pieces inconsistent: %v", i, poly)
		}
		if len(orbPoly) > 0 && validOGC(orbPoly) == nil {
			if len(mp) != 1 || !sameRingsAnyStart(mp[0], orbPoly) {
				t.Fatalf("polygon %d: clipPolygon %v\norb %v\ninput %v", i, mp, orbPoly, poly)
			}
			same++
			continue
		}
		if err := validOGC(mp...); err != nil {
			t.Fatalf("polygon %d: clipPolygon's polygons meet: %v\n%v\ninput %v", i, err, mp, poly)
		}
		area := 0.0
		for _, p := range mp {
			if err := validOGC(p); err != nil {
				t.Fatalf("polygon %d: clipPolygon made an invalid polygon: %v\n%v\ninput %v", i, err, p, poly)
			}
			for _, ring := range p {
				area += tileclip.SignedArea(ring)
			}
		}
		want := 0.0
		for _, ring := range orbPoly {
			want += tileclip.SignedArea(ring)
		}
		// Both round the same crossings to whole pixels, but may compute
		// them a rounding error apart: allow a pixel per ring vertex.
		if tol := 2.0 * float64(len(poly[0])+4); math.Abs(area-want) > tol {
			t.Fatalf("polygon %d: clipPolygon area %g, orb %g\ngot %v\norb %v\ninput %v", i, area/2, want/2, mp, orbPoly, poly)
		}
		if len(orbPoly) > 0 {
			fixed++
		}
	}
	t.Logf("%d polygons as orb clips them, %d that orb clips into an invalid polygon clipped valid", same, fixed)
	if same == 0 || fixed == 0 {
		t.Errorf("the sample missed a case: %d same, %d fixed", same, fixed)
	}
}

// sameRingsAnyStart reports whether two polygons have the same rings in
// the same order, each maybe starting at another of its points.
func sameRingsAnyStart(a, b orb.Polygon) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		x, y := a[i][:len(a[i])-1], b[i][:len(b[i])-1]
		if len(x) != len(y) {
			return false
		}
		k := slices.Index(y, x[0])
		if k < 0 || !slices.Equal(x, append(slices.Clone(y[k:]), y[:k]...)) {
			return false
		}
	}
	return true
}

// TestClipPolygonFallsBackOnCrossedRing clips a bow tie spanning the box:
// its left loop runs counter-clockwise, its right loop clockwise, so its
// pieces do not alternate entry and exit along the boundary and no walk
// can join them. clipPolygon says so, and clipEach clips it ring by ring
// as orb's clip.Ring does, rather than losing the feature.
func TestClipPolygonFallsBackOnCrossedRing(t *testing.T) {
	box := orb.Bound{Min: orb.Point{-64, -64}, Max: orb.Point{4160, 4160}}
	var c tileclip.Clipper
	bowTie := orb.Ring{{-200, 0}, {4400, 400}, {4400, 0}, {-200, 400}, {-200, 0}}
	if mp, ok := c.Polygon(nil, []orb.Ring{bowTie}, box); ok {
		t.Fatalf("clipPolygon joined the pieces of a crossed ring: %v", mp)
	}
	want := tileclip.Round(clip.Ring(box, slices.Clone(bowTie)), box)
	got := c.Ringwise(nil, []orb.Ring{bowTie}, box)
	if len(got) != 1 || len(got[0]) != 1 || !slices.Equal(got[0][0], want) {
		t.Errorf("clipEach = %v, want orb's %v", got, want)
	}
}
