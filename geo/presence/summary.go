package presence

import (
	"slices"
	"strings"
	"time"
)

// GridTime is time spent in one grid.
type GridTime struct {
	// GridID is the finest grid the pings were in (a community grid, else
	// a police grid); "" is outside every grid.
	GridID string
	// PoliceGridID is the police grid GridID lies in; "" when none.
	PoliceGridID string
	// Own is set when the officer is one of the police grid's officers.
	Own      bool
	Duration time.Duration
}

// OfficerDay is where one officer's time went on one day, within the
// window. Present + Unknown is the part of the day inside the window.
type OfficerDay struct {
	Officer string
	Day     time.Time // midnight in Options.Location
	// Grids is the time in each grid, most first (then by grid id).
	Grids []GridTime
	// Present is the time the officer's pings account for.
	Present time.Duration
	// Unknown is the rest: silent gaps beyond MaxGap and the time before
	// the first ping and after the last.
	Unknown time.Duration
}

// GridVisits sums up how a police grid's own officers came to it in the
// window.
type GridVisits struct {
	GridID string
	// Visits counts stays of MinVisit or more, by the grid's own police
	// members, in the grid or its community grids.
	Visits int
	// LastVisit is the end of the latest of those stays, and
	// LastVisitOfficer who made it; zero and "" when there was none.
	LastVisit        time.Time
	LastVisitOfficer string
	// OwnTime is the time the grid's own officers spent in it, OtherTime
	// the time other officers did.
	OwnTime, OtherTime time.Duration
}

// Summary is what a Summarizer found over its window.
type Summary struct {
	From, To time.Time
	// Officers lists every officer with a ping, a day at a time, by
	// officer id then day; days without a ping's time are left out.
	Officers []OfficerDay
	// Grids lists every police grid of the index, in dataset order.
	Grids []GridVisits
	// Skipped counts pings not later than their officer's previous one.
	Skipped int
}

// Weeks returns the window's length in weeks, for visits per week.
func (s *Summary) Weeks() float64 {
	return s.To.Sub(s.From).Hours() / (7 * 24)
}

// PerWeek returns g's visits per week over the summary's window; 0 for an
// empty window.
func (s *Summary) PerWeek(g *GridVisits) float64 {
	w := s.Weeks()
	if w <= 0 {
		return 0
	}
	return float64(g.Visits) / w
}

// Summary ends every officer's last ping (it stands for MaxGap, or to the
// end of the window) and returns the totals. The Summarizer is spent:
// Add after Summary is not allowed.
func (s *Summarizer) Summary() Summary {
	for _, o := range s.officers {
		if !o.seen {
			continue
		}
		end := o.last + s.maxGap
		s.addDwell(o, o.lastGrid, o.last, end)
		o.stayEnd = min(end, s.to)
		s.closeStay(o)
		s.flush(o)
	}
	out := Summary{From: time.Unix(0, s.from).In(s.opts.Location), To: time.Unix(0, s.to).In(s.opts.Location), Skipped: s.skipped}
	byDay := map[[2]int32]*OfficerDay{}
	for k, d := range s.dwell {
		od := byDay[[2]int32{k.officer, k.day}]
		if od == nil {
			od = &OfficerDay{Officer: s.officers[k.officer].id, Day: s.days[k.day]}
			byDay[[2]int32{k.officer, k.day}] = od
		}
		gt := GridTime{Duration: time.Duration(d)}
		if k.grid != outsideGrids {
			gt.GridID = s.grids[k.grid].id
			if p := s.grids[k.grid].police; p != outsideGrids {
				gt.PoliceGridID = s.grids[p].id
				gt.Own = s.own[ownKey{p, od.Officer}]
				if gt.Own {
					s.visits[p].ownTime += d
				} else {
					s.visits[p].otherTime += d
				}
			}
		}
		od.Grids = append(od.Grids, gt)
		od.Present += gt.Duration
	}
	for k, od := range byDay {
		slices.SortFunc(od.Grids, func(a, b GridTime) int {
			if a.Duration != b.Duration {
				return int(b.Duration - a.Duration)
			}
			return strings.Compare(a.GridID, b.GridID)
		})
		dayStart, dayEnd := max(s.bounds[k[1]], s.from), min(s.bounds[k[1]+1], s.to)
		od.Unknown = time.Duration(dayEnd-dayStart) - od.Present
		out.Officers = append(out.Officers, *od)
	}
	slices.SortFunc(out.Officers, func(a, b OfficerDay) int {
		if c := strings.Compare(a.Officer, b.Officer); c != 0 {
			return c
		}
		return a.Day.Compare(b.Day)
	})
	for i, g := range s.grids {
		if g.police != int32(i) {
			continue
		}
		v := s.visits[i]
		gv := GridVisits{GridID: g.id, Visits: v.visits, LastVisitOfficer: v.lastByWhom,
			OwnTime: time.Duration(v.ownTime), OtherTime: time.Duration(v.otherTime)}
		if v.last != 0 {
			gv.LastVisit = time.Unix(0, v.last).In(s.opts.Location)
		}
		out.Grids = append(out.Grids, gv)
	}
	return out
}
