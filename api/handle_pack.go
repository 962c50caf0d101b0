package api

import (
	"errors"
	"jingge/api/httpx"
	"net/http"
	"strconv"

	"jingge/api/pack"
)

// handlePack answers GET /api/v1/pack: the offline pack of a station
// (station=, by default the signed-in officer's), its members' phone
// numbers as the caller may see them. The version is the ETag, so a page
// checking for a newer pack gets a 304 while the grids are unchanged.
func (s *Server) handlePack(w http.ResponseWriter, r *http.Request, q query) error {
	v, err := s.current()
	if err != nil {
		return err
	}
	station, given := q.lookup("station")
	if given {
		if _, ok := v.ix.Station(station); !ok {
			return httpx.NotFound("there is no station with id %q; GET /api/v1/stations lists them", station)
		}
	} else {
		station = s.callerStation(r, v)
	}
	body, err := v.packs.Get(station, fullPhones(r.Context()))
	if errors.Is(err, pack.ErrStationRequired) {
		return httpx.Invalid(httpx.InvalidParam{Name: "station", Reason: "station is required: the county is too large for one pack and you are not an officer linked to a station; give the id of a station (GET /api/v1/stations lists them)"})
	}
	if err != nil {
		return err
	}
	etag := `"` + body.Version + `"`
	h := w.Header()
	h.Set("ETag", etag)
	if inm := r.Header.Get("If-None-Match"); inm != "" && httpx.ETagListMatches(inm, etag) {
		w.WriteHeader(http.StatusNotModified)
		return nil
	}
	h.Set("Content-Type", httpx.ContentTypeJSON)
	h.Set("Content-Length", strconv.Itoa(len(body.JSON)))
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(body.JSON)
	return nil
}

// callerStation is the station of the signed-in officer's member record,
// or "" for callers who are not officers linked to a member.
func (s *Server) callerStation(r *http.Request, v *view) string {
	p, ok := principalFrom(r.Context())
	if !ok || p.user.OfficerID == "" {
		return ""
	}
	m, ok := v.ix.Member(p.user.OfficerID)
	if !ok {
		return ""
	}
	if m.StationID != "" {
		return m.StationID
	}
	for _, gid := range m.GridIDs {
		if g, ok := v.ix.Grid(gid); ok {
			return g.StationID
		}
	}
	return ""
}
