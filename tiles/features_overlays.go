package tiles

import (
	"time"

	"github.com/paulmach/orb/geojson"

	"jingge/geo"
)

// The overlay layers draw what GET /api/v1/areas and /api/v1/places list:
// no liaisons. An index holds every area and place whatever its period,
// and a tile is cached per index, so the period travels as properties for
// the map to judge rather than deciding what is drawn.

var overlayFields = []Field{
	{"id", "String", "the area's or place's id"},
	{"name", "String", "its name"},
	{"kind", "String", "its kind's code"},
	{"kind_zh", "String", "its kind's Chinese name"},
	{"station", "String", "the owner station's id"},
	{"valid_from", "String", "when it starts (RFC 3339, the dataset's time); absent when always"},
	{"valid_to", "String", "when it ends (a works site's end); absent when open"},
}

func (b *builder) overlayProps(id, name, kind, kindZH, station string, v geo.Validity) geojson.Properties {
	p := geojson.Properties{"id": id, "name": name, "kind": kind, "kind_zh": kindZH, "station": station}
	if !v.ValidFrom.IsZero() {
		p["valid_from"] = v.ValidFrom.In(b.ix.Location()).Format(time.RFC3339)
	}
	if !v.ValidTo.IsZero() {
		p["valid_to"] = v.ValidTo.In(b.ix.Location()).Format(time.RFC3339)
	}
	return p
}

func (b *builder) areas() *indexLayer {
	var feats []feature
	for i := range b.ds.Areas {
		a := &b.ds.Areas[i]
		feats = append(feats, feature{id: a.ID, shape: b.areaShapes[i],
			props: b.overlayProps(a.ID, a.Name, string(a.Kind), a.Kind.LabelZH(), a.StationID, a.Validity)})
	}
	return b.newLayer(LayerInfo{ID: LayerAreas, Description: "special areas (园区, 景区, 饮用水源保护区, works, school zones), over the grids and each other",
		MinZoom: 6, MaxZoom: MaxZoom, Fields: overlayFields}, feats)
}

func (b *builder) places() *indexLayer {
	project := projector(b.ds.Meta.Datum)
	var feats []feature
	for i := range b.ds.Places {
		p := &b.ds.Places[i]
		feats = append(feats, feature{id: p.ID, point: project(p.Location),
			props: b.overlayProps(p.ID, p.Name, string(p.Kind), p.Kind.LabelZH(), p.StationID, p.Validity)})
	}
	return b.newLayer(LayerInfo{ID: LayerPlaces, Description: "key places (schools, markets, hospitals, 重点单位, 重点村居)",
		MinZoom: 10, MaxZoom: MaxZoom, Fields: overlayFields}, feats)
}
