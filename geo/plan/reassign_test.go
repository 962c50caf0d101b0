package plan

import (
	"errors"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"testing"
)

// randomPartition grows every station from one random grid by random
// frontier steps, so every station is in one piece with a ragged shape.
func randomPartition(m *Model, rng *rand.Rand) Deployment {
	station := make([]int32, len(m.units))
	for u := range station {
		station[u] = -1
	}
	var frontier []int32
	for s, u := range rng.Perm(len(m.units))[:len(m.stations)] {
		station[u] = int32(s)
		frontier = append(frontier, int32(u))
	}
	for len(frontier) > 0 {
		k := rng.IntN(len(frontier))
		u := frontier[k]
		var free []int32
		for _, nb := range m.adj[u] {
			if station[nb.unit] < 0 {
				free = append(free, nb.unit)
			}
		}
		if len(free) == 0 {
			frontier = slices.Delete(frontier, k, k+1)
			continue
		}
		v := free[rng.IntN(len(free))]
		station[v] = station[u]
		frontier = append(frontier, v)
	}
	return m.deployment(plan{station: station, officers: m.officers})
}

// bruteCuts finds articulation points by removing each grid and counting
// the pieces of its station.
func bruteCuts(m *Model, station []int32, s int32) map[int32]bool {
	piecesWithout := func(skip int32) int {
		seen := map[int32]bool{skip: true}
		n := 0
		for u := range station {
			if station[u] != s || seen[int32(u)] {
				continue
			}
			n++
			stack := []int32{int32(u)}
			seen[int32(u)] = true
			for len(stack) > 0 {
				v := stack[len(stack)-1]
				stack = stack[:len(stack)-1]
				for _, nb := range m.adj[v] {
					if station[nb.unit] == s && !seen[nb.unit] {
						seen[nb.unit] = true
						stack = append(stack, nb.unit)
					}
				}
			}
		}
		return n
	}
	base := piecesWithout(-1)
	out := map[int32]bool{}
	for u := range station {
		if station[u] == s && piecesWithout(int32(u)) > base {
			out[int32(u)] = true
		}
	}
	return out
}

func TestCutFinderMatchesBruteForce(t *testing.T) {
	for _, seed := range testSeeds(t, 1, 2, 3, 4, 5, 6) {
		ix, inc := region(t, 10, 3, seed)
		m, err := NewModel(ix, inc, timeOfEnd, DefaultConfig())
		if err != nil {
			t.Fatal(err)
		}
		rng := rand.New(rand.NewPCG(seed, 2))
		// A random, not necessarily contiguous, assignment stresses the
		// piece-by-piece case too.
		station := make([]int32, len(m.units))
		for u := range station {
			station[u] = int32(rng.IntN(3))
		}
		cf := newCutFinder(m.adj)
		cut := make([]bool, len(m.units))
		for s := int32(0); s < 3; s++ {
			var members []int32
			for u := range station {
				if station[u] == s {
					members = append(members, int32(u))
				}
			}
			cf.mark(members, station, s, cut)
			want := bruteCuts(m, station, s)
			for _, u := range members {
				if cut[u] != want[u] {
					t.Fatalf("seed %d station %d grid %s: cut %v, brute force %v", seed, s, m.units[u].ID, cut[u], want[u])
				}
			}
		}
	}
}

// Reassignment keeps every rule on random ragged territories, and its
// incremental bookkeeping agrees with measuring the result from scratch.
func TestReassignProperties(t *testing.T) {
	for _, seed := range testSeeds(t, 1, 2, 3, 4, 5, 6, 7, 8) {
		ix, inc := region(t, 14, 3, seed)
		m, err := NewModel(ix, inc, timeOfEnd, DefaultConfig())
		if err != nil {
			t.Fatal(err)
		}
		rng := rand.New(rand.NewPCG(seed, 3))
		start := randomPartition(m, rng)
		var lockedGrids, lockedStations []string
		for _, g := range m.units {
			if rng.IntN(8) == 0 {
				lockedGrids = append(lockedGrids, g.ID)
			}
		}
		if rng.IntN(2) == 0 {
			lockedStations = append(lockedStations, m.stations[rng.IntN(len(m.stations))].ID)
		}
		opt := ReassignOptions{Seed: seed, MaxMoves: 1 + rng.IntN(30), LockedGrids: lockedGrids, LockedStations: lockedStations, Iterations: 20000}
		r, err := m.ReassignGrids(start, opt)
		if err != nil {
			t.Fatal(err)
		}
		p0, _ := m.resolve(start)
		p1, err := m.resolve(r.Deployment)
		if err != nil {
			t.Fatal(err)
		}
		for s, n := range m.pieces(p1) {
			if n != 1 {
				t.Errorf("seed %d: station %s is in %d pieces", seed, m.stations[s].ID, n)
			}
		}
		moved := 0
		for u := range p1.station {
			if p1.station[u] != p0.station[u] {
				moved++
			}
		}
		if moved > opt.MaxMoves || moved != len(r.Moves) {
			t.Errorf("seed %d: %d grids moved (%d listed), cap %d", seed, moved, len(r.Moves), opt.MaxMoves)
		}
		for _, g := range lockedGrids {
			if start.Grids[g] != r.Deployment.Grids[g] {
				t.Errorf("seed %d: locked grid %s moved", seed, g)
			}
		}
		for _, mv := range r.Moves {
			if slices.Contains(lockedStations, mv.From) || slices.Contains(lockedStations, mv.To) {
				t.Errorf("seed %d: grid %s moved %s -> %s across a locked station", seed, mv.GridID, mv.From, mv.To)
			}
		}
		if !reflect.DeepEqual(start.Officers, r.Deployment.Officers) {
			t.Errorf("seed %d: grid reassignment changed officers", seed)
		}
		// The objective tracked move by move equals a fresh computation.
		t1 := m.totals(p1)
		startResp := m.responseSum(p0.station)
		full := m.objective(p1, withResponse(m, p1, t1), p0.station, startResp)
		if !near(full, r.Search.Objective, 1e-9) {
			t.Errorf("seed %d: incremental objective %.12f, recomputed %.12f", seed, r.Search.Objective, full)
		}
		if r.Search.Objective > r.Search.StartObjective {
			t.Errorf("seed %d: objective rose from %.5f to %.5f", seed, r.Search.StartObjective, r.Search.Objective)
		}
		t.Logf("seed %d: %d moves (cap %d), objective %.4f -> %.4f, %d of %d feasible accepted",
			seed, moved, opt.MaxMoves, r.Search.StartObjective, r.Search.Objective, r.Search.Accepted, r.Search.Feasible)
	}
}

func withResponse(m *Model, p plan, t stationTotals) stationTotals {
	m.response(p, t.respSum)
	return t
}

func TestReassignDeterministic(t *testing.T) {
	m := lantianModel(t, DefaultConfig())
	opt := ReassignOptions{Seed: 7}
	a, err := m.ReassignGrids(m.Current(), opt)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := m.ReassignGrids(m.Current(), opt)
	if !reflect.DeepEqual(a, b) {
		t.Fatal("the same seed gave different reassignments")
	}
	if len(a.Moves) == 0 {
		t.Fatal("no moves on Lantian; the test proves nothing")
	}
}

func TestReassignRules(t *testing.T) {
	m := lantianModel(t, DefaultConfig())
	cur := m.Current()
	tests := []struct {
		name    string
		opt     ReassignOptions
		check   func(t *testing.T, r Reassignment)
		wantErr string
	}{
		{name: "no moves allowed", opt: ReassignOptions{MaxMoves: -1}, check: func(t *testing.T, r Reassignment) {
			if len(r.Moves) != 0 {
				t.Errorf("%d moves with MaxMoves -1", len(r.Moves))
			}
		}},
		{name: "cap of two", opt: ReassignOptions{MaxMoves: 2}, check: func(t *testing.T, r Reassignment) {
			if len(r.Moves) > 2 {
				t.Errorf("%d moves with a cap of 2", len(r.Moves))
			}
		}},
		{name: "all stations locked", opt: ReassignOptions{LockedStations: stationIDs(m)}, check: func(t *testing.T, r Reassignment) {
			if len(r.Moves) != 0 {
				t.Errorf("%d moves with every station locked", len(r.Moves))
			}
		}},
		{name: "villages move with their police grid", opt: ReassignOptions{Seed: 3}, check: func(t *testing.T, r Reassignment) {
			for _, mv := range r.Moves {
				if got := len(mv.CommunityGrids); got != len(m.children[m.unitAt[mv.GridID]]) || got == 0 {
					t.Errorf("grid %s moves with %d community grids", mv.GridID, got)
				}
			}
		}},
		{name: "locking a village locks its police grid", opt: ReassignOptions{LockedGrids: []string{"61012200120101"}}, check: func(t *testing.T, r Reassignment) {
			for _, mv := range r.Moves {
				if slices.Contains(mv.CommunityGrids, "61012200120101") {
					t.Errorf("locked village moved with %s", mv.GridID)
				}
			}
		}},
		{name: "unknown locked grid", opt: ReassignOptions{LockedGrids: []string{"nope"}}, wantErr: `locked grid "nope" does not exist`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r, err := m.ReassignGrids(cur, tc.opt)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) || !errors.Is(err, ErrInvalid) {
					t.Fatalf("error %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			tc.check(t, r)
		})
	}
}

func stationIDs(m *Model) []string {
	var out []string
	for _, s := range m.stations {
		out = append(out, s.ID)
	}
	return out
}

// Large territories cache response minutes in a map instead of a table;
// the search must not notice.
func TestReassignSparseCacheSameResult(t *testing.T) {
	m := lantianModel(t, DefaultConfig())
	dense, err := m.ReassignGrids(m.Current(), ReassignOptions{Seed: 5})
	if err != nil {
		t.Fatal(err)
	}
	defer func(old int) { denseRespLimit = old }(denseRespLimit)
	denseRespLimit = 0
	sparse, err := m.ReassignGrids(m.Current(), ReassignOptions{Seed: 5})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(dense, sparse) {
		t.Error("the map cache gave a different result from the table")
	}
}
