package lantian

import (
	"embed"
	"encoding/csv"
	"fmt"
	"io"
	"io/fs"
	"strconv"
	"strings"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"

	"jingge/geo"
)

// Source holds the real reference data the generator starts from.
//
//go:embed source/county.geojson source/townships.csv source/villages.csv source/stations.csv
var Source embed.FS

type townshipRow struct {
	Code, Name string
	Seat       orb.Point // approximate, in the source datum
	Stations   []string  // station names, 派出所 included
}

type villageRow struct {
	Code, Name, Township string
}

type stationRow struct {
	Name, NameEN string
	Region       geo.Terrain
	Brand        string
}

type sources struct {
	county    orb.MultiPolygon
	townships []townshipRow
	villages  []villageRow
	stations  []stationRow
}

func readSources(fsys fs.FS) (*sources, error) {
	var s sources
	raw, err := fs.ReadFile(fsys, "source/county.geojson")
	if err != nil {
		return nil, fmt.Errorf("lantian: %w", err)
	}
	fc, err := geojson.UnmarshalFeatureCollection(raw)
	if err != nil || len(fc.Features) != 1 {
		return nil, fmt.Errorf("lantian: county.geojson must hold one feature: %v", err)
	}
	switch g := fc.Features[0].Geometry.(type) {
	case orb.Polygon:
		s.county = orb.MultiPolygon{g}
	case orb.MultiPolygon:
		s.county = g
	default:
		return nil, fmt.Errorf("lantian: county.geojson geometry is %s", g.GeoJSONType())
	}
	err = readCSV(fsys, "source/townships.csv", []string{"code", "name", "seat_lon_approx", "seat_lat_approx", "stations"}, func(rec []string) error {
		lon, err1 := strconv.ParseFloat(rec[2], 64)
		lat, err2 := strconv.ParseFloat(rec[3], 64)
		if err1 != nil || err2 != nil {
			return fmt.Errorf("bad seat %q,%q", rec[2], rec[3])
		}
		s.townships = append(s.townships, townshipRow{Code: rec[0], Name: rec[1], Seat: orb.Point{lon, lat}, Stations: strings.Split(rec[4], "|")})
		return nil
	})
	if err == nil {
		err = readCSV(fsys, "source/villages.csv", []string{"code", "name", "township_code"}, func(rec []string) error {
			if len(rec[0]) != 12 || !strings.HasPrefix(rec[0], rec[2]) {
				return fmt.Errorf("village code %q is not 12 digits under township %q", rec[0], rec[2])
			}
			s.villages = append(s.villages, villageRow{Code: rec[0], Name: rec[1], Township: rec[2]})
			return nil
		})
	}
	if err == nil {
		err = readCSV(fsys, "source/stations.csv", []string{"name", "name_en", "region", "region_zh", "blueprint", "brand"}, func(rec []string) error {
			t, err := geo.ParseTerrain(rec[2])
			if err != nil {
				return err
			}
			s.stations = append(s.stations, stationRow{Name: rec[0], NameEN: rec[1], Region: t, Brand: rec[5]})
			return nil
		})
	}
	if err != nil {
		return nil, err
	}
	return &s, nil
}

func readCSV(fsys fs.FS, name string, header []string, row func([]string) error) error {
	f, err := fsys.Open(name)
	if err != nil {
		return fmt.Errorf("lantian: %w", err)
	}
	defer f.Close()
	r := csv.NewReader(f)
	r.FieldsPerRecord = len(header)
	head, err := r.Read()
	if err != nil {
		return fmt.Errorf("lantian: %s: %w", name, err)
	}
	for i := range header {
		if head[i] != header[i] {
			return fmt.Errorf("lantian: %s: column %d is %q, want %q", name, i+1, head[i], header[i])
		}
	}
	for line := 2; ; line++ {
		rec, err := r.Read()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return fmt.Errorf("lantian: %s: %w", name, err)
		}
		if err := row(rec); err != nil {
			return fmt.Errorf("lantian: %s line %d: %w", name, line, err)
		}
	}
}
