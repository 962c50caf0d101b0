package storetest

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/paulmach/orb"

	"jingge/data"
	"jingge/geo"
	"jingge/geo/geotest"
)

// OverlayStore is what the overlay cases exercise: a Store that also edits
// single areas, key places and checkpoints.
type OverlayStore interface {
	Store
	data.OverlayEditor
	data.CheckpointEditor
}

// OverlayOpener returns a new, isolated store holding ds; it closes the
// store when the test ends.
type OverlayOpener func(t *testing.T, ds *geo.Dataset) OverlayStore

// RunOverlays runs the cases of special areas and key places against the
// stores open returns.
func RunOverlays(t *testing.T, open OverlayOpener, parallel bool) {
	cases := []struct {
		name string
		fn   func(t *testing.T, open OverlayOpener)
	}{
		{"ImportKeepsAndVersions", testOverlayImport},
		{"PutAreaVersions", testPutArea},
		{"PutPlaceVersions", testPutPlace},
		{"DeleteRetires", testOverlayDelete},
		{"InvalidIsRefused", testOverlayInvalid},
		{"CheckpointImport", testCheckpointImport},
		{"CheckpointEdits", testCheckpointEdits},
		{"CheckpointInvalid", testCheckpointInvalid},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if parallel {
				t.Parallel()
			}
			c.fn(t, open)
		})
	}
}

// WithOverlays is Small with three areas and five key places, one area a
// works site with an end and one place with opening hours.
func WithOverlays() *geo.Dataset {
	ds := Small()
	geotest.Overlays(ds, 3, 5, 3)
	ds.Areas[2].Kind = geo.AreaWorks
	ds.Areas[2].ValidFrom = time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC)
	ds.Areas[2].ValidTo = time.Date(2027, 6, 30, 16, 0, 0, 0, time.UTC)
	ds.Places[1].Opening = "6:00-12:00"
	return ds
}

func versions(ds *geo.Dataset) map[string]int {
	out := map[string]int{}
	for _, a := range ds.Areas {
		out["area "+a.ID] = a.Version
	}
	for _, p := range ds.Places {
		out["place "+p.ID] = p.Version
	}
	return out
}

func testOverlayImport(t *testing.T, open OverlayOpener) {
	ds := WithOverlays()
	st := open(t, clone(ds))
	got := snapshot(t, st)
	SameDataset(t, ds, got)
	for k, v := range versions(got) {
		if v != 1 {
			t.Errorf("%s has version %d after the first import, want 1", k, v)
		}
	}
	if !got.Areas[2].ValidTo.Equal(ds.Areas[2].ValidTo) || !got.Areas[2].ValidFrom.Equal(ds.Areas[2].ValidFrom) {
		t.Errorf("the works' period is %v–%v, want %v–%v", got.Areas[2].ValidFrom, got.Areas[2].ValidTo, ds.Areas[2].ValidFrom, ds.Areas[2].ValidTo)
	}
	next := clone(ds)
	next.Areas[0].Name = "renamed"
	next.Places[4].Location[0] += 1e-4
	next.Places = next.Places[1:] // place 0 leaves
	rep, err := st.Import(context.Background(), clone(next), data.ImportOptions{Actor: "storetest"})
	if err != nil {
		t.Fatalf("Import: %v", err)
	}
	if rep.Areas != 3 || rep.Places != 4 {
		t.Errorf("report counts %d areas and %d places, want 3 and 4", rep.Areas, rep.Places)
	}
	got = snapshot(t, st)
	SameDataset(t, next, got)
	want := map[string]int{"area area-0000": 2, "area area-0001": 1, "area area-0002": 1,
		"place place-00001": 1, "place place-00002": 1, "place place-00003": 1, "place place-00004": 2}
	for k, v := range versions(got) {
		if want[k] != v {
			t.Errorf("%s has version %d after the second import, want %d", k, v, want[k])
		}
	}
	if _, err := geo.NewIndex(got); err != nil {
		t.Fatalf("the snapshot does not index: %v", err)
	}
}

func testPutArea(t *testing.T, open OverlayOpener) {
	ds := WithOverlays()
	st := open(t, clone(ds))
	ctx := context.Background()
	ch := watch(t, st)
	a := ds.Areas[0]
	a.ID, a.Name, a.Kind = "lijiahe", "李家河饮用水源保护区", geo.AreaWaterProtection
	a.Liaison = geo.Liaison{Name: "王水", Phone: "13800138000"}
	got, err := st.PutArea(ctx, data.AreaEdit{Area: a, Create: true, Actor: "storetest"})
	if err != nil || got.Version != 1 || got.Name != a.Name {
		t.Fatalf("PutArea(new) = %+v, %v; want version 1", got, err)
	}
	WaitSignal(t, ch, watchTimeout)
	if _, err := st.PutArea(ctx, data.AreaEdit{Area: a, Create: true}); !errors.Is(err, data.ErrConflict) {
		t.Errorf("creating it again: err = %v, want ErrConflict", err)
	}
	a.Opening = "全年"
	if got, err = st.PutArea(ctx, data.AreaEdit{Area: a, BaseVersion: 1}); err != nil || got.Version != 2 {
		t.Fatalf("PutArea(changed) = %+v, %v; want version 2", got, err)
	}
	WaitSignal(t, ch, watchTimeout)
	if got, err = st.PutArea(ctx, data.AreaEdit{Area: a}); err != nil || got.Version != 2 {
		t.Errorf("PutArea(same) = version %d, %v; want 2 kept", got.Version, err)
	}
	if _, err := st.PutArea(ctx, data.AreaEdit{Area: a, BaseVersion: 1}); !errors.Is(err, data.ErrConflict) {
		t.Errorf("an edit against version 1 when 2 is in force: err = %v, want ErrConflict", err)
	}
	missing := a
	missing.ID = "nowhere"
	if _, err := st.PutArea(ctx, data.AreaEdit{Area: missing, BaseVersion: 3}); !errors.Is(err, data.ErrNotFound) {
		t.Errorf("an edit of an unknown id against a version: err = %v, want ErrNotFound", err)
	}
	snap := snapshot(t, st)
	var found *geo.Area
	for i := range snap.Areas {
		if snap.Areas[i].ID == "lijiahe" {
			found = &snap.Areas[i]
		}
	}
	if found == nil || found.Version != 2 || found.Opening != "全年" || found.Liaison != a.Liaison || !orb.Equal(found.Geometry, a.Geometry) {
		t.Fatalf("the snapshot holds %+v, want the area put, version 2", found)
	}
	if len(snap.Areas) != len(ds.Areas)+1 {
		t.Errorf("the snapshot holds %d areas, want %d", len(snap.Areas), len(ds.Areas)+1)
	}
}

func testPutPlace(t *testing.T, open OverlayOpener) {
	ds := WithOverlays()
	st := open(t, clone(ds))
	ctx := context.Background()
	p := ds.Places[3]
	p.Name = "汤峪中心小学"
	p.Kind = geo.PlaceSchool
	got, err := st.PutPlace(ctx, data.PlaceEdit{Place: p, BaseVersion: 1, Actor: "storetest"})
	if err != nil || got.Version != 2 || got.Name != p.Name {
		t.Fatalf("PutPlace(changed) = %+v, %v; want version 2", got, err)
	}
	p.ID = "new-school"
	if got, err = st.PutPlace(ctx, data.PlaceEdit{Place: p}); err != nil || got.Version != 1 {
		t.Fatalf("PutPlace(new id) = %+v, %v; want version 1", got, err)
	}
	snap := snapshot(t, st)
	n := 0
	for _, q := range snap.Places {
		if q.Name == "汤峪中心小学" && q.Location == p.Location {
			n++
		}
	}
	if n != 2 || len(snap.Places) != len(ds.Places)+1 {
		t.Errorf("the snapshot holds %d of the two places put, and %d places; want 2 and %d", n, len(snap.Places), len(ds.Places)+1)
	}
}

func testOverlayDelete(t *testing.T, open OverlayOpener) {
	ds := WithOverlays()
	st := open(t, clone(ds))
	ctx := context.Background()
	if err := st.DeleteArea(ctx, data.OverlayDelete{ID: ds.Areas[1].ID, BaseVersion: 2}); !errors.Is(err, data.ErrConflict) {
		t.Errorf("a delete against a version not in force: err = %v, want ErrConflict", err)
	}
	ch := watch(t, st)
	if err := st.DeleteArea(ctx, data.OverlayDelete{ID: ds.Areas[1].ID, BaseVersion: 1, Actor: "storetest"}); err != nil {
		t.Fatalf("DeleteArea: %v", err)
	}
	WaitSignal(t, ch, watchTimeout)
	if err := st.DeleteArea(ctx, data.OverlayDelete{ID: ds.Areas[1].ID}); !errors.Is(err, data.ErrNotFound) {
		t.Errorf("deleting it again: err = %v, want ErrNotFound", err)
	}
	if err := st.DeletePlace(ctx, data.OverlayDelete{ID: ds.Places[0].ID, Actor: "storetest"}); err != nil {
		t.Fatalf("DeletePlace: %v", err)
	}
	want := clone(ds)
	want.Areas = append(want.Areas[:1], want.Areas[2:]...)
	want.Places = want.Places[1:]
	SameDataset(t, want, snapshot(t, st))
	// A deleted id may come back, as a new area.
	a := ds.Areas[1]
	got, err := st.PutArea(ctx, data.AreaEdit{Area: a, Create: true})
	if err != nil || got.Version < 1 {
		t.Fatalf("putting a deleted id back: %+v, %v", got, err)
	}
}

func testOverlayInvalid(t *testing.T, open OverlayOpener) {
	ds := WithOverlays()
	st := open(t, clone(ds))
	ctx := context.Background()
	ch := watch(t, st)
	a := ds.Areas[0]
	a.StationID = "nowhere"
	a.Kind = "castle"
	_, err := st.PutArea(ctx, data.AreaEdit{Area: a})
	var verr *data.ValidationError
	if !errors.As(err, &verr) || !errors.Is(err, data.ErrInvalid) {
		t.Fatalf("an area of an unknown station and kind: err = %v, want a *data.ValidationError", err)
	}
	seen := map[geo.ProblemCode]bool{}
	for _, p := range verr.Problems {
		if p.Kind == "area" && p.ID == a.ID {
			seen[p.Code] = true
		}
	}
	if !seen[geo.ProblemUnknownReference] || !seen[geo.ProblemUnknownKind] {
		t.Errorf("problems %v do not name area %s's station and kind", verr.Problems, a.ID)
	}
	a = ds.Areas[0]
	a.Geometry = orb.MultiPolygon{{{{0, 0}, {1, 0}, {0, 0}}}}
	if _, err := st.PutArea(ctx, data.AreaEdit{Area: a}); !errors.Is(err, data.ErrInvalid) || !strings.Contains(err.Error(), "at least 4") {
		t.Errorf("an area with a ring of three positions: err = %v, want ErrInvalid naming the ring", err)
	}
	p := ds.Places[0]
	p.Location = orb.Point{190, 0}
	if _, err := st.PutPlace(ctx, data.PlaceEdit{Place: p}); !errors.Is(err, data.ErrInvalid) || !strings.Contains(err.Error(), "place "+p.ID) {
		t.Errorf("a place off the globe: err = %v, want ErrInvalid naming the place", err)
	}
	p = ds.Places[0]
	p.ID = ""
	if _, err := st.PutPlace(ctx, data.PlaceEdit{Place: p}); !errors.Is(err, data.ErrInvalid) {
		t.Errorf("a place without an id: err = %v, want ErrInvalid", err)
	}
	bad := clone(ds)
	bad.Places[2].StationID = "nowhere"
	if _, err := st.Import(ctx, bad, data.ImportOptions{}); !errors.Is(err, data.ErrInvalid) {
		t.Errorf("an import with a place of an unknown station: err = %v, want ErrInvalid", err)
	}
	SameDataset(t, ds, snapshot(t, st))
	expectQuiet(t, ch)
}
