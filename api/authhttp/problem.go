package authhttp

import (
	"errors"

	"jingge/api/auth"
	"jingge/api/httpx"
)

// refusalKinds are the error kind and problem type of each reason of an
// auth.Refusal; the kind picks the HTTP status (httpx's table).
var refusalKinds = map[auth.Reason]struct {
	kind error
	name string
}{
	auth.Unauthenticated:  {httpx.ErrUnauthenticated, "unauthenticated"},
	auth.Forbidden:        {httpx.ErrForbidden, "forbidden"},
	auth.TooManyRequests:  {httpx.ErrTooManyRequests, "too-many-requests"},
	auth.Busy:             {httpx.ErrBusy, "busy"},
	auth.AuditUnavailable: {httpx.ErrAuditUnavailable, "audit-unavailable"},
}

// Problem is err as a problem document when it holds an auth.Refusal:
// 401, 403, 429 or 503 with the refusal's words and Retry-After. Other
// errors pass as they are.
func Problem(err error) error {
	var rf *auth.Refusal
	if !errors.As(err, &rf) {
		return err
	}
	k, ok := refusalKinds[rf.Reason]
	if !ok {
		return err
	}
	return &httpx.Problem{Kind: k.kind, Type: httpx.ProblemType(k.name), Detail: rf.Detail, RetryAfterSeconds: rf.RetryAfterSeconds, Cause: rf.Cause}
}

func unauthenticated(detail string) error { return Problem(auth.RefuseUnauthenticated(detail)) }

func forbidden(detail string) error { return Problem(auth.RefuseForbidden(detail)) }
