package auth

import (
	"context"

	"jingge/data"
)

// Request is what the audit log records of a request besides who made
// it: the method, the target with its secrets redacted, the client
// address and the request id.
type Request struct {
	Method    string
	Target    string
	Remote    string
	RequestID string
}

// Entry describes the request req by p, of the route or action named
// action, for the audit log.
func (s *Service) Entry(action string, p Principal, req Request) data.AuditEntry {
	return data.AuditEntry{
		At:         s.cfg.Now(),
		Actor:      p.User.Name,
		Role:       p.User.Role,
		Credential: p.Credential.ID,
		Action:     action,
		Method:     req.Method,
		Target:     req.Target,
		Remote:     req.Remote,
		RequestID:  req.RequestID,
	}
}

// Audit stores e and returns once it is stored (AuditWriter.Append).
func (s *Service) Audit(ctx context.Context, e data.AuditEntry) error {
	return s.audit.Append(ctx, e)
}
