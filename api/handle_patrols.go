package api

import (
	"fmt"
	"io"
	"jingge/api/httpx"
	"math"
	"net/http"
	"strings"
	"time"

	"github.com/gorilla/mux"
	"github.com/paulmach/orb"

	"jingge/api/intake"
	"jingge/data"
	"jingge/geo"
	"jingge/geo/patrol"
)

// maxKeyBytes bounds the Idempotency-Key of a ping batch.
const maxKeyBytes = data.MaxBatchKeyBytes

// PingResponse answers POST /api/v1/patrols/pings once the pings are
// committed.
type PingResponse struct {
	Accepted int `json:"accepted"`
	// Outside counts accepted pings that lie in no grid.
	Outside int `json:"outside"`
	// Replayed is set when the Idempotency-Key was committed before: the
	// pings were not stored again, and Events is empty.
	Replayed bool `json:"replayed"`
	// Events are the geofence events the pings caused.
	Events []Event `json:"events"`
}

// errNoPatrols answers patrol routes on a server without a patrol store.
func errNoPatrols(s *Server) error {
	return &httpx.Problem{Kind: data.ErrUnavailable, Detail: "this server keeps no patrol data", RetryAfterSeconds: s.retryAfterSeconds}
}

func (s *Server) handlePings(w http.ResponseWriter, r *http.Request, q query) error {
	p := s.patrols
	if p.store == nil {
		return errNoPatrols(s)
	}
	key, err := requestKey(r)
	if err != nil {
		return err
	}
	if err := httpx.CheckJSONContentType(r); err != nil {
		return err
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		return httpx.BodyError(err)
	}
	queryCRS, hasQueryCRS, err := queryCRSText(q)
	if err != nil {
		return err
	}
	crsRaw, parsed, err := parsePingBody(body, s.maxBatchPoints)
	if err != nil {
		return err
	}
	from, err := batchCRS(crsRaw, queryCRS, hasQueryCRS)
	if err != nil {
		return err
	}
	v, err := s.current()
	if err != nil {
		return err
	}
	rules := p.rulesFor(v.ix)
	now := p.opts.Now()
	pings := make([]geo.Ping, len(parsed))
	var bad []httpx.InvalidParam
	badCount := 0
	for i := range parsed {
		pp := &parsed[i]
		if len(pp.errs) == 0 {
			if _, err := rules.Officer(pp.officer); err != nil {
				pp.bad(".officer", strings.TrimPrefix(err.Error(), patrol.ErrUnknownOfficer.Error()+": "))
			}
			switch {
			case pp.at.After(now.Add(p.opts.MaxPingAhead)):
				pp.bad(".at", fmt.Sprintf("%s is %s ahead of the server's clock (%s); at most %s ahead is accepted", pp.at.Format(time.RFC3339), pp.at.Sub(now).Round(time.Second), now.UTC().Format(time.RFC3339), p.opts.MaxPingAhead))
			case pp.at.Before(now.Add(-p.opts.MaxPingAge)):
				pp.bad(".at", fmt.Sprintf("%s is older than %s; pings that old are not accepted", pp.at.Format(time.RFC3339), p.opts.MaxPingAge))
			}
		}
		if len(pp.errs) > 0 {
			badCount++
			for _, e := range pp.errs {
				if len(bad) < intake.MaxReported {
					name := pingName(i, e.Name)
					bad = append(bad, httpx.InvalidParam{Name: name, Reason: name + " " + e.Reason})
				}
			}
			continue
		}
		pings[i] = geo.Ping{
			OfficerID: pp.officer, At: pp.at,
			Location: v.toDatum(orb.Point{pp.lon, pp.lat}, from),
			SpeedMPS: pp.speed, HeadingDeg: pp.heading,
		}
	}
	if badCount > 0 {
		pr := httpx.Invalid(bad...)
		pr.Detail = fmt.Sprintf("%d of %d pings are invalid (nothing was stored): %s", badCount, len(parsed), pr.Detail)
		return pr
	}
	// An officer signed in may post only their own positions.
	if err := checkOwnPings(r, func(yield func(string) bool) {
		for i := range pings {
			if !yield(pings[i].OfficerID) {
				return
			}
		}
	}); err != nil {
		return err
	}
	outside := patrol.Attribute(v.ix, pings)
	res, err := p.store.RecordPings(r.Context(), data.PingBatch{Key: key, Scope: keyScope(r.Context()), Pings: pings, Rules: rules})
	if err != nil {
		return httpx.AboutParam(err, headerIdempotencyKey)
	}
	p.committed(res.States, res.Events)
	if !res.Replayed {
		s.metrics.pings.Add(float64(len(pings)))
		s.metrics.traffic.pingsCommitted(pings, p.opts.Now())
	}
	resp := PingResponse{Accepted: len(pings), Outside: outside, Replayed: res.Replayed, Events: make([]Event, len(res.Events))}
	for i, e := range res.Events {
		resp.Events[i] = eventOf(v, e)
	}
	httpx.WriteJSON(w, r, s.logger, http.StatusOK, httpx.ContentTypeJSON, resp)
	return nil
}

// requestKey is the request's Idempotency-Key ("" for none), refused
// when it is too long or not printable ASCII.
func requestKey(r *http.Request) (string, error) {
	key := r.Header.Get(headerIdempotencyKey)
	return key, checkKey(key)
}

// checkKey refuses an idempotency key that is too long or not printable ASCII.
func checkKey(key string) error {
	if len(key) > maxKeyBytes {
		return httpx.Invalid(httpx.InvalidParam{Name: headerIdempotencyKey, Reason: fmt.Sprintf("the %s header is %d bytes long; at most %d", headerIdempotencyKey, len(key), maxKeyBytes)})
	}
	for i := 0; i < len(key); i++ {
		if key[i] < 0x21 || key[i] > 0x7e {
			return httpx.Invalid(httpx.InvalidParam{Name: headerIdempotencyKey, Reason: "the " + headerIdempotencyKey + " header must be printable ASCII without spaces, e.g. a UUID"})
		}
	}
	return nil
}

// PatrolProperties describe an officer on the map of GET /api/v1/patrols.
type PatrolProperties struct {
	Officer     string    `json:"officer"`
	Name        string    `json:"name"`
	Role        geo.Role  `json:"role"`
	RoleZH      string    `json:"role_zh"`
	Station     string    `json:"station,omitempty"`
	StationName string    `json:"station_name,omitempty"`
	Grid        string    `json:"grid,omitempty"` // the grid the officer is in; absent outside every grid
	GridName    string    `json:"grid_name,omitempty"`
	PoliceGrid  string    `json:"police_grid,omitempty"`
	At          time.Time `json:"at"`          // time of the latest position
	AgeSeconds  float64   `json:"age_seconds"` // how old it is now
	SpeedMPS    *float64  `json:"speed_mps"`   // null when the device did not say
	HeadingDeg  *float64  `json:"heading_deg"`
	// Status is "moving" (speed at least MovingSpeedMPS), "stopped", or
	// "silent" (no position for SilentAfter).
	Status string `json:"status"`
	// InArea reports whether the officer is inside their assigned area.
	InArea bool `json:"in_area"`
}

// patrolStatus names what a state says about the officer at now.
func (p *patrols) status(st patrol.State, now time.Time) string {
	switch {
	case st.Silent, p.opts.SilentAfter > 0 && now.Sub(st.Last.At) >= p.opts.SilentAfter:
		return "silent"
	case st.Last.SpeedMPS >= p.opts.MovingSpeedMPS:
		return "moving"
	}
	return "stopped"
}

func optional(v float64) *float64 {
	if math.IsNaN(v) {
		return nil
	}
	return &v
}

// patrolProperties describes st for the map; the station and grid come
// from the latest position, the station falling back to the officer's own.
func (s *Server) patrolProperties(v *view, st patrol.State, now time.Time) PatrolProperties {
	pr := PatrolProperties{
		Officer: st.Officer, At: st.Last.At.UTC(), AgeSeconds: math.Max(0, now.Sub(st.Last.At).Seconds()),
		SpeedMPS: optional(st.Last.SpeedMPS), HeadingDeg: optional(st.Last.HeadingDeg),
		Status: s.patrols.status(st, now), InArea: st.InArea, Grid: st.Last.GridID,
	}
	if m, ok := v.ix.Member(st.Officer); ok {
		pr.Name, pr.Role, pr.RoleZH, pr.Station = m.Name, m.Role, m.Role.LabelZH(), m.StationID
	}
	if g, ok := v.ix.Grid(st.Last.GridID); ok {
		pr.GridName = g.Name
		pr.PoliceGrid = g.ID
		if g.Level == geo.CommunityLevel {
			pr.PoliceGrid = g.ParentID
		}
	}
	if st, ok := v.ix.Station(pr.Station); ok {
		pr.StationName = st.Name
	}
	return pr
}

func (s *Server) handlePatrols(w http.ResponseWriter, r *http.Request, q query) error {
	p := s.patrols
	if p.store == nil {
		return errNoPatrols(s)
	}
	v, err := s.current()
	if err != nil {
		return err
	}
	station, hasStation := q.lookup("station")
	if hasStation {
		if _, ok := v.ix.Station(station); !ok {
			return httpx.Invalid(httpx.InvalidParam{Name: "station", Reason: fmt.Sprintf("there is no station with id %q; GET /api/v1/stations lists them", station)})
		}
	}
	now := p.opts.Now()
	fc := httpx.FeatureCollection[PatrolProperties]{Type: "FeatureCollection", Features: []httpx.Feature[PatrolProperties]{}}
	for _, st := range p.board.States() {
		props := s.patrolProperties(v, st, now)
		if hasStation && props.Station != station {
			continue
		}
		fc.Features = append(fc.Features, httpx.NewFeature(st.Officer, v.toWGS84(st.Last.Location), props))
	}
	w.Header().Set("Cache-Control", "no-store")
	httpx.WriteJSON(w, r, s.logger, http.StatusOK, httpx.ContentTypeGeoJSON, fc)
	return nil
}

// Track limits.
const (
	defaultTrackWindow = 8 * time.Hour
	maxTrackWindow     = 7 * 24 * time.Hour
	maxTrackPoints     = 100000
)

// TrackProperties describe the LineString feature of a track.
type TrackProperties struct {
	Officer   string    `json:"officer"`
	Name      string    `json:"name"`
	From      time.Time `json:"from"`
	To        time.Time `json:"to"`
	Points    int       `json:"points"`
	DistanceM float64   `json:"distance_m"` // along the track
	// Truncated is set when the period holds more than the points
	// returned (the first ones are); ask for a shorter period.
	Truncated bool `json:"truncated"`
}

// TrackPointProperties describe one position of a track.
type TrackPointProperties struct {
	At         time.Time `json:"at"`
	SpeedMPS   *float64  `json:"speed_mps"`
	HeadingDeg *float64  `json:"heading_deg"`
	Grid       string    `json:"grid,omitempty"`
}

func (s *Server) handleTrack(w http.ResponseWriter, r *http.Request, q query) error {
	p := s.patrols
	if p.store == nil {
		return errNoPatrols(s)
	}
	v, err := s.current()
	if err != nil {
		return err
	}
	officer := mux.Vars(r)["officer"]
	m, err := p.rulesFor(v.ix).Officer(officer)
	if err != nil {
		return httpx.NotFound("%s; GET /api/v1/patrols lists officers on patrol", strings.TrimPrefix(err.Error(), patrol.ErrUnknownOfficer.Error()+": "))
	}
	from, to, err := trackWindow(q, p.opts.Now(), p.opts.MaxPingAhead)
	if err != nil {
		return err
	}
	pings, truncated, err := p.store.Track(r.Context(), officer, from, to, maxTrackPoints)
	if err != nil {
		return err
	}
	line := make(orb.LineString, len(pings))
	features := make([]httpx.Feature[any], 0, len(pings)+1)
	dist := 0.0
	for i, pg := range pings {
		line[i] = v.toWGS84(pg.Location)
		if i > 0 {
			dist += geo.DistanceMeters(line[i-1], line[i])
		}
		features = append(features, httpx.NewFeature[any](officer+"@"+pg.At.UTC().Format(time.RFC3339Nano), line[i],
			TrackPointProperties{At: pg.At.UTC(), SpeedMPS: optional(pg.SpeedMPS), HeadingDeg: optional(pg.HeadingDeg), Grid: pg.GridID}))
	}
	var g orb.Geometry
	if len(line) >= 2 {
		g = line
	}
	head := httpx.NewFeature[any](officer, g, TrackProperties{Officer: officer, Name: m.Name, From: from.UTC(), To: to.UTC(), Points: len(pings), DistanceM: math.Round(dist*10) / 10, Truncated: truncated})
	fc := httpx.FeatureCollection[any]{Type: "FeatureCollection", Features: append([]httpx.Feature[any]{head}, features...)}
	httpx.WriteJSON(w, r, s.logger, http.StatusOK, httpx.ContentTypeGeoJSON, fc)
	return nil
}

// trackWindow reads from and to (RFC 3339): to defaults to now (plus the
// clock skew pings may have, so the latest ping is in), from to 8 hours
// before to; the window may not exceed 7 days.
func trackWindow(q query, now time.Time, skew time.Duration) (from, to time.Time, err error) {
	var bad []httpx.InvalidParam
	parse := func(name string) (time.Time, bool) {
		text, ok := q.lookup(name)
		if !ok {
			return time.Time{}, false
		}
		t, err := time.Parse(time.RFC3339Nano, text)
		if err != nil {
			bad = append(bad, httpx.InvalidParam{Name: name, Reason: fmt.Sprintf("%s must be an RFC 3339 time with a zone, e.g. 2025-05-01T08:00:00+08:00, got %q", name, intake.Clip([]byte(text)))})
			return time.Time{}, false
		}
		return t, true
	}
	to, hasTo := parse("to")
	from, hasFrom := parse("from")
	if len(bad) > 0 {
		return from, to, httpx.Invalid(bad...)
	}
	if !hasTo {
		to = now.Add(skew)
	}
	if !hasFrom {
		from = to.Add(-defaultTrackWindow)
	}
	switch {
	case !from.Before(to):
		return from, to, httpx.Invalid(httpx.InvalidParam{Name: "from", Reason: "from must be before to"})
	case to.Sub(from) > maxTrackWindow:
		return from, to, httpx.Invalid(httpx.InvalidParam{Name: "from", Reason: fmt.Sprintf("the period from %s to %s is longer than %s; ask for a shorter one", from.Format(time.RFC3339), to.Format(time.RFC3339), maxTrackWindow)})
	}
	return from, to, nil
}
