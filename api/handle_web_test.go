package api

import (
	"bytes"
	"compress/gzip"
	"io"
	"jingge/api/httpx"
	"jingge/api/pages"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/paulmach/orb"

	"jingge/api/apitest"
	"jingge/web"
)

// testSite is a built site in miniature: two pages and assets of each kind.
func testSite() fstest.MapFS {
	big := strings.Repeat(`{"type":"Feature","properties":{"name":"长安区"}}`, 200)
	return fstest.MapFS{
		"index.html":                    {Data: []byte(`<!doctype html><title>command center</title><script type="module" src="assets/app-ABCD2345.js"></script>`)},
		"m.html":                        {Data: []byte(`<!doctype html><title>officer</title>`)},
		"plan.html":                     {Data: []byte(`<!doctype html><title>planner</title>`)},
		"manifest.json":                 {Data: []byte(`{"sources":"x"}`)},
		"assets/app-ABCD2345.js":        {Data: []byte(strings.Repeat("console.log('jingge');\n", 100))},
		"assets/app-style-EFGH6723.css": {Data: []byte("body{margin:0}")},
		"assets/xian-ZZZZ2222.geojson":  {Data: []byte(big)},
		"assets/icon-QQQQ7777.svg":      {Data: []byte(`<svg xmlns="http://www.w3.org/2000/svg"/>`)},
	}
}

func sendWith(tb testing.TB, h http.Handler, method, target string, header http.Header) *httptest.ResponseRecorder {
	tb.Helper()
	req := httptest.NewRequest(method, target, nil)
	for k, v := range header {
		req.Header[k] = v
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

func TestWebPagesAndAssets(t *testing.T) {
	site := testSite()
	s := newTestServer(t, nil, Config{Web: site})
	tests := []struct {
		name, method, target string
		status               int
		contentType          string
		cacheControl         string
		body                 string // the file served, "" for none
		location             string
	}{
		{"command center", "GET", "/", 200, "text/html; charset=utf-8", "no-cache", "index.html", ""},
		{"page with a query string", "GET", "/?lang=en", 200, "text/html; charset=utf-8", "no-cache", "index.html", ""},
		{"officer page", "GET", "/m", 200, "text/html; charset=utf-8", "no-cache", "m.html", ""},
		{"officer page, head", "HEAD", "/m", 200, "text/html; charset=utf-8", "no-cache", "", ""},
		{"script", "GET", "/assets/app-ABCD2345.js", 200, "text/javascript; charset=utf-8", pages.AssetCacheControl, "assets/app-ABCD2345.js", ""},
		{"style sheet", "GET", "/assets/app-style-EFGH6723.css", 200, "text/css; charset=utf-8", pages.AssetCacheControl, "assets/app-style-EFGH6723.css", ""},
		{"geojson", "GET", "/assets/xian-ZZZZ2222.geojson", 200, "application/geo+json", pages.AssetCacheControl, "assets/xian-ZZZZ2222.geojson", ""},
		{"svg", "GET", "/assets/icon-QQQQ7777.svg", 200, "image/svg+xml", pages.AssetCacheControl, "assets/icon-QQQQ7777.svg", ""},
		{"planner page", "GET", "/plan", 200, "text/html; charset=utf-8", "no-cache", "plan.html", ""},
		{"slash after plan", "GET", "/plan/", 301, "", "", "", "/plan"},
		{"plan.html", "GET", "/plan.html?lang=en", 301, "", "", "", "/plan?lang=en"},
		{"slash after m", "GET", "/m/", 301, "", "", "", "/m"},
		{"m.html", "GET", "/m.html?lang=en", 301, "", "", "", "/m?lang=en"},
		{"index.html", "GET", "/index.html", 301, "", "", "", "/"},
		// A missing asset must not be answered with a page (a browser
		// would run HTML as a script): a plain 404 problem.
		{"missing asset", "GET", "/assets/app-OLDHASH1.js", 404, httpx.ContentTypeProblem, "", "", ""},
		{"manifest is not served", "GET", "/manifest.json", 404, httpx.ContentTypeProblem, "", "", ""},
		{"unknown path", "GET", "/nowhere", 404, httpx.ContentTypeProblem, "", "", ""},
		{"api paths stay api", "GET", "/api/v1/nowhere", 404, httpx.ContentTypeProblem, "", "", ""},
		{"post to a page", "POST", "/", 405, httpx.ContentTypeProblem, "", "", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rec := sendWith(t, s.Handler(), tc.method, tc.target, nil)
			if rec.Code != tc.status {
				t.Fatalf("status %d, want %d; body %s", rec.Code, tc.status, rec.Body.String())
			}
			if got := rec.Header().Get("Content-Type"); tc.contentType != "" && got != tc.contentType {
				t.Errorf("Content-Type %q, want %q", got, tc.contentType)
			}
			if got := rec.Header().Get("Cache-Control"); tc.cacheControl != "" && got != tc.cacheControl {
				t.Errorf("Cache-Control %q, want %q", got, tc.cacheControl)
			}
			if tc.location != "" && rec.Header().Get("Location") != tc.location {
				t.Errorf("Location %q, want %q", rec.Header().Get("Location"), tc.location)
			}
			if tc.body != "" && !bytes.Equal(rec.Body.Bytes(), site[tc.body].Data) {
				t.Errorf("body is not %s", tc.body)
			}
			if tc.method == "HEAD" && (rec.Body.Len() != 0 || rec.Header().Get("Content-Length") != "37") {
				t.Errorf("HEAD: body %d bytes, Content-Length %q", rec.Body.Len(), rec.Header().Get("Content-Length"))
			}
			if tc.status == 200 && rec.Header().Get("X-Content-Type-Options") != "nosniff" {
				t.Error("no X-Content-Type-Options: nosniff")
			}
			if tc.status == 405 && rec.Header().Get("Allow") != "GET, HEAD" {
				t.Errorf("Allow %q", rec.Header().Get("Allow"))
			}
		})
	}
}

func TestWebPageSecurityHeaders(t *testing.T) {
	s := newTestServer(t, nil, Config{Web: testSite()})
	rec := sendWith(t, s.Handler(), "GET", "/", nil)
	csp := rec.Header().Get("Content-Security-Policy")
	for _, want := range []string{"default-src 'self'", "script-src 'self'", "worker-src 'self' blob:", "connect-src 'self';", "object-src 'none'"} {
		if !strings.Contains(csp, want) {
			t.Errorf("CSP %q lacks %q", csp, want)
		}
	}
	if strings.Contains(csp, "unsafe-inline") || strings.Contains(csp, "unsafe-eval") {
		t.Errorf("CSP allows inline code: %q", csp)
	}
	asset := sendWith(t, s.Handler(), "GET", "/assets/app-ABCD2345.js", nil)
	if asset.Header().Get("Content-Security-Policy") != "" {
		t.Error("assets need no CSP of their own")
	}

	bm, err := pages.ParseBasemap("https://t0.tianditu.gov.cn/vec_w/wmts?TILEMATRIX={z}&TILEROW={y}&TILECOL={x}&tk=KEY https://t1.tianditu.gov.cn/vec_w/wmts?TILEMATRIX={z}&TILEROW={y}&TILECOL={x}&tk=KEY", "天地图")
	if err != nil {
		t.Fatal(err)
	}
	s = newTestServer(t, nil, Config{Web: testSite(), UI: UIConfig{Basemap: bm}})
	csp = sendWith(t, s.Handler(), "GET", "/m", nil).Header().Get("Content-Security-Policy")
	for _, want := range []string{"img-src 'self' data: blob: https://t0.tianditu.gov.cn https://t1.tianditu.gov.cn;", "connect-src 'self' https://t0.tianditu.gov.cn https://t1.tianditu.gov.cn;"} {
		if !strings.Contains(csp, want) {
			t.Errorf("CSP %q lacks %q", csp, want)
		}
	}
}

func TestWebGzipAndRevalidation(t *testing.T) {
	site := testSite()
	s := newTestServer(t, nil, Config{Web: site})
	const target = "/assets/xian-ZZZZ2222.geojson"
	gz := sendWith(t, s.Handler(), "GET", target, http.Header{"Accept-Encoding": {"gzip, br"}})
	if gz.Code != 200 || gz.Header().Get("Content-Encoding") != "gzip" || gz.Header().Get("Vary") != "Accept-Encoding" {
		t.Fatalf("status %d, Content-Encoding %q, Vary %q", gz.Code, gz.Header().Get("Content-Encoding"), gz.Header().Get("Vary"))
	}
	zr, err := gzip.NewReader(gz.Body)
	if err != nil {
		t.Fatal(err)
	}
	plain, _ := io.ReadAll(zr)
	if !bytes.Equal(plain, site["assets/xian-ZZZZ2222.geojson"].Data) {
		t.Error("the gzip body does not decode to the file")
	}
	raw := sendWith(t, s.Handler(), "GET", target, nil)
	if raw.Header().Get("Content-Encoding") != "" || raw.Header().Get("ETag") == gz.Header().Get("ETag") {
		t.Errorf("identity answer: Content-Encoding %q, same ETag as gzip: %v", raw.Header().Get("Content-Encoding"), raw.Header().Get("ETag") == gz.Header().Get("ETag"))
	}
	for _, tc := range []struct {
		name   string
		header http.Header
		etag   string
	}{
		{"identity", nil, raw.Header().Get("ETag")},
		{"gzip", http.Header{"Accept-Encoding": {"gzip"}}, gz.Header().Get("ETag")},
		{"weak", nil, "W/" + raw.Header().Get("ETag")},
	} {
		h := http.Header{"If-None-Match": {tc.etag}}
		for k, v := range tc.header {
			h[k] = v
		}
		if rec := sendWith(t, s.Handler(), "GET", target, h); rec.Code != http.StatusNotModified || rec.Body.Len() != 0 {
			t.Errorf("%s: revalidation answered %d with %d bytes", tc.name, rec.Code, rec.Body.Len())
		}
	}
	page := sendWith(t, s.Handler(), "GET", "/", nil)
	if rec := sendWith(t, s.Handler(), "GET", "/", http.Header{"If-None-Match": {page.Header().Get("ETag")}}); rec.Code != http.StatusNotModified {
		t.Errorf("page revalidation answered %d", rec.Code)
	}
	if small := sendWith(t, s.Handler(), "GET", "/assets/app-style-EFGH6723.css", http.Header{"Accept-Encoding": {"gzip"}}); small.Header().Get("Content-Encoding") != "" {
		t.Error("a file too small to gain is compressed anyway")
	}
}

func TestWebWithoutSite(t *testing.T) {
	s := newTestServer(t, nil, Config{})
	rec := sendWith(t, s.Handler(), "GET", "/", nil)
	expectProblem(t, rec, http.StatusNotFound)
}

// TestWebEmbeddedBuild serves the committed build: both pages load, and
// every asset they name is there with its type.
func TestWebEmbeddedBuild(t *testing.T) {
	s := newTestServer(t, nil, Config{Web: web.Files()})
	ref := regexp.MustCompile(`(?:src|href)="(assets/[^"]+)"`)
	for _, page := range []string{"/", "/m"} {
		rec := sendWith(t, s.Handler(), "GET", page, nil)
		if rec.Code != 200 {
			t.Fatalf("%s: status %d", page, rec.Code)
		}
		refs := ref.FindAllStringSubmatch(rec.Body.String(), -1)
		if len(refs) < 3 {
			t.Fatalf("%s names %d assets, want a script, a style sheet and an icon", page, len(refs))
		}
		for _, m := range refs {
			a := sendWith(t, s.Handler(), "GET", "/"+m[1], nil)
			if a.Code != 200 || a.Header().Get("Cache-Control") != pages.AssetCacheControl {
				t.Errorf("%s: /%s: status %d, Cache-Control %q", page, m[1], a.Code, a.Header().Get("Cache-Control"))
			}
		}
	}
}

func TestUIConfig(t *testing.T) {
	doc := loadOpenAPI(t)
	s := newTestServer(t, nil, Config{})
	rec := serve(t, s.Handler(), "GET", "/api/v1/ui-config", "")
	if strings.TrimSpace(rec.Body.String()) != `{"basemap":null}` {
		t.Errorf("without a basemap: %s", rec.Body.String())
	}
	checkAgainstOpenAPI(t, doc, s, "GET", "/api/v1/ui-config", "")

	bm, err := pages.ParseBasemap(" https://pgis.example.internal/tiles/{z}/{x}/{y}.png ", " 公安PGIS ")
	if err != nil {
		t.Fatal(err)
	}
	s = newTestServer(t, nil, Config{UI: UIConfig{Basemap: bm}})
	var got pages.UIConfigDoc
	decodeJSON(t, serve(t, s.Handler(), "GET", "/api/v1/ui-config", ""), &got)
	if got.Basemap == nil || got.Basemap.Tiles[0] != "https://pgis.example.internal/tiles/{z}/{x}/{y}.png" ||
		got.Basemap.Attribution != "公安PGIS" || got.Basemap.MaxZoom != 18 || got.Basemap.TileSize != 256 {
		t.Errorf("basemap %+v", got.Basemap)
	}
	checkAgainstOpenAPI(t, doc, s, "GET", "/api/v1/ui-config", "")
}

func TestSearch(t *testing.T) {
	doc := loadOpenAPI(t)
	s := newTestServer(t, nil, Config{})
	tests := []struct {
		name, target string
		status       int
		want         []string // result ids in order
	}{
		{"whole code", "/api/v1/search?q=" + apitest.CommunityA, 200, []string{apitest.CommunityA}},
		{"leading digits, police first", "/api/v1/search?q=6101220010", 200, []string{apitest.PoliceA, apitest.CommunityA, apitest.CommunityB}},
		{"name part", "/api/v1/search?q=%E8%A5%BF%E8%A1%97", 200, []string{apitest.CommunityB}}, // 西街
		{"exact name before part of one", "/api/v1/search?q=%E6%B1%A4%E5%B3%AA%E7%AC%AC%E4%B8%80%E8%AD%A6%E6%A0%BC", 200, []string{apitest.PoliceB}},
		{"township", "/api/v1/search?q=%E8%93%9D%E5%85%B3%E8%A1%97%E9%81%93", 200, []string{apitest.PoliceA, apitest.CommunityA, apitest.CommunityB}}, // 蓝关街道
		{"station in English, any case", "/api/v1/search?q=TANGYU", 200, []string{apitest.PoliceB}},
		{"limit", "/api/v1/search?q=610122&limit=2", 200, []string{apitest.PoliceB, apitest.PoliceA}}, // by name: 汤 before 蓝 in code points
		{"nothing", "/api/v1/search?q=xyz", 200, []string{}},
		{"no q", "/api/v1/search", 400, nil},
		{"blank q", "/api/v1/search?q=%20", 400, nil},
		{"bad limit", "/api/v1/search?q=a&limit=0", 400, nil},
		{"long q", "/api/v1/search?q=" + strings.Repeat("a", 65), 400, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if code := checkAgainstOpenAPI(t, doc, s, "GET", tc.target, ""); code != tc.status {
				t.Fatalf("status %d, want %d", code, tc.status)
			}
			if tc.status != 200 {
				return
			}
			var got searchDoc
			decodeJSON(t, serve(t, s.Handler(), "GET", tc.target, ""), &got)
			ids := []string{}
			for _, r := range got.Results {
				ids = append(ids, r.ID)
			}
			if strings.Join(ids, ",") != strings.Join(tc.want, ",") {
				t.Errorf("results %v, want %v", ids, tc.want)
			}
		})
	}
	var one searchDoc
	decodeJSON(t, serve(t, s.Handler(), "GET", "/api/v1/search?q="+apitest.CommunityA, ""), &one)
	r := one.Results[0]
	if r.TownshipName != "蓝关街道" || r.Station.Name != "文姬路派出所" || r.Parent == nil || r.Parent.ID != apitest.PoliceA ||
		r.BBox != [4]float64{109.30, 34.14, 109.31, 34.16} || r.Match != "id" {
		t.Errorf("result %+v", r)
	}
	if code := checkAgainstOpenAPI(t, doc, New(Config{}), "GET", "/api/v1/search?q=a", ""); code != http.StatusServiceUnavailable {
		t.Errorf("before an index: status %d, want 503", code)
	}
}

// TestSearchLantian finds villages of the bundled dataset by name.
func TestSearchLantian(t *testing.T) {
	s, _ := lantianServer(t)
	var got searchDoc
	decodeJSON(t, serve(t, s.Handler(), "GET", "/api/v1/search?q=%E6%96%B0%E6%B0%91%E8%A1%97", ""), &got) // 新民街
	if len(got.Results) == 0 || got.Results[0].Name != "新民街社区" || got.Results[0].Level != "community" {
		t.Fatalf("results %+v", got.Results)
	}
}

// TestLabelsLantian checks every grid of the bundled dataset gets one label
// point, inside it.
func TestLabelsLantian(t *testing.T) {
	s, ds := lantianServer(t)
	doc := loadOpenAPI(t)
	checkAgainstOpenAPI(t, doc, s, "GET", "/api/v1/labels", "")
	var fc httpx.FeatureCollection[pages.LabelProperties]
	decodeJSON(t, serve(t, s.Handler(), "GET", "/api/v1/labels", ""), &fc)
	ix := mustIndex(t, ds)
	seen := map[string]bool{}
	for _, f := range fc.Features {
		p := f.Properties
		if seen[p.Kind+p.ID] {
			t.Errorf("%s %s labelled twice", p.Kind, p.ID)
		}
		seen[p.Kind+p.ID] = true
		if p.Kind == "township" {
			continue
		}
		pt := f.Geometry.Coordinates.(orb.Point)
		hit := ix.Lookup(pt)
		got := ""
		if p.Kind == "police" && hit.Police != nil {
			got = hit.Police.ID
		} else if p.Kind == "community" && hit.Community != nil {
			got = hit.Community.ID
		}
		if got != p.ID {
			t.Errorf("the label of %s %s (%s) at %v lies in %q", p.Kind, p.ID, p.Name, pt, got)
		}
	}
	if len(seen) != len(ds.Grids)+len(ds.Townships) {
		t.Errorf("%d labels for %d grids and %d townships", len(seen), len(ds.Grids), len(ds.Townships))
	}
	if code := checkAgainstOpenAPI(t, doc, New(Config{}), "GET", "/api/v1/labels", ""); code != http.StatusServiceUnavailable {
		t.Errorf("before an index: status %d", code)
	}
}

// TestWebAppFiles: the officer page's manifest and service worker are
// served from the root (so the worker's scope may cover /m), revalidated
// like pages, with their media types; a site built without them serves
// the rest as before.
func TestWebAppFiles(t *testing.T) {
	site := testSite()
	site["m-sw.js"] = &fstest.MapFile{Data: []byte(`self.addEventListener('fetch', () => {});`)}
	site["m.webmanifest"] = &fstest.MapFile{Data: []byte(`{"name":"警格","start_url":"m","scope":"m"}`)}
	h := newTestServer(t, nil, Config{Web: site}).Handler()
	for _, c := range []struct{ path, contentType string }{
		{"/m-sw.js", "text/javascript; charset=utf-8"},
		{"/m.webmanifest", "application/manifest+json"},
	} {
		rec := sendWith(t, h, http.MethodGet, c.path, nil)
		if rec.Code != http.StatusOK || rec.Header().Get("Content-Type") != c.contentType || rec.Header().Get("Cache-Control") != pages.PageCacheControl {
			t.Errorf("%s: status %d, Content-Type %q, Cache-Control %q", c.path, rec.Code, rec.Header().Get("Content-Type"), rec.Header().Get("Cache-Control"))
		}
	}
	without := newTestServer(t, nil, Config{Web: testSite()}).Handler()
	if rec := sendWith(t, without, http.MethodGet, "/m", nil); rec.Code != http.StatusOK {
		t.Errorf("/m without the app files: status %d", rec.Code)
	}
	if rec := sendWith(t, without, http.MethodGet, "/m-sw.js", nil); rec.Code != http.StatusNotFound {
		t.Errorf("/m-sw.js without the file: status %d", rec.Code)
	}
}
