package pgsql

// InsertCheckpoint inserts one checkpoint version: id, version, name,
// station, road, notes, longitude, latitude, dataset position and the
// time it comes into force.
const InsertCheckpoint = `insert into checkpoints (id, version, name, station_id, road, notes, location, ord, version_from)
	values ($1, $2, $3, $4, $5, $6, ST_SetSRID(ST_MakePoint($7, $8), 4326), $9, $10)`
