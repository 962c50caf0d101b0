package ogc

import "jingge/api/httpx"

// Root is the landing page of OGC API – Features. It sits beside /api/v1
// rather than inside it so no existing route changes and a client is given
// one short address (OAPIF:https://host/ogc).
const Root = "/ogc"

// OGC identifiers: the one CRS features are served in and the conformance
// classes the server meets.
const (
	CRS84       = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
	Gregorian   = "http://www.opengis.net/def/uom/ISO-8601/0/Gregorian"
	ConfCore    = "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core"
	ConfGeoJSON = "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson"
	// openAPIType is the media type OGC asks of a service-desc link.
	openAPIType = "application/vnd.oai.openapi+json;version=3.1"
)

// Landing is the landing page of OGC API – Features.
type Landing struct {
	Title       string       `json:"title"`
	Description string       `json:"description"`
	Links       []httpx.Link `json:"links"`
}

// Conformance lists the conformance classes the server meets.
type Conformance struct {
	ConformsTo []string `json:"conformsTo"`
}

// Collections answers /ogc/collections: the collections the caller may
// read.
type Collections struct {
	Links       []httpx.Link `json:"links"`
	Collections []Collection `json:"collections"`
}

// Collection describes one collection of features.
type Collection struct {
	ID          string       `json:"id"`
	Title       string       `json:"title"`
	Description string       `json:"description"`
	Links       []httpx.Link `json:"links"`
	Extent      Extent       `json:"extent"`
	ItemType    string       `json:"itemType"` // always "feature"
	CRS         []string     `json:"crs"`
}

// Extent is a collection's extent: the bounds of the county's grids in
// CRS84, and for temporal collections an open interval.
type Extent struct {
	Spatial  SpatialExtent   `json:"spatial"`
	Temporal *TemporalExtent `json:"temporal,omitempty"`
}

// SpatialExtent is one bounding box in CRS84; none for a dataset without
// grids.
type SpatialExtent struct {
	BBox [][]float64 `json:"bbox"`
	CRS  string      `json:"crs"`
}

// TemporalExtent is one interval; null ends are open.
type TemporalExtent struct {
	Interval [][]*string `json:"interval"`
	TRS      string      `json:"trs"`
}

// FeatureCollection is one page of a collection's items. NumberMatched
// counts every item the query selects, NumberReturned those on this page;
// the next link, when present, gives the following page.
type FeatureCollection struct {
	Type           string               `json:"type"` // always "FeatureCollection"
	Features       []httpx.Feature[any] `json:"features"`
	Links          []httpx.Link         `json:"links"`
	TimeStamp      string               `json:"timeStamp"`
	NumberMatched  int                  `json:"numberMatched"`
	NumberReturned int                  `json:"numberReturned"`
}

// Feature is one item with its links.
type Feature struct {
	httpx.Feature[any]
	Links []httpx.Link `json:"links"`
}
