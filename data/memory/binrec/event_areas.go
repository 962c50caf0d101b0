package binrec

import "jingge/geo/patrol"

// The binary layouts of ping records and archived events (the journal's
// ping records and the archive's event chunks) were fixed before events
// named special areas. The area of an overlay event is written after every event, as a trailing
// section: the number of events that name an area, then for each its
// position in the list, the area id and the area name. A record written
// before the section existed ends where the section would start and
// reads as events without areas, so old data directories replay as they
// were written; a record without overlay events gets no section at all,
// so the ping ingest writes nothing more for most batches.

// EventAreas appends the trailing area section of events.
func (w *Writer) EventAreas(events []patrol.Event) {
	n := 0
	for i := range events {
		if events[i].AreaID != "" {
			n++
		}
	}
	if n == 0 {
		return
	}
	w.Int(int64(n))
	for i := range events {
		if e := &events[i]; e.AreaID != "" {
			w.Int(int64(i))
			w.String(e.AreaID)
			w.String(e.AreaName)
		}
	}
}

// EventAreas reads the trailing area section into events, when the
// record has one.
func (r *Reader) EventAreas(events []patrol.Event) {
	if r.err != nil || len(r.b) == 0 {
		return
	}
	n := r.Count()
	for range n {
		i := r.Int()
		id, name := r.String(), r.String()
		if r.err != nil {
			return
		}
		if i < 0 || i >= int64(len(events)) {
			r.fail()
			return
		}
		events[i].AreaID, events[i].AreaName = id, name
	}
}
