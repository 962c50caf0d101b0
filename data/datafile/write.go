package datafile

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"time"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"

	"jingge/geo"
)

// coordScale rounds written coordinates to 7 decimals.
const coordScale = 1e7

func round(p orb.Point) orb.Point {
	return orb.Point{math.Round(p[0]*coordScale) / coordScale, math.Round(p[1]*coordScale) / coordScale}
}

func roundMulti(mp orb.MultiPolygon) orb.MultiPolygon {
	out := make(orb.MultiPolygon, len(mp))
	for i, poly := range mp {
		out[i] = make(orb.Polygon, len(poly))
		for j, ring := range poly {
			r := make(orb.Ring, len(ring))
			for k, p := range ring {
				r[k] = round(p)
			}
			out[i][j] = r
		}
	}
	return out
}

func areaGeometry(mp orb.MultiPolygon) *geojson.Geometry {
	mp = roundMulti(mp)
	if len(mp) == 1 {
		return geojson.NewGeometry(mp[0])
	}
	return geojson.NewGeometry(mp)
}

// collector gathers a file's features; the first error stops it.
type collector struct {
	feats []feature
	err   error
}

func (c *collector) add(g *geojson.Geometry, props any) {
	if c.err != nil {
		return
	}
	raw, err := json.Marshal(props)
	if err != nil {
		c.err = fmt.Errorf("datafile: %w", err)
		return
	}
	c.feats = append(c.feats, feature{Type: "Feature", Geometry: g, Properties: raw})
}

// addPartition adds the county, townships, stations, grids and members.
func (c *collector) addPartition(ds *geo.Dataset) {
	if len(ds.County) > 0 {
		c.add(areaGeometry(ds.County), countyProps{Kind: "county", Name: ds.Meta.Name})
	}
	for _, t := range ds.Townships {
		c.add(areaGeometry(t.Geometry), townshipProps{Kind: "township", Code: t.Code, Name: t.Name, Stations: t.StationIDs})
	}
	for _, s := range ds.Stations {
		c.add(geojson.NewGeometry(round(s.Location)), stationProps{Kind: "station", ID: s.ID, Name: s.Name, NameEN: s.NameEN, Region: s.Region, Brand: s.Brand, Phone: s.Phone})
	}
	for _, g := range ds.Grids {
		c.add(areaGeometry(g.Geometry), gridProps{Kind: "grid", ID: g.ID, Level: g.Level, Name: g.Name, Station: g.StationID, Parent: g.ParentID, Township: g.Township, Population: g.Population, Terrain: g.Terrain})
	}
	for _, m := range ds.Members {
		grids := m.GridIDs
		if grids == nil {
			grids = []string{}
		}
		c.add(nil, memberProps{Kind: "member", ID: m.ID, Name: m.Name, Role: m.Role, Roles: m.Roles, Phone: m.Phone, Station: m.StationID, Grids: grids})
	}
}

// addOverlays adds the areas, places and checkpoints.
func (c *collector) addOverlays(ds *geo.Dataset) {
	loc, lerr := ds.Meta.Location()
	if lerr != nil {
		loc = time.UTC // a zone Check refuses; the file keeps the times as they are
	}
	for i := range ds.Areas {
		c.add(areaGeometry(ds.Areas[i].Geometry), areaProps(&ds.Areas[i], loc))
	}
	for i := range ds.Places {
		c.add(geojson.NewGeometry(round(ds.Places[i].Location)), placeProps(&ds.Places[i], loc))
	}
	for i := range ds.Checkpoints {
		c.add(geojson.NewGeometry(round(ds.Checkpoints[i].Location)), checkpointPropsOf(&ds.Checkpoints[i]))
	}
}

// Write encodes ds as a dataset file, one feature per line, in a stable
// order: county, townships, stations, grids, members, areas, places,
// checkpoints, each as in ds. Versions are the store's and are not written.
func Write(w io.Writer, ds *geo.Dataset) error {
	var c collector
	c.addPartition(ds)
	c.addOverlays(ds)
	if c.err != nil {
		return c.err
	}
	feats := c.feats
	head, err := json.Marshal(header{Format: FormatVersion, Meta: ds.Meta})
	if err != nil {
		return fmt.Errorf("datafile: %w", err)
	}
	if _, err := fmt.Fprintf(w, "{\"type\":\"FeatureCollection\",\"jingge\":%s,\"features\":[\n", head); err != nil {
		return fmt.Errorf("datafile: %w", err)
	}
	for i, f := range feats {
		line, err := json.Marshal(f)
		if err != nil {
			return fmt.Errorf("datafile: %w", err)
		}
		sep := ",\n"
		if i == len(feats)-1 {
			sep = "\n"
		}
		if _, err := fmt.Fprintf(w, "%s%s", line, sep); err != nil {
			return fmt.Errorf("datafile: %w", err)
		}
	}
	_, err = io.WriteString(w, "]}\n")
	if err != nil {
		return fmt.Errorf("datafile: %w", err)
	}
	return nil
}
