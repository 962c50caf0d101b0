package httpx

// Link is a related resource, as OGC API – Features writes paging links:
// its relation (self, next, alternate, ...), address and media type.
type Link struct {
	Rel  string `json:"rel"`
	Href string `json:"href"`
	Type string `json:"type"`
}
