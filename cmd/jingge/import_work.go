package main

import (
	"context"
	"flag"
	"fmt"
	"io"

	"jingge/api/imports"
	"jingge/geo/crs"
)

var workUsage = map[string]string{
	"disputes": `Usage: jingge import disputes [--crs wgs84|gcj02|bd09] [--skip-bad] [--dry-run] [--json] [--db URL] FILE.csv|-

Adds the disputes (矛盾纠纷) of a CSV file to the PostGIS store, each
attributed to the grids in force where and when it was reported. The header
row names the columns reported_at, kind, lon, lat (required) and parties,
summary, level, method, mediation_brand, settled_at. Kinds, levels (open, group,
village, township, county) and methods (mediation_brand, people_mediation,
judicial_office, referral) take their codes or Chinese names. Times without
an offset are the dataset's local time. Every bad row is reported with its line; then
nothing is imported unless --skip-bad. Importing the same file again changes
nothing. Flags:`,
	"tasks": `Usage: jingge import tasks [--skip-bad] [--dry-run] [--json] [--db URL] FILE.csv|-

Adds the tasks (任务清单) of a CSV file to the PostGIS store. The header row
names the columns station, title, due (required) and grid, officer, detail,
done_at, done_by; a task needs a grid or an officer of its station. Due is a
date (due by the end of that day, the dataset's local time) or an RFC 3339 time. Every bad
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
	flags := addFileImportFlags(fs)
	crsFlag := "wgs84"
	if kind == "disputes" {
		fs.StringVar(&crsFlag, "crs", "wgs84", "coordinate `system` of the file: wgs84, gcj02 or bd09")
	}
	name, err := flags.file(fs, args, kind)
	if err != nil {
		return err
	}
	from, err := crs.Parse(crsFlag)
	if err != nil {
		return fmt.Errorf("%w: --crs: %w", errUsage, err)
	}
	body, st, ds, err := flags.open(ctx, name, stderr, open)
	if err != nil {
		return err
	}
	defer st.Close()
	imp, err := imports.NewWork(kind, st, ds, from)
	if err != nil {
		return err
	}
	rep, err := imp.Import(ctx, name, body, flags.options())
	if err != nil {
		return err
	}
	return rep.Finish(stdout, *flags.asJSON)
}
