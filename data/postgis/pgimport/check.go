package pgimport

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"jingge/data"
	"jingge/data/postgis/pgsql"
)

// CheckGeometry asks PostGIS for invalid geometries (repairing them when
// opts.Fix is set), overlapping grids of one level, gaps between the grids
// and the county outline, and grids reaching outside the county.
func (im *Importer) CheckGeometry(ctx context.Context) ([]data.Problem, error) {
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

func (im *Importer) checkValidity(ctx context.Context) ([]data.Problem, error) {
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

func (im *Importer) checkOverlaps(ctx context.Context) ([]data.Problem, error) {
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
func (im *Importer) checkParents(ctx context.Context) error {
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
func (im *Importer) checkCounty(ctx context.Context) ([]data.Problem, error) {
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

// Classify compares the staged grids with those in force and counts what
// the import does to each.
func (im *Importer) Classify(ctx context.Context) error {
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
