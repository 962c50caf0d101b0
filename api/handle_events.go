package api

import (
	"context"
	"errors"
	"fmt"
	"jingge/api/httpx"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"time"

	"jingge/api/intake"
	"jingge/data"
	"jingge/geo/patrol"
)

// Event is a geofence event as the API sends it: in an event stream's
// data lines, in GET /api/v1/events as JSON, and to webhooks. Names are
// resolved against the dataset in force when it is sent.
type Event struct {
	ID          int64            `json:"id"`
	Kind        patrol.EventKind `json:"kind"`
	Officer     string           `json:"officer"`
	Name        string           `json:"name,omitempty"`
	At          time.Time        `json:"at"`
	Lon         float64          `json:"lon"` // WGS-84
	Lat         float64          `json:"lat"`
	Grid        string           `json:"grid,omitempty"`
	GridName    string           `json:"grid_name,omitempty"`
	PoliceGrid  string           `json:"police_grid,omitempty"`
	Station     string           `json:"station,omitempty"`
	StationName string           `json:"station_name,omitempty"`
	// Area and AreaName name the special area of overlay_enter and
	// overlay_leave, the name as it was when the event happened.
	Area     string `json:"area,omitempty"`
	AreaName string `json:"area_name,omitempty"`
}

// EventList answers GET /api/v1/events when JSON is asked for.
type EventList struct {
	Events []Event `json:"events"`
	// Last is the id of the last event listed, or the after parameter
	// when none is: pass it as after to read on.
	Last int64 `json:"last"`
	// Missed is set when events after the after given are no longer kept
	// (a store that keeps only recent ones): the list starts later.
	Missed *EventGap `json:"missed,omitempty"`
}

// EventGap says that the events after After and before Oldest are gone:
// a client that keeps state from events should read the current state
// (GET /api/v1/patrols) again. On the stream it is an event named "gap".
type EventGap struct {
	After  int64 `json:"after"`
	Oldest int64 `json:"oldest"`
}

// gapAfter returns the gap a client resuming after after would skip, or
// nil when the store still holds every event after it.
func (s *Server) gapAfter(ctx context.Context, after int64) (*EventGap, error) {
	h, ok := s.patrols.store.(data.EventHorizon)
	if !ok {
		return nil, nil
	}
	oldest, err := h.OldestEventID(ctx)
	if err != nil || after+1 >= oldest {
		return nil, err
	}
	return &EventGap{After: after, Oldest: oldest}, nil
}

// eventOf renders e with names from the view (v may be nil).
func eventOf(v *view, e patrol.Event) Event {
	out := Event{ID: e.ID, Kind: e.Kind, Officer: e.Officer, At: e.At.UTC(), Lon: e.Location[0], Lat: e.Location[1],
		Grid: e.GridID, PoliceGrid: e.PoliceGridID, Station: e.StationID, Area: e.AreaID, AreaName: e.AreaName}
	if v == nil {
		return out
	}
	ll := v.toWGS84(e.Location)
	out.Lon, out.Lat = ll[0], ll[1]
	if m, ok := v.ix.Member(e.Officer); ok {
		out.Name = m.Name
	}
	if g, ok := v.ix.Grid(e.GridID); ok {
		out.GridName = g.Name
	}
	if st, ok := v.ix.Station(e.StationID); ok {
		out.StationName = st.Name
	}
	return out
}

// Limits of GET /api/v1/events as JSON.
const (
	defaultEventList = 100
	maxEventList     = 1000
)

// streamRetry is the reconnection delay a stream tells EventSource clients.
const streamRetry = 3 * time.Second

// ParseLastEventID reads a Last-Event-ID header (or the after parameter):
// a decimal event id, 0 or more. Surrounding spaces are ignored.
func ParseLastEventID(text string) (int64, error) {
	t := strings.TrimSpace(text)
	id, err := strconv.ParseInt(t, 10, 64)
	if err != nil || id < 0 || t[0] == '+' {
		return 0, fmt.Errorf("must be an event id (a whole number of 0 or more, as sent in an event's id field), got %q", intake.Clip([]byte(text)))
	}
	return id, nil
}

// wantsEventStream reports whether the Accept header asks for an event
// stream rather than JSON.
func wantsEventStream(r *http.Request) bool {
	for _, part := range strings.Split(r.Header.Get("Accept"), ",") {
		if mt, _, err := mime.ParseMediaType(strings.TrimSpace(part)); err == nil && mt == httpx.ContentTypeEventStream {
			return true
		}
	}
	return false
}

func (s *Server) handleEvents(w http.ResponseWriter, r *http.Request, q query) error {
	p := s.patrols
	if p.store == nil {
		return errNoPatrols(s)
	}
	var after int64
	hasAfter := false
	var bad []httpx.InvalidParam
	if text, ok := q.lookup("after"); ok {
		id, err := ParseLastEventID(text)
		if err != nil {
			bad = append(bad, httpx.InvalidParam{Name: "after", Reason: "after " + err.Error()})
		}
		after, hasAfter = id, true
	}
	if text := r.Header.Get("Last-Event-ID"); text != "" {
		// A reconnecting EventSource sends the id it saw last: it wins over
		// the after it was first opened with.
		id, err := ParseLastEventID(text)
		if err != nil {
			bad = append(bad, httpx.InvalidParam{Name: "Last-Event-ID", Reason: "the Last-Event-ID header " + err.Error()})
		}
		after, hasAfter = id, true
	}
	limit := defaultEventList
	if text, ok := q.lookup("limit"); ok {
		n, err := strconv.Atoi(text)
		if err != nil || n < 1 || n > maxEventList {
			bad = append(bad, httpx.InvalidParam{Name: "limit", Reason: fmt.Sprintf("limit must be a whole number from 1 to %d, got %q", maxEventList, intake.Clip([]byte(text)))})
		}
		limit = n
	}
	if len(bad) > 0 {
		return httpx.Invalid(bad...)
	}
	if !wantsEventStream(r) {
		return s.listEvents(w, r, after, hasAfter, limit)
	}
	return s.streamEvents(w, r, after, hasAfter)
}

// listEvents answers with up to limit events after after; without after,
// the newest limit events.
func (s *Server) listEvents(w http.ResponseWriter, r *http.Request, after int64, hasAfter bool, limit int) error {
	ctx := r.Context()
	if !hasAfter {
		last, err := s.patrols.store.LastEventID(ctx)
		if err != nil {
			return err
		}
		after = max(0, last-int64(limit))
	}
	gap, err := s.gapAfter(ctx, after)
	if err != nil {
		return err
	}
	evs, err := s.patrols.store.EventsAfter(ctx, after, limit)
	if err != nil {
		return err
	}
	v, _ := s.current()
	out := EventList{Events: make([]Event, len(evs)), Last: after, Missed: gap}
	for i, e := range evs {
		out.Events[i] = eventOf(v, e)
		out.Last = e.ID
	}
	httpx.WriteJSON(w, r, s.logger, http.StatusOK, httpx.ContentTypeJSON, out)
	return nil
}

// streamEvents sends every event after after (without one: every event
// from now on) as Server-Sent Events until the client leaves or the
// server shuts down. Missed events are replayed from the store, then the
// stream follows the hub; a client too slow for the hub is caught up from
// the store again. Each event is sent once, in id order.
func (s *Server) streamEvents(w http.ResponseWriter, r *http.Request, after int64, hasAfter bool) error {
	p := s.patrols
	ctx := r.Context()
	last, err := p.store.LastEventID(ctx)
	if err != nil {
		return err
	}
	if !hasAfter || after > last {
		// An id from the future (another database, or one reset) would
		// hold back every event until ids caught up with it.
		after = last
	}
	sub, sw, err := s.openStream(w, r)
	if sw == nil {
		return err
	}
	heartbeat := time.NewTicker(p.opts.Heartbeat)
	defer heartbeat.Stop()
	cred := s.access.watchCredential(r)
	defer cred.stop()
	for {
		after, err = s.replay(ctx, sw, after)
		if err != nil {
			p.hub.unsubscribe(sub)
			s.streamEnded(r, err)
			return nil
		}
		after, err = s.follow(ctx, sw, sub, heartbeat.C, cred, after)
		if !errors.Is(err, errLagged) {
			p.hub.unsubscribe(sub)
			s.streamEnded(r, err)
			return nil
		}
		var ok bool
		if sub, ok = p.hub.subscribe(); !ok {
			_ = sw.Comment("server shutting down; reconnect")
			return nil
		}
	}
}

// openStream answers a HEAD with the headers GET would send (a stream has
// no end to send them before), or subscribes to the hub and starts an
// event stream on w. sw is nil when nothing more is to be sent: a HEAD, a
// server shutting down (err says so) or a client gone before the start.
func (s *Server) openStream(w http.ResponseWriter, r *http.Request) (sub *subscriber, sw *httpx.StreamWriter, err error) {
	if r.Method == http.MethodHead {
		w.Header().Set("Content-Type", httpx.ContentTypeEventStream)
		w.Header().Set("Cache-Control", "no-cache")
		w.WriteHeader(http.StatusOK)
		return nil, nil, nil
	}
	p := s.patrols
	sub, ok := p.hub.subscribe()
	if !ok {
		return nil, nil, &httpx.Problem{Kind: data.ErrUnavailable, Detail: "the server is shutting down; reconnect to another", RetryAfterSeconds: 1}
	}
	sw = httpx.NewStreamWriter(w, p.opts.WriteWait)
	if err := sw.Start(streamRetry); err != nil {
		p.hub.unsubscribe(sub)
		return nil, nil, nil
	}
	return sub, sw, nil
}

var (
	errLagged        = errors.New("api: stream client lagged")
	errStreamClosing = errors.New("api: server shutting down")
)

// replay sends the stored events after after, page by page, and returns
// the id of the last one sent.
func (s *Server) replay(ctx context.Context, sw *httpx.StreamWriter, after int64) (int64, error) {
	gap, err := s.gapAfter(ctx, after)
	if err != nil {
		return after, err
	}
	if gap != nil {
		if err := sw.Named("gap", gap); err != nil {
			return after, err
		}
	}
	for {
		evs, err := s.patrols.store.EventsAfter(ctx, after, eventPage)
		if err != nil {
			return after, err
		}
		v, _ := s.current()
		for _, e := range evs {
			if err := sw.Event(e.ID, eventOf(v, e)); err != nil {
				return after, err
			}
			after = e.ID
		}
		if len(evs) < eventPage {
			return after, nil
		}
	}
}

// follow sends the hub's events with ids above after, and heartbeats,
// until the client leaves, the hub drops it (errLagged) or closes, or the
// stream's credential no longer holds (an event named end says why).
func (s *Server) follow(ctx context.Context, sw *httpx.StreamWriter, sub *subscriber, heartbeat <-chan time.Time, cred *credentialWatch, after int64) (int64, error) {
	for {
		select {
		case <-ctx.Done():
			return after, ctx.Err()
		case <-cred.C():
			if end := cred.check(ctx); end != nil {
				_ = sw.Named("end", end)
				return after, errCredentialEnded
			}
		case <-heartbeat:
			if err := sw.Comment("heartbeat"); err != nil {
				return after, err
			}
		case e, ok := <-sub.ch:
			switch {
			case !ok && sub.lagged:
				return after, errLagged
			case !ok:
				_ = sw.Comment("server shutting down; reconnect")
				return after, errStreamClosing
			case e.ID <= after:
				continue
			}
			v, _ := s.current()
			if err := sw.Event(e.ID, eventOf(v, e)); err != nil {
				return after, err
			}
			after = e.ID
		}
	}
}

// streamEnded logs why a stream ended when it is worth knowing.
func (s *Server) streamEnded(r *http.Request, err error) {
	switch {
	case err == nil, errors.Is(err, context.Canceled), errors.Is(err, errStreamClosing):
	case errors.Is(err, errCredentialEnded):
		s.logger.InfoContext(r.Context(), "event stream ended: its credential no longer holds", "request_id", httpx.RequestIDFrom(r.Context()))
	case errors.Is(err, httpx.ErrStreamWrite):
		s.logger.InfoContext(r.Context(), "event stream client gone or too slow", "request_id", httpx.RequestIDFrom(r.Context()), "err", err)
	default:
		s.logger.WarnContext(r.Context(), "event stream ended", "request_id", httpx.RequestIDFrom(r.Context()), "err", err)
	}
}

// renderEvents names events against the dataset in force, for webhooks.
func (s *Server) renderEvents(evs []patrol.Event) []Event {
	v, _ := s.current()
	out := make([]Event, len(evs))
	for i, e := range evs {
		out[i] = eventOf(v, e)
	}
	return out
}
