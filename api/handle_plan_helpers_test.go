package api

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/paulmach/orb"

	"jingge/api/planning"
	"jingge/data"
	"jingge/data/memory"
	"jingge/data/storetest"
	"jingge/geo"
	"jingge/geo/plan"
	"jingge/geo/roster"
)

// The planner routes that take query parameters, each with a request that
// gives all of them and answers 200 on the test server of openapi_test.go,
// which keeps no plans.
func init() {
	paramExamples["getPlanCoverage"] = struct{ target, body string }{"/api/v1/plan/coverage?origins=stations", ""}
	paramExamples["listPlans"] = struct{ target, body string }{"/api/v1/plan/plans?limit=5", ""}
	paramExamples["getPlanReport"] = struct{ target, body string }{"/api/v1/plan/plans/current/report?lang=en", ""}
	paramExamples["comparePlans"] = struct{ target, body string }{"/api/v1/plan/compare?a=current&b=current", ""}
	paramExamples["getAssessmentEntries"] = struct{ target, body string }{"/api/v1/assessment/entries?from=2026-01&to=2026-02", ""}
	paramExamples["getAssessmentTrend"] = struct{ target, body string }{"/api/v1/assessment/trend?from=2026-01&to=2026-02", ""}
}

// planNow is the clock of the planner tests: incident ages are measured
// from it.
var planNow = time.Date(2026, 6, 30, 12, 0, 0, 0, time.UTC)

// planFixture is a server with a memory plan store and a reloader that
// follows the store like `jingge serve` does.
type planFixture struct {
	srv   *Server
	store *memory.PlanStore
	live  *geo.Live
}

// plansOpt changes a fixture's planner options before the server is made;
// st is the fixture's store.
type plansOpt func(po *planning.Options, st *memory.PlanStore)

// withRoster holds the fixture's plans to the roster rules cfg.
func withRoster(cfg roster.Config) plansOpt {
	return func(po *planning.Options, _ *memory.PlanStore) { po.Roster = &cfg }
}

// newPlanFixture serves ds from a memory plan store with incidents, the
// clock at planNow.
func newPlanFixture(tb testing.TB, ds *geo.Dataset, incidents []geo.Incident, opts ...plansOpt) *planFixture {
	tb.Helper()
	mem, err := memory.New(ds)
	if err != nil {
		tb.Fatal(err)
	}
	st := memory.WithPlans(mem)
	live := new(geo.Live)
	snap, err := st.Snapshot(context.Background())
	if err != nil {
		tb.Fatal(err)
	}
	live.Store(mustIndex(tb, snap))
	ctx, cancel := context.WithCancel(context.Background())
	tb.Cleanup(cancel)
	changes, err := st.Watch(ctx)
	if err != nil {
		tb.Fatal(err)
	}
	go func() {
		for range changes {
			if ds, err := st.Snapshot(ctx); err == nil {
				if ix, err := geo.NewIndex(ds); err == nil {
					live.Store(ix)
				}
			}
		}
	}()
	// No roster rules unless a test asks (withRoster): the planner does
	// not yet keep a community officer in every grid it moves, and these
	// tests are about what applying does, not whether it may.
	po := planning.Options{Index: live, Plans: st, Assessments: st, Incidents: planning.FixedIncidents(incidents), Now: func() time.Time { return planNow },
		Roster: &roster.Config{}}
	for _, o := range opts {
		o(&po, st)
	}
	p, err := planning.New(po)
	if err != nil {
		tb.Fatal(err)
	}
	return &planFixture{srv: newTestServerLive(tb, live, Config{Planner: p}), store: st, live: live}
}

// newTestServerLive is newTestServer for a Live the caller keeps.
func newTestServerLive(tb testing.TB, live *geo.Live, cfg Config) *Server {
	tb.Helper()
	cfg.Index = live
	cfg.Logger = slog.New(slog.NewTextHandler(tbWriter{tb}, &slog.HandlerOptions{Level: slog.LevelWarn}))
	return New(cfg)
}

// do sends one request to the fixture and returns the answer.
func (f *planFixture) do(tb testing.TB, method, target, body string) *httptest.ResponseRecorder {
	tb.Helper()
	return serve(tb, f.srv.Handler(), method, target, body)
}

// decode sends a request, expects status and decodes the JSON answer.
func (f *planFixture) decode(tb testing.TB, method, target, body string, status int, v any) {
	tb.Helper()
	rec := f.do(tb, method, target, body)
	if rec.Code != status {
		tb.Fatalf("%s %s: status %d, want %d: %s", method, target, rec.Code, status, rec.Body.String())
	}
	if v != nil {
		decodeJSON(tb, rec, v)
	}
}

// waitDataset waits until GET /api/v1/plan/current serves dataset want.
func (f *planFixture) waitDataset(tb testing.TB, want string) planning.PlanCurrent {
	tb.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		var cur planning.PlanCurrent
		f.decode(tb, http.MethodGet, "/api/v1/plan/current", "", http.StatusOK, &cur)
		if cur.Dataset == want {
			return cur
		}
		if time.Now().After(deadline) {
			tb.Fatalf("the server still serves dataset %s, not %s", cur.Dataset, want)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// balancedTestData is a synthetic county of three plain stations (one
// terrain, so a grid's terrain factor and road speed do not depend on its
// station) with 24 police grids, officers bunched in the west and a year of
// incidents bunched in the east: a county a plan can improve.
func balancedTestData(tb testing.TB) (*geo.Dataset, []geo.Incident) {
	tb.Helper()
	ds := storetest.Synthetic(storetest.Partition{Cols: 12, Rows: 8, Stations: 3, Seed: 7})
	for i := range ds.Stations {
		ds.Stations[i].Region = geo.Plain
	}
	var extra []geo.Member
	for _, m := range ds.Members {
		n := map[string]int{"s01": 3, "s02": 1, "s03": 0}[m.StationID]
		for k := range n {
			extra = append(extra, geo.Member{ID: fmt.Sprintf("a-%s-%d", m.ID, k), Name: "辅警", Role: geo.AuxiliaryOfficer, Phone: "13800000000", StationID: m.StationID, GridIDs: []string{m.GridIDs[0]}})
		}
	}
	ds.Members = append(ds.Members, extra...)
	ix := mustIndex(tb, ds)
	rng := rand.New(rand.NewPCG(11, 13))
	var b orb.Bound
	for i, g := range ds.Grids {
		if i == 0 {
			b = g.Geometry.Bound()
		}
		b = b.Union(g.Geometry.Bound())
	}
	var incidents []geo.Incident
	for len(incidents) < 1500 {
		u := rng.Float64()
		x := b.Min[0] + (b.Max[0]-b.Min[0])*(1-u*u) // more in the east
		y := b.Min[1] + (b.Max[1]-b.Min[1])*rng.Float64()
		h := ix.Lookup(orb.Point{x, y})
		if !h.Found() {
			continue
		}
		inc := geo.Incident{ID: fmt.Sprint(len(incidents) + 1), Location: orb.Point{x, y},
			OccurredAt: planNow.Add(-time.Duration(1+rng.IntN(360*24)) * time.Hour),
			Category:   geo.Categories[rng.IntN(len(geo.Categories))], Severity: 1 + rng.IntN(5), Status: geo.Closed,
			StationID: h.Station.ID, PoliceGridID: h.Police.ID}
		inc.ReportedAt = inc.OccurredAt
		inc.Cleared = inc.Category == geo.Criminal && rng.IntN(2) == 0
		if h.Community != nil {
			inc.CommunityGridID = h.Community.ID
		}
		incidents = append(incidents, inc)
	}
	return ds, incidents
}

// sameFigures fails tb unless two measures agree on everything a
// deployment determines: per-station figures, balance, response,
// compactness and contiguity (Change and Objective are taken against the
// deployment in force, which applying a plan changes).
func sameFigures(tb testing.TB, what string, got, want plan.Measures) {
	tb.Helper()
	g, _ := json.Marshal([]any{got.Stations, got.Balance, got.Response, got.MeanPolsbyPopper, got.Contiguous})
	w, _ := json.Marshal([]any{want.Stations, want.Balance, want.Response, want.MeanPolsbyPopper, want.Contiguous})
	if string(g) != string(w) {
		tb.Errorf("%s differ:\n got %s\nwant %s", what, g, w)
	}
}

// faultyPlans wraps a plan store to fail ApplyPlan in chosen ways.
type faultyPlans struct {
	*memory.PlanStore
	// corrupt changes each application before the store sees it.
	corrupt func(*data.PlanApplication)
	// err, when set, is returned instead of applying.
	err error
}

func (f *faultyPlans) ApplyPlan(ctx context.Context, a data.PlanApplication) (data.PlanApplied, error) {
	if f.err != nil {
		return data.PlanApplied{}, f.err
	}
	if f.corrupt != nil {
		f.corrupt(&a)
	}
	return f.PlanStore.ApplyPlan(ctx, a)
}

// hasAll reports whether s contains every one of subs.
func hasAll(s string, subs ...string) bool {
	for _, x := range subs {
		if !strings.Contains(s, x) {
			return false
		}
	}
	return true
}
