package api

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"jingge/api/httpx"
	"mime"
	"net/http"
	"net/url"
	"strings"
	"time"

	"jingge/api/intake"
	"jingge/data"
)

// maxLoginBody caps a sign-in request body.
const maxLoginBody = 16 << 10

// LoginRequest is the body of POST /api/v1/login (JSON, or a form with the
// same fields plus next, the page to go to after signing in).
type LoginRequest struct {
	User     string `json:"user"`
	Password string `json:"password"`
}

// MeResponse says who the caller is: GET /api/v1/me and a sign-in's answer.
type MeResponse struct {
	User      string    `json:"user"`
	Role      data.Role `json:"role"`
	OfficerID string    `json:"officer_id,omitempty"`
	// Grants lists every role the user counts as, by the role lattice.
	Grants []data.Role `json:"grants"`
	// Auth is how the request was authenticated: "token" or "session".
	Auth      data.CredentialKind `json:"auth"`
	ExpiresAt *time.Time          `json:"expires_at,omitempty"`
	// Phones is "full" when the user is shown phone numbers in full,
	// "masked" when they read like 138****1234.
	Phones string `json:"phones"`
}

func meResponse(u data.User, c data.Credential) MeResponse {
	m := MeResponse{User: u.Name, Role: u.Role, OfficerID: u.OfficerID, Auth: c.Kind, Phones: "masked"}
	for _, r := range data.Roles {
		if u.Role.Grants(r) {
			m.Grants = append(m.Grants, r)
		}
	}
	if !c.ExpiresAt.IsZero() {
		t := c.ExpiresAt
		m.ExpiresAt = &t
	}
	if u.Role.SeesFullPhones() {
		m.Phones = "full"
	}
	return m
}

// errNoAccessControl answers the sign-in routes of a server that runs
// without access control.
func errNoAccessControl() error {
	return httpx.NotFound("this server runs without access control; there is nothing to sign in to")
}

// handleMe answers GET /api/v1/me.
func (ac *accessControl) handleMe(w http.ResponseWriter, r *http.Request, _ query) error {
	if ac == nil {
		return errNoAccessControl()
	}
	p, ok := principalFrom(r.Context())
	if !ok || p.anonymous() {
		return unauthenticated("not signed in")
	}
	httpx.WriteJSON(w, r, ac.logger, http.StatusOK, httpx.ContentTypeJSON, meResponse(p.user, p.credential))
	return nil
}

// handleLogin answers POST /api/v1/login: a user name and password for a
// session cookie. A form post (from the /login page) is redirected to its
// next page; a JSON post gets a MeResponse.
func (ac *accessControl) handleLogin(w http.ResponseWriter, r *http.Request, _ query) error {
	if ac == nil {
		return errNoAccessControl()
	}
	req, next, form, err := parseLogin(r)
	if err != nil {
		return err
	}
	p, _ := principalFrom(r.Context())
	ip := ac.clientIP(r)
	fail := func(detail string) error {
		e := ac.entry(r, "login", p, ip)
		e.Actor, e.Status, e.Detail = req.User, http.StatusUnauthorized, detail
		if err := ac.audit.append(r.Context(), e); err != nil {
			ac.logger.WarnContext(r.Context(), "could not audit a failed sign-in", "user", req.User, "err", err)
		}
		if form {
			http.Redirect(w, r, "/login?failed=1&next="+url.QueryEscape(next), http.StatusSeeOther)
			return nil
		}
		return unauthenticated("wrong user name or password")
	}
	throttle := ac.limits.loginKeys(req.User, ip)
	if wait, ok := ac.limits.startLogin(throttle); !ok {
		return ac.limits.refused(limitLogin, tooManySignIns(wait))
	}
	release, err := ac.limits.acquireLogin(r.Context())
	if err != nil {
		return err
	}
	u, err := ac.cfg.Store.User(r.Context(), req.User)
	if err != nil && !errors.Is(err, data.ErrNotFound) {
		release()
		return err
	}
	ok := data.CheckPassword(u.PasswordHash, req.Password) // also for unknown users: same time
	release()
	switch {
	case !ok:
		return fail("wrong user name or password")
	case u.Disabled:
		return fail("user disabled")
	}
	ac.limits.loginSucceeded(throttle, req.User, ip)
	c, err := ac.openSession(w, r, u, "password")
	if err != nil {
		return err
	}
	e := ac.entry(r, "login", &principal{user: u, credential: c}, ip)
	e.Status = http.StatusOK
	if err := ac.audit.append(r.Context(), e); err != nil {
		return err
	}
	if form {
		http.Redirect(w, r, next, http.StatusSeeOther)
		return nil
	}
	httpx.WriteJSON(w, r, ac.logger, http.StatusOK, httpx.ContentTypeJSON, meResponse(u, c))
	return nil
}

// openSession stores a new session for u and sets its cookie.
func (ac *accessControl) openSession(w http.ResponseWriter, r *http.Request, u data.User, label string) (data.Credential, error) {
	secret, hash, id := data.NewSecret(data.KindSession)
	now := ac.cfg.Now()
	c := data.Credential{ID: id, Kind: data.KindSession, UserName: u.Name, Label: label, Hash: hash, CreatedAt: now, ExpiresAt: now.Add(ac.cfg.SessionTTL)}
	if err := ac.cfg.Store.CreateCredential(r.Context(), c); err != nil {
		return data.Credential{}, err
	}
	http.SetCookie(w, ac.sessionCookieFor(r, secret, c.ExpiresAt))
	w.Header().Add("Cache-Control", "no-store")
	return c, nil
}

// parseLogin reads a JSON or form sign-in. next is a same-site path.
func parseLogin(r *http.Request) (req LoginRequest, next string, form bool, err error) {
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
	var bad []httpx.InvalidParam
	if err := data.ValidateUserName(req.User); err != nil {
		bad = append(bad, httpx.InvalidParam{Name: "user", Reason: "give the user name (letters, digits and . _ @ -)"})
	}
	if req.Password == "" || len(req.Password) > data.MaxPasswordLen {
		bad = append(bad, httpx.InvalidParam{Name: "password", Reason: fmt.Sprintf("give the password (at most %d bytes)", data.MaxPasswordLen)})
	}
	if len(bad) > 0 && !form {
		return req, "", false, httpx.Invalid(bad...)
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

// handleLogout answers POST /api/v1/logout: the session used is revoked
// and its cookie deleted. Tokens are revoked with `jingge tokens revoke`.
func (ac *accessControl) handleLogout(w http.ResponseWriter, r *http.Request, _ query) error {
	if ac == nil {
		return errNoAccessControl()
	}
	p, ok := principalFrom(r.Context())
	if ok && p.credential.Kind == data.KindSession {
		if err := ac.cfg.Store.RevokeCredential(r.Context(), p.credential.ID, ac.cfg.Now()); err != nil && !errors.Is(err, data.ErrNotFound) {
			return err
		}
		if secret, ok := ac.sessionCookie(r); ok {
			ac.forget(data.HashSecret(secret))
		}
	}
	http.SetCookie(w, ac.sessionCookieFor(r, "", time.Time{}))
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// LoginLinkPath is the path of the one-time sign-in link; its token query
// parameter carries the secret.
const LoginLinkPath = "/api/v1/login/link"

// handleLoginLink answers GET /api/v1/login/link?token=…: a one-time link
// (printed by the demo server at start, or made by an admin) opens a
// session and goes to the command center. The link works once.
func (ac *accessControl) handleLoginLink(w http.ResponseWriter, r *http.Request, q query) error {
	if ac == nil {
		_ = q.get("token")
		writePage(w, noAccessPage)
		return nil
	}
	if site := r.Header.Get("Sec-Fetch-Site"); site != "" && site != "none" && site != "same-origin" {
		// A link followed from another site could sign a visitor into
		// someone else's account.
		return forbidden("open the sign-in link directly (paste it into the address bar), not from another site")
	}
	secret := q.get("token")
	if !data.WellFormedSecret(secret) || !strings.HasPrefix(secret, "jgl_") {
		return unauthenticated("this sign-in link is malformed; copy the whole link")
	}
	a, err := ac.cfg.Store.Authenticate(r.Context(), data.KindLoginLink, data.HashSecret(secret), ac.cfg.Now())
	if errors.Is(err, data.ErrUnauthenticated) {
		return unauthenticated("this sign-in link was used already or has expired; restart the server for a new one, or sign in at /login")
	}
	if err != nil {
		return err
	}
	c, err := ac.openSession(w, r, a.User, "login link")
	if err != nil {
		return err
	}
	e := ac.entry(r, "loginLink", &principal{user: a.User, credential: c}, ac.clientIP(r))
	e.Status, e.Detail = http.StatusSeeOther, "link "+a.Credential.ID
	if err := ac.audit.append(r.Context(), e); err != nil {
		return err
	}
	http.SetCookie(w, ac.nextCookie(r, ""))
	http.Redirect(w, r, nextFromCookie(r), http.StatusSeeOther)
	return nil
}

// NewLoginLink stores a one-time sign-in link for user, valid for ttl
// (DefaultLoginLinkTTL when <= 0), and returns its path and query, to be
// put after the server's base URL.
func NewLoginLink(ctx context.Context, creds data.Credentials, user string, ttl time.Duration) (string, error) {
	if ttl <= 0 {
		ttl = DefaultLoginLinkTTL
	}
	secret, hash, id := data.NewSecret(data.KindLoginLink)
	now := time.Now()
	c := data.Credential{ID: id, Kind: data.KindLoginLink, UserName: user, Label: "login link", Hash: hash, CreatedAt: now, ExpiresAt: now.Add(ttl)}
	if err := creds.CreateCredential(ctx, c); err != nil {
		return "", fmt.Errorf("api: login link: %w", err)
	}
	return LoginLinkPath + "?token=" + secret, nil
}
