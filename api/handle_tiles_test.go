package api

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"io"
	"jingge/api/httpx"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gorilla/mux"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/mvt"
	"github.com/paulmach/orb/maptile"

	"jingge/api/apitest"
	"jingge/geo"
	"jingge/tiles"
)

// tileURL is the combined tile at zoom z holding ll, or a layer's tile.
func tileURL(layer string, ll orb.Point, z int) string {
	t := maptile.At(ll, maptile.Zoom(z))
	if layer == "" {
		return fmt.Sprintf("/tiles/%d/%d/%d.mvt", t.Z, t.X, t.Y)
	}
	return fmt.Sprintf("/tiles/%s/%d/%d/%d.mvt", layer, t.Z, t.X, t.Y)
}

// get sends a GET with headers (name, value pairs).
func get(tb testing.TB, h http.Handler, target string, headers ...string) *httptest.ResponseRecorder {
	tb.Helper()
	req := httptest.NewRequest(http.MethodGet, target, nil)
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

// decodeMVT decodes an identity-encoded tile body into layer names and
// feature counts.
func decodeMVT(tb testing.TB, body []byte) map[string]int {
	tb.Helper()
	ls, err := mvt.Unmarshal(body)
	if err != nil {
		tb.Fatalf("decoding the tile: %v", err)
	}
	out := map[string]int{}
	for _, l := range ls {
		out[l.Name] = len(l.Features)
	}
	return out
}

func TestTileEncodingAndTags(t *testing.T) {
	s := newTestServer(t, nil, Config{})
	target := tileURL("", apitest.InCommunity, 14)

	plain := get(t, s.Handler(), target)
	if plain.Code != http.StatusOK || plain.Header().Get("Content-Type") != contentTypeMVT || plain.Header().Get("Content-Encoding") != "" {
		t.Fatalf("identity: status %d, headers %v", plain.Code, plain.Header())
	}
	layers := decodeMVT(t, plain.Body.Bytes())
	if layers[tiles.LayerCommunityGrids] != 2 || layers[tiles.LayerPoliceGrids] != 1 || layers[tiles.LayerStations] == 0 {
		t.Errorf("layers %v", layers)
	}
	if cc := plain.Header().Get("Cache-Control"); cc != "private, "+tileCacheControl || plain.Header().Get("Vary") != "Accept-Encoding" {
		t.Errorf("Cache-Control %q, Vary %q", cc, plain.Header().Get("Vary"))
	}

	gz := get(t, s.Handler(), target, "Accept-Encoding", "br, gzip;q=0.8")
	if gz.Code != http.StatusOK || gz.Header().Get("Content-Encoding") != "gzip" {
		t.Fatalf("gzip: status %d, headers %v", gz.Code, gz.Header())
	}
	zr, err := gzip.NewReader(bytes.NewReader(gz.Body.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	unzipped, _ := io.ReadAll(zr)
	if !bytes.Equal(unzipped, plain.Body.Bytes()) {
		t.Error("the gzip body does not inflate to the identity body")
	}
	tag, gzTag := plain.Header().Get("ETag"), gz.Header().Get("ETag")
	// Asked again, each gets the same tag and bytes (the cached tile).
	for _, again := range []struct {
		rec  *httptest.ResponseRecorder
		was  *httptest.ResponseRecorder
		name string
	}{{get(t, s.Handler(), target), plain, "identity"}, {get(t, s.Handler(), target, "Accept-Encoding", "gzip"), gz, "gzip"}} {
		if again.rec.Header().Get("ETag") != again.was.Header().Get("ETag") || !bytes.Equal(again.rec.Body.Bytes(), again.was.Body.Bytes()) {
			t.Errorf("%s asked twice: tags %q then %q", again.name, again.was.Header().Get("ETag"), again.rec.Header().Get("ETag"))
		}
	}
	if !strings.HasPrefix(tag, `"`) || tag == gzTag || strings.HasPrefix(tag, "W/") {
		t.Errorf("tags %q and %q: want two different strong tags", tag, gzTag)
	}
	if refused := get(t, s.Handler(), target, "Accept-Encoding", "gzip;q=0, *"); refused.Header().Get("Content-Encoding") != "" {
		t.Error("gzip;q=0 was ignored")
	}

	for _, inm := range []string{tag, gzTag, "W/" + tag, `"nope", ` + gzTag, "*"} {
		rec := get(t, s.Handler(), target, "If-None-Match", inm, "Accept-Encoding", "gzip")
		if rec.Code != http.StatusNotModified || rec.Body.Len() != 0 || rec.Header().Get("ETag") != gzTag {
			t.Errorf("If-None-Match %s: status %d, ETag %q", inm, rec.Code, rec.Header().Get("ETag"))
		}
	}
	if rec := get(t, s.Handler(), target, "If-None-Match", `"other"`); rec.Code != http.StatusOK {
		t.Errorf("a foreign tag gave %d", rec.Code)
	}
}

func TestTileEmptyAndPerLayer(t *testing.T) {
	s := newTestServer(t, nil, Config{})
	if rec := get(t, s.Handler(), "/tiles/14/0/0.pbf"); rec.Code != http.StatusNoContent || rec.Body.Len() != 0 {
		t.Errorf("empty tile: status %d, %d bytes", rec.Code, rec.Body.Len())
	}
	rec := get(t, s.Handler(), tileURL(tiles.LayerPoliceGrids, apitest.InCommunity, 14))
	if rec.Code != http.StatusOK {
		t.Fatalf("layer tile: %d %s", rec.Code, rec.Body.String())
	}
	if layers := decodeMVT(t, rec.Body.Bytes()); len(layers) != 1 || layers[tiles.LayerPoliceGrids] != 1 {
		t.Errorf("layer tile holds %v", layers)
	}
	// A layer outside its zooms is empty, not an error.
	if rec := get(t, s.Handler(), tileURL(tiles.LayerCommunityGrids, apitest.InCommunity, 3)); rec.Code != http.StatusNoContent {
		t.Errorf("community grids at z3: %d", rec.Code)
	}
}

func TestTileBadRequests(t *testing.T) {
	s := newTestServer(t, nil, Config{})
	tests := []struct{ target, param string }{
		{"/tiles/23/0/0.mvt", "z"},
		{"/tiles/-1/0/0.mvt", "z"},
		{"/tiles/abc/0/0.mvt", "z"},
		{"/tiles/3/8/0.mvt", "x"},
		{"/tiles/3/0/8.mvt", "y"},
		{"/tiles/3/0/07.mvt", "y"},
		{"/tiles/3/0/0.png", "ext"},
		{"/tiles/3/0/0.mvt.gz", "ext"},
		{"/tiles/roads/3/0/0.mvt", "layer"},
		{"/tiles/community_grids/3/0/9.mvt", "y"},
		{"/tiles/roads.json", "layer"},
	}
	for _, tc := range tests {
		t.Run(tc.target, func(t *testing.T) {
			p := expectProblem(t, get(t, s.Handler(), tc.target), http.StatusBadRequest)
			if len(p.InvalidParams) != 1 || p.InvalidParams[0].Name != tc.param {
				t.Errorf("invalid_params %+v, want %s", p.InvalidParams, tc.param)
			}
		})
	}
}

func TestTilesBeforeIndex(t *testing.T) {
	s := New(Config{})
	for _, target := range []string{"/tiles/3/0/0.mvt", "/tiles/regions/3/0/0.mvt", "/tiles.json", "/tiles/regions.json", "/styles/command-center.json"} {
		rec := get(t, s.Handler(), target)
		expectProblem(t, rec, http.StatusServiceUnavailable)
		if rec.Header().Get("Retry-After") == "" {
			t.Errorf("%s: no Retry-After", target)
		}
	}
}

// TestTileFollowsIndexSwap publishes an edited dataset: the tile showing
// the edit changes its tag at once, a client's old tag no longer matches.
func TestTileFollowsIndexSwap(t *testing.T) {
	live := new(geo.Live)
	ds := apitest.Small()
	live.Store(mustIndex(t, ds))
	s := New(Config{Index: live})
	target := tileURL(tiles.LayerCommunityGrids, apitest.InCommunity, 14)
	before := get(t, s.Handler(), target)
	tag := before.Header().Get("ETag")

	ds2 := apitest.Small()
	for i := range ds2.Grids {
		if ds2.Grids[i].ID == apitest.CommunityA {
			ds2.Grids[i].Name = "改名网格"
		}
	}
	live.Store(mustIndex(t, ds2))
	after := get(t, s.Handler(), target, "If-None-Match", tag)
	if after.Code != http.StatusOK || after.Header().Get("ETag") == tag {
		t.Fatalf("after the edit: status %d, tag %q (was %q)", after.Code, after.Header().Get("ETag"), tag)
	}
	ls, err := mvt.Unmarshal(after.Body.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, f := range ls[0].Features {
		found = found || f.Properties["name"] == "改名网格"
	}
	if !found {
		t.Error("the tile does not show the new name")
	}
}

func TestTileJSONHandler(t *testing.T) {
	s := newTestServer(t, nil, Config{})
	rec := get(t, s.Handler(), "/tiles.json", "X-Forwarded-Proto", "https")
	var tj tiles.TileJSON
	decodeJSON(t, rec, &tj)
	if rec.Code != http.StatusOK || tj.TileJSON != "3.0.0" || tj.Tiles[0] != "https://example.com/tiles/{z}/{x}/{y}.mvt" {
		t.Fatalf("status %d, %+v", rec.Code, tj)
	}
	if b := tj.Bounds; b[0] != 109.3 || b[2] != 109.34 {
		t.Errorf("bounds %v, want the test county's", b)
	}
	if len(tj.VectorLayers) != 9 {
		t.Errorf("%d vector layers", len(tj.VectorLayers))
	}
	req := httptest.NewRequest(http.MethodGet, "/tiles/stations.json", nil)
	req.Host = "bad host\r\nX: y"
	rec = httptest.NewRecorder()
	s.Handler().ServeHTTP(rec, req)
	decodeJSON(t, rec, &tj)
	if tj.Tiles[0] != "/tiles/stations/{z}/{x}/{y}.mvt" || len(tj.VectorLayers) != 1 {
		t.Errorf("with a bad Host: %+v", tj)
	}
}

func TestStyleHandler(t *testing.T) {
	s := newTestServer(t, nil, Config{})
	rec := get(t, s.Handler(), "/styles/command-center.json")
	if rec.Code != http.StatusOK || rec.Header().Get("Content-Type") != httpx.ContentTypeJSON {
		t.Fatalf("status %d", rec.Code)
	}
	var st struct {
		Version int                          `json:"version"`
		Glyphs  string                       `json:"glyphs"`
		Sources map[string]map[string]string `json:"sources"`
		Layers  []map[string]any             `json:"layers"`
	}
	decodeJSON(t, rec, &st)
	if st.Version != 8 || st.Glyphs != "" || st.Sources[tiles.StyleSource]["url"] != "http://example.com/tiles.json" {
		t.Errorf("style %+v", st)
	}
	if !strings.Contains(rec.Body.String(), "#009E73") {
		t.Error("the mountain colour is missing")
	}
}

// tileResponseCases are checked against the OpenAPI document.
var tileResponseCases = []struct {
	target  string
	headers []string
}{
	{tileURL("", apitest.InCommunity, 14), nil},
	{tileURL("", apitest.InCommunity, 14), []string{"Accept-Encoding", "gzip"}},
	{tileURL(tiles.LayerRegions, apitest.InCommunity, 10), nil},
	{"/tiles/14/0/0.mvt", nil},
	{"/tiles/99/0/0.mvt", nil},
	{"/tiles/nope/1/0/0.mvt", nil},
	{"/tiles.json", nil},
	{"/tiles/county.json", nil},
	{"/tiles/nope.json", nil},
	{"/styles/command-center.json", nil},
}

// TestTileResponsesMatchOpenAPI checks each tile route's answers: status
// and content type documented, JSON bodies valid against their schema,
// documented headers present, and a 304 for a matching If-None-Match.
func TestTileResponsesMatchOpenAPI(t *testing.T) {
	doc := loadOpenAPI(t)
	s := newTestServer(t, nil, Config{})
	check := func(target string, headers ...string) {
		rec := get(t, s.Handler(), target, headers...)
		var match mux.RouteMatch
		if !s.router.Match(httptest.NewRequest(http.MethodGet, target, nil), &match) {
			t.Fatalf("%s matches no route", target)
		}
		path, _ := match.Route.GetPathTemplate()
		op, ok := doc.operation(path, http.MethodGet)
		if !ok {
			t.Fatalf("%s is not documented", path)
		}
		resp, ok := op["responses"].(map[string]any)[fmt.Sprint(rec.Code)]
		if !ok {
			t.Fatalf("%s answered %d, not documented", target, rec.Code)
		}
		r := doc.resolve(t, resp)
		for h := range asMap(r["headers"]) {
			if rec.Header().Get(h) == "" {
				t.Errorf("%s %d: documented header %s missing", target, rec.Code, h)
			}
		}
		content := asMap(r["content"])
		if len(content) == 0 {
			if rec.Body.Len() != 0 {
				t.Errorf("%s %d: body for a response documented without one", target, rec.Code)
			}
			return
		}
		media, ok := content[rec.Header().Get("Content-Type")].(map[string]any)
		if !ok {
			t.Fatalf("%s %d: Content-Type %q not documented", target, rec.Code, rec.Header().Get("Content-Type"))
		}
		if !strings.HasSuffix(rec.Header().Get("Content-Type"), "json") {
			return
		}
		var v any
		dec := json.NewDecoder(bytes.NewReader(rec.Body.Bytes()))
		dec.UseNumber()
		if err := dec.Decode(&v); err != nil {
			t.Fatal(err)
		}
		if errs := validate(doc, media["schema"], v, "$"); len(errs) > 0 {
			t.Errorf("%s %d: %s", target, rec.Code, strings.Join(errs, "; "))
		}
	}
	for _, c := range tileResponseCases {
		check(c.target, c.headers...)
	}
	tag := get(t, s.Handler(), tileResponseCases[0].target).Header().Get("ETag")
	check(tileResponseCases[0].target, "If-None-Match", tag)
}

func asMap(v any) map[string]any { m, _ := v.(map[string]any); return m }

func TestAcceptsGzip(t *testing.T) {
	tests := map[string]bool{
		"": false, "gzip": true, "GZIP": true, "deflate, gzip;q=1.0": true, "gzip;q=0": false, "gzip; q=0.0": false,
		"*": true, "*;q=0": false, "br": false, "gzip;q=0, *": false, "x-gzip": true, "identity": false,
	}
	for h, want := range tests {
		if got := httpx.AcceptsGzip(h); got != want {
			t.Errorf("acceptsGzip(%q) = %v, want %v", h, got, want)
		}
	}
	// Every request asks it, some twice: it reads the header in place.
	if n := testing.AllocsPerRun(100, func() { httpx.AcceptsGzip("deflate, br;q=0.9, gzip;q=0.8, *;q=0.1") }); n != 0 {
		t.Errorf("acceptsGzip allocates %v times a call, want 0", n)
	}
}
