package postgis_test

import (
	"context"
	"flag"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/paulmach/orb"

	"jingge/data"
	"jingge/data/lantian"
	"jingge/data/postgis"
	"jingge/data/postgis/postgistest"
	"jingge/data/storetest"
	"jingge/geo"
)

var seedFlag = flag.Uint64("seed", 0, "seed of the random points of the property tests (0: from the clock)")

func testSeed(t *testing.T) uint64 {
	t.Helper()
	s := *seedFlag
	if s == 0 {
		s = uint64(time.Now().UnixNano())
	}
	t.Logf("random seed %d (rerun with -seed=%d)", s, s)
	return s
}

// propertyPoints is how many random points the agreement test checks.
const propertyPoints = 100_000

// Nudge of the boundary rule: geo.Index puts a point on a shared edge in
// the grid on the edge's east side (north side for a horizontal edge),
// which is the grid whose interior holds the point moved by a hair east and
// a far smaller hair north; a point on the union's outline that the nudge
// moves out of every grid goes to the lowest id of the grids covering it. 1e-8° is about 1 mm; 1e-13° is still several
// ulps at these coordinates, and edges of the test data are far from
// horizontal enough (|dx/dy| < 1e5) for the order of the two to hold.
const (
	nudgeEast  = 1e-8
	nudgeNorth = 1e-13
)

// agreementSQL asks, for every point at once, which leaf grids in force
// (community grids, and police grids without community grids: the grids
// geo.Index answers with) cover it, hold it in their interior, and hold the
// nudged point in their interior.
const agreementSQL = `
with pts as (
	select i, ST_SetSRID(ST_MakePoint(x, y), 4326) as p, ST_SetSRID(ST_MakePoint(x + $3, y + $4), 4326) as q
	from unnest($1::float8[], $2::float8[]) with ordinality as u(x, y, i))
select
	coalesce((select array_agg(g.id order by g.id) from current_grids g
	          where ST_Covers(g.geom, pts.p) and (g.level = 'community' or not exists (select 1 from current_grids c where c.parent_id = g.id))), '{}'),
	coalesce((select array_agg(g.id order by g.id) from current_grids g
	          where ST_Contains(g.geom, pts.p) and (g.level = 'community' or not exists (select 1 from current_grids c where c.parent_id = g.id))), '{}'),
	coalesce((select array_agg(g.id order by g.id) from current_grids g
	          where ST_Contains(g.geom, pts.q) and (g.level = 'community' or not exists (select 1 from current_grids c where c.parent_id = g.id))), '{}')
from pts order by i`

// checkAgreement loads st's dataset into a geo.Index the way a server
// does, looks up every point there and in PostGIS with one query, and
// fails on any point where they differ. It returns how many points were
// inside a grid, on a boundary and outside every grid.
func checkAgreement(t *testing.T, st *postgis.Store, pts []orb.Point) (inside, boundary, outside int) {
	t.Helper()
	ctx := context.Background()
	ds, err := st.Snapshot(ctx)
	if err != nil {
		t.Fatal(err)
	}
	ix, err := geo.NewIndex(ds)
	if err != nil {
		t.Fatal(err)
	}
	xs, ys := make([]float64, len(pts)), make([]float64, len(pts))
	for i, p := range pts {
		xs[i], ys[i] = p[0], p[1]
	}
	start := time.Now()
	rows, err := st.Pool().Query(ctx, agreementSQL, xs, ys, nudgeEast, nudgeNorth)
	if err != nil {
		t.Fatal(err)
	}
	var covers, contains, nudged []string
	i, mismatches := 0, 0
	_, err = pgx.ForEachRow(rows, []any{&covers, &contains, &nudged}, func() error {
		p := pts[i]
		i++
		var want string
		switch {
		case len(contains) > 1 || len(nudged) > 1:
			t.Errorf("point %v lies inside several grids %v %v: the grids overlap", p, contains, nudged)
			return nil
		case len(contains) == 1:
			want = contains[0]
			inside++
		case len(covers) > 0:
			boundary++
			if len(nudged) == 1 {
				want = nudged[0]
			} else {
				// On the union's outline, with no grid east or north of
				// it: the outline rule gives it to the lowest id among
				// the grids it is on the edge of (covers is sorted).
				want = covers[0]
			}
		default:
			outside++
		}
		h := ix.Lookup(p)
		got := ""
		switch {
		case h.Community != nil:
			got = h.Community.ID
		case h.Police != nil:
			got = h.Police.ID
		}
		if got != want {
			mismatches++
			if mismatches <= 10 {
				t.Errorf("point %.10f %.10f: geo.Index says %q, PostGIS %q (covered by %v, interior of %v, nudged into %v)", p[0], p[1], got, want, covers, contains, nudged)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if i != len(pts) {
		t.Fatalf("PostGIS answered for %d of %d points", i, len(pts))
	}
	if mismatches > 0 {
		t.Errorf("%d of %d points disagree", mismatches, len(pts))
	}
	t.Logf("%d points in one query, %v: %d inside a grid, %d on a boundary, %d outside", len(pts), time.Since(start).Round(time.Millisecond), inside, boundary, outside)
	return inside, boundary, outside
}

func TestLookupAgreesWithPostGISSynthetic(t *testing.T) {
	st := postgistest.MustOpen(t)
	p := storetest.Partition{Cols: 60, Rows: 40, Stations: 5, Seed: 7}
	if _, err := st.Import(context.Background(), storetest.Synthetic(p), data.ImportOptions{}); err != nil {
		t.Fatal(err)
	}
	r := rand.New(rand.NewPCG(testSeed(t), 1))
	xs, ys := p.Lattice()
	b := p.Bound()
	pad := 0.01 * (b.Max[0] - b.Min[0])
	pts := make([]orb.Point, propertyPoints)
	for k := range pts {
		switch u := r.Float64(); {
		case u < 0.6: // anywhere, also a little outside
			pts[k] = orb.Point{b.Min[0] - pad + r.Float64()*(b.Max[0]-b.Min[0]+2*pad), b.Min[1] - pad + r.Float64()*(b.Max[1]-b.Min[1]+2*pad)}
		case u < 0.8: // on a vertical lattice line: exactly on shared edges
			pts[k] = orb.Point{xs[r.IntN(len(xs))], b.Min[1] + r.Float64()*(b.Max[1]-b.Min[1])}
		case u < 0.9: // lattice vertices, where three or four grids meet
			i := r.IntN(len(xs))
			pts[k] = orb.Point{xs[i], ys[i][r.IntN(len(ys[i]))]}
		default: // on horizontal edges, where there are some
			i, j := r.IntN(len(xs)-1), r.IntN(len(ys[0]))
			if ys[i][j] == ys[i+1][j] {
				pts[k] = orb.Point{xs[i] + r.Float64()*(xs[i+1]-xs[i]), ys[i][j]}
			} else {
				pts[k] = orb.Point{xs[i], ys[i][j]}
			}
		}
	}
	_, boundary, outside := checkAgreement(t, st, pts)
	if boundary < propertyPoints/4 || outside == 0 {
		t.Errorf("only %d boundary and %d outside points: the test no longer exercises the boundary rule", boundary, outside)
	}
}

func lantianDataset(t testing.TB) *geo.Dataset {
	t.Helper()
	ds, err := lantian.Load()
	if err != nil {
		t.Fatal(err)
	}
	if len(ds.Grids) == 0 {
		t.Fatal("the bundled Lantian dataset has no grids")
	}
	return ds
}

func TestLookupAgreesWithPostGISLantian(t *testing.T) {
	st := postgistest.MustOpen(t)
	ds := lantianDataset(t)
	if _, err := st.Import(context.Background(), ds, data.ImportOptions{}); err != nil {
		t.Fatal(err)
	}
	r := rand.New(rand.NewPCG(testSeed(t), 2))
	b := ds.County.Bound()
	pts := make([]orb.Point, propertyPoints)
	for k := range pts {
		if r.Float64() < 0.9 {
			pts[k] = orb.Point{b.Min[0] + r.Float64()*(b.Max[0]-b.Min[0]), b.Min[1] + r.Float64()*(b.Max[1]-b.Min[1])}
			continue
		}
		// A vertex of a grid: on the boundary of two or more grids.
		g := ds.Grids[r.IntN(len(ds.Grids))].Geometry
		poly := g[r.IntN(len(g))]
		ring := poly[r.IntN(len(poly))]
		pts[k] = ring[r.IntN(len(ring))]
	}
	inside, boundary, _ := checkAgreement(t, st, pts)
	if inside == 0 || boundary == 0 {
		t.Errorf("%d inside and %d boundary points: the sample misses the county", inside, boundary)
	}
}
