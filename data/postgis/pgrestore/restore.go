package pgrestore

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"

	"jingge/data"
	"jingge/data/postgis/pgsql"
	"jingge/geo"
	"jingge/geo/patrol"
)

// Step writes one part of a dump into a new database.
type Step struct {
	// What names the part for an error message ("restore: the grids: ...").
	What string
	// Write copies the part of d into tx.
	Write func(context.Context, pgx.Tx, *data.Dump) error
}

// Steps are the parts of a dump in the order they must be written: each
// part's rows reference only rows an earlier step wrote.
var Steps = []Step{
	{"the dataset", restoreDataset},
	{"the grids", restoreGrids},
	{"the areas and key places", restoreOverlays},
	{"the checkpoints", restoreCheckpoints},
	{"the incidents", restoreIncidents},
	{"the plans and assessment", restorePlans},
	{"the patrols", restorePatrols},
	{"the users and the audit log", restoreAuth},
	{"the idempotency keys", restoreBatchKeys},
	{"the visits", restoreVisits},
	{"the disputes and tasks", restoreWork},
}

func restoreDataset(ctx context.Context, tx pgx.Tx, d *data.Dump) error {
	ds := d.Dataset
	meta, err := json.Marshal(ds.Meta)
	if err != nil {
		return err
	}
	b := &pgx.Batch{}
	b.Queue("insert into dataset_meta (singleton, name, datum, meta) values (true, $1, $2, $3)", ds.Meta.Name, ds.Meta.Datum, meta)
	if len(ds.County) > 0 {
		b.Queue("insert into county (name, geom) values ($1, ST_Multi(ST_GeomFromWKB($2, 4326)))", ds.Meta.Name, pgsql.EncodeMulti(ds.County))
	}
	inForce := map[string]int{}
	for i, st := range ds.Stations {
		inForce[st.ID] = i
	}
	for _, st := range d.Stations {
		ord, ok := inForce[st.ID]
		var retired any
		if !ok {
			ord, retired = len(ds.Stations), time.Now()
		}
		b.Queue(`insert into stations (id, name, name_en, region, brand, phone, location, ord, retired_at)
			values ($1, $2, $3, $4, $5, $6, ST_SetSRID(ST_MakePoint($7, $8), 4326), $9, $10)`,
			st.ID, st.Name, st.NameEN, string(st.Region), st.Brand, st.Phone, st.Location[0], st.Location[1], ord, retired)
	}
	for i, t := range ds.Townships {
		b.Queue("insert into townships (code, name, geom, ord) values ($1, $2, ST_Multi(ST_GeomFromWKB($3, 4326)), $4)", t.Code, t.Name, pgsql.EncodeMulti(t.Geometry), i)
		for k, sid := range t.StationIDs {
			b.Queue("insert into township_stations (township_code, station_id, ord) values ($1, $2, $3)", t.Code, sid, k)
		}
	}
	return tx.SendBatch(ctx, b).Close()
}

func restoreGrids(ctx context.Context, tx pgx.Tx, d *data.Dump) error {
	b := &pgx.Batch{}
	first := map[string]time.Time{}
	var codes []string
	for _, v := range d.Versions {
		if _, ok := first[v.Grid.ID]; !ok {
			first[v.Grid.ID] = v.ValidFrom
			codes = append(codes, v.Grid.ID)
		}
	}
	for _, id := range codes {
		b.Queue("insert into grid_codes (id, created_at) values ($1, $2)", id, first[id])
	}
	for i, v := range d.Versions {
		g := v.Grid
		var to any
		if !v.ValidTo.IsZero() {
			to = v.ValidTo
		}
		b.Queue(`insert into grids (id, version, level, name, station_id, parent_id, township, population, terrain, geom, ord, valid_from, valid_to)
			values ($1, $2, $3, $4, $5, $6, $7, $8, $9, ST_Multi(ST_GeomFromWKB($10, 4326)), $11, $12, $13)`,
			g.ID, v.Version, string(g.Level), g.Name, g.StationID, pgsql.NullIfEmpty(g.ParentID), g.Township, g.Population,
			pgsql.NullIfEmpty(string(g.Terrain)), pgsql.EncodeMulti(g.Geometry), d.Ords[i], v.ValidFrom, to)
	}
	for i, m := range d.Dataset.Members {
		b.Queue("insert into members (id, name, role, phone, station_id, ord, roles) values ($1, $2, $3, $4, $5, $6, $7)",
			m.ID, m.Name, string(m.Role), m.Phone, pgsql.NullIfEmpty(m.StationID), i, pgsql.RoleTexts(m.Roles))
		for k, gid := range m.GridIDs {
			b.Queue("insert into member_grids (member_id, grid_id, ord) values ($1, $2, $3)", m.ID, gid, k)
		}
	}
	return tx.SendBatch(ctx, b).Close()
}

// restoreIncidents copies the incidents with their ids, each attributed
// to the versions of its grids in force when it occurred (the first
// version for incidents older than the first grids), as AddIncidents
// would have.
func restoreIncidents(ctx context.Context, tx pgx.Tx, d *data.Dump) error {
	byGrid := map[string][]data.GridVersion{}
	for _, v := range d.Versions {
		byGrid[v.Grid.ID] = append(byGrid[v.Grid.ID], v)
	}
	versionAt := func(id string, t time.Time) int32 {
		vs := byGrid[id]
		if len(vs) == 0 {
			return 0
		}
		if t.Before(vs[0].ValidFrom) {
			return int32(vs[0].Version)
		}
		for _, v := range vs {
			if !v.ValidFrom.After(t) && (v.ValidTo.IsZero() || t.Before(v.ValidTo)) {
				return int32(v.Version)
			}
		}
		return int32(vs[len(vs)-1].Version)
	}
	rows := make([][]any, len(d.Incidents))
	var maxID int64
	for i := range d.Incidents {
		inc := &d.Incidents[i]
		id, err := strconv.ParseInt(inc.ID, 10, 64)
		if err != nil {
			return fmt.Errorf("incident id %q", inc.ID)
		}
		maxID = max(maxID, id)
		rows[i] = pgsql.IncidentCopyRow(id, inc, pgsql.Attribution{Community: versionAt(inc.CommunityGridID, inc.OccurredAt), Police: versionAt(inc.PoliceGridID, inc.OccurredAt)})
	}
	if _, err := tx.CopyFrom(ctx, pgx.Identifier{"incidents"}, pgsql.IncidentColumns, pgx.CopyFromRows(rows)); err != nil {
		return err
	}
	if maxID > 0 {
		_, err := tx.Exec(ctx, "select setval(pg_get_serial_sequence('incidents', 'id'), $1)", maxID)
		return err
	}
	return nil
}

func restorePlans(ctx context.Context, tx pgx.Tx, d *data.Dump) error {
	b := &pgx.Batch{}
	var maxID int64
	for _, p := range d.Plans {
		id, err := strconv.ParseInt(p.ID, 10, 64)
		if err != nil {
			return fmt.Errorf("plan id %q", p.ID)
		}
		maxID = max(maxID, id)
		var summary, applied, by any
		if len(p.Summary) > 0 {
			summary = string(p.Summary)
		}
		if p.Applied() {
			applied, by = p.AppliedAt, p.AppliedBy
		}
		b.Queue(`insert into plans (gid, created_at, created_by, note, dataset, grids, officers, summary, document, applied_at, applied_by)
			overriding system value values ($1, $2, $3, $4, $5, $6, $7, $8::json, $9::json, $10, $11)`,
			id, p.CreatedAt, p.CreatedBy, p.Note, p.Dataset, p.Grids, p.Officers, summary, string(p.Document), applied, by)
	}
	if maxID > 0 {
		b.Queue(fmt.Sprintf("alter table plans alter column gid restart with %d", maxID+1))
	}
	for _, e := range d.Assessment {
		b.Queue(`insert into assessment_entries (station_id, month, familiarity_num, familiarity_den, risk_warning_num, risk_warning_den,
			control_tasks_num, control_tasks_den, satisfaction_num, satisfaction_den, updated_at, updated_by, scored_by)
			values ($1, ($2 || '-01')::date, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`,
			e.StationID, e.Month, e.Familiarity.Numerator, e.Familiarity.Denominator, e.RiskWarning.Numerator, e.RiskWarning.Denominator,
			e.ControlTasks.Numerator, e.ControlTasks.Denominator, e.Satisfaction.Numerator, e.Satisfaction.Denominator, e.UpdatedAt, e.UpdatedBy, e.ScoredBy)
	}
	return tx.SendBatch(ctx, b).Close()
}

func restorePatrols(ctx context.Context, tx pgx.Tx, d *data.Dump) error {
	src := pgsql.NewPingSource([][]geo.Ping{d.Pings}, len(d.Pings))
	if _, err := tx.CopyFrom(ctx, pgx.Identifier{"patrol_pings"}, pgsql.PingColumns, src); err != nil {
		return err
	}
	b := &pgx.Batch{}
	for _, st := range d.States {
		var at, loc any
		if st.Seen() {
			at, loc = st.Last.At, pgsql.PointEWKB(st.Last.Location)
		}
		b.Queue(`insert into patrol_officers (officer_id, version, at, location, speed_mps, heading_deg, grid_id, in_area, silent)
			values ($1, $2, $3, ST_GeomFromEWKB($4), $5, $6, $7, $8, $9)`,
			st.Officer, st.Version, at, loc, pgsql.NullFloat4(st.Last.SpeedMPS), pgsql.NullFloat4(st.Last.HeadingDeg), pgsql.NullIfEmpty(st.Last.GridID), st.InArea, st.Silent)
	}
	var last int64
	for _, e := range d.Events {
		last = max(last, e.ID)
		b.Queue(`insert into patrol_events (id, kind, officer_id, at, location, grid_id, police_grid_id, station_id, area_id, area_name)
			values ($1, $2, $3, $4, ST_GeomFromEWKB($5), $6, $7, $8, $9, $10)`,
			e.ID, string(e.Kind), e.Officer, e.At, pgsql.PointEWKB(e.Location), pgsql.NullIfEmpty(e.GridID), pgsql.NullIfEmpty(e.PoliceGridID), pgsql.NullIfEmpty(e.StationID),
			pgsql.NullIfEmpty(e.AreaID), pgsql.NullIfEmpty(e.AreaName))
	}
	if last > 0 {
		b.Queue("select setval(pg_get_serial_sequence('patrol_events', 'id'), $1)", last)
	}
	// Each grid's latest "not visited" event marks it, so the restored
	// store does not raise that absence again.
	b.Queue(`insert into grid_unvisited (police_grid_id, raised_at, event_id)
		select distinct on (police_grid_id) police_grid_id, at, id from patrol_events
		where kind = $1 and police_grid_id is not null order by police_grid_id, id desc`, string(patrol.GridUnvisited))
	return tx.SendBatch(ctx, b).Close()
}

func restoreAuth(ctx context.Context, tx pgx.Tx, d *data.Dump) error {
	b := &pgx.Batch{}
	for _, u := range d.Users {
		b.Queue(`insert into users (name, role, officer_id, password_hash, disabled, created_at) values ($1, $2, nullif($3, ''), $4, $5, $6)`,
			u.Name, string(u.Role), u.OfficerID, u.PasswordHash, u.Disabled, u.CreatedAt)
	}
	for _, c := range d.Credentials {
		b.Queue(`insert into credentials (id, kind, user_name, label, secret_hash, created_at, expires_at, revoked_at, last_used_at)
			values ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
			c.ID, string(c.Kind), c.UserName, c.Label, c.Hash[:], c.CreatedAt, pgsql.OptTime(c.ExpiresAt), pgsql.OptTime(c.RevokedAt), pgsql.OptTime(c.LastUsedAt))
	}
	var last int64
	for _, e := range d.Audit {
		last = max(last, e.Seq)
		b.Queue(`insert into audit_log (seq, at, actor, role, credential, action, method, target, remote, request_id, status, detail)
			overriding system value values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
			e.Seq, e.At, e.Actor, string(e.Role), e.Credential, e.Action, e.Method, e.Target, e.Remote, e.RequestID, e.Status, e.Detail)
	}
	if last > 0 {
		b.Queue(fmt.Sprintf("alter table audit_log alter column seq restart with %d", last+1))
	}
	return tx.SendBatch(ctx, b).Close()
}

// restoreBatchKeys copies the idempotency keys of incident and ping
// batches, and those of grid edits, plan applies, assessment entries and task and dispute changes
// with their answers. Keys of the empty scope are a server's without access control,
// as in this database.
func restoreBatchKeys(ctx context.Context, tx pgx.Tx, d *data.Dump) error {
	b := &pgx.Batch{}
	for _, k := range d.IncidentKeys {
		ids := make([]int64, len(k.IDs))
		for i, s := range k.IDs {
			id, err := strconv.ParseInt(s, 10, 64)
			if err != nil {
				return fmt.Errorf("incident id %q under the key %q", s, k.Key)
			}
			ids[i] = id
		}
		b.Queue("insert into incident_batches (scope, key, digest, ids, created_at) values ($1, $2, $3, $4, $5)", k.Scope, k.Key, k.Digest, ids, k.At)
	}
	for _, k := range d.PingKeys {
		b.Queue("insert into patrol_batches (scope, key, digest, created_at) values ($1, $2, $3, $4)", k.Scope, k.Key, k.Digest, k.At)
	}
	for _, k := range d.AnswerKeys {
		a := k.Answer
		b.Queue("insert into answer_keys (scope, key, digest, status, content_type, body, created_at) values ($1, $2, $3, $4, $5, $6, $7)",
			k.Scope, k.Key, k.Digest, a.Status, a.ContentType, orEmptyBytes(a.Body), a.At)
	}
	return tx.SendBatch(ctx, b).Close()
}

func orEmptyBytes(b []byte) []byte {
	if b == nil {
		return []byte{}
	}
	return b
}

// restoreVisits copies the visits with their ids and their idempotency
// keys, and moves the id sequence past them.
func restoreVisits(ctx context.Context, tx pgx.Tx, d *data.Dump) error {
	b := &pgx.Batch{}
	var last int64
	for _, v := range d.Visits {
		id, err := strconv.ParseInt(v.ID, 10, 64)
		if err != nil {
			return fmt.Errorf("visit id %q", v.ID)
		}
		last = max(last, id)
		b.Queue(`insert into visits (id, officer_id, at, location, kind, whom, key_place_id, outcome, community_grid_id, police_grid_id, station_id, recorded_at, recorded_by)
			overriding system value values ($1, $2, $3, ST_SetSRID(ST_MakePoint($4, $5), 4326), $6, $7, $8, $9, $10, $11, $12, $13, $14)`,
			id, v.OfficerID, v.At, v.Location[0], v.Location[1], string(v.Kind), v.Whom, pgsql.NullIfEmpty(v.KeyPlaceID), v.Outcome,
			pgsql.NullIfEmpty(v.CommunityGridID), pgsql.NullIfEmpty(v.PoliceGridID), pgsql.NullIfEmpty(v.StationID), v.RecordedAt, v.RecordedBy)
	}
	if last > 0 {
		b.Queue(fmt.Sprintf("alter table visits alter column id restart with %d", last+1))
	}
	for _, k := range d.VisitKeys {
		if len(k.IDs) != 1 {
			return fmt.Errorf("the visit key %q names %d visits, not one", k.Key, len(k.IDs))
		}
		b.Queue("insert into visit_keys (scope, key, digest, visit_id) values ($1, $2, $3, $4::bigint)", k.Scope, k.Key, k.Digest, k.IDs[0])
	}
	return tx.SendBatch(ctx, b).Close()
}

// restoreOverlays writes the areas and key places in force with their
// versions. The embedded store keeps no history of them, and its past
// snapshots show today's, so they are in force from the first grid
// version on.
func restoreOverlays(ctx context.Context, tx pgx.Tx, d *data.Dump) error {
	b := &pgx.Batch{}
	now := time.Now()
	for _, v := range d.Versions {
		if v.ValidFrom.Before(now) {
			now = v.ValidFrom
		}
	}
	for i, a := range d.Dataset.Areas {
		b.Queue(`insert into areas (id, version, name, kind, station_id, liaison_name, liaison_phone, opening, valid_from, valid_to, geom, ord, version_from)
			values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, ST_Multi(ST_GeomFromWKB($11, 4326)), $12, $13)`,
			a.ID, max(a.Version, 1), a.Name, string(a.Kind), a.StationID, a.Liaison.Name, a.Liaison.Phone, a.Opening,
			pgsql.NullTime(a.ValidFrom), pgsql.NullTime(a.ValidTo), pgsql.EncodeMulti(a.Geometry), i, now)
	}
	for i, p := range d.Dataset.Places {
		b.Queue(`insert into places (id, version, name, kind, station_id, liaison_name, liaison_phone, opening, valid_from, valid_to, location, ord, version_from)
			values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, ST_SetSRID(ST_MakePoint($11, $12), 4326), $13, $14)`,
			p.ID, max(p.Version, 1), p.Name, string(p.Kind), p.StationID, p.Liaison.Name, p.Liaison.Phone, p.Opening,
			pgsql.NullTime(p.ValidFrom), pgsql.NullTime(p.ValidTo), p.Location[0], p.Location[1], i, now)
	}
	return tx.SendBatch(ctx, b).Close()
}

// restoreWork copies the disputes and tasks with their ids and their
// idempotency keys, and moves the id sequences past them.
func restoreWork(ctx context.Context, tx pgx.Tx, d *data.Dump) error {
	b := &pgx.Batch{}
	var lastDispute, lastTask int64
	for _, c := range d.Disputes {
		id, err := strconv.ParseInt(c.ID, 10, 64)
		if err != nil {
			return fmt.Errorf("dispute id %q", c.ID)
		}
		lastDispute = max(lastDispute, id)
		b.Queue(`insert into disputes (id, reported_at, location, kind, parties, summary, level, method, mediation_brand, settled_at,
				community_grid_id, police_grid_id, station_id, recorded_at, recorded_by, updated_at, updated_by)
			overriding system value values ($1, $2, ST_SetSRID(ST_MakePoint($3, $4), 4326), $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18)`,
			id, c.ReportedAt, c.Location[0], c.Location[1], string(c.Kind), c.Parties, c.Summary, string(c.Level), pgsql.NullIfEmpty(string(c.Method)), c.MediationBrand, pgsql.NullTime(c.SettledAt),
			pgsql.NullIfEmpty(c.CommunityGridID), pgsql.NullIfEmpty(c.PoliceGridID), pgsql.NullIfEmpty(c.StationID), c.RecordedAt, c.RecordedBy, pgsql.NullTime(c.UpdatedAt), c.UpdatedBy)
	}
	for _, t := range d.Tasks {
		id, err := strconv.ParseInt(t.ID, 10, 64)
		if err != nil {
			return fmt.Errorf("task id %q", t.ID)
		}
		lastTask = max(lastTask, id)
		b.Queue(`insert into tasks (id, station_id, grid_id, officer_id, title, detail, due, done_at, done_by, recorded_at, recorded_by)
			overriding system value values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
			id, t.StationID, pgsql.NullIfEmpty(t.GridID), pgsql.NullIfEmpty(t.OfficerID), t.Title, t.Detail, t.Due, pgsql.NullTime(t.DoneAt), t.DoneBy, t.RecordedAt, t.RecordedBy)
	}
	for table, last := range map[string]int64{"disputes": lastDispute, "tasks": lastTask} {
		if last > 0 {
			b.Queue(fmt.Sprintf("alter table %s alter column id restart with %d", pgx.Identifier{table}.Sanitize(), last+1))
		}
	}
	for _, keys := range []struct {
		table, column string
		keys          []data.BatchKey
	}{{"dispute_keys", "dispute_id", d.DisputeKeys}, {"task_keys", "task_id", d.TaskKeys}} {
		for _, k := range keys.keys {
			if len(k.IDs) != 1 {
				return fmt.Errorf("the key %q names %d records, not one", k.Key, len(k.IDs))
			}
			b.Queue("insert into "+pgx.Identifier{keys.table}.Sanitize()+" (scope, key, digest, "+pgx.Identifier{keys.column}.Sanitize()+") values ($1, $2, $3, $4::bigint)", k.Scope, k.Key, k.Digest, k.IDs[0])
		}
	}
	return tx.SendBatch(ctx, b).Close()
}

// restoreCheckpoints writes the checkpoints in force with their versions,
// in force from the first grid version on, as restoreOverlays does.
func restoreCheckpoints(ctx context.Context, tx pgx.Tx, d *data.Dump) error {
	b := &pgx.Batch{}
	now := time.Now()
	for _, v := range d.Versions {
		if v.ValidFrom.Before(now) {
			now = v.ValidFrom
		}
	}
	for i, c := range d.Dataset.Checkpoints {
		b.Queue(pgsql.InsertCheckpoint, c.ID, max(c.Version, 1), c.Name, c.StationID, c.Road, c.Notes, c.Location[0], c.Location[1], i, now)
	}
	return tx.SendBatch(ctx, b).Close()
}
