package authhttp

import (
	"jingge/api/auth"
	"net/http"
	"net/url"
	"time"
)

// cookieNext holds where the one-time sign-in link should go (see
// LoginPage); it is sent only to the link's path.
const (
	CookieNext     = "jingge_next"
	nextCookiePath = auth.LoginLinkPath
	nextCookieLife = 30 * time.Minute
)

// LoginLink answers GET /api/v1/login/link?token=…: a one-time link
// (printed by the demo server at start, or made by an admin) opens a
// session and goes to the command center, or to the page the sign-in
// form remembered. The link works once.
func (g *Guard) LoginLink(w http.ResponseWriter, r *http.Request, q Query) error {
	if g == nil {
		_ = get(q, "token")
		writePage(w, noAccessPage)
		return nil
	}
	if site := r.Header.Get("Sec-Fetch-Site"); site != "" && site != "none" && site != "same-origin" {
		// A link followed from another site could sign a visitor into
		// someone else's account.
		return forbidden("open the sign-in link directly (paste it into the address bar), not from another site")
	}
	a, err := g.svc.UseLoginLink(r.Context(), get(q, "token"))
	if err != nil {
		return Problem(err)
	}
	sess, err := g.openSession(w, r, a.User, "login link")
	if err != nil {
		return err
	}
	if err := g.svc.AuditSignIn(r.Context(), "loginLink", sess, g.request(r, g.ClientIP(r)), http.StatusSeeOther, "link "+a.Credential.ID); err != nil {
		return Problem(err)
	}
	http.SetCookie(w, g.nextCookie(r, ""))
	http.Redirect(w, r, nextFromCookie(r), http.StatusSeeOther)
	return nil
}

// nextCookie sets (or with next "" deletes) the cookie naming where the
// sign-in link goes.
func (g *Guard) nextCookie(r *http.Request, next string) *http.Cookie {
	c := &http.Cookie{Name: CookieNext, Value: url.QueryEscape(next), Path: nextCookiePath,
		HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: g.secure(r), MaxAge: int(nextCookieLife / time.Second)}
	if next == "" {
		c.Value, c.MaxAge = "", -1
	}
	return c
}

// nextFromCookie is where the sign-in link goes: the page remembered by
// the login form, else the command center.
func nextFromCookie(r *http.Request) string {
	c, err := r.Cookie(CookieNext)
	if err != nil {
		return "/"
	}
	next, err := url.QueryUnescape(c.Value)
	if err != nil {
		return "/"
	}
	return safeNext(next)
}
