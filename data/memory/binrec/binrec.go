// Package binrec is the binary layout the embedded store writes where
// gob would be too slow or too large: journal records of ping batches and
// archived segments of pings and events. A Writer appends varints, float
// bits, length-prefixed strings and bytes, times, and the layouts of a
// ping and a patrol event; a Reader reads them back and reports a record
// cut short. Layouts are never changed in place: data directories written
// by older versions hold them (see EventAreas for how one grew).
//
// It imports geo, geo/patrol and the standard library only; data/memory
// and its sub-packages import it.
package binrec

import (
	"encoding/binary"
	"errors"
	"math"
	"time"

	"github.com/paulmach/orb"

	"jingge/geo"
	"jingge/geo/patrol"
)

// zeroTime stands for the zero time.Time, whose UnixNano is undefined.
const zeroTime = math.MinInt64

// Writer appends values to B in the layout Reader reads.
type Writer struct{ B []byte }

// Int appends v as a varint.
func (w *Writer) Int(v int64) { w.B = binary.AppendVarint(w.B, v) }

// Float appends v's IEEE bits, so NaN (an unknown speed or heading)
// survives.
func (w *Writer) Float(v float64) {
	w.B = binary.LittleEndian.AppendUint64(w.B, math.Float64bits(v))
}

// Bytes appends v's length, then v.
func (w *Writer) Bytes(v []byte) {
	w.B = binary.AppendUvarint(w.B, uint64(len(v)))
	w.B = append(w.B, v...)
}

// String appends v's length, then v.
func (w *Writer) String(v string) {
	w.B = binary.AppendUvarint(w.B, uint64(len(v)))
	w.B = append(w.B, v...)
}

// Bool appends v as one byte.
func (w *Writer) Bool(v bool) {
	if v {
		w.B = append(w.B, 1)
	} else {
		w.B = append(w.B, 0)
	}
}

// Time appends t as nanoseconds since 1970; the zero time as the
// smallest int64, since its UnixNano is undefined.
func (w *Writer) Time(t time.Time) {
	if t.IsZero() {
		w.Int(zeroTime)
		return
	}
	w.Int(t.UnixNano())
}

// Ping appends a ping: officer, time, location, speed, heading, grid.
func (w *Writer) Ping(p geo.Ping) {
	w.String(p.OfficerID)
	w.Time(p.At)
	w.Float(p.Location[0])
	w.Float(p.Location[1])
	w.Float(p.SpeedMPS)
	w.Float(p.HeadingDeg)
	w.String(p.GridID)
}

var errShortRecord = errors.New("memory: a ping record ends too soon")

// Reader reads what a Writer wrote. A read past the end, or of a value
// that cannot be, fails the reader: that read and every later one return
// zero values, and Finish returns the error.
type Reader struct {
	b   []byte
	err error
}

// NewReader returns a reader of b.
func NewReader(b []byte) *Reader { return &Reader{b: b} }

// Finish returns the first error a read met, or, when every read
// succeeded but bytes remain, an error saying trailing: a record must end
// where its layout does.
func (r *Reader) Finish(trailing string) error {
	if r.err == nil && len(r.b) != 0 {
		r.err = errors.New(trailing)
	}
	return r.err
}

// Int reads a varint.
func (r *Reader) Int() int64 {
	v, n := binary.Varint(r.b)
	if n <= 0 {
		r.fail()
		return 0
	}
	r.b = r.b[n:]
	return v
}

// Count reads a list length; a length longer than the bytes left (every
// item takes at least one) fails the reader.
func (r *Reader) Count() int {
	n := r.Int()
	if n < 0 || n > int64(len(r.b)) { // every item takes at least a byte
		r.fail()
		return 0
	}
	return int(n)
}

// Float reads what Writer.Float wrote.
func (r *Reader) Float() float64 {
	if len(r.b) < 8 {
		r.fail()
		return 0
	}
	v := math.Float64frombits(binary.LittleEndian.Uint64(r.b))
	r.b = r.b[8:]
	return v
}

// Bytes reads what Writer.Bytes wrote; the result aliases the record.
func (r *Reader) Bytes() []byte {
	n, k := binary.Uvarint(r.b)
	if k <= 0 || n > uint64(len(r.b)-k) {
		r.fail()
		return nil
	}
	v := r.b[k : k+int(n)]
	r.b = r.b[k+int(n):]
	return v
}

// String reads what Writer.String wrote.
func (r *Reader) String() string { return string(r.Bytes()) }

// Bool reads what Writer.Bool wrote.
func (r *Reader) Bool() bool {
	if len(r.b) < 1 {
		r.fail()
		return false
	}
	v := r.b[0] != 0
	r.b = r.b[1:]
	return v
}

// Time reads what Writer.Time wrote, in UTC.
func (r *Reader) Time() time.Time {
	n := r.Int()
	if n == zeroTime {
		return time.Time{}
	}
	return time.Unix(0, n).UTC()
}

// Ping reads what Writer.Ping wrote.
func (r *Reader) Ping() geo.Ping {
	var p geo.Ping
	p.OfficerID = r.String()
	p.At = r.Time()
	p.Location = orb.Point{r.Float(), r.Float()}
	p.SpeedMPS = r.Float()
	p.HeadingDeg = r.Float()
	p.GridID = r.String()
	return p
}

// fail fails the reader with a record that ends too soon.
func (r *Reader) fail() {
	if r.err == nil {
		r.err = errShortRecord
	}
	r.b = nil
}

// Event appends a patrol event without its area (see EventAreas).
func (w *Writer) Event(e patrol.Event) {
	w.Int(e.ID)
	w.String(string(e.Kind))
	w.String(e.Officer)
	w.Time(e.At)
	w.Float(e.Location[0])
	w.Float(e.Location[1])
	w.String(e.GridID)
	w.String(e.PoliceGridID)
	w.String(e.StationID)
}

// Event reads what Writer.Event wrote.
func (r *Reader) Event() patrol.Event {
	var e patrol.Event
	e.ID = r.Int()
	e.Kind = patrol.EventKind(r.String())
	e.Officer = r.String()
	e.At = r.Time()
	e.Location = orb.Point{r.Float(), r.Float()}
	e.GridID = r.String()
	e.PoliceGridID = r.String()
	e.StationID = r.String()
	return e
}
