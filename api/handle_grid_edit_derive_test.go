package api

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"sync/atomic"
	"testing"

	"jingge/api/apitest"
	"jingge/api/locate"
	"jingge/data/follow"
	"jingge/data/memory"
	"jingge/geo"
)

// countingStore is a silent store that counts the whole snapshots read.
type countingStore struct {
	silentStore
	snapshots *atomic.Int64
}

func (s countingStore) Snapshot(ctx context.Context) (*geo.Dataset, error) {
	s.snapshots.Add(1)
	return s.silentStore.Snapshot(ctx)
}

// TestGridEditReadsOnlyItsGrid: the server that answers a grid edit brings
// its index up to date by reading the edited grid, not the whole dataset,
// and still reads its write right after the answer.
func TestGridEditReadsOnlyItsGrid(t *testing.T) {
	st, err := memory.New(memory.Clone(apitest.Small()))
	if err != nil {
		t.Fatal(err)
	}
	src := countingStore{silentStore{st}, new(atomic.Int64)}
	live := new(geo.Live)
	f := follow.New(src, live, nil)
	ctx, cancel := context.WithCancel(context.Background())
	if err := f.Start(ctx); err != nil {
		cancel()
		t.Fatal(err)
	}
	t.Cleanup(func() { cancel(); f.Wait() })
	s := New(Config{Index: live, GridHistory: st, GridEditor: st, AwaitIndex: f.Sync, AwaitGrids: f.SyncGrids,
		Logger: slog.New(slog.NewTextHandler(tbWriter{t}, &slog.HandlerOptions{Level: slog.LevelWarn}))})
	h := s.Handler()
	before := src.snapshots.Load()
	rec := serve(t, h, http.MethodPut, "/api/v1/grids/"+apitest.CommunityA, `{"type":"Feature","properties":{"name":"东区新"}}`)
	if rec.Code != http.StatusOK {
		t.Fatalf("PUT: %d %s", rec.Code, rec.Body.String())
	}
	var l locate.Response
	decodeJSON(t, serve(t, h, http.MethodGet, fmt.Sprintf("/api/v1/lookup?lon=%v&lat=%v", apitest.InCommunity[0], apitest.InCommunity[1]), ""), &l)
	if l.CommunityGrid == nil || l.CommunityGrid.Name != "东区新" {
		t.Fatalf("right after the edit the lookup gives %+v", l.CommunityGrid)
	}
	if n := src.snapshots.Load() - before; n != 0 {
		t.Fatalf("the edit read %d whole snapshots; want the grid alone", n)
	}
}
