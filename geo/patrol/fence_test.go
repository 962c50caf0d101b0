package patrol

import (
	"strings"
	"testing"
	"time"

	"jingge/geo"
)

// fenceIndex is testIndex with three areas: a water-protection zone W
// around inC1, a works site K around inC2 that ends at t0+100 s, and a
// park around inC1 (not fenced by default).
func fenceIndex(tb testing.TB) *geo.Index {
	tb.Helper()
	ds := *testIndex(tb).Dataset()
	ds.Areas = []geo.Area{
		{ID: "W", Name: "水源保护区", Kind: geo.AreaWaterProtection, StationID: "plain", Geometry: rect(109.304, 34.145, 109.306, 34.155)},
		{ID: "K", Name: "高铁工地", Kind: geo.AreaWorks, StationID: "plain", Geometry: rect(109.314, 34.145, 109.316, 34.155),
			Validity: geo.Validity{ValidTo: t0.Add(100 * time.Second)}},
		{ID: "Park", Name: "园区", Kind: geo.AreaPark, StationID: "plain", Geometry: rect(109.30, 34.14, 109.31, 34.16)},
	}
	ix, err := geo.NewIndex(&ds)
	if err != nil {
		tb.Fatal(err)
	}
	return ix
}

// overlayEvents runs pings of o1 (seconds after t0, where) through rules
// and returns the overlay events of each ping as "kind:area" joined by
// spaces.
func overlayEvents(r *Rules, steps []step) []string {
	var st State
	var out []string
	for _, s := range steps {
		var evs []Event
		st, evs, _ = r.Step(st, ping(r, "o1", s.sec, s.at), nil)
		var got []string
		for _, e := range evs {
			if e.Kind == OverlayEnter || e.Kind == OverlayLeave {
				if e.AreaName == "" {
					got = append(got, string(e.Kind)+":"+e.AreaID+":no name")
					continue
				}
				got = append(got, string(e.Kind)+":"+e.AreaID)
			}
		}
		out = append(out, strings.Join(got, " "))
	}
	return out
}

func TestStepOverlays(t *testing.T) {
	cases := []struct {
		name  string
		kinds []geo.AreaKind
		steps []step
	}{
		{"first ping inside a protection zone enters it", nil, []step{
			{sec: 0, at: inC1, want: "overlay_enter:W"},
			{sec: 5, at: inC1, want: ""},
		}},
		{"leaving one fenced area for another: leave first", nil, []step{
			{sec: 0, at: inC1, want: "overlay_enter:W"},
			{sec: 5, at: inC2, want: "overlay_leave:W overlay_enter:K"},
			{sec: 10, at: inP2, want: "overlay_leave:K"},
			{sec: 15, at: outside, want: ""},
		}},
		{"a works site that ends is left", nil, []step{
			{sec: 0, at: inC2, want: "overlay_enter:K"},
			{sec: 99, at: inC2, want: ""},
			{sec: 100, at: inC2, want: "overlay_leave:K"},
			{sec: 200, at: inC1, want: "overlay_enter:W"},
		}},
		{"a late ping changes nothing", nil, []step{
			{sec: 10, at: inC1, want: "overlay_enter:W"},
			{sec: 5, at: inC2, want: ""},
			{sec: 15, at: inC1, want: ""},
		}},
		{"parks only when their kind is fenced", []geo.AreaKind{geo.AreaPark}, []step{
			{sec: 0, at: inC1, want: "overlay_enter:Park"},
			{sec: 5, at: inC2, want: "overlay_leave:Park"},
		}},
		{"an empty list fences nothing", []geo.AreaKind{}, []step{
			{sec: 0, at: inC1, want: ""},
			{sec: 5, at: inC2, want: ""},
		}},
	}
	ix := fenceIndex(t)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := NewRules(ix, Options{SilentAfter: 10 * time.Minute, FenceKinds: c.kinds})
			got := overlayEvents(r, c.steps)
			for i, s := range c.steps {
				if got[i] != s.want {
					t.Errorf("ping %d (t0+%ds): events %q, want %q", i, s.sec, got[i], s.want)
				}
			}
		})
	}
}

// TestStepOverlayEventFields: an overlay event carries the area's id and
// name, and the grid, police grid and station the officer is in.
func TestStepOverlayEventFields(t *testing.T) {
	r := NewRules(fenceIndex(t), Options{})
	_, evs, _ := r.Step(State{}, ping(r, "o1", 0, inC1), nil)
	e := evs[len(evs)-1]
	if e.Kind != OverlayEnter || e.AreaID != "W" || e.AreaName != "水源保护区" || e.GridID != "C1" || e.PoliceGridID != "P1" || e.StationID != "plain" {
		t.Errorf("event %+v, want overlay_enter of W (水源保护区) in C1 / P1 / plain", e)
	}
}
