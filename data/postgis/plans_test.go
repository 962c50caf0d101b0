package postgis_test

import (
	"context"
	"testing"

	"jingge/data"
	"jingge/data/postgis/postgistest"
	"jingge/data/storetest"
	"jingge/geo"
)

func TestPlanSuite(t *testing.T) {
	postgistest.URL(t)
	storetest.RunPlans(t, func(t *testing.T, ds *geo.Dataset) storetest.PlanStore {
		st := postgistest.MustOpen(t)
		if _, err := st.Import(context.Background(), ds, data.ImportOptions{Actor: "storetest"}); err != nil {
			t.Fatalf("Import: %v", err)
		}
		return st
	}, true)
}

// TestApplyPlanAudits checks that applying a plan leaves an audit row for
// every new grid version and every member changed, naming who and why.
func TestApplyPlanAudits(t *testing.T) {
	ds := storetest.Small()
	dbURL := postgistest.NewSchema(t)
	st := postgistest.MustOpenURL(t, dbURL)
	ctx := context.Background()
	if _, err := st.Import(ctx, ds, data.ImportOptions{Actor: "test"}); err != nil {
		t.Fatal(err)
	}
	p, err := st.SavePlan(ctx, data.Plan{Dataset: data.Fingerprint(ds), Document: []byte(`{}`)})
	if err != nil {
		t.Fatal(err)
	}
	a := data.PlanApplication{PlanID: p.ID, Dataset: p.Dataset, Actor: "planner-1",
		Grids:   []data.GridReassignment{{GridID: "P1-0", StationID: "s01"}, {GridID: "C2-0", StationID: "s01"}, {GridID: "C2-1", StationID: "s01"}, {GridID: "C3-0", StationID: "s01"}, {GridID: "C3-1", StationID: "s01"}},
		Members: []data.MemberReassignment{{MemberID: "m-P1-0", StationID: "s01", GridIDs: []string{"P1-0"}}}}
	if _, err := st.ApplyPlan(ctx, a); err != nil {
		t.Fatal(err)
	}
	conn := postgistest.MustOpenURL(t, dbURL).Pool()
	var grids int
	var reason, actor string
	if err := conn.QueryRow(ctx, `select count(*), min(reason), min(actor) from grid_audit where action = 'update' and new_version = 2`).Scan(&grids, &reason, &actor); err != nil {
		t.Fatal(err)
	}
	if grids != 5 || reason != "plan "+p.ID || actor != "planner-1" {
		t.Errorf("grid audit: %d rows, reason %q, actor %q; want 5, plan %s, planner-1", grids, reason, actor, p.ID)
	}
	var oldStation, newStation string
	var oldGrids, newGrids []string
	if err := conn.QueryRow(ctx, `select old_station, new_station, old_grids, new_grids from member_audit where member_id = 'm-P1-0'`).Scan(&oldStation, &newStation, &oldGrids, &newGrids); err != nil {
		t.Fatal(err)
	}
	if oldStation != "s02" || newStation != "s01" || len(oldGrids) != 2 || len(newGrids) != 1 {
		t.Errorf("member audit: %s -> %s, %v -> %v", oldStation, newStation, oldGrids, newGrids)
	}
}
