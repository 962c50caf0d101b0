package prevention

import (
	"context"
	"fmt"
	"math"
	"time"

	"jingge/data"
	"jingge/geo"
	"jingge/geo/presence"
)

// Report answers GET /api/v1/presence: where officers spent their time,
// day by day, and how often each police grid's own officers came.
type Report struct {
	From     time.Time `json:"from"`
	To       time.Time `json:"to"`
	Station  string    `json:"station,omitempty"`
	TimeZone string    `json:"time_zone"` // of the days, e.g. "+08:00"
	// MaxGapSeconds is the longest a ping stands for, MinVisitSeconds the
	// shortest stay that counts as a visit.
	MaxGapSeconds   int64             `json:"max_gap_seconds"`
	MinVisitSeconds int64             `json:"min_visit_seconds"`
	Target          presence.Target   `json:"target"`
	Officers        []OfficerPresence `json:"officers"`
	Grids           []GridPresence    `json:"grids"`
	// SkippedPings counts pings not later than their officer's previous.
	SkippedPings int `json:"skipped_pings"`
}

// OfficerPresence is one officer's time in the window.
type OfficerPresence struct {
	Officer string `json:"officer"`
	Name    string `json:"name"`
	Station string `json:"station,omitempty"`
	// PresentSeconds is the time the pings account for, OwnGridSeconds the
	// part of it in the officer's own police grids, UnknownSeconds the
	// rest of the days they reported on.
	PresentSeconds int64         `json:"present_seconds"`
	OwnGridSeconds int64         `json:"own_grid_seconds"`
	UnknownSeconds int64         `json:"unknown_seconds"`
	Days           []DayPresence `json:"days"`
}

// DayPresence is one officer's day.
type DayPresence struct {
	Day            string        `json:"day"` // 2025-05-01, in the report's time zone
	PresentSeconds int64         `json:"present_seconds"`
	UnknownSeconds int64         `json:"unknown_seconds"`
	Grids          []GridSeconds `json:"grids"`
}

// GridSeconds is time in one grid; Grid is null outside every grid.
type GridSeconds struct {
	Grid       *string `json:"grid"`
	PoliceGrid *string `json:"police_grid"`
	// Own is set when the officer is one of the police grid's officers.
	Own     bool  `json:"own"`
	Seconds int64 `json:"seconds"`
}

// GridPresence is how often a police grid's own officers came.
type GridPresence struct {
	Grid    string `json:"grid"`
	Name    string `json:"name"`
	Station string `json:"station"`
	// Officers are the grid's own police members (of it or of its
	// community grids), whose stays count as visits.
	Officers []string `json:"officers"`
	Visits   int      `json:"visits"`
	// VisitsPerWeek is Visits over the window's weeks; TargetPerWeek what
	// the grid should have (Target, scaled by Workload against the mean).
	VisitsPerWeek float64  `json:"visits_per_week"`
	TargetPerWeek float64  `json:"target_per_week"`
	Workload      *float64 `json:"workload"`
	// LastVisit is the end of the latest visit in the window and
	// DaysSinceVisit whole days from it to now; null when there was none.
	LastVisit        *time.Time `json:"last_visit"`
	LastVisitOfficer *string    `json:"last_visit_officer"`
	DaysSinceVisit   *int       `json:"days_since_visit"`
	OwnSeconds       int64      `json:"own_seconds"`
	OtherSeconds     int64      `json:"other_seconds"`
}

// Presence reports the window [from, to) (see Window) for the station's
// officers and police grids, or the whole county when station is "".
func (s *Service) Presence(ctx context.Context, station string, from, to time.Time) (Report, error) {
	ix, err := s.ready()
	if err != nil {
		return Report{}, err
	}
	if station != "" {
		if _, ok := ix.Station(station); !ok {
			return Report{}, &data.RequestError{Kind: data.ErrNotFound, Message: fmt.Sprintf("there is no station %q; GET /api/v1/stations lists them", clip(station))}
		}
	}
	grids := ix.Grids(geo.GridFilter{Level: geo.PoliceLevel, Station: station})
	owners := presence.Owners(ix)
	var officers []string
	seen := map[string]bool{}
	add := func(id string) {
		if !seen[id] {
			seen[id] = true
			officers = append(officers, id)
		}
	}
	ds := ix.Dataset()
	for i := range ds.Members {
		m := &ds.Members[i]
		if m.Role.IsPolice() && (station == "" || stationOf(ix, m) == station) {
			add(m.ID)
		}
	}
	for _, g := range grids {
		for _, id := range owners[g.ID] {
			add(id)
		}
	}
	sum, err := s.summarize(ctx, ix, officers, from, to)
	if err != nil {
		return Report{}, err
	}
	out := s.header(from, to)
	out.Station = station
	out.SkippedPings = sum.Skipped
	out.Officers = officerPresence(ix, sum.Officers)
	out.Grids, err = s.gridPresence(ctx, ix, &sum, grids, owners)
	return out, err
}

// Grid reports one police grid over [from, to) from its own officers'
// pings. A community grid is refused with its police grid named.
func (s *Service) Grid(ctx context.Context, id string, from, to time.Time) (GridPresence, error) {
	ix, err := s.ready()
	if err != nil {
		return GridPresence{}, err
	}
	g, ok := ix.Grid(id)
	if !ok {
		return GridPresence{}, &data.RequestError{Kind: data.ErrNotFound, Message: fmt.Sprintf("there is no grid %q in force; GET /api/v1/grids lists them", clip(id))}
	}
	if g.Level != geo.PoliceLevel {
		return GridPresence{}, data.InvalidParams(data.Param{Name: "id", Reason: fmt.Sprintf("presence is measured per police grid; %s is a community grid of police grid %s, ask for that", g.ID, g.ParentID)})
	}
	owners := presence.Owners(ix)
	sum, err := s.summarize(ctx, ix, owners[g.ID], from, to)
	if err != nil {
		return GridPresence{}, err
	}
	gp, err := s.gridPresence(ctx, ix, &sum, []*geo.Grid{g}, owners)
	if err != nil {
		return GridPresence{}, err
	}
	return gp[0], nil
}

// ready returns the index in force, or the refusal when there is none or
// no pings can be read.
func (s *Service) ready() (*geo.Index, error) {
	if s.pings == nil {
		return nil, errNoPings
	}
	ix := s.live.Load()
	if ix == nil {
		return nil, errNoIndex
	}
	return ix, nil
}

// header fills what every report states about how it was measured.
func (s *Service) header(from, to time.Time) Report {
	return Report{
		From: from.In(s.Location()), To: to.In(s.Location()), TimeZone: from.In(s.Location()).Format("-07:00"),
		MaxGapSeconds: int64(s.opts.MaxGap / time.Second), MinVisitSeconds: int64(s.opts.MinVisit / time.Second),
		Target: s.target, Officers: []OfficerPresence{}, Grids: []GridPresence{},
	}
}

// stationOf is a member's station: their own, else their first grid's.
func stationOf(ix *geo.Index, m *geo.Member) string {
	if m.StationID != "" {
		return m.StationID
	}
	for _, id := range m.GridIDs {
		if g, ok := ix.Grid(id); ok {
			return g.StationID
		}
	}
	return ""
}

// officerPresence turns the summary's officer days into the report's.
func officerPresence(ix *geo.Index, days []presence.OfficerDay) []OfficerPresence {
	out := []OfficerPresence{}
	for _, od := range days {
		if len(out) == 0 || out[len(out)-1].Officer != od.Officer {
			op := OfficerPresence{Officer: od.Officer, Days: []DayPresence{}}
			if m, ok := ix.Member(od.Officer); ok {
				op.Name, op.Station = m.Name, stationOf(ix, m)
			}
			out = append(out, op)
		}
		op := &out[len(out)-1]
		d := DayPresence{Day: od.Day.Format(dateLayout), PresentSeconds: seconds(od.Present), UnknownSeconds: seconds(od.Unknown), Grids: make([]GridSeconds, len(od.Grids))}
		for i, g := range od.Grids {
			d.Grids[i] = GridSeconds{Grid: nonEmpty(g.GridID), PoliceGrid: nonEmpty(g.PoliceGridID), Own: g.Own, Seconds: seconds(g.Duration)}
			if g.Own {
				op.OwnGridSeconds += d.Grids[i].Seconds
			}
		}
		op.PresentSeconds += d.PresentSeconds
		op.UnknownSeconds += d.UnknownSeconds
		op.Days = append(op.Days, d)
	}
	return out
}

// gridPresence builds the report of each of grids from the summary.
func (s *Service) gridPresence(ctx context.Context, ix *geo.Index, sum *presence.Summary, grids []*geo.Grid, owners map[string][]string) ([]GridPresence, error) {
	loads, mean, err := s.workloadsByGrid(ctx)
	if err != nil {
		return nil, err
	}
	visits := make(map[string]*presence.GridVisits, len(sum.Grids))
	for i := range sum.Grids {
		visits[sum.Grids[i].GridID] = &sum.Grids[i]
	}
	now := s.now()
	out := make([]GridPresence, 0, len(grids))
	for _, g := range grids {
		gp := GridPresence{Grid: g.ID, Name: g.Name, Station: g.StationID, Officers: owners[g.ID]}
		if gp.Officers == nil {
			gp.Officers = []string{}
		}
		w, known := loads[g.ID]
		if known {
			gp.Workload = &w
		}
		gp.TargetPerWeek = s.target.For(w, mean)
		if !known {
			gp.TargetPerWeek = s.target.For(0, 0)
		}
		if v := visits[g.ID]; v != nil {
			gp.Visits = v.Visits
			gp.VisitsPerWeek = math.Round(sum.PerWeek(v)*10) / 10
			gp.OwnSeconds, gp.OtherSeconds = seconds(v.OwnTime), seconds(v.OtherTime)
			if !v.LastVisit.IsZero() {
				last := v.LastVisit
				days := max(int(now.Sub(last)/(24*time.Hour)), 0)
				gp.LastVisit, gp.LastVisitOfficer, gp.DaysSinceVisit = &last, nonEmpty(v.LastVisitOfficer), &days
			}
		}
		out = append(out, gp)
	}
	return out, nil
}

// seconds rounds a duration to whole seconds.
func seconds(d time.Duration) int64 { return int64(d.Round(time.Second) / time.Second) }

// nonEmpty is nil for "", else a pointer to s.
func nonEmpty(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}
