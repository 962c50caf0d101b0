package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"strings"
	"testing"

	"github.com/paulmach/orb"

	"jingge/api/apitest"
	"jingge/api/locate"
	"jingge/data/lantian"
	"jingge/geo"
	"jingge/geo/crs"
)

// translated returns ds moved by (dx, dy) degrees, to put it in another
// hemisphere.
func translated(ds *geo.Dataset, dx, dy float64) *geo.Dataset {
	move := func(mp orb.MultiPolygon) {
		for _, poly := range mp {
			for _, ring := range poly {
				for i := range ring {
					ring[i] = orb.Point{ring[i][0] + dx, ring[i][1] + dy}
				}
			}
		}
	}
	move(ds.County)
	for i := range ds.Grids {
		move(ds.Grids[i].Geometry)
	}
	for i := range ds.Townships {
		move(ds.Townships[i].Geometry)
	}
	for i := range ds.Stations {
		ds.Stations[i].Location = orb.Point{ds.Stations[i].Location[0] + dx, ds.Stations[i].Location[1] + dy}
	}
	return ds
}

func runLookupWith(t *testing.T, ds *geo.Dataset, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	var out, errOut bytes.Buffer
	err = lookupCommand(context.Background(), args, &out, &errOut, opener(memStore(t, ds)))
	return out.String(), errOut.String(), err
}

func coord(f float64) string { return fmt.Sprint(f) }

func TestLookupCommand(t *testing.T) {
	lon, lat := coord(apitest.InCommunity[0]), coord(apitest.InCommunity[1])
	g := crs.Convert(apitest.InCommunity, crs.WGS84, crs.GCJ02)
	glon, glat := coord(g[0]), coord(g[1])
	tests := []struct {
		name string
		args []string
	}{
		{"plain", []string{lon, lat}},
		{"flag before", []string{"--crs", "gcj02", glon, glat}},
		{"flag after", []string{glon, glat, "--crs", "gcj02"}},
		{"flag between", []string{glon, "-crs=gcj02", glat}},
		{"crs alias", []string{glon, glat, "--crs", "Gaode"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out, _, err := runLookupWith(t, apitest.Small(), tc.args...)
			if err != nil {
				t.Fatalf("lookup %v: %v", tc.args, err)
			}
			for _, want := range []string{
				"网格 Community grid: 东街社区网格 (" + apitest.CommunityA + "), 蓝关街道",
				"警格 Police grid: 蓝关第一警格 (" + apitest.PoliceA + ")",
				"派出所 Station: 文姬路派出所 Wenjilu Police Station, 电话 phone 029-82700001",
				"区域 Region: 川下 River-valley plain",
				"王警官 13800000001, 社区民警 Community police officer (警格 蓝关第一警格)",
				"张网格 13800000003, 网格员 Grid worker (网格 东街社区网格)",
			} {
				if !strings.Contains(out, want) {
					t.Errorf("output lacks %q:\n%s", want, out)
				}
			}
		})
	}
}

func TestLookupCommandJSON(t *testing.T) {
	for _, args := range [][]string{
		{"--json", coord(apitest.InPoliceOnly[0]), coord(apitest.InPoliceOnly[1])},
		{coord(apitest.InPoliceOnly[0]), coord(apitest.InPoliceOnly[1]), "--json"},
	} {
		out, _, err := runLookupWith(t, apitest.Small(), args...)
		if err != nil {
			t.Fatal(err)
		}
		var resp locate.Response
		if err := json.Unmarshal([]byte(out), &resp); err != nil {
			t.Fatalf("%v: %s", err, out)
		}
		if resp.CommunityGrid != nil || resp.PoliceGrid == nil || resp.PoliceGrid.ID != apitest.PoliceB || resp.Station.ID != apitest.StationB {
			t.Errorf("%v: %+v", args, resp)
		}
	}
}

// TestLookupCommandNegative checks negative coordinates are taken as
// numbers, not flags, wherever the flags sit.
func TestLookupCommandNegative(t *testing.T) {
	const dx, dy = -179.9, -67.55 // near Santiago de Chile
	ds := translated(apitest.Small(), dx, dy)
	lon, lat := coord(apitest.InCommunity[0]+dx), coord(apitest.InCommunity[1]+dy)
	for _, args := range [][]string{{lon, lat}, {"--json", lon, lat}, {lon, lat, "--json"}, {"--", lon, lat}, {"--crs", "wgs84", lon, "--json", lat}} {
		out, _, err := runLookupWith(t, ds, args...)
		if err != nil {
			t.Errorf("%v: %v", args, err)
			continue
		}
		if !strings.Contains(out, apitest.CommunityA) {
			t.Errorf("%v: %s", args, out)
		}
	}
}

func TestLookupCommandErrors(t *testing.T) {
	tests := []struct {
		name    string
		args    []string
		usage   bool
		contain string
	}{
		{"no arguments", nil, true, "lookup needs LON LAT"},
		{"one argument", []string{"109.3"}, true, "got 1 argument"},
		{"three arguments", []string{"109.3", "34.1", "5"}, true, "got 3 argument"},
		{"not a number", []string{"109.3", "north"}, true, `lat must be a number between -90 and 90, got "north"`},
		{"NaN", []string{"NaN", "34"}, true, "lon must be a finite number"},
		{"out of range", []string{"109.3", "-91"}, true, "lat must be a number between -90 and 90, got -91"},
		{"unknown crs", []string{"--crs", "utm", "109.3", "34.1"}, true, "gcj02"},
		{"unknown flag", []string{"--zoom", "3", "109.3", "34.1"}, true, "flag provided but not defined"},
		{"outside", []string{"100", "30"}, false, "outside every grid"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out, _, err := runLookupWith(t, apitest.Small(), tc.args...)
			if err == nil {
				t.Fatalf("no error; output %s", out)
			}
			if errors.Is(err, errUsage) != tc.usage {
				t.Errorf("usage error %v, want %v: %v", errors.Is(err, errUsage), tc.usage, err)
			}
			if !strings.Contains(err.Error(), tc.contain) {
				t.Errorf("error %q lacks %q", err, tc.contain)
			}
			if out != "" {
				t.Errorf("printed %q on failure", out)
			}
		})
	}
	if _, _, err := runLookupWith(t, apitest.Small(), "-h"); !errors.Is(err, flag.ErrHelp) {
		t.Errorf("-h: %v", err)
	}
}

// TestLookupCountySeat asks the real command about the county seat, which
// lies in 蓝关街道, served by 文姬路 or 城关 station.
func TestLookupCountySeat(t *testing.T) {
	ds, err := lantian.Load()
	if err != nil {
		t.Fatal(err)
	}
	if len(ds.Grids) == 0 {
		t.Skip("the bundled Lantian dataset has no grids")
	}
	t.Setenv("DATABASE_URL", "")
	var out, errOut bytes.Buffer
	if err := runLookup(context.Background(), []string{"109.317", "34.152"}, &out, &errOut); err != nil {
		t.Fatalf("%v\n%s", err, errOut.String())
	}
	if !strings.Contains(out.String(), "蓝关街道") || !(strings.Contains(out.String(), "文姬路派出所") || strings.Contains(out.String(), "城关派出所")) {
		t.Errorf("output:\n%s", out.String())
	}
	if errOut.Len() != 0 {
		t.Errorf("stderr: %s", errOut.String())
	}
}

func TestParseInterleaved(t *testing.T) {
	tests := []struct {
		args []string
		pos  string
		crs  string
		json bool
	}{
		{[]string{"1", "2"}, "1 2", "wgs84", false},
		{[]string{"-1", "-2"}, "-1 -2", "wgs84", false},
		{[]string{"-1e2", "--json", "-2.5"}, "-1e2 -2.5", "wgs84", true},
		{[]string{"--crs", "bd09", "-1", "-2"}, "-1 -2", "bd09", false},
		{[]string{"-1", "-2", "-crs=gcj02", "-json=true"}, "-1 -2", "gcj02", true},
		{[]string{"--", "-json", "x"}, "-json x", "wgs84", false},
	}
	for _, tc := range tests {
		fs := flag.NewFlagSet("t", flag.ContinueOnError)
		c := fs.String("crs", "wgs84", "")
		j := fs.Bool("json", false, "")
		pos, err := parseInterleaved(fs, tc.args)
		if err != nil || strings.Join(pos, " ") != tc.pos || *c != tc.crs || *j != tc.json {
			t.Errorf("%q: pos %q crs %s json %v err %v", tc.args, pos, *c, *j, err)
		}
	}
}
