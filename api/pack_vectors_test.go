package api

import (
	"bufio"
	"math"
	"math/rand/v2"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/paulmach/orb"

	"jingge/geo"
	"jingge/geo/crs"
)

// TestPackVectors proves the officer page's offline lookup
// (web/src/shared/pack.js, crs.js) gives the server's answer: it writes the
// county's pack as GET /api/v1/pack serves it and test vectors — seeded
// random points over the county and around it, every vertex of every grid
// a lookup tests, the float64 midpoint of every edge, and points a
// nanodegree off each vertex — in WGS-84, GCJ-02 and BD-09, each with the
// grid, police grid and station geo.Index.Lookup gives and the point in the
// dataset's datum, then runs the Node test that checks them all.
//
// With JINGGE_PACK_VECTORS_OUT set it only writes the files there (the
// Node test asks for them that way when npm test runs it); the seed is
// JINGGE_PACK_SEED, 20 by default, and is logged.
func TestPackVectors(t *testing.T) {
	ds := lantianDataset(t)
	s := newTestServer(t, ds, Config{})
	out := os.Getenv("JINGGE_PACK_VECTORS_OUT")
	dir := out
	if dir == "" {
		dir = t.TempDir()
	}
	rec := serve(t, s.Handler(), http.MethodGet, "/api/v1/pack", "")
	if rec.Code != http.StatusOK {
		t.Fatalf("pack: status %d: %s", rec.Code, rec.Body.String())
	}
	if err := os.WriteFile(filepath.Join(dir, "pack.json"), rec.Body.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	seed := uint64(20)
	if env := os.Getenv("JINGGE_PACK_SEED"); env != "" {
		v, err := strconv.ParseUint(env, 10, 64)
		if err != nil {
			t.Fatalf("JINGGE_PACK_SEED=%q: %v", env, err)
		}
		seed = v
	}
	t.Logf("seed %d (JINGGE_PACK_SEED)", seed)
	n := writePackVectors(t, filepath.Join(dir, "vectors.txt"), mustIndex(t, ds), seed)
	t.Logf("%d vectors in %s", n, dir)
	if n < 3*100_000 {
		t.Fatalf("only %d vectors", n)
	}
	if out != "" {
		return
	}
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("node is not installed; npm test runs the same check")
	}
	cmd := exec.Command(node, "--test", "test/pack.test.mjs")
	cmd.Dir = filepath.Join("..", "web")
	cmd.Env = append(os.Environ(), "JINGGE_PACK_VECTORS="+dir)
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("the browser's lookup disagrees with the server's: %v\n%s", err, b)
	}
}

// packVectorPoints are the WGS-84 points of the vectors.
func packVectorPoints(ix *geo.Index, seed uint64) []orb.Point {
	r := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	var b orb.Bound
	var pts []orb.Point
	leaves := 0
	ds := ix.Dataset()
	for i := range ds.Grids {
		g := &ds.Grids[i]
		if g.Level != geo.CommunityLevel && len(ix.Children(g.ID)) > 0 {
			continue
		}
		if leaves == 0 {
			b = g.Geometry.Bound()
		}
		b = b.Union(g.Geometry.Bound())
		leaves++
		for _, poly := range g.Geometry {
			for _, ring := range poly {
				for k, p := range ring {
					q := ring[(k+1)%len(ring)]
					pts = append(pts, p, orb.Point{(p[0] + q[0]) / 2, (p[1] + q[1]) / 2})
					if k%4 == 0 {
						const off = 1e-9
						pts = append(pts, orb.Point{p[0] + off, p[1]}, orb.Point{p[0] - off, p[1]}, orb.Point{p[0], p[1] + off}, orb.Point{p[0], p[1] - off},
							orb.Point{math.Nextafter(p[0], math.Inf(1)), p[1]}, orb.Point{p[0], math.Nextafter(p[1], math.Inf(-1))})
					}
				}
			}
		}
	}
	// Random points over the county's box widened by a tenth, so some
	// fall outside every grid.
	w, h := b.Max[0]-b.Min[0], b.Max[1]-b.Min[1]
	for range 100_000 {
		pts = append(pts, orb.Point{b.Min[0] - w/20 + r.Float64()*w*1.1, b.Min[1] - h/20 + r.Float64()*h*1.1})
	}
	return pts
}

// writePackVectors writes one line per vector: crs, lon, lat (as given),
// the community grid, police grid and station ids ("-" for none) and the
// point in the dataset's datum. It returns the number of vectors.
func writePackVectors(t *testing.T, path string, ix *geo.Index, seed uint64) int {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	w := bufio.NewWriterSize(f, 1<<20)
	datum, err := crs.Parse(ix.Meta().Datum)
	if err != nil {
		t.Fatal(err)
	}
	num := func(x float64) string { return strconv.FormatFloat(x, 'g', -1, 64) }
	id := func(g *geo.Grid) string {
		if g == nil {
			return "-"
		}
		return g.ID
	}
	n, found := 0, 0
	for _, p := range packVectorPoints(ix, seed) {
		for _, c := range []crs.CRS{crs.WGS84, crs.GCJ02, crs.BD09} {
			in := crs.Convert(p, crs.WGS84, c)
			at := crs.Convert(in, c, datum)
			hit := ix.Lookup(at)
			st := "-"
			if hit.Station != nil {
				st = hit.Station.ID
				found++
			}
			_, _ = w.WriteString(string(c) + " " + num(in[0]) + " " + num(in[1]) + " " + id(hit.Community) + " " + id(hit.Police) + " " + st + " " + num(at[0]) + " " + num(at[1]) + "\n")
			n++
		}
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	if found == 0 || found == n {
		t.Fatalf("%d of %d vectors in a grid: the vectors must hold points inside and outside", found, n)
	}
	return n
}
