package memory

import "sync"

// HeldInMemory counts the pings, events and audit entries a durable store
// holds in memory (hot windows and pending lists), for tests of the
// archive.
func (d *Durable) HeldInMemory() (pings, events, audit int) {
	d.Patrols.mu.Lock()
	for _, list := range d.Patrols.pings {
		pings += len(list)
	}
	for _, list := range d.arch.PendingPings {
		pings += len(list)
	}
	events = len(d.Patrols.events) + len(d.arch.PendingEvents)
	d.Patrols.mu.Unlock()
	d.Auth.mu.Lock()
	audit = len(d.Auth.audit) + len(d.arch.PendingAudit)
	d.Auth.mu.Unlock()
	return pings, events, audit
}

// HoldNextSettle makes the next write of d that waits for its journal
// record stop before it waits, after its change was made and logged and
// its locks released, until release is called; held is closed when it
// stops there. Set it while no write is in progress.
func (d *Durable) HoldNextSettle() (held <-chan struct{}, release func()) {
	h, r := make(chan struct{}), make(chan struct{})
	var once sync.Once
	d.Patrols.jr.beforeWait = func() {
		first := false
		once.Do(func() { first = true })
		if first {
			close(h)
			<-r
		}
	}
	var releaseOnce sync.Once
	return h, func() { releaseOnce.Do(func() { close(r) }) }
}

// FailJournal makes every later write of d fail as after a disk error:
// the journal takes no more records.
func (d *Durable) FailJournal() { d.dir.Close() }

// HoldDisk keeps every journal record of d off the disk until release is
// called, as on a very slow disk: writes, and whatever waits for them,
// wait.
func (d *Durable) HoldDisk() (release func()) { return d.dir.HoldWrites() }

// SettleArrivals returns a channel that receives each time a write of d,
// or a replay of one, reaches its wait for the disk, after its locks are
// released. Set it while no write is in progress; it replaces
// HoldNextSettle.
func (d *Durable) SettleArrivals() <-chan struct{} {
	arrived := make(chan struct{}, 64)
	d.Patrols.jr.beforeWait = func() { arrived <- struct{}{} }
	return arrived
}
