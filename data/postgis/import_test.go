package postgis_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/paulmach/orb"

	"jingge/data"
	"jingge/data/memory"
	"jingge/data/postgis/postgistest"
	"jingge/data/storetest"
	"jingge/geo"
)

func grid(t testing.TB, ds *geo.Dataset, id string) *geo.Grid {
	t.Helper()
	for i := range ds.Grids {
		if ds.Grids[i].ID == id {
			return &ds.Grids[i]
		}
	}
	t.Fatalf("no grid %s", id)
	return nil
}

// dropPoliceGrid removes a police grid, its community grids and the
// members serving them, leaving a hole in the partition.
func dropPoliceGrid(ds *geo.Dataset, id string) {
	gone := map[string]bool{id: true}
	var grids []geo.Grid
	for _, g := range ds.Grids {
		if g.ID == id || g.ParentID == id {
			gone[g.ID] = true
			continue
		}
		grids = append(grids, g)
	}
	ds.Grids = grids
	var members []geo.Member
	for _, m := range ds.Members {
		keep := true
		for _, gid := range m.GridIDs {
			keep = keep && !gone[gid]
		}
		if keep {
			members = append(members, m)
		}
	}
	ds.Members = members
}

func TestImportReportsBadFeatures(t *testing.T) {
	postgistest.URL(t)
	cases := []struct {
		name   string
		break_ func(t *testing.T, ds *geo.Dataset)
		kind   string
		id     string
		reason string
	}{
		{"self-intersection", func(t *testing.T, ds *geo.Dataset) {
			r := grid(t, ds, "C1-1").Geometry[0][0]
			grid(t, ds, "C1-1").Geometry[0][0] = orb.Ring{r[0], r[2], r[1], r[3], r[0]}
		}, "grid", "C1-1", "Self-intersection at"},
		{"unclosed ring", func(t *testing.T, ds *geo.Dataset) {
			g := grid(t, ds, "C0-0")
			g.Geometry[0][0] = g.Geometry[0][0][:4]
		}, "grid", "C0-0", "not closed"},
		{"unknown station", func(t *testing.T, ds *geo.Dataset) {
			grid(t, ds, "P1-0").StationID = "s99"
		}, "grid", "P1-0", `station "s99" is not in the dataset`},
		{"overlap", func(t *testing.T, ds *geo.Dataset) {
			r := grid(t, ds, "C0-0").Geometry[0][0]
			r[1][0] += 0.004
			r[2][0] += 0.004
		}, "grid", "C0-0", "overlaps grid C1-0"},
		{"gap against the county", func(t *testing.T, ds *geo.Dataset) {
			dropPoliceGrid(ds, "P1-1")
		}, "county", "", "lies in no police grid"},
		{"outside the county", func(t *testing.T, ds *geo.Dataset) {
			r := grid(t, ds, "P0-0").Geometry[0][0]
			r[0] = orb.Point{r[0][0] - 0.001, r[0][1] - 0.001}
			r[len(r)-1] = r[0]
		}, "grid", "P0-0", "outside the county outline"},
		{"unknown member grid", func(t *testing.T, ds *geo.Dataset) {
			ds.Members[0].GridIDs = append(ds.Members[0].GridIDs, "C9-9")
		}, "member", "m-P0-0", `grid "C9-9" is not in the dataset`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			st := postgistest.MustOpen(t)
			ctx := context.Background()
			good := storetest.Small()
			if _, err := st.Import(ctx, good, data.ImportOptions{}); err != nil {
				t.Fatal(err)
			}
			bad := memory.Clone(good)
			c.break_(t, bad)
			rep, err := st.Import(ctx, bad, data.ImportOptions{})
			var verr *data.ValidationError
			if !errors.Is(err, data.ErrInvalid) || !errors.As(err, &verr) {
				t.Fatalf("err = %v, want a ValidationError", err)
			}
			found := false
			for _, p := range verr.Problems {
				if p.Kind == c.kind && p.ID == c.id && strings.Contains(p.Reason, c.reason) {
					found = true
				}
			}
			if !found {
				t.Errorf("problems %v do not include %s %q: %q", verr.Problems, c.kind, c.id, c.reason)
			}
			if len(rep.Problems) != len(verr.Problems) {
				t.Errorf("report lists %d problems, error %d", len(rep.Problems), len(verr.Problems))
			}
			snap, err := st.Snapshot(ctx)
			if err != nil {
				t.Fatal(err)
			}
			storetest.SameDataset(t, good, snap)
		})
	}
}

func TestImportFix(t *testing.T) {
	st := postgistest.MustOpen(t)
	ctx := context.Background()
	ds := storetest.Small()
	r := grid(t, ds, "C1-1").Geometry[0][0]
	grid(t, ds, "C1-1").Geometry[0][0] = orb.Ring{r[0], r[2], r[1], r[3], r[0]}

	rep, err := st.Import(ctx, memory.Clone(ds), data.ImportOptions{Fix: true})
	if err != nil {
		t.Fatalf("Import --fix: %v", err)
	}
	if len(rep.Fixed) != 1 || rep.Fixed[0].ID != "C1-1" || !strings.Contains(rep.Fixed[0].Reason, "repaired with ST_MakeValid into 2 polygon(s)") {
		t.Errorf("Fixed = %v, want C1-1 repaired into 2 polygons", rep.Fixed)
	}
	snap, err := st.Snapshot(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if got := grid(t, snap, "C1-1").Geometry; len(got) != 2 {
		t.Errorf("repaired geometry has %d polygons, want 2", len(got))
	}

	// A ring whose points are all on one line has no area to keep.
	flat := storetest.Small()
	g := grid(t, flat, "C0-0")
	a := g.Geometry[0][0][0]
	g.Geometry[0][0] = orb.Ring{a, {a[0] + 0.001, a[1]}, {a[0] + 0.002, a[1]}, a}
	_, err = st.Import(ctx, flat, data.ImportOptions{Fix: true})
	var verr *data.ValidationError
	if !errors.As(err, &verr) || !strings.Contains(verr.Error(), "could not repair") {
		t.Fatalf("Import --fix of a flat ring: err = %v, want a problem saying it could not be repaired", err)
	}
}

func TestImportDryRunReportsProblemsToo(t *testing.T) {
	st := postgistest.MustOpen(t)
	ds := storetest.Small()
	grid(t, ds, "P1-0").StationID = "s99"
	rep, err := st.Import(context.Background(), ds, data.ImportOptions{DryRun: true})
	if !errors.Is(err, data.ErrInvalid) || !rep.DryRun || len(rep.Problems) == 0 {
		t.Fatalf("dry run of a bad dataset: report %+v, err %v", rep, err)
	}
}

func TestImportRetiresStations(t *testing.T) {
	st := postgistest.MustOpen(t)
	ctx := context.Background()
	ds := storetest.Synthetic(storetest.Partition{Cols: 4, Rows: 2, Stations: 2, Seed: 3})
	if _, err := st.Import(ctx, ds, data.ImportOptions{}); err != nil {
		t.Fatal(err)
	}
	h, err := st.GridHistory(ctx, "P1-0")
	if err != nil {
		t.Fatal(err)
	}
	// Station s02 goes; its grids move to s01.
	next := memory.Clone(ds)
	next.Stations = next.Stations[:1]
	for i := range next.Grids {
		next.Grids[i].StationID = "s01"
	}
	for i := range next.Members {
		next.Members[i].StationID = "s01"
	}
	if _, err := st.Import(ctx, next, data.ImportOptions{}); err != nil {
		t.Fatal(err)
	}
	snap, err := st.Snapshot(ctx)
	if err != nil {
		t.Fatal(err)
	}
	storetest.SameDataset(t, next, snap)
	past, err := st.SnapshotAt(ctx, h[0].ValidFrom)
	if err != nil {
		t.Fatal(err)
	}
	if len(past.Stations) != 2 || grid(t, past, "P1-0").StationID != "s02" {
		t.Errorf("the past snapshot has stations %v; want the retired s02 back for its grids", past.Stations)
	}
	if _, err := geo.NewIndex(past); err != nil {
		t.Errorf("the past snapshot does not index: %v", err)
	}
}
