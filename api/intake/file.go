package intake

import (
	"bytes"
	"errors"
	"path/filepath"
	"strings"
	"time"

	"jingge/data"
	"jingge/geo"
)

// Row is one incident of a file, where it came from and what is wrong
// with it.
type Row struct {
	Incident geo.Incident
	// Where names its place in the file: "line 17" or "features[3]".
	Where string
	// Problems say what is wrong with it, in words for people; a row
	// without problems is good.
	Problems []string
}

var utf8BOM = []byte{0xEF, 0xBB, 0xBF}

// ParseFile reads a CSV or GeoJSON file of incidents, by its
// extension or, for others and stdin, by its first character.
func ParseFile(name string, body []byte, zone *time.Location) ([]Row, string, error) {
	switch ext := strings.ToLower(filepath.Ext(name)); {
	case ext == ".csv":
		rows, err := ParseCSV(bytes.NewReader(body), zone)
		return rows, "", err
	case ext == ".geojson" || ext == ".json":
		return parseIncidentsGeoJSON(body, zone)
	}
	if t := bytes.TrimLeft(bytes.TrimPrefix(body, utf8BOM), " \t\r\n"); len(t) > 0 && t[0] == '{' {
		return parseIncidentsGeoJSON(body, zone)
	}
	rows, err := ParseCSV(bytes.NewReader(body), zone)
	return rows, "", err
}

// parseIncidentsGeoJSON reads GeoJSON (or the API's JSON shapes) with the
// API's decoder, keeping bad features to report them.
func parseIncidentsGeoJSON(body []byte, zone *time.Location) ([]Row, string, error) {
	in, err := Decode(bytes.TrimPrefix(body, utf8BOM), Options{KeepBad: true, Zone: zone})
	if err != nil {
		var p *data.RequestError
		if errors.As(err, &p) {
			msg := p.Message
			for _, ip := range p.Params {
				if !strings.Contains(msg, ip.Reason) {
					msg += "; " + ip.Reason
				}
			}
			return nil, "", errors.New(msg)
		}
		return nil, "", err
	}
	rows := make([]Row, len(in.Incidents))
	for i := range rows {
		rows[i] = Row{Incident: in.Incidents[i], Where: nameOr(in.Names[i], "the incident")}
		for _, p := range in.Problems[i] {
			rows[i].Problems = append(rows[i].Problems, p.Reason)
		}
	}
	return rows, in.CRS, nil
}
