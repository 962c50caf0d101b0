package authhttp

import (
	"github.com/prometheus/client_golang/prometheus"

	"jingge/api/auth"
)

// RefusalCollectors returns jingge_ratelimit_refusals_total of l, one
// series per limiter (auth.LimiterNames).
func RefusalCollectors(l *auth.Limiter) []prometheus.Collector {
	out := make([]prometheus.Collector, len(auth.LimiterNames))
	for i, name := range auth.LimiterNames {
		out[i] = prometheus.NewCounterFunc(prometheus.CounterOpts{
			Name: "jingge_ratelimit_refusals_total", ConstLabels: prometheus.Labels{"limiter": name},
			Help: "Requests a limiter refused: login (failed sign-ins per user name and address, 429), anonymous (per client address without a credential, 429), credential (per token or session, 429), costly (expensive requests at once, 503), password_checks (sign-ins at once, 503).",
		}, func() float64 { return float64(l.Refusals(i)) })
	}
	return out
}
