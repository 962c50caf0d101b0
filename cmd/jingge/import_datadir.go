package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"

	"jingge/data/memory"
	"jingge/data/postgis"
)

// importDataDir copies everything the embedded store keeps in dataDir into
// the new PostGIS database at dbURL, in one transaction, so a bureau that
// started without a database loses nothing when it moves to one. The
// directory must not be in use: the server is stopped first, so no write
// lands after the copy. authFile is the auth file the server used ("" is
// the directory's): the users and tokens come from it.
func importDataDir(ctx context.Context, dataDir, authFile, dbURL string, stdout, stderr io.Writer) error {
	if _, err := os.Stat(dataDir); errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("%w: there is no data directory %s", errUsage, dataDir)
	}
	d, err := memory.OpenDir(dataDir, memory.DirOptions{AuthFile: authFile, Logger: cliLogger(stderr), Existing: true})
	if err != nil {
		if errors.Is(err, memory.ErrDirLocked) {
			return fmt.Errorf("%w; stop the server using it first, so that nothing is written after the copy", err)
		}
		if errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("%w: the data directory %s holds no data: nothing to import", errUsage, dataDir)
		}
		return err
	}
	defer d.Close()
	dump, err := d.Dump(ctx)
	if err != nil {
		return err
	}
	if len(dump.Versions) == 0 {
		return fmt.Errorf("the data directory %s holds no grids: nothing to import", dataDir)
	}
	st, err := postgis.Open(ctx, dbURL, postgis.Options{Logger: cliLogger(stderr)})
	if err != nil {
		return fmt.Errorf("PostGIS store: %w", err)
	}
	defer st.Close()
	if err := st.Restore(ctx, dump); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "imported %s into PostGIS: %d grid versions of %d grids, %d incidents, %d plans, %d assessment entries, %d pings, %d officer states, %d events, %d users, %d credentials, %d audit entries, %d incident and %d ping batch keys, %d visits\n",
		dataDir, len(dump.Versions), len(dump.Dataset.Grids), len(dump.Incidents), len(dump.Plans), len(dump.Assessment),
		len(dump.Pings), len(dump.States), len(dump.Events), len(dump.Users), len(dump.Credentials), len(dump.Audit), len(dump.IncidentKeys), len(dump.PingKeys), len(dump.Visits))
	if note, _ := d.Seed(); note != "" {
		fmt.Fprintf(stdout, "the directory began with %s; those incidents and figures were copied too\n", note)
	}
	return nil
}
