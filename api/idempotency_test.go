package api

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"jingge/api/apitest"
	"jingge/api/patrolling"
	"jingge/data"
	"jingge/data/memory"
)

// keyFixture is a server with access control, an officer linked to m1 and
// two admins (a GPS gateway and an incident console), each with a token.
type keyFixture struct {
	s      *Server
	tokens map[string]string // user name -> token
}

func newKeyFixture(t *testing.T) *keyFixture {
	t.Helper()
	ctx := context.Background()
	auth := memory.NewAuth(0)
	f := &keyFixture{tokens: map[string]string{}}
	for _, u := range []data.User{
		{Name: "officer7", Role: data.RoleOfficer, OfficerID: "m1"},
		{Name: "gateway", Role: data.RoleAdmin},
		{Name: "console", Role: data.RoleAdmin},
	} {
		if err := auth.CreateUser(ctx, u); err != nil {
			t.Fatal(err)
		}
		secret, hash, id := data.NewSecret(data.KindToken)
		if err := auth.CreateCredential(ctx, data.Credential{ID: id, Kind: data.KindToken, UserName: u.Name, Hash: hash}); err != nil {
			t.Fatal(err)
		}
		f.tokens[u.Name] = secret
	}
	now := func() time.Time { return testNow }
	f.s = newTestServer(t, nil, Config{
		Patrols:       memory.NewPatrols(memory.PatrolOptions{Now: now, Retention: 365 * 24 * time.Hour}),
		PatrolOptions: PatrolOptions{Now: now},
		Access:        &Access{Store: auth},
	})
	return f
}

// post sends body to path as user under key.
func (f *keyFixture) post(user, path, key, body string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(http.MethodPost, path, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+f.tokens[user])
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(headerIdempotencyKey, key)
	rec := httptest.NewRecorder()
	f.s.Handler().ServeHTTP(rec, req)
	return rec
}

// An officer who posts under the key the gateway will use for the same
// officer does not make the gateway's batch fail or be taken for a replay.
func TestPingKeysAreScopedToTheCaller(t *testing.T) {
	f := newKeyFixture(t)
	const key = "device-M00002-0042"
	officer := pingBody(pingJSON("m1", 0, apitest.InCommunity, ""))
	if rec := f.post("officer7", "/api/v1/patrols/pings", key, officer); rec.Code != http.StatusOK {
		t.Fatalf("the officer's ping: %d %s", rec.Code, rec.Body)
	}
	gateway := pingBody(pingJSON("m1", 5, apitest.InCommunityB, ""), pingJSON("m1", 10, apitest.InCommunity, ""))
	rec := f.post("gateway", "/api/v1/patrols/pings", key, gateway)
	if rec.Code != http.StatusOK {
		t.Fatalf("the gateway's batch under the officer's key: %d %s", rec.Code, rec.Body)
	}
	var resp patrolling.PingResponse
	decodeJSON(t, rec, &resp)
	if resp.Replayed || resp.Accepted != 2 || len(resp.Events) == 0 {
		t.Errorf("the gateway's batch: %+v; want it stored", resp)
	}
	rec = f.post("gateway", "/api/v1/patrols/pings", key, gateway)
	decodeJSON(t, rec, &resp)
	if rec.Code != http.StatusOK || !resp.Replayed {
		t.Errorf("the gateway's batch again: %d %+v; want a replay", rec.Code, resp)
	}
	// The same caller's key with another body: a 409 that says why.
	p := expectProblem(t, f.post("officer7", "/api/v1/patrols/pings", key, pingBody(pingJSON("m1", 20, apitest.InCommunity, ""))), http.StatusConflict)
	if !strings.Contains(p.Detail, key) || !strings.Contains(p.Detail, "first used at "+testNow.UTC().Format(time.RFC3339)) || !strings.Contains(p.Detail, "different body") {
		t.Errorf("conflict: %q; want the key, when it was first used and why", p.Detail)
	}
}

// Two admins' incident batches under one key are two batches.
func TestIncidentKeysAreScopedToTheCaller(t *testing.T) {
	f := newKeyFixture(t)
	const key = "console-7:0001"
	first := `{"incidents":[` + incidentJSONAt(apitest.InCommunity, "") + `]}`
	if rec := f.post("console", "/api/v1/incidents", key, first); rec.Code != http.StatusCreated {
		t.Fatalf("the console's batch: %d %s", rec.Code, rec.Body)
	}
	second := `{"incidents":[` + incidentJSONAt(apitest.InCommunityB, "") + `,` + incidentJSONAt(apitest.InCommunity, "") + `]}`
	rec := f.post("gateway", "/api/v1/incidents", key, second)
	var out CreatedIncidents
	decodeJSON(t, rec, &out)
	if rec.Code != http.StatusCreated || out.Replayed || out.Count != 2 {
		t.Errorf("the gateway's batch under the console's key: %d %+v; want it stored", rec.Code, out)
	}
	p := expectProblem(t, f.post("console", "/api/v1/incidents", key, second), http.StatusConflict)
	if !strings.Contains(p.Detail, key) || !strings.Contains(p.Detail, "first used at") {
		t.Errorf("conflict: %q; want the key and when it was first used", p.Detail)
	}
}
