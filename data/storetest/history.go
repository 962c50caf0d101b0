package storetest

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"jingge/data"
	"jingge/geo"
	"jingge/geo/patrol"
)

// HistoryStore is a store that keeps every ping, event and audit entry
// until `jingge prune` removes what it may (pings only): PostGIS, and the
// embedded store in a data directory, whatever it keeps in memory.
type HistoryStore interface {
	data.PatrolStore
	data.AuditLog
}

// HistoryOpener returns a new, empty history store isolated from every
// other, closed when the test ends.
type HistoryOpener func(t *testing.T) HistoryStore

// RunHistory runs the history suite: old pings, events and audit entries
// are answered as new ones are, in the same order, however far back.
func RunHistory(t *testing.T, open HistoryOpener, parallel bool) {
	cases := []struct {
		name string
		fn   func(t *testing.T, st HistoryStore)
	}{
		{"TrackOfADayOlderThanTheMemoryWindow", testOldDayTrack},
		{"EventsResumeFromTheFirstAfterManyMore", testOldEvents},
		{"AuditEntriesFarBackAreListed", testOldAudit},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if parallel {
				t.Parallel()
			}
			c.fn(t, open(t))
		})
	}
}

// testOldDayTrack records the pings of three days, oldest first, and
// reads a track of each day and across them.
func testOldDayTrack(t *testing.T, st HistoryStore) {
	f := newPatrolFixture(t, st)
	days := []time.Time{f.t0.Add(-72 * time.Hour), f.t0.Add(-48 * time.Hour), f.t0}
	officers := []string{officer(0, 0), officer(1, 1)}
	want := map[string][]geo.Ping{}
	for d, start := range days {
		var batch []geo.Ping
		for i := range 12 {
			for k, o := range officers {
				p := f.ping(o, float64(i*10), (i+k)%3, k)
				p.At = start.Add(time.Duration(i*10) * time.Second)
				batch = append(batch, p)
				want[o] = append(want[o], p)
			}
		}
		f.record(t, fmt.Sprintf("day-%d", d), batch...)
	}
	check := func(name string, got []geo.Ping, want []geo.Ping) {
		t.Helper()
		if len(got) != len(want) {
			t.Fatalf("%s: %d pings, want %d", name, len(got), len(want))
		}
		for i := range got {
			if !samePing(got[i], want[i]) {
				t.Fatalf("%s: ping %d = %+v, want %+v", name, i, got[i], want[i])
			}
		}
	}
	for _, o := range officers {
		got, truncated := f.track(t, o, days[0], days[0].Add(24*time.Hour), -1)
		check("the oldest day of "+o, got, want[o][:12])
		if truncated {
			t.Errorf("the oldest day of %s: truncated", o)
		}
		got, _ = f.track(t, o, days[1].Add(20*time.Second), days[1].Add(50*time.Second), 100)
		check("three pings of the middle day of "+o, got, want[o][14:17])
		got, _ = f.track(t, o, days[0], f.t0.Add(time.Hour), -1)
		check("three days of "+o, got, want[o])
		got, truncated = f.track(t, o, days[0].Add(time.Minute), f.t0.Add(time.Hour), 20)
		check("20 pings from the first day's seventh of "+o, got, want[o][6:26])
		if !truncated {
			t.Errorf("20 pings of %d: not truncated", len(want[o])-6)
		}
	}
}

// testOldEvents makes many more events than a memory window holds and
// reads them all back, at once and page by page, from the first.
func testOldEvents(t *testing.T, st HistoryStore) {
	f := newPatrolFixture(t, st)
	ctx := context.Background()
	o := officer(0, 0)
	var all []patrol.Event
	for i := range 30 {
		res := f.record(t, "", f.ping(o, float64(2*i), 0, 0), f.ping(o, float64(2*i+1), 1, 0))
		all = append(all, res.Events...)
	}
	if len(all) < 100 {
		t.Fatalf("only %d events were made", len(all))
	}
	same := func(name string, got []patrol.Event, want []patrol.Event) {
		t.Helper()
		if len(got) != len(want) {
			t.Fatalf("%s: %d events, want %d", name, len(got), len(want))
		}
		for i := range got {
			e, w := got[i], want[i]
			if e.ID != w.ID || e.Kind != w.Kind || e.Officer != w.Officer || !e.At.Equal(w.At) || e.GridID != w.GridID {
				t.Fatalf("%s: event %d = %+v, want %+v", name, i, e, w)
			}
		}
	}
	got, err := st.EventsAfter(ctx, 0, 1000)
	if err != nil {
		t.Fatal(err)
	}
	same("every event", got, all)
	var paged []patrol.Event
	for after := int64(0); ; {
		page, err := st.EventsAfter(ctx, after, 7)
		if err != nil {
			t.Fatal(err)
		}
		if len(page) == 0 {
			break
		}
		paged = append(paged, page...)
		after = page[len(page)-1].ID
	}
	same("every event, 7 at a time", paged, all)
	got, err = st.EventsAfter(ctx, all[4].ID, 3)
	if err != nil {
		t.Fatal(err)
	}
	same("3 after the fifth", got, all[5:8])
	if h, ok := st.(data.EventHorizon); ok {
		if id, err := h.OldestEventID(ctx); err != nil || id > all[0].ID {
			t.Errorf("OldestEventID = %d, %v; the first event %d is kept", id, err, all[0].ID)
		}
	}
}

// testOldAudit appends many more entries than a memory window holds and
// lists them all, by pages and by every filter.
func testOldAudit(t *testing.T, st HistoryStore) {
	ctx := context.Background()
	var all []data.AuditEntry
	for b := range 25 {
		var batch []data.AuditEntry
		for i := range 100 {
			n := b*100 + i
			actor, action := "a", "lookupPoint"
			if n%3 == 0 {
				actor = "b"
			}
			if n%5 == 0 {
				action = "postPings"
			}
			batch = append(batch, data.AuditEntry{At: at.Add(time.Duration(n) * time.Second), Actor: actor, Role: data.RoleOfficer,
				Action: action, Method: "GET", Target: fmt.Sprintf("/api/v1/lookup?n=%d", n), RequestID: fmt.Sprintf("r%d", n), Status: 200})
		}
		if err := st.AppendAudit(ctx, batch); err != nil {
			t.Fatal(err)
		}
		all = append(all, batch...)
	}
	slices.Reverse(all) // newest first, as listed
	list := func(q data.AuditQuery) []data.AuditEntry {
		t.Helper()
		var out []data.AuditEntry
		for {
			q.Limit = 1000
			page, err := st.QueryAudit(ctx, q)
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, page...)
			if len(page) < q.Limit {
				return out
			}
			q.Before = page[len(page)-1].Seq
		}
	}
	check := func(name string, q data.AuditQuery, keep func(n int, e data.AuditEntry) bool) {
		t.Helper()
		var want []string
		for i, e := range all {
			if keep(len(all)-1-i, e) {
				want = append(want, e.RequestID)
			}
		}
		var got []string
		for _, e := range list(q) {
			got = append(got, e.RequestID)
		}
		if !slices.Equal(got, want) {
			t.Errorf("%s: %d entries, want %d (first %v, want %v)", name, len(got), len(want), got[:min(3, len(got))], want[:min(3, len(want))])
		}
	}
	check("every entry", data.AuditQuery{}, func(int, data.AuditEntry) bool { return true })
	check("actor b", data.AuditQuery{Actor: "b"}, func(_ int, e data.AuditEntry) bool { return e.Actor == "b" })
	check("action postPings of a", data.AuditQuery{Actor: "a", Action: "postPings"}, func(_ int, e data.AuditEntry) bool {
		return e.Actor == "a" && e.Action == "postPings"
	})
	check("the first minute", data.AuditQuery{Since: at.Add(10 * time.Second), Until: at.Add(70 * time.Second)}, func(n int, _ data.AuditEntry) bool {
		return n >= 10 && n < 70
	})
	entries := list(data.AuditQuery{})
	if len(entries) != len(all) {
		t.Fatalf("%d entries, want %d", len(entries), len(all))
	}
	oldest := entries[len(entries)-1]
	if oldest.RequestID != "r0" || oldest.Target != "/api/v1/lookup?n=0" || !oldest.At.Equal(at) {
		t.Errorf("the oldest entry = %+v", oldest)
	}
	page, err := st.QueryAudit(ctx, data.AuditQuery{Before: entries[len(entries)-5].Seq, Limit: 3})
	if err != nil || len(page) != 3 || page[0].RequestID != "r3" || page[2].RequestID != "r1" {
		t.Errorf("3 before the fifth oldest: %+v, %v", page, err)
	}
}
