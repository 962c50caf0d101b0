package api

import (
	"context"
	"errors"
	"sync"

	"jingge/api/auth"
	"jingge/api/authhttp"
	"jingge/data"
)

// strictAudit is an audit log that, like PostgreSQL, refuses a whole batch
// when one entry holds text it cannot store, or (as a stand-in for any
// other refusal) an entry whose action is "refused".
type strictAudit struct {
	data.AuditLog
	mu     sync.Mutex
	stored []data.AuditEntry
}

var errRefused = errors.New("test: invalid byte sequence for encoding UTF8: 0x00")

func (s *strictAudit) AppendAudit(_ context.Context, es []data.AuditEntry) error {
	for _, e := range es {
		if !data.ValidText(e.Target) || !data.ValidText(e.Actor) || e.Action == "refused" {
			return errRefused
		}
	}
	s.mu.Lock()
	s.stored = append(s.stored, es...)
	s.mu.Unlock()
	return nil
}

// Names the API's tests share with the access-control packages.
const (
	cookieSession = authhttp.CookieSession
	limiterCount  = len(auth.LimiterNames)
)

// loginPairRate is the sign-in throttle of one user name from one address.
var loginPairRate = struct{ burst float64 }{auth.LoginPairBurst}
