package api

import (
	"context"
	"errors"
	"mime"
	"net/http"
	"strings"
	"time"

	"jingge/api/httpx"
	"jingge/api/patrolling"
	"jingge/data"
)

// streamRetry is the reconnection delay a stream tells EventSource clients.
const streamRetry = 3 * time.Second

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
	var qt patrolling.QueryText
	qt.After, qt.HasAfter = q.lookup("after")
	qt.Limit, qt.HasLimit = q.lookup("limit")
	qt.LastEventID = r.Header.Get("Last-Event-ID")
	eq, err := patrolling.ReadEventQuery(qt)
	if err != nil {
		return httpx.AsProblem(err)
	}
	if !wantsEventStream(r) {
		list, err := p.List(r.Context(), eq)
		if err != nil {
			return err
		}
		httpx.WriteJSON(w, r, s.logger, http.StatusOK, httpx.ContentTypeJSON, list)
		return nil
	}
	after, err := p.StreamFrom(r.Context(), eq)
	if err != nil {
		return err
	}
	sub, sw, err := s.openStream(w, r)
	if sw == nil {
		return err
	}
	cred := s.access.watchCredential(r)
	defer cred.stop()
	s.streamEnded(r, p.StreamEvents(r.Context(), sw, sub, after, cred.guard()))
	return nil
}

// openStream answers a HEAD with the headers GET would send (a stream has
// no end to send them before), or subscribes to the hub and starts an
// event stream on w. sw is nil when nothing more is to be sent: a HEAD, a
// server shutting down (err says so) or a client gone before the start.
func (s *Server) openStream(w http.ResponseWriter, r *http.Request) (sub *patrolling.Subscriber, sw *httpx.StreamWriter, err error) {
	if r.Method == http.MethodHead {
		w.Header().Set("Content-Type", httpx.ContentTypeEventStream)
		w.Header().Set("Cache-Control", "no-cache")
		w.WriteHeader(http.StatusOK)
		return nil, nil, nil
	}
	p := s.patrols
	sub, ok := p.Hub().Subscribe()
	if !ok {
		return nil, nil, &httpx.Problem{Kind: data.ErrUnavailable, Detail: "the server is shutting down; reconnect to another", RetryAfterSeconds: 1}
	}
	sw = httpx.NewStreamWriter(w, p.opts.WriteWait)
	if err := sw.Start(streamRetry); err != nil {
		p.Hub().Unsubscribe(sub)
		return nil, nil, nil
	}
	return sub, sw, nil
}

// streamEnded logs why a stream ended when it is worth knowing.
func (s *Server) streamEnded(r *http.Request, err error) {
	switch {
	case err == nil, errors.Is(err, context.Canceled), errors.Is(err, patrolling.ErrStreamClosing):
	case errors.Is(err, patrolling.ErrStreamEnded):
		s.logger.InfoContext(r.Context(), "event stream ended: its credential no longer holds", "request_id", httpx.RequestIDFrom(r.Context()))
	case errors.Is(err, httpx.ErrStreamWrite):
		s.logger.InfoContext(r.Context(), "event stream client gone or too slow", "request_id", httpx.RequestIDFrom(r.Context()), "err", err)
	default:
		s.logger.WarnContext(r.Context(), "event stream ended", "request_id", httpx.RequestIDFrom(r.Context()), "err", err)
	}
}
