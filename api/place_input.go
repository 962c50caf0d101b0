package api

import (
	"context"
	"errors"
	"fmt"
	"jingge/api/httpx"
	"time"

	"github.com/paulmach/orb"

	"jingge/data"
	"jingge/geo"
)

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
