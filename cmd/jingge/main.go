// Command jingge serves Lantian-style police grids: point-in-grid lookups,
// GeoJSON and vector tiles, from PostGIS or from the embedded demo dataset.
//
// Usage: jingge <command> [flags]; `jingge help` lists the commands.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sort"
	"syscall"
)

// command is one subcommand. run gets the arguments after the command name.
type command struct {
	summary string
	run     func(ctx context.Context, args []string, stdout, stderr io.Writer) error
}

// commands is the table of subcommands; each lives in its own file.
func commands() map[string]command {
	return map[string]command{
		"demo":    {"demo generate: rebuild the bundled Lantian dataset from its reference data", runDemo},
		"users":   {"users add|list|passwd|disable|enable: who may sign in, with roles (--db or the embedded store's --auth-file)", runUsers},
		"tokens":  {"tokens create|list|revoke: API tokens for machines (--db or --auth-file)", runTokens},
		"serve":   {"serve the HTTP API (--addr, --db or --data-dir, --log-format)", runServe},
		"lookup":  {"lookup LON LAT: who is responsible for a point (--crs, --json, --db)", runLookup},
		"migrate": {"apply the PostGIS schema migrations (--db)", runMigrate},
		"prune":   {"remove old patrol positions and incident batch keys (--db or --data-dir; incidents and the audit are kept)", runPrune},
		"backup":  {"backup -o NEWDIR|FILE.tar: copy the embedded store's data directory, also while the server runs (--data-dir)", runBackup},
		"import":  {"import FILE.geojson | --lantian: replace the PostGIS dataset (--fix, --dry-run, --db); --data-dir DIR: move the embedded store into a new PostGIS", runImport},
		"export":  {"export the dataset as GeoJSON (--as-of, -o, --db or --data-dir)", runExport},
		"tiles":   {"tiles export --format mbtiles|pmtiles: the grid tiles as one file (--minzoom, --maxzoom, --bbox, --layers, --out, --db or --data-dir)", runTiles},

		// Demo traffic for a running server.
		"simulate": {"simulate patrols: move officers inside their grids and post their positions to a server (--server, --officers, --interval, --duration)", runSimulate},

		"plan":       {"plan measure|propose|list|show|compare|export|apply: officer and grid plans (--db)", runPlan},
		"roster":     {"roster report: every grid that breaks a roster rule (--db, --roster-rules)", runRoster},
		"assessment": {"assessment import FILE.csv | show MONTH [TO]: the monthly station assessment (--db)", runAssessment},
	}
}

// errUsage marks an error caused by bad arguments; main exits 2 for it.
var errUsage = errors.New("usage")

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	switch {
	case err == nil:
	case errors.Is(err, errUsage), errors.Is(err, flag.ErrHelp):
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "jingge:", err)
		}
		os.Exit(2)
	default:
		fmt.Fprintln(os.Stderr, "jingge:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	cmds := commands()
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		usage(stdout, cmds)
		return nil
	}
	c, ok := cmds[args[0]]
	if !ok {
		usage(stderr, cmds)
		return fmt.Errorf("%w: unknown command %q", errUsage, args[0])
	}
	return c.run(ctx, args[1:], stdout, stderr)
}

func usage(w io.Writer, cmds map[string]command) {
	fmt.Fprintln(w, "jingge — grid-based community policing service (警格)")
	fmt.Fprintln(w, "\nUsage: jingge <command> [flags]\n\nCommands:")
	names := make([]string, 0, len(cmds))
	for n := range cmds {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-10s %s\n", n, cmds[n].summary)
	}
	fmt.Fprintln(w, "\nRun 'jingge <command> -h' for a command's flags.")
}
