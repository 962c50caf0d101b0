package pgimport

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

// Importer checks and writes one dataset inside a transaction that holds
// the schema's write lock. Its steps run in order: Stage, CheckGeometry,
// Classify, then Write only for a dataset without problems; nothing is
// committed here, so the caller's rollback undoes every step.
type Importer struct {
	tx   pgx.Tx
	ds   *geo.Dataset
	opts data.ImportOptions
	rep  *data.ImportReport
	ts   time.Time
}

// New returns an importer of ds into tx, counting into rep; ts is the
// moment the import takes effect (read under the write lock).
func New(tx pgx.Tx, ds *geo.Dataset, opts data.ImportOptions, rep *data.ImportReport, ts time.Time) *Importer {
	return &Importer{tx: tx, ds: ds, opts: opts, rep: rep, ts: ts}
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

// Stage loads the dataset into temporary tables with COPY. Geometries
// whose structure is broken were reported already and are left out.
func (im *Importer) Stage(ctx context.Context, brokenGrid map[string]bool, brokenCounty bool, brokenTownship map[string]bool) error {
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

// Write replaces the dataset with the staged one: meta, county, stations
// (absent ones retired), townships, grid versions (changed and absent ones
// closed at ts, new ones in force from ts), the audit, members, and the
// areas, places and checkpoints, whose versions in force are cur's.
func (im *Importer) Write(ctx context.Context, cur *geo.Dataset) error {
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
	if err := im.writeOverlays(ctx, cur); err != nil {
		return err
	}
	if err := im.writeCheckpoints(ctx, cur.Checkpoints); err != nil {
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
