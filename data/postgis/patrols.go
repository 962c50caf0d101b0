package postgis

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/jackc/pgx/v5/pgxpool"

	"jingge/data"
	"jingge/geo/patrol"
)

// PatrolOptions tune Patrols. Zero fields take the defaults.
type PatrolOptions struct {
	// Committers is how many transactions may commit pings at once
	// (default 4). Each takes every request waiting when it starts, up to
	// MaxGroupPings pings, so under load few large transactions replace
	// many small ones. More than one lets a transaction COPY while another
	// waits for its commit; four measured best on two cores.
	Committers int
	// MaxGroupPings caps the pings of one transaction (default 50,000).
	MaxGroupPings int
	// CommitTimeout bounds one transaction (default 15 s).
	CommitTimeout time.Duration
	// KeyRetention is how long idempotency keys of ping batches are kept
	// (default 24 h).
	KeyRetention time.Duration
}

// Defaults of PatrolOptions.
const (
	DefaultCommitters    = 4
	DefaultMaxGroupPings = 50000
	DefaultCommitTimeout = 15 * time.Second
	DefaultKeyRetention  = 24 * time.Hour
)

// lockPatrolEvents is the advisory lock (with hashtext(current_schema()))
// under which event ids are drawn and committed: holding it from nextval
// to commit makes ids commit in increasing order, so a reader that has
// seen id n and asks for ids > n misses nothing.
const lockPatrolEvents int32 = 1785292910

// patrolChannel is the NOTIFY channel of patrol changes; the payload is the schema.
const patrolChannel = "jingge_patrols"

// Patrols is the PostGIS data.PatrolStore. Pings go in with COPY; requests
// that arrive while a transaction is being committed wait and are then
// committed together in the next one (group commit), and each request is
// answered only after the transaction holding its pings has committed.
// Officer states live in patrol_officers, whose rows every transaction
// locks for its officers, so states and events are serialised per officer
// across every server of the database. It is safe for concurrent use.
type Patrols struct {
	st    *Store
	pool  *pgxpool.Pool
	opts  PatrolOptions
	queue chan *pingRequest

	ctx    context.Context // ends at Close
	cancel context.CancelFunc
	wg     sync.WaitGroup

	// known holds officers whose patrol_officers row surely exists.
	known sync.Map
	// geometryOID is the OID of PostGIS's geometry type, 0 until looked up.
	geometryOID atomic.Uint32
	lastPrune   atomic.Int64 // unix seconds of the last key expiry

	mu        sync.Mutex
	watchers  map[chan struct{}]struct{}
	listening bool
	closed    bool
}

var _ data.PatrolStore = (*Patrols)(nil)

// NewPatrols returns the patrol store of st and starts its committers.
// Close it before st.
func NewPatrols(st *Store, opts PatrolOptions) *Patrols {
	if opts.Committers <= 0 {
		opts.Committers = DefaultCommitters
	}
	if opts.MaxGroupPings <= 0 {
		opts.MaxGroupPings = DefaultMaxGroupPings
	}
	if opts.CommitTimeout <= 0 {
		opts.CommitTimeout = DefaultCommitTimeout
	}
	if opts.KeyRetention <= 0 {
		opts.KeyRetention = DefaultKeyRetention
	}
	ctx, cancel := context.WithCancel(context.Background())
	p := &Patrols{
		st: st, pool: st.pool, opts: opts,
		queue:    make(chan *pingRequest, 4096),
		ctx:      ctx,
		cancel:   cancel,
		watchers: map[chan struct{}]struct{}{},
	}
	for range opts.Committers {
		p.wg.Go(p.commitLoop)
	}
	return p
}

// Close lets the transactions being committed finish, fails the requests
// still waiting with data.ErrUnavailable, stops listening and closes every
// watch channel.
func (p *Patrols) Close() error {
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return nil
	}
	p.closed = true
	p.mu.Unlock()
	p.cancel()
	p.wg.Wait()
	return nil
}

// errPatrolsClosed answers requests that arrive or wait after Close.
var errPatrolsClosed = fmt.Errorf("postgis: record pings: %w: the server is shutting down", data.ErrUnavailable)

// Request states: waiting in the queue, taken by a committer, or abandoned
// by its caller before any committer took it.
const (
	reqWaiting int32 = iota
	reqTaken
	reqAbandoned
)

// pingRequest is one RecordPings call waiting for its commit.
type pingRequest struct {
	batch  data.PingBatch
	digest []byte
	state  atomic.Int32
	done   chan pingReply
}

type pingReply struct {
	res data.PingResult
	err error
}

// RecordPings implements data.PatrolStore. It returns once the pings are
// committed (possibly with other requests' pings in the same transaction);
// if ctx ends before a committer took the request, nothing is recorded.
func (p *Patrols) RecordPings(ctx context.Context, b data.PingBatch) (data.PingResult, error) {
	if len(b.Pings) == 0 {
		return data.PingResult{}, nil
	}
	if b.Rules == nil {
		return data.PingResult{}, errors.New("postgis: record pings: no rules")
	}
	req := &pingRequest{batch: b, done: make(chan pingReply, 1)}
	if b.Key != "" {
		req.digest = data.PingDigest(b.Pings)
	}
	select {
	case p.queue <- req:
	case <-ctx.Done():
		return data.PingResult{}, fmt.Errorf("postgis: record pings: %w", ctx.Err())
	case <-p.ctx.Done():
		return data.PingResult{}, errPatrolsClosed
	}
	select {
	case r := <-req.done:
		return r.res, r.err
	case <-ctx.Done():
		if req.state.CompareAndSwap(reqWaiting, reqAbandoned) {
			return data.PingResult{}, fmt.Errorf("postgis: record pings: %w", ctx.Err())
		}
	case <-p.ctx.Done():
		if req.state.CompareAndSwap(reqWaiting, reqAbandoned) {
			return data.PingResult{}, errPatrolsClosed
		}
	}
	// A committer has the request: its transaction decides.
	r := <-req.done
	return r.res, r.err
}

// commitLoop takes the first waiting request and every other one waiting
// behind it (up to MaxGroupPings pings) and commits them in one transaction.
func (p *Patrols) commitLoop() {
	for {
		var first *pingRequest
		select {
		case first = <-p.queue:
		case <-p.ctx.Done():
			return
		}
		if !first.state.CompareAndSwap(reqWaiting, reqTaken) {
			continue
		}
		group, n := []*pingRequest{first}, len(first.batch.Pings)
	collect:
		for n < p.opts.MaxGroupPings {
			select {
			case r := <-p.queue:
				if r.state.CompareAndSwap(reqWaiting, reqTaken) {
					group = append(group, r)
					n += len(r.batch.Pings)
				}
			default:
				break collect
			}
		}
		// The transaction outlives Close: a group being committed finishes.
		ctx, cancel := context.WithTimeout(context.WithoutCancel(p.ctx), p.opts.CommitTimeout)
		replies := p.commitGroup(ctx, group)
		cancel()
		for i, r := range group {
			r.done <- replies[i]
		}
	}
}

// groupRequest is the part of a request its group's transaction records.
type groupRequest struct {
	i       int  // position in the group
	record  bool // its pings are stored (not a replay, not a conflict)
	evStart int  // its events are events[evStart:evEnd]
	evEnd   int
	moved   []string // officers whose state it moved
}

// commitGroup records a group of requests in one transaction and returns
// one reply per request. A failure of the transaction fails every request.
func (p *Patrols) commitGroup(ctx context.Context, group []*pingRequest) []pingReply {
	replies := make([]pingReply, len(group))
	// settled[i] marks a reply that stands whatever the transaction does:
	// a replay of a batch committed before, or a key conflict.
	settled := make([]bool, len(group))
	fail := func(err error) []pingReply {
		err = mapError("record pings", err)
		for i := range replies {
			if !settled[i] {
				replies[i] = pingReply{err: err}
			}
		}
		return replies
	}
	officers := officersOf(group)
	if err := p.ensureOfficers(ctx, officers); err != nil {
		return fail(err)
	}
	conn, err := p.acquire(ctx)
	if err != nil {
		return fail(err)
	}
	defer conn.Release()
	tx, err := conn.Begin(ctx)
	if err != nil {
		return fail(err)
	}
	defer tx.Rollback(context.Background())
	// An acknowledged ping must survive a crash of the database whatever
	// its configuration says: wait for the WAL flush (once per group).
	if _, err := tx.Exec(ctx, "set local synchronous_commit to on"); err != nil {
		return fail(err)
	}

	record, err := p.claimKeys(ctx, tx, group, replies, settled)
	if err != nil {
		return fail(err)
	}
	// The pings go in before the officers' rows are locked, so a second
	// committer can COPY while the first holds the locks.
	nPings := 0
	for i, r := range group {
		if record[i] {
			nPings += len(r.batch.Pings)
		}
	}
	if nPings > 0 {
		if err := p.copyPings(ctx, tx, group, record, nPings); err != nil {
			return fail(err)
		}
	}
	states, err := lockStates(ctx, tx, officers)
	if err != nil {
		return fail(err)
	}
	// Derive the new states and the events, request by request, ping by ping.
	var events []patrol.Event
	parts := make([]groupRequest, 0, len(group))
	changed := map[string]bool{}
	for i, r := range group {
		if !record[i] {
			continue
		}
		gr := groupRequest{i: i, record: true, evStart: len(events)}
		moved := map[string]bool{}
		for _, pg := range r.batch.Pings {
			st := states[pg.OfficerID]
			next, evs, ok := r.batch.Rules.Step(st, pg, events)
			events = evs
			if ok {
				next.Version = st.Version + 1
				states[pg.OfficerID] = next
				moved[pg.OfficerID] = true
				changed[pg.OfficerID] = true
			}
		}
		gr.evEnd = len(events)
		gr.moved = slices.Sorted(maps.Keys(moved))
		parts = append(parts, gr)
	}
	if err := writeStatesAndEvents(ctx, tx, states, slices.Sorted(maps.Keys(changed)), events); err != nil {
		return fail(err)
	}
	if err := tx.Commit(ctx); err != nil {
		return fail(err)
	}
	for _, gr := range parts {
		res := data.PingResult{Events: slices.Clone(events[gr.evStart:gr.evEnd])}
		for _, id := range gr.moved {
			res.States = append(res.States, states[id])
		}
		replies[gr.i] = pingReply{res: res}
	}
	return replies
}

// officersOf returns the distinct officers of a group, sorted: rows are
// locked in this order, so two transactions cannot deadlock.
func officersOf(group []*pingRequest) []string {
	seen := map[string]bool{}
	for _, r := range group {
		for i := range r.batch.Pings {
			seen[r.batch.Pings[i].OfficerID] = true
		}
	}
	return slices.Sorted(maps.Keys(seen))
}

// ensureOfficers creates the missing patrol_officers rows, in a statement
// of its own: rows created inside the ingest transactions could be locked
// in two orders by two of them.
func (p *Patrols) ensureOfficers(ctx context.Context, officers []string) error {
	var missing []string
	for _, id := range officers {
		if _, ok := p.known.Load(id); !ok {
			missing = append(missing, id)
		}
	}
	if len(missing) == 0 {
		return nil
	}
	if _, err := p.pool.Exec(ctx, "insert into patrol_officers (officer_id) select unnest($1::text[]) on conflict do nothing", missing); err != nil {
		return err
	}
	for _, id := range missing {
		p.known.Store(id, true)
	}
	return nil
}

// acquire takes a pool connection that can send geometries with COPY: the
// geometry type is registered with a bytea codec, since its binary form is
// EWKB.
func (p *Patrols) acquire(ctx context.Context) (*pgxpool.Conn, error) {
	conn, err := p.pool.Acquire(ctx)
	if err != nil {
		return nil, err
	}
	tm := conn.Conn().TypeMap()
	if _, ok := tm.TypeForName("geometry"); ok {
		return conn, nil
	}
	oid := p.geometryOID.Load()
	if oid == 0 {
		if err := conn.QueryRow(ctx, "select 'geometry'::regtype::oid").Scan(&oid); err != nil {
			conn.Release()
			return nil, err
		}
		p.geometryOID.Store(oid)
	}
	tm.RegisterType(&pgtype.Type{Name: "geometry", OID: oid, Codec: pgtype.ByteaCodec{}})
	return conn, nil
}

// claimKeys records the idempotency keys of the group and decides which
// requests are stored: those without a key or with a new one. A key seen
// before in the same scope with the same pings is a replay; with other
// pings, a conflict. Keys of other scopes never meet.
//
// Replies that stand whatever the transaction does (a replay of a batch
// committed before, any conflict) are marked in settled; a replay of a
// request of the same group holds only if the group commits.
func (p *Patrols) claimKeys(ctx context.Context, tx pgx.Tx, group []*pingRequest, replies []pingReply, settled []bool) ([]bool, error) {
	type scopedKey struct{ scope, key string }
	record := make([]bool, len(group))
	var scopes, keys []string
	var digests [][]byte
	firstWith := map[scopedKey]int{}
	groupStart := time.Now()
	for i, r := range group {
		k := scopedKey{r.batch.Scope, r.batch.Key}
		if k.key == "" {
			record[i] = true
			continue
		}
		if j, ok := firstWith[k]; ok {
			// The same key twice in one group: the first is stored, the
			// second is its replay (answered after the commit).
			replies[i] = keyReply(k.key, group[j].digest, r.digest, groupStart)
			settled[i] = replies[i].err != nil
			continue
		}
		firstWith[k] = i
		scopes = append(scopes, k.scope)
		keys = append(keys, k.key)
		digests = append(digests, r.digest)
	}
	if len(keys) == 0 {
		return record, nil
	}
	rows, err := tx.Query(ctx, `insert into patrol_batches (scope, key, digest) select * from unnest($1::text[], $2::text[], $3::bytea[])
		on conflict (scope, key) do nothing returning scope, key`, scopes, keys, digests)
	if err != nil {
		return nil, err
	}
	var k scopedKey
	isFresh := map[scopedKey]bool{}
	if _, err := pgx.ForEachRow(rows, []any{&k.scope, &k.key}, func() error {
		isFresh[k] = true
		record[firstWith[k]] = true
		return nil
	}); err != nil {
		return nil, err
	}
	var oldScopes, oldKeys []string
	for i, key := range keys {
		if !isFresh[scopedKey{scopes[i], key}] {
			oldScopes = append(oldScopes, scopes[i])
			oldKeys = append(oldKeys, key)
		}
	}
	if len(oldKeys) == 0 {
		return record, nil
	}
	rows, err = tx.Query(ctx, `select b.scope, b.key, b.digest, b.created_at from patrol_batches b
		join unnest($1::text[], $2::text[]) as o(scope, key) on o.scope = b.scope and o.key = b.key`, oldScopes, oldKeys)
	if err != nil {
		return nil, err
	}
	var d []byte
	var firstUsed time.Time
	_, err = pgx.ForEachRow(rows, []any{&k.scope, &k.key, &d, &firstUsed}, func() error {
		i := firstWith[k]
		replies[i] = keyReply(k.key, d, group[i].digest, firstUsed)
		settled[i] = true
		return nil
	})
	return record, err
}

// keyReply answers a request whose key was recorded at firstUsed with
// digest had.
func keyReply(key string, had, digest []byte, firstUsed time.Time) pingReply {
	if string(had) != string(digest) {
		return pingReply{err: fmt.Errorf("postgis: record pings: %w", data.KeyConflict(key, firstUsed))}
	}
	return pingReply{res: data.PingResult{Replayed: true}}
}
