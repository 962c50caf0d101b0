package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"github.com/paulmach/orb"

	"jingge/data"
	"jingge/data/memory"
	"jingge/geo"
	"jingge/tiles"
	"jingge/tiles/tilepack"
)

// runTiles runs the tiles subcommands (only export so far).
func runTiles(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	return tilesCommand(ctx, args, stdout, stderr, openStore)
}

func tilesCommand(ctx context.Context, args []string, stdout, stderr io.Writer, open storeOpener) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		fmt.Fprintln(stdout, "Usage: jingge tiles export [flags]\n\nWrites the grid tiles the server serves into one MBTiles or PMTiles file; 'jingge tiles export -h' lists the flags.")
		return nil
	}
	if args[0] != "export" {
		return fmt.Errorf("%w: unknown tiles subcommand %q (there is: export)", errUsage, args[0])
	}
	return tilesExport(ctx, args[1:], stderr, open)
}

// tilesExportFlags are the flags of jingge tiles export, checked.
type tilesExportFlags struct {
	format, out, dbURL, dataDir string
	opts                        tilepack.Options
}

func parseTilesExport(args []string, stderr io.Writer) (tilesExportFlags, error) {
	var f tilesExportFlags
	fs := flag.NewFlagSet("jingge tiles export", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), `Usage: jingge tiles export --format mbtiles|pmtiles [--minzoom 6] [--maxzoom 16]
       [--bbox MINLON,MINLAT,MAXLON,MAXLAT] [--layers a,b] [--out FILE] [--db URL | --data-dir DIR]

Writes the vector tiles of today's grids into one file: every tile over the
grids (or the box) from --minzoom to --maxzoom, rendered on every core
exactly as the server's /tiles routes serve them, gzip-compressed. By
default each tile is the combined tile (/tiles/{z}/{x}/{y}.mvt: regions,
county, townships, stations, police and community grids, areas, places);
--layers keeps only the named layers. MBTiles 1.3 is read by GDAL and
QGIS, PMTiles v3 by MapLibre through the pmtiles library. Progress goes
to stderr, a summary at the end. Incidents and patrols are never written.
With --data-dir it reads the embedded store's data directory (a server
may be using it); with neither it exports the bundled Lantian dataset.
Flags:`)
		fs.PrintDefaults()
	}
	fs.StringVar(&f.format, "format", "", "the file format: `mbtiles` or pmtiles (required)")
	fs.IntVar(&f.opts.MinZoom, "minzoom", 6, "the lowest `zoom` written")
	fs.IntVar(&f.opts.MaxZoom, "maxzoom", tiles.DefaultMaxZoom, "the deepest `zoom` written")
	bbox := fs.String("bbox", "", "write only the tiles meeting this `box` (WGS-84 minlon,minlat,maxlon,maxlat)")
	layers := fs.String("layers", "", "write only these `layers` (comma-separated), e.g. police_grids,stations")
	fs.StringVar(&f.out, "out", "", "the `file` to write (default tiles.mbtiles or tiles.pmtiles); replaced only once complete")
	fs.IntVar(&f.opts.Workers, "workers", 0, "render on this many `goroutines` (default one per core)")
	dbFlagVar(fs, &f.dbURL, "empty exports the bundled dataset")
	fs.StringVar(&f.dataDir, "data-dir", "", "the embedded store's data `directory` to export from (see jingge serve --data-dir)")
	if err := fs.Parse(args); err != nil {
		return f, cliFlagError(err)
	}
	switch {
	case fs.NArg() > 0:
		return f, fmt.Errorf("%w: tiles export takes no arguments, got %q", errUsage, fs.Args())
	case f.format != "mbtiles" && f.format != "pmtiles":
		return f, fmt.Errorf("%w: --format must be mbtiles or pmtiles, got %q", errUsage, f.format)
	case f.opts.MinZoom < 0 || f.opts.MaxZoom > tiles.MaxZoom || f.opts.MinZoom > f.opts.MaxZoom:
		return f, fmt.Errorf("%w: zooms must satisfy 0 ≤ --minzoom ≤ --maxzoom ≤ %d, got %d and %d", errUsage, tiles.MaxZoom, f.opts.MinZoom, f.opts.MaxZoom)
	case f.dataDir != "" && f.dbURL != "":
		return f, fmt.Errorf("%w: give --db or --data-dir, not both", errUsage)
	}
	if *bbox != "" {
		b, err := parseBBox(*bbox)
		if err != nil {
			return f, fmt.Errorf("%w: --bbox: %w", errUsage, err)
		}
		f.opts.Bound = b
	}
	if *layers != "" {
		for _, l := range strings.Split(*layers, ",") {
			if l = strings.TrimSpace(l); l != "" {
				f.opts.Layers = append(f.opts.Layers, l)
			}
		}
	}
	if f.out == "" {
		f.out = "tiles." + f.format
	}
	return f, nil
}

// parseBBox reads minlon,minlat,maxlon,maxlat in WGS-84 degrees.
func parseBBox(s string) (orb.Bound, error) {
	parts := strings.Split(s, ",")
	if len(parts) != 4 {
		return orb.Bound{}, fmt.Errorf("want four numbers minlon,minlat,maxlon,maxlat, got %q", s)
	}
	var v [4]float64
	for i, p := range parts {
		n, err := strconv.ParseFloat(strings.TrimSpace(p), 64)
		if err != nil {
			return orb.Bound{}, fmt.Errorf("%q is not a number", p)
		}
		v[i] = n
	}
	if v[0] < -180 || v[2] > 180 || v[1] < -85.05112878 || v[3] > 85.05112878 || v[0] >= v[2] || v[1] >= v[3] {
		return orb.Bound{}, fmt.Errorf("want -180 ≤ minlon < maxlon ≤ 180 and -85.05 ≤ minlat < maxlat ≤ 85.05, got %q", s)
	}
	return orb.Bound{Min: orb.Point{v[0], v[1]}, Max: orb.Point{v[2], v[3]}}, nil
}

func tilesExport(ctx context.Context, args []string, stderr io.Writer, open storeOpener) error {
	f, err := parseTilesExport(args, stderr)
	if err != nil {
		return err
	}
	if f.dataDir != "" {
		open = func(context.Context, string, *slog.Logger) (data.Store, error) {
			return memory.ReadDir(f.dataDir, memory.DirOptions{})
		}
	}
	st, err := open(ctx, f.dbURL, cliLogger(stderr))
	if err != nil {
		return fmt.Errorf("opening the store: %w", err)
	}
	defer st.Close()
	ds, err := st.Snapshot(ctx)
	if err != nil {
		return err
	}
	ix, err := geo.NewIndex(ds)
	if err != nil {
		return err
	}
	live := new(geo.Live)
	live.Store(ix)
	// The server's tile service over the same index, without a cache:
	// every tile is rendered once and written.
	svc := tiles.NewService(live, tiles.ServiceOptions{CacheBytes: -1})

	var w tilepack.Writer
	if f.format == "mbtiles" {
		w, err = tilepack.CreateMBTiles(f.out)
	} else {
		w, err = tilepack.CreatePMTiles(f.out)
	}
	if err != nil {
		return err
	}
	f.opts.Progress = progressPrinter(stderr, time.Second)
	sum, err := tilepack.Export(ctx, svc, w, f.opts)
	var le *tilepack.LayerError
	if errors.As(err, &le) {
		return fmt.Errorf("%w: --layers: %w", errUsage, err)
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(stderr, "wrote %s: %d tiles (%d of the %d looked at were empty), %s of tiles, in %s\n",
		f.out, sum.Written, sum.Total-sum.Written, sum.Total, sizeText(sum.Bytes), sum.Elapsed.Round(time.Millisecond))
	return nil
}

// progressPrinter prints an export's progress to w at most once per
// every, and at the last tile.
func progressPrinter(w io.Writer, every time.Duration) func(tilepack.Progress) {
	var last time.Duration
	return func(p tilepack.Progress) {
		if p.Done < p.Total && p.Elapsed-last < every {
			return
		}
		last = p.Elapsed
		fmt.Fprintf(w, "tiles: %d/%d rendered (%d%%), z%d, %d written, %s, %s\n",
			p.Done, p.Total, p.Done*100/max(p.Total, 1), p.Zoom, p.Written, sizeText(p.Bytes), p.Elapsed.Round(time.Second))
	}
}

// sizeText is a byte count for people.
func sizeText(n int64) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d B", n)
}
