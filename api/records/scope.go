package records

import (
	"fmt"

	"jingge/data"
	"jingge/geo"
)

// The officer's scope: an officer signed in reads and changes the records
// of their own station (disputes, tasks) or of their own visits and area
// (visits); other roles read and change every station's.

// unlinked refuses an officer whose user names no member: they may do
// (what) to no record.
func unlinked(c Caller, what string) error {
	return forbidden("user " + c.Name + " is an officer without a member id and may " + what + "; ask an admin to link it (jingge users add --officer)")
}

// mayChange refuses an officer a change to a record (what) of a station
// other than their own.
func mayChange(c Caller, v *view, stationID, what string) error {
	if !c.officer() {
		return nil
	}
	m, found := v.ix.Member(c.OfficerID)
	switch {
	case c.OfficerID == "" || !found:
		return unlinked(c, "change nothing of a station")
	case m.StationID != stationID:
		return forbidden(fmt.Sprintf("officer %s belongs to station %s and may change the records of that station only; %s is of station %s", m.ID, m.StationID, what, stationID))
	}
	return nil
}

// stationScope narrows what an officer reads to their own station:
// station, when given, must be it.
func stationScope(c Caller, v *view, station *string) error {
	if !c.officer() {
		return nil
	}
	m, found := v.ix.Member(c.OfficerID)
	switch {
	case c.OfficerID == "" || !found:
		return unlinked(c, "read no station's records")
	case *station != "" && *station != m.StationID:
		return forbidden(fmt.Sprintf("officer %s reads the records of their own station %s, not those of %s", m.ID, m.StationID, *station))
	}
	*station = m.StationID
	return nil
}

// visitScope narrows what an officer reads: the visits in a grid of their
// own area (grid=), or else their own visits.
func (s *Service) visitScope(c Caller, v *view, f *data.VisitFilter) error {
	if !c.officer() {
		return nil
	}
	me := c.OfficerID
	switch {
	case me == "":
		return unlinked(c, "read no visits")
	case f.GridID != "":
		if !s.o.Rules(v.ix).InArea(me, f.GridID) {
			return forbidden("officer " + me + " may read the visits of the grids of their own area; " + f.GridID + " is not one of them")
		}
	case f.OfficerID != "" && f.OfficerID != me:
		return forbidden("officer " + me + " may read their own visits, or those of a grid of their area (grid=), not those of " + f.OfficerID)
	default:
		f.OfficerID = me
	}
	return nil
}

// mayComplete refuses an officer the completion of a task not theirs: one
// assigned to them, or, assigned to no officer, to a grid of their area.
func (s *Service) mayComplete(c Caller, v *view, t *geo.Task) error {
	if !c.officer() {
		return nil
	}
	me := c.OfficerID
	switch {
	case me == "":
		return unlinked(c, "complete no task")
	case t.OfficerID == me:
		return nil
	case t.OfficerID == "" && s.o.Rules(v.ix).InArea(me, t.GridID):
		return nil
	}
	assignee := "grid " + t.GridID
	if t.OfficerID != "" {
		assignee = "officer " + t.OfficerID
	}
	return forbidden(fmt.Sprintf("task %s is assigned to %s; officer %s completes the tasks assigned to them, or to a grid of their area without an officer", t.ID, assignee, me))
}
