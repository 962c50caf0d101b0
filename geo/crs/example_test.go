package crs_test

import (
	"fmt"

	"github.com/paulmach/orb"

	"jingge/geo/crs"
)

// A phone running a Baidu SDK reports BD-09; the service stores WGS-84.
func ExampleConvert() {
	from, err := crs.Parse("baidu")
	if err != nil {
		fmt.Println(err)
		return
	}
	fix := orb.Point{109.328, 34.158} // lon, lat near Lantian county town
	p := crs.Convert(fix, from, crs.WGS84)
	fmt.Printf("%s (%.6f, %.6f) is %s (%.6f, %.6f)\n",
		from.Label(), fix[0], fix[1], crs.WGS84.Label(), p[0], p[1])
	// Output:
	// BD-09 (109.328000, 34.158000) is WGS-84 (109.316461, 34.153073)
}

func ExampleParse() {
	for _, s := range []string{"", "GCJ-02", " EPSG:4490 ", "bd09mc"} {
		c, err := crs.Parse(s)
		if err != nil {
			fmt.Println(err)
			continue
		}
		fmt.Printf("%q → %s\n", s, c.Label())
	}
	// Output:
	// "" → WGS-84
	// "GCJ-02" → GCJ-02
	// " EPSG:4490 " → WGS-84
	// crs: unknown coordinate system "bd09mc" (Baidu Mercator metres are not supported; send Baidu longitude/latitude, bd09ll); use one of wgs84 (also wgs-84, gps, epsg:4326, 4326, cgcs2000, epsg:4490, 4490), gcj02 (also gcj-02, gcj, mars, amap, gaode, tencent), bd09 (also bd-09, bd09ll, baidu); empty means wgs84
}

func ExampleWGS84ToGCJ02() {
	gps := orb.Point{109.32, 34.15}
	amap := crs.WGS84ToGCJ02(gps)
	back := crs.GCJ02ToWGS84(amap)
	fmt.Printf("GCJ-02 (%.6f, %.6f)\n", amap[0], amap[1])
	fmt.Printf("back   (%.9f, %.9f)\n", back[0], back[1])
	// Output:
	// GCJ-02 (109.325162, 34.148609)
	// back   (109.320000000, 34.150000000)
}

func ExampleOutOfChina() {
	for _, p := range []orb.Point{{109.32, 34.15}, {139.69, 35.69}} {
		fmt.Println(p, crs.OutOfChina(p), crs.WGS84ToGCJ02(p) == p)
	}
	// Output:
	// [109.32 34.15] false false
	// [139.69 35.69] true true
}
