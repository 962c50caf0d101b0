package authhttp

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"jingge/api/httpx"
	"jingge/data"
)

// FuzzBearerToken checks the Authorization parser never panics and hands
// on only a non-empty, trimmed secret of the Bearer scheme.
func FuzzBearerToken(f *testing.F) {
	for _, s := range []string{"Bearer jgt_abc", "bearer x", "Basic YQ==", "Bearer ", "Bearer  x ", "", "Bearer\tx", "BEARER jgt_" + strings.Repeat("A", 43)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, h string) {
		secret, ok := bearerToken(h)
		if !ok {
			return
		}
		if secret == "" || secret != strings.TrimSpace(secret) || !strings.EqualFold(h[:6], "Bearer") {
			t.Fatalf("%q gave %q", h, secret)
		}
		if data.WellFormedSecret(secret) && len(secret) != 47 {
			t.Fatalf("well-formed secret %q", secret)
		}
	})
}

// FuzzParseLogin checks sign-in bodies of any content type are parsed or
// refused with a 400, 413 or (a type that is neither JSON nor a form) 415
// problem, and that a redirect target stays on the site.
func FuzzParseLogin(f *testing.F) {
	for _, s := range [][2]string{
		{"application/json", `{"user":"admin","password":"correct horse"}`},
		{"application/json", `{"user":"a","password":"b","extra":1}`},
		{"application/x-www-form-urlencoded", "user=admin&password=x&next=%2Fm"},
		{"application/x-www-form-urlencoded", "user=admin&password=x&next=//evil"},
		{"text/plain", "hello"}, {"", `{"user":1}`}, {"application/json; charset=utf-8", `{}`},
	} {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, contentType, body string) {
		r := httptest.NewRequest(http.MethodPost, "/api/v1/login", strings.NewReader(body))
		r.Header.Set("Content-Type", contentType)
		req, next, form, err := parseLogin(r)
		if err != nil {
			var p *httpx.Problem
			if !errors.As(err, &p) {
				t.Fatalf("error %v is not a problem", err)
			}
			if pr, _ := httpx.ProblemOf(err); pr.Status != 400 && pr.Status != 413 && pr.Status != 415 {
				t.Fatalf("status %d", pr.Status)
			}
			return
		}
		if !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") {
			t.Fatalf("next %q", next)
		}
		if !form && (data.ValidateUserName(req.User) != nil || req.Password == "") {
			t.Fatalf("accepted %+v", req)
		}
	})
}

// FuzzSafeNext checks every redirect target stays on this site.
func FuzzSafeNext(f *testing.F) {
	for _, s := range []string{"/", "/m?x=1", "//evil", "/\\evil", "https://evil/", "/%2F%2Fevil", "/\t/evil", "javascript:x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, next string) {
		got := safeNext(next)
		u, err := url.Parse(got)
		if got != "/" && got != next || err != nil || u.Host != "" || u.Scheme != "" || !strings.HasPrefix(got, "/") ||
			strings.HasPrefix(got, "//") || strings.ContainsAny(got, "\\\r\n\t") {
			t.Fatalf("safeNext(%q) = %q", next, got)
		}
	})
}

func TestSafeNext(t *testing.T) {
	for in, want := range map[string]string{
		"": "/", "/": "/", "/m": "/m", "/#x": "/#x", "/a?b=c": "/a?b=c",
		"//evil.example": "/", "/\\evil.example": "/", "https://evil.example/": "/", "javascript:alert(1)": "/",
		"/\r\nSet-Cookie: x": "/", "relative": "/",
	} {
		if got := safeNext(in); got != want {
			t.Errorf("safeNext(%q) = %q, want %q", in, got, want)
		}
	}
}
