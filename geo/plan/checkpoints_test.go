package plan

import (
	"math"
	"slices"
	"testing"

	"github.com/paulmach/orb"

	"jingge/geo"
)

// plainMinutesPerKm is the default travel model's plain: 1.4 × 60 / 45.
var plainMinutesPerKm = DefaultConfig().Travel.DetourFactor * 60 / DefaultConfig().Travel.SpeedsKmh[geo.Plain]

func exitAt(id string, lon, lat float64) Exit {
	return Exit{ID: id, Location: orb.Point{lon, lat}, MinutesPerKm: plainMinutesPerKm}
}

func site(id string, lon, lat float64) Origin {
	return Origin{ID: id, Kind: "grid", Location: orb.Point{lon, lat}}
}

// handExits are three exits around (109.00, 34.0), two around
// (109.50, 34.0) and one alone at (109.25, 34.4): 0.01° is about 1 km.
var handExits = []Exit{
	exitAt("a1", 109.00, 34.00), exitAt("a2", 109.02, 34.00), exitAt("a3", 109.00, 34.02),
	exitAt("b1", 109.50, 34.00), exitAt("b2", 109.52, 34.01),
	exitAt("c1", 109.25, 34.40),
}

// handSites: the centre of each cluster, a site far from every exit, a
// site on a1 that reaches a1 and a2 only within 5 minutes, and a second
// site on cluster b farther from its exits than the first.
var handSites = []Origin{
	site("middle", 109.25, 34.10),
	site("on-a1", 108.99, 33.995),
	site("centre-a", 109.007, 34.007),
	site("far-b", 109.51, 34.03),
	site("centre-b", 109.51, 34.005),
	site("near-c", 109.25, 34.39),
}

func TestProposeSitesFindsTheObviousAnswer(t *testing.T) {
	cases := []struct {
		name     string
		inForce  []Origin
		count    int
		want     []string
		covered  int
		newExits [][]string
	}{
		{"two sites take the two clusters", nil, 2, []string{"centre-a", "centre-b"}, 5, [][]string{{"a1", "a2", "a3"}, {"b1", "b2"}}},
		{"three sites take every exit", nil, 3, []string{"centre-a", "centre-b", "near-c"}, 6, nil},
		{"a checkpoint at cluster a leaves b and c", []Origin{site("cp", 109.005, 34.005)}, 2, []string{"centre-b", "near-c"}, 6, nil},
		{"it stops once nothing is left to cover", nil, 5, []string{"centre-a", "centre-b", "near-c"}, 6, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := ProposeSites(handExits, c.inForce, handSites, c.count, 5)
			if err != nil {
				t.Fatal(err)
			}
			var ids []string
			for _, g := range got {
				ids = append(ids, g.Site.ID)
			}
			if !slices.Equal(ids, c.want) {
				t.Fatalf("picked %v, want %v", ids, c.want)
			}
			if last := got[len(got)-1].CoveredAfter; last != c.covered {
				t.Errorf("%d exits covered after the last pick, want %d", last, c.covered)
			}
			for i, want := range c.newExits {
				if !slices.Equal(got[i].Exits, want) {
					t.Errorf("pick %d newly covers %v, want %v", i, got[i].Exits, want)
				}
			}
		})
	}
	if _, err := ProposeSites(handExits, nil, handSites, 0, 5); err == nil {
		t.Error("count 0 was accepted")
	}
	if _, err := ProposeSites(handExits, nil, handSites, 1, math.NaN()); err == nil {
		t.Error("minutes NaN was accepted")
	}
}

func TestCoverExits(t *testing.T) {
	c, err := CoverExits(handExits, []Origin{site("cp-a", 109.007, 34.007), site("cp-c", 109.25, 34.39)}, 5)
	if err != nil {
		t.Fatal(err)
	}
	if c.Exits != 6 || c.Covered != 4 || math.Abs(c.Share-4.0/6) > 1e-12 || !slices.Equal(c.Uncovered, []string{"b1", "b2"}) {
		t.Fatalf("coverage %+v, want 4 of 6 covered, b1 and b2 not", c)
	}
	if r := c.Reach[5]; r.Checkpoint != "cp-c" || !r.Covered || r.Minutes <= 0 || r.Minutes > 5 {
		t.Errorf("c1's reach is %+v, want cp-c within 5 minutes", r)
	}
	// The limit is inclusive: the slowest covered exit at exactly its time.
	limit := c.Reach[0].Minutes
	for _, r := range c.Reach[:3] {
		limit = max(limit, r.Minutes)
	}
	if exact, _ := CoverExits(handExits[:3], []Origin{site("cp-a", 109.007, 34.007)}, limit); exact.Covered != 3 {
		t.Errorf("at exactly the slowest exit's time %v, %d of 3 covered", limit, exact.Covered)
	}
	none, _ := CoverExits(handExits, nil, 5)
	if none.Covered != 0 || len(none.Uncovered) != 6 || none.Reach[0].Checkpoint != "" {
		t.Errorf("without checkpoints: %+v", none)
	}
}

func TestOutlineExits(t *testing.T) {
	// A square of about 11.1 km a side (0.1° of latitude; longitude at the
	// equator): 44.5 km around, so 9 exits 5 km apart.
	sq := orb.MultiPolygon{{{{0, 0}, {0.1, 0}, {0.1, 0.1}, {0, 0.1}, {0, 0}}}}
	exits, err := OutlineExits(sq, 5)
	if err != nil {
		t.Fatal(err)
	}
	if len(exits) != 9 || exits[0].ID != "exit-01" || exits[8].ID != "exit-09" {
		t.Fatalf("%d exits (%v … ), want 9 from exit-01", len(exits), exits[0].ID)
	}
	for i := 1; i < len(exits); i++ {
		d := geo.DistanceMeters(exits[i-1].Location, exits[i].Location) / 1000
		if d > 5.0001 || d < 3.5 { // along the ring 5 km; across a corner less
			t.Errorf("exits %d and %d are %.2f km apart", i, i+1, d)
		}
	}
	if d := geo.DistanceMeters(exits[0].Location, orb.Point{0, 0}) / 1000; math.Abs(d-2.5) > 0.01 {
		t.Errorf("the first exit is %.3f km from the ring's start, want 2.5", d)
	}
	if _, err := OutlineExits(sq, 0); err == nil {
		t.Error("spacing 0 was accepted")
	}
}
