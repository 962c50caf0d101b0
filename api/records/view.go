package records

import (
	"time"

	"github.com/paulmach/orb"

	"jingge/geo"
	"jingge/geo/crs"
)

// view is the index in force for one request, with its datum.
type view struct {
	ix    *geo.Index
	datum crs.CRS
}

// current returns the view of the index in force.
func (s *Service) current() (*view, error) {
	ix, datum, err := s.o.Index()
	if err != nil {
		return nil, err
	}
	return &view{ix: ix, datum: datum}, nil
}

// localTime writes t in the dataset's time zone.
func (v *view) localTime(t time.Time) string { return t.In(v.ix.Location()).Format(time.RFC3339Nano) }

// optionalTime is t as localTime writes it, nil when zero.
func (v *view) optionalTime(t time.Time) *string {
	if t.IsZero() {
		return nil
	}
	s := v.localTime(t)
	return &s
}

// toWGS84 converts p from the dataset's datum to WGS-84, GeoJSON's.
func (v *view) toWGS84(p orb.Point) orb.Point { return crs.Convert(p, v.datum, crs.WGS84) }

// memberName is the name of member id, "" when the dataset has none.
func (v *view) memberName(id string) string {
	if m, ok := v.ix.Member(id); ok {
		return m.Name
	}
	return ""
}

// Located is a record's document with its place in WGS-84, which the API
// writes as a GeoJSON Feature.
type Located[P any] struct {
	ID         string
	Point      orb.Point
	Properties P
}

// Page is one page of a list, and the cursor of the next ("" on the last).
type Page[D any] struct {
	Items []D
	Next  string
}
