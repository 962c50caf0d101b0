package api

import (
	"context"
	"fmt"
	"jingge/api/httpx"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/gorilla/mux"
	"github.com/paulmach/orb"

	"jingge/api/intake"
	"jingge/data"
	"jingge/geo"
)

// ogcSelection is what an items request of an index collection selects.
type ogcSelection struct {
	bound   *orb.Bound // WGS-84
	station string
	// at, when set, asks for the grids in force at that instant.
	at *time.Time
}

func (s *Server) handleOGCItems(w http.ResponseWriter, r *http.Request, q query) error {
	ctype, err := ogcFormat(q, httpx.ContentTypeGeoJSON)
	if err != nil {
		return err
	}
	v, err := s.current()
	if err != nil {
		return err
	}
	c, ok := ogcIndexCollection(mux.Vars(r)["collectionId"])
	if !ok {
		return s.noCollection(r)
	}
	sel, limit, offset, bad := s.parseOGCItems(q, c, v)
	if len(bad) > 0 {
		return httpx.Invalid(bad...)
	}
	feats, err := s.ogcFeatures(r.Context(), v, c, sel)
	if err != nil {
		return err
	}
	start := min(offset, len(feats))
	page := feats[start : start+min(limit, len(feats)-start)]
	out := OGCFeatureCollection{Type: "FeatureCollection", Features: page, TimeStamp: time.Now().UTC().Format(time.RFC3339), NumberMatched: len(feats), NumberReturned: len(page)}
	out.Links = ogcPageLinks(r, ctype)
	if start+len(page) < len(feats) {
		next := r.URL.Query()
		next.Set("offset", strconv.Itoa(start+len(page)))
		next.Set("limit", strconv.Itoa(limit))
		out.Links = append(out.Links, Link{Rel: "next", Href: ogcBase(r) + "/collections/" + c.id + "/items?" + next.Encode(), Type: ctype})
	}
	if out.Features == nil {
		out.Features = []httpx.Feature[any]{}
	}
	httpx.WriteJSON(w, r, s.logger, http.StatusOK, ctype, out)
	return nil
}

// ogcPageLinks are the self and alternate links of an items page in
// ctype: the same page as GeoJSON and as plain JSON.
func ogcPageLinks(r *http.Request, ctype string) []Link {
	self := ogcBase(r) + r.URL.Path[len(ogcRoot):]
	withF := func(f string) string {
		vals := r.URL.Query()
		vals.Set("f", f)
		return self + "?" + vals.Encode()
	}
	selfHref := self
	if r.URL.RawQuery != "" {
		selfHref += "?" + r.URL.RawQuery
	}
	other, otherF := httpx.ContentTypeJSON, "json"
	if ctype == httpx.ContentTypeJSON {
		other, otherF = httpx.ContentTypeGeoJSON, "geojson"
	}
	return []Link{{Rel: "self", Href: selfHref, Type: ctype}, {Rel: "alternate", Href: withF(otherF), Type: other}}
}

// parseOGCItems reads the selection and paging of an items request of c.
func (s *Server) parseOGCItems(q query, c ogcCollectionInfo, v *view) (ogcSelection, int, int, []httpx.InvalidParam) {
	var sel ogcSelection
	var bad []httpx.InvalidParam
	if text, ok := q.lookup("bbox"); ok {
		b, err := parseBBox(text)
		if err != nil {
			bad = append(bad, *err)
		} else {
			sel.bound = &b
		}
	}
	if text, ok := q.lookup("station"); ok {
		if !c.stationProperty {
			bad = append(bad, httpx.InvalidParam{Name: "station", Reason: fmt.Sprintf("collection %s has no station property; station= selects grids, stations and incidents", c.id)})
		} else if _, known := v.ix.Station(text); !known {
			bad = append(bad, httpx.InvalidParam{Name: "station", Reason: fmt.Sprintf("station must be the id of a station of the dataset (%s), got %q", stationIDs(v.ix), intake.Clip([]byte(text)))})
		}
		sel.station = text
	}
	if text, ok := q.lookup("datetime"); ok {
		iv, err := parseDatetime(text, v.ix.Location())
		switch {
		case err != nil:
			bad = append(bad, *err)
		case !c.temporal:
			bad = append(bad, httpx.InvalidParam{Name: "datetime", Reason: fmt.Sprintf("collection %s has no time; datetime= applies to %s, %s and %s", c.id, ogcCommunityGrids, ogcPoliceGrids, ogcIncidents)})
		case !iv.Instant:
			bad = append(bad, httpx.InvalidParam{Name: "datetime", Reason: "the grids take one instant or date (the grids in force then), not an interval"})
		case s.inc.timeline == nil:
			bad = append(bad, httpx.InvalidParam{Name: "datetime", Reason: "this server keeps no grid history, so it serves only the grids in force now; leave datetime out"})
		default:
			sel.at = &iv.From
		}
	}
	limit, err := ogcLimit(q, ogcDefaultLimit, ogcMaxLimit)
	if err != nil {
		bad = append(bad, *err)
	}
	offset, err := ogcOffset(q)
	if err != nil {
		bad = append(bad, *err)
	}
	return sel, limit, offset, bad
}

// ogcFeatures returns every feature of c that sel selects, in a stable
// order (the dataset's, or id order for regions and townships).
func (s *Server) ogcFeatures(ctx context.Context, v *view, c ogcCollectionInfo, sel ogcSelection) ([]httpx.Feature[any], error) {
	var out []httpx.Feature[any]
	switch c.id {
	case ogcCommunityGrids, ogcPoliceGrids:
		if sel.at != nil {
			past, err := s.viewAt(ctx, *sel.at)
			if err != nil {
				return nil, err
			}
			v = past
		}
		f := geo.GridFilter{Level: geo.CommunityLevel, Station: sel.station}
		if c.id == ogcPoliceGrids {
			f.Level = geo.PoliceLevel
		}
		if sel.bound != nil {
			f.Bound = &orb.Bound{Min: v.toDatum(sel.bound.Min, "wgs84"), Max: v.toDatum(sel.bound.Max, "wgs84")}
		}
		for _, g := range v.ix.Grids(f) {
			gf := v.gridFeature(g)
			out = append(out, httpx.Feature[any]{Type: gf.Type, ID: gf.ID, Geometry: gf.Geometry, Properties: gf.Properties})
		}
	case ogcStations:
		stations := v.ix.Stations()
		for i := range stations {
			st := &stations[i]
			if sel.station != "" && st.ID != sel.station {
				continue
			}
			pt := v.stationPoint(st)
			if sel.bound != nil && (pt == nil || !sel.bound.Contains(pt.(orb.Point))) {
				continue
			}
			out = append(out, httpx.NewFeature[any](st.ID, pt, v.stationProperties(st)))
		}
	case ogcRegions, ogcTownships:
		if err := s.tilesReady(); err != nil {
			return nil, err
		}
		src := s.tiles.Source()
		if src == nil {
			return nil, &httpx.Problem{Kind: data.ErrUnavailable, Detail: "no dataset is loaded yet; retry shortly", RetryAfterSeconds: s.retryAfterSeconds}
		}
		areas, _ := src.Areas(c.id)
		for _, a := range areas {
			if sel.bound != nil && !geo.MultiPolygonIntersectsBound(a.Geometry, geo.Prepare(a.Geometry), *sel.bound) {
				continue
			}
			out = append(out, httpx.NewFeature[any](a.ID, httpx.AreaGeometry(a.Geometry), map[string]any(a.Properties)))
		}
	}
	return out, nil
}

// viewAt is the view of the grids in force at t, from the grid history.
func (s *Server) viewAt(ctx context.Context, t time.Time) (*view, error) {
	ds, err := s.inc.timeline.SnapshotAt(ctx, t)
	if err != nil {
		return nil, fmt.Errorf("api: the grids at %s: %w", t.Format(time.RFC3339), err)
	}
	ix, err := geo.NewIndex(ds)
	if err != nil {
		return nil, fmt.Errorf("api: the grids at %s: %w", t.Format(time.RFC3339), err)
	}
	return newView(ix)
}

func (s *Server) handleOGCItem(w http.ResponseWriter, r *http.Request, q query) error {
	ctype, err := ogcFormat(q, httpx.ContentTypeGeoJSON)
	if err != nil {
		return err
	}
	v, err := s.current()
	if err != nil {
		return err
	}
	c, ok := ogcIndexCollection(mux.Vars(r)["collectionId"])
	if !ok {
		return s.noCollection(r)
	}
	feats, err := s.ogcFeatures(r.Context(), v, c, ogcSelection{})
	if err != nil {
		return err
	}
	id := mux.Vars(r)["featureId"]
	for _, f := range feats {
		if f.ID == id {
			writeOGCFeature(w, r, s, ctype, c.id, f)
			return nil
		}
	}
	return httpx.NotFound("collection %s has no feature %q; GET %s/collections/%s/items lists them", c.id, id, ogcRoot, c.id)
}

// writeOGCFeature answers one item with its self and collection links.
func writeOGCFeature(w http.ResponseWriter, r *http.Request, s *Server, ctype, collection string, f httpx.Feature[any]) {
	coll := ogcBase(r) + "/collections/" + collection
	out := OGCFeature{Feature: f, Links: []Link{
		{Rel: "self", Href: coll + "/items/" + url.PathEscape(f.ID), Type: ctype},
		{Rel: "collection", Href: coll, Type: httpx.ContentTypeJSON},
	}}
	httpx.WriteJSON(w, r, s.logger, http.StatusOK, ctype, out)
}
