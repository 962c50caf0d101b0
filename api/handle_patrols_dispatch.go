package api

import (
	"math"
	"net/http"

	"github.com/paulmach/orb"

	"jingge/api/httpx"
	"jingge/api/intake"
	"jingge/api/patrolling"
	"jingge/geo/patrol"
)

// NearestOfficers answers GET /api/v1/dispatch/nearest-officers.
type NearestOfficers struct {
	Point DatumPoint `json:"point"`
	// ByDistance and ByTime rank the officers reporting now (not silent);
	// they may differ where terrain slows one route.
	ByDistance []patrolling.OfficerCandidate `json:"by_distance"`
	ByTime     []patrolling.OfficerCandidate `json:"by_time"`
}

// StationCandidate is a station with the distance and travel estimate to a point.
type StationCandidate struct {
	StationRef
	Lon        float64 `json:"lon"`
	Lat        float64 `json:"lat"`
	DistanceM  float64 `json:"distance_m"`
	ETASeconds float64 `json:"eta_seconds"`
}

// NearestStation answers GET /api/v1/dispatch/nearest-station.
type NearestStation struct {
	Point DatumPoint `json:"point"`
	// Responsible is the station whose grids hold the point; null outside
	// every grid.
	Responsible *StationRef       `json:"responsible"`
	Nearest     *StationCandidate `json:"nearest"` // by straight-line distance
	Fastest     *StationCandidate `json:"fastest"` // by travel estimate
}

// dispatchPoint reads lon, lat and crs and returns the point in the
// dataset's datum, with the view.
func (s *Server) dispatchPoint(q query) (*view, orb.Point, DatumPoint, error) {
	lon, _ := q.lookup("lon")
	lat, _ := q.lookup("lat")
	pt, err := intake.ParseCoordinates(lon, lat)
	from, crsErr := parseQueryCRS(q)
	if err != nil || crsErr != nil {
		return nil, orb.Point{}, DatumPoint{}, joinInvalid(err, crsErr)
	}
	v, err := s.current()
	if err != nil {
		return nil, orb.Point{}, DatumPoint{}, err
	}
	at := v.toDatum(pt, from)
	return v, at, DatumPoint{Lon: at[0], Lat: at[1], Datum: v.datumName}, nil
}

func (s *Server) handleNearestOfficers(w http.ResponseWriter, r *http.Request, q query) error {
	p := s.patrols
	if p.store == nil {
		return errNoPatrols(s)
	}
	v, at, dp, err := s.dispatchPoint(q)
	n, nErr := patrolling.ParseNearestCount(q.lookup("n"))
	if err != nil || nErr != nil {
		return joinInvalid(err, nErr)
	}
	resp := NearestOfficers{Point: dp}
	resp.ByDistance, resp.ByTime = p.NearestOfficers(v.names(), at, n)
	httpx.WriteJSON(w, r, s.logger, http.StatusOK, httpx.ContentTypeJSON, resp)
	return nil
}

func (s *Server) handleNearestStation(w http.ResponseWriter, r *http.Request, q query) error {
	v, at, dp, err := s.dispatchPoint(q)
	if err != nil {
		return err
	}
	resp := NearestStation{Point: dp}
	if h := v.ix.Lookup(at); h.Station != nil {
		resp.Responsible = stationRef(h.Station)
	}
	byDist, byTime := patrol.NearestStations(v.ix, patrol.DefaultTravel, at, 1)
	candidate := func(cs []patrol.Candidate) *StationCandidate {
		if len(cs) == 0 {
			return nil
		}
		st, _ := v.ix.Station(cs[0].ID)
		ll := v.toWGS84(cs[0].Location)
		return &StationCandidate{StationRef: *stationRef(st), Lon: ll[0], Lat: ll[1], DistanceM: math.Round(cs[0].DistanceM), ETASeconds: math.Round(cs[0].Travel.Seconds())}
	}
	resp.Nearest, resp.Fastest = candidate(byDist), candidate(byTime)
	httpx.WriteJSON(w, r, s.logger, http.StatusOK, httpx.ContentTypeJSON, resp)
	return nil
}
