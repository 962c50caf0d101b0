package api

import (
	"context"
	"errors"
	"jingge/api/httpx"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"jingge/data"
)

// Access control defaults for the zero fields of Access.
const (
	DefaultSessionTTL   = 12 * time.Hour
	DefaultLoginLinkTTL = 15 * time.Minute
	DefaultAuthCacheTTL = 10 * time.Second
	// DefaultAuthMaxStale is how long a secret checked before keeps working
	// while the store cannot be reached, so reads go on during a database
	// restart. A revocation made meanwhile applies once the store is back.
	DefaultAuthMaxStale = 15 * time.Minute
	// authCacheMax bounds the cache of authenticated secrets.
	authCacheMax = 20_000
)

// Cookie names. The __Host- prefix (only over HTTPS) makes browsers refuse
// the cookie unless it is Secure, host-only and for the whole site.
const (
	cookieSession       = "jingge_session"
	cookieSessionSecure = "__Host-jingge_session"
)

// Access configures access control: who may call what, with which
// credentials, how often, and the audit of what they did. A Server
// without one (Config.Access nil) checks nothing: that is for tests and
// for embedding the API behind a gateway that does these jobs; `jingge
// serve` always sets one.
type Access struct {
	// Store holds users and credentials, and is the audit log unless Audit
	// is set.
	Store data.AuthStore
	// Audit receives the audit entries; nil means Store.
	Audit data.AuditLog
	// SecureCookies marks the session cookie Secure even over plain HTTP
	// (behind a TLS-terminating proxy that does not say so).
	SecureCookies bool
	// TrustProxy takes the client address from the last X-Forwarded-For
	// entry and the scheme from X-Forwarded-Proto, as set by a reverse
	// proxy in front of the server. Leave it off when clients connect
	// directly: they could claim any address.
	TrustProxy bool
	// SessionTTL is how long a web session lasts (DefaultSessionTTL).
	SessionTTL time.Duration
	// CacheTTL is how long an authenticated secret is trusted before the
	// store is asked again (DefaultAuthCacheTTL): a revocation elsewhere
	// takes effect within it. Negative disables the cache.
	CacheTTL time.Duration
	// MaxStale is how long a cached secret stays good while the store is
	// unavailable (DefaultAuthMaxStale).
	MaxStale time.Duration
	// Limits are the request rate and concurrency limits.
	Limits Limits
	// Now is the clock; nil is time.Now.
	Now func() time.Time
}

// principal is who makes a request. Every request through a server with
// access control carries one (anonymous on public routes without
// credentials); a request without one was served without access control.
type principal struct {
	user       data.User
	credential data.Credential // zero when anonymous
	// secret is the hash of the secret presented, so a long-lived answer
	// (an event stream) can check it again while it runs.
	secret [32]byte
}

func (p *principal) anonymous() bool { return p.user.Name == "" }

// actorOf names who makes a change, for the grid history and the plans:
// the signed-in user, or "api" on a server run without access control.
func actorOf(r *http.Request) string {
	if p, ok := principalFrom(r.Context()); ok && !p.anonymous() {
		return p.user.Name
	}
	return "api"
}

type principalKey struct{}

// principalFrom returns the request's principal, if access control runs.
func principalFrom(ctx context.Context) (*principal, bool) {
	p, ok := ctx.Value(principalKey{}).(*principal)
	return p, ok
}

// accessControl is a server's access-control state.
type accessControl struct {
	cfg     Access
	audit   *auditWriter
	limits  *limiter
	csrf    *http.CrossOriginProtection
	logger  *slog.Logger
	cacheMu sync.Mutex
	cache   map[[32]byte]authCacheEntry
}

type authCacheEntry struct {
	auth    data.Authenticated
	checked time.Time
}

// newAccessControl returns nil for a nil cfg: no access control.
func newAccessControl(cfg *Access, logger *slog.Logger) *accessControl {
	if cfg == nil {
		return nil
	}
	c := *cfg
	if c.SessionTTL <= 0 {
		c.SessionTTL = DefaultSessionTTL
	}
	if c.CacheTTL == 0 {
		c.CacheTTL = DefaultAuthCacheTTL
	}
	if c.MaxStale <= 0 {
		c.MaxStale = DefaultAuthMaxStale
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.Audit == nil {
		c.Audit = c.Store
	}
	ac := &accessControl{
		cfg:    c,
		audit:  newAuditWriter(c.Audit),
		limits: newLimiter(c.Limits, c.Now),
		csrf:   http.NewCrossOriginProtection(),
		logger: logger,
		cache:  map[[32]byte]authCacheEntry{},
	}
	return ac
}

func unauthenticated(detail string) *httpx.Problem {
	return &httpx.Problem{Kind: httpx.ErrUnauthenticated, Type: httpx.ProblemType("unauthenticated"), Detail: detail}
}

func forbidden(detail string) *httpx.Problem {
	return &httpx.Problem{Kind: httpx.ErrForbidden, Type: httpx.ProblemType("forbidden"), Detail: detail}
}

// guard wraps a route's handler with its access declaration: it
// authenticates, authorises, checks the origin of cookie-authenticated
// writes, applies the rate limits and the concurrency bound, and audits,
// in that order, before next runs. A nil ac lets everything through.
func (ac *accessControl) guard(name string, acc access, next http.Handler) http.Handler {
	if ac == nil {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := ac.check(w, r, name, acc, next); err != nil {
			httpx.WriteError(w, r, ac.logger, err)
		}
	})
}

func (ac *accessControl) check(w http.ResponseWriter, r *http.Request, name string, acc access, next http.Handler) error {
	if !acc.declared {
		// Fail closed: a route nobody thought about serves no one.
		return errors.New("api: route " + name + " has no access declaration")
	}
	p, viaCookie, err := ac.authenticate(r)
	ip := ac.clientIP(r)
	switch {
	case err != nil && errors.Is(err, httpx.ErrUnauthenticated):
		// A bad secret costs its sender a token from the address's bucket,
		// so guessing is as slow as the anonymous limit.
		if wait, ok := ac.limits.allow("ip:"+ip, ac.limits.anonymous); !ok {
			return ac.limits.refused(limitAnonymous, tooManyRequests(wait))
		}
		if !acc.public {
			return err
		}
		p = &principal{}
	case err != nil:
		return err
	}
	if !acc.public {
		if p.anonymous() {
			return unauthenticated("sign in first: send Authorization: Bearer <token>, or sign in at /login for a session cookie")
		}
		if !acc.admits(p.user.Role) {
			return forbidden("user " + p.user.Name + " (" + string(p.user.Role) + ") may not use this endpoint; it is for " + acc.String())
		}
	}
	if viaCookie && !safeMethod(r.Method) || p.anonymous() && !safeMethod(r.Method) {
		// Writes riding on a cookie (and sign-ins) must come from our own
		// pages: browsers say where a request comes from (Sec-Fetch-Site,
		// Origin), and a cross-site form or fetch is refused.
		if err := ac.csrf.Check(r); err != nil {
			return forbidden("cross-site request refused: state-changing requests with a session cookie must come from this site's own pages")
		}
	}
	key, rate, lim := "ip:"+ip, ac.limits.anonymous, limitAnonymous
	if !p.anonymous() {
		key, rate, lim = "cred:"+p.credential.ID, ac.limits.perCredential, limitCredential
	}
	if wait, ok := ac.limits.allow(key, rate); !ok {
		return ac.limits.refused(lim, tooManyRequests(wait))
	}
	if acc.costly {
		release, err := ac.limits.acquire(r.Context())
		if err != nil {
			return err
		}
		defer release()
	}
	ctx := context.WithValue(r.Context(), principalKey{}, p)
	r = r.WithContext(ctx)
	if acc.audited(r) {
		if err := ac.audit.append(ctx, ac.entry(r, name, p, ip)); err != nil {
			return err
		}
	}
	next.ServeHTTP(w, r)
	return nil
}

func safeMethod(m string) bool {
	return m == http.MethodGet || m == http.MethodHead || m == http.MethodOptions
}

// authenticate finds the principal of r: a bearer token first, else a
// session cookie, else anonymous. A credential that is presented but does
// not authenticate is an errUnauthenticated problem; a store that cannot
// answer (and no cached answer) is ErrUnavailable.
func (ac *accessControl) authenticate(r *http.Request) (p *principal, viaCookie bool, err error) {
	if h := r.Header.Get("Authorization"); h != "" {
		secret, ok := bearerToken(h)
		if !ok {
			return nil, false, unauthenticated("the Authorization header must be \"Bearer <token>\"")
		}
		a, err := ac.lookup(r.Context(), data.KindToken, secret)
		if err != nil {
			return nil, false, err
		}
		return &principal{user: a.User, credential: a.Credential, secret: data.HashSecret(secret)}, false, nil
	}
	if secret, ok := ac.sessionCookie(r); ok {
		a, err := ac.lookup(r.Context(), data.KindSession, secret)
		if err != nil {
			return nil, true, err
		}
		return &principal{user: a.User, credential: a.Credential, secret: data.HashSecret(secret)}, true, nil
	}
	return &principal{}, false, nil
}

// bearerToken parses an Authorization header value "Bearer <secret>"
// (scheme case-insensitive, RFC 9110).
func bearerToken(h string) (string, bool) {
	scheme, secret, ok := strings.Cut(h, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return "", false
	}
	secret = strings.TrimSpace(secret)
	return secret, secret != ""
}

// sessionCookie returns the session secret sent by the browser, preferring
// the __Host- cookie.
func (ac *accessControl) sessionCookie(r *http.Request) (string, bool) {
	for _, name := range []string{cookieSessionSecure, cookieSession} {
		if c, err := r.Cookie(name); err == nil && c.Value != "" {
			return c.Value, true
		}
	}
	return "", false
}

// lookup authenticates a secret through the cache, then the store.
func (ac *accessControl) lookup(ctx context.Context, kind data.CredentialKind, secret string) (data.Authenticated, error) {
	if !data.WellFormedSecret(secret) {
		return data.Authenticated{}, unauthenticated("the credential is not one this server issued; sign in again or ask an admin for a token")
	}
	a, _, err := ac.lookupHash(ctx, kind, data.HashSecret(secret))
	return a, err
}

// lookupHash authenticates the secret with hash through the cache, then
// the store, and says when the answer was had from the store: it holds
// until CacheTTL after that (or the credential's expiry, if sooner).
func (ac *accessControl) lookupHash(ctx context.Context, kind data.CredentialKind, hash [32]byte) (data.Authenticated, time.Time, error) {
	now := ac.cfg.Now()
	ac.cacheMu.Lock()
	e, cached := ac.cache[hash]
	ac.cacheMu.Unlock()
	if cached && e.auth.Credential.Kind == kind && now.Sub(e.checked) < ac.cfg.CacheTTL && e.auth.Credential.Active(now) {
		return e.auth, e.checked, nil
	}
	a, err := ac.cfg.Store.Authenticate(ctx, kind, hash, now)
	switch {
	case err == nil:
		ac.remember(hash, a, now)
		return a, now, nil
	case errors.Is(err, data.ErrUnauthenticated):
		ac.forget(hash)
		return data.Authenticated{}, now, unauthenticated("the credential is unknown, expired or revoked, or its user is disabled; sign in again or ask an admin for a new token")
	case errors.Is(err, data.ErrUnavailable) && cached && e.auth.Credential.Kind == kind && now.Sub(e.checked) < ac.cfg.MaxStale && e.auth.Credential.Active(now):
		ac.logger.WarnContext(ctx, "auth store unavailable; trusting a recent answer", "credential", e.auth.Credential.ID, "err", err)
		return e.auth, now, nil
	}
	return data.Authenticated{}, now, err
}

func (ac *accessControl) remember(hash [32]byte, a data.Authenticated, now time.Time) {
	if ac.cfg.CacheTTL < 0 {
		return
	}
	ac.cacheMu.Lock()
	defer ac.cacheMu.Unlock()
	if len(ac.cache) >= authCacheMax {
		for h, e := range ac.cache {
			if now.Sub(e.checked) >= ac.cfg.MaxStale || !e.auth.Credential.Active(now) {
				delete(ac.cache, h)
			}
		}
		if len(ac.cache) >= authCacheMax {
			clear(ac.cache)
		}
	}
	ac.cache[hash] = authCacheEntry{auth: a, checked: now}
}

func (ac *accessControl) forget(hash [32]byte) {
	ac.cacheMu.Lock()
	delete(ac.cache, hash)
	ac.cacheMu.Unlock()
}

// clientIP is the address the request came from: the connection's peer,
// or, behind a trusted proxy, the last address in X-Forwarded-For (the
// one the proxy itself added).
func (ac *accessControl) clientIP(r *http.Request) string {
	if ac.cfg.TrustProxy {
		if xff := r.Header.Values("X-Forwarded-For"); len(xff) > 0 {
			last := xff[len(xff)-1]
			if i := strings.LastIndexByte(last, ','); i >= 0 {
				last = last[i+1:]
			}
			if ip := net.ParseIP(strings.TrimSpace(last)); ip != nil {
				return ip.String()
			}
		}
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// secure reports whether cookies set on r's answer must be Secure.
func (ac *accessControl) secure(r *http.Request) bool {
	return ac.cfg.SecureCookies || r.TLS != nil ||
		ac.cfg.TrustProxy && strings.EqualFold(r.Header.Get("X-Forwarded-Proto"), "https")
}

// sessionCookieFor is the cookie carrying secret until expires (or, with an
// empty secret, the one that deletes it).
func (ac *accessControl) sessionCookieFor(r *http.Request, secret string, expires time.Time) *http.Cookie {
	c := &http.Cookie{
		Name:     cookieSession,
		Value:    secret,
		Path:     "/",
		HttpOnly: true,
		SameSite: http.SameSiteLaxMode,
	}
	if ac.secure(r) {
		c.Name, c.Secure = cookieSessionSecure, true
	}
	if secret == "" {
		c.MaxAge = -1
	} else {
		c.Expires = expires
		c.MaxAge = max(1, int(expires.Sub(ac.cfg.Now()).Seconds()))
	}
	return c
}
