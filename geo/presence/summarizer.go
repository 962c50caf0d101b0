package presence

import (
	"time"

	"jingge/geo"
)

// outsideGrids is the grid index of a ping in no grid.
const outsideGrids = -1

// gridInfo is one grid a ping may be attributed to.
type gridInfo struct {
	id     string
	police int32 // index of the police grid it lies in (itself for one), or outsideGrids
}

// dwellKey is one officer's time in one grid on one day.
type dwellKey struct {
	officer, grid, day int32
}

// officerAcc is what the Summarizer remembers of one officer between pings.
type officerAcc struct {
	id   string
	idx  int32
	seen bool
	// last is the previous ping's time (ns since the epoch) and grid.
	last       int64
	lastGrid   int32
	lastGridID string
	// day is the index of the day the officer's time has reached.
	day int
	// run accumulates the dwell of one (grid, day) until either changes.
	run    dwellKey
	runDur int64
	// The current stay in one police grid: its start and the end of the
	// dwell of its latest ping.
	stayGrid           int32
	stayStart, stayEnd int64
}

// visitAcc accumulates one police grid's visits.
type visitAcc struct {
	visits     int
	last       int64 // end of the latest visit, 0 if none
	lastByWhom string
	// ownTime and otherTime are filled by Summary.
	ownTime, otherTime int64
}

// Summarizer turns pings into time per officer, grid and day, and visits
// per police grid, over the window [from, to). Feed it with Add, then call
// Summary. It is not safe for concurrent use.
type Summarizer struct {
	opts             Options
	from, to         int64
	maxGap, minVisit int64
	// bounds[k] is the start of day k in Options.Location; the last entry
	// is the end of the last day touching the window.
	bounds []int64
	days   []time.Time

	grids  []gridInfo
	gridAt map[string]int32
	// own holds (police grid, officer) for each police member of a police
	// grid or of one of its community grids.
	own map[ownKey]bool

	officers  []*officerAcc
	officerAt map[string]*officerAcc
	cur       *officerAcc // the officer of the previous ping

	dwell   map[dwellKey]int64
	visits  []visitAcc // by grid index; used for police grids
	skipped int
}

// ownKey is a police grid and one of its officers.
type ownKey struct {
	grid    int32
	officer string
}

// New returns a Summarizer over [from, to) for the grids and members of ix.
func New(ix *geo.Index, from, to time.Time, opts Options) *Summarizer {
	opts = opts.withDefaults()
	s := &Summarizer{
		opts: opts, from: from.UnixNano(), to: to.UnixNano(),
		maxGap: int64(opts.MaxGap), minVisit: int64(opts.MinVisit),
		gridAt: map[string]int32{}, own: map[ownKey]bool{},
		officerAt: map[string]*officerAcc{}, dwell: map[dwellKey]int64{},
	}
	if s.to < s.from {
		s.to = s.from
	}
	for d := startOfDay(from, opts.Location); ; d = d.AddDate(0, 0, 1) {
		s.bounds = append(s.bounds, d.UnixNano())
		if !d.Before(to) {
			break
		}
		s.days = append(s.days, d)
	}
	ds := ix.Dataset()
	for i := range ds.Grids {
		s.gridAt[ds.Grids[i].ID] = int32(i)
		s.grids = append(s.grids, gridInfo{id: ds.Grids[i].ID, police: outsideGrids})
	}
	for i := range ds.Grids {
		g := &ds.Grids[i]
		switch {
		case g.Level == geo.PoliceLevel:
			s.grids[i].police = int32(i)
		case g.ParentID != "":
			if p, ok := s.gridAt[g.ParentID]; ok {
				s.grids[i].police = p
			}
		}
	}
	for police, ids := range Owners(ix) {
		g, ok := s.gridAt[police]
		if !ok {
			continue
		}
		for _, id := range ids {
			s.own[ownKey{g, id}] = true
		}
	}
	s.visits = make([]visitAcc, len(s.grids))
	return s
}

// startOfDay returns the midnight in loc that begins t's day.
func startOfDay(t time.Time, loc *time.Location) time.Time {
	t = t.In(loc)
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, loc)
}

// Add takes the next pings. Each officer's pings must come in time order,
// within and across calls (officers may interleave); a ping not later than
// the officer's previous one is skipped (Summary.Skipped counts them).
// Pings outside the window still bound their neighbours' time, so a caller
// may start reading MaxGap before the window to give its first minutes
// their due.
func (s *Summarizer) Add(pings []geo.Ping) {
	for i := range pings {
		p := &pings[i]
		o := s.cur
		if o == nil || o.id != p.OfficerID {
			o = s.officer(p.OfficerID)
			s.cur = o
		}
		at := p.At.UnixNano()
		grid := o.lastGrid
		if !o.seen || p.GridID != o.lastGridID {
			grid = s.grid(p.GridID)
		}
		if !o.seen {
			o.seen = true
			o.last, o.lastGrid, o.lastGridID = at, grid, p.GridID
			s.openStay(o, at, grid)
			continue
		}
		if at <= o.last {
			s.skipped++
			continue
		}
		end := min(at, o.last+s.maxGap)
		s.addDwell(o, o.lastGrid, o.last, end)
		o.stayEnd = end
		if at-o.last > s.maxGap || s.policeOf(grid) != o.stayGrid {
			s.closeStay(o)
			s.openStay(o, at, grid)
		}
		o.last, o.lastGrid, o.lastGridID = at, grid, p.GridID
	}
}

// officer returns the accumulator of an officer, making it on first sight.
func (s *Summarizer) officer(id string) *officerAcc {
	if o, ok := s.officerAt[id]; ok {
		return o
	}
	o := &officerAcc{id: id, idx: int32(len(s.officers)), run: dwellKey{grid: outsideGrids, day: -1}, stayGrid: outsideGrids}
	s.officers = append(s.officers, o)
	s.officerAt[id] = o
	return o
}

// grid returns the index of a grid id, adding an id the index does not
// know as a grid of its own.
func (s *Summarizer) grid(id string) int32 {
	if id == "" {
		return outsideGrids
	}
	if g, ok := s.gridAt[id]; ok {
		return g
	}
	g := int32(len(s.grids))
	s.grids = append(s.grids, gridInfo{id: id, police: outsideGrids})
	s.visits = append(s.visits, visitAcc{})
	s.gridAt[id] = g
	return g
}

// policeOf returns the police grid a grid lies in, or outsideGrids.
func (s *Summarizer) policeOf(grid int32) int32 {
	if grid == outsideGrids {
		return outsideGrids
	}
	return s.grids[grid].police
}

// addDwell adds [a, b), clipped to the window and split at midnights, to
// the officer's time in grid.
func (s *Summarizer) addDwell(o *officerAcc, grid int32, a, b int64) {
	a, b = max(a, s.from), min(b, s.to)
	for a < b {
		for o.day+1 < len(s.bounds)-1 && s.bounds[o.day+1] <= a {
			o.day++
		}
		end := min(b, s.bounds[o.day+1])
		k := dwellKey{officer: o.idx, grid: grid, day: int32(o.day)}
		if k != o.run {
			s.flush(o)
			o.run = k
		}
		o.runDur += end - a
		a = end
	}
}

// flush moves the officer's current run into the totals.
func (s *Summarizer) flush(o *officerAcc) {
	if o.runDur > 0 {
		s.dwell[o.run] += o.runDur
	}
	o.runDur = 0
}

// openStay starts a stay at at in the police grid of grid (none outside).
func (s *Summarizer) openStay(o *officerAcc, at int64, grid int32) {
	o.stayGrid = s.policeOf(grid)
	o.stayStart, o.stayEnd = at, at
}

// closeStay counts the officer's stay as a visit of its police grid when
// the officer is one of the grid's own and the stay, within the window,
// lasted MinVisit or more.
func (s *Summarizer) closeStay(o *officerAcc) {
	g := o.stayGrid
	o.stayGrid = outsideGrids
	if g == outsideGrids || !s.own[ownKey{g, o.id}] {
		return
	}
	a, b := max(o.stayStart, s.from), min(o.stayEnd, s.to)
	if b-a < s.minVisit {
		return
	}
	v := &s.visits[g]
	v.visits++
	if b > v.last || b == v.last && o.id < v.lastByWhom {
		v.last, v.lastByWhom = b, o.id
	}
}
