package lantian

import (
	"slices"

	"jingge/geo"
)

// sortIncidents orders incidents by occurrence time; ties keep their order.
func sortIncidents(in []geo.Incident) {
	slices.SortStableFunc(in, func(a, b geo.Incident) int { return a.OccurredAt.Compare(b.OccurredAt) })
}
