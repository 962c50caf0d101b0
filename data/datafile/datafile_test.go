package datafile_test

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"time"

	"jingge/data/datafile"
	"jingge/data/lantian"
	"jingge/geo"
	"jingge/geo/geotest"
)

func TestRoundTripIsLossless(t *testing.T) {
	for name, raw := range map[string][]byte{"lantian": lantian.Bundled()} {
		t.Run(name, func(t *testing.T) {
			ds, err := datafile.Read(bytes.NewReader(raw))
			if err != nil {
				t.Fatal(err)
			}
			var out bytes.Buffer
			if err := datafile.Write(&out, ds); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(out.Bytes(), raw) {
				t.Fatal("Write(Read(file)) differs from the file")
			}
		})
	}
	ds := geotest.Lattice(3, 2, 0.01, 1)
	var a, b bytes.Buffer
	if err := datafile.Write(&a, ds); err != nil {
		t.Fatal(err)
	}
	back, err := datafile.Read(bytes.NewReader(a.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	if err := datafile.Write(&b, back); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a.Bytes(), b.Bytes()) || len(back.Grids) != len(ds.Grids) {
		t.Fatal("a written lattice does not read back to the same file")
	}
}

// TestRoundTripKeepsOverlays: areas and places, with liaisons, notes and
// periods (a date alone read in the dataset's zone), read back as written.
func TestRoundTripKeepsOverlays(t *testing.T) {
	ds := geotest.Lattice(3, 2, 0.01, 1)
	geotest.Overlays(ds, 3, 4, 1)
	// As PostgreSQL gives it back: in UTC. The file writes the dataset's zone.
	ds.Areas[1].ValidTo = time.Date(2027, 6, 29, 16, 0, 0, 0, time.UTC)
	ds.Places[2].Opening = "周一至周五 8:00-17:00"
	var a, b bytes.Buffer
	if err := datafile.Write(&a, ds); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(a.String(), `"valid_to":"2027-06-30T00:00:00+08:00"`) {
		t.Errorf("the works' end is not written as an RFC 3339 time:\n%s", a.String())
	}
	back, err := datafile.Read(bytes.NewReader(a.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	if len(back.Areas) != 3 || len(back.Places) != 4 {
		t.Fatalf("read back %d areas and %d places, want 3 and 4", len(back.Areas), len(back.Places))
	}
	if err := datafile.Write(&b, back); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a.Bytes(), b.Bytes()) {
		t.Fatal("a lattice with overlays does not read back to the same file")
	}
	again, err := datafile.Read(bytes.NewReader(b.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	for i := range ds.Areas {
		if !geo.SameArea(&again.Areas[i], &back.Areas[i]) || back.Areas[i].Liaison != ds.Areas[i].Liaison || !back.Areas[i].ValidTo.Equal(ds.Areas[i].ValidTo) {
			t.Errorf("area %d read back as %+v, want %+v", i, back.Areas[i], ds.Areas[i])
		}
	}
	for i := range ds.Places {
		if !geo.SamePlace(&again.Places[i], &back.Places[i]) || back.Places[i].Opening != ds.Places[i].Opening || back.Places[i].Kind != ds.Places[i].Kind {
			t.Errorf("place %d read back as %+v, want %+v", i, back.Places[i], ds.Places[i])
		}
	}
	day := strings.Replace(a.String(), "2027-06-30T00:00:00+08:00", "2027-06-30", 1)
	back, err = datafile.Read(strings.NewReader(day))
	if err != nil {
		t.Fatal(err)
	}
	if want := time.Date(2027, 6, 30, 0, 0, 0, 0, time.UTC).Add(-8 * time.Hour); !back.Areas[1].ValidTo.Equal(want) {
		t.Errorf("a date alone is read as %v, want midnight in Asia/Shanghai (%v)", back.Areas[1].ValidTo, want)
	}
}

// TestRoundTripKeepsGridTerrain: a grid's own terrain is written as its
// "terrain" property and read back; grids without one have no such
// property.
func TestRoundTripKeepsGridTerrain(t *testing.T) {
	ds := geotest.Lattice(3, 2, 0.01, 1)
	want := map[string]geo.Terrain{}
	for i, tr := range []geo.Terrain{geo.Mountain, "", geo.Hill, "", "", geo.Plateau} {
		ds.Grids[i].Terrain = tr
		want[ds.Grids[i].ID] = tr
	}
	var a, b bytes.Buffer
	if err := datafile.Write(&a, ds); err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(a.String(), `"terrain":`); n != 3 {
		t.Errorf("the file has %d terrain properties, want 3 (one per grid that has one)", n)
	}
	back, err := datafile.Read(bytes.NewReader(a.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	for _, g := range back.Grids {
		if g.Terrain != want[g.ID] {
			t.Errorf("grid %s read back with terrain %q, want %q", g.ID, g.Terrain, want[g.ID])
		}
	}
	if err := datafile.Write(&b, back); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a.Bytes(), b.Bytes()) {
		t.Fatal("a lattice with grid terrains does not read back to the same file")
	}
}

func TestReadReportsEachBadFeature(t *testing.T) {
	const head = `{"type":"FeatureCollection","features":[`
	square := `{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,1],[0,0]]]}`
	cases := []struct {
		name, body, want string
	}{
		{"not json", `{`, "not a GeoJSON FeatureCollection"},
		{"wrong top type", `{"type":"Feature","features":[]}`, `top-level type is "Feature"`},
		{"format version", `{"type":"FeatureCollection","jingge":{"format":9},"features":[]}`, "format version 9"},
		{"no kind", head + `{"type":"Feature","geometry":null,"properties":{}}]}`, `kind "" is not one of`},
		{"unknown kind", head + `{"type":"Feature","geometry":null,"properties":{"kind":"lake"}}]}`, `kind "lake"`},
		{"unknown property", head + `{"type":"Feature","geometry":` + square + `,"properties":{"kind":"grid","id":"g","level":"police","station":"s","colour":"red"}}]}`, `unknown field "colour"`},
		{"grid level", head + `{"type":"Feature","geometry":` + square + `,"properties":{"kind":"grid","id":"g","level":"county","station":"s"}}]}`, `level "county"`},
		{"grid point geometry", head + `{"type":"Feature","geometry":{"type":"Point","coordinates":[1,2]},"properties":{"kind":"grid","id":"g","level":"police","station":"s"}}]}`, "want Polygon or MultiPolygon"},
		{"unclosed ring", head + `{"type":"Feature","geometry":{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,1]]]},"properties":{"kind":"grid","id":"g","level":"police","station":"s"}}]}`, "not closed"},
		{"short ring", head + `{"type":"Feature","geometry":{"type":"Polygon","coordinates":[[[0,0],[1,0],[0,0]]]},"properties":{"kind":"grid","id":"g","level":"police","station":"s"}}]}`, "at least 4"},
		{"latitude out of range", head + `{"type":"Feature","geometry":{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,95],[0,0]]]},"properties":{"kind":"grid","id":"g","level":"police","station":"s"}}]}`, "outside longitude/latitude range"},
		{"grid terrain", head + `{"type":"Feature","geometry":` + square + `,"properties":{"kind":"grid","id":"g","level":"police","station":"s","terrain":"desert"}}]}`, `terrain "desert"`},
		{"station region", head + `{"type":"Feature","geometry":{"type":"Point","coordinates":[1,2]},"properties":{"kind":"station","id":"s","name":"n","region":"desert"}}]}`, `region "desert"`},
		{"member role", head + `{"type":"Feature","geometry":null,"properties":{"kind":"member","id":"m","name":"n","role":"chef","grids":[]}}]}`, `role "chef"`},
		{"area type", head + `{"type":"Feature","geometry":` + square + `,"properties":{"kind":"area","id":"a","name":"n","station":"s","type":"castle"}}]}`, `unknown area kind "castle"`},
		{"area without station", head + `{"type":"Feature","geometry":` + square + `,"properties":{"kind":"area","id":"a","name":"n","type":"park"}}]}`, `an area needs "id", "name" and "station"`},
		{"area point", head + `{"type":"Feature","geometry":{"type":"Point","coordinates":[1,2]},"properties":{"kind":"area","id":"a","name":"n","station":"s","type":"park"}}]}`, "want Polygon or MultiPolygon"},
		{"area end", head + `{"type":"Feature","geometry":` + square + `,"properties":{"kind":"area","id":"a","name":"n","station":"s","type":"works","valid_to":"next year"}}]}`, `valid_to "next year" is not a date`},
		{"place polygon", head + `{"type":"Feature","geometry":` + square + `,"properties":{"kind":"place","id":"p","name":"n","station":"s","type":"school"}}]}`, "want Point"},
		{"place type", head + `{"type":"Feature","geometry":{"type":"Point","coordinates":[1,2]},"properties":{"kind":"place","id":"p","name":"n","station":"s","type":"castle"}}]}`, `unknown place kind "castle"`},
		{"checkpoint polygon", head + `{"type":"Feature","geometry":` + square + `,"properties":{"kind":"checkpoint","id":"c","name":"n","station":"s"}}]}`, "want Point"},
		{"checkpoint without station", head + `{"type":"Feature","geometry":{"type":"Point","coordinates":[1,2]},"properties":{"kind":"checkpoint","id":"c","name":"n","road":"G40"}}]}`, `a checkpoint needs "id", "name" and "station"`},
		{"checkpoint kind", head + `{"type":"Feature","geometry":{"type":"Point","coordinates":[1,2]},"properties":{"kind":"checkpoint","id":"c","name":"n","station":"s","type":"school"}}]}`, `unknown field "type"`},
		{"member geometry", head + `{"type":"Feature","geometry":{"type":"Point","coordinates":[1,2]},"properties":{"kind":"member","id":"m","name":"n","role":"grid_worker","grids":[]}}]}`, "null geometry"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := datafile.Read(strings.NewReader(c.body))
			if !errors.Is(err, datafile.ErrFormat) {
				t.Fatalf("err = %v, want ErrFormat", err)
			}
			if !strings.Contains(err.Error(), c.want) {
				t.Errorf("err = %q, want it to mention %q", err, c.want)
			}
		})
	}
}

func TestReadNamesTheFeature(t *testing.T) {
	body := `{"type":"FeatureCollection","features":[
	{"type":"Feature","geometry":{"type":"Point","coordinates":[1,2]},"properties":{"kind":"station","id":"ok","name":"n","region":"plain"}},
	{"type":"Feature","geometry":{"type":"Point","coordinates":[1,2]},"properties":{"kind":"station","id":"bad","name":"n","region":"sea"}}]}`
	_, err := datafile.Read(strings.NewReader(body))
	var fe *datafile.FeatureError
	if !errors.As(err, &fe) || fe.Index != 1 || fe.ID != "bad" {
		t.Fatalf("err = %v, want a FeatureError for feature 1 (bad)", err)
	}
}

func FuzzRead(f *testing.F) {
	f.Add([]byte(`{"type":"FeatureCollection","features":[]}`))
	f.Add(lantian.Bundled()[:4096])
	f.Add([]byte(`{"type":"FeatureCollection","features":[{"type":"Feature","geometry":{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,0]]]},"properties":{"kind":"grid","id":"g","level":"police","station":"s"}}]}`))
	f.Fuzz(func(t *testing.T, raw []byte) {
		ds, err := datafile.Read(bytes.NewReader(raw))
		if err != nil {
			return
		}
		// Whatever reads must write and read back the same.
		var a, b bytes.Buffer
		if err := datafile.Write(&a, ds); err != nil {
			t.Fatal(err)
		}
		back, err := datafile.Read(bytes.NewReader(a.Bytes()))
		if err != nil {
			t.Fatalf("written file does not read: %v", err)
		}
		if err := datafile.Write(&b, back); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(a.Bytes(), b.Bytes()) {
			t.Fatal("second round trip differs")
		}
	})
}
