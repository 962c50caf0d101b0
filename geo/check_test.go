package geo_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/paulmach/orb"

	"jingge/geo"
	"jingge/geo/geotest"
)

// TestCheck: each rule gives a problem with its code, the feature and
// a reason naming the value; NewIndex refuses exactly the problems that
// block an index, with the same problems.
func TestCheck(t *testing.T) {
	cases := []struct {
		name   string
		change func(ds *geo.Dataset)
		code   geo.ProblemCode
		kind   string
		id     string
		value  string
		blocks bool
	}{
		{"duplicate grid", func(ds *geo.Dataset) { ds.Grids[1].ID = ds.Grids[0].ID }, geo.ProblemDuplicateID, "grid", "P0000000000", "used twice", true},
		{"unknown station", func(ds *geo.Dataset) { ds.Grids[0].StationID = "nope" }, geo.ProblemUnknownReference, "grid", "P0000000000", `"nope"`, true},
		{"parent is a community grid", func(ds *geo.Dataset) { ds.Grids[len(ds.Grids)-1].ParentID = "C0000000000" }, geo.ProblemParentNotPolice, "grid", "C0000300003", `"C0000000000"`, true},
		{"unknown level", func(ds *geo.Dataset) { ds.Grids[0].Level = "county" }, geo.ProblemUnknownLevel, "grid", "P0000000000", `"county"`, true},
		{"member of an unknown grid", func(ds *geo.Dataset) {
			ds.Members = append(ds.Members, geo.Member{ID: "m1", Role: geo.CommunityOfficer, GridIDs: []string{"X"}})
		}, geo.ProblemUnknownReference, "member", "m1", `"X"`, true},
		{"grid without geometry", func(ds *geo.Dataset) { ds.Grids[0].Geometry = nil }, geo.ProblemEmptyGeometry, "grid", "P0000000000", "empty", true},
		{"datum", func(ds *geo.Dataset) { ds.Meta.Datum = "WGS-84" }, geo.ProblemUnknownDatum, "dataset", "", `"WGS-84"`, false},
		{"negative population", func(ds *geo.Dataset) { ds.Grids[2].Population = -1 }, geo.ProblemNegativeNumber, "grid", "P0000000001", "-1", false},
		{"open ring", func(ds *geo.Dataset) {
			r := ds.Grids[3].Geometry[0][0]
			ds.Grids[3].Geometry[0][0] = r[:len(r)-1]
		}, geo.ProblemMalformedGeometry, "grid", "P0000100001", "not closed", false},
		{"area of an unknown station", func(ds *geo.Dataset) {
			geotest.Overlays(ds, 1, 0, 1)
			ds.Areas[0].StationID = "nope"
		}, geo.ProblemUnknownReference, "area", "area-0000", `"nope"`, false},
		{"area kind", func(ds *geo.Dataset) {
			geotest.Overlays(ds, 1, 0, 1)
			ds.Areas[0].Kind = "castle"
		}, geo.ProblemUnknownKind, "area", "area-0000", `"castle"`, false},
		{"area twice", func(ds *geo.Dataset) {
			geotest.Overlays(ds, 2, 0, 1)
			ds.Areas[1].ID = ds.Areas[0].ID
		}, geo.ProblemDuplicateID, "area", "area-0000", "used twice", false},
		{"area without geometry", func(ds *geo.Dataset) {
			geotest.Overlays(ds, 1, 0, 1)
			ds.Areas[0].Geometry = nil
		}, geo.ProblemEmptyGeometry, "area", "area-0000", "empty", false},
		{"works ending before they start", func(ds *geo.Dataset) {
			geotest.Overlays(ds, 1, 0, 1)
			ds.Areas[0].ValidFrom = time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC)
			ds.Areas[0].ValidTo = time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC)
		}, geo.ProblemEmptyPeriod, "area", "area-0000", "2026-04-01", false},
		{"place off the globe", func(ds *geo.Dataset) {
			geotest.Overlays(ds, 0, 1, 1)
			ds.Places[0].Location = orb.Point{200, 0}
		}, geo.ProblemNotLonLat, "place", "place-00000", "200", false},
		{"place without id", func(ds *geo.Dataset) {
			geotest.Overlays(ds, 0, 1, 1)
			ds.Places[0].ID = ""
		}, geo.ProblemMissingID, "place", "Place 0", "no id", false},
		{"place kind", func(ds *geo.Dataset) {
			geotest.Overlays(ds, 0, 1, 1)
			ds.Places[0].Kind = "castle"
		}, geo.ProblemUnknownKind, "place", "place-00000", `"castle"`, false},
		{"unknown role", func(ds *geo.Dataset) {
			ds.Members = append(ds.Members, geo.Member{ID: "m1", Role: "sheriff", GridIDs: []string{"C0000000000"}})
		}, geo.ProblemUnknownRole, "member", "m1", `"sheriff"`, false},
		{"unknown further role", func(ds *geo.Dataset) {
			ds.Members = append(ds.Members, geo.Member{ID: "m1", Role: geo.VillageCadre, Roles: []geo.Role{geo.GridWorker, "sheriff"}, GridIDs: []string{"C0000000000"}})
		}, geo.ProblemUnknownRole, "member", "m1", `"sheriff"`, false},
		{"first role again", func(ds *geo.Dataset) {
			ds.Members = append(ds.Members, geo.Member{ID: "m1", Role: geo.VillageCadre, Roles: []geo.Role{geo.Volunteer, geo.VillageCadre}, GridIDs: []string{"C0000000000"}})
		}, geo.ProblemListedTwice, "member", "m1", `"village_cadre"`, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ds := geotest.Lattice(4, 0, 0.01, 1)
			if p := geo.Check(ds); len(p) != 0 {
				t.Fatalf("the lattice has problems: %v", p)
			}
			c.change(ds)
			got := geo.Check(ds)
			// The first problem is the rule broken; those after it follow
			// from it (children of a renamed police grid).
			if len(got) == 0 {
				t.Fatal("Check found nothing")
			}
			p := got[0]
			if p.Code != c.code || p.Kind != c.kind || p.ID != c.id || !strings.Contains(p.Reason, c.value) {
				t.Errorf("Check = %+v, want %s on %s %q naming %s", p, c.code, c.kind, c.id, c.value)
			}
			_, err := geo.NewIndex(ds)
			var derr *geo.DatasetError
			switch {
			case !c.blocks && err != nil:
				t.Errorf("NewIndex refused a problem that does not block an index: %v", err)
			case c.blocks && (!errors.As(err, &derr) || !errors.Is(err, geo.ErrInvalidDataset) || len(derr.Problems) == 0 || derr.Problems[0] != p):
				t.Errorf("NewIndex = %v, want a DatasetError with %+v", err, p)
			}
		})
	}
}
