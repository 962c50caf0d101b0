package memory

import (
	"bytes"
	"context"
	"fmt"
	"maps"
	"math"
	"slices"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"github.com/paulmach/orb"

	"jingge/data"
	"jingge/data/memory/archive"
	"jingge/geo"
	"jingge/geo/patrol"
)

// PatrolOptions bound what Patrols keeps in memory. On its own, what
// leaves these windows is gone; in a data directory (OpenDir) nothing is
// dropped: what leaves them moves to the directory's archive at the next
// compaction and stays there until `jingge prune`. Zero fields take the
// defaults.
type PatrolOptions struct {
	// Retention is how long pings and idempotency keys are kept (default 24 h).
	Retention time.Duration
	// MaxPingsPerOfficer caps each officer's stored pings; the oldest go
	// first (default 20,000: a day at one ping every 4.3 s).
	MaxPingsPerOfficer int
	// MaxEvents is the size of the event ring buffer (default 10,000).
	MaxEvents int
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// Defaults of PatrolOptions.
const (
	DefaultPingRetention      = 24 * time.Hour
	DefaultMaxPingsPerOfficer = 20000
	DefaultMaxEvents          = 10000
)

// Patrols is the embedded data.PatrolStore: pings, officer states and
// events in process memory, bounded by PatrolOptions. On its own it
// forgets them when the process ends; in a data directory (OpenDir) it
// keeps every one, the old ones in the directory's archive. Every write
// is atomic. It is safe for concurrent use.
type Patrols struct {
	opts PatrolOptions

	mu       sync.Mutex
	pings    map[string][]archive.Ping // per officer, oldest first
	states   map[string]patrol.State
	changed  map[string]int64 // officer -> change counter when last changed
	counter  int64            // counts state changes; the States cursor
	events   []patrol.Event   // ring buffer of the newest events
	head     int              // position of the oldest event in events
	lastID   int64
	keys     map[scopedKey]keyRecord // idempotency keys of recorded batches
	keyQueue []keyEntry              // keys in arrival order, for expiry
	// unvisited holds, per police grid, the time of its latest
	// GridUnvisited event (RaiseUnvisited).
	unvisited map[string]time.Time
	// shown is the id of the newest event EventsAfter and LastEventID
	// give out (events_shown.go); in memory only it is lastID.
	shown atomic.Int64
	// unloggedFrom, once above zero, is the first id of events whose
	// record never reached the journal: shown stays below it.
	unloggedFrom atomic.Int64
	// watchMu guards watchers apart from mu, so a write wakes them after
	// its record settled without taking mu again.
	watchMu  sync.RWMutex
	watchers map[chan struct{}]struct{}
	// jr keeps the changes in a data directory (durable.go); nil keeps
	// them in memory only.
	jr *journaler
	// arch, in a data directory, keeps what leaves the hot window: the
	// options then bound memory, not what is kept (package archive), and
	// events is a plain list, oldest first, that compaction trims.
	arch *archive.Archive
}

var _ data.PatrolStore = (*Patrols)(nil)

type keyEntry struct {
	key scopedKey
	at  time.Time
}

// keyRecord is what a recorded batch's key remembers of it.
type keyRecord struct {
	digest []byte
	at     time.Time // when the key was first used
	// seq is the journal sequence of the batch's record (keySeq); 0 when
	// it is on disk already (loaded at open) or kept in memory only.
	seq uint64
}

// NewPatrols returns an empty store.
func NewPatrols(opts PatrolOptions) *Patrols {
	if opts.Retention <= 0 {
		opts.Retention = DefaultPingRetention
	}
	if opts.MaxPingsPerOfficer <= 0 {
		opts.MaxPingsPerOfficer = DefaultMaxPingsPerOfficer
	}
	if opts.MaxEvents <= 0 {
		opts.MaxEvents = DefaultMaxEvents
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	return &Patrols{
		opts:      opts,
		pings:     map[string][]archive.Ping{},
		states:    map[string]patrol.State{},
		changed:   map[string]int64{},
		keys:      map[scopedKey]keyRecord{},
		unvisited: map[string]time.Time{},
		watchers:  map[chan struct{}]struct{}{},
	}
}

// RecordPings implements data.PatrolStore.
func (p *Patrols) RecordPings(ctx context.Context, b data.PingBatch) (_ data.PingResult, err error) {
	if err := ctx.Err(); err != nil {
		return data.PingResult{}, err
	}
	var w patrolWrite
	defer func() { err = p.settle(w, err) }()
	now := p.opts.Now()
	p.mu.Lock()
	defer p.mu.Unlock()
	p.expireKeysLocked(now)
	var digest []byte
	if b.Key != "" {
		digest = data.PingDigest(b.Pings)
		if had, dup := p.keys[scopedKey{b.Scope, b.Key}]; dup {
			if !bytes.Equal(had.digest, digest) {
				return data.PingResult{}, fmt.Errorf("memory: record pings: %w", data.KeyConflict(b.Key, had.at))
			}
			w.tk = replayTicket(had.seq)
			return data.PingResult{Replayed: true}, nil
		}
	}
	var res data.PingResult
	moved := map[string]bool{}
	for _, pg := range b.Pings {
		p.storePingLocked(pg, now)
		st, ok := p.states[pg.OfficerID]
		if !ok {
			st.Officer = pg.OfficerID
		}
		next, evs, changed := b.Rules.Step(st, pg, res.Events)
		res.Events = evs
		if changed {
			next.Version = st.Version + 1
			p.setStateLocked(next)
			moved[pg.OfficerID] = true
		}
	}
	for i := range res.Events {
		res.Events[i] = p.appendEventLocked(res.Events[i])
	}
	for _, id := range slices.Sorted(maps.Keys(moved)) {
		res.States = append(res.States, p.states[id])
	}
	if p.jr != nil {
		w.tk = p.logLocked(recPings, p.pingsRecord(b, digest, now, res), len(res.Events))
	}
	if b.Key != "" {
		// The key is kept once the batch is logged, with its record's
		// sequence, which a retry waits for (replay_wait.go).
		key := scopedKey{b.Scope, b.Key}
		p.keys[key] = keyRecord{digest: digest, at: now, seq: w.tk.keySeq()}
		p.keyQueue = append(p.keyQueue, keyEntry{key, now})
	}
	w.upto, w.wake = p.lastID, len(b.Pings) > 0
	return res, nil
}

// storePingLocked keeps pg in its officer's time-ordered list, unless it
// is older than the retention, and trims the list. With an archive every
// ping is kept, and compaction moves the old ones out of memory.
func (p *Patrols) storePingLocked(pg geo.Ping, now time.Time) {
	cutoff := now.Add(-p.opts.Retention).UnixNano()
	at := pg.At.UnixNano()
	if p.arch != nil {
		cutoff = math.MinInt64
	} else if at < cutoff {
		return
	}
	sp := archive.Ping{At: at, Lon: pg.Location[0], Lat: pg.Location[1], Speed: float32(pg.SpeedMPS), Heading: float32(pg.HeadingDeg), Grid: pg.GridID}
	list := p.pings[pg.OfficerID]
	if n := len(list); n == 0 || list[n-1].At <= at {
		list = append(list, sp)
	} else {
		i := sort.Search(n, func(i int) bool { return list[i].At > at })
		list = slices.Insert(list, i, sp)
	}
	drop := 0
	for drop < len(list) && list[drop].At < cutoff {
		drop++
	}
	if p.arch == nil {
		drop = max(drop, len(list)-p.opts.MaxPingsPerOfficer)
	}
	if drop > 0 {
		// Copy down rather than reslice, so the dropped pings' memory is reused.
		list = list[:copy(list, list[drop:])]
	}
	p.pings[pg.OfficerID] = list
}

func (p *Patrols) setStateLocked(st patrol.State) {
	p.counter++
	p.states[st.Officer] = st
	p.changed[st.Officer] = p.counter
}

// appendEventLocked gives e the next id and puts it in the ring.
func (p *Patrols) appendEventLocked(e patrol.Event) patrol.Event {
	p.lastID++
	e.ID = p.lastID
	if p.arch != nil || len(p.events) < p.opts.MaxEvents {
		p.events = append(p.events, e)
	} else {
		p.events[p.head] = e
		p.head = (p.head + 1) % len(p.events)
	}
	return e
}

func (p *Patrols) expireKeysLocked(now time.Time) {
	cutoff := now.Add(-p.opts.Retention)
	n := 0
	for n < len(p.keyQueue) && p.keyQueue[n].at.Before(cutoff) {
		delete(p.keys, p.keyQueue[n].key)
		n++
	}
	if n > 0 {
		p.keyQueue = p.keyQueue[:copy(p.keyQueue, p.keyQueue[n:])]
	}
}

// SweepSilent implements data.PatrolStore.
func (p *Patrols) SweepSilent(ctx context.Context, rules *patrol.Rules, now time.Time) (_ []patrol.Event, err error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var w patrolWrite
	defer func() { err = p.settle(w, err) }()
	p.mu.Lock()
	defer p.mu.Unlock()
	var out []patrol.Event
	for _, id := range slices.Sorted(maps.Keys(p.states)) {
		st := p.states[id]
		next, ev, ok := rules.Sweep(st, now)
		if !ok {
			continue
		}
		next.Version = st.Version + 1
		p.setStateLocked(next)
		out = append(out, p.appendEventLocked(ev))
	}
	if len(out) > 0 {
		w.tk = p.logLocked(recSweep, p.sweepRecord(out), len(out))
		w.upto, w.wake = p.lastID, true
	}
	return out, nil
}

// States implements data.PatrolStore.
func (p *Patrols) States(ctx context.Context, since data.StateCursor) ([]patrol.State, data.StateCursor, error) {
	if err := ctx.Err(); err != nil {
		return nil, since, err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	var out []patrol.State
	for id, c := range p.changed {
		if c > int64(since) {
			out = append(out, p.states[id])
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Officer < out[j].Officer })
	return out, data.StateCursor(p.counter), nil
}

// Track implements data.PatrolStore.
func (p *Patrols) Track(ctx context.Context, officer string, from, to time.Time, limit int) ([]geo.Ping, bool, error) {
	if err := ctx.Err(); err != nil {
		return nil, false, err
	}
	fromN, toN := from.UnixNano(), to.UnixNano()
	p.mu.Lock()
	list := p.pings[officer]
	lo := sort.Search(len(list), func(i int) bool { return list[i].At >= fromN })
	hi := sort.Search(len(list), func(i int) bool { return list[i].At >= toN })
	sel := slices.Clone(list[lo:max(lo, hi)])
	if p.arch != nil {
		pend, reads := p.arch.TrackReads(officer, fromN, toN)
		floor := p.arch.PingsBefore
		p.arch.Files.RLock()
		p.mu.Unlock()
		old, err := p.arch.ReadTrack(reads, fromN, toN, floor)
		p.arch.Files.RUnlock()
		if err != nil {
			return nil, false, fmt.Errorf("memory: track: %w", err)
		}
		if len(old)+len(pend) > 0 {
			sel = slices.Concat(old, pend, sel)
			archive.SortPings(sel)
		}
	} else {
		p.mu.Unlock()
	}
	truncated := false
	if limit >= 0 && len(sel) > limit {
		sel, truncated = sel[:limit], true
	}
	out := make([]geo.Ping, 0, len(sel))
	for _, sp := range sel {
		out = append(out, geo.Ping{
			OfficerID: officer, At: time.Unix(0, sp.At).UTC(), Location: orb.Point{sp.Lon, sp.Lat},
			SpeedMPS: float64(sp.Speed), HeadingDeg: float64(sp.Heading), GridID: sp.Grid,
		})
	}
	return out, truncated, nil
}

// EventsAfter implements data.PatrolStore. On its own the ring keeps the
// newest MaxEvents events, and an older afterID starts from the oldest
// kept; in a data directory the older ones are read from the archive, and
// an event is returned only once its journal record is on disk
// (events_shown.go).
func (p *Patrols) EventsAfter(ctx context.Context, afterID int64, limit int) ([]patrol.Event, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	limit = max(limit, 0)
	p.mu.Lock()
	upto := p.shownLocked()
	n := len(p.events)
	oldest := p.lastID - int64(n) + 1
	start := max(afterID+1, oldest)
	var hot []patrol.Event
	for id := start; id <= upto && len(hot) < limit; id++ {
		hot = append(hot, p.events[(p.head+int(id-oldest))%n])
	}
	if p.arch == nil || afterID+1 >= oldest {
		p.mu.Unlock()
		return hot, nil
	}
	chunks, pend := p.arch.EventChunks(afterID)
	p.arch.Files.RLock()
	p.mu.Unlock()
	out, err := p.arch.ReadEventsAfter(chunks, afterID, limit)
	p.arch.Files.RUnlock()
	if err != nil {
		return nil, fmt.Errorf("memory: events: %w", err)
	}
	out = append(out, pend...)
	out = append(out, hot...)
	// A compaction may seal events whose writer has not settled yet.
	if i := slices.IndexFunc(out, func(e patrol.Event) bool { return e.ID > upto }); i >= 0 {
		out = out[:i]
	}
	return out[:min(len(out), limit)], nil
}

// OldestEventID implements data.EventHorizon.
func (p *Patrols) OldestEventID(ctx context.Context) (int64, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.arch != nil {
		if id := p.arch.OldestEvent(); id > 0 {
			return id, nil
		}
	}
	return p.lastID - int64(len(p.events)) + 1, nil
}

// LastEventID implements data.PatrolStore. In a data directory it is the
// newest event whose journal record is on disk.
func (p *Patrols) LastEventID(ctx context.Context) (int64, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.shownLocked(), nil
}

// WatchPatrols implements data.PatrolStore.
func (p *Patrols) WatchPatrols(ctx context.Context) (<-chan struct{}, error) {
	ch := make(chan struct{}, 1)
	p.watchMu.Lock()
	p.watchers[ch] = struct{}{}
	p.watchMu.Unlock()
	go func() {
		<-ctx.Done()
		p.watchMu.Lock()
		delete(p.watchers, ch)
		close(ch)
		p.watchMu.Unlock()
	}()
	return ch, nil
}

// notify wakes every watcher. Writers call it after their record settled
// (settle), so a woken reader finds the change readable.
func (p *Patrols) notify() {
	p.watchMu.RLock()
	defer p.watchMu.RUnlock()
	for ch := range p.watchers {
		select {
		case ch <- struct{}{}:
		default:
		}
	}
}
