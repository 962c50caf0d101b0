package plan

import (
	"errors"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

func TestProportional(t *testing.T) {
	tests := []struct {
		name     string
		load     []float64
		officers []int
		locked   []bool
		minimum  int
		want     []int
		wantErr  string
	}{
		{name: "exact shares", load: []float64{1, 2, 3}, officers: []int{2, 2, 2}, minimum: 0, want: []int{1, 2, 3}},
		// quotas 10·(5,3,2)/10 = 5,3,2 exactly; then 7 officers: 3.5, 2.1, 1.4 -> 3,2,1 + remainders .5,.1,.4 -> first
		{name: "largest remainder", load: []float64{5, 3, 2}, officers: []int{3, 2, 2}, minimum: 0, want: []int{4, 2, 1}},
		{name: "minimum pins small stations", load: []float64{100, 1, 1}, officers: []int{4, 4, 4}, minimum: 3, want: []int{6, 3, 3}},
		{name: "locked keeps its officers", load: []float64{1, 1, 100}, officers: []int{5, 5, 2}, locked: []bool{true, false, false}, minimum: 1, want: []int{5, 1, 6}},
		{name: "no load shares evenly", load: []float64{0, 0, 0}, officers: []int{1, 2, 3}, minimum: 0, want: []int{2, 2, 2}},
		// quotas .5 and 1.5: equal remainders, the larger load wins
		{name: "ties go to the larger load", load: []float64{1, 3}, officers: []int{1, 1}, minimum: 0, want: []int{0, 2}},
		{name: "ties of equal load keep dataset order", load: []float64{1, 1, 2}, officers: []int{1, 0, 1}, minimum: 0, want: []int{1, 0, 1}},
		{name: "too few for the minimum", load: []float64{1, 1}, officers: []int{1, 2}, minimum: 2, wantErr: "cannot give each the minimum of 2"},
	}
	m := &Model{}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			locked := tc.locked
			if locked == nil {
				locked = make([]bool, len(tc.load))
			}
			got, err := m.proportional(tc.load, tc.officers, locked, tc.minimum)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) || !errors.Is(err, ErrInvalid) {
					t.Fatalf("error %v, want one containing %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("got %v, want %v", got, tc.want)
			}
		})
	}
}

// Reallocation on random territories keeps the total, respects the
// minimum, the locks and the cap, and never raises the spread of load per
// officer.
func TestReallocateProperties(t *testing.T) {
	for _, seed := range testSeeds(t, 1, 2, 3, 4, 5, 6, 7, 8) {
		ix, inc := region(t, 12, 4, seed)
		m, err := NewModel(ix, inc, timeOfEnd, DefaultConfig())
		if err != nil {
			t.Fatal(err)
		}
		rng := rand.New(rand.NewPCG(seed, 1))
		cur := m.Current()
		total := 0
		for _, n := range cur.Officers {
			total += n
		}
		var locked []string
		for _, s := range m.stations {
			if rng.IntN(5) == 0 {
				locked = append(locked, s.ID)
			}
		}
		opt := ReallocateOptions{MaxMoves: 1 + rng.IntN(total/3), MinPerStation: 1 + rng.IntN(4), LockedStations: locked}
		r, err := m.ReallocateOfficers(cur, opt)
		if err != nil {
			t.Fatalf("seed %d: %v", seed, err)
		}
		after := 0
		moved := 0
		for _, sc := range r.Stations {
			after += sc.After
			if sc.After > sc.Before {
				moved += sc.After - sc.Before
			}
			if slices.Contains(locked, sc.StationID) && sc.After != sc.Before {
				t.Errorf("seed %d: locked station %s went from %d to %d", seed, sc.StationID, sc.Before, sc.After)
			}
			if sc.After < min(opt.MinPerStation, sc.Before) {
				t.Errorf("seed %d: station %s left with %d (< min %d, had %d)", seed, sc.StationID, sc.After, opt.MinPerStation, sc.Before)
			}
			if r.Deployment.Officers[sc.StationID] != sc.After {
				t.Errorf("seed %d: deployment and figures disagree for %s", seed, sc.StationID)
			}
		}
		if after != total {
			t.Errorf("seed %d: %d officers after, %d before", seed, after, total)
		}
		if moved != r.Moved || moved > opt.MaxMoves {
			t.Errorf("seed %d: %d moved (reported %d), cap %d", seed, moved, r.Moved, opt.MaxMoves)
		}
		sum := 0
		for _, mv := range r.Moves {
			sum += mv.Count
		}
		if sum != moved {
			t.Errorf("seed %d: moves add to %d, stations changed by %d", seed, sum, moved)
		}
		if r.CVAfter > r.CVBefore+1e-12 {
			t.Errorf("seed %d: CV rose from %.4f to %.4f", seed, r.CVBefore, r.CVAfter)
		}
		t.Logf("seed %d: %d of %d officers moved (cap %d, capped %v), CV %.3f -> %.3f", seed, moved, total, opt.MaxMoves, r.Capped, r.CVBefore, r.CVAfter)
	}
}

func TestReallocateOptions(t *testing.T) {
	m := lantianModel(t, DefaultConfig())
	cur := m.Current()
	tests := []struct {
		name      string
		opt       ReallocateOptions
		maxMoved  int
		wantErr   string
		wantMoved int // -1: do not check
	}{
		{name: "default cap is 10% of officers", opt: ReallocateOptions{}, maxMoved: 21, wantMoved: 21},
		{name: "no moves", opt: ReallocateOptions{MaxMoves: -1}, maxMoved: 0, wantMoved: 0},
		{name: "uncapped reaches the target", opt: ReallocateOptions{MaxMoves: 1000}, maxMoved: 1000, wantMoved: -1},
		{name: "unknown locked station", opt: ReallocateOptions{LockedStations: []string{"atlantis"}}, wantErr: `locked station "atlantis" does not exist`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r, err := m.ReallocateOfficers(cur, tc.opt)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("error %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if r.Moved > tc.maxMoved || (tc.wantMoved >= 0 && r.Moved != tc.wantMoved) {
				t.Errorf("moved %d, want %d (cap %d)", r.Moved, tc.wantMoved, tc.maxMoved)
			}
			if tc.opt.MaxMoves == 1000 && r.Capped {
				t.Error("an uncapped reallocation stopped short of its target")
			}
			t.Logf("moved %d, CV %.3f -> %.3f", r.Moved, r.CVBefore, r.CVAfter)
		})
	}
}
