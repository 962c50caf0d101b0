package apitest

import (
	"context"
	"errors"
	"sync"

	"jingge/data"
)

// ErrRefused is what StrictAudit answers a batch it will not store, in
// PostgreSQL's words for a NUL byte.
var ErrRefused = errors.New("test: invalid byte sequence for encoding UTF8: 0x00")

// StrictAudit is an audit log that, like PostgreSQL, refuses a whole
// batch when one entry holds text it cannot store, or (as a stand-in for
// any other refusal) an entry whose action is "refused".
type StrictAudit struct {
	data.AuditLog
	mu     sync.Mutex
	stored []data.AuditEntry
}

// AppendAudit stores es whole, or refuses them all with ErrRefused.
func (s *StrictAudit) AppendAudit(_ context.Context, es []data.AuditEntry) error {
	for _, e := range es {
		if !data.ValidText(e.Target) || !data.ValidText(e.Actor) || e.Action == "refused" {
			return ErrRefused
		}
	}
	s.mu.Lock()
	s.stored = append(s.stored, es...)
	s.mu.Unlock()
	return nil
}

// Stored returns the entries stored so far, in order.
func (s *StrictAudit) Stored() []data.AuditEntry {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]data.AuditEntry(nil), s.stored...)
}
