package api

import (
	"fmt"
	"jingge/api/httpx"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"jingge/api/apitest"
	"jingge/api/records"
	"jingge/data"
)

// visitJSON writes a visit body at p with extra members.
func visitJSON(lon, lat float64, extra string) string {
	return fmt.Sprintf(`{"lon":%v,"lat":%v%s}`, lon, lat, extra)
}

type visitFeatureJSON struct {
	ID         string
	Geometry   struct{ Coordinates []float64 }
	Properties records.VisitProperties
}

type visitCollectionJSON struct {
	Features       []visitFeatureJSON
	NumberReturned int `json:"number_returned"`
	Links          []httpx.Link
}

func TestCreateVisit(t *testing.T) {
	s := newTestServer(t, nil, Config{})
	body := visitJSON(apitest.InCommunity[0], apitest.InCommunity[1], `,"officer":"m1","kind":"走访","whom":"东街3号 王某 13912345678","key_place":"kp-7","outcome":"了解邻里纠纷"`)
	rec := serveWith(t, s, http.MethodPost, "/api/v1/visits", body, headerIdempotencyKey, "v-1")
	if rec.Code != http.StatusCreated {
		t.Fatalf("status %d: %s", rec.Code, rec.Body.String())
	}
	var f visitFeatureJSON
	decodeJSON(t, rec, &f)
	p := f.Properties
	if p.ID == "" || p.Officer != "m1" || p.Kind != "visit" || p.KindZH != "走访" || p.CommunityGrid != apitest.CommunityA || p.PoliceGrid != apitest.PoliceA || p.Station != apitest.StationA {
		t.Errorf("visit %+v, want m1's 走访 attributed to community grid A, police grid A, station A", p)
	}
	if p.KeyPlace == nil || *p.KeyPlace != "kp-7" || p.Whom != "东街3号 王某 13912345678" || p.Replayed {
		t.Errorf("visit %+v: key place, whom (in full without access control) or replayed wrong", p)
	}
	if len(f.Geometry.Coordinates) != 2 || f.Geometry.Coordinates[0] != apitest.InCommunity[0] {
		t.Errorf("geometry %v", f.Geometry.Coordinates)
	}
	// The same visit under its key again: the first, not stored twice.
	rec = serveWith(t, s, http.MethodPost, "/api/v1/visits", body, headerIdempotencyKey, "v-1")
	var again visitFeatureJSON
	decodeJSON(t, rec, &again)
	if rec.Code != http.StatusOK || again.ID != f.ID || !again.Properties.Replayed {
		t.Errorf("replay: status %d, %+v; want 200 replayed %s", rec.Code, again.Properties, f.ID)
	}
	other := strings.Replace(body, "了解邻里纠纷", "另一次", 1)
	expectProblem(t, serveWith(t, s, http.MethodPost, "/api/v1/visits", other, headerIdempotencyKey, "v-1"), http.StatusConflict)

	var list visitCollectionJSON
	decodeJSON(t, serve(t, s.Handler(), http.MethodGet, "/api/v1/visits", ""), &list)
	if list.NumberReturned != 1 || list.Features[0].ID != f.ID {
		t.Errorf("list %+v, want the one visit", list)
	}
}

func TestCreateVisitInvalid(t *testing.T) {
	s := newTestServer(t, nil, Config{})
	in := func(extra string) string {
		return visitJSON(apitest.InCommunity[0], apitest.InCommunity[1], `,"officer":"m1","kind":"visit"`+extra)
	}
	for _, c := range []struct {
		name, body string
		param      string
	}{
		{"unknown kind", visitJSON(109.305, 34.15, `,"officer":"m1","kind":"party"`), "kind"},
		{"no kind", visitJSON(109.305, 34.15, `,"officer":"m1"`), "kind"},
		{"no longitude", `{"lat":34.15,"officer":"m1","kind":"visit"}`, "lon"},
		{"latitude out of range", visitJSON(109.305, 134.15, `,"officer":"m1","kind":"visit"`), "lat"},
		{"unknown officer", visitJSON(109.305, 34.15, `,"officer":"m9","kind":"visit"`), "officer"},
		{"a grid worker", visitJSON(109.305, 34.15, `,"officer":"m3","kind":"visit"`), "officer"},
		{"no officer", visitJSON(109.305, 34.15, `,"kind":"visit"`), "officer"},
		{"in the future", in(`,"at":"` + time.Now().Add(time.Hour).Format(time.RFC3339) + `"`), "at"},
		{"long ago", in(`,"at":"2020-01-01T08:00:00+08:00"`), "at"},
		{"unreadable time", in(`,"at":"yesterday"`), "at"},
		{"unknown datum", in(`,"crs":"utm50n"`), "crs"},
		{"outside the county", visitJSON(apitest.Outside[0], apitest.Outside[1], `,"officer":"m1","kind":"visit"`), "lon"},
	} {
		t.Run(c.name, func(t *testing.T) {
			p := expectProblem(t, serve(t, s.Handler(), http.MethodPost, "/api/v1/visits", c.body), http.StatusBadRequest)
			found := false
			for _, ip := range p.InvalidParams {
				found = found || ip.Name == c.param
			}
			if !found || p.Detail == "" {
				t.Errorf("problem %+v, want %s named", p, c.param)
			}
		})
	}
	for _, body := range []string{`{"lon":109.305,"lat":34.15,"kind":"visit","mood":"good"}`, `[1,2]`, `{"lon":"east"}`} {
		expectProblem(t, serve(t, s.Handler(), http.MethodPost, "/api/v1/visits", body), http.StatusBadRequest)
	}
	long := in(`,"outcome":"` + strings.Repeat("长", data.MaxVisitOutcome+1) + `"`)
	expectProblem(t, serve(t, s.Handler(), http.MethodPost, "/api/v1/visits", long), http.StatusBadRequest)
	var list visitCollectionJSON
	decodeJSON(t, serve(t, s.Handler(), http.MethodGet, "/api/v1/visits", ""), &list)
	if list.NumberReturned != 0 {
		t.Errorf("%d visits stored after refusals", list.NumberReturned)
	}
}

func TestVisitsByRole(t *testing.T) {
	f := newRoleFixture(t)
	post := func(role data.Role, body string, want int) {
		t.Helper()
		if rec := f.sendBody(t, http.MethodPost, "/api/v1/visits", role, body); rec.Code != want {
			t.Fatalf("%s posts %s: status %d, want %d: %s", role, body, rec.Code, want, rec.Body.String())
		}
	}
	whom := `,"whom":"王某 13912345678","outcome":"回电 029-88881234"`
	post(data.RoleOfficer, visitJSON(apitest.InCommunity[0], apitest.InCommunity[1], `,"kind":"home_service"`+whom), http.StatusCreated) // m1, their own
	post(data.RoleOfficer, visitJSON(apitest.InCommunity[0], apitest.InCommunity[1], `,"officer":"m2","kind":"visit"`), http.StatusForbidden)
	post(data.RoleAdmin, visitJSON(apitest.InPoliceOnly[0], apitest.InPoliceOnly[1], `,"officer":"m5","kind":"publicity"`+whom), http.StatusCreated)
	post(data.RoleViewer, visitJSON(apitest.InCommunity[0], apitest.InCommunity[1], `,"officer":"m1","kind":"visit"`), http.StatusForbidden)

	list := func(role data.Role, target string, want int) visitCollectionJSON {
		t.Helper()
		rec := f.send(t, http.MethodGet, target, role)
		if rec.Code != want {
			t.Fatalf("%s GET %s: status %d, want %d: %s", role, target, rec.Code, want, rec.Body.String())
		}
		var out visitCollectionJSON
		if want == http.StatusOK {
			decodeJSON(t, rec, &out)
		}
		return out
	}
	all := list(data.RoleViewer, "/api/v1/visits", http.StatusOK)
	if all.NumberReturned != 2 {
		t.Fatalf("viewer reads %d visits, want 2", all.NumberReturned)
	}
	for _, v := range all.Features {
		if v.Properties.Whom != "王某 139****5678" || v.Properties.Outcome != "回电 029-****1234" {
			t.Errorf("viewer sees whom %q outcome %q, want the numbers masked", v.Properties.Whom, v.Properties.Outcome)
		}
	}
	if a := list(data.RoleAdmin, "/api/v1/visits?officer=m1", http.StatusOK); a.NumberReturned != 1 || a.Features[0].Properties.Whom != "王某 13912345678" || a.Features[0].Properties.RecordedBy != "u-officer" {
		t.Errorf("admin reads %+v, want m1's visit in full, recorded by u-officer", a.Features)
	}
	if own := list(data.RoleOfficer, "/api/v1/visits", http.StatusOK); own.NumberReturned != 1 || own.Features[0].Properties.Officer != "m1" {
		t.Errorf("an officer without grid= reads %+v, want their own visit only", own.Features)
	}
	if area := list(data.RoleOfficer, "/api/v1/visits?grid="+apitest.CommunityA, http.StatusOK); area.NumberReturned != 1 {
		t.Errorf("an officer reads %d visits of a grid of their area, want 1", area.NumberReturned)
	}
	list(data.RoleOfficer, "/api/v1/visits?grid="+apitest.PoliceB, http.StatusForbidden)
	list(data.RoleOfficer, "/api/v1/visits?officer=m5", http.StatusForbidden)
	if b := list(data.RolePlanner, "/api/v1/visits?station="+apitest.StationB, http.StatusOK); b.NumberReturned != 1 || b.Features[0].Properties.PoliceGrid != apitest.PoliceB {
		t.Errorf("station B: %+v", b.Features)
	}
}

func TestListVisitsPagesAndFilters(t *testing.T) {
	s := newTestServer(t, nil, Config{})
	now := time.Now()
	for i := range 5 {
		at := now.Add(-time.Duration(i+1) * time.Hour).Format(time.RFC3339)
		rec := serve(t, s.Handler(), http.MethodPost, "/api/v1/visits", visitJSON(apitest.InCommunityB[0], apitest.InCommunityB[1], `,"officer":"m2","kind":"follow_up","at":"`+at+`"`))
		if rec.Code != http.StatusCreated {
			t.Fatalf("status %d: %s", rec.Code, rec.Body.String())
		}
	}
	var seen []string
	target := "/api/v1/visits?grid=" + apitest.PoliceA + "&limit=2"
	for target != "" {
		var page visitCollectionJSON
		decodeJSON(t, serve(t, s.Handler(), http.MethodGet, target, ""), &page)
		for _, f := range page.Features {
			seen = append(seen, f.Properties.At)
		}
		target = ""
		for _, l := range page.Links {
			if l.Rel == "next" {
				target = l.Href
			}
		}
	}
	if len(seen) != 5 || seen[0] < seen[4] {
		t.Errorf("pages gave %v, want 5 visits newest first", seen)
	}
	var window visitCollectionJSON
	from, to := now.Add(-3*time.Hour-time.Minute).Format(time.RFC3339), now.Add(-time.Hour-time.Minute).Format(time.RFC3339)
	decodeJSON(t, serve(t, s.Handler(), http.MethodGet, "/api/v1/visits?from="+from+"&to="+to, ""), &window)
	if window.NumberReturned != 2 {
		t.Errorf("%d visits between 3 and 1 hours ago, want 2", window.NumberReturned)
	}
	for _, bad := range []string{"?limit=0", "?from=soon", "?from=2026-05-02&to=2026-05-01", "?cursor=xyz"} {
		expectProblem(t, serve(t, s.Handler(), http.MethodGet, "/api/v1/visits"+bad, ""), http.StatusBadRequest)
	}
}

// serveWith runs one request through s with header name/value pairs.
func serveWith(tb testing.TB, s *Server, method, target, body string, headers ...string) *httptest.ResponseRecorder {
	tb.Helper()
	req := httptest.NewRequest(method, target, strings.NewReader(body))
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	rec := httptest.NewRecorder()
	s.Handler().ServeHTTP(rec, req)
	return rec
}
