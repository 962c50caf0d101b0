package api

import (
	"fmt"
	"jingge/api/httpx"
	"net/http"
	"strings"
	"testing"
	"time"

	"jingge/api/apitest"
	"jingge/api/records"
	"jingge/data"
)

func disputeJSON(lon, lat float64, extra string) string {
	return fmt.Sprintf(`{"lon":%v,"lat":%v%s}`, lon, lat, extra)
}

type disputeFeatureJSON struct {
	ID         string
	Properties records.DisputeProperties
}

type disputeCollectionJSON struct {
	Features       []disputeFeatureJSON
	NumberReturned int `json:"number_returned"`
	Links          []httpx.Link
}

func TestCreateDispute(t *testing.T) {
	s := newTestServer(t, nil, Config{})
	body := disputeJSON(apitest.InCommunity[0], apitest.InCommunity[1], `,"kind":"邻里纠纷","parties":"张三、李四 13912345678","summary":"宅基地边界"`)
	rec := serveWith(t, s, http.MethodPost, "/api/v1/disputes", body, headerIdempotencyKey, "d-1")
	if rec.Code != http.StatusCreated {
		t.Fatalf("status %d: %s", rec.Code, rec.Body.String())
	}
	var f disputeFeatureJSON
	decodeJSON(t, rec, &f)
	p := f.Properties
	if p.ID == "" || p.Kind != "neighbour" || p.Level != "open" || p.LevelZH != "未化解" || p.SettledAt != nil || p.DaysToSettle != nil ||
		p.CommunityGrid != apitest.CommunityA || p.PoliceGrid != apitest.PoliceA || p.Station != apitest.StationA || p.Parties != "张三、李四 13912345678" {
		t.Errorf("dispute %+v, want an open 邻里纠纷 attributed to community grid A, police grid A, station A, parties in full", p)
	}
	rec = serveWith(t, s, http.MethodPost, "/api/v1/disputes", body, headerIdempotencyKey, "d-1")
	var again disputeFeatureJSON
	decodeJSON(t, rec, &again)
	if rec.Code != http.StatusOK || again.ID != f.ID || !again.Properties.Replayed {
		t.Errorf("replay: status %d, %+v; want 200 replayed %s", rec.Code, again.Properties, f.ID)
	}
	settled := disputeJSON(apitest.InPoliceOnly[0], apitest.InPoliceOnly[1], `,"kind":"land","level":"村","method":"mediation_brand","mediation_brand":"朱先生说事","reported_at":"`+
		time.Now().Add(-50*time.Hour).Format(time.RFC3339)+`"`)
	rec = serve(t, s.Handler(), http.MethodPost, "/api/v1/disputes", settled)
	var sf disputeFeatureJSON
	decodeJSON(t, rec, &sf)
	if rec.Code != http.StatusCreated || sf.Properties.Level != "village" || sf.Properties.MediationBrand != "朱先生说事" || sf.Properties.DaysToSettle == nil || *sf.Properties.DaysToSettle != 2 || sf.Properties.Station != apitest.StationB {
		t.Errorf("a dispute recorded settled: status %d, %+v", rec.Code, sf.Properties)
	}
}

func TestCreateDisputeInvalid(t *testing.T) {
	s := newTestServer(t, nil, Config{})
	in := func(extra string) string {
		return disputeJSON(apitest.InCommunity[0], apitest.InCommunity[1], `,"kind":"family"`+extra)
	}
	for _, c := range []struct{ name, body, param string }{
		{"unknown kind", disputeJSON(109.305, 34.15, `,"kind":"feud"`), "kind"},
		{"unknown level", in(`,"level":"province"`), "level"},
		{"unknown method", in(`,"level":"group","method":"magic"`), "method"},
		{"settled_at while open", in(`,"settled_at":"2026-01-01T08:00:00+08:00"`), "settled_at"},
		{"in the future", in(`,"reported_at":"` + time.Now().Add(time.Hour).Format(time.RFC3339) + `"`), "reported_at"},
		{"long ago", in(`,"reported_at":"2020-01-01T08:00:00+08:00"`), "reported_at"},
		{"outside the county", disputeJSON(apitest.Outside[0], apitest.Outside[1], `,"kind":"family"`), "lon"},
	} {
		t.Run(c.name, func(t *testing.T) {
			p := expectProblem(t, serve(t, s.Handler(), http.MethodPost, "/api/v1/disputes", c.body), http.StatusBadRequest)
			found := false
			for _, ip := range p.InvalidParams {
				found = found || ip.Name == c.param
			}
			if !found || p.Detail == "" {
				t.Errorf("problem %+v, want %s named", p, c.param)
			}
		})
	}
	// Problems of content the store finds: a settled dispute needs its method.
	for _, body := range []string{in(`,"level":"group"`), in(`,"level":"group","method":"mediation_brand"`), in(`,"parties":"` + strings.Repeat("长", data.MaxDisputeParties+1) + `"`), `{"lon":109.305,"lat":34.15,"kind":"family","mood":1}`} {
		p := expectProblem(t, serve(t, s.Handler(), http.MethodPost, "/api/v1/disputes", body), http.StatusBadRequest)
		if p.Detail == "" {
			t.Errorf("%s: a problem without detail", body)
		}
	}
	var list disputeCollectionJSON
	decodeJSON(t, serve(t, s.Handler(), http.MethodGet, "/api/v1/disputes", ""), &list)
	if list.NumberReturned != 0 {
		t.Errorf("%d disputes stored after refusals", list.NumberReturned)
	}
}

func TestDisputeLevelOnlyMovesUp(t *testing.T) {
	s := newTestServer(t, nil, Config{})
	rec := serve(t, s.Handler(), http.MethodPost, "/api/v1/disputes", disputeJSON(apitest.InCommunity[0], apitest.InCommunity[1], `,"kind":"debt"`))
	var f disputeFeatureJSON
	decodeJSON(t, rec, &f)
	target := "/api/v1/disputes/" + f.ID
	patch := func(body string, want int) records.DisputeProperties {
		t.Helper()
		rec := serve(t, s.Handler(), http.MethodPatch, target, body)
		if rec.Code != want {
			t.Fatalf("PATCH %s: status %d, want %d: %s", body, rec.Code, want, rec.Body.String())
		}
		var out disputeFeatureJSON
		if want == http.StatusOK {
			decodeJSON(t, rec, &out)
		} else if ct := rec.Header().Get("Content-Type"); ct != httpx.ContentTypeProblem {
			t.Errorf("PATCH %s: Content-Type %q, want problem+json", body, ct)
		}
		return out.Properties
	}
	p := patch(`{"level":"group","method":"people_mediation"}`, http.StatusOK)
	if p.Level != "group" || p.Method != "people_mediation" || p.SettledAt == nil || p.UpdatedAt == nil {
		t.Errorf("settled at group: %+v", p)
	}
	patch(`{"level":"open"}`, http.StatusConflict)
	p = patch(`{"level":"township","method":"judicial_office"}`, http.StatusOK)
	if p.Level != "township" || p.Method != "judicial_office" {
		t.Errorf("moved up to township: %+v", p)
	}
	patch(`{"level":"village","method":"people_mediation"}`, http.StatusConflict)
	patch(`{"level":"group"}`, http.StatusConflict)
	patch(`{"level":"province"}`, http.StatusBadRequest)
	patch(`{}`, http.StatusBadRequest)
	if rec := serve(t, s.Handler(), http.MethodPatch, "/api/v1/disputes/99999", `{"level":"county","method":"referral"}`); rec.Code != http.StatusNotFound {
		t.Errorf("an unknown dispute: status %d", rec.Code)
	}
	var list disputeCollectionJSON
	decodeJSON(t, serve(t, s.Handler(), http.MethodGet, "/api/v1/disputes?status=settled", ""), &list)
	if list.NumberReturned != 1 || list.Features[0].Properties.Level != "township" {
		t.Errorf("after the refusals: %+v, want the dispute at township level", list.Features)
	}
}

func TestDisputesByRole(t *testing.T) {
	f := newRoleFixture(t)
	post := func(role data.Role, body string, want int) string {
		t.Helper()
		rec := f.sendBody(t, http.MethodPost, "/api/v1/disputes", role, body)
		if rec.Code != want {
			t.Fatalf("%s posts %s: status %d, want %d: %s", role, body, rec.Code, want, rec.Body.String())
		}
		var out disputeFeatureJSON
		if want == http.StatusCreated {
			decodeJSON(t, rec, &out)
		}
		return out.ID
	}
	parties := `,"parties":"张三、欧阳娜娜 13912345678；Smith","summary":"电话 029-88881234"`
	idA := post(data.RoleOfficer, disputeJSON(apitest.InCommunity[0], apitest.InCommunity[1], `,"kind":"neighbour"`+parties), http.StatusCreated)
	idB := post(data.RolePlanner, disputeJSON(apitest.InPoliceOnly[0], apitest.InPoliceOnly[1], `,"kind":"labour"`+parties), http.StatusCreated)
	post(data.RoleViewer, disputeJSON(apitest.InCommunity[0], apitest.InCommunity[1], `,"kind":"neighbour"`), http.StatusForbidden)

	list := func(role data.Role, target string, want int) disputeCollectionJSON {
		t.Helper()
		rec := f.send(t, http.MethodGet, target, role)
		if rec.Code != want {
			t.Fatalf("%s GET %s: status %d, want %d: %s", role, target, rec.Code, want, rec.Body.String())
		}
		var out disputeCollectionJSON
		if want == http.StatusOK {
			decodeJSON(t, rec, &out)
		}
		return out
	}
	for _, role := range []data.Role{data.RoleViewer, data.RolePlanner} {
		all := list(role, "/api/v1/disputes", http.StatusOK)
		if all.NumberReturned != 2 {
			t.Fatalf("%s reads %d disputes, want 2", role, all.NumberReturned)
		}
		for _, d := range all.Features {
			if d.Properties.Parties != "张*、欧*** 139****5678；S****" || d.Properties.Summary != "电话 029-****1234" {
				t.Errorf("%s sees parties %q summary %q, want names and numbers masked", role, d.Properties.Parties, d.Properties.Summary)
			}
		}
	}
	if a := list(data.RoleAdmin, "/api/v1/disputes?station="+apitest.StationA, http.StatusOK); a.NumberReturned != 1 || a.Features[0].Properties.Parties != "张三、欧阳娜娜 13912345678；Smith" || a.Features[0].Properties.RecordedBy != "u-officer" {
		t.Errorf("admin reads %+v, want station A's dispute in full, recorded by u-officer", a.Features)
	}
	if own := list(data.RoleOfficer, "/api/v1/disputes", http.StatusOK); own.NumberReturned != 1 || own.Features[0].ID != idA {
		t.Errorf("an officer reads %+v, want their own station's dispute only", own.Features)
	}
	list(data.RoleOfficer, "/api/v1/disputes?station="+apitest.StationB, http.StatusForbidden)
	// An officer settles their own station's disputes only.
	if rec := f.sendBody(t, http.MethodPatch, "/api/v1/disputes/"+idB, data.RoleOfficer, `{"level":"group","method":"referral"}`); rec.Code != http.StatusForbidden {
		t.Errorf("an officer settling another station's dispute: status %d", rec.Code)
	}
	rec := f.sendBody(t, http.MethodPatch, "/api/v1/disputes/"+idA, data.RoleOfficer, `{"level":"group","method":"mediation_brand","mediation_brand":"枫桥+乡约"}`)
	var d disputeFeatureJSON
	decodeJSON(t, rec, &d)
	if rec.Code != http.StatusOK || d.Properties.UpdatedBy != "u-officer" || d.Properties.MediationBrand != "枫桥+乡约" {
		t.Errorf("an officer settling their own station's dispute: status %d, %+v", rec.Code, d.Properties)
	}
	if rec := f.sendBody(t, http.MethodPatch, "/api/v1/disputes/"+idA, data.RoleViewer, `{"level":"county","method":"referral"}`); rec.Code != http.StatusForbidden {
		t.Errorf("a viewer settling: status %d", rec.Code)
	}
	// Every change is in the audit log, by whom and to which dispute.
	audit := f.send(t, http.MethodGet, "/api/v1/audit?action=updateDispute", data.RoleAdmin)
	if body := audit.Body.String(); audit.Code != http.StatusOK || !strings.Contains(body, "/api/v1/disputes/"+idA) || !strings.Contains(body, "u-officer") {
		t.Errorf("the audit log of updateDispute: status %d: %s", audit.Code, body)
	}
}

func TestDisputeSummary(t *testing.T) {
	// The server's clock is mid-month, so every time of the case is in it.
	now := time.Date(2026, 5, 15, 12, 0, 0, 0, chinaZone(t))
	s := newTestServer(t, nil, Config{PatrolOptions: PatrolOptions{Now: func() time.Time { return now }}})
	month := "2026-05"
	at := func(d time.Duration) string { return now.Add(-d).Format(time.RFC3339) }
	bodies := []string{
		disputeJSON(apitest.InCommunity[0], apitest.InCommunity[1], `,"kind":"family","level":"group","method":"people_mediation","reported_at":"`+at(3*time.Hour)+`","settled_at":"`+at(time.Hour)+`"`),
		disputeJSON(apitest.InCommunityB[0], apitest.InCommunityB[1], `,"kind":"family","level":"township","method":"judicial_office","reported_at":"`+at(3*time.Hour)+`","settled_at":"`+at(time.Hour)+`"`),
		disputeJSON(apitest.InCommunityB[0], apitest.InCommunityB[1], `,"kind":"family","reported_at":"`+at(2*time.Hour)+`"`),
		disputeJSON(apitest.InPoliceOnly[0], apitest.InPoliceOnly[1], `,"kind":"land","level":"village","method":"referral","reported_at":"`+at(2*time.Hour)+`","settled_at":"`+at(time.Hour)+`"`),
	}
	for _, b := range bodies {
		if rec := serve(t, s.Handler(), http.MethodPost, "/api/v1/disputes", b); rec.Code != http.StatusCreated {
			t.Fatalf("status %d: %s", rec.Code, rec.Body.String())
		}
	}
	var sum records.DisputeSummary
	rec := serve(t, s.Handler(), http.MethodGet, "/api/v1/disputes/summary?month="+month, "")
	if rec.Code != http.StatusOK {
		t.Fatalf("status %d: %s", rec.Code, rec.Body.String())
	}
	decodeJSON(t, rec, &sum)
	if len(sum.Rows) != 2 || sum.Rows[0].Key != apitest.StationB || sum.Rows[1].Key != apitest.StationA || sum.Rows[1].Name != "文姬路派出所" {
		t.Fatalf("rows %+v, want tangyu then wenjilu", sum.Rows)
	}
	a := sum.Rows[1]
	if a.Reported != 3 || a.Open != 1 || a.Settled != 2 || a.KeptLow != 1 || *a.KeptLowRate != 0.5 {
		t.Errorf("wenjilu %+v, want 3 reported, 1 open, 2 settled, 1 kept low: rate 0.5", a.DisputeTally)
	}
	if sum.Total.Settled != 3 || sum.Total.KeptLow != 2 || *sum.Total.KeptLowRate != 2.0/3 {
		t.Errorf("total %+v, want 2 of 3 kept low", sum.Total.DisputeTally)
	}
	if !strings.Contains(sum.Definition, "kept_low_rate") || !strings.Contains(sum.DefinitionZH, "不上交率 =") {
		t.Errorf("definitions %q and %q: want how the rate is counted, in English and in Chinese", sum.Definition, sum.DefinitionZH)
	}
	for _, bad := range []string{"?month=2026-13", "?group_by=township", "?station=nowhere"} {
		expectProblem(t, serve(t, s.Handler(), http.MethodGet, "/api/v1/disputes/summary"+bad, ""), http.StatusBadRequest)
	}
}

func chinaZone(t *testing.T) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

func TestMaskParties(t *testing.T) {
	for in, want := range map[string]string{
		"":                     "",
		"张三":                   "张*",
		"张三、李四":                "张*、李*",
		"欧阳娜娜 13912345678":     "欧*** 139****5678",
		"王某(029-88881234)；Lee": "王*(029-****1234)；L**",
		"张*、李*":                "张*、李*",
	} {
		if got := maskParties(in); got != want {
			t.Errorf("maskParties(%q) = %q, want %q", in, got, want)
		}
		if got := maskParties(maskParties(in)); got != want {
			t.Errorf("masking %q twice gives %q", in, got)
		}
	}
}
