package postgis_test

import (
	"context"
	"slices"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/paulmach/orb"

	"jingge/data"
	"jingge/data/postgis/postgistest"
	"jingge/geo"
	"jingge/geo/geotest"
)

// outlineSQL asks, for every point at once, which community grids and which
// police grids cover it, and which lie within $3 degrees of it.
const outlineSQL = `
with pts as (
	select i, ST_SetSRID(ST_MakePoint(x, y), 4326) as p
	from unnest($1::float8[], $2::float8[]) with ordinality as u(x, y, i))
select
	coalesce((select array_agg(g.id order by g.id) from current_grids g where g.level = 'community' and ST_Covers(g.geom, pts.p)), '{}'),
	coalesce((select array_agg(g.id order by g.id) from current_grids g where g.level = 'police' and ST_Covers(g.geom, pts.p)), '{}'),
	coalesce((select array_agg(g.id order by g.id) from current_grids g where g.level = 'community' and ST_DWithin(g.geom, pts.p, $3)), '{}'),
	coalesce((select array_agg(g.id order by g.id) from current_grids g where g.level = 'police' and ST_DWithin(g.geom, pts.p, $3)), '{}')
from pts order by i`

// outlineNear is a distance well above geo's on-edge tolerance at
// Lantian's coordinates (3·10⁻¹² degrees) and far below any grid's size.
const outlineNear = 1e-10

// TestOutlineAgreesWithPostGIS: every vertex and float64 edge midpoint of
// the outline of the Lantian grids (the county's outline, at each level)
// gets from geo.Index a community grid and a police grid that PostGIS's
// ST_Covers names. A midpoint that rounded off the segment to the outside
// is covered by no grid in PostGIS; there the answer must be a grid within
// outlineNear of it, the one whose edge it is.
func TestOutlineAgreesWithPostGIS(t *testing.T) {
	st := postgistest.MustOpen(t)
	ctx := context.Background()
	if _, err := st.Import(ctx, lantianDataset(t), data.ImportOptions{}); err != nil {
		t.Fatal(err)
	}
	ds, err := st.Snapshot(ctx)
	if err != nil {
		t.Fatal(err)
	}
	ix, err := geo.NewIndex(ds)
	if err != nil {
		t.Fatal(err)
	}
	var pts []orb.Point
	var vertex []bool
	for _, level := range []geo.Level{geo.CommunityLevel, geo.PoliceLevel} {
		var grids []*geo.Grid
		for i := range ds.Grids {
			if ds.Grids[i].Level == level {
				grids = append(grids, &ds.Grids[i])
			}
		}
		for _, e := range geotest.Outline(grids) {
			pts = append(pts, e.A, e.Mid())
			vertex = append(vertex, true, false)
		}
	}
	xs, ys := make([]float64, len(pts)), make([]float64, len(pts))
	for i, p := range pts {
		xs[i], ys[i] = p[0], p[1]
	}
	rows, err := st.Pool().Query(ctx, outlineSQL, xs, ys, outlineNear)
	if err != nil {
		t.Fatal(err)
	}
	var coversC, coversP, nearC, nearP []string
	i, bad, offSegment := 0, 0, 0
	_, err = pgx.ForEachRow(rows, []any{&coversC, &coversP, &nearC, &nearP}, func() error {
		p, isVertex := pts[i], vertex[i]
		i++
		h := ix.Lookup(p)
		if isVertex && (len(coversC) == 0 || len(coversP) == 0) {
			t.Errorf("vertex %.10f %.10f: PostGIS covers it by no grid (community %v, police %v)", p[0], p[1], coversC, coversP)
			return nil
		}
		allowedC, allowedP := coversC, coversP
		if len(coversC) == 0 && len(coversP) == 0 {
			offSegment++
			allowedC, allowedP = nearC, nearP
		}
		gotC, gotP := "", ""
		if h.Community != nil {
			gotC = h.Community.ID
		}
		if h.Police != nil {
			gotP = h.Police.ID
		}
		if !slices.Contains(allowedC, gotC) || !slices.Contains(allowedP, gotP) {
			bad++
			if bad <= 10 {
				t.Errorf("outline point %.10f %.10f: geo.Index says %q/%q; PostGIS covers it by %v/%v, and %v/%v lie within %g",
					p[0], p[1], gotC, gotP, coversC, coversP, nearC, nearP, outlineNear)
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
	if bad > 0 {
		t.Errorf("%d of %d outline points get a grid PostGIS does not name", bad, len(pts))
	}
	if offSegment > len(pts)/4 {
		t.Errorf("%d of %d points are covered by no grid: the sample is not on the outline", offSegment, len(pts))
	}
	t.Logf("%d outline vertices and midpoints at both levels; %d midpoints rounded off the segment to the outside", len(pts), offSegment)
}
