package patrolling

import (
	"time"

	"github.com/paulmach/orb"

	"jingge/geo"
	"jingge/geo/crs"
	"jingge/geo/patrol"
)

// Names is the dataset that ids are named against: its index and datum.
// The zero Names names nothing and leaves points in the store's datum.
type Names struct {
	Index *geo.Index
	Datum crs.CRS
}

// ToWGS84 converts p from the dataset's datum to WGS-84.
func (n Names) ToWGS84(p orb.Point) orb.Point { return crs.Convert(p, n.Datum, crs.WGS84) }

// Event is a geofence event as the API sends it: in an event stream's
// data lines, in GET /api/v1/events as JSON, and to webhooks. Names are
// resolved against the dataset in force when it is sent.
type Event struct {
	ID          int64            `json:"id"`
	Kind        patrol.EventKind `json:"kind"`
	Officer     string           `json:"officer"`
	Name        string           `json:"name,omitempty"`
	At          time.Time        `json:"at"`
	Lon         float64          `json:"lon"` // WGS-84
	Lat         float64          `json:"lat"`
	Grid        string           `json:"grid,omitempty"`
	GridName    string           `json:"grid_name,omitempty"`
	PoliceGrid  string           `json:"police_grid,omitempty"`
	Station     string           `json:"station,omitempty"`
	StationName string           `json:"station_name,omitempty"`
	// Area and AreaName name the special area of overlay_enter and
	// overlay_leave, the name as it was when the event happened.
	Area     string `json:"area,omitempty"`
	AreaName string `json:"area_name,omitempty"`
}

// Event renders e with the names of n.
func (n Names) Event(e patrol.Event) Event {
	out := Event{ID: e.ID, Kind: e.Kind, Officer: e.Officer, At: e.At.UTC(), Lon: e.Location[0], Lat: e.Location[1],
		Grid: e.GridID, PoliceGrid: e.PoliceGridID, Station: e.StationID, Area: e.AreaID, AreaName: e.AreaName}
	if n.Index == nil {
		return out
	}
	ll := n.ToWGS84(e.Location)
	out.Lon, out.Lat = ll[0], ll[1]
	if m, ok := n.Index.Member(e.Officer); ok {
		out.Name = m.Name
	}
	if g, ok := n.Index.Grid(e.GridID); ok {
		out.GridName = g.Name
	}
	if st, ok := n.Index.Station(e.StationID); ok {
		out.StationName = st.Name
	}
	return out
}

// Events renders evs with the names of n.
func (n Names) Events(evs []patrol.Event) []Event {
	out := make([]Event, len(evs))
	for i, e := range evs {
		out[i] = n.Event(e)
	}
	return out
}

// WebhookBody is the JSON body of a webhook request.
type WebhookBody struct {
	Events []Event `json:"events"`
}
