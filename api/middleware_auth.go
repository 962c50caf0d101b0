package api

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"jingge/api/auth"
	"jingge/api/authhttp"
	"jingge/api/httpx"
	"jingge/data"
)

// Access configures access control: who may call what, with which
// credentials, how often, and the audit of what they did (auth.Config). A
// Server without one (Config.Access nil) checks nothing: that is for tests
// and for embedding the API behind a gateway that does these jobs; `jingge
// serve` always sets one.
type Access = auth.Config

// Limits are the request rate and concurrency limits of Access.
type Limits = auth.Limits

// DefaultAuthCacheTTL is how long an authenticated secret is trusted
// before the store is asked again, unless Access.CacheTTL says.
const DefaultAuthCacheTTL = auth.DefaultCacheTTL

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
	if p, ok := ctx.Value(principalKey{}).(*principal); ok {
		return p, true
	}
	if st := httpx.StateOf(ctx); st != nil {
		p, ok := st.Caller().(*principal)
		return p, ok
	}
	return nil, false
}

// withPrincipal is ctx carrying p: the guard admitted its request. The
// principal goes to the request's State when it has one and holds no
// caller yet, which returns ctx itself and spares the guard a copy of the
// request; otherwise to a new value of the context, which principalFrom
// reads first.
func withPrincipal(ctx context.Context, p auth.Principal) context.Context {
	pr := &principal{user: p.User, credential: p.Credential, secret: p.Secret}
	if st := httpx.StateOf(ctx); st != nil && st.SetCaller(pr) {
		return ctx
	}
	return context.WithValue(ctx, principalKey{}, pr)
}

// callerOf is the principal withPrincipal put in ctx, for the sign-in
// routes.
func callerOf(ctx context.Context) (*auth.Principal, bool) {
	p, ok := principalFrom(ctx)
	if !ok {
		return nil, false
	}
	return &auth.Principal{User: p.user, Credential: p.credential, Secret: p.secret}, true
}

// accessControl is a server's access control (api/auth behind the HTTP
// guard of api/authhttp); nil on a server without.
type accessControl struct {
	// cfg is the configuration in force, defaults filled in.
	cfg    Access
	logger *slog.Logger
	web    *authhttp.Guard
	// limits reports the limiters' refusals at /metrics.
	limits limiterMetrics
}

// newAccessControl returns nil for a nil cfg: no access control.
func newAccessControl(cfg *Access, logger *slog.Logger) *accessControl {
	if cfg == nil {
		return nil
	}
	svc := auth.New(*cfg, logger)
	return &accessControl{
		cfg:    svc.Config(),
		logger: logger,
		web:    authhttp.New(svc, authhttp.Options{Logger: logger, Attach: withPrincipal, Caller: callerOf}),
		limits: limiterMetrics{svc.Limiter()},
	}
}

// guard wraps a route's handler with its access declaration
// (authhttp.Guard.Wrap). A nil ac lets everything through.
func (ac *accessControl) guard(name string, acc access, next http.Handler) http.Handler {
	if ac == nil {
		return next
	}
	return ac.web.Wrap(acc.route(name), next)
}

// lookupHash authenticates the secret with hash as a new request would,
// and says when the answer was had from the store (auth.Service.AuthenticateHash);
// a credential that no longer holds is an unauthenticated problem.
func (ac *accessControl) lookupHash(ctx context.Context, kind data.CredentialKind, hash [32]byte) (data.Authenticated, time.Time, error) {
	a, checked, err := ac.web.Service().AuthenticateHash(ctx, kind, hash)
	return a, checked, authhttp.Problem(err)
}

// note appends an audit entry of action about r with detail
// (authhttp.Guard.Note); without access control there is no log.
func (ac *accessControl) note(r *http.Request, action, detail string) error {
	if ac == nil {
		return nil
	}
	return ac.web.Note(r, action, detail)
}

// forbidden is the 403 of a caller the rules of a route refuse.
func forbidden(detail string) *httpx.Problem {
	return &httpx.Problem{Kind: httpx.ErrForbidden, Type: httpx.ProblemType("forbidden"), Detail: detail}
}

// limiterMetrics is what /metrics reads of the limiters.
type limiterMetrics struct{ l *auth.Limiter }

// refusalCollectors returns jingge_ratelimit_refusals_total.
func (m limiterMetrics) refusalCollectors() []prometheus.Collector {
	return authhttp.RefusalCollectors(m.l)
}
