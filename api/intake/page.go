package intake

import (
	"fmt"
	"strconv"
	"strings"

	"jingge/data"
)

// ParsePage reads the limit= and cursor= parameters of a list read one
// page at a time, through get (a query's value and whether it was
// given); a limit that is not a whole number from 1 to data.MaxPageLimit
// is the fault returned.
func ParsePage(get func(name string) (string, bool)) (data.Page, *data.Param) {
	var page data.Page
	var bad *data.Param
	if text, ok := get("limit"); ok {
		n, err := strconv.Atoi(strings.TrimSpace(text))
		if err != nil || n < 1 || n > data.MaxPageLimit {
			bad = &data.Param{Name: "limit", Reason: fmt.Sprintf("limit must be a whole number from 1 to %d, got %q", data.MaxPageLimit, Clip([]byte(text)))}
		}
		page.Limit = n
	}
	page.Cursor, _ = get("cursor")
	return page, bad
}
