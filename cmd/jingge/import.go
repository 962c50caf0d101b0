package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

	"jingge/api/imports"
	"jingge/data"
	"jingge/data/datafile"
	"jingge/data/lantian"
	"jingge/geo"
)

// errRejected marks an import refused for its content; the report on
// stdout says why.
var errRejected = imports.ErrRejected

// runImport replaces the PostGIS store's dataset with a dataset file.
func runImport(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	return importCommand(ctx, args, stdout, stderr, openStore)
}

func importCommand(ctx context.Context, args []string, stdout, stderr io.Writer, open storeOpener) error {
	if len(args) > 0 && args[0] == "incidents" {
		return importIncidentsCommand(ctx, args[1:], stdout, stderr, open)
	}
	if len(args) > 0 && (args[0] == "disputes" || args[0] == "tasks") {
		return importWorkCommand(ctx, args[0], args[1:], stdout, stderr, open)
	}
	fs := flag.NewFlagSet("jingge import", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), `Usage: jingge import [--fix] [--dry-run] [--json] [--db URL] FILE.geojson|-
       jingge import --lantian [--dry-run] [--db URL]
       jingge import --data-dir DIR [--auth-file FILE] --db URL
       jingge import incidents FILE.csv|FILE.geojson (see jingge import incidents -h)
       jingge import disputes|tasks FILE.csv (see jingge import disputes -h)

Replaces the dataset in the PostGIS store with a dataset file (the format of
jingge export; - reads stdin), in one transaction. A file with problems is
rejected with a report naming each bad feature, and the database is left as
it was. With --data-dir it copies everything the embedded store kept in DIR
(grid history, incidents, plans, assessment, patrols, users, sessions, the
audit log, the batch keys) into a new database, in one transaction; stop the
server first. Users and tokens come from the auth file the server used.
Flags:`)
		fs.PrintDefaults()
	}
	dbURL := dbFlag(fs, "")
	fix := fs.Bool("fix", false, "repair invalid geometries with ST_MakeValid and list the repairs")
	dryRun := fs.Bool("dry-run", false, "check and report, change nothing")
	bundled := fs.Bool("lantian", false, "import the bundled Lantian County dataset instead of a file")
	asJSON := fs.Bool("json", false, "print the report as JSON")
	actor := fs.String("actor", envOr("USER", "import"), "`name` recorded in the grid audit")
	dataDir := fs.String("data-dir", "", "copy everything the embedded store kept in this `directory` into a new PostGIS database")
	authFile := fs.String("auth-file", os.Getenv("JINGGE_AUTH_FILE"), "with --data-dir: the `file` of users and tokens the server used; empty is auth.json in the data directory (env JINGGE_AUTH_FILE)")
	files, err := parseWithPositionals(fs, args)
	if err != nil {
		return cliFlagError(err)
	}
	switch {
	case *dataDir != "" && (*bundled || len(files) > 0 || *fix || *dryRun):
		return fmt.Errorf("%w: --data-dir takes no FILE, --lantian, --fix or --dry-run", errUsage)
	case *dataDir != "" && *dbURL == "":
		return fmt.Errorf("%w: import --data-dir writes to PostGIS: pass --db URL or set DATABASE_URL", errUsage)
	case *dataDir != "":
		return importDataDir(ctx, *dataDir, *authFile, *dbURL, stdout, stderr)
	case *bundled && len(files) > 0:
		return fmt.Errorf("%w: give a FILE or --lantian, not both", errUsage)
	case !*bundled && len(files) != 1:
		return fmt.Errorf("%w: import takes one FILE (or --lantian); see jingge import -h", errUsage)
	case *dbURL == "":
		return fmt.Errorf("%w: import writes to PostGIS: pass --db URL or set DATABASE_URL", errUsage)
	}
	opts := data.ImportOptions{Fix: *fix, DryRun: *dryRun, Actor: *actor}
	return importDatasetFile(ctx, *bundled, files, *dbURL, opts, *asJSON, stdout, stderr, open)
}

// importDatasetFile replaces the store's dataset with the bundled one or
// files[0], printing the report (as JSON with asJSON).
func importDatasetFile(ctx context.Context, bundled bool, files []string, dbURL string, opts data.ImportOptions, asJSON bool, stdout, stderr io.Writer, open storeOpener) error {
	var ds *geo.Dataset
	var source string
	var err error
	if bundled {
		source = "the bundled Lantian dataset"
		ds, err = lantian.Load()
	} else {
		source = files[0]
		ds, err = readDatasetFile(files[0])
	}
	if err != nil {
		if errors.Is(err, datafile.ErrFormat) {
			printFormatProblems(stdout, source, err)
			return fmt.Errorf("%w: %s is not a valid dataset file; the database is unchanged", errRejected, source)
		}
		return err
	}
	st, err := open(ctx, dbURL, cliLogger(stderr))
	if err != nil {
		return fmt.Errorf("opening the store: %w", err)
	}
	defer st.Close()
	im, ok := st.(data.Importer)
	if !ok {
		return errors.New("this store cannot import")
	}
	rep, err := im.Import(ctx, ds, opts)
	if asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if jerr := enc.Encode(rep); jerr != nil {
			return jerr
		}
	} else {
		printImportReport(stdout, source, ds, rep, err == nil)
	}
	if errors.Is(err, data.ErrInvalid) {
		return fmt.Errorf("%w: %d problem(s) in %s; the database is unchanged", errRejected, len(rep.Problems), source)
	}
	return err
}

func readDatasetFile(name string) (*geo.Dataset, error) {
	if name == "-" {
		return datafile.Read(os.Stdin)
	}
	b, err := os.ReadFile(name)
	if err != nil {
		return nil, err
	}
	return datafile.Read(bytes.NewReader(b))
}

// printFormatProblems lists the features datafile.Read refused, one a line.
func printFormatProblems(w io.Writer, source string, err error) {
	fmt.Fprintf(w, "%s: not imported, the file has problems:\n", source)
	var walk func(error)
	walk = func(e error) {
		var fe *datafile.FeatureError
		switch u := e.(type) {
		case interface{ Unwrap() []error }:
			for _, c := range u.Unwrap() {
				walk(c)
			}
			return
		}
		if errors.As(e, &fe) {
			fmt.Fprintf(w, "  %v\n", fe)
		} else if e != datafile.ErrFormat {
			fmt.Fprintf(w, "  %v\n", e)
		}
	}
	walk(err)
}

func printImportReport(w io.Writer, source string, ds *geo.Dataset, rep data.ImportReport, ok bool) {
	switch {
	case !ok && len(rep.Problems) > 0:
		fmt.Fprintf(w, "%s: not imported, %d problem(s) found; the database is unchanged\n", source, len(rep.Problems))
	case !ok:
		fmt.Fprintf(w, "%s: not imported\n", source)
	case rep.DryRun:
		fmt.Fprintf(w, "%s: checked, no problems found (dry run: nothing written)\n", source)
	default:
		fmt.Fprintf(w, "%s: imported\n", source)
	}
	fmt.Fprintf(w, "  dataset:  %s (datum %s)\n", ds.Meta.Name, ds.Meta.Datum)
	fmt.Fprintf(w, "  contents: %d stations, %d townships, %d grids, %d members\n", rep.Stations, rep.Townships, rep.Grids, rep.Members)
	if ok {
		verb := "grids:   "
		if rep.DryRun {
			verb = "would be:"
		}
		fmt.Fprintf(w, "  %s %d created, %d changed, %d unchanged, %d retired\n", verb, rep.Created, rep.Changed, rep.Unchanged, rep.Retired)
	}
	section := func(title string, ps []data.Problem) {
		if len(ps) == 0 {
			return
		}
		fmt.Fprintf(w, "%s:\n", title)
		for _, p := range ps {
			fmt.Fprintf(w, "  %s\n", p)
		}
	}
	section("repaired (--fix)", rep.Fixed)
	section("warnings", rep.Warnings)
	section("problems", rep.Problems)
}

// parseWithPositionals parses flags placed before, between or after the
// positional arguments and returns the positionals in order.
func parseWithPositionals(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		if fs.NArg() == 0 {
			return pos, nil
		}
		pos = append(pos, fs.Arg(0))
		args = fs.Args()[1:]
	}
}
