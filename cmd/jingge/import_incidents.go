package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"jingge/api"
	"jingge/data"
	"jingge/geo"
	"jingge/geo/crs"
)

// fileIncident is one incident of an import file, where it came from and
// what is wrong with it.
type fileIncident struct {
	inc      geo.Incident
	where    string // "line 17" or "features[3]"
	problems []string
}

// incidentColumns are the columns of an incident CSV file, required first.
var incidentColumns = []string{"occurred_at", "category", "lon", "lat", "reported_at", "severity", "status", "cleared", "source", "summary"}

// requiredColumns must be in every incident CSV file.
var requiredColumns = incidentColumns[:4]

// columnAliases maps other common spellings to the columns.
var columnAliases = map[string]string{
	"longitude": "lon", "lng": "lon", "x": "lon", "latitude": "lat", "y": "lat",
	"time": "occurred_at", "occurred": "occurred_at", "reported": "reported_at", "type": "category",
}

// maxImportProblems bounds the problems printed; the count says the rest.
const maxImportProblems = 200

func importIncidentsCommand(ctx context.Context, args []string, stdout, stderr io.Writer, open storeOpener) error {
	fs := flag.NewFlagSet("jingge import incidents", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), `Usage: jingge import incidents [--crs wgs84|gcj02|bd09] [--skip-bad] [--dry-run] [--json] [--db URL] FILE.csv|FILE.geojson|-

Adds the incidents of a file to the PostGIS store, each attributed to the
grids in force when it occurred, in one transaction. A CSV file has a header
row with the columns occurred_at, category, lon, lat (required) and
reported_at, severity, status, cleared, source, summary; a GeoJSON file holds
Point features whose properties are those fields. Times without an offset are
China time. Every bad row (a point outside the county, a bad value) is reported
with its line; then nothing is imported unless --skip-bad. Importing the same
file again changes nothing. Flags:`)
		fs.PrintDefaults()
	}
	dbURL := fs.String("db", os.Getenv("DATABASE_URL"), "PostgreSQL `URL` of the PostGIS store (env DATABASE_URL)")
	crsFlag := fs.String("crs", "", "coordinate `system` of the file: wgs84 (default), gcj02 or bd09")
	skipBad := fs.Bool("skip-bad", false, "import the good rows and report the bad ones, instead of importing nothing")
	dryRun := fs.Bool("dry-run", false, "check and report, store nothing")
	asJSON := fs.Bool("json", false, "print the report as JSON")
	files, err := parseWithPositionals(fs, args)
	if err != nil {
		return cliFlagError(err)
	}
	switch {
	case len(files) != 1:
		return fmt.Errorf("%w: import incidents takes one FILE; see jingge import incidents -h", errUsage)
	case *dbURL == "":
		return fmt.Errorf("%w: import incidents writes to PostGIS: pass --db URL or set DATABASE_URL", errUsage)
	}
	name := files[0]
	body, err := readImportFile(name)
	if err != nil {
		return err
	}
	rows, fileCRS, err := parseIncidentFile(name, body)
	if err != nil {
		return fmt.Errorf("%w: %s: %w", errRejected, name, err)
	}
	from, err := importCRS(*crsFlag, fileCRS)
	if err != nil {
		return err
	}
	st, err := open(ctx, *dbURL, cliLogger(stderr))
	if err != nil {
		return fmt.Errorf("opening the store: %w", err)
	}
	defer st.Close()
	incidents, ok1 := st.(data.IncidentStore)
	timeline, ok2 := st.(data.GridTimeline)
	if !ok1 || !ok2 {
		return errors.New("this store keeps no incidents")
	}
	ds, err := st.Snapshot(ctx)
	if err != nil {
		return fmt.Errorf("reading the dataset: %w", err)
	}
	datum, err := crs.Parse(ds.Meta.Datum)
	if err != nil {
		return fmt.Errorf("dataset %q: datum: %w", ds.Meta.Name, err)
	}
	rep := importReport{File: name, Rows: len(rows), DryRun: *dryRun}
	imp := &incidentImport{rows: rows, from: from, datum: datum, attributor: data.NewAttributor(timeline, nil), store: incidents}
	imp.check(ctx, time.Now())
	if err := imp.attribute(ctx); err != nil {
		return err
	}
	good := imp.good()
	rep.fill(rows, len(good))
	if rep.Bad > 0 && !*skipBad || len(good) == 0 || *dryRun {
		return rep.finish(stdout, *asJSON, rep.Bad > 0 && !*skipBad || len(good) == 0)
	}
	key := importKey(body, from, *skipBad)
	for attempt := 0; ; attempt++ {
		res, err := incidents.AddIncidents(ctx, data.IncidentBatch{Incidents: good, Key: key, Scope: data.ScopeCommandLine, GridsAsOf: imp.asOf})
		var ie *data.IncidentError
		switch {
		case errors.Is(err, data.ErrStaleAttribution) && attempt < 2:
			if err := imp.attribute(ctx); err != nil {
				return err
			}
			good = imp.good()
			continue
		case errors.As(err, &ie):
			imp.blame(good, ie)
			good = imp.good()
			rep.fill(rows, len(good))
			if *skipBad && len(good) > 0 && attempt < 2 {
				continue
			}
			return rep.finish(stdout, *asJSON, true)
		case err != nil:
			return fmt.Errorf("storing the incidents (nothing was stored): %w", err)
		}
		rep.Imported, rep.Replayed = len(res.IDs), res.Replayed
		if len(res.IDs) > 0 {
			rep.FirstID, rep.LastID = res.IDs[0], res.IDs[len(res.IDs)-1]
		}
		return rep.finish(stdout, *asJSON, false)
	}
}

// incidentImport carries the rows of a file through checking, attribution
// and storing.
type incidentImport struct {
	rows       []fileIncident
	from       crs.CRS
	datum      crs.CRS
	attributor *data.Attributor
	store      data.IncidentStore
	asOf       time.Time
	goodRows   []int // rows[goodRows[i]] is good()[i]
}

// check converts each row's location into the dataset's datum and notes
// what NormalizeIncident finds wrong.
func (imp *incidentImport) check(_ context.Context, now time.Time) {
	for i := range imp.rows {
		r := &imp.rows[i]
		if len(r.problems) > 0 {
			continue
		}
		r.inc.Location = crs.Convert(r.inc.Location, imp.from, imp.datum)
		for _, p := range data.NormalizeIncident(&r.inc, now) {
			r.problems = append(r.problems, p.Field+": "+p.Reason)
		}
	}
}

// attribute attributes every row without problems; rows outside every
// grid in force at their time get a problem.
func (imp *incidentImport) attribute(ctx context.Context) error {
	var idx []int
	var batch []geo.Incident
	for i := range imp.rows {
		if len(imp.rows[i].problems) == 0 {
			idx = append(idx, i)
			batch = append(batch, imp.rows[i].inc)
		}
	}
	b := data.IncidentBatch{Incidents: batch}
	err := imp.attributor.Attribute(ctx, &b)
	imp.asOf = b.GridsAsOf
	var ie *data.IncidentError
	if err != nil && !errors.As(err, &ie) {
		return fmt.Errorf("attributing the incidents: %w", err)
	}
	for k, i := range idx {
		imp.rows[i].inc = batch[k]
	}
	if ie != nil {
		for _, p := range ie.Problems {
			r := &imp.rows[idx[p.Index]]
			loc := crs.Convert(r.inc.Location, imp.datum, imp.from)
			r.problems = append(r.problems, fmt.Sprintf("the point lon %.6f, lat %.6f (%s) is outside every grid in force at %s; is it in the county, and is --crs right?",
				loc[0], loc[1], imp.from.Label(), r.inc.OccurredAt.In(data.ChinaTime).Format(time.RFC3339)))
		}
	}
	return nil
}

// good returns the rows without problems, in file order.
func (imp *incidentImport) good() []geo.Incident {
	imp.goodRows = imp.goodRows[:0]
	var out []geo.Incident
	for i := range imp.rows {
		if len(imp.rows[i].problems) == 0 {
			out = append(out, imp.rows[i].inc)
			imp.goodRows = append(imp.goodRows, i)
		}
	}
	return out
}

// blame gives the rows the store refused their problems.
func (imp *incidentImport) blame(good []geo.Incident, ie *data.IncidentError) {
	for _, p := range ie.Problems {
		if p.Index < len(imp.goodRows) {
			r := &imp.rows[imp.goodRows[p.Index]]
			r.problems = append(r.problems, strings.TrimPrefix(p.Field+": "+p.Reason, ": "))
		}
	}
}

// importKey makes importing the same file with the same options twice
// store it once.
func importKey(body []byte, from crs.CRS, skipBad bool) string {
	h := sha256.New()
	h.Write(body)
	fmt.Fprintf(h, "|%s|%t", from, skipBad)
	return "import:" + hex.EncodeToString(h.Sum(nil))
}

// importCRS picks the file's coordinate system from --crs and the file's
// own "crs"; given twice they must agree.
func importCRS(flagText, fileText string) (crs.CRS, error) {
	var fromFlag, fromFile crs.CRS
	var err error
	if flagText != "" {
		if fromFlag, err = crs.Parse(flagText); err != nil {
			return "", fmt.Errorf("%w: --crs: %w", errUsage, err)
		}
	}
	if fileText != "" {
		if fromFile, err = crs.Parse(fileText); err != nil {
			return "", fmt.Errorf("%w: the file's crs: %w", errRejected, err)
		}
	}
	switch {
	case fromFlag != "" && fromFile != "" && fromFlag != fromFile:
		return "", fmt.Errorf("%w: --crs says %s but the file says %s", errUsage, fromFlag, fromFile)
	case fromFlag != "":
		return fromFlag, nil
	case fromFile != "":
		return fromFile, nil
	}
	return crs.WGS84, nil
}

func readImportFile(name string) ([]byte, error) {
	if name == "-" {
		return io.ReadAll(os.Stdin)
	}
	return os.ReadFile(name)
}

// parseIncidentFile reads a CSV or GeoJSON file of incidents, by its
// extension or, for others and stdin, by its first character.
func parseIncidentFile(name string, body []byte) ([]fileIncident, string, error) {
	switch ext := strings.ToLower(filepath.Ext(name)); {
	case ext == ".csv":
		rows, err := ParseIncidentsCSV(bytes.NewReader(body))
		return rows, "", err
	case ext == ".geojson" || ext == ".json":
		return parseIncidentsGeoJSON(body)
	}
	if t := bytes.TrimLeft(bytes.TrimPrefix(body, utf8BOM), " \t\r\n"); len(t) > 0 && t[0] == '{' {
		return parseIncidentsGeoJSON(body)
	}
	rows, err := ParseIncidentsCSV(bytes.NewReader(body))
	return rows, "", err
}

var utf8BOM = []byte{0xEF, 0xBB, 0xBF}

// parseIncidentsGeoJSON reads GeoJSON (or the API's JSON shapes) with the
// API's decoder, keeping bad features to report them.
func parseIncidentsGeoJSON(body []byte) ([]fileIncident, string, error) {
	in, err := api.DecodeIncidents(bytes.TrimPrefix(body, utf8BOM), api.DecodeOptions{KeepBad: true})
	if err != nil {
		var p *api.Problem
		if errors.As(err, &p) {
			msg := p.Detail
			for _, ip := range p.InvalidParams {
				if !strings.Contains(msg, ip.Reason) {
					msg += "; " + ip.Reason
				}
			}
			return nil, "", errors.New(msg)
		}
		return nil, "", err
	}
	rows := make([]fileIncident, len(in.Incidents))
	for i := range rows {
		rows[i] = fileIncident{inc: in.Incidents[i], where: nameOr(in.Names[i], "the incident")}
		for _, p := range in.Problems[i] {
			rows[i].problems = append(rows[i].problems, p.Reason)
		}
	}
	return rows, in.CRS, nil
}

func nameOr(s, fallback string) string {
	if s == "" {
		return fallback
	}
	return s
}

// ParseIncidentsCSV reads a CSV file of incidents with a header row (see
// incidentColumns; a UTF-8 byte-order mark is allowed). A row with bad
// values comes back with its problems, named by its line; a file whose
// header or quoting is broken is an error.
func ParseIncidentsCSV(r io.Reader) ([]fileIncident, error) {
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
	var rows []fileIncident
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			return rows, nil
		}
		if err != nil {
			return nil, csvError(err)
		}
		line, _ := cr.FieldPos(0)
		row := fileIncident{where: "line " + strconv.Itoa(line)}
		if len(rec) != len(header) {
			row.problems = append(row.problems, fmt.Sprintf("%d fields, but the header has %d", len(rec), len(header)))
			rows = append(rows, row)
			continue
		}
		row.inc, row.problems = incidentOfRecord(rec, col)
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
func incidentOfRecord(rec []string, col map[string]int) (geo.Incident, []string) {
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
	} else if t, err := api.ParseIncidentTime(v); err != nil {
		fail("occurred_at", "%v", err)
	} else {
		inc.OccurredAt = t
	}
	if v, ok := cell("reported_at"); ok {
		if t, err := api.ParseIncidentTime(v); err != nil {
			fail("reported_at", "%v", err)
		} else {
			inc.ReportedAt = t
		}
	}
	if v, ok := cell("category"); !ok {
		fail("category", "is empty")
	} else if c, err := api.ParseCategory(v); err != nil {
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
	if pt, err := api.ParseCoordinates(lon, lat); err != nil {
		var p *api.Problem
		if errors.As(err, &p) {
			fail("location", "%s", p.Detail)
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

// importReport says what an incident import did.
type importReport struct {
	File     string          `json:"file"`
	DryRun   bool            `json:"dry_run"`
	Rows     int             `json:"rows"`
	Good     int             `json:"good"`
	Bad      int             `json:"bad"`
	Imported int             `json:"imported"`
	Replayed bool            `json:"already_imported"`
	FirstID  string          `json:"first_id,omitempty"`
	LastID   string          `json:"last_id,omitempty"`
	Problems []importProblem `json:"problems,omitempty"`
}

// importProblem is one bad row.
type importProblem struct {
	Where   string `json:"where"`
	Reasons string `json:"reason"`
}

func (r *importReport) fill(rows []fileIncident, good int) {
	r.Good, r.Bad, r.Problems = good, 0, nil
	for _, row := range rows {
		if len(row.problems) > 0 {
			r.Bad++
			r.Problems = append(r.Problems, importProblem{Where: row.where, Reasons: strings.Join(row.problems, "; ")})
		}
	}
}

// finish prints the report; failed says the import was refused.
func (r *importReport) finish(w io.Writer, asJSON, failed bool) error {
	if asJSON {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		if err := enc.Encode(r); err != nil {
			return err
		}
	} else {
		r.print(w, failed)
	}
	if failed {
		return fmt.Errorf("%w: %d of %d row(s) of %s have problems; nothing was imported", errRejected, r.Bad, r.Rows, r.File)
	}
	return nil
}

func (r *importReport) print(w io.Writer, failed bool) {
	switch {
	case failed && r.Good == 0 && r.Bad == 0:
		fmt.Fprintf(w, "%s: holds no incidents; nothing was imported\n", r.File)
	case failed:
		fmt.Fprintf(w, "%s: not imported: %d of %d row(s) have problems (fix them, or pass --skip-bad to import the other %d)\n", r.File, r.Bad, r.Rows, r.Good)
	case r.DryRun:
		fmt.Fprintf(w, "%s: checked: %d of %d row(s) would be imported (dry run: nothing written)\n", r.File, r.Good, r.Rows)
	case r.Replayed:
		fmt.Fprintf(w, "%s: already imported (ids %s to %s); nothing was added\n", r.File, r.FirstID, r.LastID)
	default:
		fmt.Fprintf(w, "%s: imported %d incident(s), ids %s to %s\n", r.File, r.Imported, r.FirstID, r.LastID)
	}
	if r.Bad > 0 && !failed {
		fmt.Fprintf(w, "skipped %d bad row(s):\n", r.Bad)
	}
	for i, p := range r.Problems {
		if i == maxImportProblems {
			fmt.Fprintf(w, "  ... and %d more\n", len(r.Problems)-i)
			break
		}
		fmt.Fprintf(w, "  %s: %s\n", p.Where, p.Reasons)
	}
}
