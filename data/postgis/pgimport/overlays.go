package pgimport

import (
	"context"
	"slices"

	"github.com/jackc/pgx/v5"

	"jingge/data"
	"jingge/data/postgis/pgsql"
	"jingge/geo"
)

// writeOverlays makes the dataset's areas and places those in force: a
// new version for each new or changed one (its geometry from the staged,
// possibly repaired, copy), the version in force closed for each changed
// or absent one, the dataset order kept for the rest.
func (im *Importer) writeOverlays(ctx context.Context, cur *geo.Dataset) error {
	cur = &geo.Dataset{Areas: cur.Areas, Places: cur.Places}
	next := &geo.Dataset{Areas: slices.Clone(im.ds.Areas), Places: slices.Clone(im.ds.Places)}
	data.OverlayVersions(cur, next)
	inForce := map[string]int{}
	for _, a := range cur.Areas {
		inForce["area "+a.ID] = a.Version
	}
	for _, p := range cur.Places {
		inForce["place "+p.ID] = p.Version
	}
	b := &pgx.Batch{}
	areaIDs, placeIDs := []string{}, []string{} // never NULL: "not (id = any(NULL))" holds for no row
	for i := range next.Areas {
		a := &next.Areas[i]
		areaIDs = append(areaIDs, a.ID)
		if v, ok := inForce["area "+a.ID]; ok && v == a.Version {
			b.Queue("update areas set ord = $2 where id = $1 and version_to is null and ord <> $2", a.ID, i)
			continue
		}
		b.Queue("update areas set version_to = $2 where id = $1 and version_to is null", a.ID, im.ts)
		b.Queue(`insert into areas (id, version, name, kind, station_id, liaison_name, liaison_phone, opening, valid_from, valid_to, geom, ord, version_from)
			select $1, coalesce((select max(version) from areas where id = $1), 0) + 1, $2, $3, $4, $5, $6, $7, $8, $9, s.geom, $10, $11
			from stage_areas s where s.kind = 'area' and s.id = $1`,
			a.ID, a.Name, string(a.Kind), a.StationID, a.Liaison.Name, a.Liaison.Phone, a.Opening, pgsql.NullTime(a.ValidFrom), pgsql.NullTime(a.ValidTo), i, im.ts)
	}
	b.Queue("update areas set version_to = $1 where version_to is null and not (id = any($2))", im.ts, areaIDs)
	for i := range next.Places {
		p := &next.Places[i]
		placeIDs = append(placeIDs, p.ID)
		if v, ok := inForce["place "+p.ID]; ok && v == p.Version {
			b.Queue("update places set ord = $2 where id = $1 and version_to is null and ord <> $2", p.ID, i)
			continue
		}
		b.Queue("update places set version_to = $2 where id = $1 and version_to is null", p.ID, im.ts)
		b.Queue(`insert into places (id, version, name, kind, station_id, liaison_name, liaison_phone, opening, valid_from, valid_to, location, ord, version_from)
			values ($1, coalesce((select max(version) from places where id = $1), 0) + 1, $2, $3, $4, $5, $6, $7, $8, $9, ST_SetSRID(ST_MakePoint($10, $11), 4326), $12, $13)`,
			p.ID, p.Name, string(p.Kind), p.StationID, p.Liaison.Name, p.Liaison.Phone, p.Opening, pgsql.NullTime(p.ValidFrom), pgsql.NullTime(p.ValidTo), p.Location[0], p.Location[1], i, im.ts)
	}
	b.Queue("update places set version_to = $1 where version_to is null and not (id = any($2))", im.ts, placeIDs)
	return im.tx.SendBatch(ctx, b).Close()
}

// writeCheckpoints makes the imported dataset's checkpoints those in
// force, as writeOverlays does for areas and places.
func (im *Importer) writeCheckpoints(ctx context.Context, cur []geo.Checkpoint) error {
	next := &geo.Dataset{Checkpoints: slices.Clone(im.ds.Checkpoints)}
	data.OverlayVersions(&geo.Dataset{Checkpoints: cur}, next)
	inForce := make(map[string]int, len(cur))
	for _, c := range cur {
		inForce[c.ID] = c.Version
	}
	b := &pgx.Batch{}
	ids := []string{} // never NULL: "not (id = any(NULL))" holds for no row
	for i := range next.Checkpoints {
		c := &next.Checkpoints[i]
		ids = append(ids, c.ID)
		if v, ok := inForce[c.ID]; ok && v == c.Version {
			b.Queue("update checkpoints set ord = $2 where id = $1 and version_to is null and ord <> $2", c.ID, i)
			continue
		}
		b.Queue("update checkpoints set version_to = $2 where id = $1 and version_to is null", c.ID, im.ts)
		b.Queue(pgsql.InsertCheckpoint, c.ID, c.Version, c.Name, c.StationID, c.Road, c.Notes, c.Location[0], c.Location[1], i, im.ts)
	}
	b.Queue("update checkpoints set version_to = $1 where version_to is null and not (id = any($2))", im.ts, ids)
	return im.tx.SendBatch(ctx, b).Close()
}
