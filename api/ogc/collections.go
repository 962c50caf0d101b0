package ogc

// The collections. The index collections share the generic routes; the
// incidents have routes of their own that mirror the REST incident list,
// so a role that may not list incidents cannot read them here either.
const (
	CommunityGrids = "community_grids"
	PoliceGrids    = "police_grids"
	Stations       = "stations"
	Regions        = "regions"
	Townships      = "townships"
	Incidents      = "incidents"
)

// Paging of items: a limit above the maximum is served as the maximum
// (OGC lets a server cap it, and clients such as GDAL ask for large pages).
const (
	defaultLimit = 100
	maxLimit     = 10000
)

// collectionInfo describes one collection.
type collectionInfo struct {
	id, title, description string
	// temporal collections take datetime=.
	temporal bool
	// stationProperty collections take station=.
	stationProperty bool
}

// indexCollections are the collections read from the index in force, in
// the order /collections lists them.
var indexCollections = []collectionInfo{
	{CommunityGrids, "Community grids (网格)", "Community grids with their police grid, station, township, population, members and terrain; datetime= gives the grids in force at that instant.", true, true},
	{PoliceGrids, "Police grids (警格)", "Police grids with their station, township, population, members and terrain; datetime= gives the grids in force at that instant.", true, true},
	{Stations, "Police stations", "Each station building as a point, with what the station is responsible for.", false, true},
	{Regions, "Terrain regions", "The four terrain regions (四警蓝图), dissolved from their stations' grids.", false, false},
	{Townships, "Townships (乡镇/街道)", "Townships dissolved from the grids that name them.", false, false},
}

var incidentCollection = collectionInfo{Incidents, "Incidents", "Reported incidents with category, severity, status and attribution; datetime= selects by occurrence time. Free text has phone numbers masked for the roles that see them masked.", true, true}

// indexCollection returns the index collection id.
func indexCollection(id string) (collectionInfo, bool) {
	for _, c := range indexCollections {
		if c.id == id {
			return c, true
		}
	}
	return collectionInfo{}, false
}

// The query parameters of the items routes. Part 1 allows selecting by a
// property with a parameter of its name; station, category, status and
// severity are those a bureau filters by, each a comma-separated list of
// values of which one must match.
var (
	ItemParams     = []string{"bbox", "datetime", "limit", "offset", "station", "f"}
	IncidentParams = []string{"bbox", "datetime", "limit", "cursor", "station", "category", "status", "severity", "f"}
)

// UnsupportedParams say why the OGC routes refuse a parameter a client may
// expect from the standard's other parts, instead of only calling it
// unknown.
var UnsupportedParams = map[string]string{
	"filter":      "CQL2 filters (OGC API – Features Part 3) are not supported: no well-kept Go parser of CQL2 exists; select by property with the query parameters listed",
	"filter-lang": "CQL2 filters (OGC API – Features Part 3) are not supported",
	"filter-crs":  "CQL2 filters (OGC API – Features Part 3) are not supported",
	"crs":         "features are served in CRS84 only (OGC API – Features Part 2 is not supported)",
	"bbox-crs":    "bbox is read in CRS84 only (OGC API – Features Part 2 is not supported)",
}
