package postgis

import (
	"fmt"

	"jingge/data"
	"jingge/geo"
)

// maxProblems caps each kind of geometry problem the database is asked to
// list, so a hopeless file gives a readable report.
const maxProblems = 200

// checkDataset finds the problems of ds that need no geometry engine:
// missing or repeated ids, unknown references, unknown enumerations and
// geometries PostGIS could not even parse. It returns the problems and the
// ids of grids and areas whose geometry is structurally broken, which the
// geometry checks skip.
func checkDataset(ds *geo.Dataset) (problems []data.Problem, brokenGrid map[string]bool, brokenCounty bool, brokenTownship map[string]bool) {
	bad := func(kind, id, format string, args ...any) {
		problems = append(problems, data.Problem{Kind: kind, ID: id, Reason: fmt.Sprintf(format, args...)})
	}
	brokenGrid = map[string]bool{}
	brokenTownship = map[string]bool{}
	problems = append(problems, checkDatasetText(ds)...)
	switch ds.Meta.Datum {
	case "wgs84", "gcj02", "bd09":
	default:
		bad("dataset", "", "datum %q is not wgs84, gcj02 or bd09", ds.Meta.Datum)
	}
	if len(ds.County) > 0 {
		if err := checkRings(ds.County); err != nil {
			bad("county", "", "%v", err)
			brokenCounty = true
		}
	}
	stations := map[string]bool{}
	for _, st := range ds.Stations {
		switch {
		case st.ID == "":
			bad("station", st.Name, "has no id")
		case stations[st.ID]:
			bad("station", st.ID, "the id is used twice")
		}
		stations[st.ID] = true
		if !st.Region.Valid() {
			bad("station", st.ID, "region %q is not one of hill, plateau, plain, mountain", st.Region)
		}
		if !lonLat(st.Location) {
			bad("station", st.ID, "location %v is not a longitude/latitude pair", st.Location)
		}
	}
	townships := map[string]bool{}
	for _, t := range ds.Townships {
		switch {
		case t.Code == "":
			bad("township", t.Name, "has no code")
		case townships[t.Code]:
			bad("township", t.Code, "the code is used twice")
		}
		townships[t.Code] = true
		seen := map[string]bool{}
		for _, sid := range t.StationIDs {
			if !stations[sid] {
				bad("township", t.Code, "station %q is not in the dataset", sid)
			}
			if seen[sid] {
				bad("township", t.Code, "lists station %q twice", sid)
			}
			seen[sid] = true
		}
		if err := checkRings(t.Geometry); err != nil {
			bad("township", t.Code, "%v", err)
			brokenTownship[t.Code] = true
		}
	}
	grids := make(map[string]*geo.Grid, len(ds.Grids))
	for i := range ds.Grids {
		g := &ds.Grids[i]
		switch {
		case g.ID == "":
			bad("grid", g.Name, "has no id (grid code)")
		case grids[g.ID] != nil:
			bad("grid", g.ID, "the grid code is used twice")
		}
		grids[g.ID] = g
	}
	for i := range ds.Grids {
		g := &ds.Grids[i]
		if g.Level != geo.PoliceLevel && g.Level != geo.CommunityLevel {
			bad("grid", g.ID, "level %q is not police or community", g.Level)
		}
		if !stations[g.StationID] {
			bad("grid", g.ID, "station %q is not in the dataset", g.StationID)
		}
		if g.Population < 0 {
			bad("grid", g.ID, "population %d is negative", g.Population)
		}
		if g.Terrain != "" && !g.Terrain.Valid() {
			bad("grid", g.ID, "terrain %q is not one of hill, plateau, plain, mountain (leave it out to take the station's region)", g.Terrain)
		}
		if g.ParentID != "" {
			p := grids[g.ParentID]
			switch {
			case g.Level == geo.PoliceLevel:
				bad("grid", g.ID, "a police grid cannot have a parent grid (%q)", g.ParentID)
			case p == nil:
				bad("grid", g.ID, "parent grid %q is not in the dataset", g.ParentID)
			case p.Level != geo.PoliceLevel:
				bad("grid", g.ID, "parent grid %q is not a police grid", g.ParentID)
			case p.StationID != g.StationID && stations[g.StationID]:
				bad("grid", g.ID, "its station %q differs from the station %q of its police grid %s", g.StationID, p.StationID, p.ID)
			}
		}
		if err := checkRings(g.Geometry); err != nil {
			bad("grid", g.ID, "%v", err)
			brokenGrid[g.ID] = true
		}
	}
	members := map[string]bool{}
	for _, m := range ds.Members {
		switch {
		case m.ID == "":
			bad("member", m.Name, "has no id")
		case members[m.ID]:
			bad("member", m.ID, "the id is used twice")
		}
		members[m.ID] = true
		if !m.Role.Valid() {
			bad("member", m.ID, "role %q is not a known role", m.Role)
		}
		if m.StationID != "" && !stations[m.StationID] {
			bad("member", m.ID, "station %q is not in the dataset", m.StationID)
		}
		seen := map[string]bool{}
		for _, gid := range m.GridIDs {
			if grids[gid] == nil {
				bad("member", m.ID, "grid %q is not in the dataset", gid)
			}
			if seen[gid] {
				bad("member", m.ID, "lists grid %q twice", gid)
			}
			seen[gid] = true
		}
	}
	return problems, brokenGrid, brokenCounty, brokenTownship
}
