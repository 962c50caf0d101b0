package mask

import (
	"regexp"
	"strings"
)

// phoneInText finds Chinese phone numbers in free text: a mobile number
// (11 digits from 13… to 19…, spaced or dashed anywhere, optionally after
// +86, 0086 or 86) with the country code in group 1 and the number in
// group 2; or a landline (area code 0xx or 0xxx, bare or in parentheses,
// then 7 or 8 digits, spaced or dashed as 8888-1234) with the area code
// in group 3 and the local number in group 4. A match touching a letter
// or digit is part of something else (a grid code, a timestamp, an id)
// and is left alone; see PhonesInText.
var phoneInText = regexp.MustCompile(`((?:\+|00)?86[ -]?)?(1[3-9]\d(?:[ -]?\d){8})|(\(` + areaCode + `\)|` + areaCode + `)([ -]?\d{3,4}[ -]?\d{4})`)

// areaCode is a Chinese trunk prefix and area code: 010 and 020–029 have
// three digits, every other (0310–0999) four, so a number written without
// a separator splits in one way only.
const areaCode = `0(?:10|2\d|[3-9]\d\d)`

// PhonesInText hides the middle of every phone number in text as
// Phone does a member's: a mobile keeps its first 3 and last 4
// digits (+86 138-****-1234), a landline its area code and last 4
// (029-****1234); spaces, dashes and parentheses stay where they were.
// Digit runs longer than a phone number (grid codes such as
// 61012200100701, timestamps), dates and ids are not phone numbers and
// are unchanged. Masking masked text changes nothing.
func PhonesInText(text string) string {
	matches := phoneInText.FindAllStringSubmatchIndex(text, -1)
	if matches == nil {
		return text
	}
	var b strings.Builder
	last := 0
	for _, m := range matches {
		start, end := m[0], m[1]
		if start > 0 && isWordByte(text[start-1]) || end < len(text) && isWordByte(text[end]) {
			continue
		}
		b.WriteString(text[last:start])
		if m[4] >= 0 { // mobile
			b.WriteString(text[start:m[4]])
			b.WriteString(maskDigits(text[m[4]:m[5]], 3, 4))
		} else { // landline
			b.WriteString(text[m[6]:m[7]])
			b.WriteString(maskDigits(text[m[8]:m[9]], 0, 4))
		}
		last = end
	}
	b.WriteString(text[last:])
	return b.String()
}

// isWordByte reports whether c is an ASCII letter, digit or underscore:
// a phone number next to one is part of a longer token.
func isWordByte(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_'
}

// maskDigits replaces every digit of s but the first head and the last
// tail with '*', keeping every other character.
func maskDigits(s string, head, tail int) string {
	n := 0
	for i := 0; i < len(s); i++ {
		if s[i] >= '0' && s[i] <= '9' {
			n++
		}
	}
	out := []byte(s)
	i := 0
	for k, c := range out {
		if c < '0' || c > '9' {
			continue
		}
		if i >= head && i < n-tail {
			out[k] = '*'
		}
		i++
	}
	return string(out)
}
