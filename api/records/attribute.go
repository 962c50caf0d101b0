package records

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/paulmach/orb"

	"jingge/data"
	"jingge/geo"
)

// attribute sets the community grid, police grid and station of a record
// (what, for messages) made at pt at time at: by the grid history as
// incidents are (the grids in force where and when it happened) when the
// service has an attributor, else by the index in force. A point in no
// grid is refused, naming lon.
func (s *Service) attribute(ctx context.Context, v *view, at time.Time, pt orb.Point, what string, community, police, station *string) error {
	outside := func() error {
		w := v.toWGS84(pt)
		return &data.RequestError{Kind: data.ErrInvalid, Type: "outside-grids", Message: fmt.Sprintf("the %s's place, lon %g, lat %g, lies in no grid; a %s must be in the county", what, w[0], w[1], what),
			Params: []data.Param{{Name: "lon", Reason: "the point lies in no grid"}}}
	}
	if s.o.Attributor != nil {
		b := data.IncidentBatch{Incidents: []geo.Incident{{OccurredAt: at, Location: pt}}}
		if err := s.o.Attributor.Attribute(ctx, &b); err != nil {
			var ie *data.IncidentError
			if errors.As(err, &ie) {
				return outside()
			}
			return err
		}
		inc := b.Incidents[0]
		*community, *police, *station = inc.CommunityGridID, inc.PoliceGridID, inc.StationID
		return nil
	}
	h := v.ix.Lookup(pt)
	if !h.Found() {
		return outside()
	}
	if h.Community != nil {
		*community = h.Community.ID
	}
	if h.Police != nil {
		*police = h.Police.ID
	}
	if h.Station != nil {
		*station = h.Station.ID
	}
	return nil
}
