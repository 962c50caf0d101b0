package incidents

import (
	"errors"
	"fmt"
	"strings"

	"github.com/paulmach/orb"

	"jingge/api/intake"
	"jingge/data"
	"jingge/geo/topo"
)

// maxQueryVertices bounds the polygon of an incident query.
const maxQueryVertices = 500

// maxRadiusMeters bounds the circle of an incident query.
const maxRadiusMeters = 100_000

// parsePolygon reads polygon=lon,lat,lon,lat,...: one ring of at least
// three corners, closed if the client did not close it, that does not
// cross itself.
func parsePolygon(text string) (orb.Polygon, *data.Param) {
	fail := func(format string, args ...any) (orb.Polygon, *data.Param) {
		return nil, &data.Param{Name: "polygon", Reason: "polygon " + fmt.Sprintf(format, args...)}
	}
	parts := strings.Split(text, ",")
	if len(parts)%2 != 0 {
		return fail("must be pairs lon,lat,lon,lat,...; got an odd count of %d numbers", len(parts))
	}
	var ring orb.Ring
	for i := 0; i < len(parts); i += 2 {
		pt, err := intake.ParseCoordinates(strings.TrimSpace(parts[i]), strings.TrimSpace(parts[i+1]))
		if err != nil {
			return fail("corner %d: %s", i/2, message(err))
		}
		ring = append(ring, pt)
	}
	if len(ring) > 0 && ring[0] != ring[len(ring)-1] {
		ring = append(ring, ring[0])
	}
	switch {
	case len(ring) < 4:
		return fail("needs at least three corners, got %d", max(len(ring)-1, 0))
	case len(ring) > maxQueryVertices+1:
		return fail("has %d corners; at most %d", len(ring)-1, maxQueryVertices)
	}
	poly := orb.Polygon{ring}
	if err := validateQueryPolygon(poly); err != nil {
		return fail("%v", err)
	}
	return poly, nil
}

// parseNear reads near=lon,lat and radius_m.
func parseNear(nearText, radiusText string) (data.Circle, *data.Param) {
	lon, lat, ok := strings.Cut(nearText, ",")
	if !ok {
		return data.Circle{}, &data.Param{Name: "near", Reason: fmt.Sprintf("near must be lon,lat, got %q", intake.Clip([]byte(nearText)))}
	}
	pt, err := intake.ParseCoordinates(strings.TrimSpace(lon), strings.TrimSpace(lat))
	if err != nil {
		return data.Circle{}, &data.Param{Name: "near", Reason: "near: " + message(err)}
	}
	r, rerr := data.ParseDecimal(strings.TrimSpace(radiusText))
	if rerr != nil || !(r > 0) || r > maxRadiusMeters {
		return data.Circle{}, &data.Param{Name: "radius_m", Reason: fmt.Sprintf("radius_m must be a distance in metres above 0 and at most %d, got %q", maxRadiusMeters, intake.Clip([]byte(radiusText)))}
	}
	return data.Circle{Center: pt, RadiusMeters: r}, nil
}

// validateQueryPolygon refuses a ring that crosses itself or has no area,
// which would make "inside" mean different things to different stores.
func validateQueryPolygon(p orb.Polygon) error {
	if err := topo.ValidatePolygon(p); err != nil {
		return errors.New(strings.TrimPrefix(err.Error(), "topo: "))
	}
	return nil
}

// ParsePage reads limit= and cursor= of a paged list.
func ParsePage(p Params) (data.Page, []data.Param) {
	page, bad := intake.ParsePage(p)
	if bad != nil {
		return page, []data.Param{*bad}
	}
	return page, nil
}

// message is the message of the *data.RequestError in err, else err's
// text.
func message(err error) string {
	var re *data.RequestError
	if errors.As(err, &re) {
		return re.Message
	}
	return err.Error()
}

// paramsOf is the invalid parameters of a refusal; nil for any other error.
func paramsOf(err error) []data.Param {
	var re *data.RequestError
	if errors.As(err, &re) {
		return re.Params
	}
	return nil
}
