package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"jingge/data"
	"jingge/data/datafile"
	"jingge/data/gpkg"
	"jingge/data/memory"
	"jingge/geo"
)

// runExport writes the dataset in force (or in force at --as-of) as a
// dataset file.
func runExport(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	return exportCommand(ctx, args, stdout, stderr, openStore)
}

func exportCommand(ctx context.Context, args []string, stdout, stderr io.Writer, open storeOpener) error {
	fs := flag.NewFlagSet("jingge export", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), `Usage: jingge export [--format geojson|gpkg] [--as-of RFC3339] [-o FILE] [--db URL | --data-dir DIR]

Writes the dataset as a GeoJSON dataset file (the format jingge import reads):
today's grids, or with --as-of the grids in force at that moment. With
--format gpkg it writes the grids and stations (no members) as a GeoPackage
in WGS-84 for QGIS, ArcGIS and GDAL (-o FILE.gpkg required). With
--data-dir it reads the embedded store's data directory (a server may be
using it); with neither it writes the bundled Lantian dataset. Flags:`)
		fs.PrintDefaults()
	}
	dbURL := dbFlag(fs, "empty exports the bundled dataset")
	asOf := fs.String("as-of", "", "export the grids in force at this `time` (RFC 3339, e.g. 2026-01-01T00:00:00+08:00)")
	out := fs.String("o", "-", "write to `FILE` instead of stdout")
	format := fs.String("format", "geojson", "`geojson` (the dataset file) or gpkg (GeoPackage: grids and stations)")
	dataDir := fs.String("data-dir", "", "the embedded store's data `directory` to export from (see jingge serve --data-dir)")
	if err := fs.Parse(args); err != nil {
		return cliFlagError(err)
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("%w: export takes no arguments, got %q", errUsage, fs.Args())
	}
	var at time.Time
	if *asOf != "" {
		var err error
		if at, err = time.Parse(time.RFC3339Nano, *asOf); err != nil {
			return fmt.Errorf("%w: --as-of %q is not an RFC 3339 time such as 2026-01-01T00:00:00+08:00", errUsage, *asOf)
		}
	}
	if *format != "geojson" && *format != "gpkg" {
		return fmt.Errorf("%w: --format %q: give geojson or gpkg", errUsage, *format)
	}
	if *format == "gpkg" && *out == "-" {
		return fmt.Errorf("%w: --format gpkg writes a file: give -o FILE.gpkg", errUsage)
	}
	if *dataDir != "" && *dbURL != "" {
		return fmt.Errorf("%w: give --db or --data-dir, not both", errUsage)
	}
	if *dataDir != "" {
		open = func(context.Context, string, *slog.Logger) (data.Store, error) {
			return memory.ReadDir(*dataDir, memory.DirOptions{})
		}
	}
	st, err := open(ctx, *dbURL, cliLogger(stderr))
	if err != nil {
		return fmt.Errorf("opening the store: %w", err)
	}
	defer st.Close()
	var ds *geo.Dataset
	if at.IsZero() {
		ds, err = st.Snapshot(ctx)
	} else {
		h, ok := st.(data.History)
		if !ok {
			return errors.New("this store keeps no history; export without --as-of")
		}
		ds, err = h.SnapshotAt(ctx, at)
	}
	if err != nil {
		return err
	}
	if *format == "gpkg" {
		sum, err := gpkg.Write(ctx, *out, ds)
		if err != nil {
			return err
		}
		fmt.Fprintf(stderr, "wrote %s: %d police grids, %d community grids, %d stations (GeoPackage, WGS-84)\n", *out, sum.PoliceGrids, sum.CommunityGrids, sum.Stations)
		return nil
	}
	if *out == "-" {
		w := bufio.NewWriter(stdout)
		if err := datafile.Write(w, ds); err != nil {
			return err
		}
		return w.Flush()
	}
	return writeFileAtomically(*out, func(w io.Writer) error { return datafile.Write(w, ds) })
}

// writeFileAtomically writes name through a temporary file in the same
// directory and renames it into place, so a failed export never leaves a
// half-written file behind.
func writeFileAtomically(name string, write func(io.Writer) error) error {
	tmp, err := os.CreateTemp(filepath.Dir(name), "."+filepath.Base(name)+".*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	w := bufio.NewWriter(tmp)
	if err := write(w); err != nil {
		tmp.Close()
		return err
	}
	if err := w.Flush(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), name)
}
