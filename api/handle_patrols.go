package api

import (
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/paulmach/orb"

	"jingge/api/httpx"
	"jingge/api/patrolling"
	"jingge/data"
)

// maxKeyBytes bounds the Idempotency-Key of a ping batch.
const maxKeyBytes = data.MaxBatchKeyBytes

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
	batch, err := patrolling.ReadPings(body, s.maxBatchPoints, checkJSONText)
	if err != nil {
		return httpx.AsProblem(err)
	}
	from, err := batchCRS(batch.CRS(), queryCRS, hasQueryCRS)
	if err != nil {
		return err
	}
	v, err := s.current()
	if err != nil {
		return err
	}
	pings, err := p.Check(batch, v.names(), func(pt orb.Point) orb.Point { return v.toDatum(pt, from) })
	if err != nil {
		return httpx.AsProblem(err)
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
	resp, err := p.Record(r.Context(), v.names(), key, keyScope(r.Context()), pings)
	if err != nil {
		return httpx.AboutParam(err, headerIdempotencyKey)
	}
	if !resp.Replayed {
		s.metrics.Pings.Add(float64(len(pings)))
		s.metrics.Traffic.PingsCommitted(pings, p.opts.Now())
	}
	httpx.WriteJSON(w, r, s.logger, http.StatusOK, httpx.ContentTypeJSON, resp)
	return nil
}

// checkJSONText refuses JSON text the API does not take although
// encoding/json would (httpx.CheckJSONText).
func checkJSONText(body []byte) error {
	if bad := httpx.CheckJSONText(body); len(bad) > 0 {
		return httpx.Invalid(bad...)
	}
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
	if _, ok := v.ix.Station(station); hasStation && !ok {
		return httpx.Invalid(httpx.InvalidParam{Name: "station", Reason: fmt.Sprintf("there is no station with id %q; GET /api/v1/stations lists them", station)})
	}
	fc := httpx.FeatureCollection[patrolling.PatrolProperties]{Type: "FeatureCollection", Features: []httpx.Feature[patrolling.PatrolProperties]{}}
	for _, o := range p.OnPatrol(v.names(), station) {
		fc.Features = append(fc.Features, httpx.NewFeature(o.ID, o.Location, o.Properties))
	}
	w.Header().Set("Cache-Control", "no-store")
	httpx.WriteJSON(w, r, s.logger, http.StatusOK, httpx.ContentTypeGeoJSON, fc)
	return nil
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
	officer := httpx.PathVar(r, "officer")
	m, err := p.Officer(v.names(), officer)
	if err != nil {
		return httpx.AsProblem(err)
	}
	fromText, hasFrom := q.lookup("from")
	toText, hasTo := q.lookup("to")
	from, to, err := p.TrackWindow(fromText, hasFrom, toText, hasTo, v.ix.Location())
	if err != nil {
		return httpx.AsProblem(err)
	}
	t, err := p.Track(r.Context(), v.names(), officer, m.Name, from, to)
	if err != nil {
		return err
	}
	var g orb.Geometry
	if len(t.Line) >= 2 {
		g = t.Line
	}
	fc := httpx.FeatureCollection[any]{Type: "FeatureCollection", Features: make([]httpx.Feature[any], 0, len(t.Points)+1)}
	fc.Features = append(fc.Features, httpx.NewFeature[any](officer, g, t.Properties))
	for i, pt := range t.Points {
		fc.Features = append(fc.Features, httpx.NewFeature[any](officer+"@"+pt.At.Format(time.RFC3339Nano), t.Line[i], pt))
	}
	httpx.WriteJSON(w, r, s.logger, http.StatusOK, httpx.ContentTypeGeoJSON, fc)
	return nil
}
