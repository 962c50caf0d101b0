package follow

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/paulmach/orb"

	"jingge/data"
	"jingge/data/lantian"
	"jingge/data/memory"
	"jingge/geo"
	"jingge/geo/geotest"
)

// plainSource hides the store's GridWatcher: a follower of it reloads the
// whole dataset on every change, as before it could derive.
type plainSource struct{ st *memory.Store }

func (p plainSource) Snapshot(ctx context.Context) (*geo.Dataset, error) { return p.st.Snapshot(ctx) }
func (p plainSource) Watch(ctx context.Context) (<-chan struct{}, error) { return p.st.Watch(ctx) }

// BenchmarkOneGridEdit measures a one-grid edit (a new name and one vertex
// moved) from its commit in the embedded store until lookups answer with
// it: on the server that made the edit (answering: Sync before, SyncGrids
// now) and on a second server that only hears the store's notification
// (replica). "reload" is the follower reading the whole dataset and
// building a new index, as before; "derive" reads the grid and derives
// the index (geo.Index.WithGrids). The baselines beside them are
// geo.NewIndex and WithGrids alone, whose B/op give the memory a derived
// index does not share with its parent.
func BenchmarkOneGridEdit(b *testing.B) {
	sizes := []struct {
		name string
		ds   func(b *testing.B) *geo.Dataset
	}{
		{"lantian", func(b *testing.B) *geo.Dataset {
			ds, err := lantian.Load()
			if err != nil {
				b.Fatal(err)
			}
			return ds
		}},
		// 283² community grids and 142² police grids: 100,253 grids.
		{"grids=100k", func(*testing.B) *geo.Dataset { return geotest.Lattice(283, 2, 0.002, 1) }},
	}
	for _, size := range sizes {
		b.Run(size.name, func(b *testing.B) {
			ds := size.ds(b)
			ix, err := geo.NewIndex(ds)
			if err != nil {
				b.Fatal(err)
			}
			g, _ := editTarget(b, ix)
			b.Run("newindex", func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					if _, err := geo.NewIndex(ds); err != nil {
						b.Fatal(err)
					}
				}
			})
			b.Run("withgrids", func(b *testing.B) {
				b.ReportAllocs()
				for i := 0; b.Loop(); i++ {
					if _, ok := ix.WithGrids([]geo.Grid{editedGrid(g, i)}); !ok {
						b.Fatal("not derived")
					}
				}
			})
			b.Run("reload", func(b *testing.B) { benchFollowEdit(b, ds, false) })
			b.Run("derive", func(b *testing.B) { benchFollowEdit(b, ds, true) })
		})
	}
}

// editTarget picks a community grid with a point inside it.
func editTarget(b *testing.B, ix *geo.Index) (geo.Grid, orb.Point) {
	b.Helper()
	for _, g := range ix.Grids(geo.GridFilter{Level: geo.CommunityLevel}) {
		c := g.Geometry.Bound().Center()
		if hit := ix.Lookup(c); hit.Community != nil && hit.Community.ID == g.ID {
			return *g, c
		}
	}
	b.Fatal("no community grid holds its bound's centre")
	return geo.Grid{}, orb.Point{}
}

// editedGrid is g renamed for edit i with its second vertex moved by a
// hair, there and back on alternate edits.
func editedGrid(g geo.Grid, i int) geo.Grid {
	ring := slices.Clone(g.Geometry[0][0])
	d := 1e-7 * float64(i%2+1)
	ring[1] = orb.Point{ring[1][0] + d, ring[1][1] + d}
	poly := slices.Clone(g.Geometry[0])
	poly[0] = ring
	g.Geometry = append(orb.MultiPolygon{poly}, g.Geometry[1:]...)
	g.Name = fmt.Sprintf("edit %d", i)
	return g
}

// benchFollowEdit runs two followers over one store and edits a grid per
// iteration, reporting the mean time from the commit until each answers a
// lookup inside the grid with the new name.
func benchFollowEdit(b *testing.B, ds *geo.Dataset, derive bool) {
	st, err := memory.New(memory.Clone(ds))
	if err != nil {
		b.Fatal(err)
	}
	var src Source = plainSource{st}
	if derive {
		src = st
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	answering, replica := New(src, new(geo.Live), nil), New(src, new(geo.Live), nil)
	for _, f := range []*Follower{answering, replica} {
		if err := f.Start(ctx); err != nil {
			b.Fatal(err)
		}
	}
	g, inside := editTarget(b, answering.Live().Load())
	answers := func(f *Follower, name string) bool {
		hit := f.Live().Load().Lookup(inside)
		return hit.Community != nil && hit.Community.Name == name
	}
	var tAnswering, tReplica time.Duration
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		e := editedGrid(g, i)
		if _, err := st.EditGrid(ctx, data.GridEdit{Grid: e, Actor: "bench"}); err != nil {
			b.Fatal(err)
		}
		t0 := time.Now()
		if derive {
			err = answering.SyncGrids(ctx, e.ID)
		} else {
			err = answering.Sync(ctx)
		}
		if err != nil || !answers(answering, e.Name) {
			b.Fatalf("after the sync the answering server does not hold the edit (%v)", err)
		}
		tAnswering += time.Since(t0)
		for !answers(replica, e.Name) {
			// A replica's readers ask now and then, not in a loop that
			// takes the core the reload needs.
			time.Sleep(50 * time.Microsecond)
		}
		tReplica += time.Since(t0)
	}
	n := float64(b.N)
	b.ReportMetric(float64(tAnswering.Nanoseconds())/n, "answering-ns/edit")
	b.ReportMetric(float64(tReplica.Nanoseconds())/n, "replica-ns/edit")
	cancel()
	answering.Wait()
	replica.Wait()
}
