package api

import (
	"sync/atomic"

	"github.com/prometheus/client_golang/prometheus"
)

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

// limiterLabels are the label values of the limiters, by limiterName.
var limiterLabels = [limiterCount]string{"login", "anonymous", "credential", "costly", "password_checks"}

// refusals counts the requests each limiter refused.
type refusals [limiterCount]atomic.Uint64

// refused counts one refusal by name and returns err, so a call site reads
// `return l.refused(limitX, problem)`.
func (l *limiter) refused(name limiterName, err error) error {
	l.refusals[name].Add(1)
	return err
}

// refusalCollectors returns jingge_ratelimit_refusals_total, one series
// per limiter.
func (l *limiter) refusalCollectors() []prometheus.Collector {
	out := make([]prometheus.Collector, limiterCount)
	for i := range limiterCount {
		out[i] = prometheus.NewCounterFunc(prometheus.CounterOpts{
			Name: "jingge_ratelimit_refusals_total", ConstLabels: prometheus.Labels{"limiter": limiterLabels[i]},
			Help: "Requests a limiter refused: login (failed sign-ins per user name and address, 429), anonymous (per client address without a credential, 429), credential (per token or session, 429), costly (expensive requests at once, 503), password_checks (sign-ins at once, 503).",
		}, func() float64 { return float64(l.refusals[i].Load()) })
	}
	return out
}
