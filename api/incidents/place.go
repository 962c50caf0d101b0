package incidents

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/paulmach/orb"

	"jingge/api/locate"
	"jingge/data"
	"jingge/geo"
	"jingge/geo/crs"
)

// AttributePlace returns the community grid, police grid and station of a
// record (what, for messages) made at pt (in the dataset's datum) at time
// at: by the grid history as incidents are (the grids in force where and
// when it happened) when the Service has one, else by the index of l. A
// point in no grid is a *data.RequestError naming lon.
func (s *Service) AttributePlace(ctx context.Context, l *locate.Locator, at time.Time, pt orb.Point, what string) (community, police, station string, err error) {
	outside := func() error {
		w := crs.Convert(pt, l.Datum(), crs.WGS84)
		return &data.RequestError{Kind: data.ErrInvalid, Type: "outside-grids", Message: fmt.Sprintf("the %s's place, lon %g, lat %g, lies in no grid; a %s must be in the county", what, w[0], w[1], what),
			Params: []data.Param{{Name: "lon", Reason: "the point lies in no grid"}}}
	}
	if s.attributor != nil {
		b := data.IncidentBatch{Incidents: []geo.Incident{{OccurredAt: at, Location: pt}}}
		if err := s.attributor.Attribute(ctx, &b); err != nil {
			var ie *data.IncidentError
			if errors.As(err, &ie) {
				return "", "", "", outside()
			}
			return "", "", "", err
		}
		inc := b.Incidents[0]
		return inc.CommunityGridID, inc.PoliceGridID, inc.StationID, nil
	}
	h := l.Index().Lookup(pt)
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
