package postgis

import (
	"context"
	"maps"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"

	"jingge/data"
	"jingge/geo/patrol"
)

// lockUnvisited serialises RaiseUnvisited across servers: reading the
// grids' marks and writing the new ones is one step, so two servers
// checking at once cannot both raise a grid.
const lockUnvisited int32 = 1785292916

// RaiseUnvisited implements data.PatrolStore.
func (p *Patrols) RaiseUnvisited(ctx context.Context, u data.UnvisitedSweep) ([]patrol.Event, error) {
	if u.Rules == nil || u.After <= 0 || len(u.LastVisits) == 0 {
		return nil, nil
	}
	ids := slices.Sorted(maps.Keys(u.LastVisits))
	tx, err := p.pool.Begin(ctx)
	if err != nil {
		return nil, mapError("raise unvisited grids", err)
	}
	defer tx.Rollback(context.Background())
	if _, err := tx.Exec(ctx, "select pg_advisory_xact_lock($1, hashtext(current_schema()))", lockUnvisited); err != nil {
		return nil, mapError("raise unvisited grids", err)
	}
	rows, err := tx.Query(ctx, "select police_grid_id, raised_at from grid_unvisited where police_grid_id = any($1)", ids)
	if err != nil {
		return nil, mapError("raise unvisited grids", err)
	}
	raised := map[string]time.Time{}
	var id string
	var at time.Time
	if _, err := pgx.ForEachRow(rows, []any{&id, &at}, func() error { raised[id] = at; return nil }); err != nil {
		return nil, mapError("raise unvisited grids", err)
	}
	var events []patrol.Event
	for _, id := range ids {
		if ev, ok := u.Rules.Unvisited(id, u.LastVisits[id], raised[id], u.Now, u.After); ok {
			events = append(events, ev)
		}
	}
	if len(events) == 0 {
		return nil, nil
	}
	if err := writeStatesAndEvents(ctx, tx, nil, nil, events); err != nil {
		return nil, mapError("raise unvisited grids", err)
	}
	grids, ats, eventIDs := make([]string, len(events)), make([]time.Time, len(events)), make([]int64, len(events))
	for i, e := range events {
		grids[i], ats[i], eventIDs[i] = e.PoliceGridID, e.At, e.ID
	}
	if _, err := tx.Exec(ctx, `insert into grid_unvisited (police_grid_id, raised_at, event_id)
		select * from unnest($1::text[], $2::timestamptz[], $3::bigint[])
		on conflict (police_grid_id) do update set raised_at = excluded.raised_at, event_id = excluded.event_id`,
		grids, ats, eventIDs); err != nil {
		return nil, mapError("raise unvisited grids", err)
	}
	if err := tx.Commit(ctx); err != nil {
		return nil, mapError("raise unvisited grids", err)
	}
	return events, nil
}
