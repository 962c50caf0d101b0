package presence

import (
	"slices"

	"jingge/geo"
)

// Owners returns, per police grid id, its own officers: the police members
// (community and auxiliary officers) of the grid or of one of its
// community grids, in the index's member order. Only their stays count as
// the grid's visits.
func Owners(ix *geo.Index) map[string][]string {
	out := map[string][]string{}
	for _, g := range ix.Dataset().Grids {
		police := g.ID
		if g.Level != geo.PoliceLevel {
			police = g.ParentID
		}
		if police == "" {
			continue
		}
		for _, m := range ix.Members(g.ID) {
			if m.Role.IsPolice() && !slices.Contains(out[police], m.ID) {
				out[police] = append(out[police], m.ID)
			}
		}
	}
	return out
}
