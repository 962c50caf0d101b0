package memory

import (
	"encoding/binary"
	"errors"
	"math"
	"time"

	"github.com/paulmach/orb"

	"jingge/geo"
	"jingge/geo/patrol"
)

// Ping batches are most of a journal, so their records have a binary
// layout of their own instead of gob: gob sends its type descriptions
// with every record (two thirds of a 10-ping record) and compiles them
// again at every decode, which made replay five times slower.
//
// Layout: Now, Scope, Key, Digest, then the pings, states and events, each list
// preceded by its length. Integers are varints, floats their IEEE bits
// (NaN, an unknown speed or heading, survives), strings and bytes their
// length then their bytes, times nanoseconds since 1970 (zero time: the
// smallest int64).

// zeroTime stands for the zero time.Time, whose UnixNano is undefined.
const zeroTime = math.MinInt64

type recordWriter struct{ b []byte }

func (w *recordWriter) int(v int64) { w.b = binary.AppendVarint(w.b, v) }
func (w *recordWriter) float(v float64) {
	w.b = binary.LittleEndian.AppendUint64(w.b, math.Float64bits(v))
}
func (w *recordWriter) bytes(v []byte) {
	w.b = binary.AppendUvarint(w.b, uint64(len(v)))
	w.b = append(w.b, v...)
}
func (w *recordWriter) string(v string) {
	w.b = binary.AppendUvarint(w.b, uint64(len(v)))
	w.b = append(w.b, v...)
}
func (w *recordWriter) bool(v bool) {
	if v {
		w.b = append(w.b, 1)
	} else {
		w.b = append(w.b, 0)
	}
}
func (w *recordWriter) time(t time.Time) {
	if t.IsZero() {
		w.int(zeroTime)
		return
	}
	w.int(t.UnixNano())
}
func (w *recordWriter) ping(p geo.Ping) {
	w.string(p.OfficerID)
	w.time(p.At)
	w.float(p.Location[0])
	w.float(p.Location[1])
	w.float(p.SpeedMPS)
	w.float(p.HeadingDeg)
	w.string(p.GridID)
}

var errShortRecord = errors.New("memory: a ping record ends too soon")

type recordReader struct {
	b   []byte
	err error
}

func (r *recordReader) int() int64 {
	v, n := binary.Varint(r.b)
	if n <= 0 {
		r.fail()
		return 0
	}
	r.b = r.b[n:]
	return v
}
func (r *recordReader) count() int {
	n := r.int()
	if n < 0 || n > int64(len(r.b)) { // every item takes at least a byte
		r.fail()
		return 0
	}
	return int(n)
}
func (r *recordReader) float() float64 {
	if len(r.b) < 8 {
		r.fail()
		return 0
	}
	v := math.Float64frombits(binary.LittleEndian.Uint64(r.b))
	r.b = r.b[8:]
	return v
}
func (r *recordReader) bytes() []byte {
	n, k := binary.Uvarint(r.b)
	if k <= 0 || n > uint64(len(r.b)-k) {
		r.fail()
		return nil
	}
	v := r.b[k : k+int(n)]
	r.b = r.b[k+int(n):]
	return v
}
func (r *recordReader) string() string { return string(r.bytes()) }
func (r *recordReader) bool() bool {
	if len(r.b) < 1 {
		r.fail()
		return false
	}
	v := r.b[0] != 0
	r.b = r.b[1:]
	return v
}
func (r *recordReader) time() time.Time {
	n := r.int()
	if n == zeroTime {
		return time.Time{}
	}
	return time.Unix(0, n).UTC()
}
func (r *recordReader) ping() geo.Ping {
	var p geo.Ping
	p.OfficerID = r.string()
	p.At = r.time()
	p.Location = orb.Point{r.float(), r.float()}
	p.SpeedMPS = r.float()
	p.HeadingDeg = r.float()
	p.GridID = r.string()
	return p
}
func (r *recordReader) fail() {
	if r.err == nil {
		r.err = errShortRecord
	}
	r.b = nil
}

// appendPingsRecord appends the binary form of rec to b.
func appendPingsRecord(b []byte, rec pingsRecord) []byte {
	w := recordWriter{b: b}
	w.time(rec.Now)
	w.string(rec.Scope)
	w.string(rec.Key)
	w.bytes(rec.Digest)
	w.int(int64(len(rec.Pings)))
	for _, p := range rec.Pings {
		w.ping(p)
	}
	w.int(int64(len(rec.States)))
	for _, st := range rec.States {
		w.string(st.Officer)
		w.int(st.Version)
		w.ping(st.Last)
		w.bool(st.InArea)
		w.bool(st.Silent)
	}
	w.int(int64(len(rec.Events)))
	for _, e := range rec.Events {
		w.event(e)
	}
	w.eventAreas(rec.Events)
	return w.b
}

func (w *recordWriter) event(e patrol.Event) {
	w.int(e.ID)
	w.string(string(e.Kind))
	w.string(e.Officer)
	w.time(e.At)
	w.float(e.Location[0])
	w.float(e.Location[1])
	w.string(e.GridID)
	w.string(e.PoliceGridID)
	w.string(e.StationID)
}

func (r *recordReader) event() patrol.Event {
	var e patrol.Event
	e.ID = r.int()
	e.Kind = patrol.EventKind(r.string())
	e.Officer = r.string()
	e.At = r.time()
	e.Location = orb.Point{r.float(), r.float()}
	e.GridID = r.string()
	e.PoliceGridID = r.string()
	e.StationID = r.string()
	return e
}

// decodePingsRecord reads what appendPingsRecord wrote.
func decodePingsRecord(b []byte) (pingsRecord, error) {
	r := recordReader{b: b}
	var rec pingsRecord
	rec.Now = r.time()
	rec.Scope = r.string()
	rec.Key = r.string()
	if d := r.bytes(); len(d) > 0 {
		rec.Digest = append([]byte(nil), d...)
	}
	rec.Pings = make([]geo.Ping, r.count())
	for i := range rec.Pings {
		rec.Pings[i] = r.ping()
	}
	rec.States = make([]patrol.State, r.count())
	for i := range rec.States {
		st := &rec.States[i]
		st.Officer = r.string()
		st.Version = r.int()
		st.Last = r.ping()
		st.InArea = r.bool()
		st.Silent = r.bool()
	}
	rec.Events = make([]patrol.Event, r.count())
	for i := range rec.Events {
		rec.Events[i] = r.event()
	}
	r.eventAreas(rec.Events)
	if r.err == nil && len(r.b) != 0 {
		r.err = errors.New("memory: a ping record has bytes after its end")
	}
	return rec, r.err
}
