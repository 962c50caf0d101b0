package crs

import (
	"math"
	"testing"

	"github.com/paulmach/orb"
)

// conversions lists every exported point conversion, for tests that must
// hold for all of them.
var conversions = []struct {
	name string
	fn   func(orb.Point) orb.Point
}{
	{"WGS84ToGCJ02", WGS84ToGCJ02},
	{"GCJ02ToWGS84", GCJ02ToWGS84},
	{"GCJ02ToBD09", GCJ02ToBD09},
	{"BD09ToGCJ02", BD09ToGCJ02},
	{"WGS84ToBD09", WGS84ToBD09},
	{"BD09ToWGS84", BD09ToWGS84},
	{"Convert/wgs84-wgs84", func(p orb.Point) orb.Point { return Convert(p, WGS84, WGS84) }},
	{"Convert/gcj02-bd09", func(p orb.Point) orb.Point { return Convert(p, GCJ02, BD09) }},
	{"Convert/bd09-wgs84", func(p orb.Point) orb.Point { return Convert(p, BD09, WGS84) }},
}

func TestNonFiniteGivesNaN(t *testing.T) {
	nan, inf := math.NaN(), math.Inf(1)
	inputs := []struct {
		name string
		p    orb.Point
	}{
		{"nan-lon", orb.Point{nan, 34}},
		{"nan-lat", orb.Point{109.3, nan}},
		{"nan-both", orb.Point{nan, nan}},
		{"inf-lon", orb.Point{inf, 34}},
		{"minus-inf-lat", orb.Point{109.3, -inf}},
		{"inf-both", orb.Point{inf, -inf}},
	}
	for _, c := range conversions {
		for _, in := range inputs {
			t.Run(c.name+"/"+in.name, func(t *testing.T) {
				got := c.fn(in.p)
				if !math.IsNaN(got[0]) || !math.IsNaN(got[1]) {
					t.Errorf("%s(%v) = %v, want (NaN, NaN)", c.name, in.p, got)
				}
			})
		}
	}
}

// TestFiniteInFiniteOut covers the whole lon/lat domain, including the poles,
// the antimeridian and (0, 0), where BD-09's polar form is degenerate.
func TestFiniteInFiniteOut(t *testing.T) {
	inputs := []orb.Point{
		{0, 0}, {180, 90}, {-180, -90}, {180, -90}, {-180, 90},
		{0.0065, 0.006}, // BD-09 point whose GCJ-02 radius is about 0
		{109.3, 34.1}, {chinaMinLon, chinaMinLat}, {chinaMaxLon, chinaMaxLat},
		{105, 35}, // the shift formula's origin, where sqrt(|x|) has a kink
	}
	for _, c := range conversions {
		for _, p := range inputs {
			if got := c.fn(p); !finite(got) {
				t.Errorf("%s(%v) = %v, want finite", c.name, p, got)
			}
		}
	}
}

func TestOutOfChina(t *testing.T) {
	tests := []struct {
		name string
		p    orb.Point
		want bool
	}{
		{"lantian", orb.Point{109.3, 34.1}, false},
		{"beijing", orb.Point{116.4, 39.9}, false},
		{"southwest-corner-inside", orb.Point{72.004, 0.8293}, false},
		{"northeast-corner-inside", orb.Point{137.8347, 55.8271}, false},
		{"west-of-edge", orb.Point{72.0039, 30}, true},
		{"east-of-edge", orb.Point{137.8348, 30}, true},
		{"south-of-edge", orb.Point{110, 0.8292}, true},
		{"north-of-edge", orb.Point{110, 55.8272}, true},
		{"london", orb.Point{-0.1276, 51.5072}, true},
		{"swapped-lat-lon", orb.Point{34.1, 109.3}, true},
		{"nan", orb.Point{math.NaN(), 34}, true},
		{"inf", orb.Point{109.3, math.Inf(1)}, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := OutOfChina(tc.p); got != tc.want {
				t.Errorf("OutOfChina(%v) = %v, want %v", tc.p, got, tc.want)
			}
		})
	}
}

func TestGCJ02LeavesOutsideChinaAlone(t *testing.T) {
	for _, p := range []orb.Point{{-0.1276, 51.5072}, {183, 45}, {139.69, 35.69}, {72.0039, 30}} {
		if got := WGS84ToGCJ02(p); got != p {
			t.Errorf("WGS84ToGCJ02(%v) = %v, want it unchanged", p, got)
		}
		if got := GCJ02ToWGS84(p); got != p {
			t.Errorf("GCJ02ToWGS84(%v) = %v, want it unchanged", p, got)
		}
	}
}

func TestConvertEdgeCases(t *testing.T) {
	p := orb.Point{109.3, 34.1}
	tests := []struct {
		name     string
		from, to CRS
		wantNaN  bool
	}{
		{"same-wgs84", WGS84, WGS84, false},
		{"same-gcj02", GCJ02, GCJ02, false},
		{"same-bd09", BD09, BD09, false},
		{"same-invalid", "bd09mc", "bd09mc", false},
		{"invalid-from", "bd09mc", WGS84, true},
		{"invalid-to", WGS84, "", true},
		{"zero-values", "", "gcj", true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := Convert(p, tc.from, tc.to)
			switch {
			case tc.wantNaN && !(math.IsNaN(got[0]) && math.IsNaN(got[1])):
				t.Errorf("Convert(%v, %q, %q) = %v, want (NaN, NaN)", p, tc.from, tc.to, got)
			case !tc.wantNaN && got != p:
				t.Errorf("Convert(%v, %q, %q) = %v, want it unchanged", p, tc.from, tc.to, got)
			}
		})
	}
}

func TestConversionsDoNotAllocate(t *testing.T) {
	p := orb.Point{109.3, 34.1}
	var sink orb.Point
	for _, c := range conversions {
		if n := testing.AllocsPerRun(100, func() { sink = c.fn(p) }); n != 0 {
			t.Errorf("%s allocates %v times per call, want 0", c.name, n)
		}
	}
	_ = sink
}

func FuzzConversions(f *testing.F) {
	f.Add(109.3, 34.1)
	f.Add(0.0, 0.0)
	f.Add(chinaMaxLon, chinaMaxLat)
	f.Add(math.NaN(), 1.0)
	f.Add(1e308, -1e308)
	f.Fuzz(func(t *testing.T, lon, lat float64) {
		p := orb.Point{lon, lat}
		for _, c := range conversions {
			got := c.fn(p) // must return, whatever p is
			switch {
			case !finite(p) && !(math.IsNaN(got[0]) && math.IsNaN(got[1])):
				t.Fatalf("%s(%v) = %v, want (NaN, NaN)", c.name, p, got)
			case finite(p) && math.Abs(lon) <= 180 && math.Abs(lat) <= 90 && !finite(got):
				t.Fatalf("%s(%v) = %v, want finite", c.name, p, got)
			}
		}
		in := china
		if lon >= in.minLon && lon <= in.maxLon && lat >= in.minLat && lat <= in.maxLat {
			if back := GCJ02ToWGS84(WGS84ToGCJ02(p)); !near(back, p, 1e-9) {
				t.Fatalf("WGS-84 %v came back as %v", p, back)
			}
			if back := BD09ToGCJ02(GCJ02ToBD09(p)); !near(back, p, 1e-9) {
				t.Fatalf("GCJ-02 %v came back as %v", p, back)
			}
		}
	})
}
