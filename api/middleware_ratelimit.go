package api

import (
	"context"
	"errors"
	"jingge/api/httpx"
	"math"
	"runtime"
	"sync"
	"time"
)

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

// bucketIdle is how long an unused bucket is kept; a full bucket left this
// long is the same as a new one, so dropping it changes nothing.
const bucketIdle = 10 * time.Minute

// rate is a token-bucket rate: per second, and the bucket's size.
type rate struct {
	perSecond float64
	burst     float64
}

// limiter keeps one token bucket per key (credential or client address)
// and the semaphores of costly requests and password checks.
type limiter struct {
	now           func() time.Time
	perCredential rate
	anonymous     rate
	costly        chan struct{}
	logins        chan struct{}
	wait          time.Duration

	mu        sync.Mutex
	buckets   map[string]*bucket
	lastSweep time.Time
	// knownLogins holds, per "user|address", when the user last signed in
	// from the address (see loginThrottle).
	knownLogins map[string]time.Time

	// refusals counts what each limiter refused (limiter_refusals.go).
	refusals refusals
}

type bucket struct {
	tokens float64
	last   time.Time
}

func newLimiter(l Limits, now func() time.Time) *limiter {
	def := func(v, d float64) float64 {
		if v <= 0 {
			return d
		}
		return v
	}
	costly := l.Costly
	if costly <= 0 {
		costly = 2 * runtime.GOMAXPROCS(0)
	}
	logins := l.Logins
	if logins <= 0 {
		logins = DefaultLogins
	}
	wait := l.CostlyWait
	if wait <= 0 {
		wait = DefaultCostlyWait
	}
	return &limiter{
		now:           now,
		perCredential: rate{def(l.PerCredential, DefaultPerCredential), def(float64(l.PerCredentialBurst), DefaultPerCredentialBurst)},
		anonymous:     rate{def(l.Anonymous, DefaultAnonymous), def(float64(l.AnonymousBurst), DefaultAnonymousBurst)},
		costly:        make(chan struct{}, costly),
		logins:        make(chan struct{}, logins),
		wait:          wait,
		buckets:       map[string]*bucket{},
		knownLogins:   map[string]time.Time{},
		lastSweep:     now(),
	}
}

// allow takes one token from key's bucket. When it is empty it reports
// false and how long until a token is back.
func (l *limiter) allow(key string, rt rate) (time.Duration, bool) {
	return l.allowAll([]string{key}, []rate{rt})
}

// allowAll takes one token from each of keys' buckets (rates[i] for
// keys[i]), or from none when one is empty: then it reports false and how
// long until every one has a token back.
func (l *limiter) allowAll(keys []string, rates []rate) (time.Duration, bool) {
	now := l.now()
	l.mu.Lock()
	defer l.mu.Unlock()
	l.sweepLocked(now)
	var wait time.Duration
	for i, k := range keys {
		b := l.bucketLocked(k, rates[i], now)
		if b.tokens < 1 {
			wait = max(wait, time.Duration((1-b.tokens)/rates[i].perSecond*float64(time.Second)))
		}
	}
	if wait > 0 {
		return wait, false
	}
	for _, k := range keys {
		l.buckets[k].tokens--
	}
	return 0, true
}

// refund gives back a token allow took from key's bucket.
func (l *limiter) refund(key string, rt rate) {
	now := l.now()
	l.mu.Lock()
	defer l.mu.Unlock()
	b := l.bucketLocked(key, rt, now)
	b.tokens = math.Min(rt.burst, b.tokens+1)
}

// bucketLocked returns key's bucket, refilled up to now.
func (l *limiter) bucketLocked(key string, rt rate, now time.Time) *bucket {
	b, ok := l.buckets[key]
	if !ok {
		b = &bucket{tokens: rt.burst, last: now}
		l.buckets[key] = b
	}
	if elapsed := now.Sub(b.last).Seconds(); elapsed > 0 {
		b.tokens = math.Min(rt.burst, b.tokens+elapsed*rt.perSecond)
		b.last = now
	}
	return b
}

// sweepLocked drops buckets unused for bucketIdle, at most once per
// bucketIdle.
func (l *limiter) sweepLocked(now time.Time) {
	if now.Sub(l.lastSweep) <= bucketIdle {
		return
	}
	for k, b := range l.buckets {
		if now.Sub(b.last) > bucketIdle {
			delete(l.buckets, k)
		}
	}
	l.lastSweep = now
}

// acquire waits for a slot of the costly semaphore; the caller must call
// release. It gives up with a 503 after the configured wait.
func (l *limiter) acquire(ctx context.Context) (release func(), err error) {
	release, err = acquireSlot(ctx, l.costly, l.wait, "the server is busy with other expensive requests; retry in a moment")
	if errors.Is(err, httpx.ErrBusy) {
		l.refusals[limitCostly].Add(1)
	}
	return release, err
}

// acquireLogin is acquire for password checks.
func (l *limiter) acquireLogin(ctx context.Context) (release func(), err error) {
	release, err = acquireSlot(ctx, l.logins, l.wait, "too many sign-ins at once; retry in a moment")
	if errors.Is(err, httpx.ErrBusy) {
		l.refusals[limitPasswordChecks].Add(1)
	}
	return release, err
}

func acquireSlot(ctx context.Context, sem chan struct{}, wait time.Duration, busy string) (func(), error) {
	select {
	case sem <- struct{}{}:
		return func() { <-sem }, nil
	default:
	}
	t := time.NewTimer(wait)
	defer t.Stop()
	select {
	case sem <- struct{}{}:
		return func() { <-sem }, nil
	case <-t.C:
		return nil, &httpx.Problem{Kind: httpx.ErrBusy, Type: httpx.ProblemType("busy"), Detail: busy, RetryAfterSeconds: 1}
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// tooManyRequests is the 429 of an empty bucket, with the whole seconds
// until the next token in Retry-After.
func tooManyRequests(wait time.Duration) *httpx.Problem {
	secs := int(math.Ceil(wait.Seconds()))
	if secs < 1 {
		secs = 1
	}
	return &httpx.Problem{Kind: httpx.ErrTooManyRequests, Type: httpx.ProblemType("too-many-requests"),
		Detail: "too many requests from this credential or address; slow down and retry after the time in Retry-After", RetryAfterSeconds: secs}
}
