package intake

import "strings"

// SplitList splits a comma-separated query value; items are trimmed and
// empty items dropped, so "a, ,b," is [a b].
func SplitList(text string) []string {
	var out []string
	for _, part := range strings.Split(text, ",") {
		if part = strings.TrimSpace(part); part != "" {
			out = append(out, part)
		}
	}
	return out
}
