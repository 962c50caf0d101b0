package api

import (
	"net/http"
	"reflect"
	"testing"
	"time"

	"jingge/api/planning"
	"jingge/data/lantian"
	"jingge/data/memory"
	"jingge/geo/plan"
)

// TestLantianPlanGoalEndToEnd holds the planner to the goal of the issue
// on the bundled county, through HTTP only: propose, apply, measure again.
// The CV of load per officer falls by 40% or more, at most 10% of police
// grids and of officers change station, and every station stays in one
// piece; measured again after applying, every figure is the proposal's.
func TestLantianPlanGoalEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the Lantian model several times")
	}
	ds, err := lantian.Load()
	if err != nil {
		t.Fatal(err)
	}
	incidents, err := lantian.Incidents(ds, lantian.DefaultSeed)
	if err != nil {
		t.Fatal(err)
	}
	f := newPlanFixture(t, ds, incidents, func(po *planning.Options, _ *memory.PlanStore) {
		po.Now = func() time.Time { return lantian.DefaultIncidentsEnd }
	})
	var before planning.PlanCurrent
	f.decode(t, http.MethodGet, "/api/v1/plan/current", "", http.StatusOK, &before)
	var officers int
	for _, s := range before.Measures.Stations {
		officers += s.Officers
	}
	policeGrids := len(before.Deployment.Grids)

	var doc planning.Document
	f.decode(t, http.MethodPost, "/api/v1/plan/plans", `{"seed": 1, "note": "Lantian goal"}`, http.StatusOK, &doc)
	t.Logf("proposal: CV %.3f -> %.3f, %d of %d police grids and %d of %d officers moved, contiguous %v",
		doc.Before.Balance.CV, doc.After.Balance.CV, doc.After.Change.GridsMoved, policeGrids, doc.After.Change.OfficersMoved, officers, doc.After.Contiguous)
	checkGoal(t, "proposal", before.Measures, doc.After, policeGrids, officers)

	var res planning.ApplyResult
	f.decode(t, http.MethodPost, "/api/v1/plan/plans/"+doc.ID+"/apply", "", http.StatusOK, &res)
	after := f.waitDataset(t, res.Dataset)

	// Measured again by the server from the new dataset.
	moved := 0
	for id, st := range before.Deployment.Grids {
		if after.Deployment.Grids[id] != st {
			moved++
		}
	}
	officersMoved := 0
	for st, n := range after.Deployment.Officers {
		if d := n - before.Deployment.Officers[st]; d > 0 {
			officersMoved += d
		}
	}
	got := after.Measures
	got.Change = plan.Change{GridsMoved: moved, GridShare: float64(moved) / float64(policeGrids),
		OfficersMoved: officersMoved, OfficerShare: float64(officersMoved) / float64(officers)}
	t.Logf("after applying: CV %.3f, %d police grids and %d officers moved, contiguous %v", got.Balance.CV, moved, officersMoved, got.Contiguous)
	checkGoal(t, "after applying", before.Measures, got, policeGrids, officers)
	if moved != doc.After.Change.GridsMoved || officersMoved != doc.After.Change.OfficersMoved {
		t.Errorf("applying moved %d grids and %d officers, the plan %d and %d", moved, officersMoved, doc.After.Change.GridsMoved, doc.After.Change.OfficersMoved)
	}
	// Every figure is exactly as proposed, workload and response times
	// included: grids that crossed into a station of another region kept
	// their terrain. The objective is taken against the deployment in
	// force, which is now the plan itself.
	got.Objective = doc.After.Objective
	if !reflect.DeepEqual(got, doc.After) {
		for i, s := range got.Stations {
			if w := doc.After.Stations[i]; s != w {
				t.Errorf("station %s after applying: %+v, proposed %+v", s.StationID, s, w)
			}
		}
		t.Errorf("measured after applying: %+v\nproposed: %+v", got, doc.After)
	}
	t.Logf("CV proposed %.4f, measured after applying %.4f; mean response proposed %.2f, measured %.2f min",
		doc.After.Balance.CV, got.Balance.CV, doc.After.Response.MeanMinutes, got.Response.MeanMinutes)
}

func checkGoal(t *testing.T, what string, before, after plan.Measures, policeGrids, officers int) {
	t.Helper()
	if cut := 1 - after.Balance.CV/before.Balance.CV; cut < 0.40 {
		t.Errorf("%s: CV of load per officer %.3f -> %.3f, a cut of %.0f%%; the goal is 40%% or more", what, before.Balance.CV, after.Balance.CV, 100*cut)
	}
	if after.Change.GridsMoved > policeGrids/10 {
		t.Errorf("%s: %d of %d police grids moved; the goal is at most 10%%", what, after.Change.GridsMoved, policeGrids)
	}
	if after.Change.OfficersMoved > officers/10 {
		t.Errorf("%s: %d of %d officers moved; the goal is at most 10%%", what, after.Change.OfficersMoved, officers)
	}
	if !after.Contiguous {
		t.Errorf("%s: not every station is in one piece", what)
	}
}
