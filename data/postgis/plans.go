package postgis

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"jingge/data"
	"jingge/data/postgis/pgsnapshot"
	"jingge/data/postgis/pgsql"
	"jingge/geo"
)

var (
	_ data.PlanStore       = (*Store)(nil)
	_ data.AssessmentStore = (*Store)(nil)
)

// planColumns are the columns scanPlan reads, in order; the document is
// added by Plan only.
const planColumns = "gid::text, created_at, created_by, note, dataset, grids, officers, summary, applied_at, coalesce(applied_by, '')"

// planRow scans a plans row.
type planRow struct {
	p         data.Plan
	summary   []byte
	appliedAt *time.Time
}

func (r *planRow) dest() []any {
	return []any{&r.p.ID, &r.p.CreatedAt, &r.p.CreatedBy, &r.p.Note, &r.p.Dataset, &r.p.Grids, &r.p.Officers, &r.summary, &r.appliedAt, &r.p.AppliedBy}
}

func (r *planRow) plan() data.Plan {
	p := r.p
	p.CreatedAt = p.CreatedAt.UTC()
	if len(r.summary) > 0 {
		p.Summary = json.RawMessage(r.summary)
	}
	if r.appliedAt != nil {
		p.AppliedAt = r.appliedAt.UTC()
	}
	return p
}

// planGID parses a plan id; ok is false for anything that cannot name a plan.
func planGID(id string) (int64, bool) {
	n, err := strconv.ParseInt(id, 10, 64)
	return n, err == nil && n > 0 && strconv.FormatInt(n, 10) == id
}

// SavePlan implements data.PlanStore.
func (s *Store) SavePlan(ctx context.Context, p data.Plan) (data.Plan, error) {
	if p.Grids == nil {
		p.Grids = map[string]string{}
	}
	if p.Officers == nil {
		p.Officers = map[string]int{}
	}
	var summary any
	if len(p.Summary) > 0 {
		summary = string(p.Summary)
	}
	err := s.pool.QueryRow(ctx, `
		insert into plans (created_by, note, dataset, grids, officers, summary, document)
		values ($1, $2, $3, $4, $5, $6::json, $7::json)
		returning gid::text, created_at`,
		p.CreatedBy, p.Note, p.Dataset, p.Grids, p.Officers, summary, string(p.Document)).Scan(&p.ID, &p.CreatedAt)
	if err != nil {
		return data.Plan{}, mapPlanError("save plan", err)
	}
	p.CreatedAt = p.CreatedAt.UTC()
	p.AppliedAt, p.AppliedBy = time.Time{}, ""
	return p, nil
}

// mapPlanError is mapError with plain words for what a plan's JSON or an
// assessment row can get wrong.
func mapPlanError(op string, err error) error {
	var pgErr interface{ SQLState() string }
	if errors.As(err, &pgErr) && pgErr.SQLState() == "22P02" {
		return fmt.Errorf("postgis: %s: %w", op, &data.ValidationError{Problems: []data.Problem{{Kind: "plan", Reason: "a JSON value of the plan is not valid JSON"}}})
	}
	return mapError(op, err)
}

// Plan implements data.PlanStore.
func (s *Store) Plan(ctx context.Context, id string) (data.Plan, error) {
	gid, ok := planGID(id)
	if !ok {
		return data.Plan{}, fmt.Errorf("postgis: plan %q: %w", id, data.ErrNotFound)
	}
	var r planRow
	var doc []byte
	err := s.pool.QueryRow(ctx, "select "+planColumns+", document::text from plans where gid = $1", gid).Scan(append(r.dest(), &doc)...)
	if errors.Is(err, pgx.ErrNoRows) {
		return data.Plan{}, fmt.Errorf("postgis: plan %q: %w", id, data.ErrNotFound)
	}
	if err != nil {
		return data.Plan{}, mapError("plan", err)
	}
	p := r.plan()
	p.Document = json.RawMessage(doc)
	return p, nil
}

// Plans implements data.PlanStore.
func (s *Store) Plans(ctx context.Context, limit int) ([]data.Plan, error) {
	var lim any // null: no limit
	if limit > 0 {
		lim = limit
	}
	rows, err := s.pool.Query(ctx, "select "+planColumns+" from plans order by gid desc limit $1", lim)
	if err != nil {
		return nil, mapError("plans", err)
	}
	out := []data.Plan{}
	var r planRow
	_, err = pgx.ForEachRow(rows, r.dest(), func() error {
		out = append(out, r.plan())
		r = planRow{}
		return nil
	})
	if err != nil {
		return nil, mapError("plans", err)
	}
	return out, nil
}

// ApplyPlan implements data.PlanStore: in one transaction under the write
// lock it checks the plan and the dataset in force, checks the changed
// dataset as an index would, then closes the versions of the moved grids
// and inserts their next ones (audited in grid_audit), rewrites the moved
// members (audited in member_audit) and marks the plan applied. The grids
// and members triggers wake every watcher once, at commit.
func (s *Store) ApplyPlan(ctx context.Context, a data.PlanApplication) (data.PlanApplied, error) {
	op := "apply plan " + a.PlanID
	gid, ok := planGID(a.PlanID)
	if !ok {
		return data.PlanApplied{}, fmt.Errorf("postgis: %s: %w", op, data.ErrNotFound)
	}
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return data.PlanApplied{}, mapError(op, err)
	}
	defer tx.Rollback(context.Background())
	if err := claimKey(ctx, tx, a.Key, a.Answer != nil); err != nil {
		return data.PlanApplied{}, err
	}
	ts, err := lockWrites(ctx, tx)
	if err != nil {
		return data.PlanApplied{}, mapError(op, err)
	}
	var appliedAt *time.Time
	err = tx.QueryRow(ctx, "select applied_at from plans where gid = $1 for update", gid).Scan(&appliedAt)
	if errors.Is(err, pgx.ErrNoRows) {
		return data.PlanApplied{}, fmt.Errorf("postgis: %s: %w", op, data.ErrNotFound)
	}
	if err != nil {
		return data.PlanApplied{}, mapError(op, err)
	}
	if appliedAt != nil {
		return data.PlanApplied{}, fmt.Errorf("postgis: %s: %w: it was applied at %s", op, data.ErrConflict, appliedAt.UTC().Format(time.RFC3339))
	}
	ds, err := pgsnapshot.Dataset(ctx, tx, nil)
	if err != nil {
		return data.PlanApplied{}, mapError(op, err)
	}
	if fp := data.Fingerprint(ds); fp != a.Dataset {
		return data.PlanApplied{}, fmt.Errorf("postgis: %s: %w: the changes were worked out on dataset %s but %s is in force", op, data.ErrConflict, a.Dataset, fp)
	}
	before := snapshotOf(ds)
	if missing := data.ApplyToDataset(ds, a); len(missing) > 0 {
		msgs := make([]string, len(missing))
		for i, p := range missing {
			msgs[i] = p.String()
		}
		return data.PlanApplied{}, fmt.Errorf("postgis: %s: %w: %s", op, data.ErrNotFound, strings.Join(msgs, "; "))
	}
	if problems := geo.CheckIndex(ds); len(problems) > 0 {
		return data.PlanApplied{}, mapError(op, &data.ValidationError{Problems: problems})
	}
	actor := a.Actor
	if actor == "" {
		actor = "plan"
	}
	reason := a.Reason
	if reason == "" {
		reason = "plan " + a.PlanID
	}
	out := data.PlanApplied{Dataset: data.Fingerprint(ds)}
	if out.GridVersions, err = moveGrids(ctx, tx, a.Grids, before, ds, ts, actor, reason); err != nil {
		return data.PlanApplied{}, err
	}
	if out.Members, err = moveMembers(ctx, tx, a.Members, before, ts, actor, reason); err != nil {
		return data.PlanApplied{}, err
	}
	var r planRow
	err = tx.QueryRow(ctx, "update plans set applied_at = $2, applied_by = $3 where gid = $1 returning "+planColumns, gid, ts, actor).Scan(r.dest()...)
	if err != nil {
		return data.PlanApplied{}, mapError(op, err)
	}
	out.Plan = r.plan()
	if a.Key != nil {
		if err := keepAnswer(ctx, tx, a.Key, a.Answer(out), ts); err != nil {
			return data.PlanApplied{}, err
		}
	}
	if err := tx.Commit(ctx); err != nil {
		return data.PlanApplied{}, mapError(op+": commit", err)
	}
	return out, nil
}

// datasetBefore is what ApplyPlan needs of the dataset before the change:
// each grid's station and each member's station and grids.
type datasetBefore struct {
	gridStation   map[string]string
	memberStation map[string]string
	memberGrids   map[string][]string
}

func snapshotOf(ds *geo.Dataset) datasetBefore {
	b := datasetBefore{gridStation: make(map[string]string, len(ds.Grids)), memberStation: make(map[string]string, len(ds.Members)), memberGrids: make(map[string][]string, len(ds.Members))}
	for _, g := range ds.Grids {
		b.gridStation[g.ID] = g.StationID
	}
	for _, m := range ds.Members {
		b.memberStation[m.ID] = m.StationID
		b.memberGrids[m.ID] = append([]string(nil), m.GridIDs...)
	}
	return b
}

// moveGrids puts the next version of every grid whose station changes in
// force from ts, in one statement, and audits each. The new versions take
// their terrain from after, the dataset data.ApplyToDataset made, so a
// moved grid keeps the terrain it had under its old station.
func moveGrids(ctx context.Context, tx pgx.Tx, changes []data.GridReassignment, before datasetBefore, after *geo.Dataset, ts time.Time, actor, reason string) ([]data.GridVersion, error) {
	terrain := make(map[string]geo.Terrain, len(after.Grids))
	for _, g := range after.Grids {
		terrain[g.ID] = g.Terrain
	}
	var ids, stations []string
	var terrains []*string
	for _, c := range changes {
		if before.gridStation[c.GridID] != c.StationID {
			ids = append(ids, c.GridID)
			stations = append(stations, c.StationID)
			var t *string
			if s := string(terrain[c.GridID]); s != "" {
				t = &s
			}
			terrains = append(terrains, t)
		}
	}
	if len(ids) == 0 {
		return nil, nil
	}
	rows, err := tx.Query(ctx, `
		with moves as (select * from unnest($1::text[], $2::text[], $6::text[]) as m(id, station_id, terrain)),
		closed as (
			update grids g set valid_to = $3
			from moves m where g.id = m.id and g.valid_to is null
			returning g.id, g.version, g.level, g.name, m.station_id, g.parent_id, g.township, g.population, m.terrain, g.geom, g.ord),
		inserted as (
			insert into grids (id, version, level, name, station_id, parent_id, township, population, terrain, geom, ord, valid_from)
			select c.id, (select max(version) + 1 from grids v where v.id = c.id), c.level, c.name, c.station_id,
			       c.parent_id, c.township, c.population, c.terrain, c.geom, c.ord, $3
			from closed c
			returning `+pgsql.GridColumns+`),
		audited as (
			insert into grid_audit (at, actor, action, grid_id, old_version, new_version, reason)
			select $3, $4, 'update', i.id, i.version - 1, i.version, $5 from inserted i)
		select * from inserted`, ids, stations, ts, actor, reason, terrains)
	if err != nil {
		return nil, mapError("apply plan: move grids", err)
	}
	byID := map[string]data.GridVersion{}
	var r pgsql.GridRow
	_, err = pgx.ForEachRow(rows, r.Dest(), func() error {
		gv, err := r.GridVersion()
		byID[gv.Grid.ID] = gv
		r = pgsql.GridRow{}
		return err
	})
	if err != nil {
		return nil, mapError("apply plan: move grids", err)
	}
	out := make([]data.GridVersion, 0, len(ids))
	for _, id := range ids {
		gv, ok := byID[id]
		if !ok {
			return nil, fmt.Errorf("postgis: apply plan: grid %s: %w (no version in force)", id, data.ErrNotFound)
		}
		out = append(out, gv)
	}
	return out, nil
}

// moveMembers gives every member of changes its new station and grids and
// audits the change; it returns how many members changed.
func moveMembers(ctx context.Context, tx pgx.Tx, changes []data.MemberReassignment, before datasetBefore, ts time.Time, actor, reason string) (int, error) {
	b := &pgx.Batch{}
	for _, c := range changes {
		grids := c.GridIDs
		if grids == nil {
			grids = []string{}
		}
		b.Queue("update members set station_id = $2 where id = $1", c.MemberID, pgsql.NullIfEmpty(c.StationID))
		b.Queue("delete from member_grids where member_id = $1", c.MemberID)
		b.Queue(`insert into member_grids (member_id, grid_id, ord)
			select $1, g.id, g.n - 1 from unnest($2::text[]) with ordinality as g(id, n)`, c.MemberID, grids)
		b.Queue(`insert into member_audit (at, actor, member_id, old_station, new_station, old_grids, new_grids, reason)
			values ($1, $2, $3, $4, $5, $6, $7, $8)`, ts, actor, c.MemberID,
			pgsql.NullIfEmpty(before.memberStation[c.MemberID]), pgsql.NullIfEmpty(c.StationID), orNone(before.memberGrids[c.MemberID]), grids, reason)
	}
	if err := tx.SendBatch(ctx, b).Close(); err != nil {
		return 0, mapError("apply plan: move members", err)
	}
	return len(changes), nil
}

func orNone(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// PutAssessment implements data.AssessmentStore: every entry is checked,
// then all are upserted in one statement.
func (s *Store) PutAssessment(ctx context.Context, w data.AssessmentWrite) error {
	entries, actor := w.Entries, w.Actor
	if problems := data.CheckAssessmentEntries(entries); len(problems) > 0 {
		return mapError("put assessment", &data.ValidationError{Problems: problems})
	}
	if len(entries) == 0 && w.Key == nil {
		return nil
	}
	n := len(entries)
	stations, months, scorers := make([]string, n), make([]string, n), make([]string, n)
	cols := make([][]float64, 8)
	for i := range cols {
		cols[i] = make([]float64, n)
	}
	for i, e := range entries {
		stations[i], months[i], scorers[i] = e.StationID, e.Month+"-01", e.ScoredBy
		for k, r := range []data.Ratio{e.Familiarity, e.RiskWarning, e.ControlTasks, e.Satisfaction} {
			cols[2*k][i], cols[2*k+1][i] = r.Numerator, r.Denominator
		}
	}
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return mapError("put assessment", err)
	}
	defer tx.Rollback(context.Background())
	if err := claimKey(ctx, tx, w.Key, w.Answer != nil); err != nil {
		return err
	}
	var unknown []string
	if err := tx.QueryRow(ctx, `select coalesce(array_agg(distinct s order by s), '{}') from unnest($1::text[] || $2::text[]) s
		where s <> '' and not exists (select 1 from stations where id = s)`, stations, scorers).Scan(&unknown); err != nil {
		return mapError("put assessment", err)
	}
	if len(unknown) > 0 {
		var problems []data.Problem
		for _, e := range entries {
			for _, u := range unknown {
				if e.StationID == u {
					problems = append(problems, data.Problem{Kind: "assessment", ID: e.StationID + "/" + e.Month, Reason: fmt.Sprintf("no station %q", u)})
				}
				if e.ScoredBy == u {
					problems = append(problems, data.Problem{Kind: "assessment", ID: e.StationID + "/" + e.Month, Reason: fmt.Sprintf("scored by %q: no such station", u)})
				}
			}
		}
		return mapError("put assessment", &data.ValidationError{Problems: problems})
	}
	_, err = tx.Exec(ctx, `
		insert into assessment_entries (station_id, month, familiarity_num, familiarity_den, risk_warning_num, risk_warning_den,
			control_tasks_num, control_tasks_den, satisfaction_num, satisfaction_den, updated_at, updated_by, scored_by)
		select e.station_id, e.month::date, e.fn, e.fd, e.rn, e.rd, e.cn, e.cd, e.sn, e.sd, now(), $11, e.scored_by
		from unnest($1::text[], $2::text[], $3::float8[], $4::float8[], $5::float8[], $6::float8[], $7::float8[], $8::float8[], $9::float8[], $10::float8[], $12::text[])
			as e(station_id, month, fn, fd, rn, rd, cn, cd, sn, sd, scored_by)
		on conflict (station_id, month) do update set
			familiarity_num = excluded.familiarity_num, familiarity_den = excluded.familiarity_den,
			risk_warning_num = excluded.risk_warning_num, risk_warning_den = excluded.risk_warning_den,
			control_tasks_num = excluded.control_tasks_num, control_tasks_den = excluded.control_tasks_den,
			satisfaction_num = excluded.satisfaction_num, satisfaction_den = excluded.satisfaction_den,
			updated_at = excluded.updated_at, updated_by = excluded.updated_by, scored_by = excluded.scored_by`,
		stations, months, cols[0], cols[1], cols[2], cols[3], cols[4], cols[5], cols[6], cols[7], actor, scorers)
	if err != nil {
		return mapError("put assessment", err)
	}
	if w.Key != nil {
		if err := keepAnswer(ctx, tx, w.Key, w.Answer(), time.Time{}); err != nil {
			return err
		}
	}
	return mapError("put assessment: commit", tx.Commit(ctx))
}

// Assessment implements data.AssessmentStore.
func (s *Store) Assessment(ctx context.Context, from, to string) ([]data.AssessmentEntry, error) {
	var problems []data.Problem
	bound := func(m string) any {
		if m == "" {
			return nil
		}
		if !data.ValidMonth(m) {
			problems = append(problems, data.Problem{Kind: "assessment", Reason: fmt.Sprintf("month %q: write it as YYYY-MM, e.g. 2026-03", m)})
			return nil
		}
		return m + "-01"
	}
	lo, hi := bound(from), bound(to)
	if len(problems) > 0 {
		return nil, mapError("assessment", &data.ValidationError{Problems: problems})
	}
	rows, err := s.pool.Query(ctx, `
		select station_id, to_char(month, 'YYYY-MM'), familiarity_num, familiarity_den, risk_warning_num, risk_warning_den,
		       control_tasks_num, control_tasks_den, satisfaction_num, satisfaction_den, updated_at, updated_by, scored_by
		from assessment_entries
		where ($1::date is null or month >= $1::date) and ($2::date is null or month <= $2::date)
		order by month, station_id collate "C"`, lo, hi)
	if err != nil {
		return nil, mapError("assessment", err)
	}
	out := []data.AssessmentEntry{}
	var e data.AssessmentEntry
	_, err = pgx.ForEachRow(rows, []any{&e.StationID, &e.Month, &e.Familiarity.Numerator, &e.Familiarity.Denominator,
		&e.RiskWarning.Numerator, &e.RiskWarning.Denominator, &e.ControlTasks.Numerator, &e.ControlTasks.Denominator,
		&e.Satisfaction.Numerator, &e.Satisfaction.Denominator, &e.UpdatedAt, &e.UpdatedBy, &e.ScoredBy}, func() error {
		e.UpdatedAt = e.UpdatedAt.UTC()
		out = append(out, e)
		return nil
	})
	if err != nil {
		return nil, mapError("assessment", err)
	}
	return out, nil
}
