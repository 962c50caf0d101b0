package api

import (
	"fmt"
	"jingge/api/httpx"
	"net/http"
	"strings"
	"time"

	"github.com/gorilla/mux"
	"github.com/paulmach/orb"

	"jingge/geo"
	"jingge/geo/crs"
)

// OverlayProperties describe a special area or a key place. Lists leave
// the liaison out (they carry no personal data); single items carry it,
// the phone masked for callers who may not read it in full, as members'
// phones are.
type OverlayProperties struct {
	ID          string `json:"id"`
	Name        string `json:"name"`
	Kind        string `json:"kind"`
	KindZH      string `json:"kind_zh"`
	KindEN      string `json:"kind_en"`
	Station     string `json:"station"`
	StationName string `json:"station_name,omitempty"`
	// Liaison is the person to call, in single items only.
	Liaison *geo.Liaison `json:"liaison,omitempty"`
	Opening string       `json:"opening,omitempty"`
	// ValidFrom and ValidTo bound the feature's own period, in the
	// dataset's local time; left out when open.
	ValidFrom string `json:"valid_from,omitempty"`
	ValidTo   string `json:"valid_to,omitempty"`
	// InForce says whether the period holds now; lookups answer only
	// features in force.
	InForce bool `json:"in_force"`
	Version int  `json:"version"`
}

// overlayKind is what the area and place routes share about a kind of
// overlay.
type overlayKind struct {
	singular, plural string
	article          string // "an area", "a place"
	kinds            []string
}

var (
	areaOverlay  = overlayKind{"area", "areas", "an area", kindNames(geo.AreaKinds)}
	placeOverlay = overlayKind{"place", "places", "a place", kindNames(geo.PlaceKinds)}
)

func kindNames[K ~string](ks []K) []string {
	out := make([]string, len(ks))
	for i, k := range ks {
		out[i] = string(k)
	}
	return out
}

func (v *view) overlayProps(id, name, kind, zh, en, station string, opening string, val geo.Validity, version int, now time.Time) OverlayProperties {
	p := OverlayProperties{ID: id, Name: name, Kind: kind, KindZH: zh, KindEN: en, Station: station, Opening: opening,
		InForce: val.In(now), Version: version}
	if st := v.stRefs[station]; st != nil {
		p.StationName = st.Name
	}
	if !val.ValidFrom.IsZero() {
		p.ValidFrom = v.localTime(val.ValidFrom)
	}
	if !val.ValidTo.IsZero() {
		p.ValidTo = v.localTime(val.ValidTo)
	}
	return p
}

func (v *view) areaFeature(a *geo.Area, now time.Time) httpx.Feature[OverlayProperties] {
	p := v.overlayProps(a.ID, a.Name, string(a.Kind), a.Kind.LabelZH(), a.Kind.LabelEN(), a.StationID, a.Opening, a.Validity, a.Version, now)
	return httpx.NewFeature(a.ID, httpx.AreaGeometry(v.geometryWGS84(a.Geometry)), p)
}

func (v *view) placeFeature(p *geo.Place, now time.Time) httpx.Feature[OverlayProperties] {
	props := v.overlayProps(p.ID, p.Name, string(p.Kind), p.Kind.LabelZH(), p.Kind.LabelEN(), p.StationID, p.Opening, p.Validity, p.Version, now)
	return httpx.NewFeature(p.ID, crs.Convert(p.Location, v.datum, crs.WGS84), props)
}

// overlayFilter is the query of a list of areas or places.
type overlayFilter struct {
	bound   *orb.Bound // in the dataset's datum
	kind    string
	station string
}

// parseOverlayFilter reads bbox (WGS-84), kind and station, naming every
// bad one at once.
func (s *Server) parseOverlayFilter(q query, k overlayKind) (*view, overlayFilter, error) {
	var bad []httpx.InvalidParam
	var f overlayFilter
	var box *orb.Bound
	if text, ok := q.lookup("bbox"); ok {
		b, err := parseBBox(text)
		if err != nil {
			bad = append(bad, *err)
		} else {
			box = &b
		}
	}
	if text, ok := q.lookup("kind"); ok {
		kind, err := parseOverlayKind(k, text)
		if err != nil {
			bad = append(bad, httpx.InvalidParam{Name: "kind", Reason: err.Error()})
		}
		f.kind = kind
	}
	station, hasStation := q.lookup("station")
	if len(bad) > 0 {
		return nil, f, httpx.Invalid(bad...)
	}
	v, err := s.current()
	if err != nil {
		return nil, f, err
	}
	if hasStation {
		if _, ok := v.ix.Station(station); !ok {
			return nil, f, httpx.Invalid(httpx.InvalidParam{Name: "station", Reason: fmt.Sprintf("station must be the id of a station of the dataset (%s), got %q", stationIDs(v.ix), station)})
		}
		f.station = station
	}
	if box != nil {
		b := orb.Bound{Min: v.toDatum(box.Min, crs.WGS84), Max: v.toDatum(box.Max, crs.WGS84)}
		f.bound = &b
	}
	return v, f, nil
}

// parseOverlayKind reads a kind's code or Chinese name.
func parseOverlayKind(k overlayKind, text string) (string, error) {
	if k.singular == "area" {
		kind, err := geo.ParseAreaKind(text)
		if err != nil {
			return "", fmt.Errorf("kind must be one of %s (or its Chinese name), got %q", strings.Join(k.kinds, ", "), text)
		}
		return string(kind), nil
	}
	kind, err := geo.ParsePlaceKind(text)
	if err != nil {
		return "", fmt.Errorf("kind must be one of %s (or its Chinese name), got %q", strings.Join(k.kinds, ", "), text)
	}
	return string(kind), nil
}

func (s *Server) handleAreas(w http.ResponseWriter, r *http.Request, q query) error {
	v, f, err := s.parseOverlayFilter(q, areaOverlay)
	if err != nil {
		return err
	}
	now := time.Now()
	fc := httpx.FeatureCollection[OverlayProperties]{Type: "FeatureCollection", Features: []httpx.Feature[OverlayProperties]{}}
	areas := v.ix.Areas()
	for i := range areas {
		a := &areas[i]
		if (f.kind != "" && string(a.Kind) != f.kind) || (f.station != "" && a.StationID != f.station) ||
			(f.bound != nil && !v.ix.AreaIntersects(a, *f.bound)) {
			continue
		}
		fc.Features = append(fc.Features, v.areaFeature(a, now))
	}
	httpx.WriteJSON(w, r, s.logger, http.StatusOK, httpx.ContentTypeGeoJSON, fc)
	return nil
}

func (s *Server) handlePlaces(w http.ResponseWriter, r *http.Request, q query) error {
	v, f, err := s.parseOverlayFilter(q, placeOverlay)
	if err != nil {
		return err
	}
	now := time.Now()
	fc := httpx.FeatureCollection[OverlayProperties]{Type: "FeatureCollection", Features: []httpx.Feature[OverlayProperties]{}}
	places := v.ix.Places()
	for i := range places {
		p := &places[i]
		if (f.kind != "" && string(p.Kind) != f.kind) || (f.station != "" && p.StationID != f.station) ||
			(f.bound != nil && !f.bound.Contains(p.Location)) {
			continue
		}
		fc.Features = append(fc.Features, v.placeFeature(p, now))
	}
	httpx.WriteJSON(w, r, s.logger, http.StatusOK, httpx.ContentTypeGeoJSON, fc)
	return nil
}

func (s *Server) handleArea(w http.ResponseWriter, r *http.Request, _ query) error {
	v, err := s.current()
	if err != nil {
		return err
	}
	id := mux.Vars(r)["id"]
	a, ok := v.ix.Area(id)
	if !ok {
		return httpx.NotFound("there is no area with id %q; GET /api/v1/areas lists them", id)
	}
	f := v.areaFeature(a, time.Now())
	f.Properties.Liaison = &geo.Liaison{Name: a.Liaison.Name, Phone: phoneFor(r.Context(), a.Liaison.Phone)}
	httpx.WriteJSON(w, r, s.logger, http.StatusOK, httpx.ContentTypeGeoJSON, f)
	return nil
}

func (s *Server) handlePlace(w http.ResponseWriter, r *http.Request, _ query) error {
	v, err := s.current()
	if err != nil {
		return err
	}
	id := mux.Vars(r)["id"]
	p, ok := v.ix.Place(id)
	if !ok {
		return httpx.NotFound("there is no key place with id %q; GET /api/v1/places lists them", id)
	}
	f := v.placeFeature(p, time.Now())
	f.Properties.Liaison = &geo.Liaison{Name: p.Liaison.Name, Phone: phoneFor(r.Context(), p.Liaison.Phone)}
	httpx.WriteJSON(w, r, s.logger, http.StatusOK, httpx.ContentTypeGeoJSON, f)
	return nil
}
