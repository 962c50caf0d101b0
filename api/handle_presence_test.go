package api

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/paulmach/orb"

	"jingge/api/apitest"
	"jingge/api/prevention"
)

// presenceServer is a patrol server holding, three days before testNow,
// 21 minutes of m1 in police grid A's two community grids (a visit), 6 of
// m2 there (passing through), and a day before, 16 minutes of m5 (police
// grid B's officer) in grid A.
func presenceServer(t *testing.T) *Server {
	t.Helper()
	s, _ := newPatrolServer(t, PatrolOptions{})
	var pings []string
	run := func(officer string, startSec, n int, pts ...orb.Point) {
		for i := range n {
			pings = append(pings, pingJSON(officer, startSec+60*i, pts[i*len(pts)/n], ""))
		}
	}
	run("m1", -72*3600, 20, apitest.InCommunity, apitest.InCommunityB)
	run("m2", -72*3600+3600, 5, apitest.InCommunity)
	run("m5", -24*3600, 15, apitest.InCommunityB)
	postPings(t, s, pingBody(pings...), http.StatusOK)
	return s
}

func TestPresenceOfAStation(t *testing.T) {
	s := presenceServer(t)
	week := "from=" + testNow.Add(-7*24*time.Hour).Format(time.RFC3339) + "&to=" + testNow.Format(time.RFC3339)
	var rep prevention.Report
	decodeJSON(t, serve(t, s.Handler(), http.MethodGet, "/api/v1/presence?station="+apitest.StationA+"&"+week, ""), &rep)
	if rep.MaxGapSeconds != 120 || rep.MinVisitSeconds != 600 || rep.TimeZone != "+08:00" {
		t.Errorf("report header %+v", rep)
	}
	if len(rep.Officers) != 2 || rep.Officers[0].Officer != "m1" || rep.Officers[1].Officer != "m2" {
		t.Fatalf("officers %+v, want m1 and m2 (station A's)", rep.Officers)
	}
	m1 := rep.Officers[0]
	// 19 minutes between the first and the last ping, and the last stands
	// for the 2-minute gap.
	if m1.PresentSeconds != 21*60 || m1.OwnGridSeconds != 21*60 || len(m1.Days) != 1 || m1.Days[0].Day != "2025-04-28" {
		t.Errorf("m1 %+v, want 21 minutes in own grids on 28 April (China time)", m1)
	}
	if d := m1.Days[0]; d.PresentSeconds+d.UnknownSeconds != 24*3600 || len(d.Grids) != 2 || *d.Grids[0].PoliceGrid != apitest.PoliceA {
		t.Errorf("m1's day %+v", d)
	}
	if len(rep.Grids) != 1 {
		t.Fatalf("grids %+v, want police grid A only", rep.Grids)
	}
	g := rep.Grids[0]
	if g.Grid != apitest.PoliceA || g.Visits != 1 || g.VisitsPerWeek != 1 || g.LastVisitOfficer == nil || *g.LastVisitOfficer != "m1" || g.DaysSinceVisit == nil || *g.DaysSinceVisit != 2 {
		t.Errorf("grid A %+v, want one visit a week, the last by m1 two days ago", g)
	}
	if g.OwnSeconds != 27*60 || g.OtherSeconds != 0 || g.Workload == nil || g.TargetPerWeek <= 0 {
		t.Errorf("grid A times %d/%d, workload %v, target %v; want 27 minutes of its own officers, a workload and a target", g.OwnSeconds, g.OtherSeconds, g.Workload, g.TargetPerWeek)
	}

	// The county: m5 (police grid B's) was in grid A too.
	rep = prevention.Report{}
	decodeJSON(t, serve(t, s.Handler(), http.MethodGet, "/api/v1/presence?"+week, ""), &rep)
	if len(rep.Officers) != 3 || len(rep.Grids) != 2 || rep.Grids[0].OtherSeconds != 16*60 || rep.Grids[1].Visits != 0 || rep.Grids[1].LastVisit != nil {
		t.Errorf("county: %d officers, grids %+v; want 3 officers, m5's 16 minutes in grid A, no visit to grid B", len(rep.Officers), rep.Grids)
	}

	// A window that misses the visit.
	rep = prevention.Report{}
	decodeJSON(t, serve(t, s.Handler(), http.MethodGet, "/api/v1/presence?station="+apitest.StationA+"&from=2025-04-29&to=2025-05-01", ""), &rep)
	if len(rep.Officers) != 0 || rep.Grids[0].Visits != 0 || rep.Grids[0].DaysSinceVisit != nil {
		t.Errorf("29 April to 1 May: %+v, want nobody and no visit", rep)
	}
}

func TestGridPresence(t *testing.T) {
	s := presenceServer(t)
	var g prevention.GridPresence
	decodeJSON(t, serve(t, s.Handler(), http.MethodGet, "/api/v1/grids/"+apitest.PoliceA+"/presence", ""), &g)
	if g.Visits != 1 || len(g.Officers) != 2 || g.LastVisit == nil || !g.LastVisit.Equal(testNow.Add(-72*time.Hour+21*time.Minute)) {
		t.Errorf("grid A over the default week: %+v, want m1's visit ending 21 minutes after it began", g)
	}
	p := expectProblem(t, serve(t, s.Handler(), http.MethodGet, "/api/v1/grids/"+apitest.CommunityA+"/presence", ""), http.StatusBadRequest)
	if len(p.InvalidParams) != 1 || p.InvalidParams[0].Name != "id" {
		t.Errorf("community grid: %+v, want the id named with its police grid", p)
	}
	expectProblem(t, serve(t, s.Handler(), http.MethodGet, "/api/v1/grids/nope/presence", ""), http.StatusNotFound)
}

func TestPresenceBadParameters(t *testing.T) {
	s := presenceServer(t)
	for _, c := range []struct {
		name, query string
		status      int
		param       string
	}{
		{"unreadable from", "?from=yesterday", http.StatusBadRequest, "from"},
		{"unreadable to", "?to=2025-13-01", http.StatusBadRequest, "to"},
		{"backwards", "?from=2025-05-01&to=2025-04-01", http.StatusBadRequest, "from"},
		{"too long", "?from=2025-01-01&to=2025-05-01", http.StatusBadRequest, "from"},
		{"unknown station", "?station=nowhere", http.StatusNotFound, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			p := expectProblem(t, serve(t, s.Handler(), http.MethodGet, "/api/v1/presence"+c.query, ""), c.status)
			if c.param != "" && (len(p.InvalidParams) != 1 || p.InvalidParams[0].Name != c.param) {
				t.Errorf("invalid_params %+v, want %s", p.InvalidParams, c.param)
			}
			if p.Detail == "" {
				t.Error("no detail")
			}
		})
	}
}

// TestMovementReadsFollowPatrols pins who may read officers' movements:
// presence is derived from patrol positions, so it admits exactly whom
// the patrol positions do, and every read is audited.
func TestMovementReadsFollowPatrols(t *testing.T) {
	s := newTestServer(t, nil, Config{})
	byName := map[string]route{}
	for _, rt := range s.routes() {
		byName[rt.name] = rt
	}
	twin := byName["listPatrols"]
	for _, name := range []string{"getPresence", "getGridPresence", "getTrack"} {
		rt, ok := byName[name]
		if !ok {
			t.Errorf("no route %s", name)
			continue
		}
		if rt.roles.String() != twin.roles.String() || !rt.roles.personal {
			t.Errorf("%s admits %s (personal data %v); officers' movements are read like listPatrols: %s, audited", name, rt.roles, rt.roles.personal, twin.roles)
		}
	}
	// Visits name households: every read is audited.
	if rt := byName["listVisits"]; !rt.roles.personal || rt.roles.public {
		t.Errorf("listVisits must be an audited personal read: %s", rt.roles)
	}
}

func TestGridLastVisits(t *testing.T) {
	s := presenceServer(t)
	rec := serveWith(t, s, http.MethodPost, "/api/v1/visits", visitJSON(apitest.InPoliceOnly[0], apitest.InPoliceOnly[1], `,"officer":"m5","kind":"visit","at":"`+testNow.Add(-time.Hour).Format(time.RFC3339)+`"`))
	if rec.Code != http.StatusCreated {
		t.Fatalf("recording a visit: %d %s", rec.Code, rec.Body.String())
	}
	var out prevention.LastVisitReport
	decodeJSON(t, serve(t, s.Handler(), http.MethodGet, "/api/v1/presence/grids", ""), &out)
	if len(out.Grids) != 2 || out.UnvisitedAfterDays != 7 || !out.AsOf.Equal(testNow) {
		t.Fatalf("report %+v; want both police grids as of testNow, 7 days", out)
	}
	a, b := out.Grids[0], out.Grids[1]
	if a.Grid != apitest.PoliceA || a.LastVisit == nil || !a.LastVisit.Equal(testNow.Add(-72*time.Hour+21*time.Minute)) ||
		a.DaysSinceVisit == nil || *a.DaysSinceVisit != 2 || a.Recorded || !a.HasOfficers {
		t.Errorf("grid A %+v; want m1's stay three days before, two whole days since", a)
	}
	// m5 was in grid A for a stay, and recorded a visit in their own grid B.
	if b.Grid != apitest.PoliceB || b.LastVisit == nil || !b.LastVisit.Equal(testNow.Add(-time.Hour)) || *b.DaysSinceVisit != 0 || !b.Recorded {
		t.Errorf("grid B %+v; want m5's recorded visit an hour before", b)
	}
	if strings.Contains(serve(t, s.Handler(), http.MethodGet, "/api/v1/presence/grids", "").Body.String(), "m5") {
		t.Error("the report names an officer")
	}
}
