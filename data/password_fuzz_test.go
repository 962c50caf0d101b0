package data

import (
	"strings"
	"testing"
)

// FuzzParseArgon2 checks a stored hash of any content is parsed or
// refused without panicking, and that accepted parameters stay in the
// bounds that keep a sign-in cheap.
func FuzzParseArgon2(f *testing.F) {
	good, _ := HashPassword("a good long password")
	for _, s := range []string{good, "", "$argon2id$v=19$m=4294967295,t=1,p=1$c2FsdHNhbHQ$a2V5a2V5a2V5a2V5a2V5", "$argon2i$v=19$m=8,t=1,p=1$$", "$$$$$$", "$argon2id$v=19$m=8,t=1,p=1$!!$!!"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p, ok := parseArgon2(s)
		if !ok {
			return
		}
		if p.memory > 256*1024 || p.time > 16 || p.threads > 16 || p.threads == 0 || len(p.salt) < 8 || len(p.key) < 16 || len(p.key) > 64 {
			t.Fatalf("%q gave %+v", s, p)
		}
	})
}

// FuzzWellFormedSecret checks only prefixed 43-character base64url
// secrets pass.
func FuzzWellFormedSecret(f *testing.F) {
	tok, _, _ := NewSecret(KindToken)
	for _, s := range []string{tok, "", "jgt_", "jgx_" + strings.Repeat("A", 43), "jgt_" + strings.Repeat("=", 43)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if !WellFormedSecret(s) {
			return
		}
		if len(s) != 47 || !strings.HasPrefix(s, "jg") || strings.ContainsAny(s[4:], "+/=") {
			t.Fatalf("accepted %q", s)
		}
	})
}
