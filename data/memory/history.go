package memory

import (
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/paulmach/orb"

	"jingge/data"
	"jingge/geo"
)

// change is what an import does to one grid.
type change int

const (
	unchanged change = iota
	created
	changed
	retired
)

// classify compares the grids of the dataset in force with those of next,
// by grid id.
func classify(cur, next *geo.Dataset) map[string]change {
	old := make(map[string]*geo.Grid, len(cur.Grids))
	for i := range cur.Grids {
		old[cur.Grids[i].ID] = &cur.Grids[i]
	}
	out := make(map[string]change, len(next.Grids))
	for i := range next.Grids {
		g := &next.Grids[i]
		o, ok := old[g.ID]
		switch {
		case !ok:
			out[g.ID] = created
		case sameGrid(o, g):
			out[g.ID] = unchanged
		default:
			out[g.ID] = changed
		}
		delete(old, g.ID)
	}
	for id := range old {
		out[id] = retired
	}
	return out
}

func sameGrid(a, b *geo.Grid) bool {
	return a.Level == b.Level && a.Name == b.Name && a.StationID == b.StationID &&
		a.ParentID == b.ParentID && a.Township == b.Township && a.Population == b.Population &&
		a.Terrain == b.Terrain && orb.Equal(a.Geometry, b.Geometry)
}

// Import implements data.Importer. The memory store has no geometry engine,
// so opts.Fix changes nothing.
func (s *Store) Import(ctx context.Context, ds *geo.Dataset, opts data.ImportOptions) (_ data.ImportReport, err error) {
	var tk ticket
	defer func() { err = s.jr.settle(tk, err) }()
	rep := data.ImportReport{DryRun: opts.DryRun, Stations: len(ds.Stations), Townships: len(ds.Townships), Grids: len(ds.Grids), Members: len(ds.Members), Areas: len(ds.Areas), Places: len(ds.Places), Checkpoints: len(ds.Checkpoints)}
	if err := ctx.Err(); err != nil {
		return rep, err
	}
	if problems := geo.Check(ds); len(problems) > 0 {
		rep.Problems = problems
		return rep, fmt.Errorf("memory: %w", &data.ValidationError{Problems: rep.Problems})
	}
	next := Clone(ds)
	s.mu.Lock()
	defer s.mu.Unlock()
	changes := classify(s.ds, next)
	for _, c := range changes {
		switch c {
		case created:
			rep.Created++
		case changed:
			rep.Changed++
		case unchanged:
			rep.Unchanged++
		case retired:
			rep.Retired++
		}
	}
	if opts.DryRun {
		return rep, nil
	}
	t := s.now()
	s.applyLocked(next, t, changes)
	tk = s.jr.log(recDataset, datasetRecord{Dataset: next, At: t})
	s.notifyLocked()
	return rep, nil
}

// applyLocked makes next the dataset in force at t, closing and opening
// grid versions as changes says and versioning its areas and places
// against those in force (data.OverlayVersions, which gives a replayed
// dataset the versions it was stored with). s.mu must be held (or s
// unshared).
func (s *Store) applyLocked(next *geo.Dataset, t time.Time, changes map[string]change) {
	data.OverlayVersions(s.ds, next)
	for id, c := range changes {
		if c == changed || c == retired {
			s.versions[s.current[id]].ValidTo = t
			delete(s.current, id)
		}
	}
	for i, g := range next.Grids {
		switch changes[g.ID] {
		case created, changed:
			s.addVersionLocked(g, i, t)
		case unchanged:
			s.ords[s.current[g.ID]] = i
		}
	}
	for _, st := range next.Stations {
		s.stations[st.ID] = st
	}
	s.ds = next
}

// addVersionLocked puts g in force from t as its next version.
func (s *Store) addVersionLocked(g geo.Grid, ord int, t time.Time) data.GridVersion {
	v := 1
	for i := len(s.versions) - 1; i >= 0; i-- {
		if s.versions[i].Grid.ID == g.ID {
			v = s.versions[i].Version + 1
			break
		}
	}
	gv := data.GridVersion{Grid: cloneGrid(g), Version: v, ValidFrom: t}
	s.current[g.ID] = len(s.versions)
	s.versions = append(s.versions, gv)
	s.ords = append(s.ords, ord)
	return gv
}

func cloneGrid(g geo.Grid) geo.Grid {
	g.Geometry = cloneMulti(g.Geometry)
	return g
}

// EditGrid implements data.GridEditor.
func (s *Store) EditGrid(ctx context.Context, e data.GridEdit) (_ data.GridVersion, err error) {
	if err := ctx.Err(); err != nil {
		return data.GridVersion{}, err
	}
	if err := checkKeyed(e.Key, e.Answer != nil); err != nil {
		return data.GridVersion{}, err
	}
	var tk ticket
	defer func() { err = s.jr.settle(tk, err) }()
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.usedKeyLocked(e.Key, &tk); err != nil {
		return data.GridVersion{}, err
	}
	at, ok := s.current[e.Grid.ID]
	if !ok {
		return data.GridVersion{}, fmt.Errorf("memory: grid %q: %w (no grid with this code is in force)", e.Grid.ID, data.ErrNotFound)
	}
	old := s.versions[at]
	if e.BaseVersion != 0 && e.BaseVersion != old.Version {
		return data.GridVersion{}, fmt.Errorf("memory: grid %s: %w: the edit was made against version %d but version %d is in force; reload and edit again", e.Grid.ID, data.ErrConflict, e.BaseVersion, old.Version)
	}
	if e.Grid.Level != old.Grid.Level {
		return data.GridVersion{}, fmt.Errorf("memory: %w", &data.ValidationError{Problems: []data.Problem{{Kind: "grid", ID: e.Grid.ID, Reason: fmt.Sprintf("level cannot change from %s to %s by an edit; import a new dataset instead", old.Grid.Level, e.Grid.Level)}}})
	}
	next := Clone(s.ds)
	pos := -1
	for i := range next.Grids {
		if next.Grids[i].ID == e.Grid.ID {
			pos = i
			next.Grids[i] = cloneGrid(e.Grid)
		}
	}
	if problems := geo.Check(next); len(problems) > 0 {
		return data.GridVersion{}, fmt.Errorf("memory: %w", &data.ValidationError{Problems: problems})
	}
	if sameGrid(&old.Grid, &e.Grid) {
		if e.Key != nil {
			// Nothing changes, but the answer is kept: a retry must get
			// it, not the answer of an edit made meanwhile.
			rec := s.answerRecordOf(e.Key, e.Answer(old))
			tk = s.jr.log(recAnswer, *rec)
			s.keepLoggedLocked(rec, tk)
		}
		return old, nil
	}
	t := s.now()
	s.versions[at].ValidTo = t
	gv := s.addVersionLocked(e.Grid, pos, t)
	s.ds = next
	var kept *answerRecord
	if e.Key != nil {
		out := gv
		out.Grid = cloneGrid(gv.Grid)
		kept = s.answerRecordOf(e.Key, e.Answer(out))
	}
	tk = s.jr.log(recGridEdit, gridEditRecord{Grid: e.Grid, At: t, Answer: kept})
	s.keepLoggedLocked(kept, tk)
	s.notifyGridsLocked([]string{e.Grid.ID})
	gv.Grid = cloneGrid(gv.Grid)
	return gv, nil
}

// SnapshotAt implements data.History.
func (s *Store) SnapshotAt(ctx context.Context, t time.Time) (*geo.Dataset, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	out := Clone(s.ds)
	var at []int
	for i, v := range s.versions {
		if !v.ValidFrom.After(t) && (v.ValidTo.IsZero() || t.Before(v.ValidTo)) {
			at = append(at, i)
		}
	}
	sort.SliceStable(at, func(a, b int) bool { return s.ords[at[a]] < s.ords[at[b]] })
	out.Grids = make([]geo.Grid, len(at))
	present := make(map[string]bool, len(at))
	for k, i := range at {
		out.Grids[k] = cloneGrid(s.versions[i].Grid)
		present[out.Grids[k].ID] = true
	}
	out.Stations = withReferencedStations(out.Stations, out.Grids, s.stations)
	for i := range out.Members {
		kept := out.Members[i].GridIDs[:0]
		for _, id := range out.Members[i].GridIDs {
			if present[id] {
				kept = append(kept, id)
			}
		}
		out.Members[i].GridIDs = kept
	}
	return out, nil
}

// withReferencedStations appends to stations (those in force) every station
// the grids name that is no longer in force.
func withReferencedStations(stations []geo.Station, grids []geo.Grid, ever map[string]geo.Station) []geo.Station {
	have := make(map[string]bool, len(stations))
	for _, st := range stations {
		have[st.ID] = true
	}
	for _, g := range grids {
		if !have[g.StationID] {
			if st, ok := ever[g.StationID]; ok {
				stations = append(stations, st)
				have[g.StationID] = true
			}
		}
	}
	return stations
}

// GridHistory implements data.History.
func (s *Store) GridHistory(ctx context.Context, id string) ([]data.GridVersion, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []data.GridVersion
	for _, v := range s.versions {
		if v.Grid.ID == id {
			v.Grid = cloneGrid(v.Grid)
			out = append(out, v)
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("memory: grid %q: %w", id, data.ErrNotFound)
	}
	return out, nil
}
