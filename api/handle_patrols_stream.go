package api

import (
	"net/http"
)

// handlePatrolStream sends the positions stream
// (patrolling.Service.StreamPositions) until the client leaves, the
// server shuts down or the stream's credential no longer holds.
func (s *Server) handlePatrolStream(w http.ResponseWriter, r *http.Request, _ query) error {
	p := s.patrols
	if p.store == nil {
		return errNoPatrols(s)
	}
	if _, err := s.current(); err != nil {
		return err
	}
	// The hub's events are not sent here; subscribing tells the stream
	// when the server shuts down, like the event streams.
	sub, sw, err := s.openStream(w, r)
	if sw == nil {
		return err
	}
	cred := s.access.watchCredential(r)
	defer cred.stop()
	s.streamEnded(r, p.StreamPositions(r.Context(), sw, sub, cred.guard()))
	return nil
}
