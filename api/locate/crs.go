package locate

import (
	"strings"

	"jingge/data"
	"jingge/geo/crs"
)

// CRSText checks a crs query parameter given as text (given reports
// whether it was given at all). A crs given empty (crs=) is refused
// rather than read as WGS-84: it is a client's bug (a variable left
// unset) more often than a choice, and reading it as WGS-84 would put
// GCJ-02 points hundreds of metres off.
func CRSText(text string, given bool) error {
	if given && strings.TrimSpace(text) == "" {
		return data.InvalidParams(data.Param{Name: "crs", Reason: "crs is empty; give a coordinate system such as wgs84, gcj02 or bd09, or leave crs out for WGS-84"})
	}
	return nil
}

// ParseCRS reads a coordinate-system parameter called name; "" means
// WGS-84.
func ParseCRS(name, text string) (crs.CRS, error) {
	c, err := crs.Parse(text)
	if err != nil {
		return "", data.InvalidParams(data.Param{Name: name, Reason: err.Error()})
	}
	return c, nil
}

// ParseQueryCRS reads the crs query parameter: WGS-84 when left out,
// refused when given empty (CRSText).
func ParseQueryCRS(text string, given bool) (crs.CRS, error) {
	if err := CRSText(text, given); err != nil {
		return "", err
	}
	return ParseCRS("crs", text)
}
