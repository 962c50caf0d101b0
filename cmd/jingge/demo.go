package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"jingge/data/datafile"
	"jingge/data/lantian"
	"jingge/geo"
)

// bundledPath is where the generated dataset lives in the source tree.
const bundledPath = "data/lantian/lantian.geojson"

func runDemo(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "generate" {
		return fmt.Errorf("%w: jingge demo generate [--seed N] [--out FILE]", errUsage)
	}
	fs := flag.NewFlagSet("demo generate", flag.ContinueOnError)
	fs.SetOutput(stderr)
	seed := fs.Uint64("seed", lantian.DefaultSeed, "random seed; the bundled dataset uses the default")
	out := fs.String("out", bundledPath, "file to write, '-' for standard output")
	if err := fs.Parse(args[1:]); err != nil {
		return fmt.Errorf("%w: %w", errUsage, err)
	}
	start := time.Now()
	ds, err := lantian.Generate(lantian.Source, *seed)
	if err != nil {
		return err
	}
	if _, err := geo.NewIndex(ds); err != nil {
		return fmt.Errorf("generated dataset does not index: %w", err)
	}
	var buf bytes.Buffer
	if err := datafile.Write(&buf, ds); err != nil {
		return err
	}
	if *out == "-" {
		_, err = stdout.Write(buf.Bytes())
		return err
	}
	if err := os.WriteFile(*out, buf.Bytes(), 0o644); err != nil {
		return err
	}
	fmt.Fprintf(stderr, "wrote %s: %d stations, %d grids, %d members, %d bytes in %s\n",
		*out, len(ds.Stations), len(ds.Grids), len(ds.Members), buf.Len(), time.Since(start).Round(time.Millisecond))
	return nil
}
