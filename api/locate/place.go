package locate

import (
	"encoding/json"
	"errors"

	"github.com/paulmach/orb"

	"jingge/api/intake"
	"jingge/data"
	"jingge/geo/crs"
)

// Place reads the lon, lat and crs members of a record's body (a visit,
// a dispute) into a point in the dataset's datum; each problem is named
// after its member, and the point is meaningless when there is one.
func (l *Locator) Place(lon, lat *json.Number, crsText string) (orb.Point, []data.Param) {
	var bad []data.Param
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
		bad = append(bad, re.Params...)
	}
	from := crs.WGS84
	if crsText != "" {
		c, err := crs.Parse(crsText)
		if err != nil {
			bad = append(bad, data.Param{Name: "crs", Reason: err.Error()})
		}
		from = c
	}
	return l.ToDatum(pt, from), bad
}
