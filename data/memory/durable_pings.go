package memory

import (
	"jingge/data/memory/binrec"
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

// appendPingsRecord appends the binary form of rec to b.
func appendPingsRecord(b []byte, rec pingsRecord) []byte {
	w := binrec.Writer{B: b}
	w.Time(rec.Now)
	w.String(rec.Scope)
	w.String(rec.Key)
	w.Bytes(rec.Digest)
	w.Int(int64(len(rec.Pings)))
	for _, p := range rec.Pings {
		w.Ping(p)
	}
	w.Int(int64(len(rec.States)))
	for _, st := range rec.States {
		w.String(st.Officer)
		w.Int(st.Version)
		w.Ping(st.Last)
		w.Bool(st.InArea)
		w.Bool(st.Silent)
	}
	w.Int(int64(len(rec.Events)))
	for _, e := range rec.Events {
		w.Event(e)
	}
	w.EventAreas(rec.Events)
	return w.B
}

// decodePingsRecord reads what appendPingsRecord wrote.
func decodePingsRecord(b []byte) (pingsRecord, error) {
	r := binrec.NewReader(b)
	var rec pingsRecord
	rec.Now = r.Time()
	rec.Scope = r.String()
	rec.Key = r.String()
	if d := r.Bytes(); len(d) > 0 {
		rec.Digest = append([]byte(nil), d...)
	}
	rec.Pings = make([]geo.Ping, r.Count())
	for i := range rec.Pings {
		rec.Pings[i] = r.Ping()
	}
	rec.States = make([]patrol.State, r.Count())
	for i := range rec.States {
		st := &rec.States[i]
		st.Officer = r.String()
		st.Version = r.Int()
		st.Last = r.Ping()
		st.InArea = r.Bool()
		st.Silent = r.Bool()
	}
	rec.Events = make([]patrol.Event, r.Count())
	for i := range rec.Events {
		rec.Events[i] = r.Event()
	}
	r.EventAreas(rec.Events)
	return rec, r.Finish("memory: a ping record has bytes after its end")
}
