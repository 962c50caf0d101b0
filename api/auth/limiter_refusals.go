package auth

import "sync/atomic"

// limiterName names one of the server's limiters in the refusal counts of
// /metrics: a fixed set, so a label never holds a key, an address or a
// user.
type limiterName int

// The limiters that refuse requests.
const (
	limitLogin          limiterName = iota // failed sign-ins per user name and address (login_throttle.go): 429
	limitAnonymous                         // requests without a valid credential, per client address: 429
	limitCredential                        // requests of one token or session: 429
	limitCostly                            // expensive requests running at once: 503 busy
	limitPasswordChecks                    // password checks running at once: 503 busy
	limiterCount
)

// LimiterNames are the names of the limiters, as the refusal counts of
// /metrics label them: "login", "anonymous", "credential", "costly" and
// "password_checks".
var LimiterNames = [limiterCount]string{"login", "anonymous", "credential", "costly", "password_checks"}

// refusals counts the requests each limiter refused.
type refusals [limiterCount]atomic.Uint64

// refused counts one refusal by name and returns err, so a call site reads
// `return l.refused(limitX, refusal)`.
func (l *Limiter) refused(name limiterName, err error) error {
	l.refusals[name].Add(1)
	return err
}

// Refusals returns how many requests the limiter LimiterNames[i] refused;
// 0 for an i out of range.
func (l *Limiter) Refusals(i int) uint64 {
	if i < 0 || i >= int(limiterCount) {
		return 0
	}
	return l.refusals[i].Load()
}
