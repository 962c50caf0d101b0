package postgis

import (
	"context"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

// PruneOptions say what Prune removes. A zero time removes nothing of
// that kind. Incidents and the audit log are records and are never pruned.
type PruneOptions struct {
	// PingsBefore removes patrol positions older than it: the monthly
	// partitions of patrol_pings that end by then are dropped whole, and
	// older rows in the default partition are deleted.
	PingsBefore time.Time
	// IncidentKeysBefore removes the idempotency keys of incident batches,
	// and those of grid edits, plan applies, assessment entries and task and dispute changes with
	// their answers, committed before it; a client retrying such a request
	// after that would write it again.
	IncidentKeysBefore time.Time
	// DryRun reports what would be removed and removes nothing.
	DryRun bool
}

// Pruned is what Prune removed (or, in a dry run, would remove).
type Pruned struct {
	// PingPartitions are the dropped monthly partitions, oldest first, with
	// the rows each held (PostgreSQL's estimate, from its statistics).
	PingPartitions []PrunedPartition `json:"ping_partitions"`
	// DefaultPings are rows deleted from patrol_pings_default.
	DefaultPings int64 `json:"default_pings"`
	// IncidentKeys are idempotency keys of incident batches deleted.
	IncidentKeys int64 `json:"incident_keys"`
	// AnswerKeys are idempotency keys of grid edits, plan applies,
	// assessment entries and task and dispute changes deleted, with their answers.
	AnswerKeys int64 `json:"answer_keys"`
}

// PrunedPartition is one dropped monthly partition.
type PrunedPartition struct {
	Name         string `json:"name"`
	EstimateRows int64  `json:"estimate_rows"`
}

// pingPartition matches the names ensure_month_partitions gives.
var pingPartition = regexp.MustCompile(`^patrol_pings_(\d{4})_(\d{2})$`)

// Prune removes old patrol positions and old incident batch keys in one
// transaction (see PruneOptions): storage that otherwise only grows.
// Servers keep running meanwhile; dropping a partition briefly takes a
// lock on patrol_pings, so run it at a quiet hour.
func (s *Store) Prune(ctx context.Context, o PruneOptions) (Pruned, error) {
	out := Pruned{PingPartitions: []PrunedPartition{}}
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return out, mapError("prune", err)
	}
	defer tx.Rollback(context.Background())
	if !o.PingsBefore.IsZero() {
		parts, err := expiredPingPartitions(ctx, tx, o.PingsBefore)
		if err != nil {
			return out, mapError("prune: listing ping partitions", err)
		}
		for _, p := range parts {
			if !o.DryRun {
				if _, err := tx.Exec(ctx, "drop table "+pgx.Identifier{p.Name}.Sanitize()); err != nil {
					return out, mapError("prune: dropping "+p.Name, err)
				}
			}
			out.PingPartitions = append(out.PingPartitions, p)
		}
		if out.DefaultPings, err = deleteOrCount(ctx, tx, o.DryRun, "patrol_pings_default", "at", o.PingsBefore); err != nil {
			return out, mapError("prune: default ping partition", err)
		}
	}
	if !o.IncidentKeysBefore.IsZero() {
		if out.IncidentKeys, err = deleteOrCount(ctx, tx, o.DryRun, "incident_batches", "created_at", o.IncidentKeysBefore); err != nil {
			return out, mapError("prune: incident batch keys", err)
		}
		if out.AnswerKeys, err = deleteOrCount(ctx, tx, o.DryRun, "answer_keys", "created_at", o.IncidentKeysBefore); err != nil {
			return out, mapError("prune: answer keys", err)
		}
	}
	if o.DryRun {
		return out, nil
	}
	if err := tx.Commit(ctx); err != nil {
		return out, mapError("prune: commit", err)
	}
	return out, nil
}

// expiredPingPartitions lists the monthly partitions of patrol_pings in
// this schema whose month ends at or before cutoff (UTC months, as
// ensure_month_partitions cuts them), oldest first.
func expiredPingPartitions(ctx context.Context, tx pgx.Tx, cutoff time.Time) ([]PrunedPartition, error) {
	rows, err := tx.Query(ctx, `select c.relname, greatest(c.reltuples, 0)::bigint
		from pg_inherits i
		join pg_class c on c.oid = i.inhrelid
		join pg_class p on p.oid = i.inhparent
		join pg_namespace n on n.oid = p.relnamespace
		where p.relname = 'patrol_pings' and n.nspname = current_schema()`)
	if err != nil {
		return nil, err
	}
	var out []PrunedPartition
	for rows.Next() {
		var p PrunedPartition
		if err := rows.Scan(&p.Name, &p.EstimateRows); err != nil {
			return nil, err
		}
		m := pingPartition.FindStringSubmatch(p.Name)
		if m == nil {
			continue // the default partition, or one made by hand
		}
		y, _ := strconv.Atoi(m[1]) // digits, by the pattern
		mo, _ := strconv.Atoi(m[2])
		end := time.Date(y, time.Month(mo)+1, 1, 0, 0, 0, 0, time.UTC)
		if !end.After(cutoff) {
			out = append(out, p)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	slices.SortFunc(out, func(a, b PrunedPartition) int { return strings.Compare(a.Name, b.Name) })
	return out, nil
}

// deleteOrCount deletes the rows of table whose column is before cutoff,
// or in a dry run counts them; table and column are constants of this
// file.
func deleteOrCount(ctx context.Context, tx pgx.Tx, dryRun bool, table, column string, cutoff time.Time) (int64, error) {
	where := " where " + pgx.Identifier{column}.Sanitize() + " < $1"
	if dryRun {
		var n int64
		err := tx.QueryRow(ctx, "select count(*) from "+pgx.Identifier{table}.Sanitize()+where, cutoff).Scan(&n)
		return n, err
	}
	tag, err := tx.Exec(ctx, "delete from "+pgx.Identifier{table}.Sanitize()+where, cutoff)
	return tag.RowsAffected(), err
}
