package postgis_test

import (
	"bytes"
	"context"
	"fmt"
	"reflect"
	"slices"
	"testing"

	"jingge/data"
	"jingge/data/datafile"
	"jingge/data/lantian"
	"jingge/data/postgis/postgistest"
	"jingge/geo"
	"jingge/geo/plan"
)

// TestLantianImportExportLossless imports the bundled file and writes the
// snapshot back: the bytes must equal the bundled file's.
func TestLantianImportExportLossless(t *testing.T) {
	st := postgistest.MustOpen(t)
	ctx := context.Background()
	ds := lantianDataset(t)
	rep, err := st.Import(ctx, ds, data.ImportOptions{})
	if err != nil {
		t.Fatalf("Import: %v", err)
	}
	if len(rep.Warnings) > 0 || len(rep.Fixed) > 0 || rep.Created != len(ds.Grids) {
		t.Errorf("report %+v: want every grid created, nothing fixed or warned about", rep)
	}
	snap, err := st.Snapshot(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := datafile.Write(&out, snap); err != nil {
		t.Fatal(err)
	}
	if want := lantian.Bundled(); !bytes.Equal(out.Bytes(), want) {
		var canon bytes.Buffer
		if err := datafile.Write(&canon, ds); err != nil {
			t.Fatal(err)
		}
		if bytes.Equal(canon.Bytes(), out.Bytes()) {
			t.Logf("the bundled file is not in datafile.Write's form, but the export equals the re-encoded import")
			return
		}
		t.Errorf("export after import differs from the bundled file (%d vs %d bytes)", out.Len(), len(want))
	}
	// Importing the same file again changes nothing.
	rep, err = st.Import(ctx, lantianDataset(t), data.ImportOptions{})
	if err != nil || rep.Unchanged != len(ds.Grids) {
		t.Errorf("re-import: %+v, %v; want every grid unchanged", rep, err)
	}
}

// TestLantianPlanAppliedMeasuresAsProposed proposes a plan for the bundled
// county, applies it in PostGIS and measures the dataset read back: every
// figure is the proposal's, though grids of the plan cross into stations
// of other regions. It does so with each grid's terrain recorded, and
// with none recorded (a database from before migration 7), where applying
// writes the terrain a moved grid had under its old station.
func TestLantianPlanAppliedMeasuresAsProposed(t *testing.T) {
	for _, recorded := range []bool{true, false} {
		t.Run(fmt.Sprintf("terrain recorded %v", recorded), func(t *testing.T) {
			t.Parallel()
			ds := lantianDataset(t)
			if !recorded {
				for i := range ds.Grids {
					ds.Grids[i].Terrain = ""
				}
			}
			incidents, err := lantian.Incidents(ds, lantian.DefaultSeed)
			if err != nil {
				t.Fatal(err)
			}
			st := postgistest.MustOpen(t)
			ctx := context.Background()
			if _, err := st.Import(ctx, ds, data.ImportOptions{}); err != nil {
				t.Fatalf("Import: %v", err)
			}
			before, err := st.Snapshot(ctx)
			if err != nil {
				t.Fatal(err)
			}
			cfg := plan.DefaultConfig()
			m := lantianModel(t, before, incidents, cfg)
			p, err := m.Propose(m.Current(), plan.ProposeOptions{Seed: 1})
			if err != nil {
				t.Fatal(err)
			}
			saved, err := st.SavePlan(ctx, data.Plan{Dataset: data.Fingerprint(before), Grids: p.Deployment.Grids, Officers: p.Deployment.Officers, Document: []byte(`{}`)})
			if err != nil {
				t.Fatal(err)
			}
			a := lantianApplication(before, p.Deployment, cfg.Workload.OfficerRoles)
			a.PlanID, a.Dataset = saved.ID, saved.Dataset
			if _, err := st.ApplyPlan(ctx, a); err != nil {
				t.Fatalf("ApplyPlan: %v", err)
			}
			after, err := st.Snapshot(ctx)
			if err != nil {
				t.Fatal(err)
			}
			m2 := lantianModel(t, after, incidents, cfg)
			got, err := m2.Measure(m2.Current())
			if err != nil {
				t.Fatal(err)
			}
			// Change and the objective are taken against the deployment in
			// force, which is now the plan itself.
			got.Change, got.Objective = p.After.Change, p.After.Objective
			t.Logf("%d grids moved; CV proposed %.4f, measured after applying %.4f; mean response proposed %.2f, measured %.2f min",
				len(p.GridMoves), p.After.Balance.CV, got.Balance.CV, p.After.Response.MeanMinutes, got.Response.MeanMinutes)
			if !reflect.DeepEqual(got, p.After) {
				t.Errorf("measured after applying differs from the proposal:\n got %+v\nwant %+v", got, p.After)
			}
		})
	}
}

func lantianModel(t *testing.T, ds *geo.Dataset, incidents []geo.Incident, cfg plan.Config) *plan.Model {
	t.Helper()
	ix, err := geo.NewIndex(ds)
	if err != nil {
		t.Fatal(err)
	}
	m, err := plan.NewModel(ix, incidents, lantian.DefaultIncidentsEnd, cfg)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// lantianApplication puts deployment d in force on ds: every police grid
// whose station differs moves with its villages, and officers (members
// holding one of roles, placed by their station or first grid) move from
// stations above d's counts to those below, in dataset order. Which
// officers move does not change any figure.
func lantianApplication(ds *geo.Dataset, d plan.Deployment, roles []geo.Role) data.PlanApplication {
	var a data.PlanApplication
	station := map[string]string{}
	for _, g := range ds.Grids {
		station[g.ID] = g.StationID
		top := g.ID
		if g.ParentID != "" {
			top = g.ParentID
		}
		if to := d.Grids[top]; to != "" && to != g.StationID {
			a.Grids = append(a.Grids, data.GridReassignment{GridID: g.ID, StationID: to})
		}
	}
	officerStation := func(m geo.Member) string {
		if m.StationID == "" && len(m.GridIDs) > 0 {
			return station[m.GridIDs[0]]
		}
		return m.StationID
	}
	have := map[string]int{}
	for _, m := range ds.Members {
		if slices.Contains(roles, m.Role) {
			have[officerStation(m)]++
		}
	}
	for _, m := range ds.Members {
		from := officerStation(m)
		if !slices.Contains(roles, m.Role) || have[from] <= d.Officers[from] {
			continue
		}
		for _, s := range ds.Stations {
			if have[s.ID] < d.Officers[s.ID] {
				have[from]--
				have[s.ID]++
				a.Members = append(a.Members, data.MemberReassignment{MemberID: m.ID, StationID: s.ID, GridIDs: []string{}})
				break
			}
		}
	}
	return a
}
