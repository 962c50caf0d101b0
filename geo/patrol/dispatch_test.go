package patrol

import (
	"math"
	"testing"
	"time"

	"github.com/paulmach/orb"
	ogeo "github.com/paulmach/orb/geo"
)

func TestTravelEstimate(t *testing.T) {
	ix := testIndex(t)
	// The same 1 km eastward, on the plain (west of 109.32) and in the
	// mountains (east of it).
	plainA, plainB := orb.Point{109.301, 34.15}, orb.Point{109.3118, 34.15}
	mtnA, mtnB := orb.Point{109.3215, 34.15}, orb.Point{109.3323, 34.15}
	dp, tp := DefaultTravel.Estimate(ix, plainA, plainB)
	dm, tm := DefaultTravel.Estimate(ix, mtnA, mtnB)
	if math.Abs(dp-dm) > 1 || math.Abs(dp-995) > 10 {
		t.Fatalf("distances %v and %v m, want both about 995", dp, dm)
	}
	// Plain: 995 m × 1.4 ÷ 12.5 m/s = 111 s; mountain: × 1.8.
	if got := tp.Seconds(); math.Abs(got-995*1.4/12.5) > 2 {
		t.Errorf("plain: %v s, want about 111", got)
	}
	if ratio := tm.Seconds() / tp.Seconds(); math.Abs(ratio-1.8) > 0.01 {
		t.Errorf("mountain ÷ plain = %.3f, want 1.8", ratio)
	}
	// Half on each: the mean difficulty, 1.4.
	_, th := DefaultTravel.Estimate(ix, orb.Point{109.315, 34.15}, orb.Point{109.325, 34.15})
	if ratio := th.Seconds() / (ogeo.DistanceHaversine(orb.Point{109.315, 34.15}, orb.Point{109.325, 34.15}) * 1.4 / 12.5); math.Abs(ratio-1.4) > 0.05 {
		t.Errorf("a route half in the mountains: difficulty %.2f, want 1.4", ratio)
	}
	if d, tt := DefaultTravel.Estimate(ix, plainA, plainA); d != 0 || tt != 0 {
		t.Errorf("no distance: %v, %v", d, tt)
	}
	if _, tt := (Travel{}).Estimate(ix, plainA, plainB); tt != 0 {
		t.Errorf("a zero speed gives %v", tt)
	}
}

func TestNearestOfficersAndStations(t *testing.T) {
	ix := testIndex(t)
	r := NewRules(ix, Options{SilentAfter: time.Minute})
	states := []State{}
	for _, p := range []struct {
		officer string
		at      orb.Point
	}{{"o1", orb.Point{109.3135, 34.15}}, {"o2", orb.Point{109.3215, 34.15}}} {
		st, _, _ := r.Step(State{}, ping(r, p.officer, 0, p.at), nil)
		states = append(states, st)
	}
	silent := states[1]
	silent.Officer, silent.Silent = "o3", true
	states = append(states, silent, State{Officer: "o4"})
	target := orb.Point{109.318, 34.15}
	byDist, byTime := NearestOfficers(ix, DefaultTravel, states, target, 5)
	if len(byDist) != 2 || byDist[0].ID != "o2" || byTime[0].ID != "o1" {
		t.Fatalf("by distance %v, by time %v: want o2 nearer, o1 faster, silent and unseen officers left out", ids(byDist), ids(byTime))
	}
	if one, _ := NearestOfficers(ix, DefaultTravel, states, target, 1); len(one) != 1 {
		t.Errorf("n = 1 gave %d", len(one))
	}
	sd, st := NearestStations(ix, DefaultTravel, orb.Point{109.3195, 34.1475}, 2)
	if len(sd) != 2 || sd[0].ID != "mountain" || st[0].DistanceM <= 0 {
		t.Errorf("stations by distance %v, by time %v", ids(sd), ids(st))
	}
}

func ids(cs []Candidate) []string {
	out := make([]string, len(cs))
	for i, c := range cs {
		out[i] = c.ID
	}
	return out
}
