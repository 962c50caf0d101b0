package lantian

import (
	"fmt"
	"math"

	"github.com/paulmach/orb"

	"jingge/geo"
	"jingge/geo/crs"
)

// checkpointPlan is one demo checkpoint (查控点): where a road the county
// is known to carry leaves it through the township named. The roads are
// real (G40 沪陕高速 and G312 cross the county north-west to south-east,
// the 环山路 runs along the Qinling foot through 汤峪); every position is
// synthetic.
type checkpointPlan struct {
	id, name, township, road string
}

var checkpointPlans = []checkpointPlan{
	{"cp-xiehu-g40", "洩湖G40西口查控点", "洩湖镇", "G40沪陕高速（往西安）"},
	{"cp-huaxu-g312", "华胥G312查控点", "华胥镇", "G312国道（往西安）"},
	{"cp-tangyu-huanshan", "汤峪环山路西口查控点", "汤峪镇", "环山旅游公路（往长安）"},
	{"cp-lanqiao-g40", "蓝桥G40东南口查控点", "蓝桥镇", "G40沪陕高速（往商洛）"},
}

// checkpointInsetMeters is how far inside the outline a demo checkpoint
// stands, so it lies in a grid rather than on the county's edge.
const checkpointInsetMeters = 400

// checkpoints places the demo checkpoints in ds, whose grids and
// townships are final: each at the vertex of the county outline nearest
// its township's seat among those that, moved checkpointInsetMeters
// towards the seat, fall inside the township; owned by the station whose
// grid holds it. Deterministic: no random stream.
func checkpoints(ds *geo.Dataset, src *sources) ([]geo.Checkpoint, error) {
	ix, err := geo.NewIndex(ds)
	if err != nil {
		return nil, fmt.Errorf("lantian: %w", err)
	}
	at := map[string]int{}
	for i, t := range ds.Townships {
		at[t.Name] = i
	}
	var out []geo.Checkpoint
	for _, cp := range checkpointPlans {
		t, ok := at[cp.township]
		if !ok {
			return nil, fmt.Errorf("lantian: checkpoint %s: no township %s", cp.id, cp.township)
		}
		seat := crs.GCJ02ToWGS84(src.townships[t].Seat)
		prep := geo.Prepare(ds.Townships[t].Geometry)
		best, bestD := orb.Point{}, math.Inf(1)
		for _, poly := range ds.County {
			for _, v := range poly[0] {
				east := (seat[0] - v[0]) * metresPerDegree * math.Cos(v[1]*math.Pi/180)
				north := (seat[1] - v[1]) * metresPerDegree
				n := math.Hypot(east, north)
				if n < checkpointInsetMeters {
					continue
				}
				p := offset(v, checkpointInsetMeters*east/n, checkpointInsetMeters*north/n)
				if d := geo.DistanceMeters(v, seat); d < bestD && prep.Contains(p) && ix.Lookup(p).Station != nil {
					best, bestD = p, d
				}
			}
		}
		if math.IsInf(bestD, 1) {
			return nil, fmt.Errorf("lantian: checkpoint %s: township %s does not reach the county outline", cp.id, cp.township)
		}
		out = append(out, geo.Checkpoint{ID: cp.id, Name: cp.name, StationID: ix.Lookup(best).Station.ID, Road: cp.road,
			Notes: "位置为示意（合成数据）", Location: best})
	}
	return out, nil
}
