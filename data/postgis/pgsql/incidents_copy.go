package pgsql

import (
	"encoding/binary"
	"math"

	"github.com/paulmach/orb"

	"jingge/geo"
)

// IncidentColumns are the columns COPY writes, in the order of IncidentCopyRow.
var IncidentColumns = []string{
	"id", "occurred_at", "reported_at", "category", "severity", "status", "cleared", "location",
	"community_grid_id", "community_grid_version", "police_grid_id", "police_grid_version", "station_id", "source", "summary",
}

// Attribution holds the grid versions recorded with one incident; 0 for
// no grid.
type Attribution struct{ Community, Police int32 }

// PointEWKB encodes p as little-endian EWKB with SRID 4326.
func PointEWKB(p orb.Point) []byte {
	b := make([]byte, 25)
	b[0] = 1
	binary.LittleEndian.PutUint32(b[1:], 0x20000001) // Point with SRID
	binary.LittleEndian.PutUint32(b[5:], SRID)
	binary.LittleEndian.PutUint64(b[9:], math.Float64bits(p[0]))
	binary.LittleEndian.PutUint64(b[17:], math.Float64bits(p[1]))
	return b
}

// IncidentCopyRow is the row COPY writes for incident inc under id, with
// the grid versions it was attributed to.
func IncidentCopyRow(id int64, inc *geo.Incident, v Attribution) []any {
	return []any{
		id, inc.OccurredAt, inc.ReportedAt, string(inc.Category), int16(inc.Severity), string(inc.Status), inc.Cleared, PointEWKB(inc.Location),
		NullIfEmpty(inc.CommunityGridID), NullIfZero(v.Community), NullIfEmpty(inc.PoliceGridID), NullIfZero(v.Police),
		NullIfEmpty(inc.StationID), inc.Source, inc.Summary,
	}
}

// NullIfZero is v for the database, NULL for 0 (no grid version).
func NullIfZero(v int32) any {
	if v == 0 {
		return nil
	}
	return v
}
