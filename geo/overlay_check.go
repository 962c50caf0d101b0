package geo

// areas checks special areas: ids, kinds, owner stations, periods and
// rings. Areas may overlap grids and each other, so nothing is checked
// against the partition.
func (c *checker) areas(in []Area, stations map[string]bool) {
	seen := make(map[string]bool, len(in))
	for i := range in {
		a := &in[i]
		c.overlayHead("area", a.ID, a.Name, seen, a.StationID, stations, a.Validity)
		if !a.Kind.Valid() {
			c.bad(ProblemUnknownKind, "area", a.ID, "kind %q is not one of park, scenic, water_protection, works, school_zone, other", a.Kind)
		}
		c.rings("area", a.ID, a.Geometry)
	}
}

// places checks key places as areas, with a point for the rings.
func (c *checker) places(in []Place, stations map[string]bool) {
	seen := make(map[string]bool, len(in))
	for i := range in {
		p := &in[i]
		c.overlayHead("place", p.ID, p.Name, seen, p.StationID, stations, p.Validity)
		if !p.Kind.Valid() {
			c.bad(ProblemUnknownKind, "place", p.ID, "kind %q is not one of school, market, hospital, petrol_station, key_unit, village, other", p.Kind)
		}
		if !lonLat(p.Location) {
			c.bad(ProblemNotLonLat, "place", p.ID, "location %v is not a longitude/latitude pair", p.Location)
		}
	}
}

// overlayHead checks what areas and places share: a unique id, an owner
// station in the dataset and a period that does not end before it starts.
func (c *checker) overlayHead(kind, id, name string, seen map[string]bool, station string, stations map[string]bool, v Validity) {
	c.uniqueID(kind, id, name, seen)
	if !stations[station] {
		c.bad(ProblemUnknownReference, kind, id, "owner station %q is not in the dataset", station)
	}
	if !v.ValidFrom.IsZero() && !v.ValidTo.IsZero() && !v.ValidTo.After(v.ValidFrom) {
		c.bad(ProblemEmptyPeriod, kind, id, "valid_to %s is not after valid_from %s", v.ValidTo.Format("2006-01-02T15:04:05Z07:00"), v.ValidFrom.Format("2006-01-02T15:04:05Z07:00"))
	}
}
