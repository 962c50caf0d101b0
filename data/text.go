package data

import (
	"strings"
	"unicode/utf8"
)

// ValidText reports whether s can be stored as text by every store: valid
// UTF-8 holding no NUL. PostgreSQL refuses both an invalid byte sequence
// and the NUL character in text (SQLSTATE 22021), so the API refuses such
// input at its edge and the imports refuse it before writing.
func ValidText(s string) bool {
	return utf8.ValidString(s) && strings.IndexByte(s, 0) < 0
}

// TextReason says, for a person, why ValidText(s) is false; it is "" when
// s is valid text.
func TextReason(s string) string {
	switch {
	case strings.IndexByte(s, 0) >= 0:
		return "holds a NUL character (\\u0000), which cannot be stored; remove it"
	case !utf8.ValidString(s):
		return "is not valid UTF-8; send text encoded as UTF-8"
	}
	return ""
}

// textNote is "" for valid text and otherwise "; it " and TextReason, to
// end a message about s.
func textNote(s string) string {
	if why := TextReason(s); why != "" {
		return "; it " + why
	}
	return ""
}

// StorableText returns s unchanged when it is valid text, and otherwise
// with each NUL and each byte that is not part of valid UTF-8 written as
// the four characters \xNN, so what was sent stays visible and every store
// accepts it. It is for records that must be kept whatever their content,
// such as audit entries.
func StorableText(s string) string {
	if ValidText(s) {
		return s
	}
	const hex = "0123456789abcdef"
	var b strings.Builder
	b.Grow(len(s) + 8)
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == 0 || r == utf8.RuneError && size == 1 {
			c := s[i]
			b.WriteString(`\x`)
			b.WriteByte(hex[c>>4])
			b.WriteByte(hex[c&0xf])
			i++
			continue
		}
		b.WriteString(s[i : i+size])
		i += size
	}
	return b.String()
}

// Storable returns e with every text field made storable (StorableText),
// so no request, however malformed, can make its audit entry one a store
// refuses.
func (e AuditEntry) Storable() AuditEntry {
	for _, f := range []*string{&e.Actor, &e.Credential, &e.Action, &e.Method, &e.Target, &e.Remote, &e.RequestID, &e.Detail} {
		*f = StorableText(*f)
	}
	e.Role = Role(StorableText(string(e.Role)))
	return e
}

// textLimit is one text of a record, by its name in the API, and the
// most characters it may hold.
type textLimit struct {
	name, text string
	max        int
}

// checkTexts returns a *RequestError of kind ErrInvalid for the first of
// texts that every store cannot keep (TextReason) or that is longer than
// its limit, naming the record by its kind ("visit"); nil when all fit.
func checkTexts(kind string, texts ...textLimit) error {
	for _, f := range texts {
		if why := TextReason(f.text); why != "" {
			return userError(ErrInvalid, "the %s's %s %s", kind, f.name, why)
		}
		if n := utf8.RuneCountInString(f.text); n > f.max {
			return userError(ErrInvalid, "the %s's %s is %d characters long; at most %d", kind, f.name, n, f.max)
		}
	}
	return nil
}
