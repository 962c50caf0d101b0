package api

import (
	"bytes"
	"encoding/json"
	"fmt"
	"jingge/api/httpx"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gorilla/mux"

	"jingge/api/intake"
	"jingge/api/planning"
	"jingge/api/prevention"
	"jingge/data"
	"jingge/geo"
	"jingge/geo/crs"
)

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

var checkpointOverlay = overlayKind{"checkpoint", "checkpoints", "a checkpoint", nil}

func (v *view) checkpointFeature(c *geo.Checkpoint) httpx.Feature[CheckpointProperties] {
	p := CheckpointProperties{ID: c.ID, Name: c.Name, Station: c.StationID, Road: c.Road, Notes: c.Notes, Version: c.Version}
	if st := v.stRefs[c.StationID]; st != nil {
		p.StationName = st.Name
	}
	return httpx.NewFeature(c.ID, crs.Convert(c.Location, v.datum, crs.WGS84), p)
}

func (s *Server) handleCheckpoints(w http.ResponseWriter, r *http.Request, q query) error {
	v, f, err := s.parseOverlayFilter(q, checkpointOverlay)
	if err != nil {
		return err
	}
	fc := httpx.FeatureCollection[CheckpointProperties]{Type: "FeatureCollection", Features: []httpx.Feature[CheckpointProperties]{}}
	cps := v.ix.Checkpoints()
	for i := range cps {
		c := &cps[i]
		if (f.station != "" && c.StationID != f.station) || (f.bound != nil && !f.bound.Contains(c.Location)) {
			continue
		}
		fc.Features = append(fc.Features, v.checkpointFeature(c))
	}
	httpx.WriteJSON(w, r, s.logger, http.StatusOK, httpx.ContentTypeGeoJSON, fc)
	return nil
}

func (s *Server) handleCheckpoint(w http.ResponseWriter, r *http.Request, _ query) error {
	v, err := s.current()
	if err != nil {
		return err
	}
	id := mux.Vars(r)["id"]
	c, ok := v.ix.Checkpoint(id)
	if !ok {
		return httpx.NotFound("there is no checkpoint with id %q; GET /api/v1/checkpoints lists them", id)
	}
	httpx.WriteJSON(w, r, s.logger, http.StatusOK, httpx.ContentTypeGeoJSON, v.checkpointFeature(c))
	return nil
}

// checkpointBodyJSON is the body of POST and PUT of a checkpoint: a
// GeoJSON Feature with a Point and the whole new content (PUT replaces).
type checkpointBodyJSON struct {
	Type        string                `json:"type"`
	ID          json.RawMessage       `json:"id"`
	Geometry    json.RawMessage       `json:"geometry"`
	Properties  *checkpointBodyFields `json:"properties"`
	BaseVersion *int                  `json:"base_version"`
	CRS         *string               `json:"crs"`
}

type checkpointBodyFields struct {
	Name    string `json:"name"`
	Station string `json:"station"`
	Road    string `json:"road"`
	Notes   string `json:"notes"`
}

// readCheckpointBody decodes and checks a checkpoint edit's body; every
// field at fault is named in one 400.
func (s *Server) readCheckpointBody(r *http.Request, pathID string) (geo.Checkpoint, int, error) {
	body, err := httpx.ReadJSONBody(r)
	if err != nil {
		return geo.Checkpoint{}, 0, err
	}
	if len(bytes.TrimSpace(body)) == 0 {
		return geo.Checkpoint{}, 0, httpx.InvalidBody(`the request body is empty; send a GeoJSON Feature {"type": "Feature", "id": "...", "geometry": {"type": "Point", ...}, "properties": {"name": ..., "station": ..., "road": ...}}`)
	}
	var b checkpointBodyJSON
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&b); err != nil {
		if rest, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
			name := strings.Trim(rest, `"`)
			return geo.Checkpoint{}, 0, httpx.Invalid(httpx.InvalidParam{Name: name, Reason: fmt.Sprintf("unknown member %q; a checkpoint is a Feature with id, geometry (a Point), properties (name, station, road, notes), base_version and crs", name)})
		}
		return geo.Checkpoint{}, 0, httpx.AsProblem(intake.JSONError(err))
	}
	v, err := s.current()
	if err != nil {
		return geo.Checkpoint{}, 0, err
	}
	var bad []httpx.InvalidParam
	fail := func(name, format string, args ...any) {
		bad = append(bad, httpx.InvalidParam{Name: name, Reason: fmt.Sprintf(format, args...)})
	}
	if b.Type != "Feature" {
		fail("type", `a checkpoint is a GeoJSON Feature: type must be "Feature", got %q`, intake.Clip([]byte(b.Type)))
	}
	in := &overlayInput{id: pathID}
	from := readOverlayHead(checkpointOverlay, &overlayBodyJSON{ID: b.ID, BaseVersion: b.BaseVersion, CRS: b.CRS}, pathID, in, fail)
	c := geo.Checkpoint{}
	if p := b.Properties; p == nil {
		fail("properties", "properties are required: name and station at least")
	} else {
		if strings.TrimSpace(p.Name) == "" {
			fail("properties.name", "name cannot be empty")
		}
		if _, ok := v.ix.Station(p.Station); !ok {
			fail("properties.station", "station must be the id of a station of the dataset (%s), got %q", stationIDs(v.ix), p.Station)
		}
		c = geo.Checkpoint{Name: p.Name, StationID: p.Station, Road: p.Road, Notes: p.Notes}
	}
	s.readOverlayGeometry(v, checkpointOverlay, b.Geometry, from, in, fail)
	if len(bad) > 0 {
		return geo.Checkpoint{}, 0, httpx.Invalid(bad...)
	}
	c.ID, c.Location = in.id, in.point
	return c, in.base, nil
}

// checkpointEditor returns the store's editor: a 503 before the first
// index, a 409 when the store takes no edits.
func (s *Server) checkpointEditor() (data.CheckpointEditor, error) {
	if _, err := s.current(); err != nil {
		return nil, err
	}
	if s.checkpoints == nil {
		return nil, &httpx.Problem{Kind: data.ErrReadOnly, Detail: "this server cannot edit checkpoints: its store takes no edits"}
	}
	return s.checkpoints, nil
}

func (s *Server) handleCreateCheckpoint(w http.ResponseWriter, r *http.Request, _ query) error {
	return s.putCheckpoint(w, r, "", true)
}

func (s *Server) handlePutCheckpoint(w http.ResponseWriter, r *http.Request, _ query) error {
	return s.putCheckpoint(w, r, mux.Vars(r)["id"], false)
}

func (s *Server) putCheckpoint(w http.ResponseWriter, r *http.Request, pathID string, create bool) error {
	ed, err := s.checkpointEditor()
	if err != nil {
		return err
	}
	c, base, err := s.readCheckpointBody(r, pathID)
	if err != nil {
		return err
	}
	got, err := ed.PutCheckpoint(r.Context(), data.CheckpointEdit{Checkpoint: c, Create: create, BaseVersion: base, Actor: actorOf(r)})
	if err != nil {
		return overlayEditProblem(err, checkpointOverlay, c.ID, create, base)
	}
	s.awaitEdit(r)
	v, err := s.current()
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, r, s.logger, editStatus(create), httpx.ContentTypeGeoJSON, v.checkpointFeature(&got))
	return nil
}

// handleDeleteCheckpoint takes a checkpoint out of force; base_version,
// when given, must be the version in force. The answer is 204.
func (s *Server) handleDeleteCheckpoint(w http.ResponseWriter, r *http.Request, q query) error {
	ed, err := s.checkpointEditor()
	if err != nil {
		return err
	}
	d := data.OverlayDelete{ID: mux.Vars(r)["id"], Actor: actorOf(r)}
	if text, ok := q.lookup("base_version"); ok {
		n, err := strconv.Atoi(text)
		if err != nil || n < 1 {
			return httpx.Invalid(httpx.InvalidParam{Name: "base_version", Reason: fmt.Sprintf("base_version must be a version number (1 or more), got %q", intake.Clip([]byte(text)))})
		}
		d.BaseVersion = n
	}
	if err := ed.DeleteCheckpoint(r.Context(), d); err != nil {
		return overlayEditProblem(err, checkpointOverlay, d.ID, false, d.BaseVersion)
	}
	s.awaitEdit(r)
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// handleCheckpointCoverage answers the checkpoint circle: minutes is
// required, spacing_km optional.
func (s *Server) handleCheckpointCoverage(w http.ResponseWriter, r *http.Request, q query) error {
	var minutes, spacing float64
	var bad []httpx.InvalidParam
	text, ok := q.lookup("minutes")
	if !ok {
		bad = append(bad, httpx.InvalidParam{Name: "minutes", Reason: "minutes is required: the time within which a checkpoint must reach an exit, e.g. minutes=10"})
	} else if n, err := strconv.ParseFloat(text, 64); err != nil {
		bad = append(bad, httpx.InvalidParam{Name: "minutes", Reason: fmt.Sprintf("minutes must be a number of minutes, got %q", intake.Clip([]byte(text)))})
	} else {
		minutes = n
	}
	if text, ok := q.lookup("spacing_km"); ok {
		n, err := strconv.ParseFloat(text, 64)
		if err != nil {
			bad = append(bad, httpx.InvalidParam{Name: "spacing_km", Reason: fmt.Sprintf("spacing_km must be a number of kilometres, got %q", intake.Clip([]byte(text)))})
		}
		spacing = n
	}
	if len(bad) > 0 {
		return httpx.Invalid(bad...)
	}
	out, err := s.planner.CheckpointCoverage(r.Context(), minutes, spacing)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, r, s.logger, http.StatusOK, httpx.ContentTypeJSON, out)
	return nil
}

func (s *Server) handleProposeCheckpoints(w http.ResponseWriter, r *http.Request, _ query) error {
	var req planning.ProposeCheckpointsRequest
	if err := decodeBody(r, &req); err != nil {
		return err
	}
	out, err := s.planner.ProposeCheckpoints(r.Context(), req)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, r, s.logger, http.StatusOK, httpx.ContentTypeJSON, out)
	return nil
}

// defaultIdentificationDays is how far back the identification circle
// reads visits when days is not given.
const defaultIdentificationDays = 90

// handleIdentification answers a station's identification circle: its key
// places and areas, whether each has a liaison and when it was last
// visited.
func (s *Server) handleIdentification(w http.ResponseWriter, r *http.Request, q query) error {
	station, ok := q.lookup("station")
	var bad []httpx.InvalidParam
	if !ok || station == "" {
		bad = append(bad, httpx.InvalidParam{Name: "station", Reason: "station is required: the id of the station whose circle to show"})
	}
	days := defaultIdentificationDays
	if text, ok := q.lookup("days"); ok {
		n, err := strconv.Atoi(text)
		if err != nil || n < 1 || n > 366 {
			bad = append(bad, httpx.InvalidParam{Name: "days", Reason: fmt.Sprintf("days must be a whole number of days from 1 to 366, got %q", intake.Clip([]byte(text)))})
		}
		days = n
	}
	if len(bad) > 0 {
		return httpx.Invalid(bad...)
	}
	v, err := s.current()
	if err != nil {
		return err
	}
	now := time.Now()
	out, err := prevention.Identify(r.Context(), v.ix, s.visits, station, now.AddDate(0, 0, -days), now)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, r, s.logger, http.StatusOK, httpx.ContentTypeJSON, out)
	return nil
}
