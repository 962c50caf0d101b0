package lantian

import (
	"fmt"
	"math/rand/v2"
	"slices"

	"jingge/geo"
)

// otherForces adds the forces beside police and village the bureau's plan
// names ("一格多元、一员多能"), after every other member so their ids and
// names do not move, from an RNG of their own so nothing generated later
// changes:
//
//   - per station, a 治安协理员 (public security assistant) for its police
//     grids;
//   - at 玉山 a 司法所 and a 镇街综合 staff member across the station's police
//     grids, the multi-force circle the plan describes for 玉山 and 横岭; at
//     横岭 only the township staff member: its 司法所 post is vacant, which
//     the roster report shows;
//   - building heads and security guards also serve as 群防群治 volunteers
//     in the "护家安园" groups (a further role).
func otherForces(members []geo.Member, policeIDs, stationIDs []string, seed uint64) []geo.Member {
	rng := rand.New(rand.NewPCG(seed, 0x666f72636573))
	for i := range members {
		if r := members[i].Role; r == geo.BuildingHead || r == geo.SecurityGuard {
			members[i].Roles = []geo.Role{geo.Volunteer}
		}
	}
	byStation := map[string][]string{}
	for _, id := range policeIDs {
		st := stationOfPolice(members, id)
		byStation[st] = append(byStation[st], id)
	}
	add := func(role geo.Role, station string, grids []string) {
		members = append(members, geo.Member{
			ID: fmt.Sprintf("M%05d", len(members)+1), Name: personName(rng), Role: role,
			Phone: maskedMobile(rng), StationID: station, GridIDs: slices.Clone(grids),
		})
	}
	for _, st := range stationIDs {
		if grids := byStation[st]; len(grids) > 0 {
			add(geo.SecurityAssistant, st, grids)
		}
	}
	add(geo.JusticeStaff, "yushan", byStation["yushan"])
	add(geo.TownshipStaff, "yushan", byStation["yushan"])
	add(geo.TownshipStaff, "hengling", byStation["hengling"])
	return members
}

// stationOfPolice is the station of the police members of a police grid.
func stationOfPolice(members []geo.Member, policeID string) string {
	for i := range members {
		if members[i].Role.IsPolice() && slices.Contains(members[i].GridIDs, policeID) {
			return members[i].StationID
		}
	}
	return ""
}
