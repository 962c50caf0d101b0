package api

import (
	"strings"
	"testing"
	"unicode/utf8"
)

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
