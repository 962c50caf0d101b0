package postgis

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"jingge/data"
	"jingge/data/postgis/pgsql"
	"jingge/geo"
)

// gapToleranceM2 is the smallest area (square metres) the import reports:
// a gap between the grids and the county outline, or the part of a grid
// outside the county or outside its police grid. Smaller slivers come from
// coordinate rounding, not from the data.
const gapToleranceM2 = 1.0

// Import implements data.Importer. Everything happens in one transaction
// under the write lock: the dataset is checked (references in Go; validity,
// overlaps and gaps by PostGIS on staged copies of the geometries, loaded
// with COPY), and only a dataset without problems is written. The
// transaction commits only then, so a failed or dry-run import leaves the
// database exactly as it was and wakes no watcher.
func (s *Store) Import(ctx context.Context, ds *geo.Dataset, opts data.ImportOptions) (data.ImportReport, error) {
	rep := data.ImportReport{DryRun: opts.DryRun, Stations: len(ds.Stations), Townships: len(ds.Townships), Grids: len(ds.Grids), Members: len(ds.Members), Areas: len(ds.Areas), Places: len(ds.Places), Checkpoints: len(ds.Checkpoints)}
	// geo.Check holds every rule of geo.NewIndex, so a dataset imported
	// here is one every server can index.
	problems, brokenGrid, brokenCounty, brokenTownship := pgsql.CheckDataset(ds)
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return rep, mapError("import", err)
	}
	defer tx.Rollback(context.Background())
	ts, err := lockWrites(ctx, tx)
	if err != nil {
		return rep, mapError("import", err)
	}
	im := &importer{tx: tx, ds: ds, opts: opts, rep: &rep, ts: ts}
	if err := im.stage(ctx, brokenGrid, brokenCounty, brokenTownship); err != nil {
		return rep, mapError("import: staging", err)
	}
	geomProblems, err := im.checkGeometry(ctx)
	if err != nil {
		return rep, mapError("import: checking geometry", err)
	}
	problems = append(problems, geomProblems...)
	if len(problems) > 0 {
		rep.Problems = problems
		return rep, mapError("import", &data.ValidationError{Problems: problems})
	}
	if err := im.classify(ctx); err != nil {
		return rep, mapError("import", err)
	}
	if opts.DryRun {
		return rep, nil
	}
	if err := im.write(ctx); err != nil {
		return rep, mapError("import", err)
	}
	if err := tx.Commit(ctx); err != nil {
		return rep, mapError("import: commit", err)
	}
	return rep, nil
}

// lockWrites takes the schema's write lock for the rest of tx and returns
// the moment the change takes effect, read after the lock so that changes
// are timed in the order they commit.
func lockWrites(ctx context.Context, tx pgx.Tx) (time.Time, error) {
	if _, err := tx.Exec(ctx, "select pg_advisory_xact_lock($1, hashtext(current_schema()))", lockWrite); err != nil {
		return time.Time{}, err
	}
	var ts time.Time
	err := tx.QueryRow(ctx, "select clock_timestamp()").Scan(&ts)
	return ts, err
}

type importer struct {
	tx   pgx.Tx
	ds   *geo.Dataset
	opts data.ImportOptions
	rep  *data.ImportReport
	ts   time.Time
}

const stageSQL = `
create temp table stage_grids (
	ord integer, id text, level text, name text, station_id text, parent_id text,
	township text, population integer, terrain text, wkb bytea, geom geometry, ok boolean not null default true,
	invalid_reason text) on commit drop;
create temp table stage_areas (
	kind text, id text, name text, ord integer, wkb bytea, geom geometry, ok boolean not null default true,
	invalid_reason text) on commit drop;
create temp table stage_stations (
	ord integer, id text, name text, name_en text, region text, brand text, phone text,
	lon double precision, lat double precision) on commit drop;
`

// stage loads the dataset into temporary tables with COPY. Geometries
// whose structure is broken were reported already and are left out.
func (im *importer) stage(ctx context.Context, brokenGrid map[string]bool, brokenCounty bool, brokenTownship map[string]bool) error {
	if _, err := im.tx.Exec(ctx, stageSQL); err != nil {
		return err
	}
	var grids [][]any
	for i, g := range im.ds.Grids {
		if brokenGrid[g.ID] {
			continue
		}
		grids = append(grids, []any{i, g.ID, string(g.Level), g.Name, g.StationID, pgsql.NullIfEmpty(g.ParentID), g.Township, g.Population, pgsql.NullIfEmpty(string(g.Terrain)), pgsql.EncodeMulti(g.Geometry)})
	}
	if _, err := im.tx.CopyFrom(ctx, pgx.Identifier{"stage_grids"},
		[]string{"ord", "id", "level", "name", "station_id", "parent_id", "township", "population", "terrain", "wkb"}, pgx.CopyFromRows(grids)); err != nil {
		return err
	}
	var areas [][]any
	if len(im.ds.County) > 0 && !brokenCounty {
		areas = append(areas, []any{"county", "", im.ds.Meta.Name, 0, pgsql.EncodeMulti(im.ds.County)})
	}
	for i, t := range im.ds.Townships {
		if !brokenTownship[t.Code] {
			areas = append(areas, []any{"township", t.Code, t.Name, i, pgsql.EncodeMulti(t.Geometry)})
		}
	}
	// Special areas are staged for the validity check (and its repairs);
	// those whose rings are broken were reported by geo.Check already.
	for i, a := range im.ds.Areas {
		if geo.CheckRings(a.Geometry) == nil {
			areas = append(areas, []any{"area", a.ID, a.Name, i, pgsql.EncodeMulti(a.Geometry)})
		}
	}
	if _, err := im.tx.CopyFrom(ctx, pgx.Identifier{"stage_areas"}, []string{"kind", "id", "name", "ord", "wkb"}, pgx.CopyFromRows(areas)); err != nil {
		return err
	}
	stations := make([][]any, len(im.ds.Stations))
	for i, st := range im.ds.Stations {
		stations[i] = []any{i, st.ID, st.Name, st.NameEN, string(st.Region), st.Brand, st.Phone, st.Location[0], st.Location[1]}
	}
	if _, err := im.tx.CopyFrom(ctx, pgx.Identifier{"stage_stations"},
		[]string{"ord", "id", "name", "name_en", "region", "brand", "phone", "lon", "lat"}, pgx.CopyFromRows(stations)); err != nil {
		return err
	}
	_, err := im.tx.Exec(ctx, `
		update stage_grids set geom = ST_Multi(ST_GeomFromWKB(wkb, 4326));
		update stage_areas set geom = ST_Multi(ST_GeomFromWKB(wkb, 4326));
		create index on stage_grids using gist (geom);
		create index on stage_grids (id);
		analyze stage_grids;
		analyze stage_areas`)
	return err
}

// area writes an area for people: square metres when small, else km².
func area(m2 float64) string {
	if m2 < 100_000 {
		return fmt.Sprintf("%.1f m²", m2)
	}
	return fmt.Sprintf("%.2f km²", m2/1e6)
}

// checkGeometry asks PostGIS for invalid geometries (repairing them when
// opts.Fix is set), overlapping grids of one level, gaps between the grids
// and the county outline, and grids reaching outside the county.
func (im *importer) checkGeometry(ctx context.Context) ([]data.Problem, error) {
	problems, err := im.checkValidity(ctx)
	if err != nil {
		return nil, err
	}
	more, err := im.checkOverlaps(ctx)
	if err != nil {
		return nil, err
	}
	problems = append(problems, more...)
	if err := im.checkParents(ctx); err != nil {
		return nil, err
	}
	more, err = im.checkCounty(ctx)
	return append(problems, more...), err
}

func (im *importer) checkValidity(ctx context.Context) ([]data.Problem, error) {
	var problems []data.Problem
	for _, tbl := range []struct{ name, kind string }{{"stage_grids", "'grid'"}, {"stage_areas", "kind"}} {
		table := pgx.Identifier{tbl.name}.Sanitize()
		var sql string
		if im.opts.Fix {
			sql = `update ` + table + ` set invalid_reason = ST_IsValidReason(geom), geom = ST_Multi(ST_CollectionExtract(ST_MakeValid(geom), 3))
				where not ST_IsValid(geom)
				returning ` + tbl.kind + `, id, invalid_reason, ST_IsEmpty(geom) or not ST_IsValid(geom), ST_NumGeometries(geom), coalesce(ST_Area(geom::geography), 0)`
		} else {
			sql = `update ` + table + ` set ok = false, invalid_reason = ST_IsValidReason(geom)
				where not ST_IsValid(geom)
				returning ` + tbl.kind + `, id, invalid_reason, true, 0, 0::float8`
		}
		rows, err := im.tx.Query(ctx, sql)
		if err != nil {
			return nil, err
		}
		var kind, id, reason string
		var unfixed bool
		var parts int
		var areaM2 float64
		var unrepaired []string
		_, err = pgx.ForEachRow(rows, []any{&kind, &id, &reason, &unfixed, &parts, &areaM2}, func() error {
			why := "invalid geometry: " + pgsql.HumanReason(reason)
			switch {
			case !im.opts.Fix:
				problems = append(problems, data.Problem{Kind: kind, ID: id, Reason: why + " (jingge import --fix repairs what ST_MakeValid can)"})
			case unfixed:
				problems = append(problems, data.Problem{Kind: kind, ID: id, Reason: why + "; ST_MakeValid could not repair it into a polygon"})
				unrepaired = append(unrepaired, id)
			default:
				im.rep.Fixed = append(im.rep.Fixed, data.Problem{Kind: kind, ID: id, Reason: fmt.Sprintf("%s; repaired with ST_MakeValid into %d polygon(s), %s in all", why, parts, area(areaM2))})
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
		if len(unrepaired) > 0 {
			if _, err := im.tx.Exec(ctx, "update "+table+" set ok = false where id = any($1)", unrepaired); err != nil {
				return nil, err
			}
		}
	}
	return problems, nil
}

func (im *importer) checkOverlaps(ctx context.Context) ([]data.Problem, error) {
	rows, err := im.tx.Query(ctx, `
		select a.id, b.id, a.level, ST_Area(ST_Intersection(a.geom, b.geom)::geography)
		from stage_grids a
		join stage_grids b on a.level = b.level and a.id < b.id and a.geom && b.geom
		where a.ok and b.ok and ST_Relate(a.geom, b.geom, '2********')
		order by a.ord, b.ord
		limit $1`, pgsql.MaxProblems)
	if err != nil {
		return nil, err
	}
	var problems []data.Problem
	var a, b, level string
	var areaM2 float64
	_, err = pgx.ForEachRow(rows, []any{&a, &b, &level, &areaM2}, func() error {
		problems = append(problems, data.Problem{Kind: "grid", ID: a, Reason: fmt.Sprintf("overlaps grid %s (%s, both %s grids)", b, area(areaM2), level)})
		return nil
	})
	return problems, err
}

// checkParents warns about community grids reaching outside their police
// grid: lookups would name a police grid that does not hold the point.
func (im *importer) checkParents(ctx context.Context) error {
	rows, err := im.tx.Query(ctx, `
		select id, parent_id, outside from (
			select c.id, c.parent_id, c.ord, ST_Area(ST_Difference(c.geom, p.geom)::geography) as outside
			from stage_grids c join stage_grids p on p.id = c.parent_id
			where c.ok and p.ok and not ST_Covers(p.geom, c.geom)) d
		where outside > $1
		order by ord
		limit $2`, gapToleranceM2, pgsql.MaxProblems)
	if err != nil {
		return err
	}
	var id, parent string
	var areaM2 float64
	_, err = pgx.ForEachRow(rows, []any{&id, &parent, &areaM2}, func() error {
		im.rep.Warnings = append(im.rep.Warnings, data.Problem{Kind: "grid", ID: id, Reason: fmt.Sprintf("reaches %s outside its police grid %s", area(areaM2), parent)})
		return nil
	})
	return err
}

// checkCounty reports gaps between the county outline and the union of the
// police grids (community grids where there are no police grids), and grids
// reaching outside the county. It needs a valid outline and valid grids.
func (im *importer) checkCounty(ctx context.Context) ([]data.Problem, error) {
	var haveCounty bool
	var police, community, brokenPolice, brokenCommunity int
	err := im.tx.QueryRow(ctx, `
		select exists (select 1 from stage_areas where kind = 'county' and ok),
		       count(*) filter (where level = 'police'),
		       count(*) filter (where level = 'community'),
		       count(*) filter (where level = 'police' and not ok),
		       count(*) filter (where level = 'community' and not ok)
		from stage_grids`).Scan(&haveCounty, &police, &community, &brokenPolice, &brokenCommunity)
	if err != nil || !haveCounty || police+community == 0 {
		return nil, err
	}
	level, label, broken := "police", "police grid", brokenPolice
	if police == 0 {
		level, label, broken = "community", "community grid", brokenCommunity
	}
	if broken > 0 {
		im.rep.Warnings = append(im.rep.Warnings, data.Problem{Kind: "county", Reason: fmt.Sprintf("not checked for gaps: %d %ss have invalid geometry", broken, label)})
		return nil, nil
	}
	var problems []data.Problem
	rows, err := im.tx.Query(ctx, `
		with u as (select ST_Union(geom) as g from stage_grids where level = $1 and ok),
		     c as (select geom from stage_areas where kind = 'county')
		select area, ST_X(p), ST_Y(p) from (
			select d.geom, ST_Area(d.geom::geography) as area, ST_PointOnSurface(d.geom) as p
			from (select (ST_Dump(ST_Difference(c.geom, u.g))).geom from c, u) d) gaps
		where area > $2
		order by area desc
		limit $3`, level, gapToleranceM2, pgsql.MaxProblems)
	if err != nil {
		return nil, err
	}
	var areaM2, x, y float64
	_, err = pgx.ForEachRow(rows, []any{&areaM2, &x, &y}, func() error {
		problems = append(problems, data.Problem{Kind: "county", Reason: fmt.Sprintf("a gap of %s around %.6f %.6f lies in no %s", area(areaM2), x, y, label)})
		return nil
	})
	if err != nil {
		return nil, err
	}
	rows, err = im.tx.Query(ctx, `
		select id, outside from (
			select g.id, g.ord, ST_Area(ST_Difference(g.geom, c.geom)::geography) as outside
			from stage_grids g, (select geom from stage_areas where kind = 'county') c
			where g.ok and not ST_Covers(c.geom, g.geom)) d
		where outside > $1
		order by ord
		limit $2`, gapToleranceM2, pgsql.MaxProblems)
	if err != nil {
		return nil, err
	}
	var id string
	_, err = pgx.ForEachRow(rows, []any{&id, &areaM2}, func() error {
		problems = append(problems, data.Problem{Kind: "grid", ID: id, Reason: fmt.Sprintf("reaches %s outside the county outline", area(areaM2))})
		return nil
	})
	return problems, err
}

// classify compares the staged grids with those in force and counts what
// the import does to each.
func (im *importer) classify(ctx context.Context) error {
	_, err := im.tx.Exec(ctx, `
		create temp table grid_changes on commit drop as
		select coalesce(s.id, c.id) as id,
		       case when c.id is null then 'create'
		            when s.id is null then 'retire'
		            when s.level = c.level and s.name = c.name and s.station_id = c.station_id
		                 and s.parent_id is not distinct from c.parent_id and s.township = c.township
		                 and s.population = c.population and s.terrain is not distinct from c.terrain
		                 and ST_AsBinary(s.geom) = ST_AsBinary(c.geom) then 'same'
		            else 'update' end as action,
		       c.version as old_version
		from stage_grids s
		full join (select * from grids where valid_to is null) c on c.id = s.id`)
	if err != nil {
		return err
	}
	rows, err := im.tx.Query(ctx, "select action, count(*) from grid_changes group by action")
	if err != nil {
		return err
	}
	var action string
	var n int
	_, err = pgx.ForEachRow(rows, []any{&action, &n}, func() error {
		switch action {
		case "create":
			im.rep.Created = n
		case "update":
			im.rep.Changed = n
		case "same":
			im.rep.Unchanged = n
		case "retire":
			im.rep.Retired = n
		}
		return nil
	})
	return err
}

// write replaces the dataset with the staged one: meta, county, stations
// (absent ones retired), townships, grid versions (changed and absent ones
// closed at ts, new ones in force from ts), the audit, members.
func (im *importer) write(ctx context.Context) error {
	meta, err := json.Marshal(im.ds.Meta)
	if err != nil {
		return err
	}
	actor := im.opts.Actor
	if actor == "" {
		actor = "import"
	}
	reason := fmt.Sprintf("import of dataset %q", im.ds.Meta.Name)
	b := &pgx.Batch{}
	b.Queue(`insert into dataset_meta (singleton, name, datum, meta, updated_at) values (true, $1, $2, $3, $4)
		on conflict (singleton) do update set name = excluded.name, datum = excluded.datum, meta = excluded.meta, updated_at = excluded.updated_at`,
		im.ds.Meta.Name, im.ds.Meta.Datum, meta, im.ts)
	b.Queue("delete from county")
	b.Queue("insert into county (name, geom) select name, geom from stage_areas where kind = 'county'")
	b.Queue(`insert into stations (id, name, name_en, region, brand, phone, location, ord, retired_at)
		select id, name, name_en, region, brand, phone, ST_SetSRID(ST_MakePoint(lon, lat), 4326), ord, null from stage_stations
		on conflict (id) do update set name = excluded.name, name_en = excluded.name_en, region = excluded.region,
			brand = excluded.brand, phone = excluded.phone, location = excluded.location, ord = excluded.ord, retired_at = null`)
	b.Queue("update stations set retired_at = $1 where retired_at is null and id not in (select id from stage_stations)", im.ts)
	b.Queue("delete from townships")
	b.Queue("insert into townships (code, name, geom, ord) select id, name, geom, ord from stage_areas where kind = 'township'")
	b.Queue("insert into grid_codes (id) select id from stage_grids on conflict do nothing")
	b.Queue(`update grids g set valid_to = $1 from grid_changes ch
		where g.id = ch.id and g.valid_to is null and ch.action in ('update', 'retire')`, im.ts)
	b.Queue(`insert into grids (id, version, level, name, station_id, parent_id, township, population, terrain, geom, ord, valid_from)
		select s.id, coalesce((select max(h.version) from grids h where h.id = s.id), 0) + 1,
		       s.level, s.name, s.station_id, s.parent_id, s.township, s.population, s.terrain, s.geom, s.ord, $1::timestamptz
		from stage_grids s join grid_changes ch on ch.id = s.id and ch.action in ('create', 'update')
		order by s.ord`, im.ts)
	b.Queue(`update grids g set ord = s.ord from stage_grids s join grid_changes ch on ch.id = s.id and ch.action = 'same'
		where g.id = s.id and g.valid_to is null and g.ord <> s.ord`)
	b.Queue(`insert into grid_audit (at, actor, action, grid_id, old_version, new_version, reason)
		select $1::timestamptz, $2::text, ch.action, ch.id, ch.old_version, g.version, $3::text
		from grid_changes ch left join grids g on g.id = ch.id and g.valid_to is null and ch.action <> 'retire'
		where ch.action <> 'same'
		order by ch.id`, im.ts, actor, reason)
	b.Queue("delete from members")
	if err := im.tx.SendBatch(ctx, b).Close(); err != nil {
		return err
	}
	var ts [][]any
	for _, t := range im.ds.Townships {
		for k, sid := range t.StationIDs {
			ts = append(ts, []any{t.Code, sid, k})
		}
	}
	if _, err := im.tx.CopyFrom(ctx, pgx.Identifier{"township_stations"}, []string{"township_code", "station_id", "ord"}, pgx.CopyFromRows(ts)); err != nil {
		return err
	}
	members := make([][]any, len(im.ds.Members))
	var mg [][]any
	for i, m := range im.ds.Members {
		members[i] = []any{m.ID, m.Name, string(m.Role), m.Phone, pgsql.NullIfEmpty(m.StationID), i, pgsql.RoleTexts(m.Roles)}
		for k, gid := range m.GridIDs {
			mg = append(mg, []any{m.ID, gid, k})
		}
	}
	if _, err := im.tx.CopyFrom(ctx, pgx.Identifier{"members"}, []string{"id", "name", "role", "phone", "station_id", "ord", "roles"}, pgx.CopyFromRows(members)); err != nil {
		return err
	}
	if _, err = im.tx.CopyFrom(ctx, pgx.Identifier{"member_grids"}, []string{"member_id", "grid_id", "ord"}, pgx.CopyFromRows(mg)); err != nil {
		return err
	}
	if err := im.writeOverlays(ctx); err != nil {
		return err
	}
	if err := im.writeCheckpoints(ctx); err != nil {
		return err
	}
	// After a large change the planner's statistics would describe the old
	// tables until autovacuum comes by; the next snapshots would pay for it.
	if im.rep.Created+im.rep.Changed+im.rep.Retired > analyzeAfterRows {
		_, err = im.tx.Exec(ctx, "analyze grids, grid_codes, members, member_grids")
	}
	return err
}

// analyzeAfterRows is the number of grid changes after which an import
// refreshes the planner statistics itself.
const analyzeAfterRows = 1000
