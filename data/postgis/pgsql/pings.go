package pgsql

import (
	"encoding/binary"
	"math"

	"jingge/geo"
)

// AppendEWKBPoint is the EWKB of a point with SRID 4326, the binary form of a
// geometry value: byte order, type with the SRID flag, SRID, x, y.
func AppendEWKBPoint(buf []byte, pt [2]float64) []byte {
	buf = append(buf, 1)
	buf = binary.LittleEndian.AppendUint32(buf, 0x20000001)
	buf = binary.LittleEndian.AppendUint32(buf, SRID)
	buf = binary.LittleEndian.AppendUint64(buf, math.Float64bits(pt[0]))
	return binary.LittleEndian.AppendUint64(buf, math.Float64bits(pt[1]))
}

// EWKBPointSize is the length of AppendEWKBPoint's output.
const EWKBPointSize = 25

// PingColumns are the columns of patrol_pings a PingSource fills, in its
// order.
var PingColumns = []string{"officer_id", "at", "location", "speed_mps", "heading_deg", "grid_id"}

// PingSource is a pgx.CopyFromSource of pings for PingColumns: it feeds
// COPY from the batches' ping slices without copying them into rows first.
type PingSource struct {
	batches [][]geo.Ping
	b, j    int
	geoms   []byte // EWKB of every ping, in one arena
	row     [6]any
}

// NewPingSource returns a source of every ping of batches, in order; n
// (their number, or an estimate) sizes its geometry arena.
func NewPingSource(batches [][]geo.Ping, n int) *PingSource {
	return &PingSource{batches: batches, geoms: make([]byte, 0, n*EWKBPointSize), j: -1}
}

// Next implements pgx.CopyFromSource.
func (s *PingSource) Next() bool {
	s.j++
	for s.b < len(s.batches) && s.j >= len(s.batches[s.b]) {
		s.b, s.j = s.b+1, 0
	}
	return s.b < len(s.batches)
}

// Values implements pgx.CopyFromSource.
func (s *PingSource) Values() ([]any, error) {
	p := &s.batches[s.b][s.j]
	start := len(s.geoms)
	s.geoms = AppendEWKBPoint(s.geoms, p.Location)
	s.row = [6]any{p.OfficerID, p.At, s.geoms[start:len(s.geoms):len(s.geoms)], NullFloat4(p.SpeedMPS), NullFloat4(p.HeadingDeg), NullText(p.GridID)}
	return s.row[:], nil
}

// Err implements pgx.CopyFromSource; a PingSource never fails.
func (s *PingSource) Err() error { return nil }
