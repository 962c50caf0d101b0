package authhttp

import (
	"html/template"
	"net/http"
	"strings"
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

// LoginPage answers GET /login: the sign-in form. next (a path on this
// site) is where a successful sign-in goes; failed=1 shows the error.
//
// The page also remembers next in a short-lived cookie for the one-time
// sign-in link: a demo user sent here from a deep link signs in with the
// link the server printed, which cannot carry next, and should still come
// back to what they opened.
func (g *Guard) LoginPage(w http.ResponseWriter, r *http.Request, q Query) error {
	next := safeNext(get(q, "next"))
	var b strings.Builder
	if err := loginPage.Execute(&b, struct {
		Next   string
		Failed bool
	}{next, get(q, "failed") != ""}); err != nil {
		return err
	}
	if g != nil && next != "/" {
		http.SetCookie(w, g.nextCookie(r, next))
	}
	writePage(w, b.String())
	return nil
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
