package locate

import (
	"encoding/json"

	"github.com/paulmach/orb"

	"jingge/geo"
	"jingge/geo/crs"
)

// BatchResponse answers POST /api/v1/lookup. Results are in input order.
type BatchResponse struct {
	CRS      string        `json:"crs"`   // the system the points were read in
	Datum    string        `json:"datum"` // the dataset's datum, the lookups' own
	Count    int           `json:"count"`
	Found    int           `json:"found"`
	NotFound int           `json:"not_found"`
	Results  []BatchResult `json:"results"`
}

// BatchResult is the answer for one input point. ID echoes the input
// feature's id, as it was sent (string or number), when it had one.
type BatchResult struct {
	Index         int             `json:"index"`
	ID            json.RawMessage `json:"id,omitempty"`
	Found         bool            `json:"found"`
	CommunityGrid *Ref            `json:"community_grid"`
	PoliceGrid    *Ref            `json:"police_grid"`
	Station       *Ref            `json:"station"`
}

// LookupBatch looks up points, which are in coordinate system from, in
// one pass over the index (geo.Index.LookupBatch).
func (l *Locator) LookupBatch(points []BatchPoint, from crs.CRS) *BatchResponse {
	pts := make([]orb.Point, len(points))
	for i := range points {
		pts[i] = l.ToDatum(points[i].pos.Point, from)
	}
	hits := make([]geo.Hit, len(pts))
	l.ix.LookupBatch(pts, hits)
	resp := &BatchResponse{CRS: string(from), Datum: l.datumName, Count: len(hits), Results: make([]BatchResult, len(hits))}
	for i, h := range hits {
		res := &resp.Results[i]
		res.Index, res.ID, res.Found = i, points[i].id, h.Found()
		if h.Community != nil {
			res.CommunityGrid = l.gridRefs[h.Community.ID]
		}
		if h.Police != nil {
			res.PoliceGrid = l.gridRefs[h.Police.ID]
		}
		if h.Station != nil {
			res.Station = l.stRefs[h.Station.ID]
		}
		if res.Found {
			resp.Found++
		}
	}
	resp.NotFound = resp.Count - resp.Found
	return resp
}
