package httpx

import "strings"

// Link is a related resource, as OGC API – Features writes paging links:
// its relation (self, next, alternate, ...), address and media type.
type Link struct {
	Rel  string `json:"rel"`
	Href string `json:"href"`
	Type string `json:"type"`
}

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
