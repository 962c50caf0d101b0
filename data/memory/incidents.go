package memory

import (
	"bytes"
	"context"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"jingge/data"
	"jingge/geo"
)

var (
	_ data.IncidentStore = (*Store)(nil)
	_ data.GridTimeline  = (*Store)(nil)
)

// incidentTable holds a store's incidents, sorted by occurrence time and
// id, with an index by id. Its lock is taken after Store.mu when both are
// needed.
type incidentTable struct {
	mu     sync.RWMutex
	rows   []*incidentRow // ascending by (OccurredAt, id)
	byID   map[int64]*incidentRow
	nextID int64
	keys   map[scopedKey]committedBatch // idempotency keys of committed batches
}

// scopedKey is an idempotency key in its caller's scope.
type scopedKey struct{ scope, key string }

type committedBatch struct {
	digest []byte
	ids    []string
	at     time.Time // when the key was first used
	// seq is the journal sequence of the batch's record (keySeq); 0 when
	// it is on disk already (loaded at open) or kept in memory only.
	seq uint64
}

type incidentRow struct {
	id  int64
	inc geo.Incident
}

func rowLess(a *incidentRow, t time.Time, id int64) bool {
	return a.inc.OccurredAt.Before(t) || a.inc.OccurredAt.Equal(t) && a.id < id
}

// GridEpochs implements data.GridTimeline.
func (s *Store) GridEpochs(ctx context.Context) ([]time.Time, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.epochsLocked(), nil
}

func (s *Store) epochsLocked() []time.Time {
	var out []time.Time
	for _, v := range s.versions {
		out = append(out, v.ValidFrom)
		if !v.ValidTo.IsZero() {
			out = append(out, v.ValidTo)
		}
	}
	slices.SortFunc(out, time.Time.Compare)
	return slices.CompactFunc(out, time.Time.Equal)
}

// AddIncidents implements data.IncidentStore.
func (s *Store) AddIncidents(ctx context.Context, b data.IncidentBatch) (_ data.AddResult, err error) {
	if err := ctx.Err(); err != nil {
		return data.AddResult{}, err
	}
	var tk ticket
	defer func() { err = s.jr.settle(tk, err) }()
	if err := data.CheckBatchKey(b.Key); err != nil {
		return data.AddResult{}, err
	}
	rows := slices.Clone(b.Incidents)
	if err := data.NormalizeIncidents(rows, s.now()); err != nil {
		return data.AddResult{}, fmt.Errorf("memory: %w", err)
	}
	var probs []data.IncidentProblem
	for i := range rows {
		if !slices.Contains(geo.Categories, rows[i].Category) {
			probs = append(probs, data.IncidentProblem{Index: i, Field: "category", Reason: fmt.Sprintf("unknown category %q (want one of %s)", rows[i].Category, categoryList())})
		}
	}
	if len(probs) > 0 {
		return data.AddResult{}, fmt.Errorf("memory: %w", &data.IncidentError{Problems: probs})
	}
	var digest []byte
	if b.Key != "" {
		digest = data.BatchDigest(rows)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	t := &s.incidents
	t.mu.Lock()
	defer t.mu.Unlock()
	key := scopedKey{b.Scope, b.Key}
	if prev, ok := t.keys[key]; ok && b.Key != "" {
		if !bytes.Equal(prev.digest, digest) {
			return data.AddResult{}, fmt.Errorf("memory: add incidents: %w", data.KeyConflict(b.Key, prev.at))
		}
		tk = replayTicket(prev.seq)
		return data.AddResult{IDs: slices.Clone(prev.ids), Replayed: true}, nil
	}
	if err := s.checkAttributionLocked(rows); err != nil {
		return data.AddResult{}, err
	}
	if err := data.CheckGridsAsOf(s.epochsLocked(), b.GridsAsOf, rows); err != nil {
		return data.AddResult{}, fmt.Errorf("memory: %w", err)
	}
	if t.byID == nil {
		t.byID = map[int64]*incidentRow{}
		t.keys = map[scopedKey]committedBatch{}
	}
	ids := make([]string, len(rows))
	added := make([]*incidentRow, len(rows))
	for i := range rows {
		t.nextID++
		rows[i].ID = strconv.FormatInt(t.nextID, 10)
		added[i] = &incidentRow{id: t.nextID, inc: rows[i]}
		t.byID[t.nextID] = added[i]
		ids[i] = rows[i].ID
	}
	t.rows = mergeRows(t.rows, added)
	var at time.Time // when the key was first used; zero without one
	if b.Key != "" {
		at = s.now()
	}
	tk = s.jr.log(recIncidents, incidentsRecord{Incidents: rows, Scope: b.Scope, Key: b.Key, Digest: digest, At: at})
	if b.Key != "" {
		// Kept once logged, with the record's sequence, which a retry
		// waits for (replay_wait.go).
		t.keys[key] = committedBatch{digest: digest, ids: slices.Clone(ids), at: at, seq: tk.keySeq()}
	}
	return data.AddResult{IDs: ids}, nil
}

func categoryList() string {
	s := make([]string, len(geo.Categories))
	for i, c := range geo.Categories {
		s[i] = string(c)
	}
	return strings.Join(s, ", ")
}

// mergeRows merges added into the sorted rows; incidents of today, the
// usual case, go at the end without moving the rest.
func mergeRows(rows, added []*incidentRow) []*incidentRow {
	sort.SliceStable(added, func(i, j int) bool { return rowLess(added[i], added[j].inc.OccurredAt, added[j].id) })
	if len(rows) == 0 || !rowLess(added[0], rows[len(rows)-1].inc.OccurredAt, rows[len(rows)-1].id) {
		return append(rows, added...)
	}
	out := make([]*incidentRow, 0, len(rows)+len(added))
	i, j := 0, 0
	for i < len(rows) && j < len(added) {
		if rowLess(added[j], rows[i].inc.OccurredAt, rows[i].id) {
			out = append(out, added[j])
			j++
		} else {
			out = append(out, rows[i])
			i++
		}
	}
	out = append(out, rows[i:]...)
	return append(out, added[j:]...)
}

// checkAttributionLocked makes sure every incident names grids that were in
// force at its occurrence time (or, before the first grids, at their
// start), with the station those grids had. s.mu must be held.
func (s *Store) checkAttributionLocked(rows []geo.Incident) error {
	epochs := s.epochsLocked()
	byGrid := map[string][]int{}
	for i, v := range s.versions {
		byGrid[v.Grid.ID] = append(byGrid[v.Grid.ID], i)
	}
	inForce := func(id string, t time.Time) *data.GridVersion {
		for _, i := range byGrid[id] {
			v := &s.versions[i]
			if !v.ValidFrom.After(t) && (v.ValidTo.IsZero() || t.Before(v.ValidTo)) {
				return v
			}
		}
		return nil
	}
	var probs []data.IncidentProblem
	stale := false
	for i := range rows {
		inc := &rows[i]
		if inc.PoliceGridID == "" && inc.CommunityGridID == "" {
			probs = append(probs, data.IncidentProblem{Index: i, Reason: "the incident is not attributed to any grid"})
			continue
		}
		if len(epochs) == 0 {
			stale = true
			continue
		}
		t := inc.OccurredAt
		if t.Before(epochs[0]) {
			t = epochs[0]
		}
		for _, ref := range []struct {
			id    string
			level geo.Level
		}{{inc.CommunityGridID, geo.CommunityLevel}, {inc.PoliceGridID, geo.PoliceLevel}} {
			if ref.id == "" {
				continue
			}
			v := inForce(ref.id, t)
			if v == nil || v.Grid.Level != ref.level || v.Grid.StationID != inc.StationID ||
				ref.level == geo.CommunityLevel && v.Grid.ParentID != inc.PoliceGridID {
				stale = true
			}
		}
	}
	if len(probs) > 0 {
		return fmt.Errorf("memory: %w", &data.IncidentError{Problems: probs})
	}
	if stale {
		return fmt.Errorf("memory: %w", &data.RequestError{Kind: data.ErrStaleAttribution, Message: "the grids changed while the incidents were being attributed; attribute them again and retry"})
	}
	return nil
}

// Incident implements data.IncidentStore.
func (s *Store) Incident(ctx context.Context, id string) (geo.Incident, error) {
	if err := ctx.Err(); err != nil {
		return geo.Incident{}, err
	}
	n, err := data.ParseIncidentID(id)
	if err != nil {
		return geo.Incident{}, err
	}
	t := &s.incidents
	t.mu.RLock()
	defer t.mu.RUnlock()
	r, ok := t.byID[n]
	if !ok {
		return geo.Incident{}, fmt.Errorf("memory: %w", &data.RequestError{Kind: data.ErrNotFound, Message: "there is no incident " + id})
	}
	return r.inc, nil
}

// UpdateIncident implements data.IncidentStore.
func (s *Store) UpdateIncident(ctx context.Context, id string, p data.IncidentPatch) (_ geo.Incident, err error) {
	if err := ctx.Err(); err != nil {
		return geo.Incident{}, err
	}
	var tk ticket
	defer func() { err = s.jr.settle(tk, err) }()
	n, err := data.ParseIncidentID(id)
	if err != nil {
		return geo.Incident{}, err
	}
	t := &s.incidents
	t.mu.Lock()
	defer t.mu.Unlock()
	r, ok := t.byID[n]
	if !ok {
		return geo.Incident{}, fmt.Errorf("memory: %w", &data.RequestError{Kind: data.ErrNotFound, Message: "there is no incident " + id})
	}
	next, _, err := data.CheckPatch(r.inc, p)
	if err != nil {
		return geo.Incident{}, fmt.Errorf("memory: %w", err)
	}
	r.inc = next
	tk = s.jr.log(recIncidentUpdate, incidentUpdateRecord{ID: n, Incident: next})
	return next, nil
}

// scan calls fn for each incident passing f, newest first, starting after
// cursor c, until fn returns false. t.mu must be held for reading.
func (t *incidentTable) scan(f *data.IncidentFilter, c data.Cursor, fn func(*incidentRow) bool) {
	hi := len(t.rows)
	if !f.To.IsZero() {
		hi = sort.Search(len(t.rows), func(i int) bool { return !t.rows[i].inc.OccurredAt.Before(f.To) })
	}
	if c.ID != 0 {
		hi = min(hi, sort.Search(len(t.rows), func(i int) bool { return !rowLess(t.rows[i], c.OccurredAt, c.ID) }))
	}
	for i := hi - 1; i >= 0; i-- {
		r := t.rows[i]
		if !f.From.IsZero() && r.inc.OccurredAt.Before(f.From) {
			return
		}
		if f.Match(&r.inc) && !fn(r) {
			return
		}
	}
}

// QueryIncidents implements data.IncidentStore.
func (s *Store) QueryIncidents(ctx context.Context, f data.IncidentFilter, p data.Page) (data.IncidentPage, error) {
	if err := ctx.Err(); err != nil {
		return data.IncidentPage{}, err
	}
	c, err := data.ParseCursor(p.Cursor)
	if err != nil {
		return data.IncidentPage{}, err
	}
	limit := p.Limit
	if limit <= 0 {
		limit = data.DefaultPageLimit
	}
	limit = min(limit, data.MaxPageLimit)
	t := &s.incidents
	t.mu.RLock()
	defer t.mu.RUnlock()
	var out data.IncidentPage
	var last *incidentRow
	more := false
	t.scan(&f, c, func(r *incidentRow) bool {
		if len(out.Incidents) == limit {
			more = true
			return false
		}
		out.Incidents = append(out.Incidents, r.inc)
		last = r
		return true
	})
	if more {
		out.Next = data.Cursor{OccurredAt: last.inc.OccurredAt, ID: last.id}.Encode()
	}
	return out, nil
}

// AggregateIncidents implements data.IncidentStore.
func (s *Store) AggregateIncidents(ctx context.Context, a data.Aggregation) ([]data.AggregateRow, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if err := a.Check(); err != nil {
		return nil, err
	}
	type key struct {
		group string
		start int64
	}
	groups := map[key]*data.AggregateRow{}
	var cover *data.AreaCover
	if a.GroupBy == data.ByArea {
		s.mu.Lock()
		cover = data.NewAreaCover(s.ds.Areas) // a dataset is replaced, never changed in place
		s.mu.Unlock()
	}
	var keys []string
	t := &s.incidents
	t.mu.RLock()
	t.scan(&a.Filter, data.Cursor{}, func(r *incidentRow) bool {
		start := a.Bucket.Start(r.inc.OccurredAt, a.Location())
		if cover != nil {
			keys = cover.Covering(r.inc.Location, keys[:0])
		} else {
			keys = append(keys[:0], a.Key(&r.inc))
		}
		for _, group := range keys {
			k := key{group, start.Unix()}
			row := groups[k]
			if row == nil {
				row = &data.AggregateRow{Key: k.group, Start: start, Counts: map[geo.Category]int{}}
				groups[k] = row
			}
			row.Counts[r.inc.Category]++
			row.Total++
		}
		return true
	})
	t.mu.RUnlock()
	out := make([]data.AggregateRow, 0, len(groups))
	for _, r := range groups {
		out = append(out, *r)
	}
	data.SortAggregateRows(out)
	return out, nil
}
