package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"

	"jingge/data/postgis"
)

// runMigrate applies the embedded schema migrations the database lacks.
func runMigrate(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("jingge migrate", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "Usage: jingge migrate [--db URL]\n\nApplies the schema migrations the PostGIS database lacks, in one transaction.\nServers also migrate when they start. Choose a schema other than public with\n?search_path=NAME in the URL. Flags:")
		fs.PrintDefaults()
	}
	dbURL := dbFlag(fs, "")
	if err := fs.Parse(args); err != nil {
		return cliFlagError(err)
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("%w: migrate takes no arguments, got %q", errUsage, fs.Args())
	}
	if *dbURL == "" {
		return fmt.Errorf("%w: migrate needs a database: pass --db URL or set DATABASE_URL", errUsage)
	}
	done, err := postgis.Migrate(ctx, *dbURL, postgis.Options{Logger: cliLogger(stderr)})
	if err != nil {
		return err
	}
	all, err := postgis.Migrations()
	if err != nil {
		return err
	}
	for _, m := range done {
		fmt.Fprintf(stdout, "applied migration %d (%s)\n", m.Version, m.Name)
	}
	latest := all[len(all)-1]
	if len(done) == 0 {
		fmt.Fprintf(stdout, "the schema is up to date at migration %d (%s)\n", latest.Version, latest.Name)
	} else {
		fmt.Fprintf(stdout, "the schema is now at migration %d (%s)\n", latest.Version, latest.Name)
	}
	return nil
}

// cliFlagError keeps -h a plain help request and marks other flag errors
// as usage errors; the flag package has already printed the details.
func cliFlagError(err error) error {
	if errors.Is(err, flag.ErrHelp) {
		return err
	}
	return fmt.Errorf("%w: %w", errUsage, err)
}
