package tiles

import (
	"github.com/paulmach/orb/geojson"

	"jingge/geo"
)

// CheckpointColor draws checkpoints in the style and the map's legend: a
// teal apart from every place kind's colour.
const CheckpointColor = "#00897B"

var checkpointFields = []Field{
	{"id", "String", "the checkpoint's id"},
	{"name", "String", "its name"},
	{"station", "String", "the owner station's id"},
	{"road", "String", "the road it controls; absent when not given"},
}

// checkpoints draws what GET /api/v1/checkpoints lists.
func (b *builder) checkpoints() *indexLayer {
	project := projector(b.ds.Meta.Datum)
	var feats []feature
	for i := range b.ds.Checkpoints {
		c := &b.ds.Checkpoints[i]
		feats = append(feats, feature{id: c.ID, point: project(c.Location), props: checkpointProps(c)})
	}
	return b.newLayer(LayerInfo{ID: LayerCheckpoints, Description: "checkpoints on the roads (查控点)",
		MinZoom: 8, MaxZoom: MaxZoom, Fields: checkpointFields}, feats)
}

func checkpointProps(c *geo.Checkpoint) geojson.Properties {
	p := geojson.Properties{"id": c.ID, "name": c.Name, "station": c.StationID}
	if c.Road != "" {
		p["road"] = c.Road
	}
	return p
}
