package lantian_test

import (
	"strings"
	"testing"
	"time"

	"github.com/paulmach/orb/planar"

	"jingge/data/lantian"
	"jingge/geo"
)

// TestOverlaysInTheirTownships: the areas the plan names are there, each
// inside its township and owned by the station of the grids under it; key
// places lie in the county; a lookup inside the water-protection zone says
// so, and one on the works after their end does not.
func TestOverlaysInTheirTownships(t *testing.T) {
	ds, err := lantian.Load()
	if err != nil {
		t.Fatal(err)
	}
	if p := geo.Check(ds); len(p) > 0 {
		t.Fatalf("the bundled dataset has problems: %v", p)
	}
	ix, err := geo.NewIndex(ds)
	if err != nil {
		t.Fatal(err)
	}
	township := map[string]*geo.Township{}
	for i := range ds.Townships {
		township[ds.Townships[i].Name] = &ds.Townships[i]
	}
	want := map[string]struct{ township, station string }{
		"park-xiehu": {"洩湖镇", "xiehu"}, "park-huaxu": {"华胥镇", "huaxu"},
		"scenic-jiaodai": {"焦岱镇", "jiaodai"}, "scenic-tangyu": {"汤峪镇", "tangyu"},
		"water-lijiahe": {"辋川镇", "lijiahe"}, "works-xishi-hsr": {"蓝桥镇", "lijiahe"},
	}
	for id, w := range want {
		a, ok := ix.Area(id)
		if !ok {
			t.Errorf("no area %s", id)
			continue
		}
		if a.StationID != w.station {
			t.Errorf("area %s is owned by %s, want %s", id, a.StationID, w.station)
		}
		for _, p := range a.Geometry[0][0] {
			if !planar.MultiPolygonContains(township[w.township].Geometry, p) {
				t.Errorf("area %s reaches outside %s at %v", id, w.township, p)
				break
			}
		}
	}
	schools := 0
	for _, p := range ds.Places {
		if h := ix.Lookup(p.Location); !h.Found() || h.Station.ID != p.StationID {
			t.Errorf("place %s lies in no grid of its station %s", p.ID, p.StationID)
		}
		if p.Kind == geo.PlaceSchool {
			schools++
		}
	}
	if schools != len(ds.Townships) {
		t.Errorf("%d schools, want one per township (%d)", schools, len(ds.Townships))
	}
	zone, _ := ix.Area("water-lijiahe")
	inZone := zone.Geometry.Bound().Center()
	if got := ix.AreasAt(inZone, time.Now(), nil); len(got) == 0 || got[0].ID != "water-lijiahe" {
		t.Errorf("a lookup at the middle of the water-protection zone is in %v", got)
	}
	works, _ := ix.Area("works-xishi-hsr")
	onWorks := works.Geometry.Bound().Center()
	during, after := works.ValidTo.Add(-24*time.Hour), works.ValidTo
	if got := ix.AreasAt(onWorks, during, nil); len(got) == 0 {
		t.Errorf("a lookup on the works before their end is in no area")
	}
	if got := ix.AreasAt(onWorks, after, nil); len(got) != 0 {
		t.Errorf("a lookup on the works after their end is in %v", got)
	}
	synthetic := strings.Join(ds.Meta.Synthetic, " ")
	if !strings.Contains(synthetic, "special area") {
		t.Errorf("the meta does not say the areas' positions are synthetic: %v", ds.Meta.Synthetic)
	}
}
