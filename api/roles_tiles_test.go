package api

import (
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/gorilla/mux"

	"jingge/data"
)

// layerTwins names the REST route whose data each tile layer draws; a
// layer missing here is an index layer, whose twin is listGrids.
var layerTwins = map[string]string{"patrols": "listPatrols", "incidents": "listIncidents", "areas": "listAreas", "places": "listPlaces", "checkpoints": "listCheckpoints"}

// weakerRoles lists the roles a route declared a admits although its
// twin refuses them.
func weakerRoles(a, twin access) []data.Role {
	var out []data.Role
	for _, role := range data.Roles {
		if a.admits(role) && !twin.admits(role) {
			out = append(out, role)
		}
	}
	return out
}

// TestWeakerRolesCatchesALooseLayer proves the check the layer walk relies
// on fails a tile route that admits more than its twin.
func TestWeakerRolesCatchesALooseLayer(t *testing.T) {
	if got := weakerRoles(signedIn(), allow(data.RoleViewer)); !slices.Equal(got, []data.Role{data.RoleOfficer}) {
		t.Errorf("signedIn against allow(viewer): weaker in %v, want [officer]", got)
	}
	if got := weakerRoles(allow(data.RoleViewer), allow(data.RoleViewer)); len(got) != 0 {
		t.Errorf("equal declarations: weaker in %v", got)
	}
}

// TestTileLayersFollowTheirTwins walks every layer the tile service
// serves: the routes that answer its tiles and its TileJSON must mirror
// the REST route serving the same data, admit no role that route refuses,
// be personal data when it is, and refuse those roles with a 403 problem.
// An officer's TileJSON, style and unknown-layer answers name no layer
// the officer may not read.
func TestTileLayersFollowTheirTwins(t *testing.T) {
	f := newRoleFixture(t)
	table := map[string]route{}
	for _, rt := range f.s.routes() {
		table[rt.name] = rt
	}
	src := f.s.tiles.Source()
	layers := f.s.tiles.Layers(src)
	var ids []string
	for _, l := range layers {
		ids = append(ids, l.Info().ID)
	}
	for name := range layerTwins {
		if !slices.Contains(ids, name) {
			t.Fatalf("the fixture serves no %s layer (layers %v)", name, ids)
		}
	}
	for _, id := range ids {
		wantTwin := layerTwins[id]
		if wantTwin == "" {
			wantTwin = "listGrids"
		}
		twin := table[wantTwin]
		for _, target := range []string{"/tiles/" + id + "/9/418/205.mvt", "/tiles/" + id + ".json"} {
			var match mux.RouteMatch
			if !f.s.router.Match(httptest.NewRequest(http.MethodGet, target, nil), &match) || match.Route == nil {
				t.Errorf("%s: no route", target)
				continue
			}
			rt := table[match.Route.GetName()]
			if rt.roles.twin != wantTwin {
				t.Errorf("%s is served by %s, which mirrors %q; it must mirror %s, the REST route of the same data", target, rt.name, rt.roles.twin, wantTwin)
			}
			if weak := weakerRoles(rt.roles, twin.roles); len(weak) > 0 {
				t.Errorf("%s is served by %s to %v, whom %s refuses", target, rt.name, weak, wantTwin)
			}
			if strings.HasSuffix(target, ".mvt") && twin.roles.personal && !rt.roles.personal {
				t.Errorf("%s: %s must be personalData, as %s is", target, rt.name, wantTwin)
			}
			for _, role := range data.Roles {
				rec := f.get(t, target, role)
				refused := rec.Code == http.StatusForbidden && strings.Contains(rec.Header().Get("Content-Type"), "problem+json")
				if twin.roles.admits(role) == refused {
					t.Errorf("%s as %s: %d %s; %s admits %s", target, role, rec.Code, rec.Body.String(), wantTwin, twin.roles)
				}
			}
		}
	}
	for _, target := range []string{"/tiles.json", "/styles/command-center.json", "/tiles/nope/0/0/0.mvt", "/tiles/nope.json"} {
		rec := f.get(t, target, data.RoleOfficer)
		for name, twin := range layerTwins {
			if table[twin].roles.admits(data.RoleOfficer) {
				continue // the officer may read it (areas, places)
			}
			if strings.Contains(rec.Body.String(), name) {
				t.Errorf("%s tells an officer of the %s layer: %s", target, name, rec.Body.String())
			}
		}
	}
	if rec := f.get(t, "/tiles/nope/0/0/0.mvt", data.RoleViewer); !strings.Contains(rec.Body.String(), "patrols") {
		t.Errorf("a viewer asking for an unknown layer is not told of the patrols layer: %s", rec.Body.String())
	}
}

// get sends GET target as role and returns the answer.
func (f *roleFixture) get(t *testing.T, target string, role data.Role) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest(http.MethodGet, target, nil)
	req.Header.Set("Authorization", "Bearer "+f.tokens[role])
	rec := httptest.NewRecorder()
	f.s.Handler().ServeHTTP(rec, req)
	return rec
}
