package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"time"

	"jingge/data"
	"jingge/data/postgis"
)

// runPrune removes patrol positions and incident batch keys older than
// what the bureau keeps; incidents and the audit log are never pruned.
func runPrune(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("jingge prune", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), `Usage: jingge prune --db URL|--data-dir DIR [--keep-pings-days N] [--keep-incident-keys-days N] [--dry-run]

Removes what only grows: patrol positions older than N days (whole monthly
partitions are dropped; the month holding the cutoff is kept) and the
idempotency keys of incident batches older than N days (a client retrying
such an old batch would store it twice). Incidents and the audit log are
records and are never pruned. Run it from cron at a quiet hour; the
pruning is audited. With --data-dir it prunes the embedded store's data
directory the same way; the server using the directory must be stopped
first (stop it, prune, start it again). Flags:`)
		fs.PrintDefaults()
	}
	dbURL := dbFlag(fs, "")
	pingDays := fs.Int("keep-pings-days", 0, "keep patrol positions of the last `N` days; 0 keeps them all")
	keyDays := fs.Int("keep-incident-keys-days", 0, "keep idempotency keys (incident batches, grid edits, plan applies, assessment entries, task and dispute changes) of the last `N` days; 0 keeps them all")
	dataDir := fs.String("data-dir", "", "prune the embedded store's data `directory` instead (see jingge serve --data-dir)")
	dryRun := fs.Bool("dry-run", false, "say what would be removed, remove nothing")
	if err := fs.Parse(args); err != nil {
		return cliFlagError(err)
	}
	switch {
	case fs.NArg() > 0:
		return fmt.Errorf("%w: prune takes no arguments, got %q", errUsage, fs.Args())
	case *dbURL != "" && *dataDir != "":
		return fmt.Errorf("%w: give --db or --data-dir, not both", errUsage)
	case *dbURL == "" && *dataDir == "":
		return fmt.Errorf("%w: prune needs a store: pass --db URL (or set DATABASE_URL), or --data-dir DIR", errUsage)
	case *pingDays < 0 || *keyDays < 0:
		return fmt.Errorf("%w: the days to keep cannot be negative", errUsage)
	case *pingDays == 0 && *keyDays == 0:
		return fmt.Errorf("%w: say what to prune: --keep-pings-days N and/or --keep-incident-keys-days N", errUsage)
	case *keyDays > 0 && *keyDays < 2:
		return fmt.Errorf("%w: keep incident batch keys at least 2 days, so clients retrying after an outage are still recognised", errUsage)
	}
	now := time.Now()
	var o postgis.PruneOptions
	if *pingDays > 0 {
		o.PingsBefore = now.AddDate(0, 0, -*pingDays)
	}
	if *keyDays > 0 {
		o.IncidentKeysBefore = now.AddDate(0, 0, -*keyDays)
	}
	o.DryRun = *dryRun
	if *dataDir != "" {
		return pruneDataDir(ctx, *dataDir, o, now, stdout, stderr)
	}
	st, err := postgis.Open(ctx, *dbURL, postgis.Options{Logger: cliLogger(stderr)})
	if err != nil {
		return err
	}
	defer st.Close()
	res, err := st.Prune(ctx, o)
	if err != nil {
		return err
	}
	verb := pruneVerb(o.DryRun)
	for _, p := range res.PingPartitions {
		fmt.Fprintf(stdout, "%s partition %s (about %d positions)\n", verb, p.Name, p.EstimateRows)
	}
	fmt.Fprintf(stdout, "%s %d positions from patrol_pings_default and %d incident batch keys, and %d keys of edits, applies and assessment entries\n", verb, res.DefaultPings, res.IncidentKeys, res.AnswerKeys)
	if o.DryRun {
		return nil
	}
	detail := fmt.Sprintf("pings before %s: %d partitions, %d default rows; incident keys before %s: %d; answer keys: %d",
		day(o.PingsBefore), len(res.PingPartitions), res.DefaultPings, day(o.IncidentKeysBefore), res.IncidentKeys, res.AnswerKeys)
	return st.AppendAudit(ctx, []data.AuditEntry{pruneAudit(now, detail)})
}

// pruneAudit is the audit entry of a prune that removed what detail says.
func pruneAudit(now time.Time, detail string) data.AuditEntry {
	return data.AuditEntry{At: now, Actor: actorName(), Action: "prune", Method: "CLI", Target: "jingge prune", Detail: detail}
}

func pruneVerb(dryRun bool) string {
	if dryRun {
		return "would remove"
	}
	return "removed"
}

// day writes t as a date, or "-" for the zero time (nothing pruned).
func day(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.UTC().Format(time.DateOnly)
}
