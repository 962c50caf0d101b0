package postgis

import (
	"context"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"

	"jingge/data"
	"jingge/data/postgis/pgsql"
	"jingge/geo"
	"jingge/geo/patrol"
)

// States implements data.PatrolStore. The cursor is the oldest transaction
// still running when the rows were read (pg_snapshot_xmin): every change
// that was not visible then belongs to a transaction at least that new, so
// reading the rows changed by transactions from the cursor on misses
// nothing, at the price of reading some rows twice.
func (p *Patrols) States(ctx context.Context, since data.StateCursor) ([]patrol.State, data.StateCursor, error) {
	rows, err := p.pool.Query(ctx, `with snap as (select pg_snapshot_xmin(pg_current_snapshot())::text::bigint as xmin)
		select snap.xmin, o.officer_id is not null, o.officer_id, o.version, o.at, st_x(o.location), st_y(o.location),
			o.speed_mps, o.heading_deg, o.grid_id, o.in_area, o.silent
		from snap left join patrol_officers o on o.change_xid >= $1 and o.version > 0
		order by o.officer_id`, int64(since))
	if err != nil {
		return nil, since, mapError("patrol states", err)
	}
	var out []patrol.State
	var xmin int64
	var found bool
	var s stateScan
	var nullable struct {
		officer  pgtype.Text
		version  pgtype.Int8
		grid     pgtype.Text
		inArea   pgtype.Bool
		isSilent pgtype.Bool
	}
	dest := []any{&xmin, &found, &nullable.officer, &nullable.version, &s.at, &s.lon, &s.lat, &s.speed, &s.heading, &nullable.grid, &nullable.inArea, &nullable.isSilent}
	_, err = pgx.ForEachRow(rows, dest, func() error {
		if !found {
			return nil
		}
		s.officer, s.version, s.grid = nullable.officer.String, nullable.version.Int64, nullable.grid.String
		s.inArea, s.isSilent = nullable.inArea.Bool, nullable.isSilent.Bool
		out = append(out, s.state())
		return nil
	})
	if err != nil {
		return nil, since, mapError("patrol states", err)
	}
	return out, data.StateCursor(xmin), nil
}

// Track implements data.PatrolStore.
func (p *Patrols) Track(ctx context.Context, officer string, from, to time.Time, limit int) ([]geo.Ping, bool, error) {
	var rowLimit *int // SQL's "limit null" is no limit
	if limit >= 0 {
		rowLimit = new(limit + 1)
	}
	rows, err := p.pool.Query(ctx, `select at, st_x(location), st_y(location), speed_mps, heading_deg, coalesce(grid_id, '')
		from patrol_pings where officer_id = $1 and at >= $2 and at < $3 order by at limit $4`, officer, from, to, rowLimit)
	if err != nil {
		return nil, false, mapError("patrol track", err)
	}
	var out []geo.Ping
	var at time.Time
	var lon, lat float64
	var speed, heading pgtype.Float4
	var grid string
	_, err = pgx.ForEachRow(rows, []any{&at, &lon, &lat, &speed, &heading, &grid}, func() error {
		out = append(out, geo.Ping{OfficerID: officer, At: at, Location: [2]float64{lon, lat}, SpeedMPS: pgsql.Float4OrNaN(speed), HeadingDeg: pgsql.Float4OrNaN(heading), GridID: grid})
		return nil
	})
	if err != nil {
		return nil, false, mapError("patrol track", err)
	}
	if limit >= 0 && len(out) > limit {
		return out[:limit], true, nil
	}
	return out, false, nil
}

// EventsAfter implements data.PatrolStore.
func (p *Patrols) EventsAfter(ctx context.Context, afterID int64, limit int) ([]patrol.Event, error) {
	rows, err := p.pool.Query(ctx, `select id, kind, officer_id, at, coalesce(st_x(location), 0), coalesce(st_y(location), 0),
			coalesce(grid_id, ''), coalesce(police_grid_id, ''), coalesce(station_id, ''), coalesce(area_id, ''), coalesce(area_name, '')
		from patrol_events where id > $1 order by id limit $2`, afterID, limit)
	if err != nil {
		return nil, mapError("patrol events", err)
	}
	var out []patrol.Event
	var e patrol.Event
	var kind string
	_, err = pgx.ForEachRow(rows, []any{&e.ID, &kind, &e.Officer, &e.At, &e.Location[0], &e.Location[1], &e.GridID, &e.PoliceGridID, &e.StationID, &e.AreaID, &e.AreaName}, func() error {
		e.Kind = patrol.EventKind(kind)
		out = append(out, e)
		return nil
	})
	if err != nil {
		return nil, mapError("patrol events", err)
	}
	return out, nil
}

// LastEventID implements data.PatrolStore.
func (p *Patrols) LastEventID(ctx context.Context) (int64, error) {
	var id int64
	if err := p.pool.QueryRow(ctx, "select coalesce(max(id), 0) from patrol_events").Scan(&id); err != nil {
		return 0, mapError("patrol events", err)
	}
	return id, nil
}

// keyPruneInterval is how often a server deletes expired batch keys.
const keyPruneInterval = 10 * time.Minute

// SweepSilent implements data.PatrolStore. Rows that another transaction
// holds (an officer whose pings are being committed) are skipped; the
// next sweep looks at them again.
func (p *Patrols) SweepSilent(ctx context.Context, rules *patrol.Rules, now time.Time) ([]patrol.Event, error) {
	p.pruneKeys(ctx, now)
	cutoff := rules.SilentCutoff(now)
	if cutoff.IsZero() {
		return nil, nil
	}
	tx, err := p.pool.Begin(ctx)
	if err != nil {
		return nil, mapError("sweep silent officers", err)
	}
	defer tx.Rollback(context.Background())
	rows, err := tx.Query(ctx, "select "+stateColumns+` from patrol_officers
		where not silent and version > 0 and at <= $1 order by officer_id for update skip locked`, cutoff)
	if err != nil {
		return nil, mapError("sweep silent officers", err)
	}
	states := map[string]patrol.State{}
	var changed []string
	var events []patrol.Event
	var s stateScan
	_, err = pgx.ForEachRow(rows, s.dest(), func() error {
		st := s.state()
		next, ev, ok := rules.Sweep(st, now)
		if ok {
			next.Version = st.Version + 1
			states[st.Officer] = next
			changed = append(changed, st.Officer)
			events = append(events, ev)
		}
		return nil
	})
	if err != nil {
		return nil, mapError("sweep silent officers", err)
	}
	if len(events) == 0 {
		return nil, nil
	}
	slices.Sort(changed)
	if err := writeStatesAndEvents(ctx, tx, states, changed, events); err != nil {
		return nil, mapError("sweep silent officers", err)
	}
	if err := tx.Commit(ctx); err != nil {
		return nil, mapError("sweep silent officers", err)
	}
	return events, nil
}

// pruneKeys deletes batch keys older than KeyRetention, at most every
// keyPruneInterval; a failure is left for the next time.
func (p *Patrols) pruneKeys(ctx context.Context, now time.Time) {
	last := p.lastPrune.Load()
	if now.Unix()-last < int64(keyPruneInterval/time.Second) || !p.lastPrune.CompareAndSwap(last, now.Unix()) {
		return
	}
	if _, err := p.pool.Exec(ctx, "delete from patrol_batches where created_at < $1", now.Add(-p.opts.KeyRetention)); err != nil {
		p.st.logger.WarnContext(ctx, "deleting expired ping batch keys", "err", err)
	}
}
