package overlayroutes

import (
	"context"
	"net/http"

	"jingge/api/httpx"
	"jingge/api/overlays"
	"jingge/geo"
)

// list answers the overlays sel selects, each as feature writes it.
func list[T, P any](rt *Routes, w http.ResponseWriter, r *http.Request, q Query, sel func(Query) ([]T, error), feature func(*view, *T) httpx.Feature[P]) error {
	items, err := sel(q)
	if err != nil {
		return err
	}
	v, err := rt.current()
	if err != nil {
		return err
	}
	fc := httpx.FeatureCollection[P]{Type: "FeatureCollection", Features: make([]httpx.Feature[P], len(items))}
	for i := range items {
		fc.Features[i] = feature(v, &items[i])
	}
	httpx.WriteJSON(w, r, rt.o.Logger, http.StatusOK, httpx.ContentTypeGeoJSON, fc)
	return nil
}

// Areas answers GET /api/v1/areas.
func (rt *Routes) Areas(w http.ResponseWriter, r *http.Request, q Query) error {
	return list(rt, w, r, q, rt.o.Service.Areas, (*view).area)
}

// Places answers GET /api/v1/places.
func (rt *Routes) Places(w http.ResponseWriter, r *http.Request, q Query) error {
	return list(rt, w, r, q, rt.o.Service.Places, (*view).place)
}

// Checkpoints answers GET /api/v1/checkpoints.
func (rt *Routes) Checkpoints(w http.ResponseWriter, r *http.Request, q Query) error {
	return list(rt, w, r, q, rt.o.Service.Checkpoints, (*view).checkpoint)
}

// get answers the single item the path names, found by find, or a 404
// saying where the list is.
func get[T, P any](rt *Routes, w http.ResponseWriter, r *http.Request, what, plural string, find func(*geo.Index, string) (*T, bool), feature func(*view, *T) httpx.Feature[P]) error {
	v, err := rt.current()
	if err != nil {
		return err
	}
	id := httpx.PathVar(r, "id")
	t, ok := find(v.ix, id)
	if !ok {
		return httpx.NotFound("there is no %s with id %q; GET /api/v1/%s lists them", what, id, plural)
	}
	httpx.WriteJSON(w, r, rt.o.Logger, http.StatusOK, httpx.ContentTypeGeoJSON, feature(v, t))
	return nil
}

// Area answers GET /api/v1/areas/{id}, with its liaison.
func (rt *Routes) Area(w http.ResponseWriter, r *http.Request, _ Query) error {
	return get(rt, w, r, "area", "areas", (*geo.Index).Area, rt.areaItem(r.Context()))
}

// Place answers GET /api/v1/places/{id}, with its liaison.
func (rt *Routes) Place(w http.ResponseWriter, r *http.Request, _ Query) error {
	return get(rt, w, r, "key place", "places", (*geo.Index).Place, rt.placeItem(r.Context()))
}

// Checkpoint answers GET /api/v1/checkpoints/{id}.
func (rt *Routes) Checkpoint(w http.ResponseWriter, r *http.Request, _ Query) error {
	return get(rt, w, r, "checkpoint", "checkpoints", (*geo.Index).Checkpoint, (*view).checkpoint)
}

// put answers a POST (create, 201) or PUT (200) of an overlay of kind k:
// package overlays checks and stores it; the answer waits until this
// server's index holds it (read-your-writes) and is the feature as stored.
func put[T, P any](rt *Routes, w http.ResponseWriter, r *http.Request, k *overlays.Kind,
	store func(ctx context.Context, body []byte, pathID string, create bool, actor string) (T, error), feature func(*view, *T) httpx.Feature[P]) error {
	if err := rt.o.Service.Editable(k); err != nil {
		return err
	}
	body, err := httpx.ReadJSONBody(r)
	if err != nil {
		return err
	}
	id := httpx.PathVar(r, "id") // none on a POST: the body's
	got, err := store(r.Context(), body, id, r.Method == http.MethodPost, rt.o.Actor(r))
	if err != nil {
		return err
	}
	rt.o.AwaitEdit(r)
	v, err := rt.current()
	if err != nil {
		return err
	}
	status := http.StatusOK
	if r.Method == http.MethodPost {
		status = http.StatusCreated
	}
	httpx.WriteJSON(w, r, rt.o.Logger, status, httpx.ContentTypeGeoJSON, feature(v, &got))
	return nil
}

// PutArea answers POST /api/v1/areas and PUT /api/v1/areas/{id}.
func (rt *Routes) PutArea(w http.ResponseWriter, r *http.Request, _ Query) error {
	return put(rt, w, r, overlays.Areas, rt.o.Service.PutArea, rt.areaItem(r.Context()))
}

// PutPlace answers POST /api/v1/places and PUT /api/v1/places/{id}.
func (rt *Routes) PutPlace(w http.ResponseWriter, r *http.Request, _ Query) error {
	return put(rt, w, r, overlays.Places, rt.o.Service.PutPlace, rt.placeItem(r.Context()))
}

// PutCheckpoint answers POST /api/v1/checkpoints and PUT
// /api/v1/checkpoints/{id}.
func (rt *Routes) PutCheckpoint(w http.ResponseWriter, r *http.Request, _ Query) error {
	return put(rt, w, r, overlays.Checkpoints, rt.o.Service.PutCheckpoint, (*view).checkpoint)
}

// remove takes an overlay of kind k out of force; base_version, when
// given, must be the version in force. The answer is 204.
func (rt *Routes) remove(w http.ResponseWriter, r *http.Request, q Query, k *overlays.Kind) error {
	if err := rt.o.Service.Editable(k); err != nil {
		return err
	}
	if err := rt.o.Service.Delete(r.Context(), k, httpx.PathVar(r, "id"), rt.o.Actor(r), q); err != nil {
		return err
	}
	rt.o.AwaitEdit(r)
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// DeleteArea answers DELETE /api/v1/areas/{id}.
func (rt *Routes) DeleteArea(w http.ResponseWriter, r *http.Request, q Query) error {
	return rt.remove(w, r, q, overlays.Areas)
}

// DeletePlace answers DELETE /api/v1/places/{id}.
func (rt *Routes) DeletePlace(w http.ResponseWriter, r *http.Request, q Query) error {
	return rt.remove(w, r, q, overlays.Places)
}

// DeleteCheckpoint answers DELETE /api/v1/checkpoints/{id}.
func (rt *Routes) DeleteCheckpoint(w http.ResponseWriter, r *http.Request, q Query) error {
	return rt.remove(w, r, q, overlays.Checkpoints)
}
