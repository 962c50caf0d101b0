package api

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"

	"jingge/api/httpx"
	"jingge/api/intake"
	"jingge/data"
	"jingge/geo"
	"jingge/geo/topo"
)

// gridEditJSON is the body of PUT /api/v1/grids/{id}: a GeoJSON Feature
// whose members left out keep the grid's current values.
type gridEditJSON struct {
	Type        string          `json:"type"`
	ID          json.RawMessage `json:"id"`
	Geometry    json.RawMessage `json:"geometry"`
	Properties  *gridEditProps  `json:"properties"`
	BaseVersion *int            `json:"base_version"`
	Reason      *string         `json:"reason"`
	CRS         *string         `json:"crs"`
}

type gridEditProps struct {
	Name       *string `json:"name"`
	Population *int    `json:"population"`
	Station    *string `json:"station"`
	Parent     *string `json:"parent"`
	Township   *string `json:"township"`
	// Terrain sets the grid's own terrain; "" clears it (the grid then
	// takes its police grid's or its station's).
	Terrain *geo.Terrain `json:"terrain"`
}

// GridVersionProperties describe the version of a grid an edit put in
// force.
type GridVersionProperties struct {
	ID         string    `json:"id"`
	Version    int       `json:"version"`
	ValidFrom  string    `json:"valid_from"`
	Level      geo.Level `json:"level"`
	Name       string    `json:"name"`
	Station    string    `json:"station"`
	Parent     string    `json:"parent"`
	Township   string    `json:"township"`
	Population int       `json:"population"`
	// Terrain is the grid's own terrain, "" when it takes its police
	// grid's or its station's.
	Terrain geo.Terrain `json:"terrain"`
}

// editAttempts bounds the retries of an edit without base_version, made
// against the version read just before, when another edit lands between.
const editAttempts = 2

func (s *Server) handleEditGrid(w http.ResponseWriter, r *http.Request, _ query) error {
	if s.inc.editor == nil || s.inc.timeline == nil {
		return &httpx.Problem{Kind: data.ErrReadOnly, Detail: "this server cannot edit grids: its store takes no edits"}
	}
	id := httpx.PathVar(r, "id")
	body, err := httpx.ReadJSONBody(r)
	if err != nil {
		return err
	}
	edit, geom, err := s.readGridEdit(body, id)
	if err != nil {
		return err
	}
	key, err := answerKey(r, body)
	if err != nil {
		return err
	}
	if done, err := s.answerKept(w, r, key); done || err != nil {
		return err
	}
	v, err := s.current()
	if err != nil {
		return err
	}
	// The answer is made from the view before the edit: what it takes of
	// the view (the datum, the time zone) no grid edit changes.
	var kept data.Answer
	answer := func(gv data.GridVersion) data.Answer {
		kept = jsonAnswer(r, http.StatusOK, httpx.ContentTypeGeoJSON, v.gridVersionFeature(gv))
		return kept
	}
	gv, err := s.commitGridEdit(r, id, edit, geom, key, answer)
	if replayed(w, err) {
		return nil
	}
	if err != nil {
		return err
	}
	s.awaitGridEdit(r, id)
	if key != nil {
		writeAnswer(w, kept)
		return nil
	}
	if v, err = s.current(); err != nil {
		return err
	}
	httpx.WriteJSON(w, r, s.logger, http.StatusOK, httpx.ContentTypeGeoJSON, v.gridVersionFeature(gv))
	return nil
}

// gridVersionFeature is the answer to an edit that put gv in force.
func (v *view) gridVersionFeature(gv data.GridVersion) httpx.Feature[GridVersionProperties] {
	props := GridVersionProperties{
		ID: gv.Grid.ID, Version: gv.Version, ValidFrom: v.localTime(gv.ValidFrom), Level: gv.Grid.Level, Name: gv.Grid.Name,
		Station: gv.Grid.StationID, Parent: gv.Grid.ParentID, Township: gv.Grid.Township, Population: gv.Grid.Population,
		Terrain: gv.Grid.Terrain,
	}
	return httpx.NewFeature(gv.Grid.ID, httpx.AreaGeometry(v.geometryWGS84(gv.Grid.Geometry)), props)
}

// readGridEdit decodes body, the edit of grid id, checks that a body id
// agrees with the path and converts a new geometry from the body's crs
// into the dataset's datum.
func (s *Server) readGridEdit(body []byte, id string) (*gridEdit, orb.MultiPolygon, error) {
	edit, geom, err := decodeGridEdit(body)
	if err != nil {
		return nil, nil, err
	}
	var crsText string
	if edit.CRS != nil {
		crsText = *edit.CRS
	}
	from, err := parseCRS("crs", crsText)
	if err != nil {
		return nil, nil, err
	}
	var bodyID string
	if len(edit.ID) > 0 && string(edit.ID) != "null" && (json.Unmarshal(edit.ID, &bodyID) != nil || bodyID != id) {
		return nil, nil, httpx.Invalid(httpx.InvalidParam{Name: "id", Reason: fmt.Sprintf("the body's id %s differs from the grid %q in the path; leave it out or make them agree", intake.Clip(edit.ID), id)})
	}
	if geom != nil {
		v, err := s.current()
		if err != nil {
			return nil, nil, err
		}
		for _, poly := range geom {
			for _, ring := range poly {
				for i := range ring {
					ring[i] = v.toDatum(ring[i], from)
				}
			}
		}
	}
	return edit, geom, nil
}

// commitGridEdit applies edit to the version of grid id in force and
// stores it. Without base_version, an edit that loses a race with another
// is made again against the newer version (editAttempts in all); with one,
// the conflict is the client's to resolve.
//
// With a key, the store keeps answer's answer in the edit's commit, and
// a retry fails with its *data.Replay (or a KeyConflict), passed back
// unchanged.
func (s *Server) commitGridEdit(r *http.Request, id string, edit *gridEdit, geom orb.MultiPolygon, key *data.AnswerKey, answer func(data.GridVersion) data.Answer) (data.GridVersion, error) {
	reason := ""
	if edit.Reason != nil {
		reason = *edit.Reason
	}
	for attempt := 1; ; attempt++ {
		cur, err := s.currentVersion(r, id)
		if err != nil {
			return data.GridVersion{}, err
		}
		g := cur.Grid
		edit.apply(&g, geom)
		base := cur.Version
		if edit.BaseVersion != nil {
			base = *edit.BaseVersion
		}
		e := data.GridEdit{Grid: g, BaseVersion: base, Actor: actorOf(r), Reason: reason}
		if key != nil {
			e.Key, e.Answer = key, answer
		}
		gv, err := s.inc.editor.EditGrid(r.Context(), e)
		switch {
		case data.IsKeyed(err):
			return data.GridVersion{}, err
		case errors.Is(err, data.ErrConflict) && edit.BaseVersion == nil && attempt < editAttempts:
			continue
		case errors.Is(err, data.ErrConflict):
			now, herr := s.currentVersion(r, id)
			if herr != nil {
				return data.GridVersion{}, herr
			}
			return data.GridVersion{}, &httpx.Problem{Kind: data.ErrConflict, Cause: err, Detail: fmt.Sprintf("grid %s is at version %d, but the edit was made against version %d; GET it again and send the edit against version %d", id, now.Version, base, now.Version),
				Extra: map[string]any{"current_version": now.Version}}
		case err != nil:
			return data.GridVersion{}, gridEditProblem(err, id)
		}
		return gv, nil
	}
}

// indexWaitLimit bounds how long a grid edit waits for this server's
// index to hold it before answering anyway: the edit has committed, and
// the index follows it on the next reload that succeeds.
const indexWaitLimit = 30 * time.Second

// awaitEdit waits until the index in force holds the edit just committed,
// so a read on this server after the answer sees it (read-your-writes;
// docs/architecture.md). A reload that fails or outlasts indexWaitLimit is
// logged, not answered: the edit itself succeeded.
func (s *Server) awaitEdit(r *http.Request) { s.awaitWith(r, s.awaitIndex) }

// awaitGridEdit is awaitEdit for an edit of grid id alone: it waits on
// AwaitGrids where set, which reads that grid and costs the size of the
// edit, not of the dataset.
func (s *Server) awaitGridEdit(r *http.Request, id string) {
	if s.awaitGrids == nil {
		s.awaitEdit(r)
		return
	}
	s.awaitWith(r, func(ctx context.Context) error { return s.awaitGrids(ctx, id) })
}

// awaitWith runs await, if any, bounded by indexWaitLimit, and logs its
// failure.
func (s *Server) awaitWith(r *http.Request, await func(context.Context) error) {
	if await == nil {
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), indexWaitLimit)
	defer cancel()
	if err := await(ctx); err != nil {
		s.logger.WarnContext(r.Context(), "a grid edit committed, but this server's index does not hold it yet", "err", err)
	}
}

// currentVersion returns the version of grid id in force, from the
// store, so an edit never builds on a stale copy.
func (s *Server) currentVersion(r *http.Request, id string) (data.GridVersion, error) {
	hist, err := s.inc.timeline.GridHistory(r.Context(), id)
	if errors.Is(err, data.ErrNotFound) {
		return data.GridVersion{}, httpx.NotFound("there is no grid with id %q; GET /api/v1/grids lists them", id)
	}
	if err != nil {
		return data.GridVersion{}, err
	}
	last := hist[len(hist)-1]
	if !last.ValidTo.IsZero() {
		return data.GridVersion{}, httpx.NotFound("grid %s was retired at %s; only grids in force can be edited", id, last.ValidTo.In(s.zone()).Format(time.RFC3339Nano))
	}
	return last, nil
}

// gridEdit is a decoded edit: the members given, and the geometry in the
// dataset's datum when one was given.
type gridEdit struct{ gridEditJSON }

func (e *gridEdit) apply(g *geo.Grid, geom orb.MultiPolygon) {
	if p := e.Properties; p != nil {
		if p.Name != nil {
			g.Name = *p.Name
		}
		if p.Population != nil {
			g.Population = *p.Population
		}
		if p.Station != nil {
			g.StationID = *p.Station
		}
		if p.Parent != nil {
			g.ParentID = *p.Parent
		}
		if p.Township != nil {
			g.Township = *p.Township
		}
		if p.Terrain != nil {
			g.Terrain = *p.Terrain
		}
	}
	if geom != nil {
		g.Geometry = geom
	}
}

// decodeGridEdit reads the body of a grid edit and checks what can be
// checked without the store: its shape, a valid geometry (returned in the
// request's crs), sane numbers.
func decodeGridEdit(body []byte) (*gridEdit, orb.MultiPolygon, error) {
	if len(bytes.TrimSpace(body)) == 0 {
		return nil, nil, httpx.InvalidBody(`the request body is empty; send a GeoJSON Feature {"type": "Feature", "geometry": {...}, "properties": {"name": ...}, "base_version": 3}`)
	}
	var e gridEdit
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&e.gridEditJSON); err != nil {
		if rest, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
			name := strings.Trim(rest, `"`)
			return nil, nil, httpx.Invalid(httpx.InvalidParam{Name: name, Reason: fmt.Sprintf("unknown member %q; an edit is a Feature with geometry, properties (name, population, station, parent, township, terrain), base_version, reason and crs", name)})
		}
		return nil, nil, httpx.AsProblem(intake.JSONError(err))
	}
	var bad []httpx.InvalidParam
	if e.Type != "Feature" {
		bad = append(bad, httpx.InvalidParam{Name: "type", Reason: fmt.Sprintf(`an edit is a GeoJSON Feature: type must be "Feature", got %q`, intake.Clip([]byte(e.Type)))})
	}
	if e.BaseVersion != nil && *e.BaseVersion < 1 {
		bad = append(bad, httpx.InvalidParam{Name: "base_version", Reason: fmt.Sprintf("base_version must be a version number (1 or more), got %d", *e.BaseVersion)})
	}
	if p := e.Properties; p != nil && p.Population != nil && *p.Population < 0 {
		bad = append(bad, httpx.InvalidParam{Name: "properties.population", Reason: fmt.Sprintf("population cannot be negative, got %d", *p.Population)})
	}
	if p := e.Properties; p != nil && p.Terrain != nil && *p.Terrain != "" && !p.Terrain.Valid() {
		bad = append(bad, httpx.InvalidParam{Name: "properties.terrain", Reason: fmt.Sprintf("terrain must be mountain, plateau, plain or hill (or \"\" for the station's), got %q", *p.Terrain)})
	}
	if p := e.Properties; p != nil && p.Name != nil && strings.TrimSpace(*p.Name) == "" {
		bad = append(bad, httpx.InvalidParam{Name: "properties.name", Reason: "name cannot be empty"})
	}
	var geom orb.MultiPolygon
	if len(e.Geometry) > 0 && string(e.Geometry) != "null" {
		g, err := geojson.UnmarshalGeometry(e.Geometry)
		if err != nil {
			bad = append(bad, httpx.InvalidParam{Name: "geometry", Reason: fmt.Sprintf("geometry is not a GeoJSON geometry: %v", err)})
		} else {
			switch x := g.Geometry().(type) {
			case orb.Polygon:
				geom = orb.MultiPolygon{x}
			case orb.MultiPolygon:
				geom = x
			default:
				bad = append(bad, httpx.InvalidParam{Name: "geometry", Reason: fmt.Sprintf("a grid's geometry is a Polygon or MultiPolygon, got a %s", g.Type)})
			}
		}
	}
	if geom != nil {
		if err := topo.ValidateMultiPolygon(geom); err != nil {
			bad = append(bad, httpx.InvalidParam{Name: "geometry", Reason: "geometry is not a valid area: " + strings.ReplaceAll(err.Error(), "topo: ", "")})
		}
	}
	if len(bad) > 0 {
		return nil, nil, httpx.Invalid(bad...)
	}
	return &e, geom, nil
}

// gridEditProblem maps an edit's failure: content problems become a 400
// listing each, an unknown grid a 404; anything else goes to the mapping
// in httpx/errors.go.
func gridEditProblem(err error, id string) error {
	var verr *data.ValidationError
	if errors.As(err, &verr) {
		params := make([]httpx.InvalidParam, 0, len(verr.Problems))
		for _, p := range verr.Problems {
			params = append(params, httpx.InvalidParam{Name: p.Kind + " " + p.ID, Reason: p.String()})
		}
		pr := httpx.Invalid(params...)
		pr.Cause = err
		pr.Detail = "the edit was refused, the grid is unchanged: " + pr.Detail
		return pr
	}
	if errors.Is(err, data.ErrNotFound) {
		return httpx.NotFound("there is no grid with id %q in force", id)
	}
	return err
}
