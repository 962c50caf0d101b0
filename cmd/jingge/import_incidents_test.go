package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"jingge/data"
	"jingge/data/postgis"
	"jingge/data/postgis/postgistest"
	"jingge/data/storetest"
)

func writeFile(t *testing.T, name, body string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// storedIncidents counts the incidents in the store at dbURL.
func storedIncidents(t *testing.T, dbURL string) int {
	t.Helper()
	st, err := postgis.Open(context.Background(), dbURL, postgis.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	n, p := 0, data.Page{Limit: data.MaxPageLimit}
	for {
		page, err := st.QueryIncidents(context.Background(), data.IncidentFilter{}, p)
		if err != nil {
			t.Fatal(err)
		}
		n += len(page.Incidents)
		if page.Next == "" {
			return n
		}
		p.Cursor = page.Next
	}
}

func TestImportIncidents(t *testing.T) {
	dbURL := postgistest.NewSchema(t)
	ds := storetest.Small()
	if _, stderr, err := jingge(t, "import", writeDataset(t, ds), "--db", dbURL); err != nil {
		t.Fatalf("import dataset: %v\n%s", err, stderr)
	}
	in := storetest.Small().Grids[1].Geometry.Bound().Center() // in community grid C0-0
	csvBody := "\ufeffoccurred_at,category,lon,lat,severity,summary\n" +
		fmt.Sprintf("2025-03-01 08:15:00,traffic,%v,%v,2,两车剐蹭\n", in[0], in[1]) +
		fmt.Sprintf("2025-03-02T21:00:00+08:00,纠纷,%v,%v,,\"邻里纠纷, 已调解\"\n", in[0], in[1]) +
		"2025-03-03 10:00:00,traffic,108.5,33.1,1,far away\n" +
		fmt.Sprintf("2025-03-04 10:00:00,ufo,%v,%v,9,bad values\n", in[0], in[1])
	file := writeFile(t, "history.csv", csvBody)

	stdout, _, err := jingge(t, "import", "incidents", file, "--db", dbURL)
	if !errors.Is(err, errRejected) {
		t.Fatalf("import with bad rows: err = %v, want a rejection\n%s", err, stdout)
	}
	for _, want := range []string{"2 of 4 row(s) have problems", "line 4: the point lon 108.500000, lat 33.100000 (WGS-84) is outside every grid", "line 5: category: must be one of", "severity"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("report lacks %q:\n%s", want, stdout)
		}
	}
	if n := storedIncidents(t, dbURL); n != 0 {
		t.Fatalf("%d incidents stored by a rejected import", n)
	}

	stdout, _, err = jingge(t, "import", "incidents", "--skip-bad", file, "--db", dbURL)
	if err != nil || !strings.Contains(stdout, "imported 2 incident(s)") || !strings.Contains(stdout, "skipped 2 bad row(s)") {
		t.Fatalf("--skip-bad: %v\n%s", err, stdout)
	}
	stdout, _, err = jingge(t, "import", "incidents", "--skip-bad", file, "--db", dbURL)
	if err != nil || !strings.Contains(stdout, "already imported") {
		t.Fatalf("the same import again: %v\n%s", err, stdout)
	}
	if n := storedIncidents(t, dbURL); n != 2 {
		t.Fatalf("%d incidents stored, want 2", n)
	}

	geo := fmt.Sprintf(`{"type":"FeatureCollection","crs":"wgs84","features":[{"type":"Feature","geometry":{"type":"Point","coordinates":[%v,%v]},"properties":{"occurred_at":"2025-04-01T09:00:00+08:00","category":"fire","severity":4}}]}`, in[0], in[1])
	stdout, _, err = jingge(t, "import", "incidents", writeFile(t, "more.geojson", geo), "--db", dbURL, "--json")
	if err != nil || !strings.Contains(stdout, `"imported": 1`) {
		t.Fatalf("GeoJSON import: %v\n%s", err, stdout)
	}
	if _, _, err := jingge(t, "import", "incidents", writeFile(t, "more.geojson", geo), "--db", dbURL, "--crs", "gcj02"); !errors.Is(err, errUsage) {
		t.Errorf("--crs disagreeing with the file: err = %v, want a usage error", err)
	}
	if _, _, err := jingge(t, "import", "incidents", writeFile(t, "bad.csv", "when,category,lon,lat\n"), "--db", dbURL); !errors.Is(err, errRejected) {
		t.Errorf("an unknown column: err = %v, want a rejection", err)
	}
	if n := storedIncidents(t, dbURL); n != 3 {
		t.Fatalf("%d incidents stored, want 3", n)
	}
}
