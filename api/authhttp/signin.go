package authhttp

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strings"
	"time"

	"jingge/api/auth"
	"jingge/api/httpx"
	"jingge/api/intake"
	"jingge/data"
)

// maxLoginBody caps a sign-in request body.
const maxLoginBody = 16 << 10

// Query is a route's query string as the mounting package checked it:
// the value of a parameter and whether it was given.
type Query interface {
	Lookup(name string) (string, bool)
}

func get(q Query, name string) string {
	v, _ := q.Lookup(name)
	return v
}

// errNoAccessControl answers the sign-in routes of a server that runs
// without access control.
func errNoAccessControl() error {
	return httpx.NotFound("this server runs without access control; there is nothing to sign in to")
}

// Me answers GET /api/v1/me: who the caller is.
func (g *Guard) Me(w http.ResponseWriter, r *http.Request, _ Query) error {
	if g == nil {
		return errNoAccessControl()
	}
	p, ok := g.caller(r.Context())
	if !ok || p.Anonymous() {
		return unauthenticated("not signed in")
	}
	httpx.WriteJSON(w, r, g.logger, http.StatusOK, httpx.ContentTypeJSON, auth.Me(p.User, p.Credential))
	return nil
}

// Login answers POST /api/v1/login: a user name and password for a
// session cookie. A form post (from the /login page) is redirected to its
// next page; a JSON post gets an auth.MeResponse.
func (g *Guard) Login(w http.ResponseWriter, r *http.Request, _ Query) error {
	if g == nil {
		return errNoAccessControl()
	}
	login, next, form, err := parseLogin(r)
	if err != nil {
		return err
	}
	var caller auth.Principal
	if p, ok := g.caller(r.Context()); ok {
		caller = *p
	}
	req := g.request(r, g.ClientIP(r))
	u, err := g.svc.SignIn(r.Context(), caller, login, req)
	switch {
	case errors.Is(err, auth.ErrWrongPassword) && form:
		http.Redirect(w, r, "/login?failed=1&next="+url.QueryEscape(next), http.StatusSeeOther)
		return nil
	case errors.Is(err, auth.ErrWrongPassword):
		return unauthenticated("wrong user name or password")
	case err != nil:
		return Problem(err)
	}
	sess, err := g.openSession(w, r, u, "password")
	if err != nil {
		return err
	}
	if err := g.svc.AuditSignIn(r.Context(), "login", sess, req, http.StatusOK, ""); err != nil {
		return Problem(err)
	}
	if form {
		http.Redirect(w, r, next, http.StatusSeeOther)
		return nil
	}
	httpx.WriteJSON(w, r, g.logger, http.StatusOK, httpx.ContentTypeJSON, auth.Me(u, sess.Credential))
	return nil
}

// openSession stores a new session for u and sets its cookie.
func (g *Guard) openSession(w http.ResponseWriter, r *http.Request, u data.User, label string) (auth.Session, error) {
	sess, err := g.svc.OpenSession(r.Context(), u, label)
	if err != nil {
		return sess, err
	}
	http.SetCookie(w, g.sessionCookieFor(r, sess.Secret, sess.Credential.ExpiresAt))
	w.Header().Add("Cache-Control", "no-store")
	return sess, nil
}

// parseLogin reads a JSON or form sign-in. next is a same-site path.
func parseLogin(r *http.Request) (req auth.LoginRequest, next string, form bool, err error) {
	body, err := io.ReadAll(io.LimitReader(r.Body, maxLoginBody+1))
	if err != nil {
		return req, "", false, httpx.BodyError(err)
	}
	if len(body) > maxLoginBody {
		return req, "", false, httpx.TooLarge("body-too-large", "a sign-in body is at most %d bytes", maxLoginBody)
	}
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	next = "/"
	switch mt {
	case "application/x-www-form-urlencoded":
		form = true
		v, perr := url.ParseQuery(string(body))
		if perr != nil {
			return req, "", true, httpx.InvalidBody("the form does not parse: %v", perr)
		}
		if bad := httpx.InvalidTextValues(v, "form field"); len(bad) > 0 {
			return req, "", true, httpx.Invalid(bad...)
		}
		req.User, req.Password = v.Get("user"), v.Get("password")
		next = safeNext(v.Get("next"))
	case "application/json", "":
		if bad := httpx.CheckJSONText(body); len(bad) > 0 {
			return req, "", false, httpx.Invalid(bad...)
		}
		dec := json.NewDecoder(strings.NewReader(string(body)))
		dec.DisallowUnknownFields()
		if derr := dec.Decode(&req); derr != nil {
			return req, "", false, httpx.InvalidBody("the body must be JSON like {\"user\": \"…\", \"password\": \"…\"}: %v", derr)
		}
	default:
		return req, "", false, &httpx.Problem{Kind: httpx.ErrUnsupportedMediaType, Type: httpx.ProblemType("unsupported-media-type"),
			Detail: fmt.Sprintf("send the sign-in as application/json or as a form (application/x-www-form-urlencoded), not %s", intake.Clip([]byte(mt)))}
	}
	if bad := req.Problems(); len(bad) > 0 && !form {
		params := make([]httpx.InvalidParam, len(bad))
		for i, p := range bad {
			params[i] = httpx.InvalidParam{Name: p.Name, Reason: p.Reason, Code: p.Code}
		}
		return req, "", false, httpx.Invalid(params...)
	}
	return req, next, form, nil
}

// safeNext keeps a redirect target on this site: a path starting with one
// slash, without a scheme, host or backslash tricks; anything else is "/".
func safeNext(next string) string {
	if next == "" || next[0] != '/' || strings.HasPrefix(next, "//") || strings.ContainsAny(next, "\\\r\n\t") {
		return "/"
	}
	u, err := url.Parse(next)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil {
		return "/"
	}
	return next
}

// Logout answers POST /api/v1/logout: the session used is revoked and its
// cookie deleted. Tokens are revoked with `jingge tokens revoke`.
func (g *Guard) Logout(w http.ResponseWriter, r *http.Request, _ Query) error {
	if g == nil {
		return errNoAccessControl()
	}
	if p, ok := g.caller(r.Context()); ok {
		if err := g.svc.SignOut(r.Context(), *p); err != nil {
			return err
		}
	}
	http.SetCookie(w, g.sessionCookieFor(r, "", time.Time{}))
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusNoContent)
	return nil
}
