package api

import "context"

// keyScope is the scope of the Idempotency-Key of the request with ctx
// (data.ScopeCommandLine explains scopes): the signed-in user's name, so
// one user's keys never meet another's. A server without access control
// has one scope, the empty one.
//
// It is the user, not the credential, so a gateway that retries a batch
// with a new token, or an officer who signs in again, is still
// recognised.
func keyScope(ctx context.Context) string {
	if p, ok := principalFrom(ctx); ok && !p.anonymous() {
		return p.user.Name
	}
	return ""
}
