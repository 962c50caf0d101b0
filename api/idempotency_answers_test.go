package api

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"jingge/api/planning"
	"jingge/data"
	"jingge/data/memory"
)

// answerFixture is the planner's fixture behind access control, with two
// admins (alice and bob) and grid edits on the same store.
type answerFixture struct {
	*planFixture
	h      http.Handler
	tokens map[string]string
}

func newAnswerFixture(t *testing.T) *answerFixture {
	t.Helper()
	ds, inc := balancedTestData(t)
	pf := newPlanFixture(t, ds, inc)
	auth := memory.NewAuth(0)
	f := &answerFixture{planFixture: pf, tokens: map[string]string{}}
	for _, name := range []string{"alice", "bob"} {
		if err := auth.CreateUser(context.Background(), data.User{Name: name, Role: data.RoleAdmin}); err != nil {
			t.Fatal(err)
		}
		secret, hash, id := data.NewSecret(data.KindToken)
		if err := auth.CreateCredential(context.Background(), data.Credential{ID: id, Kind: data.KindToken, UserName: name, Hash: hash}); err != nil {
			t.Fatal(err)
		}
		f.tokens[name] = secret
	}
	srv := newTestServerLive(t, pf.live, Config{Planner: pf.srv.planner, GridEditor: pf.store, GridHistory: pf.store, Access: &Access{Store: auth}})
	f.h = srv.Handler()
	return f
}

// send makes one request as user, under key when it is not "".
func (f *answerFixture) send(user, method, target, key, body string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(method, target, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+f.tokens[user])
	req.Header.Set("Content-Type", "application/json")
	if strings.HasSuffix(target, "/import") {
		req.Header.Set("Content-Type", "text/csv")
	}
	if key != "" {
		req.Header.Set(headerIdempotencyKey, key)
	}
	rec := httptest.NewRecorder()
	f.h.ServeHTTP(rec, req)
	return rec
}

// state is what the writes of the test have done, as text to compare.
func (f *answerFixture) state(t *testing.T, grids ...string) string {
	t.Helper()
	ctx := context.Background()
	var b strings.Builder
	for _, id := range grids {
		h, err := f.store.GridHistory(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		last := h[len(h)-1]
		fmt.Fprintf(&b, "%s: %d versions, population %d, station %s\n", id, len(h), last.Grid.Population, last.Grid.StationID)
	}
	entries, err := f.store.Assessment(ctx, "", "")
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		fmt.Fprintf(&b, "%s %s %v by %s at %s\n", e.StationID, e.Month, e.Familiarity, e.UpdatedBy, e.UpdatedAt)
	}
	return b.String()
}

// propose saves a proposal as alice and returns its id.
func (f *answerFixture) propose(t *testing.T, seed int) planning.Document {
	t.Helper()
	rec := f.send("alice", http.MethodPost, "/api/v1/plan/plans", "", fmt.Sprintf(`{"seed": %d}`, seed))
	if rec.Code != http.StatusOK {
		t.Fatalf("propose: %d %s", rec.Code, rec.Body)
	}
	var doc planning.Document
	decodeJSON(t, rec, &doc)
	return doc
}

// TestKeyedWritesAnswerOnce: for every write a client may retry across a
// failover, the same key and request again is answered with the first
// status and body and writes nothing; another request under the key is a
// 409 naming it; another user's key of the same name is theirs alone.
func TestKeyedWritesAnswerOnce(t *testing.T) {
	type route struct {
		name            string
		method, path    string
		body            string
		otherPath       string // the other request under the same key
		otherBody       string
		bobStatus       int // bob's answer sending the other request under alice's key
		bobWrites       bool
		grids           func(f *answerFixture) []string
		prepare         func(t *testing.T, f *answerFixture, r *route)
		afterFirstByBob func(t *testing.T, f *answerFixture) // a write by someone else between the tries
	}
	grid := func(f *answerFixture) []string { return []string{f.live.Load().Dataset().Grids[0].ID} }
	routes := []route{
		{
			name: "grid edit", method: http.MethodPut,
			body: `{"type":"Feature","properties":{"population":4321}}`, otherBody: `{"type":"Feature","properties":{"population":1234}}`,
			bobStatus: http.StatusOK, bobWrites: true, grids: grid,
			prepare: func(t *testing.T, f *answerFixture, r *route) {
				r.path = "/api/v1/grids/" + grid(f)[0]
				r.otherPath = r.path
			},
			afterFirstByBob: func(t *testing.T, f *answerFixture) {
				if rec := f.send("bob", http.MethodPut, "/api/v1/grids/"+grid(f)[0], "", `{"type":"Feature","properties":{"population":99}}`); rec.Code != http.StatusOK {
					t.Fatalf("bob's edit: %d %s", rec.Code, rec.Body)
				}
			},
		},
		{
			name: "plan apply", method: http.MethodPost, body: `{}`, otherBody: `{}`,
			bobStatus: http.StatusConflict, grids: func(f *answerFixture) []string { return nil },
			prepare: func(t *testing.T, f *answerFixture, r *route) {
				a, b := f.propose(t, 1), f.propose(t, 2)
				r.path, r.otherPath = "/api/v1/plan/plans/"+a.ID+"/apply", "/api/v1/plan/plans/"+b.ID+"/apply"
				r.grids = func(*answerFixture) []string { return a.ChangedGrids }
			},
		},
		{
			name: "assessment entries", method: http.MethodPut, path: "/api/v1/assessment/entries",
			body:      `{"entries": [{"station": "s01", "month": "2026-04", "familiarity": {"numerator": 40, "denominator": 50}}]}`,
			otherPath: "/api/v1/assessment/entries",
			otherBody: `{"entries": [{"station": "s01", "month": "2026-04", "familiarity": {"numerator": 41, "denominator": 50}}]}`,
			bobStatus: http.StatusOK, bobWrites: true, grids: func(*answerFixture) []string { return nil },
			afterFirstByBob: func(t *testing.T, f *answerFixture) {
				if rec := f.send("bob", http.MethodPut, "/api/v1/assessment/entries", "", `{"entries": [{"station": "s01", "month": "2026-04", "familiarity": {"numerator": 7, "denominator": 50}}]}`); rec.Code != http.StatusOK {
					t.Fatalf("bob's entries: %d %s", rec.Code, rec.Body)
				}
			},
		},
		{
			name: "assessment import", method: http.MethodPost, path: "/api/v1/assessment/import",
			body:      "派出所,月份,熟悉率分子,熟悉率分母\ns02,2026-05,30,60\n",
			otherPath: "/api/v1/assessment/import", otherBody: "派出所,月份,熟悉率分子,熟悉率分母\ns02,2026-05,31,60\n",
			bobStatus: http.StatusOK, bobWrites: true, grids: func(*answerFixture) []string { return nil },
		},
	}
	for _, r := range routes {
		t.Run(r.name, func(t *testing.T) {
			f := newAnswerFixture(t)
			if r.prepare != nil {
				r.prepare(t, f, &r)
			}
			const key = "retry-7f3a"
			before := f.state(t, r.grids(f)...)
			first := f.send("alice", r.method, r.path, key, r.body)
			if first.Code != http.StatusOK {
				t.Fatalf("first: %d %s", first.Code, first.Body)
			}
			written := f.state(t, r.grids(f)...)
			if written == before {
				t.Fatalf("the first request wrote nothing:\n%s", written)
			}
			if r.afterFirstByBob != nil {
				r.afterFirstByBob(t, f)
				written = f.state(t, r.grids(f)...)
			}
			again := f.send("alice", r.method, r.path, key, r.body)
			if again.Code != first.Code || again.Body.String() != first.Body.String() || again.Header().Get("Content-Type") != first.Header().Get("Content-Type") {
				t.Errorf("the retry answered %d %s %s\nwant the first answer %d %s %s", again.Code, again.Header().Get("Content-Type"), again.Body,
					first.Code, first.Header().Get("Content-Type"), first.Body)
			}
			if now := f.state(t, r.grids(f)...); now != written {
				t.Errorf("the retry wrote again:\nbefore %s\nafter  %s", written, now)
			}
			p := expectProblem(t, f.send("alice", r.method, r.otherPath, key, r.otherBody), http.StatusConflict)
			if !strings.Contains(p.Detail, key) {
				t.Errorf("another request under the key: %q, want the key named", p.Detail)
			}
			if now := f.state(t, r.grids(f)...); now != written {
				t.Errorf("a refused request under a used key wrote:\n%s", now)
			}
			bob := f.send("bob", r.method, r.otherPath, key, r.otherBody)
			if bob.Code != r.bobStatus || strings.Contains(bob.Body.String(), key) {
				t.Fatalf("bob under alice's key: %d %s, want %d and his own answer", bob.Code, bob.Body, r.bobStatus)
			}
			if now := f.state(t, r.grids(f)...); (now != written) != r.bobWrites {
				t.Errorf("bob under alice's key: wrote %t, want %t", now != written, r.bobWrites)
			}
		})
	}
}

// TestKeyedPlanApplyRetriedAfterItsAnswerWasLost is the failover case: the
// first apply committed but its answer never reached the client; the retry
// gets the same answer, not "applied already", and the plan was applied
// once.
func TestKeyedPlanApplyRetriedAfterItsAnswerWasLost(t *testing.T) {
	f := newAnswerFixture(t)
	doc := f.propose(t, 1)
	path := "/api/v1/plan/plans/" + doc.ID + "/apply"
	first := f.send("alice", http.MethodPost, path, "apply-once", "")
	if first.Code != http.StatusOK {
		t.Fatalf("apply: %d %s", first.Code, first.Body)
	}
	var res planning.ApplyResult
	if err := json.Unmarshal(first.Body.Bytes(), &res); err != nil || len(res.Grids) == 0 {
		t.Fatalf("apply answer: %v %s", err, first.Body)
	}
	again := f.send("alice", http.MethodPost, path, "apply-once", "")
	if again.Code != http.StatusOK || again.Body.String() != first.Body.String() {
		t.Errorf("retry: %d %s, want the first answer", again.Code, again.Body)
	}
	if h, err := f.store.GridHistory(context.Background(), res.Grids[0].GridID); err != nil || len(h) != 2 {
		t.Errorf("grid %s after a retried apply: %d versions, %v; want 2", res.Grids[0].GridID, len(h), err)
	}
	expectProblem(t, f.send("alice", http.MethodPost, path, "", ""), http.StatusConflict)
}

// A malformed key is refused before anything is written.
func TestAnswerKeyMustBePrintable(t *testing.T) {
	f := newAnswerFixture(t)
	before := f.state(t)
	p := expectProblem(t, f.send("alice", http.MethodPut, "/api/v1/assessment/entries", "a key", `{"entries": [{"station": "s01", "month": "2026-04"}]}`), http.StatusBadRequest)
	if len(p.InvalidParams) != 1 || p.InvalidParams[0].Name != headerIdempotencyKey {
		t.Errorf("problem %+v, want the header named", p)
	}
	if f.state(t) != before {
		t.Error("a refused key wrote the entries")
	}
}
