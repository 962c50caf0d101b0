package main

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"jingge/data/lantian"
)

// TestExportGeoPackageReadByGDAL exports the bundled county as a
// GeoPackage and opens it with GDAL's GPKG driver: three layers in
// WGS-84 with the dataset's feature counts, a grid's attributes read by
// its id, and a usage error for a GeoPackage without a file or an unknown
// format (no file left behind).
func TestExportGeoPackageReadByGDAL(t *testing.T) {
	ogrinfo := needOgrinfo(t)
	t.Setenv("DATABASE_URL", "")
	dir := t.TempDir()
	path := filepath.Join(dir, "county.gpkg")
	_, stderr, err := jingge(t, "export", "--format", "gpkg", "-o", path)
	if err != nil {
		t.Fatalf("export: %v\n%s", err, stderr)
	}
	ds, err := lantian.Load()
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(stderr, "92 police grids, 352 community grids, 15 stations") {
		t.Errorf("summary %q", stderr)
	}
	run := func(args ...string) string {
		t.Helper()
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		defer cancel()
		out, err := exec.CommandContext(ctx, ogrinfo, args...).CombinedOutput()
		if err != nil {
			t.Fatalf("ogrinfo %s: %v\n%s", strings.Join(args, " "), err, out)
		}
		return string(out)
	}
	listed := run("-ro", path)
	for _, want := range []string{"police_grids (Multi Polygon)", "community_grids (Multi Polygon)", "stations (Point)"} {
		if !strings.Contains(listed, want) {
			t.Errorf("ogrinfo does not list %s:\n%s", want, listed)
		}
	}
	counts := map[string]int{}
	for _, g := range ds.Grids {
		counts[string(g.Level)]++
	}
	for layer, want := range map[string]int{"police_grids": counts["police"], "community_grids": counts["community"], "stations": len(ds.Stations)} {
		info := run("-ro", "-so", path, layer)
		m := regexp.MustCompile(`Feature Count: (\d+)`).FindStringSubmatch(info)
		if m == nil || m[1] != strconv.Itoa(want) || !strings.Contains(info, `"WGS 84"`) {
			t.Errorf("%s: %v features, want %d in WGS 84:\n%s", layer, m, want, info)
		}
	}
	g := ds.Grids[0]
	one := run("-ro", path, "-where", "id = '"+g.ID+"'", map[string]string{"police": "police_grids", "community": "community_grids"}[string(g.Level)])
	if !strings.Contains(one, "name (String) = "+g.Name) || !strings.Contains(one, "MULTIPOLYGON") {
		t.Errorf("grid %s as GDAL reads it:\n%.2000s", g.ID, one)
	}

	for _, args := range [][]string{{"export", "--format", "gpkg"}, {"export", "--format", "shp", "-o", filepath.Join(dir, "x.shp")}} {
		if _, _, err := jingge(t, args...); !errors.Is(err, errUsage) {
			t.Errorf("%v: err = %v, want a usage error", args, err)
		}
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("the export directory holds %d files, want only county.gpkg", len(entries))
	}
}
