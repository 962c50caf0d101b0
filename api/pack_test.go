package api

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"math"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/paulmach/orb"

	"jingge/api/pack"
	"jingge/data"
	"jingge/data/lantian"
	"jingge/data/memory"
	"jingge/geo"
)

// packFixture serves a dataset with access control, an officer of the
// station officerStation and a viewer.
type packFixture struct {
	s      *Server
	ds     *geo.Dataset
	auth   *memory.Auth
	tokens map[data.Role]string
}

func newPackFixture(t *testing.T, ds *geo.Dataset, officerStation string) *packFixture {
	t.Helper()
	f := &packFixture{ds: ds, auth: memory.NewAuth(0), tokens: map[data.Role]string{}}
	officer := ""
	for _, m := range ds.Members {
		if m.StationID == officerStation {
			officer = m.ID
			break
		}
	}
	if officer == "" {
		t.Fatalf("no member of station %q", officerStation)
	}
	for _, role := range data.Roles {
		u := data.User{Name: "u-" + string(role), Role: role}
		if role == data.RoleOfficer {
			u.OfficerID = officer
		}
		if err := f.auth.CreateUser(context.Background(), u); err != nil {
			t.Fatal(err)
		}
		secret, hash, id := data.NewSecret(data.KindToken)
		if err := f.auth.CreateCredential(context.Background(), data.Credential{ID: id, Kind: data.KindToken, UserName: u.Name, Hash: hash}); err != nil {
			t.Fatal(err)
		}
		f.tokens[role] = secret
	}
	f.s = newTestServer(t, ds, Config{
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
		Access: &Access{Store: f.auth, Limits: Limits{PerCredential: 1e6, PerCredentialBurst: 1e6, Anonymous: 1e6, AnonymousBurst: 1e6}},
	})
	return f
}

func (f *packFixture) get(t *testing.T, target string, role data.Role, header ...string) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest(http.MethodGet, target, nil)
	req.Header.Set("Authorization", "Bearer "+f.tokens[role])
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	rec := httptest.NewRecorder()
	f.s.Handler().ServeHTTP(rec, req)
	return rec
}

func lantianDataset(t *testing.T) *geo.Dataset {
	t.Helper()
	ds, err := lantian.Load()
	if err != nil {
		t.Fatalf("lantian.Load: %v", err)
	}
	if len(ds.Grids) == 0 {
		t.Skip("the bundled Lantian dataset has no grids")
	}
	return ds
}

// decodePackGeometry gives back a grid's MultiPolygon from its pack form,
// as the browser does (web/src/shared/pack.js).
func decodePackGeometry(g [][][]float64, scale int64) orb.MultiPolygon {
	mp := make(orb.MultiPolygon, len(g))
	for i, poly := range g {
		mp[i] = make(orb.Polygon, len(poly))
		for j, flat := range poly {
			ring := make(orb.Ring, len(flat)/2)
			var sum [2]float64
			for k := range ring {
				for c := range 2 {
					if scale == 0 {
						ring[k][c] = flat[2*k+c]
						continue
					}
					sum[c] += flat[2*k+c]
					ring[k][c] = sum[c] / float64(scale)
				}
			}
			mp[i][j] = ring
		}
	}
	return mp
}

// TestPackOfOfficer: an officer's pack is the county's (Lantian fits),
// says it was asked for the officer's station, carries every leaf grid's
// geometry bit for bit, the members with full phones and the stations'
// phones, and the read is audited.
func TestPackOfOfficer(t *testing.T) {
	ds := lantianDataset(t)
	f := newPackFixture(t, ds, "gepai")
	rec := f.get(t, "/api/v1/pack", data.RoleOfficer)
	if rec.Code != http.StatusOK {
		t.Fatalf("status %d: %s", rec.Code, rec.Body.String())
	}
	var p pack.Pack
	if err := json.Unmarshal(rec.Body.Bytes(), &p); err != nil {
		t.Fatal(err)
	}
	if p.Station != "gepai" || !p.Complete || p.Datum != "wgs84" || p.TimeZone != "Asia/Shanghai" || p.Scale == 0 {
		t.Fatalf("pack header: station %q complete %v datum %q zone %q scale %d", p.Station, p.Complete, p.Datum, p.TimeZone, p.Scale)
	}
	if got := rec.Header().Get("ETag"); got != `"`+p.Version+`"` {
		t.Errorf("ETag %s, version %s", got, p.Version)
	}
	if cc := rec.Header().Get("Cache-Control"); !strings.Contains(cc, "no-store") {
		t.Errorf("Cache-Control %q: the pack holds personal data", cc)
	}
	ix := mustIndex(t, ds)
	byID := map[string]pack.Grid{}
	for _, g := range p.Grids {
		byID[g.ID] = g
	}
	if len(byID) != len(ds.Grids) {
		t.Fatalf("%d grids in the pack, the dataset has %d", len(byID), len(ds.Grids))
	}
	for i := range ds.Grids {
		g := &ds.Grids[i]
		pg := byID[g.ID]
		leaf := g.Level == geo.CommunityLevel || len(ix.Children(g.ID)) == 0
		if !leaf {
			if pg.Geometry != nil {
				t.Errorf("police grid %s with community grids carries geometry", g.ID)
			}
			continue
		}
		got := decodePackGeometry(pg.Geometry, p.Scale)
		if !orb.Equal(got, g.Geometry) {
			t.Fatalf("grid %s: the decoded geometry differs from the dataset's", g.ID)
		}
		if want := ix.Members(g.ID); len(want) != len(pg.Members) || (len(want) > 0 && p.Members[pg.Members[0]].ID != want[0].ID) {
			t.Errorf("grid %s: members %v, want %d starting as the lookup lists them", g.ID, pg.Members, len(want))
		}
	}
	if mem, ok := ix.Member(p.Members[0].ID); !ok || p.Members[0].Phone != mem.Phone {
		t.Errorf("officer sees phone %q, the record holds %q", p.Members[0].Phone, mem.Phone)
	}
	for _, st := range p.Stations {
		if want, _ := ix.Station(st.ID); st.Phone != want.Phone {
			t.Errorf("station %s phone %q, want %q", st.ID, st.Phone, want.Phone)
		}
	}
	entries, err := f.auth.QueryAudit(context.Background(), data.AuditQuery{})
	if err != nil {
		t.Fatal(err)
	}
	audited := false
	for _, e := range entries {
		audited = audited || (e.Action == "getPack" && e.Actor == "u-officer")
	}
	if !audited {
		t.Errorf("the pack read is not in the audit log: %+v", entries)
	}
}

// TestPackMaskedForViewer: a viewer's pack masks members' phones as the
// lookup does, and has a version of its own.
func TestPackMaskedForViewer(t *testing.T) {
	ds := lantianDataset(t)
	f := newPackFixture(t, ds, "gepai")
	var officer, viewer pack.Pack
	for _, c := range []struct {
		role data.Role
		into *pack.Pack
	}{{data.RoleOfficer, &officer}, {data.RoleViewer, &viewer}} {
		rec := f.get(t, "/api/v1/pack?station=gepai", c.role)
		if rec.Code != http.StatusOK {
			t.Fatalf("%s: status %d: %s", c.role, rec.Code, rec.Body.String())
		}
		if err := json.Unmarshal(rec.Body.Bytes(), c.into); err != nil {
			t.Fatal(err)
		}
	}
	if officer.Version == viewer.Version {
		t.Errorf("full and masked packs share version %s", officer.Version)
	}
	for i, m := range viewer.Members {
		if want := maskPhone(officer.Members[i].Phone); m.Phone != want {
			t.Fatalf("viewer sees %q for %s, want %q", m.Phone, m.ID, want)
		}
	}
}

// TestPackNotModified: the version is the ETag; If-None-Match with it is a
// 304, with another one a 200.
func TestPackNotModified(t *testing.T) {
	f := newPackFixture(t, lantianDataset(t), "bayuan")
	first := f.get(t, "/api/v1/pack", data.RoleOfficer)
	etag := first.Header().Get("ETag")
	if first.Code != http.StatusOK || etag == "" {
		t.Fatalf("status %d, ETag %q", first.Code, etag)
	}
	if rec := f.get(t, "/api/v1/pack", data.RoleOfficer, "If-None-Match", etag); rec.Code != http.StatusNotModified || rec.Body.Len() != 0 {
		t.Errorf("If-None-Match %s: status %d, %d bytes", etag, rec.Code, rec.Body.Len())
	}
	if rec := f.get(t, "/api/v1/pack", data.RoleOfficer, "If-None-Match", `"other"`); rec.Code != http.StatusOK {
		t.Errorf("another tag: status %d", rec.Code)
	}
}

// TestPackVersionFollowsGrids: a grid's change gives another version.
func TestPackVersionFollowsGrids(t *testing.T) {
	ds := lantianDataset(t)
	before := newPackFixture(t, ds, "gepai").get(t, "/api/v1/pack", data.RoleOfficer).Header().Get("ETag")
	changed := *ds
	changed.Grids = append([]geo.Grid(nil), ds.Grids...)
	changed.Grids[len(changed.Grids)-1].Name += "（改）"
	after := newPackFixture(t, &changed, "gepai").get(t, "/api/v1/pack", data.RoleOfficer).Header().Get("ETag")
	if before == "" || before == after {
		t.Errorf("ETag before %s, after a grid's change %s", before, after)
	}
}

// TestPackRefusals: an unknown station is a 404 naming it.
func TestPackRefusals(t *testing.T) {
	f := newPackFixture(t, lantianDataset(t), "gepai")
	rec := f.get(t, "/api/v1/pack?station=nowhere", data.RoleOfficer)
	p := expectProblem(t, rec, http.StatusNotFound)
	if !strings.Contains(p.Detail, "nowhere") {
		t.Errorf("detail %q does not name the station", p.Detail)
	}
}

// TestPackOfStationArea: where the county does not fit, a station's pack
// holds the station and its neighbours and is not complete; without
// station= a caller who is no officer gets a 400 saying to give one.
func TestPackOfStationArea(t *testing.T) {
	ds := lantianDataset(t)
	s := newTestServer(t, ds, Config{})
	v, err := s.current()
	if err != nil {
		t.Fatal(err)
	}
	// As for a county above pack.CountyMaxGzipBytes.
	v.packs = pack.NewCache(v.ix, pack.Options{Datum: v.datumName, MaskPhone: maskPhone, CountyMaxGzipBytes: 1})
	b, err := v.packs.Get("bayuan", true)
	if err != nil {
		t.Fatal(err)
	}
	var p pack.Pack
	if err := json.Unmarshal(b.JSON, &p); err != nil {
		t.Fatal(err)
	}
	stations := map[string]bool{}
	for _, st := range p.Stations {
		stations[st.ID] = true
	}
	if p.Complete || !stations["bayuan"] || !stations["mengcun"] || stations["wenjilu"] {
		t.Errorf("complete %v, stations %v: want bayuan and its neighbours (mengcun among them, not wenjilu)", p.Complete, stations)
	}
	for _, g := range p.Grids {
		if !stations[g.Station] {
			t.Errorf("grid %s of station %s is outside the pack's stations", g.ID, g.Station)
		}
	}
	rec := serve(t, s.Handler(), http.MethodGet, "/api/v1/pack", "")
	if p := expectProblem(t, rec, http.StatusBadRequest); !strings.Contains(p.Detail, "station") {
		t.Errorf("detail %q", p.Detail)
	}
}

// TestPackScaleExact: the scale is the smallest power of ten that gives
// every coordinate back exactly, and none (plain numbers) when no scale
// does.
func TestPackScaleExact(t *testing.T) {
	ds := lantianDataset(t)
	if got := pack.Scale(ds); got != 1e7 {
		t.Errorf("Lantian's scale %d, want 1e7 (the file has 7 decimals)", got)
	}
	odd := &geo.Dataset{Grids: []geo.Grid{{Geometry: orb.MultiPolygon{{{{109.1, 34.1}, {109.2, 34.1 + math.Pi/1e6}, {109.1, 34.1}}}}}}}
	if got := pack.Scale(odd); got != 0 {
		t.Errorf("scale %d for a coordinate no power of ten gives back", got)
	}
	g := pack.EncodeGeometry(odd.Grids[0].Geometry, 0)
	if !orb.Equal(decodePackGeometry(g, 0), odd.Grids[0].Geometry) {
		t.Errorf("plain numbers do not come back")
	}
}

// TestPackSizesOnWire: the county's pack as the server sends it, gzipped
// by its middleware, stays within pack.CountyMaxGzipBytes. go test -v -run
// TestPackSizes ./api/pack ./api prints the table of docs/performance.md.
func TestPackSizesOnWire(t *testing.T) {
	ds := lantianDataset(t)
	// On the wire the server's gzip (level 1, middleware_gzip.go) sends it.
	wire := sendWith(t, newTestServer(t, ds, Config{}).Handler(), http.MethodGet, "/api/v1/pack", http.Header{"Accept-Encoding": {"gzip"}})
	if wire.Header().Get("Content-Encoding") != "gzip" || wire.Body.Len() > pack.CountyMaxGzipBytes {
		t.Errorf("the county's pack on the wire: %d bytes, Content-Encoding %q", wire.Body.Len(), wire.Header().Get("Content-Encoding"))
	}
	t.Logf("| county, as served (gzip level 1) | %d | | %d |", len(ds.Stations), wire.Body.Len())
}
