package prevention

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"sync"
	"time"

	"jingge/data"
	"jingge/geo"
	"jingge/geo/presence"
)

// LastVisit is what is known of a police grid's last visit by one of its
// own officers.
type LastVisit struct {
	// At is the end of the latest stay of MinVisit or more measured from
	// pings, or the time of the latest recorded visit, whichever is later;
	// zero when none is known.
	At time.Time
	// Officer made it; "" when none is known.
	Officer string
	// Recorded is set when the visit is a recorded one (/api/v1/visits).
	Recorded bool
	// Observed is since when the grid's officers are known to report
	// positions (the earliest ping of any of them); zero when none has.
	// A grid without a known visit has gone unvisited since then.
	Observed time.Time
	// HasOfficers is false for a grid without its own police members,
	// which nobody is expected to visit.
	HasOfficers bool
}

// Since returns the start of the grid's current absence: its last visit,
// else since when its officers are observed; zero when neither is known.
func (v LastVisit) Since() time.Time {
	if !v.At.IsZero() {
		return v.At
	}
	return v.Observed
}

// lastVisits is each police grid's last visit as far as read, for one
// index. Reads after the first cover only what is new.
type lastVisits struct {
	mu   sync.Mutex
	ix   *geo.Index
	upTo time.Time
	by   map[string]LastVisit
	// firstPing is each officer's earliest ping found (zero: none yet);
	// a store that forgets old pings cannot move it later.
	firstPing map[string]time.Time
}

// recordedLookback is how many times UnvisitedAfter the first read looks
// back for recorded visits.
const recordedLookback = 4

// lastVisitRefresh is the least time between two reads of the stores;
// calls closer together answer what the previous read found.
const lastVisitRefresh = 30 * time.Second

// UnvisitedAfter returns how long a police grid may go without a visit
// before a "grid not visited" event; 0 is never.
func (s *Service) UnvisitedAfter() time.Duration { return s.after }

// LastVisits returns every police grid of the index in force with its
// last visit by its own officers known now, and that time. The first
// call (and the first after the dataset changes) reads pings
// UnvisitedAfter and a day back (DefaultUnvisitedAfter when the check is
// off), and recorded visits four times as far; later calls
// read only what is new since the previous read, and MinVisit + MaxGap
// before it, so a stay spanning two reads still counts. A recorded visit
// written later with an earlier time than the previous read is not seen
// until the dataset changes or the server restarts.
func (s *Service) LastVisits(ctx context.Context) (map[string]LastVisit, time.Time, error) {
	ix, err := s.ready()
	if err != nil {
		return nil, time.Time{}, err
	}
	now := s.now()
	m := &s.marks
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.ix != ix {
		m.ix, m.upTo, m.by = ix, time.Time{}, nil
	}
	if m.upTo.IsZero() || now.Sub(m.upTo) >= lastVisitRefresh {
		if err := s.readLastVisits(ctx, ix, m, now); err != nil {
			return nil, time.Time{}, err
		}
	}
	return maps.Clone(m.by), now, nil
}

// readLastVisits brings m up to now. m.mu must be held.
func (s *Service) readLastVisits(ctx context.Context, ix *geo.Index, m *lastVisits, now time.Time) error {
	from := m.upTo.Add(-s.opts.MinVisit - s.opts.MaxGap)
	visitsFrom := from
	if m.upTo.IsZero() {
		back := s.after
		if back <= 0 {
			back = presence.DefaultUnvisitedAfter
		}
		// Pings are many (a week of them is millions), recorded visits a
		// few hundred a day: those are read four times as far back, so a
		// map shows how long a neglected grid has waited.
		from, visitsFrom = now.Add(-back-24*time.Hour), now.Add(-recordedLookback*back-24*time.Hour)
	}
	owners := presence.Owners(ix)
	by := make(map[string]LastVisit, len(owners))
	var officers []string
	for _, g := range ix.Grids(geo.GridFilter{Level: geo.PoliceLevel}) {
		v := m.by[g.ID]
		v.HasOfficers = len(owners[g.ID]) > 0
		by[g.ID] = v
		for _, id := range owners[g.ID] {
			if !slices.Contains(officers, id) {
				officers = append(officers, id)
			}
		}
	}
	if m.firstPing == nil {
		m.firstPing = map[string]time.Time{}
	}
	for _, id := range officers {
		if !m.firstPing[id].IsZero() {
			continue
		}
		first, _, err := s.pings.Track(ctx, id, time.Time{}, now, 1)
		if err != nil {
			return fmt.Errorf("prevention: reading the first ping of %s: %w", id, err)
		}
		if len(first) > 0 {
			m.firstPing[id] = first[0].At
		}
	}
	sum, err := s.summarize(ctx, ix, officers, from, now)
	if err != nil {
		return err
	}
	for _, g := range sum.Grids {
		if v, ok := by[g.GridID]; ok && g.LastVisit.After(v.At) {
			v.At, v.Officer, v.Recorded = g.LastVisit, g.LastVisitOfficer, false
			by[g.GridID] = v
		}
	}
	if err := s.readRecordedVisits(ctx, owners, by, visitsFrom, now); err != nil {
		return err
	}
	for id, v := range by {
		v.Observed = time.Time{}
		for _, o := range owners[id] {
			if f := m.firstPing[o]; !f.IsZero() && (v.Observed.IsZero() || f.Before(v.Observed)) {
				v.Observed = f
			}
		}
		by[id] = v
	}
	m.by, m.upTo = by, now
	return nil
}

// readRecordedVisits takes the recorded visits in [from, to) made by one
// of their grid's own officers into by.
func (s *Service) readRecordedVisits(ctx context.Context, owners map[string][]string, by map[string]LastVisit, from, to time.Time) error {
	if s.visits == nil {
		return nil
	}
	page := data.Page{Limit: data.MaxPageLimit}
	for {
		res, err := s.visits.QueryVisits(ctx, data.VisitFilter{From: from, To: to}, page)
		if err != nil {
			return fmt.Errorf("prevention: reading recorded visits: %w", err)
		}
		for i := range res.Visits {
			vis := &res.Visits[i]
			v, ok := by[vis.PoliceGridID]
			if ok && vis.At.After(v.At) && slices.Contains(owners[vis.PoliceGridID], vis.OfficerID) {
				v.At, v.Officer, v.Recorded = vis.At, vis.OfficerID, true
				by[vis.PoliceGridID] = v
			}
		}
		if res.Next == "" {
			return nil
		}
		page.Cursor = res.Next
	}
}
