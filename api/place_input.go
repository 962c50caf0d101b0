package api

import (
	"context"
	"encoding/json"
	"time"

	"github.com/paulmach/orb"

	"jingge/api/httpx"
)

// placeOf reads the lon, lat and crs members of a record's body (a visit,
// a dispute) into a point in the dataset's datum (locate.Locator.Place).
func (v *view) placeOf(lon, lat *json.Number, crsText string) (orb.Point, []httpx.InvalidParam) {
	pt, bad := v.loc.Place(lon, lat, crsText)
	return pt, httpParams(bad)
}

// attributePlace returns the community grid, police grid and station of a
// record (what, for messages) made at pt at time at
// (incidents.Service.AttributePlace).
func (s *Server) attributePlace(ctx context.Context, v *view, at time.Time, pt orb.Point, what string) (community, police, station string, err error) {
	return s.inc.svc.AttributePlace(ctx, v.loc, at, pt, what)
}
