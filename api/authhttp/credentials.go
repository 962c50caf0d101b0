package authhttp

import (
	"net"
	"net/http"
	"strings"
	"time"

	"jingge/api/auth"
	"jingge/data"
)

// Cookie names. The __Host- prefix (only over HTTPS) makes browsers refuse
// the cookie unless it is Secure, host-only and for the whole site.
const (
	CookieSession       = "jingge_session"
	CookieSessionSecure = "__Host-jingge_session"
)

// authenticate finds the principal of r: a bearer token first, else a
// session cookie, else anonymous. A credential that is presented but does
// not authenticate is an Unauthenticated refusal; a store that cannot
// answer (and no cached answer) is data.ErrUnavailable.
func (g *Guard) authenticate(r *http.Request) (p auth.Principal, viaCookie bool, err error) {
	if h := r.Header.Get("Authorization"); h != "" {
		secret, ok := bearerToken(h)
		if !ok {
			return p, false, auth.RefuseUnauthenticated("the Authorization header must be \"Bearer <token>\"")
		}
		p, err = g.svc.Authenticate(r.Context(), data.KindToken, secret)
		return p, false, err
	}
	if secret, ok := sessionCookie(r); ok {
		p, err = g.svc.Authenticate(r.Context(), data.KindSession, secret)
		return p, true, err
	}
	return p, false, nil
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
func sessionCookie(r *http.Request) (string, bool) {
	for _, name := range []string{CookieSessionSecure, CookieSession} {
		if c, err := r.Cookie(name); err == nil && c.Value != "" {
			return c.Value, true
		}
	}
	return "", false
}

// ClientIP is the address the request came from: the connection's peer,
// or, behind a trusted proxy, the last address in X-Forwarded-For (the
// one the proxy itself added).
func (g *Guard) ClientIP(r *http.Request) string {
	if g.cfg.TrustProxy {
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
func (g *Guard) secure(r *http.Request) bool {
	return g.cfg.SecureCookies || r.TLS != nil ||
		g.cfg.TrustProxy && strings.EqualFold(r.Header.Get("X-Forwarded-Proto"), "https")
}

// sessionCookieFor is the cookie carrying secret until expires (or, with an
// empty secret, the one that deletes it).
func (g *Guard) sessionCookieFor(r *http.Request, secret string, expires time.Time) *http.Cookie {
	c := &http.Cookie{
		Name:     CookieSession,
		Value:    secret,
		Path:     "/",
		HttpOnly: true,
		SameSite: http.SameSiteLaxMode,
	}
	if g.secure(r) {
		c.Name, c.Secure = CookieSessionSecure, true
	}
	if secret == "" {
		c.MaxAge = -1
	} else {
		c.Expires = expires
		c.MaxAge = max(1, int(expires.Sub(g.cfg.Now()).Seconds()))
	}
	return c
}
