package pack

import (
	"encoding/json"
	"testing"

	"jingge/data/lantian"
	"jingge/geo"
)

func lantianIndex(t *testing.T) (*geo.Dataset, *geo.Index) {
	t.Helper()
	ds, err := lantian.Load()
	if err != nil {
		t.Fatalf("lantian.Load: %v", err)
	}
	if len(ds.Grids) == 0 {
		t.Skip("the bundled Lantian dataset has no grids")
	}
	ix, err := geo.NewIndex(ds)
	if err != nil {
		t.Fatal(err)
	}
	return ds, ix
}

// TestPackSizes: the county's pack and every station's area pack (the
// station and its neighbours) stay within CountyMaxGzipBytes gzipped.
// go test -v -run TestPackSizes ./api/pack ./api prints the table of
// docs/performance.md (the size on the wire is api's TestPackSizesOnWire).
func TestPackSizes(t *testing.T) {
	ds, ix := lantianIndex(t)
	c := NewCache(ix, Options{Datum: "wgs84", MaskPhone: func(s string) string { return s }})
	if err := c.prepare(); err != nil {
		t.Fatal(err)
	}
	county, _ := json.Marshal(c.build("", c.scale, true, nil))
	t.Logf("| county | %d | %d | %d |", len(ds.Stations), len(county), gzipSize(county))
	// The baseline: the same pack with the coordinates as plain numbers.
	plain, _ := json.Marshal(c.build("", 0, true, nil))
	t.Logf("| county, plain coordinates (baseline) | %d | %d | %d | ratio %.2f |", len(ds.Stations), len(plain), gzipSize(plain), float64(gzipSize(county))/float64(gzipSize(plain)))
	if n := gzipSize(county); n > CountyMaxGzipBytes || !c.county {
		t.Errorf("the county's pack is %d bytes gzipped (fits: %v)", n, c.county)
	}
	for _, st := range ds.Stations {
		scope := append([]string{st.ID}, c.neighbours[st.ID]...)
		b, _ := json.Marshal(c.build(st.ID, c.scale, true, scope))
		n := gzipSize(b)
		t.Logf("| %s %s | %d | %d | %d |", st.ID, st.Name, len(scope), len(b), n)
		if n > CountyMaxGzipBytes {
			t.Errorf("station %s: %d bytes gzipped", st.ID, n)
		}
	}
}

// TestPackStationRequired: a county above the threshold gives no pack for
// no station, and a station's pack of its area.
func TestPackStationRequired(t *testing.T) {
	_, ix := lantianIndex(t)
	c := NewCache(ix, Options{Datum: "wgs84", MaskPhone: func(s string) string { return s }, CountyMaxGzipBytes: 1})
	if _, err := c.Get("", true); err != ErrStationRequired {
		t.Fatalf("no station in a county too large: %v, want ErrStationRequired", err)
	}
	if _, err := NewCache(ix, Options{Datum: "wgs84"}).Get("", true); err != nil {
		t.Fatalf("no station in a county that fits: %v", err)
	}
}
