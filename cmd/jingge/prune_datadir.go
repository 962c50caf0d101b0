package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"time"

	"jingge/data"
	"jingge/data/memory"
	"jingge/data/postgis"
)

// pruneDataDir removes from the data directory what o removes from
// PostGIS: patrol positions and incident batch keys older than the
// cutoffs. The directory takes one process at a time, so the server using
// it must be stopped first; the message says so.
func pruneDataDir(ctx context.Context, dataDir string, o postgis.PruneOptions, now time.Time, stdout, stderr io.Writer) error {
	if _, err := os.Stat(dataDir); errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("%w: there is no data directory %s", errUsage, dataDir)
	}
	// The auth file the server uses (JINGGE_AUTH_FILE, as jingge serve reads
	// it): a snapshot keeps the last use of the tokens it names.
	d, err := memory.OpenDir(dataDir, memory.DirOptions{AuthFile: os.Getenv("JINGGE_AUTH_FILE"), Logger: cliLogger(stderr), Existing: true})
	if err != nil {
		if errors.Is(err, memory.ErrDirLocked) {
			return fmt.Errorf("%w; a server is using it: stop the server, run jingge prune --data-dir again, and start the server", err)
		}
		if errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("%w: the data directory %s holds no data: nothing to prune", errUsage, dataDir)
		}
		return err
	}
	res, err := d.Prune(ctx, memory.PruneOptions{PingsBefore: o.PingsBefore, IncidentKeysBefore: o.IncidentKeysBefore, DryRun: o.DryRun})
	if err == nil {
		fmt.Fprintf(stdout, "%s %d positions and %d incident batch keys, and %d keys of edits, applies and assessment entries, from %s\n", pruneVerb(o.DryRun), res.Pings, res.IncidentKeys, res.AnswerKeys, dataDir)
		if !o.DryRun {
			detail := fmt.Sprintf("data directory: pings before %s: %d; incident keys before %s: %d; answer keys: %d",
				day(o.PingsBefore), res.Pings, day(o.IncidentKeysBefore), res.IncidentKeys, res.AnswerKeys)
			err = d.Auth.AppendAudit(ctx, []data.AuditEntry{pruneAudit(now, detail)})
		}
	}
	return errors.Join(err, d.Close())
}
