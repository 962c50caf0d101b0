package httpx

import "net/url"

// secretParams are query parameters whose values never reach a log.
var secretParams = []string{"token", "password"}

// RedactedTarget is u's path and query with secret values replaced.
func RedactedTarget(u *url.URL) string {
	if u.RawQuery == "" {
		return u.Path
	}
	return u.Path + "?" + RedactQuery(u.RawQuery)
}

// RedactQuery replaces the values of secretParams in a raw query string,
// keeping everything else byte for byte.
func RedactQuery(raw string) string {
	if raw == "" {
		return raw
	}
	out := make([]byte, 0, len(raw))
	for i, part := range splitQuery(raw) {
		if i > 0 {
			out = append(out, '&')
		}
		key, _, hasValue := cutByte(part, '=')
		name, err := url.QueryUnescape(key)
		secret := false
		if err == nil {
			for _, s := range secretParams {
				secret = secret || name == s
			}
		}
		if secret && hasValue {
			out = append(out, key...)
			out = append(out, "=REDACTED"...)
		} else {
			out = append(out, part...)
		}
	}
	return string(out)
}

func splitQuery(raw string) []string {
	var parts []string
	for {
		part, rest, more := cutByte(raw, '&')
		parts = append(parts, part)
		if !more {
			return parts
		}
		raw = rest
	}
}

func cutByte(s string, c byte) (before, after string, found bool) {
	for i := 0; i < len(s); i++ {
		if s[i] == c {
			return s[:i], s[i+1:], true
		}
	}
	return s, "", false
}
