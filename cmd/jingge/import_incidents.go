package main

import (
	"context"
	"flag"
	"fmt"
	"io"

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
	flags := addFileImportFlags(fs)
	crsFlag := fs.String("crs", "", "coordinate `system` of the file: wgs84 (default), gcj02 or bd09")
	name, err := flags.file(fs, args, "incidents")
	if err != nil {
		return err
	}
	body, st, ds, err := flags.open(ctx, name, stderr, open)
	if err != nil {
		return err
	}
	defer st.Close()
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
	rep, err := imp.Import(ctx, f, from, flags.options())
	if err != nil {
		return err
	}
	return rep.Finish(stdout, *flags.asJSON)
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
