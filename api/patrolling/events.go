package patrolling

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"jingge/api/intake"
	"jingge/data"
)

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

// Limits of GET /api/v1/events as JSON.
const (
	defaultEventList = 100
	maxEventList     = 1000
)

// EventQuery is where a client wants to read events from.
type EventQuery struct {
	// After is the id after which events are wanted; HasAfter is false
	// when the client gave none (a list then ends with the newest, a
	// stream starts now).
	After    int64
	HasAfter bool
	// Limit is the most events a list holds.
	Limit int
}

// QueryText is an event query as the client wrote it.
type QueryText struct {
	After       string
	HasAfter    bool
	LastEventID string // "" when not sent
	Limit       string
	HasLimit    bool
}

// ReadEventQuery reads q: a Last-Event-ID, which a reconnecting
// EventSource sends with the id it saw last, wins over after. Every bad
// input is named in one refusal.
func ReadEventQuery(q QueryText) (EventQuery, error) {
	out := EventQuery{Limit: defaultEventList}
	var bad []data.Param
	if q.HasAfter {
		id, err := ParseLastEventID(q.After)
		if err != nil {
			bad = append(bad, data.Param{Name: "after", Reason: "after " + err.Error()})
		}
		out.After, out.HasAfter = id, true
	}
	if q.LastEventID != "" {
		id, err := ParseLastEventID(q.LastEventID)
		if err != nil {
			bad = append(bad, data.Param{Name: "Last-Event-ID", Reason: "the Last-Event-ID header " + err.Error()})
		}
		out.After, out.HasAfter = id, true
	}
	if q.HasLimit {
		n, err := strconv.Atoi(q.Limit)
		if err != nil || n < 1 || n > maxEventList {
			bad = append(bad, data.Param{Name: "limit", Reason: fmt.Sprintf("limit must be a whole number from 1 to %d, got %q", maxEventList, intake.Clip([]byte(q.Limit)))})
		}
		out.Limit = n
	}
	if len(bad) > 0 {
		return out, data.InvalidParams(bad...)
	}
	return out, nil
}

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

// gapAfter returns the gap a client resuming after after would skip, or
// nil when the store still holds every event after it.
func (s *Service) gapAfter(ctx context.Context, after int64) (*EventGap, error) {
	h, ok := s.store.(data.EventHorizon)
	if !ok {
		return nil, nil
	}
	oldest, err := h.OldestEventID(ctx)
	if err != nil || after+1 >= oldest {
		return nil, err
	}
	return &EventGap{After: after, Oldest: oldest}, nil
}

// List returns up to q.Limit events after q.After; without After, the
// newest q.Limit events.
func (s *Service) List(ctx context.Context, q EventQuery) (EventList, error) {
	after := q.After
	if !q.HasAfter {
		last, err := s.store.LastEventID(ctx)
		if err != nil {
			return EventList{}, err
		}
		after = max(0, last-int64(q.Limit))
	}
	gap, err := s.gapAfter(ctx, after)
	if err != nil {
		return EventList{}, err
	}
	evs, err := s.store.EventsAfter(ctx, after, q.Limit)
	if err != nil {
		return EventList{}, err
	}
	out := EventList{Events: s.names().Events(evs), Last: after, Missed: gap}
	if len(evs) > 0 {
		out.Last = evs[len(evs)-1].ID
	}
	return out, nil
}
