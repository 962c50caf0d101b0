package overlays

import (
	"fmt"

	"github.com/paulmach/orb"

	"jingge/api/intake"
	"jingge/data"
	"jingge/geo"
	"jingge/geo/crs"
)

// filter is the query of a list of overlays.
type filter struct {
	bound   *orb.Bound // in the dataset's datum
	kind    string
	station string
}

// readFilter reads bbox (WGS-84), kind and station of q, naming every bad
// one at once, and returns it with the index it selects from.
func (s *Service) readFilter(q func(string) (string, bool), k *Kind) (*view, filter, error) {
	var bad []data.Param
	var f filter
	var box *orb.Bound
	if text, ok := q("bbox"); ok {
		b, err := intake.ParseBBox(text)
		if err != nil {
			bad = append(bad, *err)
		} else {
			box = &b
		}
	}
	if text, ok := q("kind"); ok {
		kind, err := k.parseKind(text)
		if err != nil {
			bad = append(bad, data.Param{Name: "kind", Reason: err.Error()})
		}
		f.kind = kind
	}
	station, hasStation := q("station")
	if len(bad) > 0 {
		return nil, f, data.InvalidParams(bad...)
	}
	v, err := s.current()
	if err != nil {
		return nil, f, err
	}
	if hasStation {
		if _, ok := v.ix.Station(station); !ok {
			return nil, f, data.InvalidParams(data.Param{Name: "station", Reason: fmt.Sprintf("station must be the id of a station of the dataset (%s), got %q", StationIDs(v.ix), station)})
		}
		f.station = station
	}
	if box != nil {
		b := orb.Bound{Min: crs.Convert(box.Min, crs.WGS84, v.datum), Max: crs.Convert(box.Max, crs.WGS84, v.datum)}
		f.bound = &b
	}
	return v, f, nil
}

// Areas returns the areas that bbox, kind and station of q select.
func (s *Service) Areas(q func(string) (string, bool)) ([]geo.Area, error) {
	v, f, err := s.readFilter(q, Areas)
	if err != nil {
		return nil, err
	}
	var out []geo.Area
	areas := v.ix.Areas()
	for i := range areas {
		a := &areas[i]
		if (f.kind != "" && string(a.Kind) != f.kind) || (f.station != "" && a.StationID != f.station) ||
			(f.bound != nil && !v.ix.AreaIntersects(a, *f.bound)) {
			continue
		}
		out = append(out, *a)
	}
	return out, nil
}

// Places returns the key places that bbox, kind and station of q select.
func (s *Service) Places(q func(string) (string, bool)) ([]geo.Place, error) {
	v, f, err := s.readFilter(q, Places)
	if err != nil {
		return nil, err
	}
	var out []geo.Place
	for _, p := range v.ix.Places() {
		if (f.kind != "" && string(p.Kind) != f.kind) || (f.station != "" && p.StationID != f.station) ||
			(f.bound != nil && !f.bound.Contains(p.Location)) {
			continue
		}
		out = append(out, p)
	}
	return out, nil
}

// Checkpoints returns the checkpoints that bbox and station of q select.
func (s *Service) Checkpoints(q func(string) (string, bool)) ([]geo.Checkpoint, error) {
	v, f, err := s.readFilter(q, Checkpoints)
	if err != nil {
		return nil, err
	}
	var out []geo.Checkpoint
	for _, c := range v.ix.Checkpoints() {
		if (f.station != "" && c.StationID != f.station) || (f.bound != nil && !f.bound.Contains(c.Location)) {
			continue
		}
		out = append(out, c)
	}
	return out, nil
}
