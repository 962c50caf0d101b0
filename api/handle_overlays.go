package api

import (
	"context"
	"jingge/api/httpx"
	"net/http"
	"time"

	"github.com/gorilla/mux"

	"jingge/api/overlays"
	"jingge/geo"
	"jingge/geo/crs"
)

// The routes of areas, key places and checkpoints: package overlays reads,
// checks, selects and edits them; these encode them as GeoJSON.

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

// CheckpointProperties describe a checkpoint (查控点). A checkpoint names
// no person, so lists and single items carry the same properties.
type CheckpointProperties struct {
	ID          string `json:"id"`
	Name        string `json:"name"`
	Station     string `json:"station"`
	StationName string `json:"station_name,omitempty"`
	Road        string `json:"road,omitempty"`
	Notes       string `json:"notes,omitempty"`
	Version     int    `json:"version"`
}

// newOverlays wires the overlay service to this server's index and editors.
func (s *Server) newOverlays(cfg Config) *overlays.Service {
	return overlays.New(overlays.Options{Index: s.indexInForce, Overlays: cfg.Overlays, Checkpoints: cfg.Checkpoints})
}

// indexInForce is the index in force and its datum, for the application
// packages; before the first index it is the 503 of current.
func (s *Server) indexInForce() (*geo.Index, crs.CRS, error) {
	v, err := s.current()
	if err != nil {
		return nil, "", err
	}
	return v.ix, v.datum, nil
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

func (v *view) checkpointFeature(c *geo.Checkpoint) httpx.Feature[CheckpointProperties] {
	p := CheckpointProperties{ID: c.ID, Name: c.Name, Station: c.StationID, Road: c.Road, Notes: c.Notes, Version: c.Version}
	if st := v.stRefs[c.StationID]; st != nil {
		p.StationName = st.Name
	}
	return httpx.NewFeature(c.ID, crs.Convert(c.Location, v.datum, crs.WGS84), p)
}

// withLiaison is the single item f of an area or place with its liaison,
// the phone as the caller of ctx may read it.
func withLiaison(ctx context.Context, f httpx.Feature[OverlayProperties], l geo.Liaison) httpx.Feature[OverlayProperties] {
	f.Properties.Liaison = &geo.Liaison{Name: l.Name, Phone: phoneFor(ctx, l.Phone)}
	return f
}

// listOverlays answers a list of the overlays that sel selects, each as
// feature encodes it.
func listOverlays[T, P any](s *Server, w http.ResponseWriter, r *http.Request, sel func(func(string) (string, bool)) ([]T, error), q query, feature func(v *view, t *T) httpx.Feature[P]) error {
	items, err := sel(q.lookup)
	if err != nil {
		return err
	}
	v, err := s.current()
	if err != nil {
		return err
	}
	fc := httpx.FeatureCollection[P]{Type: "FeatureCollection", Features: make([]httpx.Feature[P], len(items))}
	for i := range items {
		fc.Features[i] = feature(v, &items[i])
	}
	httpx.WriteJSON(w, r, s.logger, http.StatusOK, httpx.ContentTypeGeoJSON, fc)
	return nil
}

func (s *Server) handleAreas(w http.ResponseWriter, r *http.Request, q query) error {
	now := time.Now()
	return listOverlays(s, w, r, s.overlays.Areas, q, func(v *view, a *geo.Area) httpx.Feature[OverlayProperties] { return v.areaFeature(a, now) })
}

func (s *Server) handlePlaces(w http.ResponseWriter, r *http.Request, q query) error {
	now := time.Now()
	return listOverlays(s, w, r, s.overlays.Places, q, func(v *view, p *geo.Place) httpx.Feature[OverlayProperties] { return v.placeFeature(p, now) })
}

func (s *Server) handleCheckpoints(w http.ResponseWriter, r *http.Request, q query) error {
	return listOverlays(s, w, r, s.overlays.Checkpoints, q, (*view).checkpointFeature)
}

// getOverlay answers the single item the path names: found by find, or a
// 404 saying where the list is.
func getOverlay[T, P any](s *Server, w http.ResponseWriter, r *http.Request, what, list string, find func(ix *geo.Index, id string) (*T, bool), feature func(v *view, t *T) httpx.Feature[P]) error {
	v, err := s.current()
	if err != nil {
		return err
	}
	id := mux.Vars(r)["id"]
	t, ok := find(v.ix, id)
	if !ok {
		return httpx.NotFound("there is no %s with id %q; GET /api/v1/%s lists them", what, id, list)
	}
	httpx.WriteJSON(w, r, s.logger, http.StatusOK, httpx.ContentTypeGeoJSON, feature(v, t))
	return nil
}

func (s *Server) handleArea(w http.ResponseWriter, r *http.Request, _ query) error {
	return getOverlay(s, w, r, "area", "areas", (*geo.Index).Area, func(v *view, a *geo.Area) httpx.Feature[OverlayProperties] {
		return withLiaison(r.Context(), v.areaFeature(a, time.Now()), a.Liaison)
	})
}

func (s *Server) handlePlace(w http.ResponseWriter, r *http.Request, _ query) error {
	return getOverlay(s, w, r, "key place", "places", (*geo.Index).Place, func(v *view, p *geo.Place) httpx.Feature[OverlayProperties] {
		return withLiaison(r.Context(), v.placeFeature(p, time.Now()), p.Liaison)
	})
}

func (s *Server) handleCheckpoint(w http.ResponseWriter, r *http.Request, _ query) error {
	return getOverlay(s, w, r, "checkpoint", "checkpoints", (*geo.Index).Checkpoint, (*view).checkpointFeature)
}
