package api

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"jingge/api/apitest"
	"jingge/api/auth"
	"jingge/api/incidents"
	"jingge/api/prevention"
	"jingge/data"
)

// The edges of a window given as dates, from=2026-05-01&to=2026-05-07 in
// China time (the small dataset's zone): the first instant of the 1st and
// the last of the 7th are in, the last instant of 30 April and the first
// of the 8th out. Each is an incident of its own category.
var dateEdges = []struct {
	at       string
	category string
	in       bool
}{
	{"2026-04-30T23:59:59.9+08:00", "fire", false},
	{"2026-05-01T00:00:00+08:00", "criminal", true},
	{"2026-05-07T23:59:59.9+08:00", "traffic", true},
	{"2026-05-08T00:00:00+08:00", "other", false},
}

// wantInWindow is the categories of dateEdges inside the window.
func wantInWindow() []string {
	var out []string
	for _, e := range dateEdges {
		if e.in {
			out = append(out, e.category)
		}
	}
	slices.Sort(out)
	return out
}

// TestIncidentWindowOfDatesHoldsItsLastDay checks that the incident list,
// its aggregate and the OGC items read to= as a whole day: the last
// instant of the 7th in, the first of the 8th out.
func TestIncidentWindowOfDatesHoldsItsLastDay(t *testing.T) {
	s := newTestServer(t, nil, Config{})
	var items []string
	for _, e := range dateEdges {
		items = append(items, fmt.Sprintf(`{"occurred_at":%q,"category":%q,"location":%s}`, e.at, e.category, pos(apitest.InCommunity)))
	}
	if rec := serve(t, s.Handler(), http.MethodPost, "/api/v1/incidents", `{"incidents":[`+strings.Join(items, ",")+`]}`); rec.Code != http.StatusCreated {
		t.Fatalf("seeding: %d %s", rec.Code, rec.Body.String())
	}
	want := wantInWindow()

	var list IncidentCollection
	decodeJSON(t, serve(t, s.Handler(), http.MethodGet, "/api/v1/incidents?from=2026-05-01&to=2026-05-07", ""), &list)
	var got []string
	for _, f := range list.Features {
		got = append(got, string(f.Properties.Category))
	}
	slices.Sort(got)
	if !slices.Equal(got, want) {
		t.Errorf("list from=2026-05-01&to=2026-05-07: %v, want %v", got, want)
	}

	var agg incidents.AggregateResponse
	decodeJSON(t, serve(t, s.Handler(), http.MethodGet, "/api/v1/incidents/aggregate?group_by=station&bucket=day&from=2026-05-01&to=2026-05-07", ""), &agg)
	got = nil
	for _, r := range agg.Rows {
		for c, n := range r.Counts {
			for range n {
				got = append(got, c)
			}
		}
	}
	slices.Sort(got)
	if !slices.Equal(got, want) {
		t.Errorf("aggregate: %v (%+v), want %v", got, agg.Rows, want)
	}

	for target, want := range map[string][]string{
		"datetime=2026-05-01/2026-05-07": want,
		"datetime=2026-05-07":            {"traffic"},
		"datetime=../2026-04-30":         {"fire"},
	} {
		var fc struct {
			Features []struct{ Properties struct{ Category string } }
		}
		getOGC(t, s, "/ogc/collections/incidents/items?"+target, &fc)
		got = nil
		for _, f := range fc.Features {
			got = append(got, f.Properties.Category)
		}
		slices.Sort(got)
		if !slices.Equal(got, want) {
			t.Errorf("OGC %s: %v, want %v", target, got, want)
		}
	}
}

// TestVisitWindowOfDatesHoldsItsLastDay checks that the visit list reads
// to= as a whole day; visits are recorded within 30 days, so the days
// are some days before today.
func TestVisitWindowOfDatesHoldsItsLastDay(t *testing.T) {
	s := newTestServer(t, nil, Config{})
	zone := s.zone()
	y, m, d := time.Now().In(zone).Date()
	last := time.Date(y, m, d-5, 0, 0, 0, 0, zone) // the window's last day
	first := last.AddDate(0, 0, -2)
	edges := []struct {
		at time.Time
		in bool
	}{
		{first.Add(-100 * time.Millisecond), false},
		{first, true},
		{last.AddDate(0, 0, 1).Add(-100 * time.Millisecond), true},
		{last.AddDate(0, 0, 1), false},
	}
	var want []string
	for _, e := range edges {
		at := e.at.Format(time.RFC3339Nano)
		rec := serve(t, s.Handler(), http.MethodPost, "/api/v1/visits", visitJSON(apitest.InCommunity[0], apitest.InCommunity[1], `,"officer":"m1","kind":"visit","at":"`+at+`"`))
		if rec.Code != http.StatusCreated {
			t.Fatalf("visit at %s: %d %s", at, rec.Code, rec.Body.String())
		}
		if e.in {
			want = append(want, e.at.UTC().Format(time.RFC3339Nano))
		}
	}
	for _, q := range []string{
		"from=" + first.Format(time.DateOnly) + "&to=" + last.Format(time.DateOnly),
		"from=" + url.QueryEscape(first.Format(time.RFC3339)) + "&to=" + last.Format(time.DateOnly),
	} {
		var list visitCollectionJSON
		decodeJSON(t, serve(t, s.Handler(), http.MethodGet, "/api/v1/visits?"+q, ""), &list)
		var got []string
		for _, f := range list.Features {
			at, err := time.Parse(time.RFC3339Nano, f.Properties.At)
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, at.UTC().Format(time.RFC3339Nano))
		}
		slices.Sort(got)
		if !slices.Equal(got, want) {
			t.Errorf("visits %s: %v, want %v", q, got, want)
		}
	}
	var one visitCollectionJSON
	decodeJSON(t, serve(t, s.Handler(), http.MethodGet, "/api/v1/visits?from="+last.Format(time.DateOnly)+"&to="+last.Format(time.DateOnly), ""), &one)
	if one.NumberReturned != 1 {
		t.Errorf("from and to the same day: %d visits, want the one of that day", one.NumberReturned)
	}
}

// TestTrackWindowOfDatesHoldsItsLastDay checks that a track's to= read as a
// date holds that whole day, and from= its first instant.
func TestTrackWindowOfDatesHoldsItsLastDay(t *testing.T) {
	s, _ := newPatrolServer(t, PatrolOptions{}) // now is 1 May 2025, 16:00 China time
	var pings []string
	var want []string
	for _, e := range []struct {
		at string
		in bool
	}{
		{"2025-04-28T23:59:59.9+08:00", false},
		{"2025-04-29T00:00:00+08:00", true},
		{"2025-04-30T23:59:59.9+08:00", true},
		{"2025-05-01T00:00:00+08:00", false},
	} {
		pings = append(pings, fmt.Sprintf(`{"officer":"m1","at":%q,"lon":%v,"lat":%v}`, e.at, apitest.InCommunity[0], apitest.InCommunity[1]))
		if e.in {
			at, _ := time.Parse(time.RFC3339Nano, e.at)
			want = append(want, at.UTC().Format(time.RFC3339Nano))
		}
	}
	postPings(t, s, pingBody(pings...), http.StatusOK)
	var fc struct {
		Features []struct {
			Geometry   struct{ Type string }
			Properties map[string]any
		}
	}
	decodeJSON(t, serve(t, s.Handler(), http.MethodGet, "/api/v1/patrols/m1/track?from=2025-04-29&to=2025-04-30", ""), &fc)
	var got []string
	for _, f := range fc.Features {
		if f.Geometry.Type != "Point" {
			continue
		}
		at, err := time.Parse(time.RFC3339Nano, fmt.Sprint(f.Properties["at"]))
		if err != nil {
			t.Fatalf("point at %v: %v", f.Properties["at"], err)
		}
		got = append(got, at.UTC().Format(time.RFC3339Nano))
	}
	slices.Sort(got)
	if !slices.Equal(got, want) {
		t.Errorf("track from=2025-04-29&to=2025-04-30: points at %v, want %v", got, want)
	}
}

// TestPresenceWindowOfDatesHoldsItsLastDay checks that a presence report's
// to= read as a date holds that whole day: one date for both ends is that
// day, which the report's period says.
func TestPresenceWindowOfDatesHoldsItsLastDay(t *testing.T) {
	s := presenceServer(t) // m5 (station B) patrols from 16:00 on 30 April, China time
	zone := s.zone()
	for _, c := range []struct {
		day     string
		officer string
	}{
		{"2025-04-30", "m5"},
		{"2025-04-29", ""},
	} {
		var rep prevention.Report
		decodeJSON(t, serve(t, s.Handler(), http.MethodGet, "/api/v1/presence?station="+apitest.StationB+"&from="+c.day+"&to="+c.day, ""), &rep)
		day, _ := time.ParseInLocation(time.DateOnly, c.day, zone)
		if !rep.From.Equal(day) || !rep.To.Equal(day.AddDate(0, 0, 1)) {
			t.Errorf("%s: the period is %s to %s, want that whole day", c.day, rep.From, rep.To)
		}
		var got []string
		for _, o := range rep.Officers {
			got = append(got, o.Officer)
		}
		if want := slices.DeleteFunc([]string{c.officer}, func(s string) bool { return s == "" }); !slices.Equal(got, want) {
			t.Errorf("%s: officers %v, want %v", c.day, got, want)
		}
	}
}

// TestAuditWindowOfDatesHoldsItsLastDay checks that the audit log's
// since= and until= read dates as every other window: until= a date holds
// that whole day.
func TestAuditWindowOfDatesHoldsItsLastDay(t *testing.T) {
	f := newAuthFixture(t, Access{})
	var entries []data.AuditEntry
	for _, e := range dateEdges {
		at, err := time.Parse(time.RFC3339Nano, e.at)
		if err != nil {
			t.Fatal(err)
		}
		entries = append(entries, data.AuditEntry{At: at, Actor: "admin1", Action: e.category, Method: "GET", Target: "/"})
	}
	if err := f.store.AppendAudit(context.Background(), entries); err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{"since=2026-05-01&until=2026-05-07", "since=2026-05-01T00:00:00%2B08:00&until=2026-05-07"} {
		rec := f.do(t, "GET", "/api/v1/audit?"+q, "", bearer(f.tokens[data.RoleAdmin])...)
		var resp auth.AuditResponse
		if err := json.Unmarshal(rec.Body.Bytes(), &resp); rec.Code != http.StatusOK || err != nil {
			t.Fatalf("GET audit?%s: %d %s", q, rec.Code, rec.Body)
		}
		var got []string
		for _, e := range resp.Entries {
			got = append(got, e.Action)
		}
		slices.Sort(got)
		if want := wantInWindow(); !slices.Equal(got, want) {
			t.Errorf("audit %s: %v, want %v", q, got, want)
		}
	}
}
