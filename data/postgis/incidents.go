package postgis

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgtype"

	"jingge/data"
	"jingge/data/postgis/pgsql"
	"jingge/geo"
)

var (
	_ data.IncidentStore = (*Store)(nil)
	_ data.GridTimeline  = (*Store)(nil)
)

// GridEpochs implements data.GridTimeline.
func (s *Store) GridEpochs(ctx context.Context) ([]time.Time, error) {
	out, err := gridEpochs(ctx, s.pool)
	if err != nil {
		return nil, mapError("grid epochs", err)
	}
	return out, nil
}

// querier is what pgxpool.Pool and pgx.Tx have in common.
type querier interface {
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
}

const gridEpochsSQL = `select t from (select valid_from as t from grids union select valid_to from grids where valid_to is not null) x order by t`

func gridEpochs(ctx context.Context, q querier) ([]time.Time, error) {
	return queryList[time.Time](ctx, q, gridEpochsSQL)
}

// partitionRetries bounds how often creating a month's partition is
// retried when another server creates it at the same moment.
const partitionRetries = 3

// AddIncidents implements data.IncidentStore. The month partitions the
// batch needs are created first (in their own short transactions); then,
// in one transaction holding the write lock shared (grid edits wait, other
// incident batches do not), the attribution is checked against the grid
// versions in force at each occurrence, the versions are recorded, and the
// rows go in with one COPY. The batch is acknowledged only after COMMIT
// returns.
func (s *Store) AddIncidents(ctx context.Context, b data.IncidentBatch) (data.AddResult, error) {
	if err := data.CheckBatchKey(b.Key); err != nil {
		return data.AddResult{}, err
	}
	rows := slices.Clone(b.Incidents)
	if len(rows) == 0 {
		return data.AddResult{IDs: []string{}}, nil
	}
	if err := data.NormalizeIncidents(rows, time.Now()); err != nil {
		return data.AddResult{}, fmt.Errorf("postgis: %w", err)
	}
	lo, hi := rows[0].OccurredAt, rows[0].OccurredAt
	for i := range rows {
		lo, hi = minTime(lo, rows[i].OccurredAt), maxTime(hi, rows[i].OccurredAt)
	}
	if err := s.ensureIncidentPartitions(ctx, lo, hi); err != nil {
		return data.AddResult{}, err
	}
	var digest []byte
	if b.Key != "" {
		digest = data.BatchDigest(rows)
	}
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return data.AddResult{}, mapError("add incidents", err)
	}
	defer tx.Rollback(context.Background())
	pre, err := prepareBatch(ctx, tx, b.Scope, b.Key, digest, len(rows))
	if err != nil {
		return data.AddResult{}, err
	}
	if pre.keyTaken {
		return replayBatch(ctx, tx, b.Scope, b.Key, digest)
	}
	if err := checkCategories(rows, pre.categories); err != nil {
		return data.AddResult{}, err
	}
	versions, err := attributedVersions(ctx, tx, rows, pre.epochs, b.GridsAsOf)
	if err != nil {
		return data.AddResult{}, err
	}
	ids := pre.ids
	if err := registerGeometry(ctx, tx.Conn()); err != nil {
		return data.AddResult{}, mapError("add incidents", err)
	}
	src := make([][]any, len(rows))
	out := data.AddResult{IDs: make([]string, len(rows))}
	for i := range rows {
		src[i] = pgsql.IncidentCopyRow(ids[i], &rows[i], versions[i])
		out.IDs[i] = strconv.FormatInt(ids[i], 10)
	}
	if _, err := tx.CopyFrom(ctx, pgx.Identifier{"incidents"}, pgsql.IncidentColumns, pgx.CopyFromRows(src)); err != nil {
		return data.AddResult{}, mapError("add incidents: copy", err)
	}
	if b.Key != "" {
		if _, err := tx.Exec(ctx, "update incident_batches set ids = $3 where scope = $1 and key = $2", b.Scope, b.Key, ids); err != nil {
			return data.AddResult{}, mapError("add incidents", err)
		}
	}
	// Delivered at COMMIT, to every server's WatchIncidents.
	if _, err := tx.Exec(ctx, "select pg_notify($1, $2)", incidentChannel, s.incidentPayload()); err != nil {
		return data.AddResult{}, mapError("add incidents", err)
	}
	if err := tx.Commit(ctx); err != nil {
		return data.AddResult{}, mapError("add incidents: commit", err)
	}
	return out, nil
}

// queryList runs a query of one column and collects its values.
func queryList[T any](ctx context.Context, q querier, sql string, args ...any) ([]T, error) {
	rows, err := q.Query(ctx, sql, args...)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, pgx.RowTo[T])
}

// batchStart is what AddIncidents reads at the start of its transaction.
type batchStart struct {
	keyTaken   bool // a committed batch holds the idempotency key
	categories []string
	epochs     []time.Time
	ids        []int64
}

// prepareBatch locks the incidents table for writing and takes the write
// lock shared, claims the idempotency key in its scope
// (waiting for a concurrent transaction holding it), and reads the known
// categories, the grid epochs and n new ids, all in one round trip.
func prepareBatch(ctx context.Context, tx pgx.Tx, scope, key string, digest []byte, n int) (batchStart, error) {
	var out batchStart
	var bt pgx.Batch
	// The table lock the COPY needs comes first: a month partition being
	// created (which locks the table, then the id sequence) then waits for
	// this batch, or this batch for it, but neither holds what the other
	// needs, so they cannot deadlock.
	bt.Queue("lock table only incidents in row exclusive mode")
	bt.Queue("select pg_advisory_xact_lock_shared($1, hashtext(current_schema()))", lockWrite)
	if key != "" {
		bt.Queue("insert into incident_batches (scope, key, digest) values ($1, $2, $3) on conflict (scope, key) do nothing", scope, key, digest)
	}
	bt.Queue("select id from incident_categories order by ord, id")
	bt.Queue(gridEpochsSQL)
	bt.Queue("select nextval('incidents_id_seq') from generate_series(1, $1)", n)
	br := tx.SendBatch(ctx, &bt)
	err := func() error {
		for range 2 { // the two locks
			if _, err := br.Exec(); err != nil {
				return err
			}
		}
		if key != "" {
			tag, err := br.Exec()
			if err != nil {
				return err
			}
			out.keyTaken = tag.RowsAffected() == 0
		}
		var err error
		if out.categories, err = collect[string](br); err != nil {
			return err
		}
		if out.epochs, err = collect[time.Time](br); err != nil {
			return err
		}
		out.ids, err = collect[int64](br)
		return err
	}()
	if cerr := br.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return out, mapError("add incidents", err)
	}
	return out, nil
}

func collect[T any](br pgx.BatchResults) ([]T, error) {
	rows, err := br.Query()
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, pgx.RowTo[T])
}

// replayBatch answers a batch whose idempotency key a committed batch of
// the same scope holds: its ids, if it is the same batch.
func replayBatch(ctx context.Context, tx pgx.Tx, scope, key string, digest []byte) (data.AddResult, error) {
	var prev []byte
	var ids []int64
	var firstUsed time.Time
	if err := tx.QueryRow(ctx, "select digest, ids, created_at from incident_batches where scope = $1 and key = $2", scope, key).Scan(&prev, &ids, &firstUsed); err != nil {
		return data.AddResult{}, mapError("add incidents: idempotency key", err)
	}
	if !bytes.Equal(prev, digest) {
		return data.AddResult{}, fmt.Errorf("postgis: add incidents: %w", data.KeyConflict(key, firstUsed))
	}
	out := data.AddResult{IDs: make([]string, len(ids)), Replayed: true}
	for i, id := range ids {
		out.IDs[i] = strconv.FormatInt(id, 10)
	}
	return out, nil
}

// lockIncidentPartitions is the advisory lock class (see lockWrite) that
// serialises the creation of incident partitions: two creations at once
// deadlock each other on the table and its default partition.
const lockIncidentPartitions int32 = 1785292911

// ensurePartitionsSQL creates the months' partitions holding the lock for
// the statement's transaction; the lock is taken before the function runs
// because the subquery in FROM is scanned first.
const ensurePartitionsSQL = `select ensure_month_partitions('incidents', $2, $3)
	from (select pg_advisory_xact_lock($1, hashtext(current_schema()))) l`

// ensureIncidentPartitions creates the month partitions from lo's month to
// hi's, one creator at a time. It is best effort: if it fails anyway (a
// server of another version racing it), the rows go to the partition the
// other made or to the default partition, which takes any month. Only a
// database that cannot be reached is an error.
func (s *Store) ensureIncidentPartitions(ctx context.Context, lo, hi time.Time) error {
	var err error
	for range partitionRetries {
		var n int
		if err = s.pool.QueryRow(ctx, ensurePartitionsSQL, lockIncidentPartitions, lo, hi).Scan(&n); err == nil {
			return nil
		}
		var pgErr *pgconn.PgError
		if !errors.As(err, &pgErr) {
			return mapError("add incidents: partitions", err)
		}
	}
	s.logger.WarnContext(ctx, "could not create the month partitions of new incidents; they go to the default partition", "from", lo, "to", hi, "err", err)
	return nil
}

// checkCategories names every incident whose category is not one of
// known (the rows of incident_categories).
func checkCategories(rows []geo.Incident, known []string) error {
	var probs []data.IncidentProblem
	for i := range rows {
		if !slices.Contains(known, string(rows[i].Category)) {
			probs = append(probs, data.IncidentProblem{Index: i, Field: "category", Reason: fmt.Sprintf("unknown category %q (this database knows %v)", rows[i].Category, known)})
		}
	}
	if len(probs) > 0 {
		return fmt.Errorf("postgis: add incidents: %w", &data.IncidentError{Problems: probs})
	}
	return nil
}

// gridRef is the part of a grid version attribution is checked against.
type gridRef struct {
	version int32
	level   string
	station string
	parent  string
}

// attributedVersions checks each incident's grids against the versions in
// force at its occurrence time (for incidents before the first grids, at
// their start) and against the epoch the attribution knew (asOf), and
// returns those versions. Grids that no longer match
// mean the grids changed while the batch was attributed: ErrConflict.
func attributedVersions(ctx context.Context, tx pgx.Tx, rows []geo.Incident, epochs []time.Time, asOf time.Time) ([]pgsql.Attribution, error) {
	var err error
	if err := data.CheckGridsAsOf(epochs, asOf, rows); err != nil {
		return nil, fmt.Errorf("postgis: add incidents: %w", err)
	}
	out := make([]pgsql.Attribution, len(rows))
	var probs []data.IncidentProblem
	for i := range rows {
		if rows[i].CommunityGridID == "" && rows[i].PoliceGridID == "" {
			probs = append(probs, data.IncidentProblem{Index: i, Reason: "the incident is not attributed to any grid"})
		}
	}
	if len(probs) > 0 {
		return nil, fmt.Errorf("postgis: add incidents: %w", &data.IncidentError{Problems: probs})
	}
	if len(epochs) == 0 {
		return nil, fmt.Errorf("postgis: add incidents: %w", &data.RequestError{Kind: data.ErrStaleAttribution, Message: "no grids are in force; attribute the incidents again and retry"})
	}
	// The grids each epoch's incidents name, read once per epoch.
	named := map[int][]string{}
	seen := map[int]map[string]bool{}
	epochOf := make([]int, len(rows))
	for i := range rows {
		e := data.EpochOf(epochs, rows[i].OccurredAt)
		epochOf[i] = e
		if seen[e] == nil {
			seen[e] = map[string]bool{}
		}
		for _, id := range []string{rows[i].CommunityGridID, rows[i].PoliceGridID} {
			if id != "" && !seen[e][id] {
				seen[e][id] = true
				named[e] = append(named[e], id)
			}
		}
	}
	inEpoch := map[int]map[string]gridRef{}
	for e, ids := range named {
		if inEpoch[e], err = gridsAt(ctx, tx, epochs[e], ids); err != nil {
			return nil, mapError("add incidents: grid versions", err)
		}
	}
	stale := 0
	for i := range rows {
		refs := inEpoch[epochOf[i]]
		inc := &rows[i]
		if inc.CommunityGridID != "" {
			g, ok := refs[inc.CommunityGridID]
			if !ok || g.level != string(geo.CommunityLevel) || g.station != inc.StationID || g.parent != inc.PoliceGridID {
				stale++
				continue
			}
			out[i].Community = g.version
		}
		if inc.PoliceGridID != "" {
			g, ok := refs[inc.PoliceGridID]
			if !ok || g.level != string(geo.PoliceLevel) || g.station != inc.StationID {
				stale++
				continue
			}
			out[i].Police = g.version
		}
	}
	if stale > 0 {
		return nil, fmt.Errorf("postgis: add incidents: %w", &data.RequestError{Kind: data.ErrStaleAttribution, Message: fmt.Sprintf("%d incident(s) name grids that were not in force when they occurred; the grids changed while the batch was being attributed; attribute it again and retry", stale)})
	}
	return out, nil
}

// gridsAt returns the versions of the grids ids in force at t by grid id.
func gridsAt(ctx context.Context, tx pgx.Tx, t time.Time, ids []string) (map[string]gridRef, error) {
	rows, err := tx.Query(ctx, `select id, version, level, station_id, coalesce(parent_id, '') from grids
		where id = any($2) and valid_from <= $1 and (valid_to is null or $1 < valid_to)`, t, ids)
	if err != nil {
		return nil, err
	}
	out := map[string]gridRef{}
	var id string
	var g gridRef
	_, err = pgx.ForEachRow(rows, []any{&id, &g.version, &g.level, &g.station, &g.parent}, func() error {
		out[id] = g
		return nil
	})
	return out, err
}

// registerGeometry teaches conn's type map to send geometry in binary, as
// EWKB bytes, which is what COPY needs for the location column.
func registerGeometry(ctx context.Context, conn *pgx.Conn) error {
	tm := conn.TypeMap()
	if _, ok := tm.TypeForName("geometry"); ok {
		return nil
	}
	var oid uint32
	if err := conn.QueryRow(ctx, "select 'geometry'::regtype::oid").Scan(&oid); err != nil {
		return err
	}
	tm.RegisterType(&pgtype.Type{Name: "geometry", OID: oid, Codec: pgtype.ByteaCodec{}})
	return nil
}

func minTime(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
}

func maxTime(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}
