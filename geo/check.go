package geo

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/paulmach/orb"

	"jingge/geo/crs"
)

// ProblemCode says what kind of rule a Problem breaks, for programs; the
// Reason says it for people.
type ProblemCode string

// The problem codes of Check. Every store and import refuses a dataset
// with any problem; NewIndex only those that make an index impossible
// (Problem.BlocksIndex).
const (
	ProblemMissingID         ProblemCode = "missing_id"          // a feature without its id or code
	ProblemDuplicateID       ProblemCode = "duplicate_id"        // an id or code used twice
	ProblemUnknownReference  ProblemCode = "unknown_reference"   // a station, grid or parent not in the dataset
	ProblemParentNotPolice   ProblemCode = "parent_not_police"   // a community grid's parent is a community grid
	ProblemPoliceHasParent   ProblemCode = "police_has_parent"   // a police grid with a parent
	ProblemStationMismatch   ProblemCode = "station_mismatch"    // a community grid of another station than its police grid
	ProblemUnknownLevel      ProblemCode = "unknown_level"       // a grid level other than police or community
	ProblemUnknownTerrain    ProblemCode = "unknown_terrain"     // a region or terrain outside the four
	ProblemUnknownRole       ProblemCode = "unknown_role"        // a member's role outside the known ones
	ProblemUnknownDatum      ProblemCode = "unknown_datum"       // a datum other than wgs84, gcj02 or bd09
	ProblemUnknownTimeZone   ProblemCode = "unknown_time_zone"   // a time zone the IANA database does not name
	ProblemEmptyGeometry     ProblemCode = "empty_geometry"      // a grid or area without any polygon
	ProblemMalformedGeometry ProblemCode = "malformed_geometry"  // rings too short, open, or off the globe
	ProblemNotLonLat         ProblemCode = "not_lon_lat"         // a station location off the globe
	ProblemNegativeNumber    ProblemCode = "negative_population" // a population below zero
	ProblemListedTwice       ProblemCode = "listed_twice"        // a station or grid listed twice by one feature
	ProblemUnknownKind       ProblemCode = "unknown_kind"        // an area or place kind outside the known ones
	ProblemEmptyPeriod       ProblemCode = "empty_period"        // a validity period that ends before it starts
)

// Problem names one thing wrong with a dataset: which rule (Code), which
// feature (Kind and ID) and why, in words a person can act on (Reason).
// Code is for programs and is not part of the JSON form.
type Problem struct {
	Code   ProblemCode `json:"-"`
	Kind   string      `json:"kind"`   // "county", "township", "station", "grid", "member", "area", "place" or "dataset"
	ID     string      `json:"id"`     // the feature's id or code; "" for dataset-wide problems
	Reason string      `json:"reason"` // e.g. "overlaps grid 610122100000002 (12.5 m²)"
}

// String is "kind id: reason", or "kind: reason" without an id.
func (p Problem) String() string {
	if p.ID == "" {
		return p.Kind + ": " + p.Reason
	}
	return p.Kind + " " + p.ID + ": " + p.Reason
}

// Check lists every problem of ds that needs no geometry engine: missing
// and repeated ids, references that do not resolve, values outside their
// enumerations (datum, level, terrain, role), negative populations and
// geometries that are not even well-formed rings of longitude/latitude
// pairs. Overlaps, gaps and self-intersections are the stores' to find.
// The one rule of what a dataset must be: NewIndex, both stores and the
// imports all use it. The order is that of the dataset.
func Check(ds *Dataset) []Problem {
	var c checker
	c.datum(ds.Meta.Datum)
	if _, err := ds.Meta.Location(); err != nil {
		c.bad(ProblemUnknownTimeZone, "dataset", "", "time zone %q is not in the IANA database; use a name like \"Asia/Shanghai\"", ds.Meta.TimeZone)
	}
	if len(ds.County) > 0 {
		c.rings("county", "", ds.County)
	}
	stations := c.stations(ds.Stations)
	c.townships(ds.Townships, stations)
	grids := c.grids(ds.Grids, stations)
	c.members(ds.Members, stations, grids)
	c.areas(ds.Areas, stations)
	c.places(ds.Places, stations)
	c.checkpoints(ds.Checkpoints, stations)
	return c.problems
}

// checker collects the problems of Check.
type checker struct{ problems []Problem }

func (c *checker) bad(code ProblemCode, kind, id, format string, args ...any) {
	c.problems = append(c.problems, Problem{Code: code, Kind: kind, ID: id, Reason: fmt.Sprintf(format, args...)})
}

// datum accepts only the canonical names, which the stores keep.
func (c *checker) datum(d string) {
	if cr, err := crs.Parse(d); err != nil || string(cr) != d {
		c.bad(ProblemUnknownDatum, "dataset", "", "datum %q is not wgs84, gcj02 or bd09", d)
	}
}

// uniqueID reports a feature of kind without an id (named by name) or
// with an id seen before, and records id in seen.
func (c *checker) uniqueID(kind, id, name string, seen map[string]bool) {
	switch {
	case id == "":
		c.bad(ProblemMissingID, kind, name, "has no id")
	case seen[id]:
		c.bad(ProblemDuplicateID, kind, id, "the id is used twice")
	}
	seen[id] = true
}

func (c *checker) stations(in []Station) map[string]bool {
	seen := make(map[string]bool, len(in))
	for _, st := range in {
		c.uniqueID("station", st.ID, st.Name, seen)
		if !st.Region.Valid() {
			c.bad(ProblemUnknownTerrain, "station", st.ID, "region %q is not one of hill, plateau, plain, mountain", st.Region)
		}
		if !lonLat(st.Location) {
			c.bad(ProblemNotLonLat, "station", st.ID, "location %v is not a longitude/latitude pair", st.Location)
		}
	}
	return seen
}

func (c *checker) townships(in []Township, stations map[string]bool) {
	seen := map[string]bool{}
	for _, t := range in {
		switch {
		case t.Code == "":
			c.bad(ProblemMissingID, "township", t.Name, "has no code")
		case seen[t.Code]:
			c.bad(ProblemDuplicateID, "township", t.Code, "the code is used twice")
		}
		seen[t.Code] = true
		listed := map[string]bool{}
		for _, sid := range t.StationIDs {
			if !stations[sid] {
				c.bad(ProblemUnknownReference, "township", t.Code, "station %q is not in the dataset", sid)
			}
			if listed[sid] {
				c.bad(ProblemListedTwice, "township", t.Code, "lists station %q twice", sid)
			}
			listed[sid] = true
		}
		c.rings("township", t.Code, t.Geometry)
	}
}

func (c *checker) grids(in []Grid, stations map[string]bool) map[string]*Grid {
	grids := make(map[string]*Grid, len(in))
	for i := range in {
		g := &in[i]
		switch {
		case g.ID == "":
			c.bad(ProblemMissingID, "grid", g.Name, "has no id (grid code)")
		case grids[g.ID] != nil:
			c.bad(ProblemDuplicateID, "grid", g.ID, "the grid code is used twice")
		}
		grids[g.ID] = g
	}
	for i := range in {
		g := &in[i]
		if g.Level != PoliceLevel && g.Level != CommunityLevel {
			c.bad(ProblemUnknownLevel, "grid", g.ID, "level %q is not police or community", g.Level)
		}
		if !stations[g.StationID] {
			c.bad(ProblemUnknownReference, "grid", g.ID, "station %q is not in the dataset", g.StationID)
		}
		if g.Population < 0 {
			c.bad(ProblemNegativeNumber, "grid", g.ID, "population %d is negative", g.Population)
		}
		if g.Terrain != "" && !g.Terrain.Valid() {
			c.bad(ProblemUnknownTerrain, "grid", g.ID, "terrain %q is not one of hill, plateau, plain, mountain (leave it out to take the station's region)", g.Terrain)
		}
		if g.ParentID != "" {
			p := grids[g.ParentID]
			switch {
			case g.Level == PoliceLevel:
				c.bad(ProblemPoliceHasParent, "grid", g.ID, "a police grid cannot have a parent grid (%q)", g.ParentID)
			case p == nil:
				c.bad(ProblemUnknownReference, "grid", g.ID, "parent grid %q is not in the dataset", g.ParentID)
			case p.Level != PoliceLevel:
				c.bad(ProblemParentNotPolice, "grid", g.ID, "parent grid %q is not a police grid", g.ParentID)
			case p.StationID != g.StationID && stations[g.StationID]:
				c.bad(ProblemStationMismatch, "grid", g.ID, "its station %q differs from the station %q of its police grid %s", g.StationID, p.StationID, p.ID)
			}
		}
		c.rings("grid", g.ID, g.Geometry)
	}
	return grids
}

func (c *checker) members(in []Member, stations map[string]bool, grids map[string]*Grid) {
	seen := map[string]bool{}
	for _, m := range in {
		c.uniqueID("member", m.ID, m.Name, seen)
		if !m.Role.Valid() {
			c.bad(ProblemUnknownRole, "member", m.ID, "role %q is not a known role", m.Role)
		}
		for i, r := range m.Roles {
			switch {
			case !r.Valid():
				c.bad(ProblemUnknownRole, "member", m.ID, "further role %q is not a known role (known: %s)", r, roleCodes())
			case r == m.Role || slices.Contains(m.Roles[:i], r):
				c.bad(ProblemListedTwice, "member", m.ID, "holds role %q twice; list each further role once, without the first role", r)
			}
		}
		if m.StationID != "" && !stations[m.StationID] {
			c.bad(ProblemUnknownReference, "member", m.ID, "station %q is not in the dataset", m.StationID)
		}
		listed := map[string]bool{}
		for _, gid := range m.GridIDs {
			if grids[gid] == nil {
				c.bad(ProblemUnknownReference, "member", m.ID, "grid %q is not in the dataset", gid)
			}
			if listed[gid] {
				c.bad(ProblemListedTwice, "member", m.ID, "lists grid %q twice", gid)
			}
			listed[gid] = true
		}
	}
}

// rings records the first structural problem of mp (CheckRings).
func (c *checker) rings(kind, id string, mp orb.MultiPolygon) {
	switch err := CheckRings(mp); {
	case err == nil:
	case len(mp) == 0:
		c.bad(ProblemEmptyGeometry, kind, id, "%v", err)
	default:
		c.bad(ProblemMalformedGeometry, kind, id, "%v", err)
	}
}

// CheckRings reports the first structural problem of mp that no geometry
// engine would even parse: no polygons, empty or unclosed rings, rings of
// fewer than four positions, positions that are not longitude/latitude.
// Self-intersections and the like are left to the stores' engines.
func CheckRings(mp orb.MultiPolygon) error {
	if len(mp) == 0 {
		return errors.New("the geometry is empty")
	}
	for pi, poly := range mp {
		if len(poly) == 0 {
			return fmt.Errorf("polygon %d has no rings", pi)
		}
		for ri, ring := range poly {
			if len(ring) < 4 {
				return fmt.Errorf("polygon %d ring %d has %d positions, a ring needs at least 4", pi, ri, len(ring))
			}
			if ring[0] != ring[len(ring)-1] {
				return fmt.Errorf("polygon %d ring %d is not closed (its first and last positions differ)", pi, ri)
			}
			for _, p := range ring {
				if !lonLat(p) {
					return fmt.Errorf("polygon %d ring %d has position %v, which is not a longitude/latitude pair", pi, ri, p)
				}
			}
		}
	}
	return nil
}

func lonLat(p orb.Point) bool {
	return !math.IsNaN(p[0]) && !math.IsNaN(p[1]) && p[0] >= -180 && p[0] <= 180 && p[1] >= -90 && p[1] <= 90
}

// CheckIndex lists the problems of Check that make an index impossible
// (Problem.BlocksIndex): ids missing or repeated, references that do not
// resolve, unknown levels and terrains, grids without geometry. NewIndex
// refuses a dataset that has any.
func CheckIndex(ds *Dataset) []Problem {
	var out []Problem
	for _, p := range Check(ds) {
		if p.BlocksIndex() {
			out = append(out, p)
		}
	}
	return out
}

// BlocksIndex reports whether an index cannot be built while p stands.
// Townships, the county, the datum and the members' roles are not indexed,
// so their problems do not block it; nor do numbers and the shape of rings,
// which the index takes as they are.
func (p Problem) BlocksIndex() bool {
	switch p.Kind {
	case "station", "grid", "member":
	default:
		return false
	}
	switch p.Code {
	case ProblemMissingID, ProblemDuplicateID, ProblemUnknownReference, ProblemParentNotPolice,
		ProblemPoliceHasParent, ProblemStationMismatch, ProblemUnknownLevel, ProblemUnknownTerrain:
		return true
	case ProblemEmptyGeometry:
		return p.Kind == "grid"
	}
	return false
}

// maxProblemsInError caps the problems DatasetError.Error spells out; the
// full list stays in Problems.
const maxProblemsInError = 20

// DatasetError is NewIndex's error for a dataset it cannot index: the
// problems that block it, every one. It wraps ErrInvalidDataset.
type DatasetError struct{ Problems []Problem }

func (e *DatasetError) Error() string {
	var b strings.Builder
	b.WriteString(ErrInvalidDataset.Error())
	b.WriteString(": ")
	for i, p := range e.Problems {
		if i == maxProblemsInError {
			fmt.Fprintf(&b, "\nand %d more", len(e.Problems)-i)
			break
		}
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(p.String())
	}
	return b.String()
}

// Unwrap makes errors.Is(err, ErrInvalidDataset) hold.
func (e *DatasetError) Unwrap() error { return ErrInvalidDataset }
