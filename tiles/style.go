package tiles

import (
	"strings"

	"jingge/geo"
)

// RegionColors are the fill colours of the four terrain regions, from the
// Okabe–Ito palette, which stays distinguishable with the common forms of
// colour blindness: 山间 bluish green, 塬上 orange, 川下 sky blue, 岭中
// reddish purple.
var RegionColors = map[geo.Terrain]string{
	geo.Mountain: "#009E73",
	geo.Plateau:  "#E69F00",
	geo.Plain:    "#56B4E9",
	geo.Hill:     "#CC79A7",
}

// StyleSource is the one vector source of the style: the combined tiles,
// described by the TileJSON at /tiles.json.
const StyleSource = "jingge"

// labelFont is the font stack of every label. The style has no glyphs URL,
// so MapLibre GL JS (5.11 and later) draws every label with the browser's
// own fonts: nothing to serve, and Chinese needs no glyph files.
var labelFont = []string{"Noto Sans Regular"}

// Style returns the command-center MapLibre style (version 8) whose every
// URL lies under base (see TileURL): the TileJSON of the combined tiles. It
// has no sprite, no glyphs URL (labels are drawn with local fonts) and no
// external resource, so it works on an offline network. Grids are filled by the colour of their terrain region;
// borders grow heavier from community grid to police grid to station to
// county; labels name stations, police grids and community grids as the map
// zooms in. It fails with ErrNoIndex before an index is published.
func (s *Service) Style(base string) (map[string]any, error) {
	tj, err := s.TileJSON(base, "")
	if err != nil {
		return nil, err
	}
	base = strings.TrimSuffix(base, "/")
	regionColor := []any{"match", []any{"get", "region"}}
	regionIDColor := []any{"match", []any{"get", "id"}}
	for _, t := range geo.Terrains {
		regionColor = append(regionColor, string(t), RegionColors[t])
		regionIDColor = append(regionIDColor, string(t), RegionColors[t])
	}
	regionColor = append(regionColor, "#BBBBBB")
	regionIDColor = append(regionIDColor, "#BBBBBB")
	zoomed := func(pairs ...any) []any {
		return append([]any{"interpolate", []any{"linear"}, []any{"zoom"}}, pairs...)
	}
	layer := func(id, typ, sourceLayer string, minZoom, maxZoom int, extra map[string]any) map[string]any {
		l := map[string]any{"id": id, "type": typ, "source": StyleSource, "source-layer": sourceLayer}
		if minZoom > 0 {
			l["minzoom"] = minZoom
		}
		if maxZoom > 0 {
			l["maxzoom"] = maxZoom
		}
		for k, v := range extra {
			l[k] = v
		}
		return l
	}
	isArea := []any{"==", []any{"get", "kind"}, "area"}
	isPoint := []any{"==", []any{"get", "kind"}, "point"}
	text := func(field string, size any) map[string]any {
		return map[string]any{
			"text-field": []any{"get", field}, "text-font": labelFont, "text-size": size,
			"text-max-width": 8, "text-padding": 4,
		}
	}
	halo := map[string]any{"text-color": "#1B1B1B", "text-halo-color": "#FFFFFF", "text-halo-width": 1.5}
	layers := []any{
		map[string]any{"id": "background", "type": "background", "paint": map[string]any{"background-color": "#F2F0EB"}},
		layer("regions-fill", "fill", LayerRegions, 0, 9, map[string]any{
			"paint": map[string]any{"fill-color": regionIDColor, "fill-opacity": 0.55}}),
		layer("police-grids-fill", "fill", LayerPoliceGrids, 9, 12, map[string]any{
			"paint": map[string]any{"fill-color": regionColor, "fill-opacity": 0.5}}),
		layer("community-grids-fill", "fill", LayerCommunityGrids, 12, 0, map[string]any{
			"paint": map[string]any{"fill-color": regionColor, "fill-opacity": 0.4}}),
		layer("community-grids-line", "line", LayerCommunityGrids, 11, 0, map[string]any{
			"paint": map[string]any{"line-color": "#FFFFFF", "line-width": zoomed(11, 0.4, 16, 1.5)}}),
		layer("police-grids-line", "line", LayerPoliceGrids, 9, 0, map[string]any{
			"paint": map[string]any{"line-color": "#5A5A5A", "line-width": zoomed(9, 0.6, 16, 2.5)}}),
		layer("townships-line", "line", LayerTownships, 8, 0, map[string]any{
			"paint": map[string]any{"line-color": "#7A6F5A", "line-width": zoomed(8, 0.8, 16, 2), "line-dasharray": []any{3, 2}}}),
		layer("stations-line", "line", LayerStations, 0, 0, map[string]any{"filter": isArea,
			"layout": map[string]any{"line-join": "round"},
			"paint":  map[string]any{"line-color": "#1F2A44", "line-width": zoomed(6, 1.2, 16, 5)}}),
		layer("county-line", "line", LayerCounty, 0, 0, map[string]any{
			"layout": map[string]any{"line-join": "round"},
			"paint":  map[string]any{"line-color": "#000000", "line-width": zoomed(6, 2, 16, 6)}}),
		layer("regions-label", "symbol", LayerRegions, 0, 9, map[string]any{
			"layout": text("name_zh", 14), "paint": halo}),
		layer("townships-label", "symbol", LayerTownships, 10, 13, map[string]any{
			"layout": text("name", 12), "paint": map[string]any{"text-color": "#5C5340", "text-halo-color": "#FFFFFF", "text-halo-width": 1.2}}),
		layer("police-grids-label", "symbol", LayerPoliceGrids, 12, 14, map[string]any{
			"layout": text("name", 11), "paint": halo}),
		layer("community-grids-label", "symbol", LayerCommunityGrids, 14, 0, map[string]any{
			"layout": text("name", 11), "paint": halo}),
		layer("areas-fill", "fill", LayerAreas, 9, 0, map[string]any{
			"paint": map[string]any{"fill-color": kindColor(areaKindCodes(), AreaColors), "fill-opacity": 0.25}}),
		layer("areas-line", "line", LayerAreas, 6, 0, map[string]any{
			"paint": map[string]any{"line-color": kindColor(areaKindCodes(), AreaColors), "line-width": zoomed(6, 1, 16, 3), "line-dasharray": []any{4, 2}}}),
		layer("areas-label", "symbol", LayerAreas, 11, 0, map[string]any{
			"layout": text("name", 12), "paint": map[string]any{"text-color": "#3B2E5A", "text-halo-color": "#FFFFFF", "text-halo-width": 1.5}}),
		layer("places-point", "circle", LayerPlaces, 12, 0, map[string]any{
			"paint": map[string]any{"circle-color": kindColor(placeKindCodes(), PlaceColors), "circle-radius": zoomed(12, 3, 16, 6),
				"circle-stroke-color": "#FFFFFF", "circle-stroke-width": 1}}),
		layer("places-label", "symbol", LayerPlaces, 14, 0, map[string]any{
			"layout": merge(text("name", 11), map[string]any{"text-anchor": "top", "text-offset": []any{0, 0.6}}), "paint": halo}),
		layer("checkpoints-point", "circle", LayerCheckpoints, 9, 0, map[string]any{
			"paint": map[string]any{"circle-color": CheckpointColor, "circle-radius": zoomed(9, 3, 16, 7),
				"circle-stroke-color": "#FFFFFF", "circle-stroke-width": 2}}),
		layer("checkpoints-label", "symbol", LayerCheckpoints, 12, 0, map[string]any{
			"layout": merge(text("name", 11), map[string]any{"text-anchor": "top", "text-offset": []any{0, 0.7}}), "paint": halo}),
		layer("stations-point", "circle", LayerStations, 0, 0, map[string]any{"filter": isPoint,
			"paint": map[string]any{"circle-color": "#1F2A44", "circle-radius": zoomed(6, 3, 16, 7),
				"circle-stroke-color": "#FFFFFF", "circle-stroke-width": 1.5}}),
		layer("stations-label", "symbol", LayerStations, 8, 0, map[string]any{"filter": isPoint,
			"layout": merge(text("name", zoomed(8, 11, 16, 15)), map[string]any{
				"text-anchor": "top", "text-offset": []any{0, 0.8}}),
			"paint": halo}),
	}
	return map[string]any{
		"version": 8,
		"name":    "Jingge command center",
		"metadata": map[string]any{
			"jingge:regions": regionLegend(),
			"jingge:areas":   areaLegend(),
			"jingge:places":  placeLegend(),
			"jingge:note":    "no glyphs URL: MapLibre GL JS 5.11+ draws labels with local fonts (the map option localIdeographFontFamily picks the CJK font)",
		},
		"center":  []any{tj.Center[0], tj.Center[1]},
		"zoom":    tj.Center[2],
		"sources": map[string]any{StyleSource: map[string]any{"type": "vector", "url": base + "/tiles.json", "promoteId": "id"}},
		"layers":  layers,
	}, nil
}

func merge(a, b map[string]any) map[string]any {
	for k, v := range b {
		a[k] = v
	}
	return a
}

// regionLegend lists the regions with their colours for a map legend.
func regionLegend() []any {
	var out []any
	for _, t := range geo.Terrains {
		r, _ := t.Region()
		out = append(out, map[string]any{"id": string(t), "name_zh": r.NameZH, "name_en": r.NameEN, "color": RegionColors[t]})
	}
	return out
}

// AreaColors and PlaceColors are the colours of the kinds of special areas
// and key places: outlines over the region fills, so darker tones than
// theirs, distinct from one another.
var (
	AreaColors = map[geo.AreaKind]string{
		geo.AreaPark: "#7A4B00", geo.AreaScenic: "#0072B2", geo.AreaWaterProtection: "#0096C7",
		geo.AreaWorks: "#D55E00", geo.AreaSchoolZone: "#8E44AD", geo.AreaOther: "#555555",
	}
	PlaceColors = map[geo.PlaceKind]string{
		geo.PlaceSchool: "#8E44AD", geo.PlaceMarket: "#B8860B", geo.PlaceHospital: "#C0392B",
		geo.PlacePetrolStation: "#2C3E50", geo.PlaceKeyUnit: "#1F2A44", geo.PlaceVillage: "#2E7D32", geo.PlaceOther: "#555555",
	}
)

func areaKindCodes() []string {
	out := make([]string, len(geo.AreaKinds))
	for i, k := range geo.AreaKinds {
		out[i] = string(k)
	}
	return out
}

func placeKindCodes() []string {
	out := make([]string, len(geo.PlaceKinds))
	for i, k := range geo.PlaceKinds {
		out[i] = string(k)
	}
	return out
}

// kindColor is a match expression from a feature's kind to its colour.
func kindColor[K ~string](codes []string, colors map[K]string) []any {
	expr := []any{"match", []any{"get", "kind"}}
	for _, c := range codes {
		expr = append(expr, c, colors[K(c)])
	}
	return append(expr, "#555555")
}

// areaLegend lists the area kinds with their names and colours.
func areaLegend() []any {
	var out []any
	for _, k := range geo.AreaKinds {
		out = append(out, map[string]any{"id": string(k), "name_zh": k.LabelZH(), "name_en": k.LabelEN(), "color": AreaColors[k]})
	}
	return out
}

// placeLegend lists the place kinds with their names and colours.
func placeLegend() []any {
	var out []any
	for _, k := range geo.PlaceKinds {
		out = append(out, map[string]any{"id": string(k), "name_zh": k.LabelZH(), "name_en": k.LabelEN(), "color": PlaceColors[k]})
	}
	return out
}
