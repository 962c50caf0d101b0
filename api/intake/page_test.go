package intake

import (
	"strings"
	"testing"

	"jingge/data"
)

func TestParsePage(t *testing.T) {
	q := func(m map[string]string) func(string) (string, bool) {
		return func(k string) (string, bool) { v, ok := m[k]; return v, ok }
	}
	if p, bad := ParsePage(q(map[string]string{"limit": " 20 ", "cursor": "abc"})); bad != nil || p.Limit != 20 || p.Cursor != "abc" {
		t.Errorf("limit 20: %+v %v", p, bad)
	}
	if p, bad := ParsePage(q(nil)); bad != nil || p != (data.Page{}) {
		t.Errorf("no parameters: %+v %v", p, bad)
	}
	for _, limit := range []string{"0", "-1", "x", "1e3", "99999999"} {
		if _, bad := ParsePage(q(map[string]string{"limit": limit})); bad == nil || bad.Name != "limit" || !strings.Contains(bad.Reason, "whole number") {
			t.Errorf("limit %q: %v", limit, bad)
		}
	}
}
