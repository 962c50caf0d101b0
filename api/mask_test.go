package api

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"jingge/api/apitest"
	"jingge/data"
)

// TestPhonesMaskedByRole checks the answers that carry people's phone
// numbers (a lookup, a grid's members) show them in full to officers and
// admins only.
func TestPhonesMaskedByRole(t *testing.T) {
	f := newRoleFixture(t)
	targets := []string{
		fmt.Sprintf("/api/v1/lookup?lon=%v&lat=%v", apitest.InCommunity[0], apitest.InCommunity[1]),
		"/api/v1/grids/" + apitest.CommunityA,
	}
	for _, target := range targets {
		for _, role := range data.Roles {
			if role == data.RoleMetrics {
				continue // a scraper reads /metrics only
			}
			req := httptest.NewRequest(http.MethodGet, target, nil)
			req.Header.Set("Authorization", "Bearer "+f.tokens[role])
			rec := httptest.NewRecorder()
			f.s.Handler().ServeHTTP(rec, req)
			if rec.Code != http.StatusOK {
				t.Fatalf("%s as %s: %d %s", target, role, rec.Code, rec.Body)
			}
			var phones []string
			collectPhones(t, rec.Body.Bytes(), &phones)
			if len(phones) == 0 {
				t.Fatalf("%s: no phone numbers in %s", target, rec.Body)
			}
			for _, p := range phones {
				masked := strings.Contains(p, "****")
				if masked == role.SeesFullPhones() {
					t.Errorf("%s as %s: phone %q", target, role, p)
				}
			}
		}
	}
}

// collectPhones gathers the "phone" members of people ("members" arrays)
// anywhere in a JSON document.
func collectPhones(t *testing.T, body []byte, out *[]string) {
	t.Helper()
	var v any
	if err := json.Unmarshal(body, &v); err != nil {
		t.Fatal(err)
	}
	var walk func(v any, inMembers bool)
	walk = func(v any, inMembers bool) {
		switch x := v.(type) {
		case map[string]any:
			for k, c := range x {
				if k == "phone" && inMembers {
					if s, ok := c.(string); ok && s != "" {
						*out = append(*out, s)
					}
				}
				walk(c, inMembers || k == "members")
			}
		case []any:
			for _, c := range x {
				walk(c, inMembers)
			}
		}
	}
	walk(v, false)
}
