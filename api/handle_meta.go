package api

import (
	"jingge/api/httpx"
	"net/http"
	"time"

	"github.com/paulmach/orb"

	"jingge/api/meta"
	"jingge/data"
)

func (s *Server) handleRegions(w http.ResponseWriter, r *http.Request, _ query) error {
	v, err := s.current()
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, r, s.logger, http.StatusOK, httpx.ContentTypeJSON, meta.RegionsOf(v.ix))
	return nil
}

func (s *Server) handleDataset(w http.ResponseWriter, r *http.Request, _ query) error {
	v, err := s.current()
	if err != nil {
		return err
	}
	var bounds *orb.Bound
	if v.hasGrids {
		bounds = &v.bounds
	}
	httpx.WriteJSON(w, r, s.logger, http.StatusOK, httpx.ContentTypeJSON, meta.Describe(v.ix, v.datumName, v.counts, bounds, time.Now()))
	return nil
}

func (s *Server) handleHealthz(w http.ResponseWriter, r *http.Request, _ query) error {
	httpx.WriteJSON(w, r, s.logger, http.StatusOK, httpx.ContentTypeJSON, meta.Health{Status: "ok"})
	return nil
}

func (s *Server) handleReadyz(w http.ResponseWriter, r *http.Request, _ query) error {
	ix := s.live.Load()
	if ix == nil {
		return &httpx.Problem{Kind: data.ErrUnavailable, Detail: "no dataset is loaded yet; the server is starting or cannot reach its store", RetryAfterSeconds: s.retryAfterSeconds}
	}
	httpx.WriteJSON(w, r, s.logger, http.StatusOK, httpx.ContentTypeJSON, meta.ReadyOf(ix))
	return nil
}
