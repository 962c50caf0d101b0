package storetest

import (
	"strings"
	"testing"
	"time"

	"github.com/paulmach/orb"

	"jingge/geo"
	"jingge/geo/patrol"
)

// testOverlayEvents: an officer crossing a fenced special area gets
// overlay_enter and overlay_leave events that keep the area's id and
// name through the store, beside the grid events.
func testOverlayEvents(t *testing.T, f *patrolFixture) {
	ds := *f.ds
	c := f.cellCenter(1, 1)
	ds.Areas = []geo.Area{{ID: "A-water", Name: "李家河饮用水源保护区", Kind: geo.AreaWaterProtection, StationID: ds.Stations[0].ID,
		Geometry: orb.MultiPolygon{{{{c[0] - 1e-4, c[1] - 1e-4}, {c[0] + 1e-4, c[1] - 1e-4}, {c[0] + 1e-4, c[1] + 1e-4}, {c[0] - 1e-4, c[1] + 1e-4}, {c[0] - 1e-4, c[1] - 1e-4}}}}}}
	ix, err := geo.NewIndex(&ds)
	if err != nil {
		t.Fatal(err)
	}
	f.rules = patrol.NewRules(ix, patrol.Options{SilentAfter: 10 * time.Minute})
	o := officer(0, 0)
	res := f.record(t, "", f.ping(o, 1, 0, 0), f.ping(o, 2, 1, 1), f.ping(o, 3, 0, 0))
	var got []string
	for _, e := range f.events(t, 0) {
		if e.Kind == patrol.OverlayEnter || e.Kind == patrol.OverlayLeave {
			got = append(got, string(e.Kind)+":"+e.AreaID+":"+e.AreaName+":"+e.GridID)
		}
	}
	want := []string{"overlay_enter:A-water:李家河饮用水源保护区:C1-1", "overlay_leave:A-water:李家河饮用水源保护区:C0-0"}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("stored overlay events %q, want %q (the batch made %+v)", got, want, res.Events)
	}
}
