package main

import (
	"fmt"
	"strings"

	"jingge/geo"
	"jingge/geo/patrol"
)

// areaKindList is the -fence-areas flag: the area kinds whose borders
// raise geofence events. Unset, kinds stays nil and the patrol default
// applies; "none" is an empty, non-nil list.
type areaKindList struct {
	kinds []geo.AreaKind
}

func (l *areaKindList) String() string {
	if l == nil || l.kinds == nil {
		return joinKinds(patrol.DefaultFenceKinds)
	}
	if len(l.kinds) == 0 {
		return "none"
	}
	return joinKinds(l.kinds)
}

func (l *areaKindList) Set(v string) error {
	l.kinds = []geo.AreaKind{}
	if strings.TrimSpace(v) == "none" {
		return nil
	}
	for _, s := range strings.Split(v, ",") {
		k, err := geo.ParseAreaKind(strings.TrimSpace(s))
		if err != nil {
			return fmt.Errorf("%w, or none", err)
		}
		l.kinds = append(l.kinds, k)
	}
	return nil
}

func joinKinds(kinds []geo.AreaKind) string {
	s := make([]string, len(kinds))
	for i, k := range kinds {
		s[i] = string(k)
	}
	return strings.Join(s, ",")
}
