package auth

import "time"

// Limits are the request limits of a server with access control. Zero
// fields take the defaults.
type Limits struct {
	// PerCredential is the sustained request rate of one token or session,
	// per second, and PerCredentialBurst how many requests it may send at
	// once after a pause. Defaults 100/s and 200.
	PerCredential      float64
	PerCredentialBurst int
	// Anonymous is the rate, per client address, of requests without a
	// valid credential (public routes, sign-ins, bad secrets), and
	// AnonymousBurst its burst. Defaults 5/s and 20: enough for people,
	// too little to guess passwords or tokens.
	Anonymous      float64
	AnonymousBurst int
	// Costly is how many expensive requests (batches, whole collections,
	// queries, planning) run at once, and CostlyWait how long one waits for
	// a slot before a 503. Defaults: twice the CPUs, 2 s.
	Costly     int
	CostlyWait time.Duration
	// Logins is how many password checks (Argon2id, about 19 MiB each) run
	// at once; more wait up to CostlyWait. Default 2.
	Logins int
}

// Rate limit defaults.
const (
	DefaultPerCredential      = 100
	DefaultPerCredentialBurst = 200
	DefaultAnonymous          = 5
	DefaultAnonymousBurst     = 20
	DefaultCostlyWait         = 2 * time.Second
	DefaultLogins             = 2
)
