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

// readFilter reads bbox (WGS-84), the kind (the parameter name, read by
// parse) and station of q, naming every bad one at once, and returns it
// with the index it selects from.
func (s *Service) readFilter(q func(string) (string, bool), name string, parse func(string) (string, error)) (*view, filter, error) {
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
	if text, ok := q(name); ok {
		kind, err := parse(text)
		if err != nil {
			bad = append(bad, data.Param{Name: name, Reason: err.Error()})
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
	v, f, err := s.readFilter(q, "kind", Areas.parseKind)
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
	v, f, err := s.readFilter(q, "kind", Places.parseKind)
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
	v, f, err := s.readFilter(q, "kind", Checkpoints.parseKind)
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

// Grids returns the grids that bbox, level (police or community, or 警格 /
// 网格) and station of q select, in dataset order.
func (s *Service) Grids(q func(string) (string, bool)) ([]*geo.Grid, error) {
	v, f, err := s.readFilter(q, "level", func(text string) (string, error) {
		l, err := geo.ParseLevel(text)
		if err != nil {
			return "", fmt.Errorf("level must be police or community (or 警格 / 网格), got %q", text)
		}
		return string(l), nil
	})
	if err != nil {
		return nil, err
	}
	return v.ix.Grids(geo.GridFilter{Bound: f.bound, Level: geo.Level(f.kind), Station: f.station}), nil
}
