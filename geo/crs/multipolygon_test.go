package crs

import (
	"testing"

	"github.com/paulmach/orb"
)

func TestConvertMultiPolygon(t *testing.T) {
	mp := orb.MultiPolygon{{{{109.30, 34.14}, {109.31, 34.14}, {109.31, 34.15}, {109.30, 34.14}}}}
	if got := ConvertMultiPolygon(mp, WGS84, WGS84); &got[0][0][0] != &mp[0][0][0] {
		t.Errorf("the same datum copied the geometry; it should return it as it is")
	}
	got := ConvertMultiPolygon(mp, WGS84, GCJ02)
	if mp[0][0][0] != (orb.Point{109.30, 34.14}) {
		t.Fatalf("the input changed to %v", mp[0][0][0])
	}
	for i, p := range got[0][0] {
		if want := Convert(mp[0][0][i], WGS84, GCJ02); p != want {
			t.Errorf("vertex %d is %v, want %v", i, p, want)
		}
	}
}
