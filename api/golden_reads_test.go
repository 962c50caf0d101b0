package api

import (
	"bytes"
	"context"
	"fmt"
	"jingge/internal/golden"
	"log/slog"
	"net/http"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"jingge/api/incidents"
	"jingge/data"
	"jingge/data/lantian"
	"jingge/data/memory"
	"jingge/geo"
	"jingge/tiles"
)

// goldenRoutes are read routes whose answers on the bundled Lantian
// dataset and its synthetic incidents are kept in testdata/golden: a
// refactoring must leave them byte for byte as they are. Time windows are
// fixed so the answers do not depend on the day the test runs.
var goldenRoutes = []struct{ name, target string }{
	{"lookup-county-seat", "/api/v1/lookup?lon=109.317&lat=34.152"},
	{"lookup-gcj02", "/api/v1/lookup?lon=109.3228&lat=34.1507&crs=gcj02"},
	{"lookup-outside", "/api/v1/lookup?lon=100&lat=30"},
	{"stations", "/api/v1/stations"},
	{"station-chengguan", "/api/v1/stations/chengguan"},
	{"grids-police-chengguan", "/api/v1/grids?level=police&station=chengguan"},
	{"grids-bbox", "/api/v1/grids?bbox=109.30,34.14,109.33,34.16&level=community"},
	{"grid-first", "/api/v1/grids/" + goldenFirstGrid},
	{"grid-unknown", "/api/v1/grids/nosuchgrid"},
	{"regions", "/api/v1/regions"},
	{"dataset", "/api/v1/dataset"},
	{"search", "/api/v1/search?q=" + "%E8%93%9D%E5%85%B3" + "&limit=5"},
	{"nearest-station", "/api/v1/dispatch/nearest-station?lon=109.317&lat=34.152"},
	{"tile-12", "/tiles/12/3291/1634.mvt"},
	{"tile-8", "/tiles/8/205/102.mvt"},
	{"tilejson", "/tiles.json"},
	{"incidents-week", "/api/v1/incidents?from=2026-10-01T00:00:00%2B08:00&to=2026-10-08T00:00:00%2B08:00&limit=40"},
	{"incidents-near", "/api/v1/incidents?from=2026-06-01T00:00:00%2B08:00&to=2026-09-01T00:00:00%2B08:00&near=109.317,34.152&radius_m=1500&limit=100"},
	{"incidents-station", "/api/v1/incidents?from=2026-09-01T00:00:00%2B08:00&to=2026-10-01T00:00:00%2B08:00&station=chengguan&category=traffic&limit=20"},
	{"aggregate-station-month", "/api/v1/incidents/aggregate?from=2026-01-01T00:00:00%2B08:00&to=2026-07-01T00:00:00%2B08:00&group_by=station&bucket=month"},
	{"aggregate-grid-week", "/api/v1/incidents/aggregate?from=2026-10-01T00:00:00%2B08:00&to=2026-10-15T00:00:00%2B08:00&group_by=police_grid&bucket=week"},
	{"incident-tile", "/tiles/incidents/12/3291/1634.mvt?from=2026-01-01T00:00:00%2B08:00&to=2026-11-01T00:00:00%2B08:00"},
}

// goldenFirstGrid is the first grid of the bundled dataset.
const goldenFirstGrid = "61012200100001"

// TestGoldenReads answers every golden route on the bundled dataset and
// compares status, media type and body with testdata/golden (go test
// -run TestGoldenReads -update rewrites them).
func TestGoldenReads(t *testing.T) {
	if testing.Short() {
		t.Skip("loads the Lantian year of incidents")
	}
	h := goldenReadServer(t).Handler()
	for _, r := range goldenRoutes {
		t.Run(r.name, func(t *testing.T) {
			rec := serve(t, h, http.MethodGet, r.target, "")
			var got bytes.Buffer
			fmt.Fprintf(&got, "GET %s\n%d %s\n\n", r.target, rec.Code, rec.Header().Get("Content-Type"))
			body := rec.Body.Bytes()
			if strings.Contains(rec.Header().Get("Content-Type"), "problem") {
				// The request id differs on every request.
				body = []byte(requestIDPattern.ReplaceAllString(string(body), `"request_id":"-"`))
			}
			got.Write(body)
			path := filepath.Join("testdata", "golden", r.name+".golden")
			if want := golden.Recorded(t, path, got.Bytes()); !bytes.Equal(got.Bytes(), want) {
				t.Errorf("%s answers differently from %s %s", r.target, path, golden.FirstDifference(got.Bytes(), want))
			}
		})
	}
}

// goldenReadServer serves the bundled dataset with its synthetic year of
// incidents, as the embedded demo does.
func goldenReadServer(t *testing.T) *Server {
	t.Helper()
	ds, err := lantian.Load()
	if err != nil {
		t.Fatal(err)
	}
	seeded, err := lantian.Incidents(ds, lantian.DefaultSeed)
	if err != nil {
		t.Fatal(err)
	}
	st, err := memory.New(memory.Clone(ds))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.AddIncidents(context.Background(), data.IncidentBatch{Incidents: seeded}); err != nil {
		t.Fatal(err)
	}
	live := new(geo.Live)
	live.Store(mustIndex(t, ds))
	cfg := Config{Index: live, Incidents: st, GridHistory: st, GridEditor: st}
	cfg.IncidentTiles = tiles.NewIncidentLayer(cfg.Index, incidents.TileSource(st), tiles.IncidentLayerOptions{})
	cfg.Patrols = memory.NewPatrols(memory.PatrolOptions{})
	cfg.Logger = slog.New(slog.NewTextHandler(tbWriter{t}, &slog.HandlerOptions{Level: slog.LevelWarn}))
	return New(cfg)
}

// requestIDPattern finds the request id of a problem, which differs on
// every request.
var requestIDPattern = regexp.MustCompile(`"request_id":"[^"]*"`)
