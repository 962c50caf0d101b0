package locate

import "encoding/json"

// A property fields leaves out is absent from the answer; one it selects
// is present, null where the point has none (no community grid). A *any
// says both: a nil pointer is omitted, a pointer to nil is null.

// Selected is a GET /api/v1/lookup answer restricted by fields.
type Selected struct {
	Query         *Query      `json:"query,omitempty"`
	Point         *DatumPoint `json:"point,omitempty"`
	CommunityGrid *any        `json:"community_grid,omitempty"`
	PoliceGrid    *any        `json:"police_grid,omitempty"`
	Station       *any        `json:"station,omitempty"`
	Region        *any        `json:"region,omitempty"`
	AlsoInside    *[]AreaHit  `json:"also_inside,omitempty"`
	PlacesNearby  *[]PlaceHit `json:"places_nearby,omitempty"`
}

// Select restricts a full answer to sel.
func Select(resp *Response, sel Selection) *Selected {
	out := &Selected{AlsoInside: resp.AlsoInside, PlacesNearby: resp.PlacesNearby}
	if sel.has(fieldQuery) {
		out.Query = &resp.Query
	}
	if sel.has(fieldPoint) {
		out.Point = &resp.Point
	}
	if sel.has(fieldCommunityGrid) {
		out.CommunityGrid = selectedGrid(resp.CommunityGrid, sel.ids())
	}
	if sel.has(fieldPoliceGrid) {
		out.PoliceGrid = selectedGrid(resp.PoliceGrid, sel.ids())
	}
	if sel.has(fieldStation) {
		var v any
		if st := resp.Station; st != nil {
			v = st
			if sel.ids() {
				v = st.ID
			}
		}
		out.Station = &v
	}
	if sel.has(fieldRegion) {
		var v any
		if resp.Region != nil {
			v = resp.Region
		}
		out.Region = &v
	}
	return out
}

func selectedGrid(g *Grid, ids bool) *any {
	var v any
	switch {
	case g == nil:
	case ids:
		v = g.ID
	default:
		v = g
	}
	return &v
}

// BatchSelected is a POST /api/v1/lookup answer restricted by fields;
// BatchResponse is the answer without it.
type BatchSelected struct {
	CRS      string                `json:"crs"`
	Datum    string                `json:"datum"`
	Count    int                   `json:"count"`
	Found    int                   `json:"found"`
	NotFound int                   `json:"not_found"`
	Results  []BatchSelectedResult `json:"results"`
}

// BatchSelectedResult is BatchResult restricted by fields.
type BatchSelectedResult struct {
	Index         int             `json:"index"`
	ID            json.RawMessage `json:"id,omitempty"`
	Found         bool            `json:"found"`
	CommunityGrid *any            `json:"community_grid,omitempty"`
	PoliceGrid    *any            `json:"police_grid,omitempty"`
	Station       *any            `json:"station,omitempty"`
}

// SelectBatch restricts a full batch answer to sel.
func SelectBatch(resp *BatchResponse, sel Selection) *BatchSelected {
	out := &BatchSelected{CRS: resp.CRS, Datum: resp.Datum, Count: resp.Count, Found: resp.Found, NotFound: resp.NotFound,
		Results: make([]BatchSelectedResult, len(resp.Results))}
	for i, r := range resp.Results {
		o := &out.Results[i]
		o.Index, o.ID, o.Found = r.Index, r.ID, r.Found
		if sel.has(fieldCommunityGrid) {
			o.CommunityGrid = selectedRef(r.CommunityGrid, sel.ids())
		}
		if sel.has(fieldPoliceGrid) {
			o.PoliceGrid = selectedRef(r.PoliceGrid, sel.ids())
		}
		if sel.has(fieldStation) {
			o.Station = selectedRef(r.Station, sel.ids())
		}
	}
	return out
}

func selectedRef(r *Ref, ids bool) *any {
	var v any
	switch {
	case r == nil:
	case ids:
		v = r.ID
	default:
		v = r
	}
	return &v
}
