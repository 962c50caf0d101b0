package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"jingge/data/memory"
	"jingge/data/postgis"
)

// importDataDir copies everything the embedded store keeps in dataDir into
// the new PostGIS database at dbURL, in one transaction, so a bureau that
// started without a database loses nothing when it moves to one: the
// archived history too. authFile is the auth file the server used (""
// is the directory's): the users and tokens come from it. A directory a
// server is using is copied first as `jingge backup` copies it, and the
// copy imported; the message says that writes after that moment are not
// in PostGIS.
func importDataDir(ctx context.Context, dataDir, authFile, dbURL string, stdout, stderr io.Writer) error {
	if _, err := os.Stat(dataDir); errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("%w: there is no data directory %s", errUsage, dataDir)
	}
	d, err := memory.OpenDir(dataDir, memory.DirOptions{AuthFile: authFile, Logger: cliLogger(stderr), Existing: true})
	var copied time.Time
	if errors.Is(err, memory.ErrDirLocked) {
		var done func()
		copied = time.Now()
		d, done, err = openServedCopy(dataDir, authFile, stderr)
		defer done()
	}
	if err != nil {
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
	fmt.Fprintf(stdout, "imported %s into PostGIS: %d grid versions of %d grids, %d incidents, %d plans, %d assessment entries, %d pings, %d officer states, %d events, %d users, %d credentials, %d audit entries, %d incident and %d ping batch keys, %d visits, %d disputes, %d tasks\n",
		dataDir, len(dump.Versions), len(dump.Dataset.Grids), len(dump.Incidents), len(dump.Plans), len(dump.Assessment),
		len(dump.Pings), len(dump.States), len(dump.Events), len(dump.Users), len(dump.Credentials), len(dump.Audit), len(dump.IncidentKeys), len(dump.PingKeys), len(dump.Visits), len(dump.Disputes), len(dump.Tasks))
	if !copied.IsZero() {
		fmt.Fprintf(stdout, "a server is using %s: this is a consistent copy of it as of %s; what it stored after that is not in PostGIS. Stop it, run the import again into a new database, or start the servers with --db now and accept that loss\n",
			dataDir, copied.Format(time.RFC3339))
	}
	if note, _ := d.Seed(); note != "" {
		fmt.Fprintf(stdout, "the directory began with %s; those incidents and figures were copied too\n", note)
	}
	return nil
}

// openServedCopy copies dataDir, which a server is using, into a
// temporary directory as `jingge backup` does (every write acknowledged
// before the copy began) and opens the copy; done removes it.
func openServedCopy(dataDir, authFile string, stderr io.Writer) (*memory.Durable, func(), error) {
	tmp, err := os.MkdirTemp("", "jingge-import-")
	if err != nil {
		return nil, func() {}, fmt.Errorf("a copy of the data directory %s, which a server is using: %w", dataDir, err)
	}
	done := func() { os.RemoveAll(tmp) }
	dst := filepath.Join(tmp, "copy")
	if _, err := memory.Backup(dataDir, dst, memory.DirOptions{AuthFile: authFile}); err != nil {
		return nil, done, fmt.Errorf("a copy of the data directory %s, which a server is using: %w", dataDir, err)
	}
	d, err := memory.OpenDir(dst, memory.DirOptions{Logger: cliLogger(stderr), Existing: true})
	if err != nil {
		return nil, done, err
	}
	return d, func() { d.Close(); done() }, nil
}
