package postgis_test

import (
	"context"
	"maps"
	"testing"

	"jingge/data"
	"jingge/data/lantian"
	"jingge/data/memory"
	"jingge/data/postgis/postgistest"
)

// TestAggregateByAreaIsSTCovers: over the demo county and its year of
// incidents, the per-area totals of group_by=area from PostGIS and from
// the memory store both equal a plain ST_Covers count of incidents per
// current area, and the by-category counts of the two stores agree row
// for row.
func TestAggregateByAreaIsSTCovers(t *testing.T) {
	ctx := context.Background()
	ds := lantianDataset(t)
	incs, err := lantian.Incidents(ds, lantian.DefaultSeed)
	if err != nil {
		t.Fatal(err)
	}
	st := postgistest.MustOpen(t)
	if _, err := st.Import(ctx, ds, data.ImportOptions{}); err != nil {
		t.Fatalf("Import: %v", err)
	}
	mem, err := memory.New(ds)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < len(incs); i += 5000 {
		b := data.IncidentBatch{Incidents: incs[i:min(i+5000, len(incs))]}
		if _, err := st.AddIncidents(ctx, b); err != nil {
			t.Fatal(err)
		}
		if _, err := mem.AddIncidents(ctx, b); err != nil {
			t.Fatal(err)
		}
	}
	want := map[string]int{}
	rows, err := st.Pool().Query(ctx, `select a.id, count(*) from current_areas a join incidents i on ST_Covers(a.geom, i.location) group by a.id`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var id string
		var n int
		if err := rows.Scan(&id, &n); err != nil {
			t.Fatal(err)
		}
		want[id] = n
	}
	if rows.Err() != nil {
		t.Fatal(rows.Err())
	}
	if len(want) < 2 {
		t.Fatalf("ST_Covers finds incidents in %d areas of the demo data, too few to compare: %v", len(want), want)
	}
	t.Logf("incidents per area (ST_Covers): %v", want)

	zone, err := ds.Meta.Location()
	if err != nil {
		t.Fatal(err)
	}
	a := data.Aggregation{GroupBy: data.ByArea, Bucket: data.Month, Zone: zone}
	byStore := map[string][]data.AggregateRow{}
	for name, s := range map[string]data.IncidentStore{"postgis": st, "memory": mem} {
		got, err := s.AggregateIncidents(ctx, a)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		byStore[name] = got
		totals := map[string]int{}
		for _, r := range got {
			totals[r.Key] += r.Total
		}
		if !maps.Equal(totals, want) {
			t.Errorf("%s: group_by=area totals %v, want the ST_Covers counts %v", name, totals, want)
		}
	}
	p, m := byStore["postgis"], byStore["memory"]
	if len(p) != len(m) {
		t.Fatalf("postgis gives %d rows, memory %d", len(p), len(m))
	}
	for i := range p {
		if p[i].Key != m[i].Key || !p[i].Start.Equal(m[i].Start) || !maps.Equal(p[i].Counts, m[i].Counts) {
			t.Errorf("row %d: postgis %+v, memory %+v", i, p[i], m[i])
		}
	}
}
