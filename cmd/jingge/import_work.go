package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"jingge/api/intake"
	"jingge/data"
	"jingge/geo"
	"jingge/geo/crs"
)

// workImport is a CSV import of disputes or tasks: the columns it knows,
// and how a row becomes a record stored under a key.
type workImport struct {
	kind     string   // "disputes" or "tasks"
	required []string // columns every file must have
	optional []string
	// row reads one row (column -> text) into a record writer; problems
	// say what is wrong with it, each naming its column.
	row func(ctx context.Context, cols map[string]string) (write func(ctx context.Context, key string) (id string, replayed bool, err error), problems []string)
}

var workUsage = map[string]string{
	"disputes": `Usage: jingge import disputes [--crs wgs84|gcj02|bd09] [--skip-bad] [--dry-run] [--json] [--db URL] FILE.csv|-

Adds the disputes (矛盾纠纷) of a CSV file to the PostGIS store, each
attributed to the grids in force where and when it was reported. The header
row names the columns reported_at, kind, lon, lat (required) and parties,
summary, level, method, mediation_brand, settled_at. Kinds, levels (open, group,
village, township, county) and methods (mediation_brand, people_mediation,
judicial_office, referral) take their codes or Chinese names. Times without
an offset are China time. Every bad row is reported with its line; then
nothing is imported unless --skip-bad. Importing the same file again changes
nothing. Flags:`,
	"tasks": `Usage: jingge import tasks [--skip-bad] [--dry-run] [--json] [--db URL] FILE.csv|-

Adds the tasks (任务清单) of a CSV file to the PostGIS store. The header row
names the columns station, title, due (required) and grid, officer, detail,
done_at, done_by; a task needs a grid or an officer of its station. Due is a
date (due by the end of that day, China time) or an RFC 3339 time. Every bad
row is reported with its line; then nothing is imported unless --skip-bad.
Importing the same file again changes nothing. Flags:`,
}

// importWorkCommand runs jingge import disputes|tasks.
func importWorkCommand(ctx context.Context, kind string, args []string, stdout, stderr io.Writer, open storeOpener) error {
	fs := flag.NewFlagSet("jingge import "+kind, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), workUsage[kind])
		fs.PrintDefaults()
	}
	dbURL := dbFlag(fs, "")
	crsFlag := "wgs84"
	if kind == "disputes" {
		fs.StringVar(&crsFlag, "crs", "wgs84", "coordinate `system` of the file: wgs84, gcj02 or bd09")
	}
	skipBad := fs.Bool("skip-bad", false, "import the good rows and report the bad ones, instead of importing nothing")
	dryRun := fs.Bool("dry-run", false, "check and report, store nothing")
	asJSON := fs.Bool("json", false, "print the report as JSON")
	files, err := parseWithPositionals(fs, args)
	if err != nil {
		return cliFlagError(err)
	}
	switch {
	case len(files) != 1:
		return fmt.Errorf("%w: import %s takes one FILE; see jingge import %s -h", errUsage, kind, kind)
	case *dbURL == "":
		return fmt.Errorf("%w: import %s writes to PostGIS: pass --db URL or set DATABASE_URL", errUsage, kind)
	}
	from, err := crs.Parse(crsFlag)
	if err != nil {
		return fmt.Errorf("%w: --crs: %w", errUsage, err)
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
	ds, err := st.Snapshot(ctx)
	if err != nil {
		return fmt.Errorf("reading the dataset: %w", err)
	}
	imp, err := newWorkImport(kind, st, ds, from)
	if err != nil {
		return err
	}
	return imp.run(ctx, name, body, importOptions{skipBad: *skipBad, dryRun: *dryRun, asJSON: *asJSON}, stdout)
}

type importOptions struct{ skipBad, dryRun, asJSON bool }

// newWorkImport sets up the import of kind into st, whose dataset is ds;
// a dispute file's points are in the system from.
func newWorkImport(kind string, st data.Store, ds *geo.Dataset, from crs.CRS) (*workImport, error) {
	ix, err := geo.NewIndex(ds)
	if err != nil {
		return nil, fmt.Errorf("reading the dataset: %w", err)
	}
	zone := ix.Location()
	when := timesIn(zone, time.Now())
	switch kind {
	case "disputes":
		return disputeImport(st, ds, from, zone, when)
	case "tasks":
		return taskImport(st, ix, zone, when)
	}
	return nil, fmt.Errorf("%w: unknown import kind %q", errUsage, kind)
}

// timeReader reads an optional time column, noting a bad or future one
// in problems; "" is the zero time.
type timeReader func(col, text string, problems *[]string) time.Time

// timesIn reads times in zone, refusing those after now.
func timesIn(zone *time.Location, now time.Time) timeReader {
	return func(col, text string, problems *[]string) time.Time {
		if text == "" {
			return time.Time{}
		}
		t, err := intake.ParseTime(text, zone)
		switch {
		case err != nil:
			*problems = append(*problems, col+": "+err.Error())
		case t.After(now):
			*problems = append(*problems, fmt.Sprintf("%s: %s is in the future", col, text))
		}
		return t
	}
}

// disputeImport reads dispute rows, attributing each to the grids in
// force where and when it was reported.
func disputeImport(st data.Store, ds *geo.Dataset, from crs.CRS, zone *time.Location, when timeReader) (*workImport, error) {
	kind := "disputes"
	store, ok1 := st.(data.DisputeStore)
	timeline, ok2 := st.(data.GridTimeline)
	if !ok1 || !ok2 {
		return nil, errors.New("this store keeps no disputes")
	}
	datum, err := crs.Parse(ds.Meta.Datum)
	if err != nil {
		return nil, fmt.Errorf("dataset %q: datum: %w", ds.Meta.Name, err)
	}
	attributor := data.NewAttributor(timeline, nil)
	return &workImport{kind: kind, required: []string{"reported_at", "kind", "lon", "lat"}, optional: []string{"parties", "summary", "level", "method", "mediation_brand", "settled_at"},
		row: func(ctx context.Context, c map[string]string) (func(context.Context, string) (string, bool, error), []string) {
			var problems []string
			d := geo.DisputeCase{Parties: c["parties"], Summary: c["summary"], MediationBrand: c["mediation_brand"], Level: geo.DisputeOpen, RecordedBy: "import"}
			if d.ReportedAt = when("reported_at", c["reported_at"], &problems); c["reported_at"] == "" {
				problems = append(problems, "reported_at: required")
			}
			d.SettledAt = when("settled_at", c["settled_at"], &problems)
			pt, err := intake.ParseCoordinates(c["lon"], c["lat"])
			if err != nil {
				problems = append(problems, strings.TrimPrefix(err.Error(), "data: "))
			}
			d.Location = crs.Convert(pt, from, datum)
			var perr error
			if d.Kind, perr = geo.ParseDisputeKind(c["kind"]); perr != nil {
				problems = append(problems, "kind: "+strings.TrimPrefix(perr.Error(), "geo: "))
			}
			if c["level"] != "" {
				if d.Level, perr = geo.ParseDisputeLevel(c["level"]); perr != nil {
					problems = append(problems, "level: "+strings.TrimPrefix(perr.Error(), "geo: "))
				}
			}
			if c["method"] != "" {
				if d.Method, perr = geo.ParseSettleMethod(c["method"]); perr != nil {
					problems = append(problems, "method: "+strings.TrimPrefix(perr.Error(), "geo: "))
				}
			}
			if len(problems) > 0 {
				return nil, problems
			}
			b := data.IncidentBatch{Incidents: []geo.Incident{{OccurredAt: d.ReportedAt, Location: d.Location}}}
			if err := attributor.Attribute(ctx, &b); err != nil {
				w := crs.Convert(d.Location, datum, from)
				return nil, []string{fmt.Sprintf("the point lon %.6f, lat %.6f (%s) is outside every grid in force at %s; is it in the county, and is --crs right?",
					w[0], w[1], from.Label(), d.ReportedAt.In(zone).Format(time.RFC3339))}
			}
			inc := b.Incidents[0]
			d.CommunityGridID, d.PoliceGridID, d.StationID = inc.CommunityGridID, inc.PoliceGridID, inc.StationID
			if err := data.CheckDispute(&d); err != nil {
				return nil, []string{strings.TrimPrefix(err.Error(), "data: ")}
			}
			return func(ctx context.Context, key string) (string, bool, error) {
				res, err := store.AddDispute(ctx, data.DisputeWrite{Dispute: d, Key: key, Scope: "import"})
				return res.Dispute.ID, res.Replayed, err
			}, nil
		}}, nil
}

// taskImport reads task rows, checking their station, grid and officer
// against the index.
func taskImport(st data.Store, ix *geo.Index, zone *time.Location, when timeReader) (*workImport, error) {
	kind := "tasks"
	store, ok := st.(data.TaskStore)
	if !ok {
		return nil, errors.New("this store keeps no tasks")
	}
	return &workImport{kind: kind, required: []string{"station", "title", "due"}, optional: []string{"grid", "officer", "detail", "done_at", "done_by"},
		row: func(_ context.Context, c map[string]string) (func(context.Context, string) (string, bool, error), []string) {
			var problems []string
			t := geo.Task{StationID: c["station"], GridID: c["grid"], OfficerID: c["officer"], Title: c["title"], Detail: c["detail"], DoneBy: c["done_by"], RecordedBy: "import"}
			due, err := geo.ParseDue(c["due"], zone)
			if err != nil {
				problems = append(problems, strings.TrimPrefix(err.Error(), "geo: "))
			}
			t.Due = due
			t.DoneAt = when("done_at", c["done_at"], &problems)
			for _, p := range ix.TaskRefProblems(&t) {
				problems = append(problems, p.Field+": "+p.Reason)
			}
			if len(problems) == 0 {
				if err := data.CheckTask(&t); err != nil {
					problems = append(problems, strings.TrimPrefix(err.Error(), "data: "))
				}
			}
			if len(problems) > 0 {
				return nil, problems
			}
			return func(ctx context.Context, key string) (string, bool, error) {
				res, err := store.AddTask(ctx, data.TaskWrite{Task: t, Key: key, Scope: "import"})
				return res.Task.ID, res.Replayed, err
			}, nil
		}}, nil
}

// run checks every row of the file, then, unless a row is bad (and not
// skipBad) or it is a dry run, stores the good ones, each under a key
// made of the file's digest and its line, so importing the file again
// (or again after a failure midway) stores each row once.
func (imp *workImport) run(ctx context.Context, name string, body []byte, o importOptions, stdout io.Writer) error {
	r := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(body, []byte("\ufeff"))))
	r.FieldsPerRecord = -1
	r.TrimLeadingSpace = true
	header, err := r.Read()
	if err != nil {
		return fmt.Errorf("%w: %s: reading the header row: %w", errRejected, name, err)
	}
	col := map[string]int{}
	for i, h := range header {
		h = strings.ToLower(strings.TrimSpace(h))
		if !slices.Contains(imp.required, h) && !slices.Contains(imp.optional, h) {
			return fmt.Errorf("%w: %s: unknown column %q; the columns are %s and optionally %s", errRejected, name, h, strings.Join(imp.required, ", "), strings.Join(imp.optional, ", "))
		}
		col[h] = i
	}
	for _, c := range imp.required {
		if _, ok := col[c]; !ok {
			return fmt.Errorf("%w: %s: the header row lacks the column %s (required: %s)", errRejected, name, c, strings.Join(imp.required, ", "))
		}
	}
	sum := sha256.Sum256(body)
	fileKey := "import:" + imp.kind + ":" + hex.EncodeToString(sum[:12])
	type goodRow struct {
		line  int
		write func(context.Context, string) (string, bool, error)
	}
	var good []goodRow
	rep := importReport{File: name, DryRun: o.dryRun, Noun: strings.TrimSuffix(imp.kind, "s")}
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		line, _ := r.FieldPos(0)
		if err != nil {
			return fmt.Errorf("%w: %s: %w", errRejected, name, err)
		}
		rep.Rows++
		cols := map[string]string{}
		for c, i := range col {
			if i < len(rec) {
				cols[c] = strings.TrimSpace(rec[i])
			}
		}
		write, problems := imp.row(ctx, cols)
		if len(problems) > 0 {
			rep.Bad++
			rep.Problems = append(rep.Problems, importProblem{Where: fmt.Sprintf("line %d", line), Reasons: strings.Join(problems, "; ")})
			continue
		}
		good = append(good, goodRow{line, write})
	}
	rep.Good = len(good)
	if rep.Bad > 0 && !o.skipBad || len(good) == 0 || o.dryRun {
		return rep.finish(stdout, o.asJSON, rep.Bad > 0 && !o.skipBad || len(good) == 0)
	}
	replayed := 0
	for _, g := range good {
		id, again, err := g.write(ctx, fmt.Sprintf("%s:%d", fileKey, g.line))
		if err != nil {
			return fmt.Errorf("importing line %d of %s (%d row(s) before it are stored; run the import again to finish it): %w", g.line, name, rep.Imported+replayed, err)
		}
		if again {
			replayed++
		} else {
			rep.Imported++
		}
		if rep.FirstID == "" {
			rep.FirstID = id
		}
		rep.LastID = id
	}
	rep.Replayed = rep.Imported == 0
	return rep.finish(stdout, o.asJSON, false)
}
