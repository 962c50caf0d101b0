package locate

import (
	"errors"
	"testing"

	"jingge/api/apitest"
	"jingge/api/intake"
	"jingge/data"
	"jingge/geo"
	"jingge/geo/crs"
)

// TestLookupFunc checks the exported Lookup used by the CLI agrees with
// the handler and reports outside points as data.ErrNotFound.
func TestLookupFunc(t *testing.T) {
	ix, err := geo.NewIndex(apitest.Small())
	if err != nil {
		t.Fatal(err)
	}
	resp, err := Lookup(ix, apitest.InCommunity, crs.WGS84)
	if err != nil || resp.CommunityGrid == nil || resp.CommunityGrid.ID != apitest.CommunityA || resp.CommunityGrid.TownshipName != "蓝关街道" {
		t.Fatalf("Lookup = %+v, %v", resp, err)
	}
	_, err = Lookup(ix, apitest.Outside, crs.WGS84)
	if !errors.Is(err, data.ErrNotFound) {
		t.Errorf("outside: %v, want data.ErrNotFound", err)
	}
	if _, err := intake.ParseCoordinates("1", "x"); !errors.Is(err, data.ErrInvalid) {
		t.Errorf("ParseCoordinates: %v, want data.ErrInvalid", err)
	}
}
