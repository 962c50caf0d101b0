package patrol

import (
	"testing"
	"time"
)

func TestUnvisitedIsDueOncePerAbsence(t *testing.T) {
	r := testRules(t)
	const day = 24 * time.Hour
	after := 7 * day
	visit := t0
	var zero time.Time
	cases := []struct {
		name            string
		grid            string
		last, raised    time.Time
		now             time.Time
		want            bool
		wantAt          time.Time
		wantStation     string
		wantPoliceGrid  string
		wantEmptyOfficr bool
	}{
		{name: "visited recently", grid: "P1", last: visit, now: visit.Add(after - time.Second)},
		{name: "absence reaches the threshold", grid: "P1", last: visit, now: visit.Add(after), want: true, wantAt: visit.Add(after)},
		{name: "noticed late keeps the threshold time", grid: "P1", last: visit, now: visit.Add(30 * day), want: true, wantAt: visit.Add(after)},
		{name: "already raised for this absence", grid: "P1", last: visit, raised: visit.Add(after), now: visit.Add(30 * day)},
		{name: "a visit after the event resets it", grid: "P1", last: visit.Add(8 * day), raised: visit.Add(after), now: visit.Add(15 * day), want: true, wantAt: visit.Add(15 * day)},
		{name: "no visit known", grid: "P2", now: visit, want: true, wantAt: visit},
		{name: "no visit known, raised before", grid: "P2", raised: visit, now: visit.Add(30 * day)},
		{name: "an older visit than the event raises nothing", grid: "P2", last: visit.Add(-day), raised: visit, now: visit.Add(30 * day)},
		{name: "community grid", grid: "C1", now: visit},
		{name: "unknown grid", grid: "nope", now: visit},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ev, ok := r.Unvisited(c.grid, c.last, c.raised, c.now, after)
			if ok != c.want {
				t.Fatalf("due = %v, want %v", ok, c.want)
			}
			if !ok {
				return
			}
			if ev.Kind != GridUnvisited || ev.Officer != "" || ev.GridID != c.grid || ev.PoliceGridID != c.grid || !ev.At.Equal(c.wantAt) {
				t.Errorf("event %+v; want grid_unvisited of %s at %s, no officer", ev, c.grid, c.wantAt)
			}
			if ev.StationID == "" || ev.Location == [2]float64{} {
				t.Errorf("event %+v has no station or location", ev)
			}
		})
	}
	if _, ok := r.Unvisited("P1", zero, zero, visit, 0); ok {
		t.Error("due with the check off (after 0)")
	}
}
