package storetest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"reflect"
	"testing"
	"time"

	"jingge/data"
	"jingge/geo"
)

// PlanStore is what the plan suite exercises: a Store that also keeps
// plans and assessment entries.
type PlanStore interface {
	Store
	data.PlanStore
	data.AssessmentStore
	data.AnswerStore
}

// PlanOpener returns a new plan store, isolated from every other, holding
// ds. It closes the store when the test ends.
type PlanOpener func(t *testing.T, ds *geo.Dataset) PlanStore

// RunPlans runs the plan and assessment cases against the stores open
// returns. Cases run in parallel when parallel is set.
func RunPlans(t *testing.T, open PlanOpener, parallel bool) {
	cases := []struct {
		name string
		fn   func(t *testing.T, open PlanOpener)
	}{
		{"PlanSaveAndRead", testPlanSaveAndRead},
		{"PlanUnknown", testPlanUnknown},
		{"PlanApplyMovesGridsAndMembers", testPlanApply},
		{"PlanApplyRefusesStaleDataset", testPlanApplyStale},
		{"PlanApplyTwiceConflicts", testPlanApplyTwice},
		{"PlanApplyIsAtomic", testPlanApplyAtomic},
		{"AssessmentPutAndRead", testAssessmentPutAndRead},
		{"AssessmentRejectsBadEntriesWhole", testAssessmentRejects},
		{"GridEditKeyAnswersOnce", testGridEditKey},
		{"GridEditKeyKeptWhenNothingChanges", testGridEditKeyNoChange},
		{"PlanApplyKeyAnswersOnce", testPlanApplyKey},
		{"AssessmentKeyAnswersOnce", testAssessmentKey},
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

// Ids of Small that the plan cases move: police grid movedGrid of station
// fromStation, with its four community grids, goes to toStation, and so
// does member movedMember.
const (
	fromStation = "s02"
	toStation   = "s01"
	movedGrid   = "P1-0"
	movedMember = "m-P1-0"
)

var movedChildren = []string{"C2-0", "C2-1", "C3-0", "C3-1"}

func samplePlan(ds *geo.Dataset) data.Plan {
	grids := map[string]string{}
	for _, g := range ds.Grids {
		if g.Level == geo.PoliceLevel {
			grids[g.ID] = g.StationID
		}
	}
	grids[movedGrid] = toStation
	return data.Plan{
		CreatedBy: "storetest", Note: "move one police grid",
		Dataset:  data.Fingerprint(ds),
		Grids:    grids,
		Officers: map[string]int{"s01": 3, "s02": 1},
		// Key order and spacing must survive the store untouched.
		Summary:  json.RawMessage(`{"z":1,"a":[1.50,2]}`),
		Document: json.RawMessage(`{"zeta": "文姬路", "alpha": {"n": 1.0e0}}`),
	}
}

// sampleApplication moves movedGrid and its community grids to toStation
// and movedMember with them.
func sampleApplication(id string, ds *geo.Dataset) data.PlanApplication {
	a := data.PlanApplication{PlanID: id, Dataset: data.Fingerprint(ds), Actor: "storetest"}
	a.Grids = append(a.Grids, data.GridReassignment{GridID: movedGrid, StationID: toStation})
	for _, c := range movedChildren {
		a.Grids = append(a.Grids, data.GridReassignment{GridID: c, StationID: toStation})
	}
	a.Members = []data.MemberReassignment{{MemberID: movedMember, StationID: toStation, GridIDs: []string{movedGrid, "C2-0"}}}
	return a
}

func savePlan(t *testing.T, st PlanStore, p data.Plan) data.Plan {
	t.Helper()
	saved, err := st.SavePlan(context.Background(), p)
	if err != nil {
		t.Fatalf("SavePlan: %v", err)
	}
	return saved
}

func testPlanSaveAndRead(t *testing.T, open PlanOpener) {
	ds := Small()
	st := open(t, clone(ds))
	ctx := context.Background()
	want := samplePlan(ds)
	first := savePlan(t, st, want)
	if first.ID != "1" || first.CreatedAt.IsZero() || first.Applied() {
		t.Fatalf("first saved plan: id %q, created %v, applied %v; want id 1, a time, not applied", first.ID, first.CreatedAt, first.AppliedAt)
	}
	second := savePlan(t, st, data.Plan{CreatedBy: "b", Dataset: want.Dataset, Document: json.RawMessage(`{}`)})
	if second.ID != "2" {
		t.Fatalf("second plan id %q, want 2", second.ID)
	}
	got, err := st.Plan(ctx, "1")
	if err != nil {
		t.Fatalf("Plan(1): %v", err)
	}
	if !bytes.Equal(got.Document, want.Document) || !bytes.Equal(got.Summary, want.Summary) {
		t.Errorf("document %s, summary %s; want them byte for byte: %s, %s", got.Document, got.Summary, want.Document, want.Summary)
	}
	if !reflect.DeepEqual(got.Grids, want.Grids) || !reflect.DeepEqual(got.Officers, want.Officers) {
		t.Errorf("deployment %v %v, want %v %v", got.Grids, got.Officers, want.Grids, want.Officers)
	}
	if got.CreatedBy != want.CreatedBy || got.Note != want.Note || got.Dataset != want.Dataset || !got.CreatedAt.Equal(first.CreatedAt) {
		t.Errorf("plan = %+v, want the saved fields of %+v", got, first)
	}
	list, err := st.Plans(ctx, 0)
	if err != nil || len(list) != 2 || list[0].ID != "2" || list[1].ID != "1" {
		t.Fatalf("Plans(0) = %+v, %v; want plans 2 and 1", list, err)
	}
	if list[1].Document != nil || !bytes.Equal(list[1].Summary, want.Summary) {
		t.Errorf("listed plan: document %s, summary %s; want no document and the summary", list[1].Document, list[1].Summary)
	}
	if list, err := st.Plans(ctx, 1); err != nil || len(list) != 1 || list[0].ID != "2" {
		t.Errorf("Plans(1) = %+v, %v; want plan 2 only", list, err)
	}
	if _, err := st.SavePlan(ctx, data.Plan{Dataset: want.Dataset, Document: json.RawMessage(`{"broken"`)}); !errors.Is(err, data.ErrInvalid) {
		t.Errorf("saving a plan whose document is not JSON: %v, want ErrInvalid", err)
	}
}

func testPlanUnknown(t *testing.T, open PlanOpener) {
	ds := Small()
	st := open(t, clone(ds))
	savePlan(t, st, samplePlan(ds))
	for _, id := range []string{"2", "0", "01", "-1", "x", "", "99999999999999999999"} {
		if _, err := st.Plan(context.Background(), id); !errors.Is(err, data.ErrNotFound) {
			t.Errorf("Plan(%q): %v, want ErrNotFound", id, err)
		}
		a := sampleApplication(id, ds)
		if _, err := st.ApplyPlan(context.Background(), a); !errors.Is(err, data.ErrNotFound) {
			t.Errorf("ApplyPlan(%q): %v, want ErrNotFound", id, err)
		}
	}
	SameDataset(t, ds, snapshot(t, st))
}

func testPlanApply(t *testing.T, open PlanOpener) {
	ds := Small()
	// One village has a terrain of its own; the other moved grids have
	// none and so take fromStation's region with them.
	gridByID(ds, movedChildren[1]).Terrain = geo.Mountain
	var fromRegion geo.Terrain
	for _, s := range ds.Stations {
		if s.ID == fromStation {
			fromRegion = s.Region
		}
	}
	st := open(t, clone(ds))
	ctx := context.Background()
	p := savePlan(t, st, samplePlan(ds))
	ch := watch(t, st)
	res, err := st.ApplyPlan(ctx, sampleApplication(p.ID, ds))
	if err != nil {
		t.Fatalf("ApplyPlan: %v", err)
	}
	WaitSignal(t, ch, watchTimeout)

	want := clone(ds)
	for i := range want.Grids {
		g := &want.Grids[i]
		if g.ID == movedGrid || g.ParentID == movedGrid {
			g.StationID = toStation
			if g.Terrain == "" {
				g.Terrain = fromRegion
			}
		}
	}
	for i := range want.Members {
		if want.Members[i].ID == movedMember {
			want.Members[i].StationID = toStation
			want.Members[i].GridIDs = []string{movedGrid, "C2-0"}
		}
	}
	got := snapshot(t, st)
	SameDataset(t, want, got)
	if res.Dataset != data.Fingerprint(got) || res.Dataset == p.Dataset {
		t.Errorf("result dataset %s, want the new fingerprint %s (old %s)", res.Dataset, data.Fingerprint(got), p.Dataset)
	}
	if len(res.GridVersions) != 1+len(movedChildren) || res.Members != 1 {
		t.Errorf("result: %d grid versions, %d members; want %d and 1", len(res.GridVersions), res.Members, 1+len(movedChildren))
	}
	for _, gv := range res.GridVersions {
		if gv.Version != 2 || gv.Grid.StationID != toStation || gv.Grid.Terrain != gridByID(want, gv.Grid.ID).Terrain {
			t.Errorf("new version of %s: version %d station %s terrain %q, want 2 %s %q", gv.Grid.ID, gv.Version, gv.Grid.StationID,
				gv.Grid.Terrain, toStation, gridByID(want, gv.Grid.ID).Terrain)
		}
	}
	h, err := st.GridHistory(ctx, movedGrid)
	if err != nil || len(h) != 2 || h[0].Grid.StationID != fromStation || h[1].Grid.StationID != toStation || h[0].ValidTo.IsZero() || !h[1].ValidTo.IsZero() {
		t.Errorf("history of %s = %+v, %v; want the old version closed and the new one in force", movedGrid, h, err)
	}
	if h, err := st.GridHistory(ctx, "P0-0"); err != nil || len(h) != 1 {
		t.Errorf("history of an unmoved grid: %d versions, %v; want 1", len(h), err)
	}
	if !res.Plan.Applied() || res.Plan.AppliedBy != "storetest" || res.Plan.ID != p.ID {
		t.Errorf("result plan %+v, want plan %s applied by storetest", res.Plan, p.ID)
	}
	after, err := st.Plan(ctx, p.ID)
	if err != nil || !after.AppliedAt.Equal(res.Plan.AppliedAt) || after.AppliedBy != "storetest" {
		t.Errorf("plan after applying: %+v, %v; want it marked applied at %v", after, err, res.Plan.AppliedAt)
	}
	if _, err := geo.NewIndex(got); err != nil {
		t.Errorf("dataset after applying does not index: %v", err)
	}
}

func testPlanApplyStale(t *testing.T, open PlanOpener) {
	ds := Small()
	st := open(t, clone(ds))
	ctx := context.Background()
	p := savePlan(t, st, samplePlan(ds))
	g := *gridByID(ds, "P0-0")
	g.Population += 10
	if _, err := st.EditGrid(ctx, data.GridEdit{Grid: g, Actor: "storetest", Reason: "census"}); err != nil {
		t.Fatalf("EditGrid: %v", err)
	}
	before := snapshot(t, st)
	if _, err := st.ApplyPlan(ctx, sampleApplication(p.ID, ds)); !errors.Is(err, data.ErrConflict) {
		t.Fatalf("applying a plan made before an edit: %v, want ErrConflict", err)
	}
	SameDataset(t, before, snapshot(t, st))
	if got, _ := st.Plan(ctx, p.ID); got.Applied() {
		t.Error("a refused plan is marked applied")
	}
}

func testPlanApplyTwice(t *testing.T, open PlanOpener) {
	ds := Small()
	st := open(t, clone(ds))
	ctx := context.Background()
	p := savePlan(t, st, samplePlan(ds))
	res, err := st.ApplyPlan(ctx, sampleApplication(p.ID, ds))
	if err != nil {
		t.Fatalf("ApplyPlan: %v", err)
	}
	// Even against the dataset now in force, an applied plan stays applied.
	again := data.PlanApplication{PlanID: p.ID, Dataset: res.Dataset}
	if _, err := st.ApplyPlan(ctx, again); !errors.Is(err, data.ErrConflict) {
		t.Errorf("applying a plan twice: %v, want ErrConflict", err)
	}
}

func testPlanApplyAtomic(t *testing.T, open PlanOpener) {
	ds := Small()
	st := open(t, clone(ds))
	ctx := context.Background()
	p := savePlan(t, st, samplePlan(ds))
	ch := watch(t, st)
	cases := []struct {
		name   string
		change func(a *data.PlanApplication)
		want   error
	}{
		// The grids are valid and come first; the last member is not.
		{"unknown member after good changes", func(a *data.PlanApplication) {
			a.Members = append(a.Members, data.MemberReassignment{MemberID: "nobody", StationID: toStation})
		}, data.ErrNotFound},
		{"unknown grid", func(a *data.PlanApplication) {
			a.Grids = append(a.Grids, data.GridReassignment{GridID: "P9-9", StationID: toStation})
		}, data.ErrNotFound},
		{"a village split from its police grid", func(a *data.PlanApplication) {
			a.Grids = a.Grids[:len(a.Grids)-1]
		}, data.ErrInvalid},
		{"unknown station", func(a *data.PlanApplication) {
			a.Grids = append(a.Grids, data.GridReassignment{GridID: "P0-0", StationID: "s99"})
		}, data.ErrInvalid},
		{"member in an unknown grid", func(a *data.PlanApplication) {
			a.Members[0].GridIDs = append(a.Members[0].GridIDs, "P9-9")
		}, data.ErrInvalid},
	}
	for _, c := range cases {
		a := sampleApplication(p.ID, ds)
		c.change(&a)
		if _, err := st.ApplyPlan(ctx, a); !errors.Is(err, c.want) {
			t.Errorf("%s: %v, want %v", c.name, err, c.want)
		}
		SameDataset(t, ds, snapshot(t, st))
	}
	for _, id := range append([]string{movedGrid}, movedChildren...) {
		if h, err := st.GridHistory(ctx, id); err != nil || len(h) != 1 {
			t.Errorf("history of %s after failed applications: %d versions, %v; want 1", id, len(h), err)
		}
	}
	if got, _ := st.Plan(ctx, p.ID); got.Applied() {
		t.Error("the plan is marked applied after failed applications")
	}
	expectQuiet(t, ch)
	// And the plan still applies.
	if _, err := st.ApplyPlan(ctx, sampleApplication(p.ID, ds)); err != nil {
		t.Errorf("applying after the failures: %v", err)
	}
}

func entry(station, month string, f, r, c, s [2]float64) data.AssessmentEntry {
	return data.AssessmentEntry{StationID: station, Month: month,
		Familiarity: data.Ratio{Numerator: f[0], Denominator: f[1]}, RiskWarning: data.Ratio{Numerator: r[0], Denominator: r[1]},
		ControlTasks: data.Ratio{Numerator: c[0], Denominator: c[1]}, Satisfaction: data.Ratio{Numerator: s[0], Denominator: s[1]}}
}

func scoredBy(e data.AssessmentEntry, station string) data.AssessmentEntry {
	e.ScoredBy = station
	return e
}

// sameEntries compares entries without the store's update time and
// author, which must be set.
func sameEntries(t *testing.T, what string, got, want []data.AssessmentEntry) {
	t.Helper()
	g := make([]data.AssessmentEntry, len(got))
	for i, e := range got {
		if e.UpdatedAt.IsZero() || e.UpdatedBy == "" {
			t.Errorf("%s: entry %s %s has no update time or author", what, e.StationID, e.Month)
		}
		e.UpdatedAt, e.UpdatedBy = time.Time{}, ""
		g[i] = e
	}
	if !reflect.DeepEqual(g, want) {
		t.Errorf("%s:\n got %+v\nwant %+v", what, g, want)
	}
}

func testAssessmentPutAndRead(t *testing.T, open PlanOpener) {
	st := open(t, Small())
	ctx := context.Background()
	a := entry("s02", "2026-03", [2]float64{45, 50}, [2]float64{3, 4}, [2]float64{10, 10}, [2]float64{0.5, 2.5})
	a.ScoredBy = "s01" // kept and read back: the cross-assessment's scorer
	b := entry("s01", "2026-03", [2]float64{0, 0}, [2]float64{1, 1}, [2]float64{0, 7}, [2]float64{9, 9})
	c := entry("s01", "2026-01", [2]float64{1, 2}, [2]float64{0, 0}, [2]float64{0, 0}, [2]float64{0, 0})
	if err := st.PutAssessment(ctx, data.AssessmentWrite{Entries: []data.AssessmentEntry{a, b, c}, Actor: "storetest"}); err != nil {
		t.Fatalf("PutAssessment: %v", err)
	}
	got, err := st.Assessment(ctx, "", "")
	if err != nil {
		t.Fatalf("Assessment: %v", err)
	}
	sameEntries(t, "all months", got, []data.AssessmentEntry{c, b, a})
	got, err = st.Assessment(ctx, "2026-02", "2026-03")
	if err != nil {
		t.Fatalf("Assessment: %v", err)
	}
	sameEntries(t, "2026-02..2026-03", got, []data.AssessmentEntry{b, a})
	if got, err := st.Assessment(ctx, "2026-04", ""); err != nil || len(got) != 0 {
		t.Errorf("months without entries: %+v, %v; want none", got, err)
	}
	// A second put replaces the whole entry of its station and month.
	a2 := entry("s02", "2026-03", [2]float64{1, 1}, [2]float64{0, 0}, [2]float64{0, 0}, [2]float64{0, 0})
	if err := st.PutAssessment(ctx, data.AssessmentWrite{Entries: []data.AssessmentEntry{a2}, Actor: "second"}); err != nil {
		t.Fatalf("PutAssessment: %v", err)
	}
	got, _ = st.Assessment(ctx, "2026-03", "2026-03")
	sameEntries(t, "after replacing", got, []data.AssessmentEntry{b, a2})
	if len(got) == 2 && got[1].UpdatedBy != "second" {
		t.Errorf("replaced entry updated by %q, want second", got[1].UpdatedBy)
	}
	if _, err := st.Assessment(ctx, "2026-3", ""); !errors.Is(err, data.ErrInvalid) {
		t.Errorf("a month written 2026-3: %v, want ErrInvalid", err)
	}
}

func testAssessmentRejects(t *testing.T, open PlanOpener) {
	st := open(t, Small())
	ctx := context.Background()
	good := entry("s01", "2026-03", [2]float64{1, 2}, [2]float64{}, [2]float64{}, [2]float64{})
	for _, bad := range []data.AssessmentEntry{
		entry("s01", "2026-04", [2]float64{3, 2}, [2]float64{}, [2]float64{}, [2]float64{}),
		entry("s01", "2026-04", [2]float64{}, [2]float64{-1, 2}, [2]float64{}, [2]float64{}),
		entry("s01", "2026-4", [2]float64{}, [2]float64{}, [2]float64{}, [2]float64{}),
		entry("s99", "2026-04", [2]float64{}, [2]float64{}, [2]float64{}, [2]float64{}),
		entry("", "2026-04", [2]float64{}, [2]float64{}, [2]float64{}, [2]float64{}),
		scoredBy(entry("s01", "2026-04", [2]float64{}, [2]float64{}, [2]float64{}, [2]float64{}), "s01"), // scores itself
		scoredBy(entry("s01", "2026-04", [2]float64{}, [2]float64{}, [2]float64{}, [2]float64{}), "s99"), // by no station
		good, // entered twice
	} {
		err := st.PutAssessment(ctx, data.AssessmentWrite{Entries: []data.AssessmentEntry{good, bad}, Actor: "storetest"})
		var verr *data.ValidationError
		if !errors.Is(err, data.ErrInvalid) || !errors.As(err, &verr) || len(verr.Problems) == 0 {
			t.Errorf("putting %+v: %v, want a *ValidationError", bad, err)
		}
	}
	if got, err := st.Assessment(ctx, "", ""); err != nil || len(got) != 0 {
		t.Errorf("after rejected puts: %+v, %v; want nothing saved", got, err)
	}
}
