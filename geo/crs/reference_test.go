package crs

import (
	"math"
	"testing"

	"github.com/paulmach/orb"
)

// Published conversion pairs. Only the numbers come from the cited sources.
// Each tolerance (degrees, per coordinate; 1e-6 degrees is about 0.1 m) is
// the precision the source actually carries, never a fudge: a wrong
// constant or a transposed term moves results by metres, i.e. ≥ 1e-5.
//
// Sources:
//
//	[evil]   github.com/googollee/eviltransform, go/transform_test.go (the
//	         same table is in javascript/test.js and python/test.py).
//	         Full float64 output of the same formula: tolerance 1e-9, the
//	         accuracy this package promises.
//	[wander] github.com/wandergis/coordtransform, README.md, "result" block.
//	         Full float64 output; its bd09togcj02 and gcj02towgs84 are
//	         one-step inverses (see oneStep below).
//	[gcoord] github.com/hujiulong/gcoord, test/unit/crs/WGS84.spec.ts,
//	         GCJ02.spec.ts and BD09.spec.ts. Values written with 7 or 8
//	         decimals (tolerance 1e-7 or 1e-8). Its GCJ02→WGS84 iterates only
//	         until the forward residual is below 1e-6 degrees, so that answer
//	         is good to 1e-6; its BD09→GCJ02 is one-step (error ≤ 2.1e-6).
//	[amap]   AutoNavi (Gaode/Amap) web service docs, 坐标转换,
//	         https://lbs.amap.com/api/webservice/guide/api/convert, example
//	         response (mirrored at apifox.com/apidoc/project-759159/api-14671355;
//	         the first pair is also a live API answer in the README of
//	         github.com/womeimingzi11/amapGeocode). Amap's server output sits
//	         3–4e-7 degrees (≈4 cm) from the public formula at both points, so
//	         tolerance 1e-6: a decimetre.
//	[aliyun] Alibaba Cloud address purification docs, TransferCoord example,
//	         https://help.aliyun.com/zh/address-purification/addrpapi/developer-reference/coordinate-system-conversion.
//	         Six decimals: tolerance 1e-6 (one unit in the last digit). Its
//	         WGS84 answer is a one-step inverse.
//
// oneStep marks published GCJ-02→WGS-84 answers computed as p − shift(p).
// This package solves the inverse exactly, so instead of comparing against
// GCJ02ToWGS84 such a row checks what it does pin down precisely: the shift
// at p, via p − (WGS84ToGCJ02(p) − p).
var references = []struct {
	name     string
	from, to CRS
	in, want orb.Point
	tol      float64
	oneStep  bool
}{
	{name: "evil/shanghai/wgs-gcj", from: WGS84, to: GCJ02, in: orb.Point{121.5272106, 31.1774276}, want: orb.Point{121.531541859215, 31.17530398364597}, tol: 1e-9},
	{name: "evil/shenzhen/wgs-gcj", from: WGS84, to: GCJ02, in: orb.Point{113.912316, 22.543847}, want: orb.Point{113.9171764808363, 22.540796131694766}, tol: 1e-9},
	{name: "evil/beijing/wgs-gcj", from: WGS84, to: GCJ02, in: orb.Point{116.377817, 39.911954}, want: orb.Point{116.38404722455657, 39.91334545536069}, tol: 1e-9},
	// The same pairs read backwards test the exact inverse.
	{name: "evil/shanghai/gcj-wgs", from: GCJ02, to: WGS84, in: orb.Point{121.531541859215, 31.17530398364597}, want: orb.Point{121.5272106, 31.1774276}, tol: 1e-9},
	{name: "evil/shenzhen/gcj-wgs", from: GCJ02, to: WGS84, in: orb.Point{113.9171764808363, 22.540796131694766}, want: orb.Point{113.912316, 22.543847}, tol: 1e-9},
	{name: "evil/beijing/gcj-wgs", from: GCJ02, to: WGS84, in: orb.Point{116.38404722455657, 39.91334545536069}, want: orb.Point{116.377817, 39.911954}, tol: 1e-9},

	{name: "wander/wgs-gcj", from: WGS84, to: GCJ02, in: orb.Point{116.404, 39.915}, want: orb.Point{116.41024449916938, 39.91640428150164}, tol: 1e-9},
	{name: "wander/gcj-wgs", from: GCJ02, to: WGS84, in: orb.Point{116.404, 39.915}, want: orb.Point{116.39775550083061, 39.91359571849836}, tol: 1e-9, oneStep: true},
	{name: "wander/gcj-bd", from: GCJ02, to: BD09, in: orb.Point{116.404, 39.915}, want: orb.Point{116.41036949371029, 39.92133699351021}, tol: 1e-9},
	// One-step BD-09 inverse: off by up to 2.1e-6 over China (measured
	// against GCJ02ToBD09 with oneStepBD09ToGCJ02), so 3e-6.
	{name: "wander/bd-gcj", from: BD09, to: GCJ02, in: orb.Point{116.404, 39.915}, want: orb.Point{116.39762729119315, 39.90865673957631}, tol: 3e-6},

	{name: "gcoord/wgs-gcj", from: WGS84, to: GCJ02, in: orb.Point{123, 45}, want: orb.Point{123.00607541, 45.00197815}, tol: 1e-8},
	{name: "gcoord/gcj-wgs", from: GCJ02, to: WGS84, in: orb.Point{123, 45}, want: orb.Point{122.99395597, 44.99804071}, tol: 1e-6},
	{name: "gcoord/gcj-bd", from: GCJ02, to: BD09, in: orb.Point{123, 45}, want: orb.Point{123.00636499, 45.00636899}, tol: 1e-8},
	{name: "gcoord/bd-gcj", from: BD09, to: GCJ02, in: orb.Point{123, 45}, want: orb.Point{122.99363304, 44.99365430}, tol: 3e-6},
	// One-step BD-09 inverse (2.1e-6) then a GCJ-02 inverse good to 1e-6.
	{name: "gcoord/bd-wgs", from: BD09, to: WGS84, in: orb.Point{123, 45}, want: orb.Point{122.98762210, 44.99171540}, tol: 4e-6},
	{name: "gcoord/wgs-bd", from: WGS84, to: BD09, in: orb.Point{123, 45}, want: orb.Point{123.0124491, 45.0083293}, tol: 1e-7},

	{name: "amap/beijing-1", from: WGS84, to: GCJ02, in: orb.Point{116.481499, 39.990475}, want: orb.Point{116.487585177952, 39.991754014757}, tol: 1e-6},
	{name: "amap/beijing-2", from: WGS84, to: GCJ02, in: orb.Point{116.481499, 39.990375}, want: orb.Point{116.487585177952, 39.991653917101}, tol: 1e-6},

	{name: "aliyun/gcj-wgs", from: GCJ02, to: WGS84, in: orb.Point{120.026268, 30.279164}, want: orb.Point{120.021519, 30.281543}, tol: 1e-6, oneStep: true},
	{name: "aliyun/gcj-bd", from: GCJ02, to: BD09, in: orb.Point{120.026268, 30.279164}, want: orb.Point{120.032768, 30.285238}, tol: 1e-6},
}

func TestPublishedReferences(t *testing.T) {
	for _, tc := range references {
		t.Run(tc.name, func(t *testing.T) {
			got := Convert(tc.in, tc.from, tc.to)
			if tc.oneStep {
				g := WGS84ToGCJ02(tc.in)
				got = orb.Point{2*tc.in[0] - g[0], 2*tc.in[1] - g[1]}
			}
			assertNear(t, got, tc.want, tc.tol)
		})
	}
}

// assertNear fails unless each coordinate of got is within tol of want.
func assertNear(tb testing.TB, got, want orb.Point, tol float64) {
	tb.Helper()
	dLon, dLat := math.Abs(got[0]-want[0]), math.Abs(got[1]-want[1])
	if !(dLon <= tol && dLat <= tol) {
		tb.Errorf("got (%.12f, %.12f), want (%.12f, %.12f) ±%g; off by (%.3g, %.3g)",
			got[0], got[1], want[0], want[1], tol, dLon, dLat)
	}
}
