package api

import (
	"context"
	"errors"
	"net/http"
	"time"

	"jingge/api/httpx"
	"jingge/api/patrolling"
)

// StreamEnd is the data of the event named "end" that a stream sends
// before the server closes it because the credential it was opened with
// no longer admits it. A client should not reconnect with the same
// credential: it would be refused with 401.
type StreamEnd struct {
	// Reason is "credential_expired", "credential_revoked" (revoked,
	// signed out, its user disabled or removed, or its password changed)
	// or "role_changed".
	Reason string `json:"reason"`
	// Detail says what to do, for people.
	Detail string `json:"detail"`
}

// minCredentialCheck is the shortest wait between two checks of a
// stream's credential, so a clock that stands still cannot spin a stream.
const minCredentialCheck = 10 * time.Millisecond

// credentialWatch checks the credential of a long-lived answer again
// whenever the answer it was admitted with runs out: when the cached
// answer would be asked of the store again (Access.CacheTTL) or the
// credential expires, whichever is first. So an open stream learns of a
// revocation, expiry, disabled user or sign-out within the same bound as
// a new request does.
type credentialWatch struct {
	ac    *accessControl
	p     *principal
	timer *time.Timer
}

// watchCredential starts watching the credential of r. Without access
// control, or for an anonymous request, it watches nothing and C never
// fires.
func (ac *accessControl) watchCredential(r *http.Request) *credentialWatch {
	p, ok := principalFrom(r.Context())
	if ac == nil || !ok || p.anonymous() {
		return &credentialWatch{}
	}
	cw := &credentialWatch{ac: ac, p: p}
	_, checked, err := ac.lookupHash(r.Context(), p.credential.Kind, p.secret)
	if err != nil {
		checked = ac.cfg.Now() // check again at once, when C fires
	}
	cw.timer = time.NewTimer(cw.wait(checked))
	return cw
}

// C fires when the credential is due a check; nil when nothing is watched.
func (cw *credentialWatch) C() <-chan time.Time {
	if cw.timer == nil {
		return nil
	}
	return cw.timer.C
}

// guard is the watch as a stream's patrolling.Guard: the stream ends with
// the StreamEnd that check returns.
func (cw *credentialWatch) guard() patrolling.Guard {
	return patrolling.Guard{C: cw.C(), Check: func(ctx context.Context) any {
		if end := cw.check(ctx); end != nil {
			return end
		}
		return nil
	}}
}

// stop releases the timer.
func (cw *credentialWatch) stop() {
	if cw.timer != nil {
		cw.timer.Stop()
	}
}

// wait is how long the answer had at checked holds.
func (cw *credentialWatch) wait(checked time.Time) time.Duration {
	ttl := cw.ac.cfg.CacheTTL
	if ttl <= 0 {
		ttl = DefaultAuthCacheTTL // no cache: every check asks the store
	}
	until := checked.Add(ttl)
	if exp := cw.p.credential.ExpiresAt; !exp.IsZero() && exp.Before(until) {
		until = exp
	}
	return max(minCredentialCheck, until.Sub(cw.ac.cfg.Now()))
}

// check checks the credential again, as a new request would. It returns
// nil while the credential holds (and arms the next check), or why the
// answer must end. A store that cannot answer ends nothing: the check is
// tried again after CacheTTL, and meanwhile the stream has nothing to
// send either.
func (cw *credentialWatch) check(ctx context.Context) *StreamEnd {
	a, checked, err := cw.ac.lookupHash(ctx, cw.p.credential.Kind, cw.p.secret)
	var pr *httpx.Problem
	switch {
	case errors.As(err, &pr) && errors.Is(pr.Kind, httpx.ErrUnauthenticated):
		if exp := cw.p.credential.ExpiresAt; !exp.IsZero() && !cw.ac.cfg.Now().Before(exp) {
			return &StreamEnd{Reason: "credential_expired", Detail: "the token or session this stream was opened with has expired; sign in again (or use a new token) and reconnect"}
		}
		return &StreamEnd{Reason: "credential_revoked", Detail: "the token or session this stream was opened with was revoked or signed out, or its user was disabled; sign in again (or use a new token) and reconnect"}
	case err != nil:
		cw.ac.logger.WarnContext(ctx, "could not check a stream's credential again; keeping the stream", "credential", cw.p.credential.ID, "err", err)
	case a.User.Role != cw.p.user.Role:
		return &StreamEnd{Reason: "role_changed", Detail: "the user's role changed from " + string(cw.p.user.Role) + " to " + string(a.User.Role) + "; reconnect to be admitted under the new role"}
	}
	cw.timer.Reset(cw.wait(checked))
	return nil
}
