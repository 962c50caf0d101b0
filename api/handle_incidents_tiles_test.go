package api

import (
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/paulmach/orb/encoding/mvt"
	"github.com/paulmach/orb/maptile"

	"jingge/api/apitest"
)

// tileCount decodes an incidents tile answer and sums its counts.
func tileCount(t *testing.T, s *Server, target string) int {
	t.Helper()
	req := newRequest(t, http.MethodGet, target, "")
	rec := serveRequest(s.Handler(), req)
	switch rec.Code {
	case http.StatusNoContent:
		return 0
	case http.StatusOK:
	default:
		t.Fatalf("%s: %d %s", target, rec.Code, rec.Body.String())
	}
	layers, err := mvt.Unmarshal(rec.Body.Bytes())
	if err != nil {
		t.Fatalf("%s: %v", target, err)
	}
	n := 0
	for _, f := range layers[0].Features {
		c, _ := f.Properties["count"].(float64)
		n += int(c)
	}
	return n
}

func TestIncidentTiles(t *testing.T) {
	s := newTestServer(t, nil, Config{})
	tl := maptile.At(apitest.InCommunity, 12)
	path := fmt.Sprintf("/tiles/incidents/%d/%d/%d.mvt", tl.Z, tl.X, tl.Y)
	if n := tileCount(t, s, path); n != 0 {
		t.Fatalf("%d incidents before any was stored", n)
	}
	seedIncidents(t, s, 6) // two each at InCommunity, InCommunityB, InPoliceOnly, in the last 6 hours
	// The empty tile was cached before the batch; the batch must drop it.
	if n := tileCount(t, s, path); n != 6 {
		t.Errorf("the default window draws %d incidents, want 6", n)
	}
	if n := tileCount(t, s, path+"?category=fire"); n != 2 {
		t.Errorf("fires: %d, want 2", n)
	}
	old := time.Now().AddDate(0, 0, -60).Format(time.DateOnly)
	if n := tileCount(t, s, path+"?from="+time.Now().AddDate(0, 0, -90).Format(time.DateOnly)+"&to="+old); n != 0 {
		t.Errorf("a window before every incident draws %d", n)
	}
	at := maptile.At(apitest.InCommunity, 16)
	if n := tileCount(t, s, fmt.Sprintf("/tiles/incidents/16/%d/%d.mvt", at.X, at.Y)); n != 2 {
		t.Errorf("zoom 16 at InCommunity: %d single incidents, want 2", n)
	}
	for _, q := range []struct{ query, param string }{
		{"?from=yesterday", "from"},
		{"?from=2026-05-02&to=2026-05-01", "to"},
		{"?from=2020-01-01&to=2026-01-01", "from"},
		{"?category=ufo", "category"},
		{"?zoom=3", "zoom"},
	} {
		p := expectProblem(t, serve(t, s.Handler(), http.MethodGet, path+q.query, ""), http.StatusBadRequest)
		if !hasParam(p, q.param) {
			t.Errorf("%s: invalid_params %+v", q.query, p.InvalidParams)
		}
	}
	expectProblem(t, serve(t, s.Handler(), http.MethodGet, "/tiles/incidents/40/1/1.mvt", ""), http.StatusBadRequest)
	none := newTestServer(t, nil, Config{Incidents: s.inc.store})
	p := expectProblem(t, serve(t, none.Handler(), http.MethodGet, path, ""), http.StatusBadRequest)
	if !hasParam(p, "layer") {
		t.Errorf("without an incidents layer: %+v", p)
	}
}

// TestIncidentTilesMatchOpenAPI checks the problems of the incidents tile
// route against the document (tiles themselves are not JSON).
func TestIncidentTilesMatchOpenAPI(t *testing.T) {
	doc := loadOpenAPI(t)
	s := newTestServer(t, nil, Config{})
	for _, target := range []string{
		"/tiles/incidents/3/0/0.mvt?to=2020-01-01&from=2021-01-01",
		"/tiles/incidents/3/9/0.mvt",
	} {
		if code := checkAgainstOpenAPI(t, doc, s, http.MethodGet, target, ""); code != http.StatusBadRequest {
			t.Errorf("%s: %d", target, code)
		}
	}
}
