// Package datafile reads and writes a jingge dataset as one RFC 7946 GeoJSON
// FeatureCollection, the format of the bundled demo data, of `jingge import`
// and of `jingge export`.
//
// Every feature has a "kind" property: "county", "township", "station",
// "grid", "member" (members have a null geometry), "area" (a special area,
// polygon), "place" (a key place, point) or "checkpoint" (a control point on
// a road, point, with "road" and "notes"); an area's or place's own kind
// is its "type". A grid's "terrain" is
// optional: left out, the grid takes its police grid's, else its station's
// "region". Dataset metadata sits in
// the foreign member "jingge" of the collection. Coordinates are written with
// 7 decimals (about 1 cm), so Write followed by Read is lossless for data
// that was read from a file.
package datafile

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"

	"jingge/geo"
)

// FormatVersion is the version written to and accepted from files.
const FormatVersion = 1

// ErrFormat is wrapped by every error about the content of a file.
var ErrFormat = errors.New("datafile: bad dataset file")

// FeatureError names one bad feature of a file and what is wrong with it.
type FeatureError struct {
	Index int    // position in the features array, from 0
	ID    string // the feature's id, code or name, when it has one
	Err   error
}

func (e *FeatureError) Error() string {
	if e.ID != "" {
		return fmt.Sprintf("feature %d (%s): %v", e.Index, e.ID, e.Err)
	}
	return fmt.Sprintf("feature %d: %v", e.Index, e.Err)
}

func (e *FeatureError) Unwrap() error { return e.Err }

type header struct {
	Format int      `json:"format"`
	Meta   geo.Meta `json:"meta"`
}

type feature struct {
	Type       string            `json:"type"`
	ID         any               `json:"id,omitempty"`
	Geometry   *geojson.Geometry `json:"geometry"`
	Properties json.RawMessage   `json:"properties"`
}

type collection struct {
	Type     string    `json:"type"`
	Jingge   *header   `json:"jingge,omitempty"`
	Features []feature `json:"features"`
}

type kindOnly struct {
	Kind string `json:"kind"`
}

type countyProps struct {
	Kind string `json:"kind"`
	Name string `json:"name,omitempty"`
}

type townshipProps struct {
	Kind     string   `json:"kind"`
	Code     string   `json:"code"`
	Name     string   `json:"name"`
	Stations []string `json:"stations,omitempty"`
}

type stationProps struct {
	Kind   string      `json:"kind"`
	ID     string      `json:"id"`
	Name   string      `json:"name"`
	NameEN string      `json:"name_en,omitempty"`
	Region geo.Terrain `json:"region"`
	Brand  string      `json:"brand,omitempty"`
	Phone  string      `json:"phone,omitempty"`
}

type gridProps struct {
	Kind       string      `json:"kind"`
	ID         string      `json:"id"`
	Level      geo.Level   `json:"level"`
	Name       string      `json:"name"`
	Station    string      `json:"station"`
	Parent     string      `json:"parent,omitempty"`
	Township   string      `json:"township,omitempty"`
	Population int         `json:"population,omitempty"`
	Terrain    geo.Terrain `json:"terrain,omitempty"`
}

type memberProps struct {
	Kind    string     `json:"kind"`
	ID      string     `json:"id"`
	Name    string     `json:"name"`
	Role    geo.Role   `json:"role"`
	Roles   []geo.Role `json:"roles,omitempty"` // further roles beside role
	Phone   string     `json:"phone,omitempty"`
	Station string     `json:"station,omitempty"`
	Grids   []string   `json:"grids"`
}

// Read parses a dataset file. It checks each feature on its own (kind,
// required properties, geometry type and finite coordinates) and returns all
// problems found, each as a *FeatureError wrapped in ErrFormat; references
// between features are checked by geo.NewIndex. A file without the "jingge"
// member is accepted and gets an empty Meta with datum "wgs84".
func Read(r io.Reader) (*geo.Dataset, error) {
	var c collection
	dec := json.NewDecoder(r)
	if err := dec.Decode(&c); err != nil {
		return nil, fmt.Errorf("%w: not a GeoJSON FeatureCollection: %v", ErrFormat, err)
	}
	if c.Type != "FeatureCollection" {
		return nil, fmt.Errorf("%w: top-level type is %q, want \"FeatureCollection\"", ErrFormat, c.Type)
	}
	ds := &geo.Dataset{Meta: geo.Meta{Datum: "wgs84"}}
	if c.Jingge != nil {
		if c.Jingge.Format != FormatVersion {
			return nil, fmt.Errorf("%w: format version %d, this jingge reads version %d", ErrFormat, c.Jingge.Format, FormatVersion)
		}
		ds.Meta = c.Jingge.Meta
		if ds.Meta.Datum == "" {
			ds.Meta.Datum = "wgs84"
		}
	}
	var errs []error
	for i, f := range c.Features {
		if id, err := readFeature(ds, f); err != nil {
			errs = append(errs, &FeatureError{Index: i, ID: id, Err: err})
		}
	}
	if len(errs) > 0 {
		return nil, fmt.Errorf("%w: %w", ErrFormat, errors.Join(errs...))
	}
	return ds, nil
}

func strict(raw json.RawMessage, v any) error {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return fmt.Errorf("properties: %v", err)
	}
	return nil
}

// featureReaders reads each kind of feature into a dataset, returning the
// feature's id (or name) for messages.
var featureReaders = map[string]func(ds *geo.Dataset, f feature) (string, error){
	"county":     readCounty,
	"township":   readTownship,
	"station":    readStation,
	"grid":       readGrid,
	"member":     readMember,
	"area":       readArea,
	"place":      readPlace,
	"checkpoint": readCheckpoint,
}

func readFeature(ds *geo.Dataset, f feature) (id string, err error) {
	if f.Type != "Feature" {
		return "", fmt.Errorf("type is %q, want \"Feature\"", f.Type)
	}
	var k kindOnly
	if len(f.Properties) == 0 || json.Unmarshal(f.Properties, &k) != nil {
		return "", errors.New(`properties must be an object with a "kind"`)
	}
	read, ok := featureReaders[k.Kind]
	if !ok {
		return "", fmt.Errorf("kind %q is not one of county, township, station, grid, member, area, place", k.Kind)
	}
	return read(ds, f)
}

// readCounty reads a feature of kind "county" into ds and returns its id.
func readCounty(ds *geo.Dataset, f feature) (string, error) {
	var p countyProps
	if err := strict(f.Properties, &p); err != nil {
		return p.Name, err
	}
	mp, err := areal(f.Geometry)
	if err != nil {
		return p.Name, err
	}
	ds.County = append(ds.County, mp...)
	return p.Name, nil
}

// readTownship reads a feature of kind "township" into ds and returns its id.
func readTownship(ds *geo.Dataset, f feature) (string, error) {
	var p townshipProps
	if err := strict(f.Properties, &p); err != nil {
		return p.Code, err
	}
	if p.Code == "" || p.Name == "" {
		return p.Code, errors.New(`a township needs "code" and "name"`)
	}
	mp, err := areal(f.Geometry)
	if err != nil {
		return p.Code, err
	}
	ds.Townships = append(ds.Townships, geo.Township{Code: p.Code, Name: p.Name, StationIDs: p.Stations, Geometry: mp})
	return p.Code, nil
}

// readStation reads a feature of kind "station" into ds and returns its id.
func readStation(ds *geo.Dataset, f feature) (string, error) {
	var p stationProps
	if err := strict(f.Properties, &p); err != nil {
		return p.ID, err
	}
	if p.ID == "" || p.Name == "" {
		return p.ID, errors.New(`a station needs "id" and "name"`)
	}
	if !p.Region.Valid() {
		return p.ID, fmt.Errorf("region %q is not one of hill, plateau, plain, mountain", p.Region)
	}
	pt, err := point(f.Geometry)
	if err != nil {
		return p.ID, err
	}
	ds.Stations = append(ds.Stations, geo.Station{ID: p.ID, Name: p.Name, NameEN: p.NameEN, Region: p.Region, Brand: p.Brand, Phone: p.Phone, Location: pt})
	return p.ID, nil
}

// readGrid reads a feature of kind "grid" into ds and returns its id.
func readGrid(ds *geo.Dataset, f feature) (string, error) {
	var p gridProps
	if err := strict(f.Properties, &p); err != nil {
		return p.ID, err
	}
	if p.ID == "" || p.Station == "" {
		return p.ID, errors.New(`a grid needs "id" and "station"`)
	}
	if p.Level != geo.PoliceLevel && p.Level != geo.CommunityLevel {
		return p.ID, fmt.Errorf("level %q is not police or community", p.Level)
	}
	if p.Population < 0 {
		return p.ID, fmt.Errorf("population %d is negative", p.Population)
	}
	if p.Terrain != "" && !p.Terrain.Valid() {
		return p.ID, fmt.Errorf("terrain %q is not one of hill, plateau, plain, mountain (leave it out to take the station's region)", p.Terrain)
	}
	mp, err := areal(f.Geometry)
	if err != nil {
		return p.ID, err
	}
	ds.Grids = append(ds.Grids, geo.Grid{ID: p.ID, Level: p.Level, Name: p.Name, StationID: p.Station, ParentID: p.Parent, Township: p.Township, Population: p.Population, Terrain: p.Terrain, Geometry: mp})
	return p.ID, nil
}

// readMember reads a feature of kind "member" into ds and returns its id.
func readMember(ds *geo.Dataset, f feature) (string, error) {
	var p memberProps
	if err := strict(f.Properties, &p); err != nil {
		return p.ID, err
	}
	if p.ID == "" || p.Name == "" {
		return p.ID, errors.New(`a member needs "id" and "name"`)
	}
	if !p.Role.Valid() {
		return p.ID, fmt.Errorf("role %q is unknown", p.Role)
	}
	for _, r := range p.Roles {
		if !r.Valid() {
			return p.ID, fmt.Errorf("further role %q in roles is unknown", r)
		}
	}
	if f.Geometry != nil {
		return p.ID, errors.New("a member has a null geometry")
	}
	ds.Members = append(ds.Members, geo.Member{ID: p.ID, Name: p.Name, Role: p.Role, Roles: p.Roles, Phone: p.Phone, StationID: p.Station, GridIDs: p.Grids})
	return p.ID, nil
}

func finite(p orb.Point) bool {
	return !math.IsNaN(p[0]) && !math.IsNaN(p[1]) && !math.IsInf(p[0], 0) && !math.IsInf(p[1], 0)
}

func point(g *geojson.Geometry) (orb.Point, error) {
	if g == nil || g.Coordinates == nil {
		return orb.Point{}, errors.New("geometry must be a Point")
	}
	p, ok := g.Coordinates.(orb.Point)
	if !ok {
		return orb.Point{}, fmt.Errorf("geometry is a %s, want Point", g.Coordinates.GeoJSONType())
	}
	if !finite(p) || p[0] < -180 || p[0] > 180 || p[1] < -90 || p[1] > 90 {
		return orb.Point{}, fmt.Errorf("point %v is not a longitude/latitude pair", p)
	}
	return p, nil
}

// areal accepts a Polygon or MultiPolygon with closed rings of at least four
// finite positions; deeper validity (self-intersection, overlaps) is geo/topo's.
func areal(g *geojson.Geometry) (orb.MultiPolygon, error) {
	if g == nil || g.Coordinates == nil {
		return nil, errors.New("geometry must be a Polygon or MultiPolygon")
	}
	var mp orb.MultiPolygon
	switch c := g.Coordinates.(type) {
	case orb.Polygon:
		mp = orb.MultiPolygon{c}
	case orb.MultiPolygon:
		mp = c
	default:
		return nil, fmt.Errorf("geometry is a %s, want Polygon or MultiPolygon", c.GeoJSONType())
	}
	if len(mp) == 0 {
		return nil, errors.New("geometry is empty")
	}
	for pi, poly := range mp {
		if len(poly) == 0 {
			return nil, fmt.Errorf("polygon %d has no rings", pi)
		}
		for ri, ring := range poly {
			if len(ring) < 4 {
				return nil, fmt.Errorf("polygon %d ring %d has %d positions, a ring needs at least 4", pi, ri, len(ring))
			}
			if ring[0] != ring[len(ring)-1] {
				return nil, fmt.Errorf("polygon %d ring %d is not closed (first and last positions differ)", pi, ri)
			}
			for _, p := range ring {
				if !finite(p) || p[0] < -180 || p[0] > 180 || p[1] < -90 || p[1] > 90 {
					return nil, fmt.Errorf("polygon %d ring %d has position %v outside longitude/latitude range", pi, ri, p)
				}
			}
		}
	}
	return mp, nil
}
