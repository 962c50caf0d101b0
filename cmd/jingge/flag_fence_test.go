package main

import (
	"slices"
	"testing"

	"jingge/geo"
)

func TestFenceAreasFlag(t *testing.T) {
	cases := []struct {
		name, in string
		want     []geo.AreaKind
		wantErr  bool
	}{
		{"codes", "water_protection,works", []geo.AreaKind{geo.AreaWaterProtection, geo.AreaWorks}, false},
		{"Chinese names and spaces", "景区, 园区", []geo.AreaKind{geo.AreaScenic, geo.AreaPark}, false},
		{"none", "none", []geo.AreaKind{}, false},
		{"unknown kind", "works,lake", nil, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var l areaKindList
			err := l.Set(c.in)
			if (err != nil) != c.wantErr {
				t.Fatalf("Set(%q) error %v, want error %v", c.in, err, c.wantErr)
			}
			if err == nil && (!slices.Equal(l.kinds, c.want) || l.kinds == nil) {
				t.Errorf("Set(%q) = %v, want %v", c.in, l.kinds, c.want)
			}
		})
	}
	var unset areaKindList
	if unset.kinds != nil || unset.String() != "water_protection,works" {
		t.Errorf("unset flag: %v %q, want nil kinds and the default shown", unset.kinds, unset.String())
	}
}
