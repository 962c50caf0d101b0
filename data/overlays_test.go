package data

import (
	"testing"

	"jingge/geo"
)

// TestOverlayVersions checks the three kinds of overlay alike: an
// unchanged one keeps its version, a changed one gets the next, a new id
// version 1.
func TestOverlayVersions(t *testing.T) {
	cur := &geo.Dataset{
		Areas:       []geo.Area{{ID: "a1", Name: "景区", Version: 3}, {ID: "a2", Name: "水库", Version: 2}},
		Places:      []geo.Place{{ID: "p1", Name: "加油站", Version: 4}, {ID: "p2", Name: "学校", Version: 1}},
		Checkpoints: []geo.Checkpoint{{ID: "c1", Name: "出口", Version: 5}, {ID: "c2", Name: "路口", Version: 2}},
	}
	next := &geo.Dataset{
		Areas:       []geo.Area{{ID: "a1", Name: "景区"}, {ID: "a2", Name: "水库二"}, {ID: "a3", Name: "新"}},
		Places:      []geo.Place{{ID: "p1", Name: "加油站"}, {ID: "p2", Name: "中学"}, {ID: "p3", Name: "新"}},
		Checkpoints: []geo.Checkpoint{{ID: "c1", Name: "出口"}, {ID: "c2", Name: "路口二"}, {ID: "c3", Name: "新"}},
	}
	OverlayVersions(cur, next)
	got := map[string]int{}
	for _, a := range next.Areas {
		got[a.ID] = a.Version
	}
	for _, p := range next.Places {
		got[p.ID] = p.Version
	}
	for _, c := range next.Checkpoints {
		got[c.ID] = c.Version
	}
	want := map[string]int{"a1": 3, "a2": 3, "a3": 1, "p1": 4, "p2": 2, "p3": 1, "c1": 5, "c2": 3, "c3": 1}
	for id, v := range want {
		if got[id] != v {
			t.Errorf("%s: version %d, want %d", id, got[id], v)
		}
	}
}
