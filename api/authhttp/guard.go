package authhttp

import (
	"context"
	"errors"
	"log/slog"
	"net/http"

	"jingge/api/auth"
	"jingge/api/httpx"
	"jingge/data"
)

// Route is what the guard needs of a route's access declaration.
type Route struct {
	// Name names the route in the audit log and in errors.
	Name string
	// Declared is false for a route nobody declared access for: it serves
	// no one (500).
	Declared bool
	// Public routes admit anyone, signed in or not.
	Public bool
	// Admits reports whether a user of a role may call the route.
	Admits func(data.Role) bool
	// For names who the route is for ("viewer, planner, admin"), in the
	// 403 of a caller it does not admit.
	For string
	// Audited reports whether a request must have its audit entry stored
	// before it runs.
	Audited func(*http.Request) bool
	// Costly routes run under the bound on expensive requests.
	Costly bool
}

// Options configure a Guard.
type Options struct {
	// Logger receives the errors of refused requests; nil discards them.
	Logger *slog.Logger
	// Attach returns ctx carrying p, the principal of a request the guard
	// admits; Caller returns it again. The package mounting the guard owns
	// how a principal rides in a context, since its handlers read it.
	Attach func(ctx context.Context, p auth.Principal) context.Context
	Caller func(ctx context.Context) (*auth.Principal, bool)
}

// Guard checks every request of a server with access control. A nil
// *Guard is a server without: Wrap lets everything through and the
// sign-in routes say there is nothing to sign in to.
type Guard struct {
	svc    *auth.Service
	cfg    auth.Config
	csrf   *http.CrossOriginProtection
	logger *slog.Logger
	attach func(context.Context, auth.Principal) context.Context
	caller func(context.Context) (*auth.Principal, bool)
}

// New returns the guard of svc.
func New(svc *auth.Service, opts Options) *Guard {
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	return &Guard{svc: svc, cfg: svc.Config(), csrf: http.NewCrossOriginProtection(), logger: opts.Logger, attach: opts.Attach, caller: opts.Caller}
}

// Service is the access control the guard applies; nil for a nil g.
func (g *Guard) Service() *auth.Service {
	if g == nil {
		return nil
	}
	return g.svc
}

// Wrap guards next, a route declared rt: it authenticates, authorises,
// checks the origin of cookie-authenticated writes, applies the rate
// limits and the concurrency bound, and audits, in that order, before
// next runs. A nil g lets everything through.
func (g *Guard) Wrap(rt Route, next http.Handler) http.Handler {
	if g == nil {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := g.check(w, r, rt, next); err != nil {
			httpx.WriteError(w, r, g.logger, Problem(err))
		}
	})
}

func (g *Guard) check(w http.ResponseWriter, r *http.Request, rt Route, next http.Handler) error {
	if !rt.Declared {
		// Fail closed: a route nobody thought about serves no one.
		return errors.New("authhttp: route " + rt.Name + " has no access declaration")
	}
	p, viaCookie, err := g.authenticate(r)
	ip := g.ClientIP(r)
	limits := g.svc.Limiter()
	var rf *auth.Refusal
	switch {
	case errors.As(err, &rf) && rf.Reason == auth.Unauthenticated:
		// A bad secret costs its sender a token from the address's bucket,
		// so guessing is as slow as the anonymous limit.
		if err := limits.AllowAnonymous(ip); err != nil {
			return err
		}
		if !rt.Public {
			return err
		}
		p = auth.Principal{}
	case err != nil:
		return err
	}
	if !rt.Public {
		if p.Anonymous() {
			return auth.RefuseUnauthenticated("sign in first: send Authorization: Bearer <token>, or sign in at /login for a session cookie")
		}
		if !rt.Admits(p.User.Role) {
			return auth.RefuseForbidden("user " + p.User.Name + " (" + string(p.User.Role) + ") may not use this endpoint; it is for " + rt.For)
		}
	}
	if (viaCookie || p.Anonymous()) && !SafeMethod(r.Method) {
		// Writes riding on a cookie (and sign-ins) must come from our own
		// pages: browsers say where a request comes from (Sec-Fetch-Site,
		// Origin), and a cross-site form or fetch is refused.
		if err := g.csrf.Check(r); err != nil {
			return auth.RefuseForbidden("cross-site request refused: state-changing requests with a session cookie must come from this site's own pages")
		}
	}
	if p.Anonymous() {
		err = limits.AllowAnonymous(ip)
	} else {
		err = limits.AllowCredential(p.Credential.ID)
	}
	if err != nil {
		return err
	}
	if rt.Costly {
		release, err := limits.Acquire(r.Context())
		if err != nil {
			return err
		}
		defer release()
	}
	if ctx := g.attach(r.Context(), p); ctx != r.Context() {
		r = r.WithContext(ctx)
	}
	if rt.Audited(r) {
		if err := g.svc.Audit(r.Context(), g.svc.Entry(rt.Name, p, g.request(r, ip))); err != nil {
			return err
		}
	}
	next.ServeHTTP(w, r)
	return nil
}

// SafeMethod reports a method that changes nothing: GET, HEAD, OPTIONS.
func SafeMethod(m string) bool {
	return m == http.MethodGet || m == http.MethodHead || m == http.MethodOptions
}

// request is what the audit log records of r, from client address ip.
func (g *Guard) request(r *http.Request, ip string) auth.Request {
	return auth.Request{Method: r.Method, Target: httpx.RedactedTarget(r.URL), Remote: ip, RequestID: httpx.RequestIDFrom(r.Context())}
}

// Note stores an audit entry of action about r, a request audited under
// its route already, with detail: what the request did that its target
// does not say (a plan applied over its roster rules). Without access
// control or a principal there is no log to write to.
func (g *Guard) Note(r *http.Request, action, detail string) error {
	if g == nil {
		return nil
	}
	p, ok := g.caller(r.Context())
	if !ok {
		return nil
	}
	e := g.svc.Entry(action, *p, g.request(r, g.ClientIP(r)))
	e.Detail = detail
	return Problem(g.svc.Audit(r.Context(), e))
}
