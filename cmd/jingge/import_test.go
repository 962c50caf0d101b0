package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/paulmach/orb"

	"jingge/data/datafile"
	"jingge/data/lantian"
	"jingge/data/postgis/postgistest"
	"jingge/data/storetest"
	"jingge/geo"
)

// jingge runs the command line in-process and returns what it printed.
func jingge(t *testing.T, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	var out, errb bytes.Buffer
	err = run(context.Background(), args, &out, &errb)
	return out.String(), errb.String(), err
}

// writeDataset writes ds as a dataset file in a temporary directory.
func writeDataset(t *testing.T, ds *geo.Dataset) string {
	t.Helper()
	var buf bytes.Buffer
	if err := datafile.Write(&buf, ds); err != nil {
		t.Fatal(err)
	}
	name := filepath.Join(t.TempDir(), "dataset.geojson")
	if err := os.WriteFile(name, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return name
}

func exportBytes(t *testing.T, dbURL string, extra ...string) []byte {
	t.Helper()
	out := filepath.Join(t.TempDir(), "export.geojson")
	if _, stderr, err := jingge(t, append([]string{"export", "--db", dbURL, "-o", out}, extra...)...); err != nil {
		t.Fatalf("export: %v\n%s", err, stderr)
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestImportExportRoundTrip(t *testing.T) {
	dbURL := postgistest.NewSchema(t)
	file := writeDataset(t, storetest.Synthetic(storetest.Partition{Cols: 6, Rows: 4, Stations: 3, Seed: 11}))
	stdout, stderr, err := jingge(t, "import", file, "--db", dbURL)
	if err != nil {
		t.Fatalf("import: %v\n%s%s", err, stdout, stderr)
	}
	if !strings.Contains(stdout, "imported") || !strings.Contains(stdout, "30 created, 0 changed, 0 unchanged, 0 retired") {
		t.Errorf("import report:\n%s", stdout)
	}
	want, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	if got := exportBytes(t, dbURL); !bytes.Equal(got, want) {
		t.Errorf("export after import differs from the imported file:\n%s", firstDiff(want, got))
	}
}

func TestImportLantianThenExportIsTheBundledFile(t *testing.T) {
	dbURL := postgistest.NewSchema(t)
	stdout, stderr, err := jingge(t, "import", "--lantian", "--db", dbURL)
	if err != nil {
		t.Fatalf("import --lantian: %v\n%s%s", err, stdout, stderr)
	}
	if got := exportBytes(t, dbURL); !bytes.Equal(got, lantian.Bundled()) {
		t.Errorf("export after import --lantian differs from the bundled file:\n%s", firstDiff(lantian.Bundled(), got))
	}
}

func TestImportRejectsWithAReportAndChangesNothing(t *testing.T) {
	dbURL := postgistest.NewSchema(t)
	good := storetest.Small()
	if _, _, err := jingge(t, "import", writeDataset(t, good), "--db", dbURL); err != nil {
		t.Fatal(err)
	}
	before := exportBytes(t, dbURL)
	bad, _, _ := storetest.Changed(good)
	for i := range bad.Grids {
		switch bad.Grids[i].ID {
		case "C0-0": // stretched east over C1-0
			r := bad.Grids[i].Geometry[0][0]
			r[1][0] += 0.004
			r[2][0] += 0.004
		case "C1-1": // a bow tie
			r := bad.Grids[i].Geometry[0][0]
			bad.Grids[i].Geometry[0][0] = orb.Ring{r[0], r[2], r[1], r[3], r[0]}
		case "P1-0":
			bad.Grids[i].StationID = "s07"
		}
	}
	stdout, _, err := jingge(t, "import", writeDataset(t, bad), "--db", dbURL)
	if !errors.Is(err, errRejected) {
		t.Fatalf("err = %v, want errRejected", err)
	}
	for _, want := range []string{
		"not imported",
		"the database is unchanged",
		"grid C0-0: overlaps grid C1-0",
		"grid C1-1: invalid geometry: Self-intersection at",
		`grid P1-0: station "s07" is not in the dataset`,
	} {
		if !strings.Contains(stdout, want) {
			t.Errorf("report lacks %q:\n%s", want, stdout)
		}
	}
	if after := exportBytes(t, dbURL); !bytes.Equal(before, after) {
		t.Errorf("a rejected import changed the database:\n%s", firstDiff(before, after))
	}
}

func TestImportFixDryRun(t *testing.T) {
	dbURL := postgistest.NewSchema(t)
	ds := storetest.Small()
	r := ds.Grids[2].Geometry[0][0] // a community grid
	ds.Grids[2].Geometry[0][0] = orb.Ring{r[0], r[2], r[1], r[3], r[0]}
	file := writeDataset(t, ds)
	stdout, _, err := jingge(t, "import", file, "--db", dbURL, "--fix", "--dry-run")
	if err != nil {
		t.Fatalf("import --fix --dry-run: %v\n%s", err, stdout)
	}
	if !strings.Contains(stdout, "dry run: nothing written") || !strings.Contains(stdout, "repaired with ST_MakeValid") || !strings.Contains(stdout, ds.Grids[2].ID) {
		t.Errorf("report:\n%s", stdout)
	}
	empty, err := datafile.Read(bytes.NewReader(exportBytes(t, dbURL)))
	if err != nil || len(empty.Grids) != 0 {
		t.Errorf("a dry run wrote %d grids (%v)", len(empty.Grids), err)
	}
	if _, _, err := jingge(t, "import", file, "--db", dbURL); !errors.Is(err, errRejected) {
		t.Errorf("without --fix: err = %v, want errRejected", err)
	}
	if _, _, err := jingge(t, "import", file, "--db", dbURL, "--fix"); err != nil {
		t.Errorf("with --fix: %v", err)
	}
}

func TestImportFileFormatProblems(t *testing.T) {
	name := filepath.Join(t.TempDir(), "bad.geojson")
	bad := `{"type":"FeatureCollection","features":[
{"type":"Feature","geometry":{"type":"Polygon","coordinates":[[[109,34],[109.1,34],[109.1,34.1],[109,34.1]]]},"properties":{"kind":"grid","id":"G1","level":"police","station":"s1"}},
{"type":"Feature","geometry":null,"properties":{"kind":"member","id":"M1","name":"x","role":"sheriff","grids":[]}}]}`
	if err := os.WriteFile(name, []byte(bad), 0o644); err != nil {
		t.Fatal(err)
	}
	// The file is read before the database is opened, so none is needed.
	stdout, _, err := jingge(t, "import", name, "--db", "postgres://nobody@127.0.0.1:1/none")
	if !errors.Is(err, errRejected) {
		t.Fatalf("err = %v, want errRejected", err)
	}
	for _, want := range []string{"feature 0 (G1)", "is not closed", "feature 1 (M1)", `role "sheriff" is unknown`} {
		if !strings.Contains(stdout, want) {
			t.Errorf("report lacks %q:\n%s", want, stdout)
		}
	}
}

func TestImportUsage(t *testing.T) {
	t.Setenv("DATABASE_URL", "")
	cases := []struct {
		name string
		args []string
		want string
	}{
		{"no file", []string{"import", "--db", "postgres://x"}, "one FILE"},
		{"file and --lantian", []string{"import", "a.geojson", "--lantian", "--db", "postgres://x"}, "not both"},
		{"no database", []string{"import", "a.geojson"}, "pass --db URL"},
		{"two files", []string{"import", "a", "b", "--db", "postgres://x"}, "one FILE"},
	}
	for _, c := range cases {
		_, _, err := jingge(t, c.args...)
		if !errors.Is(err, errUsage) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: err = %v, want a usage error saying %q", c.name, err, c.want)
		}
	}
}

func TestExportAsOf(t *testing.T) {
	dbURL := postgistest.NewSchema(t)
	first := writeDataset(t, storetest.Small())
	if _, _, err := jingge(t, "import", first, "--db", dbURL); err != nil {
		t.Fatal(err)
	}
	time.Sleep(20 * time.Millisecond)
	between := time.Now()
	time.Sleep(20 * time.Millisecond)
	next, _, _ := storetest.Changed(storetest.Small())
	if _, _, err := jingge(t, "import", writeDataset(t, next), "--db", dbURL); err != nil {
		t.Fatal(err)
	}
	then, err := datafile.Read(bytes.NewReader(exportBytes(t, dbURL, "--as-of", between.Format(time.RFC3339Nano))))
	if err != nil {
		t.Fatal(err)
	}
	want := storetest.Small()
	if len(then.Grids) != len(want.Grids) || then.Grids[1].Name != want.Grids[1].Name {
		t.Errorf("--as-of between the imports gives %d grids, want the first import's %d", len(then.Grids), len(want.Grids))
	}
	now, err := datafile.Read(bytes.NewReader(exportBytes(t, dbURL)))
	if err != nil {
		t.Fatal(err)
	}
	storetest.SameDataset(t, next, now)
}

func TestExportEmbedded(t *testing.T) {
	t.Setenv("DATABASE_URL", "")
	stdout, _, err := jingge(t, "export")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal([]byte(stdout), lantian.Bundled()) {
		t.Errorf("export without a database differs from the bundled dataset:\n%s", firstDiff(lantian.Bundled(), []byte(stdout)))
	}
	if _, _, err := jingge(t, "export", "--as-of", "yesterday"); !errors.Is(err, errUsage) {
		t.Errorf("--as-of yesterday: err = %v, want a usage error", err)
	}
}

func TestMigrateCommand(t *testing.T) {
	dbURL := postgistest.NewSchema(t)
	stdout, _, err := jingge(t, "migrate", "--db", dbURL)
	if err != nil || !strings.Contains(stdout, "applied migration 1 (grids)") || !strings.Contains(stdout, "the schema is now at migration") {
		t.Fatalf("first migrate: %v\n%s", err, stdout)
	}
	stdout, _, err = jingge(t, "migrate", "--db", dbURL)
	if err != nil || !strings.Contains(stdout, "up to date") {
		t.Errorf("second migrate: %v\n%s", err, stdout)
	}
	t.Setenv("DATABASE_URL", "")
	if _, _, err := jingge(t, "migrate"); !errors.Is(err, errUsage) {
		t.Errorf("migrate without a database: err = %v, want a usage error", err)
	}
}

// firstDiff shows the first line where two dataset files differ.
func firstDiff(want, got []byte) string {
	wl, gl := strings.Split(string(want), "\n"), strings.Split(string(got), "\n")
	for i := range max(len(wl), len(gl)) {
		var a, b string
		if i < len(wl) {
			a = wl[i]
		}
		if i < len(gl) {
			b = gl[i]
		}
		if a != b {
			return fmt.Sprintf("line %d: want %s\n got %s", i+1, trunc(a), trunc(b))
		}
	}
	return "(same lines)"
}

func trunc(s string) string {
	if len(s) > 300 {
		return s[:300] + "…"
	}
	return s
}
