package postgis

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"

	"jingge/data/postgis/pgsql"
	"jingge/geo"
	"jingge/geo/patrol"
)

// stateColumns are the columns of patrol_officers read into a patrol.State,
// in scanState's order.
const stateColumns = `officer_id, version, at, st_x(location), st_y(location), speed_mps, heading_deg, coalesce(grid_id, ''), in_area, silent`

// stateScan receives one row of stateColumns.
type stateScan struct {
	officer          string
	version          int64
	at               pgtype.Timestamptz
	lon, lat         pgtype.Float8
	speed, heading   pgtype.Float4
	grid             string
	inArea, isSilent bool
}

func (s *stateScan) dest() []any {
	return []any{&s.officer, &s.version, &s.at, &s.lon, &s.lat, &s.speed, &s.heading, &s.grid, &s.inArea, &s.isSilent}
}

func (s *stateScan) state() patrol.State {
	st := patrol.State{Officer: s.officer, Version: s.version, InArea: s.inArea, Silent: s.isSilent}
	if s.at.Valid {
		st.Last = geo.Ping{
			OfficerID: s.officer, At: s.at.Time, Location: [2]float64{s.lon.Float64, s.lat.Float64},
			SpeedMPS: pgsql.Float4OrNaN(s.speed), HeadingDeg: pgsql.Float4OrNaN(s.heading), GridID: s.grid,
		}
	}
	return st
}

// lockStates locks the officers' rows, in id order, and returns their states.
func lockStates(ctx context.Context, tx pgx.Tx, officers []string) (map[string]patrol.State, error) {
	rows, err := tx.Query(ctx, "select "+stateColumns+" from patrol_officers where officer_id = any($1) order by officer_id for update", officers)
	if err != nil {
		return nil, err
	}
	states := make(map[string]patrol.State, len(officers))
	var s stateScan
	_, err = pgx.ForEachRow(rows, s.dest(), func() error {
		states[s.officer] = s.state()
		return nil
	})
	if err != nil {
		return nil, err
	}
	for _, id := range officers {
		if _, ok := states[id]; !ok {
			return nil, fmt.Errorf("the state row of officer %q is missing", id)
		}
	}
	return states, nil
}

// copyPings sends the recorded requests' pings with one COPY.
func (p *Patrols) copyPings(ctx context.Context, tx pgx.Tx, group []*pingRequest, record []bool, n int) error {
	var batches [][]geo.Ping
	for i, r := range group {
		if record[i] {
			batches = append(batches, r.batch.Pings)
		}
	}
	_, err := tx.CopyFrom(ctx, pgx.Identifier{"patrol_pings"}, pgsql.PingColumns, pgsql.NewPingSource(batches, n))
	return err
}

// writeStatesAndEvents stores the changed states and the events (with ids
// drawn under lockPatrolEvents, which is then held to the commit) and
// queues the notification, in as few round trips as it can.
func writeStatesAndEvents(ctx context.Context, tx pgx.Tx, states map[string]patrol.State, changed []string, events []patrol.Event) error {
	if len(events) > 0 {
		if err := assignEventIDs(ctx, tx, events); err != nil {
			return err
		}
	}
	var b pgx.Batch
	if len(changed) > 0 {
		queueStateUpdate(&b, states, changed)
	}
	if len(events) > 0 {
		queueEventInsert(&b, events)
	}
	if b.Len() == 0 {
		return nil
	}
	b.Queue("select pg_notify($1, current_schema())", patrolChannel)
	return tx.SendBatch(ctx, &b).Close()
}

// assignEventIDs takes the event lock and gives events consecutive ids.
func assignEventIDs(ctx context.Context, tx pgx.Tx, events []patrol.Event) error {
	if _, err := tx.Exec(ctx, "select pg_advisory_xact_lock($1, hashtext(current_schema()))", lockPatrolEvents); err != nil {
		return err
	}
	rows, err := tx.Query(ctx, "select nextval('patrol_events_id_seq') from generate_series(1, $1::int) order by 1", len(events))
	if err != nil {
		return err
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return err
	}
	if len(ids) != len(events) {
		return fmt.Errorf("drew %d event ids for %d events", len(ids), len(events))
	}
	for i := range events {
		events[i].ID = ids[i]
	}
	return nil
}

func queueStateUpdate(b *pgx.Batch, states map[string]patrol.State, changed []string) {
	n := len(changed)
	versions := make([]int64, n)
	ats := make([]time.Time, n)
	lons, lats := make([]float64, n), make([]float64, n)
	speeds, headings := make([]pgtype.Float4, n), make([]pgtype.Float4, n)
	grids := make([]pgtype.Text, n)
	inArea, silent := make([]bool, n), make([]bool, n)
	for i, id := range changed {
		s := states[id]
		versions[i], ats[i] = s.Version, s.Last.At
		lons[i], lats[i] = s.Last.Location[0], s.Last.Location[1]
		speeds[i], headings[i] = pgsql.NullFloat4(s.Last.SpeedMPS), pgsql.NullFloat4(s.Last.HeadingDeg)
		grids[i], inArea[i], silent[i] = pgsql.NullText(s.Last.GridID), s.InArea, s.Silent
	}
	b.Queue(`update patrol_officers o set version = u.version, change_xid = pg_current_xact_id()::text::bigint,
			at = u.at, location = st_setsrid(st_makepoint(u.lon, u.lat), 4326), speed_mps = u.speed, heading_deg = u.heading,
			grid_id = u.grid, in_area = u.in_area, silent = u.silent, updated_at = now()
		from unnest($1::text[], $2::bigint[], $3::timestamptz[], $4::float8[], $5::float8[], $6::real[], $7::real[], $8::text[], $9::bool[], $10::bool[])
			as u(officer_id, version, at, lon, lat, speed, heading, grid, in_area, silent)
		where o.officer_id = u.officer_id`,
		changed, versions, ats, lons, lats, speeds, headings, grids, inArea, silent)
}

func queueEventInsert(b *pgx.Batch, events []patrol.Event) {
	n := len(events)
	ids := make([]int64, n)
	kinds, officers := make([]string, n), make([]string, n)
	ats := make([]time.Time, n)
	lons, lats := make([]float64, n), make([]float64, n)
	grids, polices, stations := make([]pgtype.Text, n), make([]pgtype.Text, n), make([]pgtype.Text, n)
	areas, areaNames := make([]pgtype.Text, n), make([]pgtype.Text, n)
	for i, e := range events {
		ids[i], kinds[i], officers[i], ats[i] = e.ID, string(e.Kind), e.Officer, e.At
		lons[i], lats[i] = e.Location[0], e.Location[1]
		grids[i], polices[i], stations[i] = pgsql.NullText(e.GridID), pgsql.NullText(e.PoliceGridID), pgsql.NullText(e.StationID)
		areas[i], areaNames[i] = pgsql.NullText(e.AreaID), pgsql.NullText(e.AreaName)
	}
	b.Queue(`insert into patrol_events (id, kind, officer_id, at, location, grid_id, police_grid_id, station_id, area_id, area_name)
		select u.id, u.kind, u.officer_id, u.at, st_setsrid(st_makepoint(u.lon, u.lat), 4326), u.grid, u.police, u.station, u.area, u.area_name
		from unnest($1::bigint[], $2::text[], $3::text[], $4::timestamptz[], $5::float8[], $6::float8[], $7::text[], $8::text[], $9::text[], $10::text[], $11::text[])
			as u(id, kind, officer_id, at, lon, lat, grid, police, station, area, area_name)`,
		ids, kinds, officers, ats, lons, lats, grids, polices, stations, areas, areaNames)
}
