package mask

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Parties hides the people named in a dispute's parties: each name
// keeps its first character (张三 becomes 张*, 欧阳娜娜 欧***, Smith S****)
// and phone numbers are masked as PhonesInText does. Names are the
// runs between separators (、,，;；/ and spaces); a run holding a digit is
// a number or an id, masked as a phone number if it is one. Masking masked
// text changes nothing.
func Parties(text string) string {
	var b strings.Builder
	start := 0
	flush := func(end int) {
		b.WriteString(maskPartyName(text[start:end]))
	}
	for i, r := range text {
		if isPartySeparator(r) {
			flush(i)
			b.WriteRune(r)
			start = i + utf8.RuneLen(r)
		}
	}
	flush(len(text))
	return b.String()
}

func isPartySeparator(r rune) bool {
	return unicode.IsSpace(r) || strings.ContainsRune("、,，;；/()（）:：", r)
}

// maskPartyName masks one run of Parties.
func maskPartyName(name string) string {
	if name == "" || strings.IndexFunc(name, unicode.IsDigit) >= 0 {
		return PhonesInText(name)
	}
	r := []rune(name)
	return string(r[0]) + strings.Repeat("*", len(r)-1)
}
