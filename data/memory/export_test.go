package memory

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
