package api

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"jingge/api/httpx"
	"time"

	"github.com/paulmach/orb"

	"jingge/api/intake"
	"jingge/data"
	"jingge/geo"
	"jingge/geo/crs"
)

// placeOf reads the lon, lat and crs members of a record's body (a visit,
// a dispute) into a point in the dataset's datum; each problem is named
// after its member.
func (v *view) placeOf(lon, lat *json.Number, crsText string) (orb.Point, []httpx.InvalidParam) {
	var bad []httpx.InvalidParam
	var lonText, latText string
	if lon != nil {
		lonText = lon.String()
	}
	if lat != nil {
		latText = lat.String()
	}
	pt, err := intake.ParseCoordinates(lonText, latText)
	var re *data.RequestError
	if errors.As(err, &re) {
		for _, prm := range re.Params {
			bad = append(bad, httpx.InvalidParam{Name: prm.Name, Reason: prm.Reason})
		}
	}
	from := crs.WGS84
	if crsText != "" {
		c, err := crs.Parse(crsText)
		if err != nil {
			bad = append(bad, httpx.InvalidParam{Name: "crs", Reason: err.Error()})
		}
		from = c
	}
	return v.toDatum(pt, from), bad
}

// attributePlace returns the community grid, police grid and station of a
// record (what, for messages) made at pt at time at: by the grid history
// as incidents are (the grids in force where and when it happened) when
// the server has one, else by the index in force. A point in no grid is
// a problem naming lon.
func (s *Server) attributePlace(ctx context.Context, v *view, at time.Time, pt orb.Point, what string) (community, police, station string, err error) {
	outside := func() error {
		w := v.toWGS84(pt)
		return &httpx.Problem{Kind: data.ErrInvalid, Type: httpx.ProblemType("outside-grids"), Detail: fmt.Sprintf("the %s's place, lon %g, lat %g, lies in no grid; a %s must be in the county", what, w[0], w[1], what),
			InvalidParams: []httpx.InvalidParam{{Name: "lon", Reason: "the point lies in no grid"}}}
	}
	if s.inc.attributor != nil {
		b := data.IncidentBatch{Incidents: []geo.Incident{{OccurredAt: at, Location: pt}}}
		if err := s.inc.attributor.Attribute(ctx, &b); err != nil {
			var ie *data.IncidentError
			if errors.As(err, &ie) {
				return "", "", "", outside()
			}
			return "", "", "", err
		}
		inc := b.Incidents[0]
		return inc.CommunityGridID, inc.PoliceGridID, inc.StationID, nil
	}
	h := v.ix.Lookup(pt)
	if !h.Found() {
		return "", "", "", outside()
	}
	if h.Community != nil {
		community = h.Community.ID
	}
	if h.Police != nil {
		police = h.Police.ID
	}
	if h.Station != nil {
		station = h.Station.ID
	}
	return community, police, station, nil
}
