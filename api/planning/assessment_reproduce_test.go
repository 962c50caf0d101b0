package planning_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/paulmach/orb"

	"jingge/api/planning"
	"jingge/data"
	"jingge/data/memory"
	"jingge/data/postgis"
	"jingge/data/postgis/postgistest"
	"jingge/data/storetest"
	"jingge/geo"
	"jingge/geo/plan"
)

// assessStore is what a month's assessment is computed from.
type assessStore interface {
	data.Store
	data.Importer
	data.IncidentStore
	data.VisitStore
	data.TaskStore
	data.AssessmentStore
}

// assessDataset is a small county whose community grids have 1,300
// residents each, so every station has a familiarity target.
func assessDataset() *geo.Dataset {
	ds := storetest.Synthetic(storetest.Partition{Cols: 6, Rows: 4, Stations: 3, Seed: 5})
	for i := range ds.Grids {
		if ds.Grids[i].Level == geo.CommunityLevel {
			ds.Grids[i].Population = 1300
		}
	}
	return ds
}

// fillAssessmentRecords writes three months of incidents and visits, and
// entered figures for March and April, every station scored by the next.
func fillAssessmentRecords(t *testing.T, st assessStore, ds *geo.Dataset) {
	t.Helper()
	ctx := context.Background()
	if _, err := st.Import(ctx, ds, data.ImportOptions{Actor: "test"}); err != nil {
		t.Fatalf("Import: %v", err)
	}
	ix, err := geo.NewIndex(ds)
	if err != nil {
		t.Fatal(err)
	}
	var incidents []geo.Incident
	n := 0
	for i := range ds.Grids {
		g := &ds.Grids[i]
		if g.Level != geo.CommunityLevel {
			continue
		}
		c := g.Geometry.Bound().Center()
		h := ix.Lookup(c)
		if !h.Found() || h.Community == nil {
			continue
		}
		for day := range 3 {
			for mo := time.February; mo <= time.April; mo++ {
				n++
				at := time.Date(2026, mo, 3+9*day+i%5, 10+i%7, 0, 0, 0, time.UTC)
				inc := geo.Incident{ID: fmt.Sprint(n), Location: c, OccurredAt: at, ReportedAt: at, Category: geo.Categories[n%len(geo.Categories)],
					Severity: 1 + n%5, Status: geo.Closed, Cleared: geo.Categories[n%len(geo.Categories)] == geo.Criminal && n%2 == 0, StationID: h.Station.ID, PoliceGridID: h.Police.ID, CommunityGridID: h.Community.ID}
				incidents = append(incidents, inc)
				if (n+i)%2 == 0 {
					continue // half the incidents have no visit before them
				}
				v := geo.Visit{OfficerID: "m-" + h.Station.ID, At: at.Add(-time.Duration(1+n%5) * 24 * time.Hour), Location: orb.Point{c[0], c[1]},
					Kind: geo.VisitKinds[n%len(geo.VisitKinds)], Whom: fmt.Sprintf("%d号", n%4), StationID: h.Station.ID, PoliceGridID: h.Police.ID, CommunityGridID: h.Community.ID}
				if _, err := st.AddVisit(ctx, data.VisitWrite{Visit: v}); err != nil {
					t.Fatalf("AddVisit: %v", err)
				}
			}
		}
	}
	if _, err := st.AddIncidents(ctx, data.IncidentBatch{Incidents: incidents}); err != nil {
		t.Fatalf("AddIncidents: %v", err)
	}
	// Each station's task list: k+3 tasks due in March and in April, the
	// first k+1 done within the month, the next one done in May.
	for k, s := range ds.Stations {
		grid := ds.Grids[slices.IndexFunc(ds.Grids, func(g geo.Grid) bool { return g.Level == geo.PoliceLevel && g.StationID == s.ID })].ID
		for _, mo := range []time.Month{time.March, time.April} {
			for j := range k + 3 {
				task := geo.Task{StationID: s.ID, GridID: grid, Title: fmt.Sprintf("走访重点户 %d", j), RecordedBy: "test",
					Due: time.Date(2026, mo, 10+j, 15, 59, 0, 0, time.UTC)}
				switch {
				case j <= k:
					task.DoneAt, task.DoneBy = task.Due.Add(-time.Hour), "m-"+s.ID
				case j == k+1:
					task.DoneAt, task.DoneBy = time.Date(2026, time.May, 2, 9, 0, 0, 0, time.UTC), "m-"+s.ID
				}
				if _, err := st.AddTask(ctx, data.TaskWrite{Task: task}); err != nil {
					t.Fatalf("AddTask: %v", err)
				}
			}
		}
	}
	var entries []data.AssessmentEntry
	for k, s := range ds.Stations {
		for _, mo := range []string{"2026-03", "2026-04"} {
			entries = append(entries, data.AssessmentEntry{StationID: s.ID, Month: mo, ScoredBy: ds.Stations[(k+1)%len(ds.Stations)].ID,
				Familiarity: data.Ratio{Numerator: float64(10 + k), Denominator: 40}, ControlTasks: data.Ratio{Numerator: 8, Denominator: 9},
				Satisfaction: data.Ratio{Numerator: float64(30 + k), Denominator: 33}})
		}
	}
	if err := st.PutAssessment(ctx, data.AssessmentWrite{Entries: entries, Actor: "科长"}); err != nil {
		t.Fatalf("PutAssessment: %v", err)
	}
}

// assessFrom computes March and April from st's records and returns the
// answer as the API writes it.
func assessFrom(t *testing.T, st assessStore) []byte {
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
	live := new(geo.Live)
	live.Store(ix)
	p, err := planning.New(planning.Options{Index: live, Assessments: st, Visits: st, Tasks: st, Incidents: planning.StoreIncidents(st),
		Now: func() time.Time { return time.Date(2026, 5, 10, 0, 0, 0, 0, time.UTC) }})
	if err != nil {
		t.Fatal(err)
	}
	res, err := p.Assess(ctx, plan.Month{Year: 2026, Month: 3}, plan.Month{Year: 2026, Month: 4})
	if err != nil {
		t.Fatalf("Assess: %v", err)
	}
	// The figures must be what the records give, not a default: March and
	// April are measured from visits (the record starts in February),
	// satisfaction entered, and every station scored by another.
	for _, ms := range res.Months {
		if !ms.Final || ms.Empty || len(ms.Stations) != 3 {
			t.Fatalf("%s: final %v empty %v with %d stations; want a final ranking of 3", ms.Month, ms.Final, ms.Empty, len(ms.Stations))
		}
		for _, sc := range ms.Stations {
			src := map[string]string{}
			for _, m := range sc.Metrics {
				src[m.Metric] = m.Source
			}
			want := map[string]string{plan.MetricIncidentTrend: plan.SourceMeasured, plan.MetricClearance: plan.SourceMeasured, plan.MetricFamiliarity: plan.SourceMeasured,
				plan.MetricRiskWarning: plan.SourceMeasured, plan.MetricControlTasks: plan.SourceMeasured, plan.MetricSatisfaction: plan.SourceEntered}
			if fmt.Sprint(src) != fmt.Sprint(want) {
				t.Fatalf("%s %s: sources %v, want %v", ms.Month, sc.StationID, src, want)
			}
			if f := sc.Metrics[2]; f.Numerator == 0 || f.Entered == nil || f.Entered.By != "科长" {
				t.Fatalf("%s %s: familiarity %+v; want households visited and the entered figure beside them", ms.Month, sc.StationID, f)
			}
			k := slices.IndexFunc(ds.Stations, func(s geo.Station) bool { return s.ID == sc.StationID })
			if f := sc.Metrics[4]; f.Metric != plan.MetricControlTasks || f.Numerator != float64(k+1) || f.Denominator != float64(k+3) {
				t.Fatalf("%s %s: control tasks %+v; want %d done of %d due in the month", ms.Month, sc.StationID, f, k+1, k+3)
			}
		}
	}
	b, err := json.Marshal(res)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestAssessmentReproducedAfterReopenMemory(t *testing.T) {
	dir := t.TempDir()
	d, err := memory.OpenDir(dir, memory.DirOptions{})
	if err != nil {
		t.Fatal(err)
	}
	ds := assessDataset()
	fillAssessmentRecords(t, d, ds)
	first := assessFrom(t, d)
	if err := d.Close(); err != nil {
		t.Fatal(err)
	}
	d, err = memory.OpenDir(dir, memory.DirOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if again := assessFrom(t, d); !bytes.Equal(first, again) {
		t.Fatalf("the assessment differs after reopening the data directory:\nfirst %s\nagain %s", first, again)
	}
}

func TestAssessmentReproducedAfterReopenPostGIS(t *testing.T) {
	dbURL := postgistest.NewSchema(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	st, err := postgis.Open(ctx, dbURL, postgis.Options{})
	if err != nil {
		t.Fatal(err)
	}
	ds := assessDataset()
	fillAssessmentRecords(t, st, ds)
	first := assessFrom(t, st)
	st.Close()
	st2 := postgistest.MustOpenURL(t, dbURL)
	if again := assessFrom(t, st2); !bytes.Equal(first, again) {
		t.Fatalf("the assessment differs after reopening the database:\nfirst %s\nagain %s", first, again)
	}
}
