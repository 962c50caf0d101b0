package api

import (
	"bytes"
	"context"
	"fmt"
	"jingge/api/httpx"
	"jingge/internal/golden"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"jingge/api/planning"
	"jingge/data"
	"jingge/data/lantian"
	"jingge/data/memory"
	"jingge/geo"
	"jingge/geo/roster"
)

// goldenRequest is one request of the golden run and the file its answer
// is kept in.
type goldenRequest struct {
	name, method, target, body string
}

// goldenRequests are answered in order by one server, so a request may
// depend on the ones before it (the plan POST makes plan "1").
var goldenRequests = []goldenRequest{
	{"plan-config", http.MethodGet, "/api/v1/plan/config", ""},
	{"plan-current", http.MethodGet, "/api/v1/plan/current", ""},
	{"plan-propose", http.MethodPost, "/api/v1/plan/plans", `{"seed":1}`},
	{"plan-propose-bad", http.MethodPost, "/api/v1/plan/plans", `{"seed":1,"iterations":-3,"max_grid_moves":-7,"weights":{"balance":-1}}`},
	{"plan-propose-bad-json", http.MethodPost, "/api/v1/plan/plans", `{"seed":1,"weights":{"load":-1}}`},
	{"plan-list", http.MethodGet, "/api/v1/plan/plans?limit=5", ""},
	{"plan-get", http.MethodGet, "/api/v1/plan/plans/1", ""},
	{"plan-get-missing", http.MethodGet, "/api/v1/plan/plans/99", ""},
	{"plan-compare", http.MethodGet, "/api/v1/plan/compare?a=current&b=1", ""},
	{"plan-compare-no-b", http.MethodGet, "/api/v1/plan/compare", ""},
	{"plan-moves-csv", http.MethodGet, "/api/v1/plan/plans/1/moves.csv", ""},
	{"plan-stations-csv", http.MethodGet, "/api/v1/plan/plans/1/stations.csv", ""},
	{"plan-report-en", http.MethodGet, "/api/v1/plan/plans/1/report?lang=en", ""},
	{"plan-report-zh", http.MethodGet, "/api/v1/plan/plans/current/report", ""},
	{"plan-report-bad-lang", http.MethodGet, "/api/v1/plan/plans/1/report?lang=fr", ""},
	{"plan-coverage", http.MethodGet, "/api/v1/plan/coverage?origins=stations", ""},
	{"plan-coverage-bad", http.MethodGet, "/api/v1/plan/coverage?origins=cars", ""},
	{"assessment-month", http.MethodGet, "/api/v1/assessment/2026-09", ""},
	{"assessment-trend", http.MethodGet, "/api/v1/assessment/trend?from=2026-05&to=2026-09", ""},
	{"assessment-entries", http.MethodGet, "/api/v1/assessment/entries?from=2026-09&to=2026-09", ""},
	{"assessment-month-bad", http.MethodGet, "/api/v1/assessment/2026-13", ""},
	{"incidents-list", http.MethodGet, "/api/v1/incidents?from=2026-10-01&to=2026-10-03&limit=20", ""},
	{"incidents-list-station", http.MethodGet, "/api/v1/incidents?from=2026-09-01&to=2026-10-01&station=wenjilu&category=traffic&limit=10", ""},
	{"incidents-aggregate-station", http.MethodGet, "/api/v1/incidents/aggregate?from=2026-01-01&to=2026-11-01&group_by=station", ""},
	{"incidents-aggregate-month", http.MethodGet, "/api/v1/incidents/aggregate?from=2026-01-01&to=2026-11-01&station=jiaodai&group_by=police_grid&bucket=month", ""},
	{"incidents-create", http.MethodPost, "/api/v1/incidents", `{"type":"FeatureCollection","features":[` +
		`{"type":"Feature","geometry":{"type":"Point","coordinates":[109.317,34.152]},"properties":{"occurred_at":"2026-10-20T08:15:00+08:00","reported_at":"2026-10-20T08:20:00+08:00","category":"traffic","severity":2,"summary":"两车剐蹭"}},` +
		`{"type":"Feature","geometry":{"type":"Point","coordinates":[109.3,34.1]},"properties":{"occurred_at":"2026-10-21 21:00:00","category":"纠纷","status":"closed"}}]}`},
	{"incidents-create-bad", http.MethodPost, "/api/v1/incidents", `{"type":"FeatureCollection","features":[` +
		`{"type":"Feature","geometry":{"type":"Point","coordinates":[108.5,33.1]},"properties":{"occurred_at":"2026-10-20T08:15:00+08:00","category":"ufo","severity":9,"colour":"red"}}]}`},
	{"incidents-list-after-create", http.MethodGet, "/api/v1/incidents?from=2026-10-20T08:00:00%2B08:00&to=2026-10-21T22:00:00%2B08:00&station=chengguan&limit=50", ""},
	{"incidents-get", http.MethodGet, "/api/v1/incidents/19245", ""},
	{"plan-apply-current", http.MethodPost, "/api/v1/plan/plans/current/apply", ""},
	{"plan-apply", http.MethodPost, "/api/v1/plan/plans/1/apply", ""},
	{"plan-apply-again", http.MethodPost, "/api/v1/plan/plans/1/apply", ""},
	{"plan-current-after-apply", http.MethodGet, "/api/v1/plan/current", ""},
	{"assessment-import-bad", http.MethodPost, "/api/v1/assessment/import", "station,month,colour,month\n"},
	{"assessment-import-bad-rows", http.MethodPost, "/api/v1/assessment/import", "\ufeff派出所,月份,熟悉率分子,熟悉率分母,满意度分子,满意度分母\n" +
		"wenjilu,2026-10,45,50,90,100\n第99派出所,2026年10月,30,20,,\n,,1,2\nwenjilu,2026/10,x,1,1,1\nwenjilu,2026-13,1,1,1,1\n"},
	{"assessment-import", http.MethodPost, "/api/v1/assessment/import", "station,month,familiarity_numerator,familiarity_denominator\nwenjilu,2026-10,45,50\nchengguan,2026年10月,30,60\n"},
	{"assessment-put-bad", http.MethodPut, "/api/v1/assessment/entries", `{"entries":[{"station":"nowhere","month":"2026-10"}]}`},
	{"assessment-month-after-import", http.MethodGet, "/api/v1/assessment/2026-10", ""},
}

// stoppedPlans is a plan store whose times are those of a stopped
// clock, so the golden answers do not carry the time of the run.
type stoppedPlans struct {
	*memory.PlanStore
	at time.Time
}

func (s stoppedPlans) stop(p data.Plan) data.Plan {
	p.CreatedAt = s.at
	if p.Applied() {
		p.AppliedAt = s.at.Add(time.Hour)
	}
	return p
}

func (s stoppedPlans) SavePlan(ctx context.Context, p data.Plan) (data.Plan, error) {
	p, err := s.PlanStore.SavePlan(ctx, p)
	return s.stop(p), err
}

func (s stoppedPlans) Plan(ctx context.Context, id string) (data.Plan, error) {
	p, err := s.PlanStore.Plan(ctx, id)
	return s.stop(p), err
}

func (s stoppedPlans) Plans(ctx context.Context, limit int) ([]data.Plan, error) {
	ps, err := s.PlanStore.Plans(ctx, limit)
	for i := range ps {
		ps[i] = s.stop(ps[i])
	}
	return ps, err
}

func (s stoppedPlans) ApplyPlan(ctx context.Context, a data.PlanApplication) (data.PlanApplied, error) {
	res, err := s.PlanStore.ApplyPlan(ctx, a)
	res.Plan = s.stop(res.Plan)
	return res, err
}

func (s stoppedPlans) Assessment(ctx context.Context, from, to string) ([]data.AssessmentEntry, error) {
	es, err := s.PlanStore.Assessment(ctx, from, to)
	for i := range es {
		es[i].UpdatedAt = s.at
	}
	return es, err
}

// goldenServer serves the bundled Lantian county from the embedded store
// as `jingge serve` does without a database, the clock stopped at the end
// of the bundled year of incidents.
func goldenServer(t *testing.T) *Server {
	t.Helper()
	ds, err := lantian.Load()
	if err != nil {
		t.Fatal(err)
	}
	incidents, err := lantian.Incidents(ds, lantian.DefaultSeed)
	if err != nil {
		t.Fatal(err)
	}
	now := lantian.DefaultIncidentsEnd
	mem, err := memory.New(memory.Clone(ds))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if _, err := mem.AddIncidents(ctx, data.IncidentBatch{Incidents: incidents}); err != nil {
		t.Fatal(err)
	}
	plans := memory.WithPlans(mem)
	if err := plans.PutAssessment(ctx, data.AssessmentWrite{Entries: lantian.AssessmentUntil(ds, lantian.DefaultSeed, now), Actor: "demo"}); err != nil {
		t.Fatal(err)
	}
	live := new(geo.Live)
	live.Store(mustIndex(t, ds))
	changes, err := plans.Watch(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	go func() {
		for range changes {
			if snap, err := plans.Snapshot(t.Context()); err == nil {
				if ix, err := geo.NewIndex(snap); err == nil {
					live.Store(ix)
				}
			}
		}
	}()
	stopped := stoppedPlans{PlanStore: plans, at: now.Add(-24 * time.Hour)}
	p, err := planning.New(planning.Options{Index: live, Plans: stopped, Assessments: stopped, Incidents: planning.StoreIncidents(mem), Now: func() time.Time { return now },
		Roster: &roster.Config{}}) // the recorded apply is of moves; roster refusals: handle_roster_test.go
	if err != nil {
		t.Fatal(err)
	}
	cfg := Config{Planner: p}
	withIncidentStore(t, ds, &cfg)
	cfg.Incidents, cfg.GridHistory, cfg.GridEditor = mem, mem, mem
	return newTestServerLive(t, live, cfg)
}

// TestGoldenPlannerAndIncidents holds the planner and incident routes to
// the answers recorded in testdata/golden, byte for byte: status, headers
// and body. Run with -update to record them anew (and read the diff).
func TestGoldenPlannerAndIncidents(t *testing.T) {
	if testing.Short() {
		t.Skip("proposes a plan for the whole county")
	}
	srv := goldenServer(t)
	h := srv.Handler()
	f := &planFixture{srv: srv}
	for _, gr := range goldenRequests {
		var body *strings.Reader
		if gr.body != "" {
			body = strings.NewReader(gr.body)
		}
		var req *http.Request
		if body != nil {
			req = httptest.NewRequest(gr.method, gr.target, body)
			req.Header.Set("Content-Type", "application/json")
		} else {
			req = httptest.NewRequest(gr.method, gr.target, nil)
		}
		req.Header.Set(httpx.HeaderRequestID, "golden-"+gr.name)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		got := goldenText(rec)
		checkGolden(t, gr.name+".txt", got)
		if gr.name == "plan-apply" {
			// The answers after it are those of a server that follows
			// the store to the applied plan.
			var res struct{ Dataset string }
			decodeJSON(t, rec, &res)
			f.waitDataset(t, res.Dataset)
		}
	}
}

// goldenText is an answer as the golden file keeps it: the status line,
// the headers sorted, a blank line, the body.
func goldenText(rec *httptest.ResponseRecorder) []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "%d\n", rec.Code)
	for _, k := range slices.Sorted(func(yield func(string) bool) {
		for k := range rec.Header() {
			if !yield(k) {
				return
			}
		}
	}) {
		for _, v := range rec.Header()[k] {
			fmt.Fprintf(&b, "%s: %s\n", k, v)
		}
	}
	b.WriteByte('\n')
	b.Write(rec.Body.Bytes())
	return b.Bytes()
}

// checkGolden compares got with testdata/golden/name, or records it there
// under -update.
func checkGolden(tb testing.TB, name string, got []byte) {
	tb.Helper()
	if want := golden.Recorded(tb, filepath.Join("testdata", "golden", name), got); !bytes.Equal(got, want) {
		tb.Errorf("%s differs from the recorded answer %s", name, golden.FirstDifference(got, want))
	}
}
