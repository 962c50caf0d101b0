package api

import "jingge/api/httpx"

// OGC API – Features, Part 1 (Core and GeoJSON), served as a second face
// of the same data under a root of its own, so GIS clients (QGIS, GDAL's
// OAPIF driver, ArcGIS) read the grids, stations, regions, townships and
// incidents with the token, roles and masking of the REST API. Nothing
// here decides what a feature is: grids, stations and incidents are
// built by the REST handlers' own functions, regions and townships are
// the tiles' dissolved areas.

// ogcRoot is the landing page of OGC API – Features. It sits beside
// /api/v1 rather than inside it so no existing route changes and a client
// is given one short address (OAPIF:https://host/ogc).
const ogcRoot = "/ogc"

// OGC identifiers: the one CRS features are served in and the
// conformance classes the server meets.
const (
	ogcCRS84       = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
	ogcGregorian   = "http://www.opengis.net/def/uom/ISO-8601/0/Gregorian"
	ogcConfCore    = "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core"
	ogcConfGeoJSON = "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson"
	// ogcOpenAPIType is the media type OGC asks of a service-desc link.
	ogcOpenAPIType = "application/vnd.oai.openapi+json;version=3.1"
)

// The collections. The index collections share the generic routes; the
// incidents have routes of their own that mirror listIncidents, so a role
// that may not list incidents cannot read them here either.
const (
	ogcCommunityGrids = "community_grids"
	ogcPoliceGrids    = "police_grids"
	ogcStations       = "stations"
	ogcRegions        = "regions"
	ogcTownships      = "townships"
	ogcIncidents      = "incidents"
)

// Paging of items: a limit above the maximum is served as the maximum
// (OGC lets a server cap it, and clients such as GDAL ask for large pages).
const (
	ogcDefaultLimit = 100
	ogcMaxLimit     = 10000
)

// ogcCollectionInfo describes one collection.
type ogcCollectionInfo struct {
	id, title, description string
	// temporal collections take datetime=.
	temporal bool
	// stationProperty collections take station=.
	stationProperty bool
}

// ogcIndexCollections are the collections read from the index in force,
// in the order /collections lists them.
var ogcIndexCollections = []ogcCollectionInfo{
	{ogcCommunityGrids, "Community grids (网格)", "Community grids with their police grid, station, township, population, members and terrain; datetime= gives the grids in force at that instant.", true, true},
	{ogcPoliceGrids, "Police grids (警格)", "Police grids with their station, township, population, members and terrain; datetime= gives the grids in force at that instant.", true, true},
	{ogcStations, "Police stations", "Each station building as a point, with what the station is responsible for.", false, true},
	{ogcRegions, "Terrain regions", "The four terrain regions (四警蓝图), dissolved from their stations' grids.", false, false},
	{ogcTownships, "Townships (乡镇/街道)", "Townships dissolved from the grids that name them.", false, false},
}

var ogcIncidentCollection = ogcCollectionInfo{ogcIncidents, "Incidents", "Reported incidents with category, severity, status and attribution; datetime= selects by occurrence time. Free text has phone numbers masked for the roles that see them masked.", true, true}

// ogcIndexCollection returns the index collection id.
func ogcIndexCollection(id string) (ogcCollectionInfo, bool) {
	for _, c := range ogcIndexCollections {
		if c.id == id {
			return c, true
		}
	}
	return ogcCollectionInfo{}, false
}

// OGCLanding is the landing page of OGC API – Features.
type OGCLanding struct {
	Title       string `json:"title"`
	Description string `json:"description"`
	Links       []Link `json:"links"`
}

// OGCConformance lists the conformance classes the server meets.
type OGCConformance struct {
	ConformsTo []string `json:"conformsTo"`
}

// OGCCollections answers /ogc/collections: the collections the caller may
// read.
type OGCCollections struct {
	Links       []Link          `json:"links"`
	Collections []OGCCollection `json:"collections"`
}

// OGCCollection describes one collection of features.
type OGCCollection struct {
	ID          string    `json:"id"`
	Title       string    `json:"title"`
	Description string    `json:"description"`
	Links       []Link    `json:"links"`
	Extent      OGCExtent `json:"extent"`
	ItemType    string    `json:"itemType"` // always "feature"
	CRS         []string  `json:"crs"`
}

// OGCExtent is a collection's extent: the bounds of the county's grids in
// CRS84, and for temporal collections an open interval.
type OGCExtent struct {
	Spatial  OGCSpatialExtent   `json:"spatial"`
	Temporal *OGCTemporalExtent `json:"temporal,omitempty"`
}

// OGCSpatialExtent is one bounding box in CRS84.
type OGCSpatialExtent struct {
	BBox [][]float64 `json:"bbox"`
	CRS  string      `json:"crs"`
}

// OGCTemporalExtent is one interval; null ends are open.
type OGCTemporalExtent struct {
	Interval [][]*string `json:"interval"`
	TRS      string      `json:"trs"`
}

// OGCFeatureCollection is one page of a collection's items.
// NumberMatched counts every item the query selects, NumberReturned
// those on this page; the next link, when present, gives the following
// page.
type OGCFeatureCollection struct {
	Type           string               `json:"type"` // always "FeatureCollection"
	Features       []httpx.Feature[any] `json:"features"`
	Links          []Link               `json:"links"`
	TimeStamp      string               `json:"timeStamp"`
	NumberMatched  int                  `json:"numberMatched"`
	NumberReturned int                  `json:"numberReturned"`
}

// OGCFeature is one item with its links.
type OGCFeature struct {
	httpx.Feature[any]
	Links []Link `json:"links"`
}

// The query parameters of the items routes. Part 1 allows selecting by a
// property with a parameter of its name; station, category, status and
// severity are those a bureau filters by, each a comma-separated list of
// values of which one must match.
var (
	ogcItemParams     = []string{"bbox", "datetime", "limit", "offset", "station", "f"}
	ogcIncidentParams = []string{"bbox", "datetime", "limit", "cursor", "station", "category", "status", "severity", "f"}
)
