package api

import (
	"context"
	"fmt"
	"jingge/api/httpx"
	"jingge/api/incidents"
	"jingge/api/locate"
	"log/slog"
	"net/http"
	"strings"
	"testing"

	"jingge/api/apitest"
	"jingge/data/follow"
	"jingge/data/memory"
	"jingge/geo"
	"jingge/tiles"
)

// followedServer serves ds from a memory store that a follow.Follower
// follows, as serve does: an edit's answer waits until this server's index
// holds it. With silent set the store's notifications never reach the
// follower, so only that wait brings an edit into the index.
func followedServer(t testing.TB, ds *geo.Dataset, silent bool) (*Server, *memory.Store) {
	t.Helper()
	st, err := memory.New(memory.Clone(ds))
	if err != nil {
		t.Fatal(err)
	}
	var src follow.Source = st
	if silent {
		src = silentStore{st}
	}
	live := new(geo.Live)
	f := follow.New(src, live, nil)
	ctx, cancel := context.WithCancel(context.Background())
	if err := f.Start(ctx); err != nil {
		cancel()
		t.Fatal(err)
	}
	t.Cleanup(func() { cancel(); f.Wait() })
	cfg := Config{Index: live, Incidents: st, GridHistory: st, GridEditor: st, Overlays: st, Checkpoints: st, AwaitIndex: f.Sync, AwaitGrids: f.SyncGrids,
		Patrols: memory.NewPatrols(memory.PatrolOptions{}),
		Logger:  slog.New(slog.NewTextHandler(tbWriter{t}, &slog.HandlerOptions{Level: slog.LevelWarn}))}
	cfg.IncidentTiles = tiles.NewIncidentLayer(live, incidents.TileSource(st), tiles.IncidentLayerOptions{})
	s := New(cfg)
	f.OnPublish(func(*geo.Index) { s.Refresh() })
	return s, st
}

// silentStore is a store whose changes are never announced.
type silentStore struct{ *memory.Store }

func (silentStore) WatchGrids(ctx context.Context) (<-chan []string, error) {
	ch := make(chan []string)
	go func() {
		<-ctx.Done()
		close(ch)
	}()
	return ch, nil
}

func (silentStore) Watch(ctx context.Context) (<-chan struct{}, error) {
	ch := make(chan struct{})
	go func() {
		<-ctx.Done()
		close(ch)
	}()
	return ch, nil
}

// TestGridEditReadYourWrites: a read on the server that answered a grid
// edit sees the edit, whether or not the store's notification has
// arrived: the lookup, the grid, and the tiles.
func TestGridEditReadYourWrites(t *testing.T) {
	s, _ := followedServer(t, apitest.Small(), true)
	h := s.Handler()
	for i, name := range []string{"东区一", "东区二", "东区三"} {
		rec := serve(t, h, http.MethodPut, "/api/v1/grids/"+apitest.CommunityA, fmt.Sprintf(`{"type":"Feature","properties":{"name":%q}}`, name))
		if rec.Code != http.StatusOK {
			t.Fatalf("PUT %d: %d %s", i, rec.Code, rec.Body.String())
		}
		var d httpx.Feature[GridDetail]
		decodeJSON(t, serve(t, h, http.MethodGet, "/api/v1/grids/"+apitest.CommunityA, ""), &d)
		var l locate.Response
		decodeJSON(t, serve(t, h, http.MethodGet, fmt.Sprintf("/api/v1/lookup?lon=%v&lat=%v", apitest.InCommunity[0], apitest.InCommunity[1]), ""), &l)
		if d.Properties.Name != name || l.CommunityGrid == nil || l.CommunityGrid.Name != name {
			t.Fatalf("right after renaming it %q the grid reads %q and the lookup %+v", name, d.Properties.Name, l.CommunityGrid)
		}
		if rec := serve(t, h, http.MethodGet, "/tiles/14/13207/6645.mvt", ""); rec.Code != http.StatusOK && rec.Code != http.StatusNoContent {
			t.Fatalf("a tile after edit %d: %d", i, rec.Code)
		}
		if s.Tiles().Served() != s.live.Load() {
			t.Fatalf("after edit %d a tile was drawn from another index than the one in force", i)
		}
	}
}

// TestGridTerrain: a grid's terrain is shown where the grid is (its own,
// else its station's region), set and cleared by an edit, and a terrain
// that is not one of the four is refused.
func TestGridTerrain(t *testing.T) {
	s, _ := followedServer(t, apitest.Small(), false)
	terrainOf := func() (detail, lookup geo.Terrain) {
		t.Helper()
		var d httpx.Feature[GridDetail]
		decodeJSON(t, serve(t, s.Handler(), http.MethodGet, "/api/v1/grids/"+apitest.CommunityA, ""), &d)
		var l locate.Response
		decodeJSON(t, serve(t, s.Handler(), http.MethodGet, fmt.Sprintf("/api/v1/lookup?lon=%v&lat=%v", apitest.InCommunity[0], apitest.InCommunity[1]), ""), &l)
		return d.Properties.Terrain, l.CommunityGrid.Terrain
	}
	ix := s.live.Load()
	g, _ := ix.Grid(apitest.CommunityA)
	st, _ := ix.Station(g.StationID)
	if d, l := terrainOf(); d != st.Region || l != st.Region {
		t.Fatalf("without a terrain of its own: %q and %q, want the station's %q", d, l, st.Region)
	}
	other := geo.Mountain
	if st.Region == geo.Mountain {
		other = geo.Plain
	}
	put := func(body string) *httpx.Feature[GridVersionProperties] {
		t.Helper()
		rec := serve(t, s.Handler(), http.MethodPut, "/api/v1/grids/"+apitest.CommunityA, body)
		if rec.Code != http.StatusOK {
			t.Fatalf("PUT %s: %d %s", body, rec.Code, rec.Body.String())
		}
		var f httpx.Feature[GridVersionProperties]
		decodeJSON(t, rec, &f)
		return &f
	}
	if f := put(fmt.Sprintf(`{"type":"Feature","properties":{"terrain":%q}}`, other)); f.Properties.Terrain != other {
		t.Errorf("PUT answered terrain %q, want %q", f.Properties.Terrain, other)
	}
	if d, l := terrainOf(); d != other || l != other {
		t.Errorf("after setting %q: %q and %q", other, d, l)
	}
	p := expectProblem(t, serve(t, s.Handler(), http.MethodPut, "/api/v1/grids/"+apitest.CommunityA, `{"type":"Feature","properties":{"terrain":"desert"}}`), http.StatusBadRequest)
	if len(p.InvalidParams) == 0 || p.InvalidParams[0].Name != "properties.terrain" || !strings.Contains(p.InvalidParams[0].Reason, "mountain") {
		t.Errorf("an unknown terrain: %+v", p)
	}
	if f := put(`{"type":"Feature","properties":{"terrain":""}}`); f.Properties.Terrain != "" {
		t.Errorf("clearing answered terrain %q", f.Properties.Terrain)
	}
	if d, _ := terrainOf(); d != st.Region {
		t.Errorf("after clearing: %q, want the station's %q", d, st.Region)
	}
}
