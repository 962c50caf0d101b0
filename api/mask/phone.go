package mask

import (
	"strings"
	"unicode/utf8"
)

// Phone hides the middle of a phone number: 13812341234 becomes
// 138****1234. Numbers of 8 or more characters keep their first 3 and last
// 4; shorter ones keep only their last 2; an empty number stays empty.
// Masking a masked number changes nothing.
func Phone(phone string) string {
	n := utf8.RuneCountInString(phone)
	if n == 0 {
		return ""
	}
	r := []rune(phone)
	keepHead, keepTail := 3, 4
	if n < 8 {
		keepHead, keepTail = 0, min(2, n-1)
	}
	var b strings.Builder
	b.WriteString(string(r[:keepHead]))
	b.WriteString(strings.Repeat("*", n-keepHead-keepTail))
	b.WriteString(string(r[n-keepTail:]))
	return b.String()
}
