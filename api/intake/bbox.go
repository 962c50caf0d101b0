package intake

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/paulmach/orb"

	"jingge/data"
)

// ParseBBox reads a bbox parameter, minLon,minLat,maxLon,maxLat in
// decimal degrees. A box across the antimeridian (minLon > maxLon) is
// refused: nothing policed by this service lies there. The refusal is a
// data.Param named bbox.
func ParseBBox(text string) (orb.Bound, *data.Param) {
	fail := func(format string, args ...any) (orb.Bound, *data.Param) {
		return orb.Bound{}, &data.Param{Name: "bbox", Reason: fmt.Sprintf(format, args...)}
	}
	parts := strings.Split(text, ",")
	if len(parts) != 4 {
		return fail("bbox must be four comma-separated numbers minLon,minLat,maxLon,maxLat, got %q (%d values)", Clip([]byte(text)), len(parts))
	}
	names := [4]string{"minLon", "minLat", "maxLon", "maxLat"}
	var v [4]float64
	for i, p := range parts {
		x, err := data.ParseDecimal(strings.TrimSpace(p))
		if ne, ok := err.(*strconv.NumError); err != nil && (!ok || ne.Err != strconv.ErrRange) {
			return fail("bbox's %s must be a number, got %q", names[i], Clip([]byte(p)))
		}
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return fail("bbox's %s must be a finite number, got %q", names[i], Clip([]byte(p)))
		}
		limit := float64(MaxLon)
		if i%2 == 1 {
			limit = MaxLat
		}
		if math.Abs(x) > limit {
			return fail("bbox's %s must be between %g and %g, got %g", names[i], -limit, limit, x)
		}
		v[i] = x
	}
	if v[0] > v[2] {
		return fail("bbox's minLon (%g) must not exceed its maxLon (%g)", v[0], v[2])
	}
	if v[1] > v[3] {
		return fail("bbox's minLat (%g) must not exceed its maxLat (%g)", v[1], v[3])
	}
	return orb.Bound{Min: orb.Point{v[0], v[1]}, Max: orb.Point{v[2], v[3]}}, nil
}
