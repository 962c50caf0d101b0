package tiles

import (
	"bytes"
	"compress/gzip"
	"context"
	"io"
	"math"
	"testing"
	"time"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/mvt"
	"github.com/paulmach/orb/maptile"

	"jingge/geo"
	"jingge/geo/patrol"
)

// fixedStates is a PatrolStates that can change between renders.
type fixedStates struct{ states []patrol.State }

func (f *fixedStates) States() []patrol.State { return f.states }

func TestPatrolLayer(t *testing.T) {
	ix := lantianIndex(t)
	live := new(geo.Live)
	live.Store(ix)
	now := time.Date(2025, 5, 1, 8, 0, 0, 0, time.UTC)
	seat := orb.Point{109.317, 34.152} // the county seat
	states := &fixedStates{states: []patrol.State{
		{Officer: "M00001", Version: 1, InArea: true, Last: geo.Ping{OfficerID: "M00001", At: now.Add(-30 * time.Second), Location: seat, SpeedMPS: 4, HeadingDeg: 90, GridID: "g"}},
		{Officer: "M00002", Version: 1, Last: geo.Ping{OfficerID: "M00002", At: now.Add(-time.Hour), Location: orb.Point{109.6, 33.9}, SpeedMPS: math.NaN(), HeadingDeg: math.NaN()}},
	}}
	layer := NewPatrolLayer(live, states, PatrolLayerOptions{Now: func() time.Time { return now }})
	if info := layer.Info(); info.ID != LayerPatrols || !info.Volatile || info.MinZoom != 8 {
		t.Errorf("info %+v", info)
	}
	tile := maptile.At(seat, 14)
	got, err := layer.Render(context.Background(), tile)
	if err != nil || got == nil || len(got.Features) != 1 {
		t.Fatalf("render at z14: %+v, %v; want the one officer in the tile", got, err)
	}
	props := got.Features[0].Properties
	if props["officer"] != "M00001" || props["status"] != "moving" || props["age_seconds"] != 30.0 || props["heading_deg"] != 90.0 || props["name"] == nil || props["in_area"] != true {
		t.Errorf("properties %v", props)
	}
	if low, _ := layer.Render(context.Background(), maptile.At(seat, 7)); low != nil {
		t.Errorf("features below the layer's min zoom: %v", low.Features)
	}
	far := maptile.At(orb.Point{109.6, 33.9}, 14)
	if got, _ := layer.Render(context.Background(), far); got == nil || got.Features[0].Properties["status"] != "silent" || got.Features[0].Properties["heading_deg"] != nil {
		t.Errorf("the silent officer: %+v", got)
	}

	// Through a service: listed in TileJSON, never cached, following the states.
	svc := NewService(live, ServiceOptions{Layers: []Layer{layer}})
	tj, err := svc.TileJSON("", LayerPatrols)
	if err != nil || len(tj.VectorLayers) != 1 || tj.VectorLayers[0].Fields["status"] != "String" {
		t.Fatalf("TileJSON: %+v, %v", tj, err)
	}
	count := func() int {
		tl, err := svc.Tile(context.Background(), LayerPatrols, tile)
		if err != nil {
			t.Fatal(err)
		}
		if tl.Gzip == nil {
			return 0
		}
		zr, _ := gzip.NewReader(bytes.NewReader(tl.Gzip))
		raw, _ := io.ReadAll(zr)
		layers, err := mvt.Unmarshal(raw)
		if err != nil {
			t.Fatal(err)
		}
		return len(layers[0].Features)
	}
	if n := count(); n != 1 {
		t.Fatalf("service tile: %d features", n)
	}
	states.states = states.states[1:] // the officer left the tile
	if n := count(); n != 0 {
		t.Errorf("a cached patrol tile: %d features after the officer left", n)
	}
}

func TestPatrolLayerBeforeIndex(t *testing.T) {
	layer := NewPatrolLayer(new(geo.Live), &fixedStates{}, PatrolLayerOptions{})
	if _, err := layer.Render(context.Background(), maptile.New(0, 0, 10)); err != ErrNoIndex {
		t.Errorf("err %v, want ErrNoIndex", err)
	}
}
