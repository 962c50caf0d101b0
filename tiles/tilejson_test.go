package tiles

import (
	"encoding/json"
	"strings"
	"testing"

	"jingge/geo"
)

// TestTileJSON checks the combined and per-layer documents: version, URL
// templates, zooms, bounds around the county, and every layer with its
// fields and their types.
func TestTileJSON(t *testing.T) {
	live := new(geo.Live)
	live.Store(lantianIndex(t))
	svc := NewService(live, ServiceOptions{})
	tj, err := svc.TileJSON("https://map.example:8443", "")
	if err != nil {
		t.Fatal(err)
	}
	if tj.TileJSON != "3.0.0" || len(tj.Tiles) != 1 || tj.Tiles[0] != "https://map.example:8443/tiles/{z}/{x}/{y}.mvt" {
		t.Errorf("tilejson %q tiles %v", tj.TileJSON, tj.Tiles)
	}
	if tj.MinZoom != 0 || tj.MaxZoom != DefaultMaxZoom {
		t.Errorf("zooms %d..%d", tj.MinZoom, tj.MaxZoom)
	}
	b := tj.Bounds
	if len(b) != 4 || b[0] < 109.1 || b[0] > 109.2 || b[2] < 109.8 || b[2] > 109.9 || b[1] < 33.8 || b[3] > 34.4 {
		t.Errorf("bounds %v are not Lantian's", b)
	}
	if c := tj.Center; len(c) != 3 || c[0] < b[0] || c[0] > b[2] || c[1] < b[1] || c[1] > b[3] {
		t.Errorf("center %v outside the bounds", c)
	}
	wantLayers := []string{LayerRegions, LayerCounty, LayerTownships, LayerStations, LayerPoliceGrids, LayerCommunityGrids, LayerAreas, LayerPlaces, LayerCheckpoints}
	if len(tj.VectorLayers) != len(wantLayers) {
		t.Fatalf("%d vector layers, want %d", len(tj.VectorLayers), len(wantLayers))
	}
	for i, vl := range tj.VectorLayers {
		if vl.ID != wantLayers[i] || len(vl.Fields) == 0 || vl.Description == "" {
			t.Errorf("layer %d: %+v", i, vl)
		}
		for name, typ := range vl.Fields {
			if typ != "String" && typ != "Number" && typ != "Boolean" {
				t.Errorf("layer %s field %s: type %q", vl.ID, name, typ)
			}
		}
	}
	if f := tj.VectorLayers[5].Fields; f["population"] != "Number" || f["police_grid"] != "String" || f["station_name"] != "String" {
		t.Errorf("community grid fields %v", f)
	}
	one, err := svc.TileJSON("", LayerPoliceGrids)
	if err != nil || len(one.VectorLayers) != 1 || one.Tiles[0] != "/tiles/police_grids/{z}/{x}/{y}.mvt" || one.MinZoom != 6 {
		t.Errorf("police grids TileJSON %+v, %v", one, err)
	}
	if _, err := svc.TileJSON("", "nope"); err == nil {
		t.Error("unknown layer accepted")
	}
}

// TestTileFieldsMatchTileJSON checks every property a tile carries is
// declared in TileJSON with the right type, and every declared field is
// carried by some feature.
func TestTileFieldsMatchTileJSON(t *testing.T) {
	live := new(geo.Live)
	live.Store(lantianIndex(t))
	svc := NewService(live, ServiceOptions{})
	tj, _ := svc.TileJSON("", "")
	declared := map[string]map[string]string{}
	for _, vl := range tj.VectorLayers {
		declared[vl.ID] = vl.Fields
	}
	seen := map[string]map[string]bool{}
	src := svc.Source()
	for _, tile := range coverTiles(t, src, 10) {
		for name, l := range decodeTile(t, src, tile) {
			if seen[name] == nil {
				seen[name] = map[string]bool{}
			}
			for _, f := range l.Features {
				if f.ID != nil || f.Properties["id"] == nil {
					t.Errorf("%s: feature id %v, id property %v; want the id as a property only", name, f.ID, f.Properties["id"])
				}
				for k, v := range f.Properties {
					seen[name][k] = true
					typ := "String"
					switch v.(type) {
					case float64, int64, uint64:
						typ = "Number"
					case bool:
						typ = "Boolean"
					}
					if declared[name][k] != typ {
						t.Errorf("%s.%s is %s in tiles, %q in TileJSON", name, k, typ, declared[name][k])
					}
				}
			}
		}
	}
	for name, fields := range declared {
		for k := range fields {
			if !seen[name][k] {
				t.Errorf("%s.%s is declared but no feature has it", name, k)
			}
		}
	}
}

// TestStyleUsesOnlyOurURLs walks the style: every URL in it is under the
// base it was given, each layer names a source layer the tiles have, and
// it names no glyphs (labels are drawn with local fonts).
func TestStyleUsesOnlyOurURLs(t *testing.T) {
	live := new(geo.Live)
	live.Store(lantianIndex(t))
	svc := NewService(live, ServiceOptions{})
	for _, base := range []string{"http://10.1.2.3:8080", ""} {
		st, err := svc.Style(base)
		if err != nil {
			t.Fatal(err)
		}
		data, _ := json.Marshal(st)
		var doc map[string]any
		_ = json.Unmarshal(data, &doc)
		var walk func(v any)
		walk = func(v any) {
			switch v := v.(type) {
			case string:
				if strings.Contains(v, "://") || strings.HasPrefix(v, "/") || strings.HasPrefix(v, "mapbox:") {
					if base != "" && !strings.HasPrefix(v, base+"/") || base == "" && (!strings.HasPrefix(v, "/") || strings.HasPrefix(v, "//")) {
						t.Errorf("base %q: foreign URL %q", base, v)
					}
				}
			case []any:
				for _, x := range v {
					walk(x)
				}
			case map[string]any:
				for _, x := range v {
					walk(x)
				}
			}
		}
		walk(doc)
		if doc["version"] != float64(8) || doc["glyphs"] != nil || doc["sprite"] != nil {
			t.Errorf("version %v glyphs %v sprite %v", doc["version"], doc["glyphs"], doc["sprite"])
		}
		src := doc["sources"].(map[string]any)[StyleSource].(map[string]any)
		if src["url"] != base+"/tiles.json" {
			t.Errorf("source url %v", src["url"])
		}
		known := map[string]bool{}
		for _, l := range svc.Source().Layers() {
			known[l.Info().ID] = true
		}
		for _, l := range doc["layers"].([]any) {
			l := l.(map[string]any)
			if sl, ok := l["source-layer"].(string); ok && !known[sl] {
				t.Errorf("style layer %v uses unknown source layer %q", l["id"], sl)
			}
		}
	}
}
