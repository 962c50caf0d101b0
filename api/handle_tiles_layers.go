package api

import (
	"context"
	"fmt"
	"jingge/api/httpx"
	"net/http"
	"regexp"
	"strings"

	"jingge/api/intake"
	"jingge/tiles"
)

// A tile layer is read by exactly the roles that may read the same data
// through REST. The index layers (regions, county, townships, stations,
// grids) draw what listGrids and listStations answer, and the generic
// routes /tiles/{layer}/… and /tiles/{layer}.json serve them alone. A
// layer with data of its own (incidents, patrols) has routes of its own,
// listed before the generic ones, declared with mirrors(its REST twin);
// one that has none is served to nobody.

// layerTilePath matches the path of a route serving one named layer's
// tiles, e.g. /tiles/patrols/{z}/{x}/{y}.{ext}.
var layerTilePath = regexp.MustCompile(`^/tiles/([^/{}]+)/\{z\}/\{x\}/\{y\}\.\{ext\}$`)

// layerRoutes maps each layer that has a tile route of its own to that
// route's access.
func layerRoutes(rts []route) map[string]access {
	out := map[string]access{}
	for _, rt := range rts {
		if m := layerTilePath.FindStringSubmatch(rt.path); m != nil {
			out[m[1]] = rt.roles
		}
	}
	return out
}

func (s *Server) handlePatrolTile(w http.ResponseWriter, r *http.Request, _ query) error {
	if s.patrols.store == nil {
		return errNoPatrols(s)
	}
	return s.serveTile(w, r, tiles.LayerPatrols)
}

func (s *Server) handlePatrolTileJSON(w http.ResponseWriter, r *http.Request, _ query) error {
	if s.patrols.store == nil {
		return errNoPatrols(s)
	}
	return s.serveTileJSON(w, r, tiles.LayerPatrols)
}

func (s *Server) handleIncidentTileJSON(w http.ResponseWriter, r *http.Request, _ query) error {
	return s.serveTileJSON(w, r, tiles.LayerIncidents)
}

// genericLayer checks that the generic layer routes may serve the layer
// name: an index layer. A layer with data of its own that reaches them
// has no route declaring who may read it, and is refused (500) rather
// than shown to every signed-in user; an unknown layer is a 400 listing
// the layers the caller may read, and no others.
func (s *Server) genericLayer(ctx context.Context, name string) error {
	if err := s.tilesReady(); err != nil {
		return err
	}
	src := s.tiles.Source()
	if src == nil {
		return tileProblem(tiles.ErrNoIndex)
	}
	if _, ok := src.Layer(name); ok {
		return nil
	}
	for _, l := range s.tiles.Layers(src) {
		if l.Info().ID == name {
			return fmt.Errorf("api: tile layer %q has no route of its own declaring who may read it (mirrors its REST twin)", name)
		}
	}
	return httpx.Invalid(httpx.InvalidParam{Name: "layer", Reason: fmt.Sprintf("there is no tile layer %s; the layers you may read are %s",
		intake.Clip([]byte(name)), strings.Join(s.readableLayers(ctx, src), ", "))})
}

// readableLayers lists the layers the caller of ctx may read: the index
// layers, then those with routes of their own that admit the caller.
func (s *Server) readableLayers(ctx context.Context, src *tiles.Source) []string {
	var names []string
	for _, l := range s.tiles.Layers(src) {
		id := l.Info().ID
		if _, index := src.Layer(id); index {
			names = append(names, id)
		} else if a, ok := s.layerAccess[id]; ok && callerAdmitted(ctx, a) {
			names = append(names, id)
		}
	}
	return names
}

// callerAdmitted reports whether a route declared a admits the caller of
// ctx; without access control everyone is.
func callerAdmitted(ctx context.Context, a access) bool {
	p, ok := principalFrom(ctx)
	if !ok || a.public {
		return true
	}
	return !p.anonymous() && a.admits(p.user.Role)
}

// The areas and places layers are index layers with REST routes of their
// own (listAreas, listPlaces), which their tile routes mirror.

func (s *Server) handleAreaTile(w http.ResponseWriter, r *http.Request, _ query) error {
	return s.serveTile(w, r, tiles.LayerAreas)
}

func (s *Server) handlePlaceTile(w http.ResponseWriter, r *http.Request, _ query) error {
	return s.serveTile(w, r, tiles.LayerPlaces)
}

func (s *Server) handleAreaTileJSON(w http.ResponseWriter, r *http.Request, _ query) error {
	return s.serveTileJSON(w, r, tiles.LayerAreas)
}

func (s *Server) handlePlaceTileJSON(w http.ResponseWriter, r *http.Request, _ query) error {
	return s.serveTileJSON(w, r, tiles.LayerPlaces)
}

// The checkpoints layer is an index layer mirroring listCheckpoints.

func (s *Server) handleCheckpointTile(w http.ResponseWriter, r *http.Request, _ query) error {
	return s.serveTile(w, r, tiles.LayerCheckpoints)
}

func (s *Server) handleCheckpointTileJSON(w http.ResponseWriter, r *http.Request, _ query) error {
	return s.serveTileJSON(w, r, tiles.LayerCheckpoints)
}
