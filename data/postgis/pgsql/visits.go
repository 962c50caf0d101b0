package pgsql

import (
	"fmt"
	"strings"

	"jingge/data"
)

// VisitWhere turns f and c into a where clause whose values travel in args.
func VisitWhere(f *data.VisitFilter, c data.Cursor, args *Args) string {
	var conds []string
	if !f.From.IsZero() {
		conds = append(conds, "at >= "+args.Add(f.From))
	}
	if !f.To.IsZero() {
		conds = append(conds, "at < "+args.Add(f.To))
	}
	if f.GridID != "" {
		p := args.Add(f.GridID)
		conds = append(conds, "(community_grid_id = "+p+" or police_grid_id = "+p+")")
	}
	if f.StationID != "" {
		conds = append(conds, "station_id = "+args.Add(f.StationID))
	}
	if f.OfficerID != "" {
		conds = append(conds, "officer_id = "+args.Add(f.OfficerID))
	}
	if c.ID != 0 {
		conds = append(conds, fmt.Sprintf("(at, id) < (%s, %s)", args.Add(c.OccurredAt), args.Add(c.ID)))
	}
	if len(conds) == 0 {
		return ""
	}
	return " where " + strings.Join(conds, " and ")
}
