package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"

	"jingge/api/imports"
	"jingge/data"
	"jingge/geo"
)

// fileImportFlags are the flags every `jingge import incidents|disputes|
// tasks` takes; --crs is each command's own.
type fileImportFlags struct {
	dbURL                   *string
	skipBad, dryRun, asJSON *bool
}

func addFileImportFlags(fs *flag.FlagSet) fileImportFlags {
	return fileImportFlags{
		dbURL:   dbFlag(fs, ""),
		skipBad: fs.Bool("skip-bad", false, "import the good rows and report the bad ones, instead of importing nothing"),
		dryRun:  fs.Bool("dry-run", false, "check and report, store nothing"),
		asJSON:  fs.Bool("json", false, "print the report as JSON"),
	}
}

// file parses args into fs and returns the one FILE of `jingge import
// what`, which needs a database.
func (f fileImportFlags) file(fs *flag.FlagSet, args []string, what string) (string, error) {
	files, err := parseWithPositionals(fs, args)
	if err != nil {
		return "", cliFlagError(err)
	}
	switch {
	case len(files) != 1:
		return "", fmt.Errorf("%w: import %s takes one FILE; see jingge import %s -h", errUsage, what, what)
	case *f.dbURL == "":
		return "", fmt.Errorf("%w: import %s writes to PostGIS: pass --db URL or set DATABASE_URL", errUsage, what)
	}
	return files[0], nil
}

func (f fileImportFlags) options() imports.Options {
	return imports.Options{SkipBad: *f.skipBad, DryRun: *f.dryRun}
}

// open reads the file name ("-": standard input) and opens the store with
// the dataset in force; the caller closes the store.
func (f fileImportFlags) open(ctx context.Context, name string, stderr io.Writer, open storeOpener) ([]byte, data.Store, *geo.Dataset, error) {
	body, err := readImportFile(name)
	if err != nil {
		return nil, nil, nil, err
	}
	st, err := open(ctx, *f.dbURL, cliLogger(stderr))
	if err != nil {
		return nil, nil, nil, fmt.Errorf("opening the store: %w", err)
	}
	ds, err := st.Snapshot(ctx)
	if err != nil {
		st.Close()
		return nil, nil, nil, fmt.Errorf("reading the dataset: %w", err)
	}
	return body, st, ds, nil
}

// readImportFile reads the file name, or standard input for "-".
func readImportFile(name string) ([]byte, error) {
	if name == "-" {
		return io.ReadAll(os.Stdin)
	}
	return os.ReadFile(name)
}
