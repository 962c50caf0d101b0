package intake

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	"jingge/data"
	"jingge/geo"
)

// incidentColumns are the columns of an incident CSV file, required first.
var incidentColumns = []string{"occurred_at", "category", "lon", "lat", "reported_at", "severity", "status", "cleared", "source", "summary"}

// requiredColumns must be in every incident CSV file.
var requiredColumns = incidentColumns[:4]

// columnAliases maps other common spellings to the columns.
var columnAliases = map[string]string{
	"longitude": "lon", "lng": "lon", "x": "lon", "latitude": "lat", "y": "lat",
	"time": "occurred_at", "occurred": "occurred_at", "reported": "reported_at", "type": "category",
}

// ParseCSV reads a CSV file of incidents with a header row (see
// incidentColumns; a UTF-8 byte-order mark is allowed). A row with bad
// values comes back with its problems, named by its line; a file whose
// header or quoting is broken is an error.
func ParseCSV(r io.Reader, zone *time.Location) ([]Row, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	header, err := cr.Read()
	if err == io.EOF {
		return nil, errors.New("the file is empty; it needs a header row: " + strings.Join(incidentColumns, ","))
	}
	if err != nil {
		return nil, csvError(err)
	}
	if len(header) > 0 {
		header[0] = strings.TrimPrefix(header[0], string(utf8BOM))
	}
	col := map[string]int{}
	for i, h := range header {
		h = strings.ToLower(strings.TrimSpace(h))
		if a, ok := columnAliases[h]; ok {
			h = a
		}
		if !slices.Contains(incidentColumns, h) {
			return nil, fmt.Errorf("line 1: column %q is not an incident field; the columns are %s", header[i], strings.Join(incidentColumns, ", "))
		}
		if _, dup := col[h]; dup {
			return nil, fmt.Errorf("line 1: column %s appears twice", h)
		}
		col[h] = i
	}
	var missing []string
	for _, c := range requiredColumns {
		if _, ok := col[c]; !ok {
			missing = append(missing, c)
		}
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("line 1: the header lacks the required column(s) %s", strings.Join(missing, ", "))
	}
	var rows []Row
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			return rows, nil
		}
		if err != nil {
			return nil, csvError(err)
		}
		line, _ := cr.FieldPos(0)
		row := Row{Where: "line " + strconv.Itoa(line)}
		if len(rec) != len(header) {
			row.Problems = append(row.Problems, fmt.Sprintf("%d fields, but the header has %d", len(rec), len(header)))
			rows = append(rows, row)
			continue
		}
		row.Incident, row.Problems = incidentOfRecord(rec, col, zone)
		rows = append(rows, row)
	}
}

func csvError(err error) error {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return fmt.Errorf("line %d: the CSV is broken: %v", pe.Line, pe.Err)
	}
	return err
}

// incidentOfRecord reads one CSV record by the header's columns.
func incidentOfRecord(rec []string, col map[string]int, zone *time.Location) (geo.Incident, []string) {
	var inc geo.Incident
	var bad []string
	cell := func(name string) (string, bool) {
		i, ok := col[name]
		if !ok {
			return "", false
		}
		v := strings.TrimSpace(rec[i])
		return v, v != ""
	}
	fail := func(name, format string, args ...any) {
		bad = append(bad, name+": "+fmt.Sprintf(format, args...))
	}
	if v, ok := cell("occurred_at"); !ok {
		fail("occurred_at", "is empty; when did it happen?")
	} else if t, err := ParseTime(v, zoneOr(zone)); err != nil {
		fail("occurred_at", "%v", err)
	} else {
		inc.OccurredAt = t
	}
	if v, ok := cell("reported_at"); ok {
		if t, err := ParseTime(v, zoneOr(zone)); err != nil {
			fail("reported_at", "%v", err)
		} else {
			inc.ReportedAt = t
		}
	}
	if v, ok := cell("category"); !ok {
		fail("category", "is empty")
	} else if c, err := ParseCategory(v); err != nil {
		fail("category", "%v", err)
	} else {
		inc.Category = c
	}
	if v, ok := cell("severity"); ok {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 5 {
			fail("severity", "must be a whole number from 1 to 5, got %q", v)
		}
		inc.Severity = n
	}
	if v, ok := cell("status"); ok {
		inc.Status = geo.IncidentStatus(strings.ToLower(v))
		switch inc.Status {
		case geo.Reported, geo.Dispatched, geo.OnScene, geo.Closed:
		default:
			fail("status", "must be reported, dispatched, on_scene or closed, got %q", v)
		}
	}
	if v, ok := cell("cleared"); ok {
		switch strings.ToLower(v) {
		case "true", "yes", "1", "是", "y":
			inc.Cleared = true
		case "false", "no", "0", "否", "n":
		default:
			fail("cleared", "must be true or false, got %q", v)
		}
	}
	lon, _ := cell("lon")
	lat, _ := cell("lat")
	if pt, err := ParseCoordinates(lon, lat); err != nil {
		var p *data.RequestError
		if errors.As(err, &p) {
			fail("location", "%s", p.Message)
		} else {
			fail("location", "%v", err)
		}
	} else {
		inc.Location = pt
	}
	inc.Source, _ = cell("source")
	inc.Summary, _ = cell("summary")
	return inc, bad
}
