package httpx

import "strings"

// ETagListMatches applies If-None-Match's weak comparison (RFC 9110): "*"
// or any listed tag equal to one of tags once W/ is dropped.
func ETagListMatches(header string, tags ...string) bool {
	for _, part := range strings.Split(header, ",") {
		part = strings.TrimSpace(part)
		if part == "*" {
			return true
		}
		part = strings.TrimPrefix(part, "W/")
		for _, t := range tags {
			if part == t {
				return true
			}
		}
	}
	return false
}
