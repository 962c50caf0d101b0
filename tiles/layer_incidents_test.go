package tiles

import (
	"context"
	"errors"
	"math/rand/v2"
	"sync/atomic"
	"testing"
	"time"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/mvt"
	"github.com/paulmach/orb/maptile"

	"jingge/geo"
)

// incidentFixture is a source of n incidents spread over a box near the
// county seat in the 30 days before end, from a fixed seed, that counts
// how often it is read.
type incidentFixture struct {
	incs  []geo.Incident
	reads atomic.Int32
}

func newIncidentFixture(n int, end time.Time) *incidentFixture {
	r := rand.New(rand.NewPCG(5, 6))
	f := &incidentFixture{}
	for i := range n {
		f.incs = append(f.incs, geo.Incident{
			ID:         string(rune('a'+i%26)) + time.Duration(i).String(),
			OccurredAt: end.Add(-time.Duration(r.Int64N(int64(30 * 24 * time.Hour)))),
			Category:   geo.Categories[r.IntN(len(geo.Categories))],
			Severity:   1 + r.IntN(5),
			Location:   orb.Point{109.2 + r.Float64()*0.2, 34.1 + r.Float64()*0.15},
		})
	}
	return f
}

func (f *incidentFixture) source(_ context.Context, w IncidentWindow, yield func(geo.Incident) bool) error {
	f.reads.Add(1)
	for i := range f.incs {
		if w.holds(&f.incs[i]) && !yield(f.incs[i]) {
			return nil
		}
	}
	return nil
}

func incidentLive(tb testing.TB) *geo.Live {
	live := new(geo.Live)
	ix, err := geo.NewIndex(&geo.Dataset{Meta: geo.Meta{Datum: "wgs84"}})
	if err != nil {
		tb.Fatal(err)
	}
	live.Store(ix)
	return live
}

// decodeIncidentTile returns the features' counts and ids of a tile.
func decodeIncidentTile(tb testing.TB, tile *Tile) (total int, clusters int, ids []string) {
	tb.Helper()
	if tile.Empty() {
		return 0, 0, nil
	}
	raw, err := tile.Raw()
	if err != nil {
		tb.Fatal(err)
	}
	layers, err := mvt.Unmarshal(raw)
	if err != nil {
		tb.Fatal(err)
	}
	for _, f := range layers[0].Features {
		n, _ := f.Properties["count"].(float64)
		total += int(n)
		if f.Properties["cluster"] == true {
			clusters++
		} else {
			ids = append(ids, f.Properties["id"].(string))
		}
	}
	return total, clusters, ids
}

// tilesCovering lists the tiles of zoom z over the fixture's box.
func tilesCovering(z maptile.Zoom) []maptile.Tile {
	lo := maptile.At(orb.Point{109.19, 34.26}, z)
	hi := maptile.At(orb.Point{109.41, 34.09}, z)
	var out []maptile.Tile
	for x := lo.X; x <= hi.X; x++ {
		for y := lo.Y; y <= hi.Y; y++ {
			out = append(out, maptile.Tile{X: x, Y: y, Z: z})
		}
	}
	return out
}

func TestIncidentLayerCountsEachIncidentOnce(t *testing.T) {
	end := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	fx := newIncidentFixture(3000, end)
	l := NewIncidentLayer(incidentLive(t), fx.source, IncidentLayerOptions{Now: func() time.Time { return end }})
	ctx := context.Background()
	w := IncidentWindow{From: end.AddDate(0, 0, -10), To: end}
	want := 0
	for i := range fx.incs {
		if w.holds(&fx.incs[i]) {
			want++
		}
	}
	for _, z := range []maptile.Zoom{6, 9, 12, 14, 15} {
		total, clusters, ids := 0, 0, map[string]bool{}
		for _, tl := range tilesCovering(z) {
			tile, err := l.Tile(ctx, tl, w)
			if err != nil {
				t.Fatal(err)
			}
			n, c, got := decodeIncidentTile(t, tile)
			total += n
			clusters += c
			for _, id := range got {
				if ids[id] {
					t.Fatalf("zoom %d: incident %s drawn twice", z, id)
				}
				ids[id] = true
			}
		}
		if total != want {
			t.Errorf("zoom %d: the tiles count %d incidents, want %d", z, total, want)
		}
		if z < DefaultIncidentPointsFromZoom && (clusters == 0 || len(ids) > 0) || z >= DefaultIncidentPointsFromZoom && clusters > 0 {
			t.Errorf("zoom %d: %d clusters and %d single incidents", z, clusters, len(ids))
		}
	}
	traffic := IncidentWindow{From: w.From, To: w.To, Categories: []geo.Category{geo.Traffic}}
	tl := tilesCovering(6)[0]
	tile, err := l.Tile(ctx, tl, traffic)
	if err != nil {
		t.Fatal(err)
	}
	n, _, _ := decodeIncidentTile(t, tile)
	all, _ := l.Tile(ctx, tl, w)
	m, _, _ := decodeIncidentTile(t, all)
	if n == 0 || n >= m {
		t.Errorf("traffic only: %d incidents, all categories %d", n, m)
	}
	if reads := fx.reads.Load(); reads != 2 {
		t.Errorf("the source was read %d times for two windows", reads)
	}
}

func TestIncidentLayerAddedDropsExactlyItsTiles(t *testing.T) {
	end := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	fx := newIncidentFixture(500, end)
	l := NewIncidentLayer(incidentLive(t), fx.source, IncidentLayerOptions{Now: func() time.Time { return end }})
	ctx := context.Background()
	w := IncidentWindow{From: end.AddDate(0, 0, -30), To: end}
	at := orb.Point{109.25, 34.15}
	here, there := maptile.At(at, 12), maptile.At(orb.Point{109.38, 34.12}, 12)
	before, _ := l.Tile(ctx, here, w)
	other, _ := l.Tile(ctx, there, w)
	n0, _, _ := decodeIncidentTile(t, before)
	l.Added([]geo.Incident{
		{ID: "new", OccurredAt: end.Add(-time.Hour), Category: geo.Fire, Severity: 5, Location: at},
		{ID: "outside the window", OccurredAt: end.Add(time.Hour), Category: geo.Fire, Location: at},
	})
	after, _ := l.Tile(ctx, here, w)
	n1, _, _ := decodeIncidentTile(t, after)
	if n1 != n0+1 {
		t.Errorf("after Added the tile counts %d, want %d", n1, n0+1)
	}
	if again, _ := l.Tile(ctx, there, w); again != other {
		t.Error("a tile the new incident is not in was dropped")
	}
	if tile, _ := l.Tile(ctx, maptile.At(at, 16), w); !containsID(t, tile, "new") {
		t.Error("the new incident is not drawn at zoom 16")
	}
	if fx.reads.Load() != 1 {
		t.Errorf("the source was read %d times; Added should not reread it", fx.reads.Load())
	}
}

func containsID(t *testing.T, tile *Tile, id string) bool {
	_, _, ids := decodeIncidentTile(t, tile)
	for _, x := range ids {
		if x == id {
			return true
		}
	}
	return false
}

func TestIncidentLayerLimitsAndAge(t *testing.T) {
	end := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	now := end
	fx := newIncidentFixture(100, end)
	l := NewIncidentLayer(incidentLive(t), fx.source, IncidentLayerOptions{MaxPoints: 10, MaxAge: time.Minute, Now: func() time.Time { return now }})
	ctx := context.Background()
	if _, err := l.Tile(ctx, maptile.Tile{Z: 0}, IncidentWindow{From: end.AddDate(0, 0, -30), To: end}); !errors.Is(err, ErrWindowTooLarge) {
		t.Fatalf("a window of 100 incidents with MaxPoints 10: err = %v", err)
	}
	small := IncidentWindow{From: end.Add(-24 * time.Hour), To: end}
	if _, err := l.Tile(ctx, maptile.Tile{Z: 0}, small); err != nil {
		t.Fatal(err)
	}
	reads := fx.reads.Load()
	l.Tile(ctx, maptile.Tile{Z: 1}, small)
	now = now.Add(2 * time.Minute)
	l.Tile(ctx, maptile.Tile{Z: 1}, small)
	if got := fx.reads.Load() - reads; got != 1 {
		t.Errorf("the window was read %d more times, want once after MaxAge", got)
	}
	if d := l.DefaultWindow(); d.To.Sub(d.From) != DefaultIncidentWindowDays*24*time.Hour || !d.To.After(now) {
		t.Errorf("default window %v", d)
	}
	ml, err := l.Render(ctx, maptile.Tile{Z: 0})
	if !errors.Is(err, ErrWindowTooLarge) && (err != nil || ml == nil) {
		t.Errorf("Render: %v, %v", ml, err)
	}
}

// TestIncidentLayerInvalidate: after Invalidate, incidents the source
// gained without Added (another server's) are drawn at once, not after
// MaxAge.
func TestIncidentLayerInvalidate(t *testing.T) {
	end := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	fx := newIncidentFixture(50, end)
	l := NewIncidentLayer(incidentLive(t), fx.source, IncidentLayerOptions{MaxAge: time.Hour, Now: func() time.Time { return end }})
	ctx := context.Background()
	w := IncidentWindow{From: end.AddDate(0, 0, -30), To: end}
	count := func() int {
		tile, err := l.Tile(ctx, maptile.Tile{Z: 0}, w)
		if err != nil {
			t.Fatal(err)
		}
		n, _, _ := decodeIncidentTile(t, tile)
		return n
	}
	if n := count(); n != 50 {
		t.Fatalf("%d incidents drawn, want 50", n)
	}
	fx.incs = append(fx.incs, geo.Incident{ID: "other-server", OccurredAt: end.Add(-time.Hour), Category: geo.Categories[0], Severity: 2,
		Location: orb.Point{109.3, 34.15}})
	if n := count(); n != 50 {
		t.Fatalf("%d incidents drawn before Invalidate, want the cached 50", n)
	}
	l.Invalidate()
	if n := count(); n != 51 {
		t.Errorf("%d incidents drawn after Invalidate, want 51", n)
	}
}
