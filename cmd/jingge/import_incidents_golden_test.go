package main

import (
	"bytes"
	"context"
	"jingge/internal/golden"
	"log/slog"
	"os"
	"path/filepath"
	"testing"

	"jingge/data"
	"jingge/data/lantian"
	"jingge/data/memory"
)

// goldenIncidentFiles are incident files of every format, good rows and
// bad, whose dry-run reports are kept in testdata/golden.
var goldenIncidentFiles = []struct{ name, file, body string }{
	{"csv", "incidents.csv", "\ufeffoccurred_at,category,lon,lat,severity,summary,reported_at,status,cleared\n" +
		"2026-10-20 08:15:00,traffic,109.317,34.152,2,两车剐蹭,,,\n" +
		"2026-10-21T21:00:00+08:00,纠纷,109.3,34.1,,\"邻里纠纷, 已调解\",2026-10-21 21:30:00,closed,\n" +
		"2026-10-22 10:00:00,刑事,109.3,34.1,4,,,closed,是\n" +
		"2026-10-23 10:00:00,traffic,108.5,33.1,1,far away,,,\n" +
		"2026-10-24 10:00:00,ufo,109.3,34.1,9,bad values,,lost,maybe\n" +
		"2026-10-25 10:00:00,traffic,109.3\n"},
	{"csv-aliases", "aliases.csv", "time,type,longitude,latitude\n2026-10-20 08:15:00,fire,109.317,34.152\n"},
	{"csv-no-lat", "nolat.csv", "occurred_at,category,lon\n2026-10-20 08:15:00,fire,109.317\n"},
	{"geojson", "incidents.geojson", `{"type":"FeatureCollection","features":[` +
		`{"type":"Feature","geometry":{"type":"Point","coordinates":[109.317,34.152]},"properties":{"occurred_at":"2026-10-20T08:15:00+08:00","category":"traffic","severity":2}},` +
		`{"type":"Feature","geometry":{"type":"Point","coordinates":[108.5,33.1]},"properties":{"occurred_at":"2026-10-20 08:15:00","category":"fire"}},` +
		`{"type":"Feature","geometry":{"type":"Point","coordinates":[109.3,34.1]},"properties":{"occurred_at":"yesterday","category":"ufo"}}]}`},
	{"geojson-gcj02", "gcj.geojson", `{"type":"FeatureCollection","crs":"gcj02","features":[` +
		`{"type":"Feature","geometry":{"type":"Point","coordinates":[109.322,34.150]},"properties":{"occurred_at":"2026-10-20T08:15:00+08:00","category":"traffic"}}]}`},
}

// TestGoldenImportIncidentsDryRun holds `jingge import incidents --dry-run`
// to the reports recorded in testdata/golden, text and JSON, byte for
// byte, on the bundled county held by the embedded store. Run with -update
// to record them anew.
func TestGoldenImportIncidentsDryRun(t *testing.T) {
	ds, err := lantian.Load()
	if err != nil {
		t.Fatal(err)
	}
	open := func(context.Context, string, *slog.Logger) (data.Store, error) {
		return memory.New(memory.Clone(ds))
	}
	for _, f := range goldenIncidentFiles {
		for _, asJSON := range []bool{false, true} {
			name := f.name
			args := []string{"--dry-run", "--db", "embedded"}
			if asJSON {
				name += "-json"
				args = append(args, "--json")
			}
			path := filepath.Join(t.TempDir(), f.file)
			if err := os.WriteFile(path, []byte(f.body), 0o644); err != nil {
				t.Fatal(err)
			}
			var stdout, stderr bytes.Buffer
			err := importIncidentsCommand(context.Background(), append(args, path), &stdout, &stderr, open)
			got := bytes.ReplaceAll(stdout.Bytes(), []byte(path), []byte(f.file))
			got = append(got, "--- stderr\n"...)
			got = append(got, bytes.ReplaceAll(stderr.Bytes(), []byte(path), []byte(f.file))...)
			got = append(got, "--- error\n"...)
			if err != nil {
				got = append(got, bytes.ReplaceAll([]byte(err.Error()), []byte(path), []byte(f.file))...)
				got = append(got, '\n')
			}
			checkGolden(t, "import-incidents-"+name+".txt", got)
		}
	}
}

// checkGolden compares got with testdata/golden/name, or records it there
// under -update.
func checkGolden(tb testing.TB, name string, got []byte) {
	tb.Helper()
	if want := golden.Recorded(tb, filepath.Join("testdata", "golden", name), got); !bytes.Equal(got, want) {
		tb.Errorf("%s differs from the recorded report:\n got %s\nwant %s", name, got, want)
	}
}
