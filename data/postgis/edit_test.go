package postgis_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/paulmach/orb"

	"jingge/data"
	"jingge/data/postgis"
	"jingge/data/postgis/postgistest"
	"jingge/data/storetest"
	"jingge/geo"
)

func openSmall(t *testing.T) (*postgis.Store, context.Context) {
	t.Helper()
	st := postgistest.MustOpen(t)
	ctx := context.Background()
	if _, err := st.Import(ctx, storetest.Small(), data.ImportOptions{Actor: "test"}); err != nil {
		t.Fatal(err)
	}
	return st, ctx
}

func TestEditGeometry(t *testing.T) {
	st, ctx := openSmall(t)
	ds := storetest.Small()
	g := *grid(t, ds, "C1-1")
	g.Geometry = g.Geometry.Clone()
	before := g.Geometry.Clone()
	// Shrink the grid about its centre: no overlap, a gap in the community
	// level, which an edit does not check. (Shrinking towards a corner
	// would leave rounded points a hair beyond the shared edges, and the
	// overlap trigger is exact.)
	r := g.Geometry[0][0]
	c := r.Bound().Center()
	for i := range r {
		r[i] = orb.Point{c[0] + (r[i][0]-c[0])/2, c[1] + (r[i][1]-c[1])/2}
	}
	gv, err := st.EditGrid(ctx, data.GridEdit{Grid: g, BaseVersion: 1, Actor: "王警官", Reason: "boundary survey"})
	if err != nil {
		t.Fatalf("EditGrid: %v", err)
	}
	snap, err := st.Snapshot(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !orb.Equal(grid(t, snap, "C1-1").Geometry, g.Geometry) {
		t.Errorf("snapshot geometry %v, want %v", grid(t, snap, "C1-1").Geometry, g.Geometry)
	}
	past, err := st.SnapshotAt(ctx, gv.ValidFrom.Add(-time.Microsecond))
	if err != nil {
		t.Fatal(err)
	}
	if !orb.Equal(grid(t, past, "C1-1").Geometry, before) {
		t.Errorf("the past still shows the new geometry")
	}
	// An edit that changes nothing makes no version.
	same, err := st.EditGrid(ctx, data.GridEdit{Grid: g})
	if err != nil || same.Version != 2 {
		t.Errorf("repeating the edit: version %d, %v; want 2 and no new version", same.Version, err)
	}
}

func TestEditRejects(t *testing.T) {
	st, ctx := openSmall(t)
	ds := storetest.Small()
	overlap := *grid(t, ds, "C0-0")
	overlap.Geometry = overlap.Geometry.Clone()
	overlap.Geometry[0][0][1][0] += 0.004
	overlap.Geometry[0][0][2][0] += 0.004
	bowtie := *grid(t, ds, "C1-1")
	r := bowtie.Geometry[0][0]
	bowtie.Geometry = orb.MultiPolygon{{{r[0], r[2], r[1], r[3], r[0]}}}
	wrongParent := *grid(t, ds, "C0-0")
	wrongParent.ParentID = "C1-1"
	otherStation := *grid(t, ds, "C0-0")
	otherStation.StationID = "s02"
	policeMove := *grid(t, ds, "P0-0")
	policeMove.StationID = "s02"
	cases := []struct {
		name   string
		grid   geo.Grid
		reason string
	}{
		{"overlap", overlap, "overlaps grid"},
		{"self-intersection", bowtie, "Self-intersection at"},
		{"parent not a police grid", wrongParent, "is not a police grid"},
		{"station differs from the police grid's", otherStation, "differs from the station"},
		{"police grid leaves its community grids behind", policeMove, "move them first"},
	}
	for _, c := range cases {
		e := data.GridEdit{Grid: c.grid, Actor: "test"}
		_, err := st.EditGrid(ctx, e)
		var verr *data.ValidationError
		if !errors.Is(err, data.ErrInvalid) || !errors.As(err, &verr) || !strings.Contains(verr.Problems[0].Reason, c.reason) || verr.Problems[0].ID != e.Grid.ID {
			t.Errorf("%s: err = %v, want a ValidationError on grid %s saying %q", c.name, err, e.Grid.ID, c.reason)
		}
	}
	snap, err := st.Snapshot(ctx)
	if err != nil {
		t.Fatal(err)
	}
	storetest.SameDataset(t, ds, snap)
}

func TestEditOverlapNamesTheOtherGrid(t *testing.T) {
	st, ctx := openSmall(t)
	g := *grid(t, storetest.Small(), "C0-0")
	g.Geometry = g.Geometry.Clone()
	g.Geometry[0][0][1][0] += 0.004
	g.Geometry[0][0][2][0] += 0.004
	_, err := st.EditGrid(ctx, data.GridEdit{Grid: g})
	if err == nil || !strings.Contains(err.Error(), "grid C0-0 overlaps grid C1-0") {
		t.Errorf("err = %v, want it to name both grids", err)
	}
}

func TestEditRetiredGrid(t *testing.T) {
	st, ctx := openSmall(t)
	next, _, removed := storetest.Changed(storetest.Small())
	if _, err := st.Import(ctx, next, data.ImportOptions{}); err != nil {
		t.Fatal(err)
	}
	g := *grid(t, storetest.Small(), removed)
	if _, err := st.EditGrid(ctx, data.GridEdit{Grid: g}); !errors.Is(err, data.ErrNotFound) {
		t.Errorf("editing retired grid %s: err = %v, want ErrNotFound", removed, err)
	}
}

func TestConcurrentEditsOfOneGrid(t *testing.T) {
	st, ctx := openSmall(t)
	base := *grid(t, storetest.Small(), "C0-0")
	const n = 8
	errs := make(chan error, n)
	for i := range n {
		go func() {
			g := base
			g.Population = 1000 + i
			_, err := st.EditGrid(ctx, data.GridEdit{Grid: g, BaseVersion: 1})
			errs <- err
		}()
	}
	ok, conflicts := 0, 0
	for range n {
		switch err := <-errs; {
		case err == nil:
			ok++
		case errors.Is(err, data.ErrConflict):
			conflicts++
		default:
			t.Errorf("unexpected error: %v", err)
		}
	}
	if ok != 1 || conflicts != n-1 {
		t.Errorf("%d edits against version 1 succeeded and %d conflicted; want exactly one to win", ok, conflicts)
	}
}
