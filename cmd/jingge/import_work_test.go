package main

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"jingge/data"
	"jingge/data/postgis"
	"jingge/data/postgis/postgistest"
	"jingge/data/storetest"
	"jingge/geo"
)

func TestImportDisputesAndTasks(t *testing.T) {
	dbURL := postgistest.NewSchema(t)
	ds := storetest.Small()
	if _, stderr, err := jingge(t, "import", writeDataset(t, ds), "--db", dbURL); err != nil {
		t.Fatalf("import dataset: %v\n%s", err, stderr)
	}
	in := ds.Grids[1].Geometry.Bound().Center()
	disputes := "reported_at,kind,lon,lat,parties,level,method,mediation_brand,settled_at\n" +
		fmt.Sprintf("2025-03-01 08:15:00,邻里纠纷,%v,%v,张三、李四,村,mediation_brand,朱先生说事,2025-03-03 10:00:00\n", in[0], in[1]) +
		fmt.Sprintf("2025-03-02T21:00:00+08:00,family,%v,%v,王五,,,,\n", in[0], in[1]) +
		"2025-03-03 10:00:00,land,108.5,33.1,,,,,\n" +
		fmt.Sprintf("2025-03-04 10:00:00,feud,%v,%v,,province,,,\n", in[0], in[1]) +
		fmt.Sprintf("2025-03-05 10:00:00,debt,%v,%v,,group,,,2025-03-06 10:00:00\n", in[0], in[1])
	file := writeFile(t, "disputes.csv", disputes)
	stdout, _, err := jingge(t, "import", "disputes", file, "--db", dbURL)
	if !errors.Is(err, errRejected) {
		t.Fatalf("import with bad rows: err = %v, want a rejection\n%s", err, stdout)
	}
	for _, want := range []string{"3 of 5 row(s) have problems", "line 4: the point lon 108.500000, lat 33.100000 (WGS-84) is outside every grid",
		"line 5: kind: unknown dispute kind \"feud\"", "level: unknown dispute level \"province\"", "line 6: a dispute settled at group level needs the method"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("report lacks %q:\n%s", want, stdout)
		}
	}
	if n := len(storedDisputes(t, dbURL)); n != 0 {
		t.Fatalf("%d disputes stored after a rejected import, want none", n)
	}
	stdout, stderr, err := jingge(t, "import", "disputes", "--skip-bad", file, "--db", dbURL)
	if err != nil || !strings.Contains(stdout, "imported 2 dispute(s)") {
		t.Fatalf("import --skip-bad: %v\n%s%s", err, stdout, stderr)
	}
	got := storedDisputes(t, dbURL)
	if len(got) != 2 || got[1].Level != geo.LevelVillage || got[1].MediationBrand != "朱先生说事" || got[1].StationID == "" || got[0].Level != geo.DisputeOpen {
		t.Errorf("stored %+v", got)
	}
	if stdout, _, err := jingge(t, "import", "disputes", "--skip-bad", file, "--db", dbURL); err != nil || !strings.Contains(stdout, "already imported") || len(storedDisputes(t, dbURL)) != 2 {
		t.Errorf("the same file again: %v\n%s", err, stdout)
	}

	station := ds.Stations[0].ID
	var grid, officer, otherGrid string
	for _, g := range ds.Grids {
		if g.StationID == station && grid == "" {
			grid = g.ID
		}
		if g.StationID != station && otherGrid == "" {
			otherGrid = g.ID
		}
	}
	for _, m := range ds.Members {
		if m.StationID == station {
			officer = m.ID
			break
		}
	}
	tasks := "station,grid,officer,title,due,done_at\n" +
		fmt.Sprintf("%s,%s,,排查出租屋,2025-03-10,2025-03-09 16:00:00\n", station, grid) +
		fmt.Sprintf("%s,,%s,走访独居老人,2025-03-20,\n", station, officer) +
		fmt.Sprintf("%s,%s,,x,2025-03-20,\n", station, otherGrid) +
		fmt.Sprintf("%s,,,y,soon,\n", station)
	tfile := writeFile(t, "tasks.csv", tasks)
	stdout, _, err = jingge(t, "import", "tasks", tfile, "--db", dbURL)
	if !errors.Is(err, errRejected) {
		t.Fatalf("import with bad rows: err = %v, want a rejection\n%s", err, stdout)
	}
	for _, want := range []string{"2 of 4 row(s) have problems", "line 4: grid: grid " + otherGrid + " is of station", "line 5: due \"soon\" is neither a date", "grid: a task is assigned to a grid, an officer or both"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("report lacks %q:\n%s", want, stdout)
		}
	}
	if stdout, stderr, err := jingge(t, "import", "tasks", "--skip-bad", tfile, "--db", dbURL); err != nil || !strings.Contains(stdout, "imported 2 task(s)") {
		t.Fatalf("import --skip-bad: %v\n%s%s", err, stdout, stderr)
	}
	if _, _, err := jingge(t, "import", "tasks", writeFile(t, "odd.csv", "station,title,due,colour\n"), "--db", dbURL); !errors.Is(err, errRejected) || !strings.Contains(err.Error(), `unknown column "colour"`) {
		t.Errorf("an unknown column: %v", err)
	}
}

// storedDisputes reads every dispute of the store at dbURL, newest first.
func storedDisputes(t *testing.T, dbURL string) []geo.DisputeCase {
	t.Helper()
	st, err := postgis.Open(context.Background(), dbURL, postgis.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	page, err := st.QueryDisputes(context.Background(), data.DisputeFilter{}, data.Page{Limit: data.MaxPageLimit})
	if err != nil {
		t.Fatal(err)
	}
	return page.Disputes
}
