// Package storetest is the one suite of tests every data.Store passes: the
// embedded memory store and PostGIS run the same cases, so a behaviour the
// API relies on cannot differ between them. It also builds the synthetic
// datasets those tests, the property tests and the benchmarks use.
package storetest

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"jingge/data"
	"jingge/data/datafile"
	"jingge/data/memory"
	"jingge/geo"
)

// Store is what the suite exercises: a data.Store that imports, edits and
// remembers.
type Store interface {
	data.Store
	data.Importer
	data.GridEditor
	data.History
}

// Opener returns a new store, isolated from every other, holding ds. It
// closes the store when the test ends.
type Opener func(t *testing.T, ds *geo.Dataset) Store

// watchTimeout bounds how long a change may take to reach a watcher.
const watchTimeout = 2 * time.Second

// quietPeriod is how long a watcher must stay silent to count as not woken.
const quietPeriod = 300 * time.Millisecond

// Run runs the whole suite against the stores open returns. Cases run in
// parallel when parallel is set.
func Run(t *testing.T, open Opener, parallel bool) {
	cases := []struct {
		name string
		fn   func(t *testing.T, open Opener)
	}{
		{"SnapshotRoundTrip", testSnapshotRoundTrip},
		{"SnapshotIsACopy", testSnapshotIsACopy},
		{"WatchFiresAfterImport", testWatchFiresAfterImport},
		{"WatchFiresAfterEdit", testWatchFiresAfterEdit},
		{"WatchClosesWithContext", testWatchClosesWithContext},
		{"ImportReplaces", testImportReplaces},
		{"ImportSameDatasetKeepsVersions", testImportSameKeepsVersions},
		{"InvalidImportLeavesDataUnchanged", testInvalidImportLeavesDataUnchanged},
		{"ImportRefusesWhatCheckRefuses", testImportRefusesWhatCheckRefuses},
		{"DryRunChangesNothing", testDryRunChangesNothing},
		{"EditCreatesNewVersion", testEditCreatesNewVersion},
		{"EditErrors", testEditErrors},
		{"AsOf", testAsOf},
		{"RetiredGridComesBack", testRetiredGridComesBack},
		{"GridTerrain", testGridTerrain},
		{"GridWatchNamesEdit", testGridWatchNamesEdit},
		{"GridsNow", testGridsNow},
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

func clone(ds *geo.Dataset) *geo.Dataset { return memory.Clone(ds) }

// SameDataset fails t unless want and got encode to the same dataset file,
// which compares every field the file format carries, in order.
func SameDataset(t testing.TB, want, got *geo.Dataset) {
	t.Helper()
	w, g := encode(t, want), encode(t, got)
	if bytes.Equal(w, g) {
		return
	}
	wl, gl := strings.Split(string(w), "\n"), strings.Split(string(g), "\n")
	for i := range max(len(wl), len(gl)) {
		var a, b string
		if i < len(wl) {
			a = wl[i]
		}
		if i < len(gl) {
			b = gl[i]
		}
		if a != b {
			t.Fatalf("datasets differ at line %d of their files:\nwant %.400s\n got %.400s", i+1, a, b)
		}
	}
}

func encode(t testing.TB, ds *geo.Dataset) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := datafile.Write(&buf, ds); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func snapshot(t *testing.T, st Store) *geo.Dataset {
	t.Helper()
	ds, err := st.Snapshot(context.Background())
	if err != nil {
		t.Fatalf("Snapshot: %v", err)
	}
	return ds
}

func watch(t *testing.T, st Store) <-chan struct{} {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	ch, err := st.Watch(ctx)
	if err != nil {
		t.Fatalf("Watch: %v", err)
	}
	return ch
}

// WaitSignal fails t unless ch delivers a value within timeout.
func WaitSignal(t testing.TB, ch <-chan struct{}, timeout time.Duration) {
	t.Helper()
	select {
	case _, ok := <-ch:
		if !ok {
			t.Fatal("watch channel closed before a change arrived")
		}
	case <-time.After(timeout):
		t.Fatalf("no change signal within %v", timeout)
	}
}

// expectQuiet fails t if ch delivers a value within quietPeriod.
func expectQuiet(t *testing.T, ch <-chan struct{}) {
	t.Helper()
	select {
	case <-ch:
		t.Fatal("watcher woken although nothing was committed")
	case <-time.After(quietPeriod):
	}
}

func gridByID(ds *geo.Dataset, id string) *geo.Grid {
	for i := range ds.Grids {
		if ds.Grids[i].ID == id {
			return &ds.Grids[i]
		}
	}
	return nil
}

func firstCommunity(ds *geo.Dataset) geo.Grid {
	for _, g := range ds.Grids {
		if g.Level == geo.CommunityLevel {
			return g
		}
	}
	panic("storetest: dataset without community grids")
}

func testSnapshotRoundTrip(t *testing.T, open Opener) {
	ds := Small()
	// One grid, many forces: the newer roles and further roles come back.
	ds.Members[0].Roles = []geo.Role{geo.SecurityAssistant, geo.Volunteer}
	ds.Members[len(ds.Members)-1].Role = geo.JusticeStaff
	ds.Members[len(ds.Members)-1].Roles = []geo.Role{geo.TownshipStaff}
	st := open(t, clone(ds))
	if got := snapshot(t, st).Members[0].Roles; len(got) != 2 || got[1] != geo.Volunteer {
		t.Errorf("first member's further roles came back as %v", got)
	}
	SameDataset(t, ds, snapshot(t, st))
	if _, err := geo.NewIndex(snapshot(t, st)); err != nil {
		t.Fatalf("snapshot does not index: %v", err)
	}
}

func testSnapshotIsACopy(t *testing.T, open Opener) {
	ds := Small()
	st := open(t, clone(ds))
	s1 := snapshot(t, st)
	s1.Grids[0].Name = "changed by the caller"
	s1.Grids[0].Geometry[0][0][0][0] = 0
	s1.Members[0].GridIDs[0] = "nowhere"
	SameDataset(t, ds, snapshot(t, st))
}

func testWatchFiresAfterImport(t *testing.T, open Opener) {
	ds := Small()
	st := open(t, clone(ds))
	ch := watch(t, st)
	next, _, _ := Changed(ds)
	if _, err := st.Import(context.Background(), next, data.ImportOptions{Actor: "storetest"}); err != nil {
		t.Fatalf("Import: %v", err)
	}
	WaitSignal(t, ch, watchTimeout)
	SameDataset(t, next, snapshot(t, st))
}

func testWatchFiresAfterEdit(t *testing.T, open Opener) {
	ds := Small()
	st := open(t, clone(ds))
	ch := watch(t, st)
	g := firstCommunity(ds)
	g.Population += 5
	if _, err := st.EditGrid(context.Background(), data.GridEdit{Grid: g, Actor: "storetest", Reason: "census"}); err != nil {
		t.Fatalf("EditGrid: %v", err)
	}
	WaitSignal(t, ch, watchTimeout)
}

func testWatchClosesWithContext(t *testing.T, open Opener) {
	st := open(t, Small())
	ctx, cancel := context.WithCancel(context.Background())
	ch, err := st.Watch(ctx)
	if err != nil {
		t.Fatalf("Watch: %v", err)
	}
	cancel()
	deadline := time.After(watchTimeout)
	for {
		select {
		case _, ok := <-ch:
			if !ok {
				return
			}
		case <-deadline:
			t.Fatal("watch channel still open after its context ended")
		}
	}
}

func testImportReplaces(t *testing.T, open Opener) {
	ds := Small()
	st := open(t, clone(ds))
	next, renamed, removed := Changed(ds)
	rep, err := st.Import(context.Background(), clone(next), data.ImportOptions{Actor: "storetest"})
	if err != nil {
		t.Fatalf("Import: %v", err)
	}
	want := data.ImportReport{Stations: len(next.Stations), Townships: len(next.Townships), Grids: len(next.Grids), Members: len(next.Members), Changed: 1, Retired: 1, Unchanged: len(next.Grids) - 1}
	if rep.Stations != want.Stations || rep.Grids != want.Grids || rep.Members != want.Members || rep.Townships != want.Townships ||
		rep.Created != 0 || rep.Changed != want.Changed || rep.Retired != want.Retired || rep.Unchanged != want.Unchanged || rep.DryRun {
		t.Errorf("report = %+v, want counts %+v", rep, want)
	}
	SameDataset(t, next, snapshot(t, st))
	h, err := st.GridHistory(context.Background(), renamed)
	if err != nil || len(h) != 2 || h[1].Version != 2 || !h[1].ValidTo.IsZero() || h[0].ValidTo.IsZero() {
		t.Errorf("history of renamed grid %s = %+v, %v; want two versions, the second in force", renamed, h, err)
	}
	h, err = st.GridHistory(context.Background(), removed)
	if err != nil || len(h) != 1 || h[0].ValidTo.IsZero() {
		t.Errorf("history of removed grid %s = %+v, %v; want one closed version", removed, h, err)
	}
}

func testImportSameKeepsVersions(t *testing.T, open Opener) {
	ds := Small()
	st := open(t, clone(ds))
	rep, err := st.Import(context.Background(), clone(ds), data.ImportOptions{})
	if err != nil {
		t.Fatalf("Import: %v", err)
	}
	if rep.Unchanged != len(ds.Grids) || rep.Created+rep.Changed+rep.Retired != 0 {
		t.Errorf("re-importing the same dataset: report %+v, want every grid unchanged", rep)
	}
	h, err := st.GridHistory(context.Background(), ds.Grids[0].ID)
	if err != nil || len(h) != 1 {
		t.Errorf("history after re-import = %d versions, %v; want 1", len(h), err)
	}
}

func testInvalidImportLeavesDataUnchanged(t *testing.T, open Opener) {
	ds := Small()
	st := open(t, clone(ds))
	ch := watch(t, st)
	bad, _, _ := Changed(ds)
	badID := bad.Grids[1].ID
	bad.Grids[1].StationID = "nowhere"
	rep, err := st.Import(context.Background(), bad, data.ImportOptions{Actor: "storetest"})
	if !errors.Is(err, data.ErrInvalid) {
		t.Fatalf("Import of a grid with an unknown station: err = %v, want data.ErrInvalid", err)
	}
	var verr *data.ValidationError
	if !errors.As(err, &verr) {
		t.Fatalf("err = %v, want a *data.ValidationError", err)
	}
	named := false
	for _, p := range verr.Problems {
		if p.Kind == "grid" && p.ID == badID && strings.Contains(p.Reason, "nowhere") {
			named = true
		}
	}
	if !named || len(rep.Problems) == 0 {
		t.Errorf("problems %v (report %v) do not name grid %s and its unknown station", verr.Problems, rep.Problems, badID)
	}
	SameDataset(t, ds, snapshot(t, st))
	expectQuiet(t, ch)
}

// testImportRefusesWhatCheckRefuses: every store refuses a dataset that
// breaks a rule of geo.Check, including those an index could be built
// around, and names the rule, the feature and the value.
func testImportRefusesWhatCheckRefuses(t *testing.T, open Opener) {
	cases := []struct {
		name   string
		change func(ds *geo.Dataset) (kind, id string)
		code   geo.ProblemCode
		value  string
	}{
		{"a datum by another name", func(ds *geo.Dataset) (string, string) { ds.Meta.Datum = "mars"; return "dataset", "" }, geo.ProblemUnknownDatum, "mars"},
		{"a time zone nobody keeps", func(ds *geo.Dataset) (string, string) { ds.Meta.TimeZone = "Mars/Olympus_Mons"; return "dataset", "" }, geo.ProblemUnknownTimeZone, "Mars/Olympus_Mons"},
		{"a negative population", func(ds *geo.Dataset) (string, string) {
			ds.Grids[1].Population = -5
			return "grid", ds.Grids[1].ID
		}, geo.ProblemNegativeNumber, "-5"},
		{"an unknown role", func(ds *geo.Dataset) (string, string) {
			ds.Members[0].Role = "sheriff"
			return "member", ds.Members[0].ID
		}, geo.ProblemUnknownRole, "sheriff"},
		{"a member of a grid listed twice", func(ds *geo.Dataset) (string, string) {
			m := &ds.Members[0]
			m.GridIDs = append(m.GridIDs, m.GridIDs[0])
			return "member", m.ID
		}, geo.ProblemListedTwice, ds0MemberGrid()},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ds := Small()
			st := open(t, clone(ds))
			bad := clone(ds)
			kind, id := c.change(bad)
			_, err := st.Import(context.Background(), bad, data.ImportOptions{Actor: "storetest"})
			var verr *data.ValidationError
			if !errors.As(err, &verr) {
				t.Fatalf("Import: err = %v, want a *data.ValidationError", err)
			}
			found := false
			for _, p := range verr.Problems {
				found = found || p.Code == c.code && p.Kind == kind && p.ID == id && strings.Contains(p.Reason, c.value)
			}
			if !found {
				t.Errorf("problems %+v do not name %s %q with %s and %q", verr.Problems, kind, id, c.code, c.value)
			}
			SameDataset(t, ds, snapshot(t, st))
		})
	}
}

// ds0MemberGrid is the first grid of Small's first member.
func ds0MemberGrid() string { return Small().Members[0].GridIDs[0] }

func testDryRunChangesNothing(t *testing.T, open Opener) {
	ds := Small()
	st := open(t, clone(ds))
	ch := watch(t, st)
	next, _, _ := Changed(ds)
	rep, err := st.Import(context.Background(), next, data.ImportOptions{DryRun: true})
	if err != nil {
		t.Fatalf("dry run: %v", err)
	}
	if !rep.DryRun || rep.Changed != 1 || rep.Retired != 1 {
		t.Errorf("dry-run report %+v, want DryRun with 1 changed and 1 retired", rep)
	}
	SameDataset(t, ds, snapshot(t, st))
	expectQuiet(t, ch)
}

func testEditCreatesNewVersion(t *testing.T, open Opener) {
	ds := Small()
	st := open(t, clone(ds))
	ctx := context.Background()
	g := firstCommunity(ds)
	old := g
	g.Name = "新名字"
	g.Population = 4321
	// Only attributes change: every vertex of the lattice is shared, and
	// geometry edits are exercised by the geometry-aware stores' own tests.
	gv, err := st.EditGrid(ctx, data.GridEdit{Grid: g, BaseVersion: 1, Actor: "storetest", Reason: "rename"})
	if err != nil {
		t.Fatalf("EditGrid: %v", err)
	}
	if gv.Version != 2 || gv.Grid.Name != "新名字" || gv.ValidFrom.IsZero() || !gv.ValidTo.IsZero() {
		t.Errorf("EditGrid returned %+v, want version 2 in force", gv)
	}
	snap := snapshot(t, st)
	if got := gridByID(snap, g.ID); got == nil || got.Name != "新名字" || got.Population != 4321 {
		t.Fatalf("snapshot after edit has %+v", got)
	}
	if snap.Grids[0].ID != ds.Grids[0].ID || len(snap.Grids) != len(ds.Grids) {
		t.Errorf("the edit changed the order or number of grids")
	}
	h, err := st.GridHistory(ctx, g.ID)
	if err != nil || len(h) != 2 {
		t.Fatalf("GridHistory = %d versions, %v; want 2", len(h), err)
	}
	if !h[0].ValidTo.Equal(h[1].ValidFrom) || h[0].Grid.Name != old.Name || h[1].Version != 2 {
		t.Errorf("history %+v: want version 1 closed when version 2 began", h)
	}
	before, err := st.SnapshotAt(ctx, h[1].ValidFrom.Add(-time.Microsecond))
	if err != nil {
		t.Fatalf("SnapshotAt: %v", err)
	}
	SameDataset(t, ds, before)
}

func testEditErrors(t *testing.T, open Opener) {
	ds := Small()
	st := open(t, clone(ds))
	ctx := context.Background()
	g := firstCommunity(ds)
	unknown := g
	unknown.ID = "no-such-grid"
	badStation := g
	badStation.StationID = "nowhere"
	badLevel := g
	badLevel.Level = geo.PoliceLevel
	badLevel.ParentID = ""
	cases := []struct {
		name string
		edit data.GridEdit
		want error
	}{
		{"unknown grid", data.GridEdit{Grid: unknown}, data.ErrNotFound},
		{"stale base version", data.GridEdit{Grid: g, BaseVersion: 7}, data.ErrConflict},
		{"unknown station", data.GridEdit{Grid: badStation}, data.ErrInvalid},
		{"level change", data.GridEdit{Grid: badLevel}, data.ErrInvalid},
	}
	for _, c := range cases {
		if _, err := st.EditGrid(ctx, c.edit); !errors.Is(err, c.want) {
			t.Errorf("%s: err = %v, want %v", c.name, err, c.want)
		}
	}
	SameDataset(t, ds, snapshot(t, st))
}

func testAsOf(t *testing.T, open Opener) {
	ds := Small()
	st := open(t, clone(ds))
	ctx := context.Background()
	next, renamed, _ := Changed(ds)
	if _, err := st.Import(ctx, clone(next), data.ImportOptions{}); err != nil {
		t.Fatalf("Import: %v", err)
	}
	h, err := st.GridHistory(ctx, renamed)
	if err != nil || len(h) != 2 {
		t.Fatalf("GridHistory(%s) = %+v, %v", renamed, h, err)
	}
	first, second := h[0].ValidFrom, h[1].ValidFrom
	cases := []struct {
		name  string
		at    time.Time
		grids []geo.Grid
	}{
		{"before the first import", first.Add(-time.Microsecond), nil},
		{"at the first import", first, ds.Grids},
		{"just before the second import", second.Add(-time.Microsecond), ds.Grids},
		{"at the second import", second, next.Grids},
		{"now", time.Now().Add(time.Hour), next.Grids},
	}
	for _, c := range cases {
		got, err := st.SnapshotAt(ctx, c.at)
		if err != nil {
			t.Fatalf("%s: SnapshotAt: %v", c.name, err)
		}
		want := clone(got)
		want.Grids = c.grids
		SameDataset(t, want, got)
		if len(c.grids) > 0 {
			if _, err := geo.NewIndex(got); err != nil {
				t.Errorf("%s: the past dataset does not index: %v", c.name, err)
			}
		}
	}
}

func testRetiredGridComesBack(t *testing.T, open Opener) {
	ds := Small()
	st := open(t, clone(ds))
	ctx := context.Background()
	next, _, removed := Changed(ds)
	if _, err := st.Import(ctx, next, data.ImportOptions{}); err != nil {
		t.Fatalf("Import: %v", err)
	}
	rep, err := st.Import(ctx, clone(ds), data.ImportOptions{})
	if err != nil {
		t.Fatalf("Import back: %v", err)
	}
	if rep.Created != 1 || rep.Changed != 1 {
		t.Errorf("report %+v, want 1 created (the returning grid) and 1 changed", rep)
	}
	h, err := st.GridHistory(ctx, removed)
	if err != nil || len(h) != 2 || h[1].Version != 2 || !h[1].ValidTo.IsZero() {
		t.Errorf("history of the returning grid = %+v, %v; want version 2 in force", h, err)
	}
	SameDataset(t, ds, snapshot(t, st))
}

// testGridTerrain: a grid's own terrain is stored, read, kept by an edit
// that leaves it alone, versioned like any other attribute by edits and
// imports, and checked.
func testGridTerrain(t *testing.T, open Opener) {
	ctx := context.Background()
	ds := Small()
	police, village := ds.Grids[0].ID, firstCommunity(ds).ID
	gridByID(ds, police).Terrain = geo.Mountain
	gridByID(ds, village).Terrain = geo.Plain
	st := open(t, clone(ds))
	SameDataset(t, ds, snapshot(t, st))
	if h, err := st.GridHistory(ctx, police); err != nil || len(h) != 1 || h[0].Grid.Terrain != geo.Mountain {
		t.Errorf("history of %s = %+v, %v; want one version with terrain mountain", police, h, err)
	}

	g := *gridByID(ds, village)
	g.Name = "改名"
	gv, err := st.EditGrid(ctx, data.GridEdit{Grid: g, Actor: "storetest", Reason: "rename"})
	if err != nil || gv.Grid.Terrain != geo.Plain {
		t.Fatalf("an edit leaving the terrain alone: %+v, %v; want terrain plain kept", gv.Grid, err)
	}
	g.Terrain = ""
	gv, err = st.EditGrid(ctx, data.GridEdit{Grid: g, Actor: "storetest", Reason: "terrain unknown"})
	if err != nil || gv.Version != 3 || gv.Grid.Terrain != "" {
		t.Fatalf("an edit removing the terrain: version %d terrain %q, %v; want version 3 without terrain", gv.Version, gv.Grid.Terrain, err)
	}
	g.Terrain = "desert"
	if _, err := st.EditGrid(ctx, data.GridEdit{Grid: g, Actor: "storetest"}); !errors.Is(err, data.ErrInvalid) {
		t.Errorf("an edit to terrain desert: err = %v, want data.ErrInvalid", err)
	}
	h, err := st.GridHistory(ctx, village)
	if err != nil || len(h) != 3 || h[0].Grid.Terrain != geo.Plain || h[1].Grid.Terrain != geo.Plain || h[2].Grid.Terrain != "" {
		t.Errorf("history of %s = %+v, %v; want terrains plain, plain, none", village, h, err)
	}

	next := snapshot(t, st)
	gridByID(next, police).Terrain = geo.Hill
	gridByID(next, village).Terrain = geo.Plateau
	rep, err := st.Import(ctx, clone(next), data.ImportOptions{Actor: "storetest"})
	if err != nil {
		t.Fatalf("Import: %v", err)
	}
	if rep.Changed != 2 || rep.Unchanged != len(next.Grids)-2 || rep.Created+rep.Retired != 0 {
		t.Errorf("importing two changed terrains: report %+v, want 2 changed", rep)
	}
	SameDataset(t, next, snapshot(t, st))
	if rep, err := st.Import(ctx, clone(next), data.ImportOptions{}); err != nil || rep.Unchanged != len(next.Grids) {
		t.Errorf("importing the same terrains again: report %+v, %v; want every grid unchanged", rep, err)
	}

	bad := clone(next)
	gridByID(bad, police).Terrain = "desert"
	_, err = st.Import(ctx, bad, data.ImportOptions{})
	var verr *data.ValidationError
	if !errors.As(err, &verr) {
		t.Fatalf("importing terrain desert: err = %v, want a *data.ValidationError", err)
	}
	named := false
	for _, p := range verr.Problems {
		named = named || (p.Kind == "grid" && p.ID == police && strings.Contains(p.Reason, "desert"))
	}
	if !named {
		t.Errorf("problems %v do not name grid %s and its terrain", verr.Problems, police)
	}
	SameDataset(t, next, snapshot(t, st))
}
