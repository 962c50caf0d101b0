package api

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/paulmach/orb/maptile"

	"jingge/api/apitest"
)

// keysOf returns the member names of a JSON object, sorted.
func keysOf(t *testing.T, body []byte) []string {
	t.Helper()
	var m map[string]json.RawMessage
	if err := json.Unmarshal(body, &m); err != nil {
		t.Fatalf("%v: %s", err, body)
	}
	var keys []string
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

func lookupTarget(lon, lat float64, fields string) string {
	t := fmt.Sprintf("/api/v1/lookup?lon=%g&lat=%g", lon, lat)
	if fields != "" {
		t += "&fields=" + fields
	}
	return t
}

// TestLookupFields checks each form of a single lookup: the full answer
// without fields, the three ids with fields=ids, and the properties a
// list selects, present (null where the point has none) or absent.
func TestLookupFields(t *testing.T) {
	f := newTextFixture(t)
	in, policeOnly := apitest.InCommunity, apitest.InPoliceOnly
	cases := []struct {
		name, target string
		want         string   // the exact body, when given
		keys         []string // else the members it must have
	}{
		{"ids", lookupTarget(in[0], in[1], "ids"),
			`{"community_grid":"` + apitest.CommunityA + `","police_grid":"` + apitest.PoliceA + `","station":"` + apitest.StationA + `"}`, nil},
		{"ids without a community grid", lookupTarget(policeOnly[0], policeOnly[1], "ids"),
			`{"community_grid":null,"police_grid":"` + apitest.PoliceB + `","station":"` + apitest.StationB + `"}`, nil},
		{"one id", lookupTarget(in[0], in[1], "ids,station"), `{"station":"` + apitest.StationA + `"}`, nil},
		{"ids with a full property", lookupTarget(in[0], in[1], "police_grid,ids,point"), "", []string{"point", "police_grid"}},
		{"a list", lookupTarget(in[0], in[1], "station,region"), "", []string{"region", "station"}},
		{"spaces and order", lookupTarget(in[0], in[1], "region,%20query"), "", []string{"query", "region"}},
		{"full", lookupTarget(in[0], in[1], ""), "", []string{"community_grid", "point", "police_grid", "query", "region", "station"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			rec := f.do(t, http.MethodGet, c.target, "", "", false)
			if rec.Code != http.StatusOK {
				t.Fatalf("%d %s", rec.Code, rec.Body)
			}
			body := strings.TrimSpace(rec.Body.String())
			if c.want != "" && body != c.want {
				t.Errorf("body %s\nwant %s", body, c.want)
			}
			if c.keys != nil && !slices.Equal(keysOf(t, rec.Body.Bytes()), c.keys) {
				t.Errorf("members %v, want %v", keysOf(t, rec.Body.Bytes()), c.keys)
			}
		})
	}
	// A selected grid in full shape is the full answer's, members and all.
	var full, sel map[string]json.RawMessage
	decodeJSON(t, f.do(t, http.MethodGet, lookupTarget(in[0], in[1], ""), "", "", false), &full)
	decodeJSON(t, f.do(t, http.MethodGet, lookupTarget(in[0], in[1], "community_grid"), "", "", false), &sel)
	if string(sel["community_grid"]) != string(full["community_grid"]) || !strings.Contains(string(sel["community_grid"]), `"members"`) {
		t.Errorf("community_grid selected %s, in full %s", sel["community_grid"], full["community_grid"])
	}
}

// TestLookupFieldsCompactSize checks the point of the compact form: a
// phone gets the three ids in about a hundred bytes, not kilobytes.
func TestLookupFieldsCompactSize(t *testing.T) {
	f := newTextFixture(t)
	in := apitest.InCommunity
	compact := f.do(t, http.MethodGet, lookupTarget(in[0], in[1], "ids"), "", "", false).Body.Len()
	full := f.do(t, http.MethodGet, lookupTarget(in[0], in[1], ""), "", "", false).Body.Len()
	if compact > 120 || compact*5 > full {
		t.Errorf("fields=ids answers %d bytes, the full form %d", compact, full)
	}
}

// TestBatchFields checks the batch lookup's forms.
func TestBatchFields(t *testing.T) {
	f := newTextFixture(t)
	body := fmt.Sprintf(`{"points":[[%g,%g],[%g,%g],[109,34]]}`, apitest.InCommunity[0], apitest.InCommunity[1], apitest.InPoliceOnly[0], apitest.InPoliceOnly[1])
	rec := f.do(t, http.MethodPost, "/api/v1/lookup?fields=ids", "application/json", body, false)
	var resp struct {
		Found   int               `json:"found"`
		Results []json.RawMessage `json:"results"`
	}
	decodeJSON(t, rec, &resp)
	want := []string{
		`{"index":0,"found":true,"community_grid":"` + apitest.CommunityA + `","police_grid":"` + apitest.PoliceA + `","station":"` + apitest.StationA + `"}`,
		`{"index":1,"found":true,"community_grid":null,"police_grid":"` + apitest.PoliceB + `","station":"` + apitest.StationB + `"}`,
		`{"index":2,"found":false,"community_grid":null,"police_grid":null,"station":null}`,
	}
	if resp.Found != 2 || len(resp.Results) != len(want) {
		t.Fatalf("%d %s", rec.Code, rec.Body)
	}
	for i, w := range want {
		if string(resp.Results[i]) != w {
			t.Errorf("result %d: %s, want %s", i, resp.Results[i], w)
		}
	}
	rec = f.do(t, http.MethodPost, "/api/v1/lookup?fields=police_grid", "application/json", body, false)
	decodeJSON(t, rec, &resp)
	if got := string(resp.Results[0]); got != `{"index":0,"found":true,"police_grid":{"id":"`+apitest.PoliceA+`","name":"蓝关第一警格"}}` {
		t.Errorf("fields=police_grid: %s", got)
	}
}

// TestLookupFieldsRefused checks a bad fields value is a 400 naming
// fields and listing the valid names of the route it was sent to.
func TestLookupFieldsRefused(t *testing.T) {
	f := newTextFixture(t)
	in := apitest.InCommunity
	cases := []struct {
		name, method, target, body string
		mention, absent            []string
	}{
		{"unknown", http.MethodGet, lookupTarget(in[0], in[1], "members"), "",
			[]string{`\"members\"`, "query, point, community_grid, police_grid, station, region, ids"}, nil},
		{"empty", http.MethodGet, lookupTarget(in[0], in[1], "ids,"), "", []string{"empty"}, nil},
		{"given empty", http.MethodGet, fmt.Sprintf("/api/v1/lookup?lon=%g&lat=%g&fields=", in[0], in[1]), "", []string{"empty"}, nil},
		{"batch has no point", http.MethodPost, "/api/v1/lookup?fields=point", `{"points":[[109.305,34.15]]}`,
			[]string{`\"point\"`, "community_grid, police_grid, station, ids"}, []string{"region"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			rec := f.do(t, c.method, c.target, "application/json", c.body, false)
			wantInvalid(t, c.name, rec, "fields")
			for _, m := range c.mention {
				if !strings.Contains(rec.Body.String(), m) {
					t.Errorf("the problem does not say %s: %s", m, rec.Body)
				}
			}
			for _, m := range c.absent {
				if strings.Contains(rec.Body.String(), m) {
					t.Errorf("the problem offers %s: %s", m, rec.Body)
				}
			}
		})
	}
}

// TestAuditWhatIsPersonal checks the audit policy: an answer naming
// people (members' names and phones, positions) has an entry, one that
// names grids and stations alone (index-layer tiles, a compact lookup,
// the batch lookup) has none.
func TestAuditWhatIsPersonal(t *testing.T) {
	f := newTextFixture(t)
	in := apitest.InCommunity
	tl := maptile.At(in, 14)
	cases := []struct {
		name, method, target, body string
		audited                    bool
	}{
		{"grid-layer tile", http.MethodGet, fmt.Sprintf("/tiles/community_grids/%d/%d/%d.mvt", tl.Z, tl.X, tl.Y), "", false},
		{"combined tile", http.MethodGet, fmt.Sprintf("/tiles/%d/%d/%d.mvt", tl.Z, tl.X, tl.Y), "", false},
		{"station-layer tile", http.MethodGet, fmt.Sprintf("/tiles/stations/%d/%d/%d.mvt", tl.Z, tl.X, tl.Y), "", false},
		{"lookup with members", http.MethodGet, lookupTarget(in[0], in[1], ""), "", true},
		{"lookup of one full grid", http.MethodGet, lookupTarget(in[0], in[1], "police_grid"), "", true},
		{"compact lookup", http.MethodGet, lookupTarget(in[0], in[1], "ids"), "", false},
		{"lookup without grids", http.MethodGet, lookupTarget(in[0], in[1], "station,region,point"), "", false},
		{"grids as ids", http.MethodGet, lookupTarget(in[0], in[1], "community_grid,police_grid,ids"), "", false},
		{"bad fields", http.MethodGet, lookupTarget(in[0], in[1], "nope"), "", true},
		{"batch lookup", http.MethodPost, "/api/v1/lookup", `{"points":[[109.305,34.15]]}`, false},
		{"compact batch lookup", http.MethodPost, "/api/v1/lookup?fields=ids", `{"points":[[109.305,34.15]]}`, false},
		{"one grid", http.MethodGet, "/api/v1/grids/" + apitest.CommunityA, "", true},
		{"patrol positions", http.MethodGet, "/api/v1/patrols", "", true},
	}
	for _, c := range cases {
		before := len(f.audit.Stored())
		rec := f.do(t, c.method, c.target, "application/json", c.body, false)
		if rec.Code >= 500 || rec.Code == http.StatusNotFound {
			t.Errorf("%s: %d %s", c.name, rec.Code, rec.Body)
		}
		added := len(f.audit.Stored()) - before
		if c.audited && added != 1 || !c.audited && added != 0 {
			t.Errorf("%s: %d audit entries, want audited=%v", c.name, added, c.audited)
		}
	}
}
