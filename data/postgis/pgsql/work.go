package pgsql

import (
	"fmt"
	"strings"

	"jingge/data"
	"jingge/geo"
)

// DisputeWhere turns f and c into a where clause whose values travel in
// args; it agrees with DisputeFilter.Match.
func DisputeWhere(f *data.DisputeFilter, c data.Cursor, args *Args) string {
	var conds []string
	if !f.From.IsZero() {
		conds = append(conds, "reported_at >= "+args.Add(f.From))
	}
	if !f.To.IsZero() {
		conds = append(conds, "reported_at < "+args.Add(f.To))
	}
	if !f.SettledFrom.IsZero() || !f.SettledTo.IsZero() {
		conds = append(conds, "level <> 'open'")
	}
	if !f.SettledFrom.IsZero() {
		conds = append(conds, "settled_at >= "+args.Add(f.SettledFrom))
	}
	if !f.SettledTo.IsZero() {
		conds = append(conds, "settled_at < "+args.Add(f.SettledTo))
	}
	if f.GridID != "" {
		p := args.Add(f.GridID)
		conds = append(conds, "(community_grid_id = "+p+" or police_grid_id = "+p+")")
	}
	if f.StationID != "" {
		conds = append(conds, "station_id = "+args.Add(f.StationID))
	}
	if f.Open != nil {
		if *f.Open {
			conds = append(conds, "level = 'open'")
		} else {
			conds = append(conds, "level <> 'open'")
		}
	}
	if c.ID != 0 {
		conds = append(conds, fmt.Sprintf("(reported_at, id) < (%s, %s)", args.Add(c.OccurredAt), args.Add(c.ID)))
	}
	if len(conds) == 0 {
		return ""
	}
	return " where " + strings.Join(conds, " and ")
}

// TaskWhere turns f and c into a where clause whose values travel in
// args; it agrees with TaskFilter.Match (status at f.Now).
func TaskWhere(f *data.TaskFilter, c data.Cursor, args *Args) string {
	var conds []string
	if !f.From.IsZero() {
		conds = append(conds, "due >= "+args.Add(f.From))
	}
	if !f.To.IsZero() {
		conds = append(conds, "due < "+args.Add(f.To))
	}
	for _, eq := range []struct{ col, v string }{{"station_id", f.StationID}, {"grid_id", f.GridID}, {"officer_id", f.OfficerID}} {
		if eq.v != "" {
			conds = append(conds, eq.col+" = "+args.Add(eq.v))
		}
	}
	switch f.Status {
	case geo.TaskDone:
		conds = append(conds, "done_at is not null")
	case geo.TaskOverdue:
		conds = append(conds, "done_at is null and due <= "+args.Add(f.Now))
	case geo.TaskOpen:
		conds = append(conds, "done_at is null and due > "+args.Add(f.Now))
	}
	if c.ID != 0 {
		conds = append(conds, fmt.Sprintf("(due, id) < (%s, %s)", args.Add(c.OccurredAt), args.Add(c.ID)))
	}
	if len(conds) == 0 {
		return ""
	}
	return " where " + strings.Join(conds, " and ")
}
