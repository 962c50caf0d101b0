package api

import (
	"errors"
	"jingge/api/httpx"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"unicode/utf8"

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

// FuzzParseAuditQuery checks the audit filters: any query string is
// parsed or refused with a 400 naming a known parameter.
func FuzzParseAuditQuery(f *testing.F) {
	for _, s := range []string{"actor=a&limit=5", "since=2026-01-01T00:00:00Z&until=x", "before=-1", "limit=1001", "action=' or 1=1 --", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		values, err := url.ParseQuery(raw)
		if err != nil {
			return
		}
		aq, err := parseAuditQuery(query{values: values})
		if err != nil {
			var p *httpx.Problem
			if !errors.As(err, &p) || len(p.InvalidParams) == 0 {
				t.Fatalf("%v", err)
			}
			for _, ip := range p.InvalidParams {
				if !strings.Contains(strings.Join(auditQueryParams, " "), ip.Name) {
					t.Fatalf("unknown param %q", ip.Name)
				}
			}
			return
		}
		if aq.Limit < 1 || aq.Limit > data.MaxAuditLimit || aq.Before < 0 || len(aq.Actor) > 64 {
			t.Fatalf("%q gave %+v", raw, aq)
		}
	})
}

// FuzzMaskPhone checks masking keeps the length, is idempotent, and shows
// at most the first 3 and last 4 characters.
func FuzzMaskPhone(f *testing.F) {
	for _, s := range []string{"13812341234", "138****1234", "", "1", "029-82700001", "电话号码一二三四五六七八"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, phone string) {
		if !utf8.ValidString(phone) {
			return
		}
		m := maskPhone(phone)
		if utf8.RuneCountInString(m) != utf8.RuneCountInString(phone) || maskPhone(m) != m {
			t.Fatalf("%q -> %q", phone, m)
		}
		if n := utf8.RuneCountInString(phone); n > 0 && strings.Count(m, "*") < n-7 {
			t.Fatalf("%q -> %q shows too much", phone, m)
		}
	})
}
