package patrol

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/paulmach/orb"

	"jingge/geo"
)

// step is one input of a rules case: a ping (officer, seconds after t0,
// where) or, with sweep set, a silence sweep at t0+sec.
type step struct {
	officer string
	sec     int
	at      orb.Point
	sweep   bool
	want    string // the events, "kind:grid" joined by spaces
}

func TestStep(t *testing.T) {
	cases := []struct {
		name  string
		steps []step
	}{
		{"first ping in own area enters its grid", []step{
			{officer: "o1", sec: 0, at: inC1, want: "grid_enter:C1"},
		}},
		{"first ping outside the area also leaves the area", []step{
			{officer: "o1", sec: 0, at: inP2, want: "grid_enter:P2 area_leave:P2"},
		}},
		{"first ping outside every grid", []step{
			{officer: "o1", sec: 0, at: outside, want: "area_leave:"},
		}},
		{"moving inside a grid says nothing", []step{
			{officer: "o1", sec: 0, at: inC1, want: "grid_enter:C1"},
			{officer: "o1", sec: 5, at: orb.Point{inC1[0] + 0.001, inC1[1]}, want: ""},
		}},
		{"crossing into a neighbouring grid of the area", []step{
			{officer: "o1", sec: 0, at: inC1, want: "grid_enter:C1"},
			{officer: "o1", sec: 5, at: inC2, want: "grid_leave:C1 grid_enter:C2"},
		}},
		{"leaving the area and coming back", []step{
			{officer: "o1", sec: 0, at: inC2, want: "grid_enter:C2"},
			{officer: "o1", sec: 5, at: inP2, want: "grid_leave:C2 grid_enter:P2 area_leave:P2"},
			{officer: "o1", sec: 10, at: inP2, want: ""},
			{officer: "o1", sec: 15, at: inC1, want: "grid_leave:P2 grid_enter:C1 area_return:C1"},
		}},
		{"out of every grid and back", []step{
			{officer: "o1", sec: 0, at: inC1, want: "grid_enter:C1"},
			{officer: "o1", sec: 5, at: outside, want: "grid_leave:C1 area_leave:"},
			{officer: "o1", sec: 10, at: outside, want: ""},
			{officer: "o1", sec: 15, at: inC1, want: "grid_enter:C1 area_return:C1"},
		}},
		{"a late ping is history only", []step{
			{officer: "o1", sec: 10, at: inC2, want: "grid_enter:C2"},
			{officer: "o1", sec: 5, at: inP2, want: ""},
			{officer: "o1", sec: 15, at: inC2, want: ""},
		}},
		{"a repeated ping is history only", []step{
			{officer: "o1", sec: 10, at: inC1, want: "grid_enter:C1"},
			{officer: "o1", sec: 10, at: inC2, want: ""},
		}},
		{"silent once, then resumed", []step{
			{officer: "o1", sec: 0, at: inC1, want: "grid_enter:C1"},
			{sweep: true, sec: 599, want: ""},
			{sweep: true, sec: 600, want: "silent:C1"},
			{sweep: true, sec: 1200, want: ""},
			{officer: "o1", sec: 1300, at: inC2, want: "resumed:C2 grid_leave:C1 grid_enter:C2"},
			{sweep: true, sec: 1301, want: ""},
		}},
		{"a late ping does not end a silence", []step{
			{officer: "o1", sec: 100, at: inC1, want: "grid_enter:C1"},
			{sweep: true, sec: 700, want: "silent:C1"},
			{officer: "o1", sec: 50, at: inC1, want: ""},
			{sweep: true, sec: 800, want: ""},
		}},
		{"an officer without grids patrols their station", []step{
			{officer: "o2", sec: 0, at: inP2, want: "grid_enter:P2"},
			{officer: "o2", sec: 5, at: inC2, want: "grid_leave:P2 grid_enter:C2 area_leave:C2"},
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := testRules(t)
			states := map[string]State{}
			for i, s := range c.steps {
				var got []Event
				if s.sweep {
					for _, o := range []string{"o1", "o2"} {
						if next, ev, ok := r.Sweep(states[o], t0.Add(time.Duration(s.sec)*time.Second)); ok {
							states[o] = next
							got = append(got, ev)
						}
					}
				} else {
					p := ping(r, s.officer, s.sec, s.at)
					st := states[s.officer]
					st.Officer = s.officer
					next, evs, changed := r.Step(st, p, nil)
					if changed != (st.Last.At.IsZero() || p.At.After(st.Last.At)) {
						t.Errorf("step %d: changed = %v", i, changed)
					}
					states[s.officer] = next
					got = evs
				}
				if g := kinds(got); g != s.want {
					t.Errorf("step %d: events %q, want %q", i, g, s.want)
				}
			}
		})
	}
}

func kinds(evs []Event) string {
	parts := make([]string, len(evs))
	for i, e := range evs {
		parts[i] = string(e.Kind) + ":" + e.GridID
	}
	return strings.Join(parts, " ")
}

func TestEventFields(t *testing.T) {
	r := testRules(t)
	_, evs, _ := r.Step(State{}, ping(r, "o1", 0, inC2), nil)
	want := Event{Kind: GridEnter, Officer: "o1", At: t0, Location: inC2, GridID: "C2", PoliceGridID: "P1", StationID: "plain"}
	if len(evs) != 1 || evs[0] != want {
		t.Fatalf("events %+v, want [%+v]", evs, want)
	}
	st, _, _ := r.Step(State{}, ping(r, "o1", 0, inP2), nil)
	_, ev, ok := r.Sweep(st, t0.Add(time.Hour))
	if !ok || !ev.At.Equal(t0.Add(10*time.Minute)) || ev.PoliceGridID != "P2" || ev.StationID != "mountain" {
		t.Fatalf("silent event %+v (ok %v): want at t0+10m in P2 of mountain", ev, ok)
	}
}

func TestOfficer(t *testing.T) {
	r := testRules(t)
	if m, err := r.Officer("o2"); err != nil || m.Name != "李辅警" {
		t.Errorf("Officer(o2) = %v, %v", m, err)
	}
	for _, id := range []string{"w1", "nobody", ""} {
		if _, err := r.Officer(id); !errors.Is(err, ErrUnknownOfficer) {
			t.Errorf("Officer(%q): err %v, want ErrUnknownOfficer", id, err)
		}
	}
	if _, err := r.Officer("w1"); !strings.Contains(err.Error(), "Grid worker") {
		t.Errorf("Officer(w1) should say the member is a grid worker: %v", err)
	}
	if r.Officers() != 2 {
		t.Errorf("Officers() = %d, want 2", r.Officers())
	}
}

// TestStepInvariants feeds random walks, with late and repeated pings and
// sweeps, and checks what every consumer of the events relies on: per
// officer, grid_enter and grid_leave of a grid alternate starting with an
// enter, area_leave and area_return alternate, silent and resumed
// alternate, and the state always agrees with the events.
func TestStepInvariants(t *testing.T) {
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)
	rng := rand.New(rand.NewPCG(seed, 1))
	r := testRules(t)
	spots := []orb.Point{inC1, inC2, inP2, outside}
	for round := range 200 {
		st := State{Officer: "o1"}
		inGrid := ""
		outOfArea, silent := false, false
		sec := 0
		for i := range 50 {
			var evs []Event
			switch k := rng.IntN(10); {
			case k == 0:
				var ev Event
				var ok bool
				st, ev, ok = r.Sweep(st, t0.Add(time.Duration(sec+rng.IntN(1500))*time.Second))
				if ok {
					evs = []Event{ev}
				}
			default:
				at := sec + rng.IntN(30) - 10 // sometimes late
				sec = max(sec, at)
				st, evs, _ = r.Step(st, ping(r, "o1", at, spots[rng.IntN(len(spots))]), nil)
			}
			for _, e := range evs {
				fail := func(why string) { t.Fatalf("round %d step %d: %s after %s", round, i, why, kinds(evs)) }
				switch e.Kind {
				case GridEnter:
					if inGrid != "" {
						fail("grid_enter while in " + inGrid)
					}
					inGrid = e.GridID
				case GridLeave:
					if inGrid != e.GridID {
						fail(fmt.Sprintf("grid_leave of %s while in %q", e.GridID, inGrid))
					}
					inGrid = ""
				case AreaLeave:
					if outOfArea {
						fail("area_leave twice")
					}
					outOfArea = true
				case AreaReturn:
					if !outOfArea {
						fail("area_return while in the area")
					}
					outOfArea = false
				case Silent:
					if silent {
						fail("silent twice")
					}
					silent = true
				case Resumed:
					if !silent {
						fail("resumed while reporting")
					}
					silent = false
				}
			}
			if st.Seen() && (st.Last.GridID != inGrid || st.InArea == outOfArea || st.Silent != silent) {
				t.Fatalf("round %d step %d: state %+v disagrees with the events (grid %q, out of area %v, silent %v)", round, i, st, inGrid, outOfArea, silent)
			}
		}
	}
}

func TestAttribute(t *testing.T) {
	r := testRules(t)
	pings := []struct {
		at   orb.Point
		want string
	}{{inC1, "C1"}, {inC2, "C2"}, {inP2, "P2"}, {outside, ""}}
	for _, p := range pings {
		ps := []geo.Ping{{Location: p.at}}
		if out := Attribute(r.Index(), ps); ps[0].GridID != p.want || (out == 1) != (p.want == "") {
			t.Errorf("Attribute(%v) = %q (outside %d), want %q", p.at, ps[0].GridID, out, p.want)
		}
	}
	if got := slices.Collect(func(yield func(EventKind) bool) {
		for _, k := range EventKinds {
			if !k.Valid() || !yield(k) {
				return
			}
		}
	}); len(got) != 8 || EventKind("nope").Valid() {
		t.Errorf("EventKinds / Valid disagree")
	}
}
