package auth

import (
	"context"
	"math"
	"runtime"
	"sync"
	"time"
)

// bucketIdle is how long an unused bucket is kept; a full bucket left this
// long is the same as a new one, so dropping it changes nothing.
const bucketIdle = 10 * time.Minute

// rate is a token-bucket rate: per second, and the bucket's size.
type rate struct {
	perSecond float64
	burst     float64
}

// Limiter keeps one token bucket per key (credential or client address)
// and the semaphores of costly requests and password checks. It is safe
// for concurrent use.
type Limiter struct {
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

// NewLimiter returns the limiter of l (zero fields take the defaults) on
// the clock now.
func NewLimiter(l Limits, now func() time.Time) *Limiter {
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
	return &Limiter{
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

// AllowAnonymous takes a token from the bucket of requests without a valid
// credential from client address ip (a bad secret is charged here too, so
// guessing is as slow as the anonymous limit), or refuses with how long
// to wait.
func (l *Limiter) AllowAnonymous(ip string) error {
	if wait, ok := l.allow("ip:"+ip, l.anonymous); !ok {
		return l.refused(limitAnonymous, tooManyRequests(wait))
	}
	return nil
}

// AllowCredential takes a token from the bucket of the credential with
// id, or refuses with how long to wait.
func (l *Limiter) AllowCredential(id string) error {
	if wait, ok := l.allow("cred:"+id, l.perCredential); !ok {
		return l.refused(limitCredential, tooManyRequests(wait))
	}
	return nil
}

// allow takes one token from key's bucket. When it is empty it reports
// false and how long until a token is back.
func (l *Limiter) allow(key string, rt rate) (time.Duration, bool) {
	return l.allowAll([]string{key}, []rate{rt})
}

// allowAll takes one token from each of keys' buckets (rates[i] for
// keys[i]), or from none when one is empty: then it reports false and how
// long until every one has a token back.
func (l *Limiter) allowAll(keys []string, rates []rate) (time.Duration, bool) {
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
func (l *Limiter) refund(key string, rt rate) {
	now := l.now()
	l.mu.Lock()
	defer l.mu.Unlock()
	b := l.bucketLocked(key, rt, now)
	b.tokens = math.Min(rt.burst, b.tokens+1)
}

// bucketLocked returns key's bucket, refilled up to now.
func (l *Limiter) bucketLocked(key string, rt rate, now time.Time) *bucket {
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
func (l *Limiter) sweepLocked(now time.Time) {
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

// Acquire waits for a slot of the costly semaphore; the caller must call
// release. It gives up with a Busy refusal after the configured wait.
func (l *Limiter) Acquire(ctx context.Context) (release func(), err error) {
	return l.acquireSlot(ctx, l.costly, limitCostly, "the server is busy with other expensive requests; retry in a moment")
}

// acquireLogin is Acquire for password checks.
func (l *Limiter) acquireLogin(ctx context.Context) (release func(), err error) {
	return l.acquireSlot(ctx, l.logins, limitPasswordChecks, "too many sign-ins at once; retry in a moment")
}

func (l *Limiter) acquireSlot(ctx context.Context, sem chan struct{}, name limiterName, busy string) (func(), error) {
	select {
	case sem <- struct{}{}:
		return func() { <-sem }, nil
	default:
	}
	t := time.NewTimer(l.wait)
	defer t.Stop()
	select {
	case sem <- struct{}{}:
		return func() { <-sem }, nil
	case <-t.C:
		return nil, l.refused(name, &Refusal{Reason: Busy, Detail: busy, RetryAfterSeconds: 1})
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}
