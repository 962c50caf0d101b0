package postgis

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
func (im *importer) writeOverlays(ctx context.Context) error {
	cur := &geo.Dataset{}
	var err error
	if cur.Areas, err = readAreas(ctx, im.tx, nil); err != nil {
		return err
	}
	if cur.Places, err = readPlaces(ctx, im.tx, nil); err != nil {
		return err
	}
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
