package api

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"jingge/api/apitest"
	"jingge/api/patrolling"
	"jingge/api/patrolling/webhook/webhooktest"
	"jingge/geo/patrol"
	"jingge/geo/presence"
)

// unvisitedHooks waits until the webhook has delivered n grid_unvisited
// events in all and returns them.
func unvisitedHooks(t *testing.T, rc *webhooktest.Receiver, n int) []patrolling.Event {
	t.Helper()
	deadline := time.After(20 * time.Second)
	for {
		var got []patrolling.Event
		for _, h := range rc.Received() {
			var body patrolling.WebhookBody
			if err := json.Unmarshal(h.Body, &body); err != nil {
				t.Fatalf("webhook body %s: %v", h.Body, err)
			}
			for _, e := range body.Events {
				if e.Kind == patrol.GridUnvisited {
					got = append(got, e)
				}
			}
		}
		if len(got) >= n {
			return got
		}
		select {
		case <-rc.Arrived():
		case <-deadline:
			t.Fatalf("%d grid_unvisited events by webhook, want %d", len(got), n)
		}
	}
}

// TestGridUnvisitedRaisedOnceUntilAVisit: police grids A and B, visited
// by their own officers six days before testNow, are raised once each
// when the visit is seven days old, on the stream and by webhook; later
// sweeps raise nothing, and a recorded visit to A lets A be raised again
// seven days after it, not before.
func TestGridUnvisitedRaisedOnceUntilAVisit(t *testing.T) {
	rc := webhooktest.NewReceiver(t)
	var mu sync.Mutex
	now := testNow
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	setClock := func(t time.Time) { mu.Lock(); now = t; mu.Unlock() }
	s, _ := newPatrolServer(t, PatrolOptions{Webhooks: fastHooks(rc.URL()), SilentAfter: -1, SweepInterval: 10 * time.Millisecond, Now: clock})
	var pings []string
	for i := range 20 {
		pings = append(pings, pingJSON("m1", -6*24*3600+60*i, apitest.InCommunity, ""), pingJSON("m5", -6*24*3600+60*i, apitest.InPoliceOnly, ""))
	}
	postPings(t, s, pingBody(pings...), http.StatusOK)
	ls := startLive(t, s, nil)
	stream := openStream(t, ls.URL, "")
	setClock(testNow.Add(25 * time.Hour)) // a week and 40 minutes after the visits ended
	got := unvisitedHooks(t, rc, 2)
	if len(got) != 2 || got[0].Officer != "" || got[0].PoliceGrid == got[1].PoliceGrid || got[0].GridName == "" {
		t.Fatalf("webhook events %+v; want one grid_unvisited for each police grid, without officer", got)
	}
	// The last ping, at 19 minutes, stands for the maximum gap.
	visitEnd := testNow.Add(-6*24*time.Hour + 19*time.Minute + presence.DefaultMaxGap)
	for _, e := range got {
		if !e.At.Equal(visitEnd.Add(7 * 24 * time.Hour)) {
			t.Errorf("event %+v at %s, want the visit's end + 7 days", e, e.At)
		}
	}
	var onStream int
	for onStream < 2 {
		ev, ok := stream.next(20 * time.Second)
		if !ok {
			t.Fatalf("the stream carried %d grid_unvisited events, want 2", onStream)
		}
		if strings.Contains(ev.data, `"kind":"grid_unvisited"`) {
			onStream++
		}
	}

	// The rest sweeps by hand, with the server's own sweeps stopped.
	ls.cancel()
	<-ls.done
	ctx := context.Background()
	ix := s.live.Load()
	setClock(testNow.Add(48 * time.Hour))
	if evs := s.patrols.RaiseUnvisited(ctx, ix); len(evs) != 0 {
		t.Errorf("a later sweep raised %+v; want nothing until a visit", evs)
	}
	visitAt := testNow.Add(49 * time.Hour)
	body := visitJSON(apitest.InCommunity[0], apitest.InCommunity[1], `,"officer":"m1","kind":"visit","at":"`+visitAt.Format(time.RFC3339)+`"`)
	setClock(visitAt.Add(time.Minute))
	if rec := serveWith(t, s, http.MethodPost, "/api/v1/visits", body); rec.Code != http.StatusCreated {
		t.Fatalf("recording a visit: %d %s", rec.Code, rec.Body.String())
	}
	setClock(visitAt.Add(6 * 24 * time.Hour))
	if evs := s.patrols.RaiseUnvisited(ctx, ix); len(evs) != 0 {
		t.Errorf("six days after the recorded visit: %+v; want nothing", evs)
	}
	setClock(visitAt.Add(7 * 24 * time.Hour))
	evs := s.patrols.RaiseUnvisited(ctx, ix)
	if len(evs) != 1 || evs[0].PoliceGridID != apitest.PoliceA || !evs[0].At.Equal(visitAt.Add(7*24*time.Hour)) {
		t.Errorf("seven days after the recorded visit: %+v; want grid A raised again", evs)
	}
}
