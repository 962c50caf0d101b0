package auth

import (
	"math"
	"time"
)

// Reason says why access control refused a request.
type Reason int

// The reasons of a refusal.
const (
	// Unauthenticated: a credential was needed, or the one presented is
	// unknown, expired or revoked.
	Unauthenticated Reason = iota + 1
	// Forbidden: the caller is known but may not do this.
	Forbidden
	// TooManyRequests: a rate limit or the sign-in throttle.
	TooManyRequests
	// Busy: too many expensive requests or password checks at once.
	Busy
	// AuditUnavailable: the request must be audited and the audit log
	// cannot take its entry now.
	AuditUnavailable
)

// Refusal is a request access control will not serve, in words for the
// person who sent it.
type Refusal struct {
	Reason Reason
	// Detail says what is wrong and what to do.
	Detail string
	// RetryAfterSeconds, when positive, is how long to wait before trying
	// again.
	RetryAfterSeconds int
	// Cause is the error behind it, for the log.
	Cause error
}

func (r *Refusal) Error() string {
	if r.Cause != nil {
		return "auth: " + r.Detail + ": " + r.Cause.Error()
	}
	return "auth: " + r.Detail
}

// Unwrap exposes the cause to errors.Is and errors.As.
func (r *Refusal) Unwrap() error { return r.Cause }

// RefuseUnauthenticated is an Unauthenticated refusal saying detail.
func RefuseUnauthenticated(detail string) *Refusal {
	return &Refusal{Reason: Unauthenticated, Detail: detail}
}

// RefuseForbidden is a Forbidden refusal saying detail.
func RefuseForbidden(detail string) *Refusal {
	return &Refusal{Reason: Forbidden, Detail: detail}
}

// tooManyRequests is the refusal of an empty bucket, with the whole
// seconds until the next token to wait.
func tooManyRequests(wait time.Duration) *Refusal {
	return &Refusal{Reason: TooManyRequests, RetryAfterSeconds: max(1, int(math.Ceil(wait.Seconds()))),
		Detail: "too many requests from this credential or address; slow down and retry after the time in Retry-After"}
}

// tooManySignIns is the refusal of a throttled sign-in.
func tooManySignIns(wait time.Duration) *Refusal {
	r := tooManyRequests(wait)
	r.Detail = "too many failed sign-ins for this user name or from this address; wait the seconds in Retry-After, then try again (ask an admin to reset a forgotten password with jingge users passwd)"
	return r
}
