package memory

// In a data directory an event is shown (EventsAfter, LastEventID, a
// watcher woken) only once the journal record holding it is on disk. A
// stream may send an event the moment it is shown; if a crash then took
// it back, its id would go to the next event after the restart, and a
// client resuming after that id would skip the new event for good.
//
// Patrols logs its records under mu, which also hands out event ids, so
// ids rise with the records' journal sequence. The journal writes records
// in sequence and its first failure stops every later one (journal.Dir):
// once the record logged when lastID was n is on disk, so is every event
// up to n. A writer therefore raises shown to the lastID it saw when it
// logged, after its own record settled; writers settling out of order
// only raise it further, never past a record not yet on disk.

// patrolWrite is what a write of Patrols leaves for settle, which runs
// after mu is released.
type patrolWrite struct {
	tk   ticket
	upto int64 // lastID when tk's record was logged
	wake bool  // the write changed pings, states or events
}

// settle waits for w's record as journaler.settle does; once it is on
// disk, the events up to w.upto are shown and the watchers woken. A write
// that failed, or was not stored, shows nothing and wakes no one.
func (p *Patrols) settle(w patrolWrite, err error) error {
	if err = p.jr.settle(w.tk, err); err != nil {
		return err
	}
	if w.tk.seq != 0 {
		p.showUpTo(w.upto)
	}
	if w.wake {
		p.notify()
	}
	return nil
}

// logLocked journals a record holding the newest events appended (the
// last of them has id lastID). A record that could not even be appended
// leaves the journal usable for later records, which must not show its
// events: they are in memory only, and a restart gives their ids again.
// p.mu must be held.
func (p *Patrols) logLocked(kind recordKind, v any, events int) ticket {
	tk := p.jr.log(kind, v)
	if tk.err != nil && events > 0 && p.unloggedFrom.Load() == 0 {
		p.unloggedFrom.Store(p.lastID - int64(events) + 1)
	}
	return tk
}

// showUpTo raises shown to id, never past an event whose record was not
// logged.
func (p *Patrols) showUpTo(id int64) {
	if from := p.unloggedFrom.Load(); from > 0 {
		id = min(id, from-1)
	}
	for {
		cur := p.shown.Load()
		if id <= cur || p.shown.CompareAndSwap(cur, id) {
			return
		}
	}
}

// shownLocked returns the id of the newest event readers may see: every
// event in memory when nothing is journaled, else those on disk.
// p.mu must be held.
func (p *Patrols) shownLocked() int64 {
	if p.jr == nil {
		return p.lastID
	}
	return p.shown.Load()
}
