package ogc

import (
	"strings"
	"testing"

	"jingge/api/httpx"
)

// query serves the parameters of vals as a route's endpoint hands them on.
func query(vals map[string]string) Query {
	return func(name string) (string, bool) {
		v, ok := vals[name]
		return v, ok
	}
}

// TestFormat: f= names json or geojson (or their media types); the
// landing page, conformance and collections have no GeoJSON form, and a
// refusal names the forms that exist.
func TestFormat(t *testing.T) {
	tests := []struct {
		name, f, geoJSON, want, refusal string
	}{
		{"absent gives the default", "", httpx.ContentTypeGeoJSON, httpx.ContentTypeGeoJSON, ""},
		{"json", "json", httpx.ContentTypeGeoJSON, httpx.ContentTypeJSON, ""},
		{"geojson, any case", " GeoJSON ", httpx.ContentTypeGeoJSON, httpx.ContentTypeGeoJSON, ""},
		{"a media type", httpx.ContentTypeJSON, httpx.ContentTypeGeoJSON, httpx.ContentTypeJSON, ""},
		{"no geojson of a document", "geojson", httpx.ContentTypeJSON, "", "f must be json ("},
		{"no html", "html", httpx.ContentTypeGeoJSON, "", "f must be json or geojson"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			vals := map[string]string{}
			if tc.f != "" {
				vals["f"] = tc.f
			}
			got, err := format(query(vals), tc.geoJSON)
			if tc.refusal == "" {
				if err != nil || got != tc.want {
					t.Fatalf("got %q, %v; want %q", got, err, tc.want)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error()+problemText(err), tc.refusal) {
				t.Fatalf("got %q, %v; want a refusal saying %q", got, err, tc.refusal)
			}
		})
	}
}

// problemText is the reasons of a problem's invalid parameters.
func problemText(err error) string {
	p, ok := err.(*httpx.Problem)
	if !ok {
		return ""
	}
	var b strings.Builder
	for _, ip := range p.InvalidParams {
		b.WriteString(ip.Name + ": " + ip.Reason + "; ")
	}
	return b.String()
}

// TestLimitAndOffset: limit is at least 1 and capped at the maximum,
// offset at least 0; each refusal names its parameter.
func TestLimitAndOffset(t *testing.T) {
	for _, tc := range []struct {
		text string
		want int
		ok   bool
	}{{"", defaultLimit, true}, {"7", 7, true}, {"1000000", maxLimit, true}, {"0", 0, false}, {"-1", 0, false}, {"x", 0, false}} {
		vals := map[string]string{}
		if tc.text != "" {
			vals["limit"] = tc.text
		}
		got, bad := parseLimit(query(vals), defaultLimit, maxLimit)
		if tc.ok != (bad == nil) || (tc.ok && got != tc.want) || (bad != nil && bad.Name != "limit") {
			t.Errorf("limit=%q: %d, %+v", tc.text, got, bad)
		}
	}
	for _, tc := range []struct {
		text string
		want int
		ok   bool
	}{{"", 0, true}, {"0", 0, true}, {"25", 25, true}, {"-1", 0, false}, {"1.5", 0, false}} {
		vals := map[string]string{}
		if tc.text != "" {
			vals["offset"] = tc.text
		}
		got, bad := parseOffset(query(vals))
		if tc.ok != (bad == nil) || (tc.ok && got != tc.want) || (bad != nil && bad.Name != "offset") {
			t.Errorf("offset=%q: %d, %+v", tc.text, got, bad)
		}
	}
}
