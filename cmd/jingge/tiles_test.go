package main

import (
	"bytes"
	"compress/gzip"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/maptile"

	"jingge/api/apitest"
	"jingge/data"
	"jingge/data/lantian"
	"jingge/data/postgis/postgistest"
	"jingge/geo"
	"jingge/tiles"
	"jingge/tiles/tilepack"
)

// servedTile fetches a tile from a running server: the body as sent with
// Content-Encoding: gzip (nil for 204) when gz, else the plain MVT.
func servedTile(t *testing.T, srv served, path string, gz bool) []byte {
	t.Helper()
	url := srv.base + path
	req, _ := http.NewRequest(http.MethodGet, url, nil)
	req.Header.Set("Authorization", "Bearer "+srv.token)
	if gz {
		// Set by hand, the transport leaves the body compressed.
		req.Header.Set("Accept-Encoding", "gzip")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	switch resp.StatusCode {
	case http.StatusNoContent:
		return nil
	case http.StatusOK:
		if gz && resp.Header.Get("Content-Encoding") != "gzip" {
			t.Fatalf("%s: not gzip-encoded", url)
		}
		return body
	}
	t.Fatalf("%s: %s\n%s", url, resp.Status, body)
	return nil
}

// packageReader returns the tiles of an exported file by address (nil
// when the file lacks it), read with the SQLite driver or the PMTiles
// reader.
func packageReader(t *testing.T, format, path string) func(maptile.Tile) []byte {
	t.Helper()
	if format == "pmtiles" {
		r, err := tilepack.OpenPMTiles(path)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { r.Close() })
		return func(tl maptile.Tile) []byte {
			b, err := r.Tile(uint8(tl.Z), tl.X, tl.Y)
			if err != nil {
				t.Fatal(err)
			}
			return b
		}
	}
	db, err := sql.Open("sqlite", "file:"+path+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return func(tl maptile.Tile) []byte {
		var b []byte
		err := db.QueryRow(`SELECT tile_data FROM tiles WHERE zoom_level = ? AND tile_column = ? AND tile_row = ?`,
			int(tl.Z), tl.X, (1<<tl.Z)-1-tl.Y).Scan(&b)
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		}
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
}

func gunzip(t *testing.T, b []byte) []byte {
	t.Helper()
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	out, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// exportTiles runs jingge tiles export on a store of its own holding ds
// and returns its stderr.
func exportTiles(t *testing.T, ds *geo.Dataset, args ...string) (string, error) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	err := tilesCommand(context.Background(), append([]string{"export"}, args...), &stdout, &stderr, opener(memStore(t, ds)))
	return stderr.String(), err
}

// addressesOf lists the pyramid's tiles of ds over the zooms and box.
func addressesOf(t *testing.T, ds *geo.Dataset, minZ, maxZ int, box orb.Bound) []maptile.Tile {
	t.Helper()
	ix, err := geo.NewIndex(ds)
	if err != nil {
		t.Fatal(err)
	}
	return tiles.NewSource(ix, tiles.Options{}).Addresses(minZ, maxZ, box)
}

// served is a running server and a viewer's token for it.
type served struct{ base, token string }

// serveDataset serves ds to a viewer.
func serveDataset(t *testing.T, ds *geo.Dataset) served {
	t.Helper()
	return serveStore(t, opener(memStore(t, ds)), "--auth-file", filepath.Join(t.TempDir(), "auth.json"))
}

// serveStore serves the store open opens to a viewer kept where users are
// (--auth-file FILE, or --db URL, which is also the store), with the rate
// limit out of the way of a test reading hundreds of tiles.
func serveStore(t *testing.T, open storeOpener, where ...string) served {
	t.Helper()
	mustCLI(t, "", append([]string{"users", "add", "wall", "--role", "viewer"}, where...)...)
	m := tokenRE.FindStringSubmatch(mustCLI(t, "", append([]string{"tokens", "create", "--user", "wall"}, where...)...))
	if m == nil {
		t.Fatal("no token printed")
	}
	base, _, stop := startServe(t, func(ctx context.Context, stdout, stderr io.Writer) error {
		return serveCommand(ctx, append([]string{"--addr", "127.0.0.1:0", "--prerender-zoom", "0", "--rate", "1e9", "--burst", "1000000000"}, where...), stdout, stderr, open)
	})
	t.Cleanup(func() {
		if err := stop(); err != nil {
			t.Errorf("serve: %v", err)
		}
	})
	return served{base: base, token: m[1]}
}

// TestTilesExportEqualsServed exports the county's combined tiles z6–z12
// in both formats and reads them back, with SQLite and with the PMTiles reader:
// every tile of the pyramid is in the file exactly when the server
// answers 200 for it, with the very bytes it sends gzip-encoded.
func TestTilesExportEqualsServed(t *testing.T) {
	county := func() *geo.Dataset {
		ds, err := lantian.Load()
		if err != nil {
			t.Fatal(err)
		}
		return ds
	}
	srv := serveDataset(t, county())
	addrs := addressesOf(t, county(), 6, 12, orb.Bound{})
	served := map[maptile.Tile][]byte{}
	for _, a := range addrs {
		served[a] = servedTile(t, srv, "/tiles/"+tiles.Path(a), true)
	}
	for _, format := range []string{"mbtiles", "pmtiles"} {
		t.Run(format, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "county."+format)
			stderr, err := exportTiles(t, county(), "--format", format, "--minzoom", "6", "--maxzoom", "12", "--out", path, "--workers", "3")
			if err != nil {
				t.Fatalf("export: %v\n%s", err, stderr)
			}
			written := 0
			for _, b := range served {
				if b != nil {
					written++
				}
			}
			if written == 0 || written == len(addrs) {
				t.Fatalf("%d of %d tiles served with features; the check needs both kinds", written, len(addrs))
			}
			summary := fmt.Sprintf("wrote %s: %d tiles (%d of the %d looked at were empty)", path, written, len(addrs)-written, len(addrs))
			if !strings.Contains(stderr, summary) || !strings.Contains(stderr, fmt.Sprintf("tiles: %d/%d rendered (100%%)", len(addrs), len(addrs))) {
				t.Errorf("stderr lacks the progress or %q:\n%s", summary, stderr)
			}
			read := packageReader(t, format, path)
			for _, a := range addrs {
				if got, want := read(a), served[a]; !bytes.Equal(got, want) {
					t.Errorf("tile %s: the file holds %d bytes, the server sends %d", tiles.Path(a), len(got), len(want))
				}
			}
			// Nothing outside the pyramid crept in.
			if format == "mbtiles" {
				var n int
				db, _ := sql.Open("sqlite", "file:"+path+"?mode=ro")
				defer db.Close()
				if err := db.QueryRow(`SELECT count(*) FROM tiles`).Scan(&n); err != nil || n != written {
					t.Errorf("the tiles table holds %d rows (%v), want %d", n, err, written)
				}
				var format, minzoom, bounds, layers string
				err := db.QueryRow(`SELECT (SELECT value FROM metadata WHERE name = 'format'), (SELECT value FROM metadata WHERE name = 'minzoom'),
					(SELECT value FROM metadata WHERE name = 'bounds'), (SELECT value FROM metadata WHERE name = 'json')`).Scan(&format, &minzoom, &bounds, &layers)
				if err != nil || format != "pbf" || minzoom != "6" || !regexp.MustCompile(`^109\.\d+,33\.\d+,109\.\d+,34\.\d+$`).MatchString(bounds) || !strings.Contains(layers, `"id":"police_grids"`) {
					t.Errorf("metadata format %q, minzoom %q, bounds %q, json %s (%v)", format, minzoom, bounds, layers, err)
				}
			}
		})
	}
}

// TestTilesExportFromPostGIS exports with --db from a PostGIS store and
// compares every tile with what a server on the same database serves.
func TestTilesExportFromPostGIS(t *testing.T) {
	dbURL := postgistest.NewSchema(t)
	st := postgistest.MustOpenURL(t, dbURL)
	if _, err := st.Import(context.Background(), apitest.Small(), data.ImportOptions{}); err != nil {
		t.Fatal(err)
	}
	srv := serveStore(t, openStore, "--db", dbURL)
	path := filepath.Join(t.TempDir(), "pg.mbtiles")
	var stdout, stderr bytes.Buffer
	if err := tilesCommand(context.Background(), []string{"export", "--format", "mbtiles", "--minzoom", "8", "--maxzoom", "15", "--db", dbURL, "--out", path}, &stdout, &stderr, openStore); err != nil {
		t.Fatalf("export: %v\n%s", err, stderr.String())
	}
	read := packageReader(t, "mbtiles", path)
	addrs := addressesOf(t, apitest.Small(), 8, 15, orb.Bound{})
	for _, a := range addrs {
		if got, want := read(a), servedTile(t, srv, "/tiles/"+tiles.Path(a), true); !bytes.Equal(got, want) {
			t.Errorf("tile %s: the file holds %d bytes, the server on the same database sends %d", tiles.Path(a), len(got), len(want))
		}
	}
	if !strings.Contains(stderr.String(), fmt.Sprintf("of the %d looked at", len(addrs))) {
		t.Errorf("the export did not look at the pyramid's %d tiles:\n%s", len(addrs), stderr.String())
	}
}

// TestTilesExportLayersAndBox exports two layers over the western half of
// the grids: each tile is the two layers' served tiles one after the
// other, in the combined tile's order, and only tiles meeting the box are
// looked at.
func TestTilesExportLayersAndBox(t *testing.T) {
	srv := serveDataset(t, apitest.Small())
	box := orb.Bound{Min: orb.Point{109.30, 34.14}, Max: orb.Point{109.315, 34.16}}
	path := filepath.Join(t.TempDir(), "west.pmtiles")
	stderr, err := exportTiles(t, apitest.Small(), "--format", "pmtiles", "--minzoom", "10", "--maxzoom", "15",
		"--bbox", "109.30,34.14,109.315,34.16", "--layers", "police_grids,stations", "--out", path)
	if err != nil {
		t.Fatalf("export: %v\n%s", err, stderr)
	}
	all, west := addressesOf(t, apitest.Small(), 10, 15, orb.Bound{}), addressesOf(t, apitest.Small(), 10, 15, box)
	if len(west) == 0 || len(west) >= len(all) {
		t.Fatalf("the box has %d of the pyramid's %d tiles", len(west), len(all))
	}
	if !strings.Contains(stderr, fmt.Sprintf("of the %d looked at", len(west))) {
		t.Errorf("the export did not look at the box's %d tiles:\n%s", len(west), stderr)
	}
	read := packageReader(t, "pmtiles", path)
	inBox := map[maptile.Tile]bool{}
	for _, a := range west {
		inBox[a] = true
		want := append(servedTile(t, srv, "/tiles/stations/"+tiles.Path(a), false), servedTile(t, srv, "/tiles/police_grids/"+tiles.Path(a), false)...)
		got := read(a)
		if got != nil {
			got = gunzip(t, got)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("tile %s: %d bytes, want the served stations and police grids, %d bytes", tiles.Path(a), len(got), len(want))
		}
	}
	for _, a := range all {
		if !inBox[a] && read(a) != nil {
			t.Errorf("tile %s is outside the box but in the file", tiles.Path(a))
		}
	}
}

// TestTilesExportRefuses checks bad flags are usage errors naming what to
// fix, and that a failed export leaves no file.
func TestTilesExportRefuses(t *testing.T) {
	out := filepath.Join(t.TempDir(), "x.mbtiles")
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--format", "geojson"}, "--format must be mbtiles or pmtiles"},
		{[]string{"--format", "mbtiles", "--minzoom", "9", "--maxzoom", "8"}, "--minzoom ≤ --maxzoom"},
		{[]string{"--format", "mbtiles", "--bbox", "1,2,3"}, "minlon,minlat,maxlon,maxlat"},
		{[]string{"--format", "mbtiles", "--bbox", "3,2,1,4"}, "minlon < maxlon"},
		{[]string{"--format", "mbtiles", "--layers", "incidents"}, `no tile layer "incidents" to export; the layers are regions, county`},
	} {
		_, err := exportTiles(t, apitest.Small(), append(c.args, "--out", out)...)
		if !errors.Is(err, errUsage) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%v: %v, want a usage error saying %q", c.args, err, c.want)
		}
	}
	_, err := exportTiles(t, apitest.Small(), "--format", "mbtiles", "--bbox", "100,10,101,11", "--out", out)
	if !errors.Is(err, tilepack.ErrNoTiles) {
		t.Errorf("a box beside the grids: %v, want %v", err, tilepack.ErrNoTiles)
	}
	if left, _ := filepath.Glob(filepath.Join(filepath.Dir(out), "*")); len(left) != 0 {
		t.Errorf("failed exports left %v", left)
	}
}

// needOgrinfo finds GDAL's ogrinfo, installed by
// scripts/ci/install-deps.sh --gdal; without it the test skips, except
// under CI, where it fails so the check cannot silently stop.
func needOgrinfo(t *testing.T) string {
	t.Helper()
	ogrinfo, err := exec.LookPath("ogrinfo")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("ogrinfo is not installed, and CI must run this test: run scripts/ci/install-deps.sh --gdal")
		}
		t.Skip("ogrinfo (GDAL) is not installed; scripts/ci/install-deps.sh --gdal installs it")
	}
	return ogrinfo
}

// TestTilesMBTilesReadByGDAL opens an exported MBTiles with GDAL's
// MBTiles driver: ogrinfo lists the vector layers and reads the grids
// and stations with their ids. GDAL is installed by
// scripts/ci/install-deps.sh --gdal; without ogrinfo the test skips,
// except under CI, where it fails so the check cannot silently stop.
func TestTilesMBTilesReadByGDAL(t *testing.T) {
	ogrinfo := needOgrinfo(t)
	path := filepath.Join(t.TempDir(), "county.mbtiles")
	if stderr, err := exportTiles(t, apitest.Small(), "--format", "mbtiles", "--minzoom", "6", "--maxzoom", "13", "--out", path); err != nil {
		t.Fatalf("export: %v\n%s", err, stderr)
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
	listed := run("-ro", "-so", path)
	if !strings.Contains(listed, "using driver `MBTiles'") {
		t.Errorf("GDAL did not open the file with its MBTiles driver:\n%s", listed)
	}
	for _, id := range []string{"regions", "county", "townships", "stations", "police_grids", "community_grids"} {
		if !regexp.MustCompile(`(?m)^\d+: ` + id + `\b`).MatchString(listed) {
			t.Errorf("ogrinfo does not list layer %s:\n%s", id, listed)
		}
	}
	grids := run("-ro", "-q", "-al", path, "police_grids", "stations")
	for _, id := range []string{apitest.PoliceA, apitest.PoliceB, apitest.StationA, apitest.StationB} {
		if !strings.Contains(grids, "id (String) = "+id) {
			t.Errorf("ogrinfo read no feature %s:\n%.2000s", id, grids)
		}
	}
	if n := strings.Count(grids, "POLYGON"); n == 0 {
		t.Errorf("ogrinfo read no polygon:\n%.2000s", grids)
	}
}

// TestTilePackVectors proves a PMTiles export reads in the browser's
// library as the server serves: it exports the county z6–z16 (enough
// tiles for leaf directories), writes every pyramid tile to z12 and every
// 37th deeper one as the server sends it (plain MVT, or nothing for a
// 204) and an index of them, then runs the Node test (web/test/tilepack.test.mjs)
// that reads the file with the pmtiles npm package and compares.
//
// With JINGGE_TILEPACK_VECTORS_OUT set it only writes the files there (the
// Node test asks for them that way when npm test runs it).
func TestTilePackVectors(t *testing.T) {
	out := os.Getenv("JINGGE_TILEPACK_VECTORS_OUT")
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	node, err := exec.LookPath("node")
	if out == "" {
		if err != nil {
			t.Skip("node is not installed; npm test runs the same check")
		}
		if _, err := os.Stat(filepath.Join(root, "web", "node_modules", "pmtiles")); err != nil {
			t.Skip("web/node_modules has no pmtiles (cd web && npm ci); npm test runs the same check")
		}
	}
	dir := out
	if dir == "" {
		dir = t.TempDir()
	}
	ds, err := lantian.Load()
	if err != nil {
		t.Fatal(err)
	}
	srv := serveDataset(t, ds)
	if stderr, err := exportTiles(t, ds, "--format", "pmtiles", "--minzoom", "6", "--maxzoom", "16", "--out", filepath.Join(dir, "county.pmtiles")); err != nil {
		t.Fatalf("export: %v\n%s", err, stderr)
	}
	var index strings.Builder
	for i, a := range addressesOf(t, ds, 6, 16, orb.Bound{}) {
		if a.Z > 12 && i%37 != 0 {
			continue
		}
		body := servedTile(t, srv, "/tiles/"+tiles.Path(a), false)
		name := "-"
		if body != nil {
			name = fmt.Sprintf("%d-%d-%d.mvt", a.Z, a.X, a.Y)
			if err := os.WriteFile(filepath.Join(dir, name), body, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		fmt.Fprintf(&index, "%d %d %d %s\n", a.Z, a.X, a.Y, name)
	}
	if err := os.WriteFile(filepath.Join(dir, "tiles.txt"), []byte(index.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	if out != "" {
		return
	}
	cmd := exec.Command(node, "--test", "test/tilepack.test.mjs")
	cmd.Dir = filepath.Join(root, "web")
	cmd.Env = append(os.Environ(), "JINGGE_TILEPACK_VECTORS="+dir)
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("node --test test/tilepack.test.mjs: %v\n%s", err, b)
	}
}
