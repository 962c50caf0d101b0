package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"

	"jingge/api/imports"
	"jingge/geo/crs"
)

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
the dataset's local time. Every bad row (a point outside the county, a bad value) is reported
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
	ds, err := st.Snapshot(ctx)
	if err != nil {
		return fmt.Errorf("reading the dataset: %w", err)
	}
	imp, err := imports.NewIncidents(st, ds)
	if err != nil {
		return err
	}
	// Times without an offset are the dataset's local time, so the file
	// is read once the store has said which.
	f, err := imp.Read(name, body)
	if err != nil {
		return err
	}
	from, err := importCRS(*crsFlag, f.CRS)
	if err != nil {
		return err
	}
	rep, err := imp.Import(ctx, f, from, imports.Options{SkipBad: *skipBad, DryRun: *dryRun})
	if err != nil {
		return err
	}
	return rep.Finish(stdout, *asJSON)
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
