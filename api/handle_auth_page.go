package api

import (
	"html/template"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// loginPage is the sign-in form: plain HTML that posts to /api/v1/login,
// with no script, so it works in any browser and under a strict CSP.
var loginPage = template.Must(template.New("login").Parse(`<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>登录 · jingge 警格</title>
<style>
body{font:16px/1.5 system-ui,"PingFang SC","Microsoft YaHei",sans-serif;background:#f3f4f6;margin:0;display:flex;min-height:100vh;align-items:center;justify-content:center}
form{background:#fff;padding:2rem;border-radius:8px;box-shadow:0 1px 4px #0002;width:min(22rem,90vw)}
h1{font-size:1.3rem;margin:0 0 1rem}label{display:block;margin:.8rem 0 .2rem}
input{width:100%;box-sizing:border-box;padding:.5rem;font-size:1rem;border:1px solid #bbb;border-radius:4px}
button{margin-top:1.2rem;width:100%;padding:.6rem;font-size:1rem;background:#1d4ed8;color:#fff;border:0;border-radius:4px;cursor:pointer}
.err{color:#b91c1c;margin:0 0 .5rem}.note{color:#555;font-size:.85rem;margin-top:1rem}
</style>
</head>
<body>
<form method="post" action="/api/v1/login">
<h1>jingge 警格 · 登录 Sign in</h1>
{{if .Failed}}<p class="err" role="alert">用户名或密码错误 · Wrong user name or password</p>{{end}}
<input type="hidden" name="next" value="{{.Next}}">
<label for="user">用户名 User name</label>
<input id="user" name="user" autocomplete="username" required maxlength="64" autofocus>
<label for="password">密码 Password</label>
<input id="password" name="password" type="password" autocomplete="current-password" required maxlength="256">
<button type="submit">登录 Sign in</button>
<p class="note">账号由管理员用 <code>jingge users add</code> 创建。Accounts are made by an admin with <code>jingge users add</code>.</p>
</form>
</body>
</html>
`))

// handleLoginPage answers GET /login: the sign-in form. next (a path on
// this site) is where a successful sign-in goes; failed=1 shows the error.
//
// The page also remembers next in a short-lived cookie for the one-time
// sign-in link: a demo user sent here from a deep link signs in with the
// link the server printed, which cannot carry next, and should still come
// back to what they opened.
func (ac *accessControl) handleLoginPage(w http.ResponseWriter, r *http.Request, q query) error {
	next := safeNext(q.get("next"))
	var b strings.Builder
	if err := loginPage.Execute(&b, struct {
		Next   string
		Failed bool
	}{next, q.get("failed") != ""}); err != nil {
		return err
	}
	if ac != nil && next != "/" {
		http.SetCookie(w, ac.nextCookie(r, next))
	}
	writePage(w, b.String())
	return nil
}

// cookieNext holds where the one-time sign-in link should go (see
// handleLoginPage); it is sent only to the link's path.
const (
	cookieNext     = "jingge_next"
	nextCookiePath = "/api/v1/login/link"
	nextCookieLife = 30 * time.Minute
)

// nextCookie sets (or with next "" deletes) the cookie naming where the
// sign-in link goes.
func (ac *accessControl) nextCookie(r *http.Request, next string) *http.Cookie {
	c := &http.Cookie{Name: cookieNext, Value: url.QueryEscape(next), Path: nextCookiePath,
		HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: ac.secure(r), MaxAge: int(nextCookieLife / time.Second)}
	if next == "" {
		c.Value, c.MaxAge = "", -1
	}
	return c
}

// nextFromCookie is where the sign-in link goes: the page remembered by
// the login form, else the command center.
func nextFromCookie(r *http.Request) string {
	c, err := r.Cookie(cookieNext)
	if err != nil {
		return "/"
	}
	next, err := url.QueryUnescape(c.Value)
	if err != nil {
		return "/"
	}
	return safeNext(next)
}

// writePage sends a small HTML page with headers that keep it inert.
func writePage(w http.ResponseWriter, page string) {
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
	h.Set("Cache-Control", "no-store")
	h.Set("Referrer-Policy", "no-referrer")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write([]byte(page))
}

// noAccessPage answers the sign-in link on a server without access
// control.
const noAccessPage = `<!doctype html><html lang="zh-CN"><meta charset="utf-8"><title>jingge</title>
<p>此服务器未启用登录，无需登录。This server runs without access control: there is nothing to sign in to. <a href="/">继续 Continue</a></p></html>
`

// checkOwnPings returns a 403 unless the caller may post patrol pings for
// every officer in officerIDs: an officer only for the member id their
// user is linked to; admins (gateways, the simulator) for anyone. Without
// access control it allows everything.
func checkOwnPings(r *http.Request, officerIDs func(yield func(string) bool)) error {
	p, ok := principalFrom(r.Context())
	if !ok || p.user.Role != "officer" {
		return nil
	}
	for id := range officerIDs {
		if id != p.user.OfficerID {
			if p.user.OfficerID == "" {
				return forbidden("user " + p.user.Name + " is an officer without a member id and may post no pings; ask an admin to link it (jingge users add --officer)")
			}
			return forbidden("user " + p.user.Name + " may post only their own pings (officer " + p.user.OfficerID + "), not those of " + id)
		}
	}
	return nil
}
