package api

import (
	"context"
	"jingge/api/httpx"
	"net/http"
	"time"

	"github.com/gorilla/mux"

	"jingge/api/overlays"
	"jingge/geo"
)

// putOverlay answers a POST (create, 201) or PUT (200) of an overlay of
// kind k: package overlays checks and stores it; the answer waits until
// this server's index holds it (read-your-writes) and is the feature as
// stored.
func putOverlay[T, P any](s *Server, w http.ResponseWriter, r *http.Request, k *overlays.Kind, create bool,
	put func(ctx context.Context, body []byte, pathID string, create bool, actor string) (T, error), feature func(v *view, t *T) httpx.Feature[P]) error {
	if err := s.overlays.Editable(k); err != nil {
		return err
	}
	body, err := httpx.ReadJSONBody(r)
	if err != nil {
		return err
	}
	got, err := put(r.Context(), body, mux.Vars(r)["id"], create, actorOf(r))
	if err != nil {
		return err
	}
	s.awaitEdit(r)
	v, err := s.current()
	if err != nil {
		return err
	}
	status := http.StatusOK
	if create {
		status = http.StatusCreated
	}
	httpx.WriteJSON(w, r, s.logger, status, httpx.ContentTypeGeoJSON, feature(v, &got))
	return nil
}

func (s *Server) putArea(w http.ResponseWriter, r *http.Request, create bool) error {
	return putOverlay(s, w, r, overlays.Areas, create, s.overlays.PutArea, func(v *view, a *geo.Area) httpx.Feature[OverlayProperties] {
		return withLiaison(r.Context(), v.areaFeature(a, time.Now()), a.Liaison)
	})
}

func (s *Server) putPlace(w http.ResponseWriter, r *http.Request, create bool) error {
	return putOverlay(s, w, r, overlays.Places, create, s.overlays.PutPlace, func(v *view, p *geo.Place) httpx.Feature[OverlayProperties] {
		return withLiaison(r.Context(), v.placeFeature(p, time.Now()), p.Liaison)
	})
}

func (s *Server) putCheckpoint(w http.ResponseWriter, r *http.Request, create bool) error {
	return putOverlay(s, w, r, overlays.Checkpoints, create, s.overlays.PutCheckpoint, (*view).checkpointFeature)
}

func (s *Server) handleCreateArea(w http.ResponseWriter, r *http.Request, _ query) error {
	return s.putArea(w, r, true)
}

func (s *Server) handlePutArea(w http.ResponseWriter, r *http.Request, _ query) error {
	return s.putArea(w, r, false)
}

func (s *Server) handleCreatePlace(w http.ResponseWriter, r *http.Request, _ query) error {
	return s.putPlace(w, r, true)
}

func (s *Server) handlePutPlace(w http.ResponseWriter, r *http.Request, _ query) error {
	return s.putPlace(w, r, false)
}

func (s *Server) handleCreateCheckpoint(w http.ResponseWriter, r *http.Request, _ query) error {
	return s.putCheckpoint(w, r, true)
}

func (s *Server) handlePutCheckpoint(w http.ResponseWriter, r *http.Request, _ query) error {
	return s.putCheckpoint(w, r, false)
}

// deleteOverlay takes an overlay of kind k out of force; base_version,
// when given, must be the version in force. The answer is 204.
func (s *Server) deleteOverlay(w http.ResponseWriter, r *http.Request, q query, k *overlays.Kind) error {
	if err := s.overlays.Editable(k); err != nil {
		return err
	}
	if err := s.overlays.Delete(r.Context(), k, mux.Vars(r)["id"], actorOf(r), q.lookup); err != nil {
		return err
	}
	s.awaitEdit(r)
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) handleDeleteArea(w http.ResponseWriter, r *http.Request, q query) error {
	return s.deleteOverlay(w, r, q, overlays.Areas)
}

func (s *Server) handleDeletePlace(w http.ResponseWriter, r *http.Request, q query) error {
	return s.deleteOverlay(w, r, q, overlays.Places)
}

func (s *Server) handleDeleteCheckpoint(w http.ResponseWriter, r *http.Request, q query) error {
	return s.deleteOverlay(w, r, q, overlays.Checkpoints)
}
