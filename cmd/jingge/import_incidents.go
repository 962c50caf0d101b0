package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"jingge/api/intake"
	"jingge/data"
	"jingge/geo"
	"jingge/geo/crs"
)

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
	dbURL := dbFlag(fs, "")
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
	zone, err := ds.Meta.Location()
	if err != nil {
		return fmt.Errorf("dataset %q: %w", ds.Meta.Name, err)
	}
	// Times without an offset are the dataset's local time, so the file
	// is read once the store has said which.
	rows, fileCRS, err := intake.ParseFile(name, body, zone)
	if err != nil {
		return fmt.Errorf("%w: %s: %w", errRejected, name, err)
	}
	from, err := importCRS(*crsFlag, fileCRS)
	if err != nil {
		return err
	}
	rep := importReport{File: name, Rows: len(rows), DryRun: *dryRun}
	imp := &incidentImport{rows: rows, from: from, datum: datum, zone: zone, attributor: data.NewAttributor(timeline, nil), store: incidents}
	imp.check(ctx, time.Now())
	if err := imp.attribute(ctx); err != nil {
		return err
	}
	good := imp.good()
	rep.fill(rows, len(good))
	if rep.Bad > 0 && !*skipBad || len(good) == 0 || *dryRun {
		return rep.finish(stdout, *asJSON, rep.Bad > 0 && !*skipBad || len(good) == 0)
	}
	return imp.commit(ctx, importKey(body, from, *skipBad), *skipBad, &rep, func(failed bool) error { return rep.finish(stdout, *asJSON, failed) })
}

// commit stores the good rows in one batch under key, attributing them
// again when the grids changed meanwhile and, with skipBad, leaving out
// the rows the store refuses; done prints the report, failed when nothing
// was imported for a bad row.
func (imp *incidentImport) commit(ctx context.Context, key string, skipBad bool, rep *importReport, done func(failed bool) error) error {
	good := imp.good()
	for attempt := 0; ; attempt++ {
		res, err := imp.store.AddIncidents(ctx, data.IncidentBatch{Incidents: good, Key: key, Scope: data.ScopeCommandLine, GridsAsOf: imp.asOf})
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
			rep.fill(imp.rows, len(good))
			if skipBad && len(good) > 0 && attempt < 2 {
				continue
			}
			return done(true)
		case err != nil:
			return fmt.Errorf("storing the incidents (nothing was stored): %w", err)
		}
		rep.Imported, rep.Replayed = len(res.IDs), res.Replayed
		if len(res.IDs) > 0 {
			rep.FirstID, rep.LastID = res.IDs[0], res.IDs[len(res.IDs)-1]
		}
		return done(false)
	}
}

// incidentImport carries the rows of a file through checking, attribution
// and storing.
type incidentImport struct {
	rows       []intake.Row
	from       crs.CRS
	zone       *time.Location // the dataset's local time
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
		if len(r.Problems) > 0 {
			continue
		}
		r.Incident.Location = crs.Convert(r.Incident.Location, imp.from, imp.datum)
		for _, p := range data.NormalizeIncident(&r.Incident, now) {
			r.Problems = append(r.Problems, p.Field+": "+p.Reason)
		}
	}
}

// attribute attributes every row without problems; rows outside every
// grid in force at their time get a problem.
func (imp *incidentImport) attribute(ctx context.Context) error {
	var idx []int
	var batch []geo.Incident
	for i := range imp.rows {
		if len(imp.rows[i].Problems) == 0 {
			idx = append(idx, i)
			batch = append(batch, imp.rows[i].Incident)
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
		imp.rows[i].Incident = batch[k]
	}
	if ie != nil {
		for _, p := range ie.Problems {
			r := &imp.rows[idx[p.Index]]
			loc := crs.Convert(r.Incident.Location, imp.datum, imp.from)
			r.Problems = append(r.Problems, fmt.Sprintf("the point lon %.6f, lat %.6f (%s) is outside every grid in force at %s; is it in the county, and is --crs right?",
				loc[0], loc[1], imp.from.Label(), r.Incident.OccurredAt.In(imp.zone).Format(time.RFC3339)))
		}
	}
	return nil
}

// good returns the rows without problems, in file order.
func (imp *incidentImport) good() []geo.Incident {
	imp.goodRows = imp.goodRows[:0]
	var out []geo.Incident
	for i := range imp.rows {
		if len(imp.rows[i].Problems) == 0 {
			out = append(out, imp.rows[i].Incident)
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
			r.Problems = append(r.Problems, strings.TrimPrefix(p.Field+": "+p.Reason, ": "))
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
	// Noun names what the file holds, "incident" when empty.
	Noun string `json:"-"`
}

// importProblem is one bad row.
type importProblem struct {
	Where   string `json:"where"`
	Reasons string `json:"reason"`
}

func (r *importReport) fill(rows []intake.Row, good int) {
	r.Good, r.Bad, r.Problems = good, 0, nil
	for _, row := range rows {
		if len(row.Problems) > 0 {
			r.Bad++
			r.Problems = append(r.Problems, importProblem{Where: row.Where, Reasons: strings.Join(row.Problems, "; ")})
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
	noun := r.Noun
	if noun == "" {
		noun = "incident"
	}
	switch {
	case failed && r.Good == 0 && r.Bad == 0:
		fmt.Fprintf(w, "%s: holds no %ss; nothing was imported\n", r.File, noun)
	case failed:
		fmt.Fprintf(w, "%s: not imported: %d of %d row(s) have problems (fix them, or pass --skip-bad to import the other %d)\n", r.File, r.Bad, r.Rows, r.Good)
	case r.DryRun:
		fmt.Fprintf(w, "%s: checked: %d of %d row(s) would be imported (dry run: nothing written)\n", r.File, r.Good, r.Rows)
	case r.Replayed:
		fmt.Fprintf(w, "%s: already imported (ids %s to %s); nothing was added\n", r.File, r.FirstID, r.LastID)
	default:
		fmt.Fprintf(w, "%s: imported %d %s(s), ids %s to %s\n", r.File, r.Imported, noun, r.FirstID, r.LastID)
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
