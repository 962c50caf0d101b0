package main

import (
	"context"
	"fmt"
	"io"
	"text/tabwriter"

	"jingge/api/planning"
)

func runRoster(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	return rosterCommand(ctx, args, stdout, stderr, openStore)
}

func rosterUsage(w io.Writer) {
	fmt.Fprintln(w, `Usage: jingge roster report [--db URL] [--roster-rules FILE] [--json]

Lists every grid that breaks a roster rule (every police grid a community
officer, every community grid a village cadre and a grid worker, and the
rules of --roster-rules). Without --db the bundled Lantian dataset is used.`)
}

func rosterCommand(ctx context.Context, args []string, stdout, stderr io.Writer, open storeOpener) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		rosterUsage(stdout)
		return nil
	}
	if args[0] != "report" {
		rosterUsage(stderr)
		return fmt.Errorf("%w: unknown roster subcommand %q", errUsage, args[0])
	}
	fs, env, asJSON := newPlanFlags("jingge roster report", "(only its weights; the rules come from --roster-rules", stderr, open)
	return env.run(ctx, fs, args[1:], 0, func(p *planning.Planner, _ []string) error {
		rep, err := p.Roster()
		if err != nil {
			return err
		}
		if *asJSON {
			return writeJSONTo(stdout, rep)
		}
		return printRoster(stdout, rep)
	})
}

// printRoster writes the report as a table, one break a line.
func printRoster(w io.Writer, rep planning.RosterReport) error {
	fmt.Fprintf(w, "%d rules, %d breaks (dataset %s)\n", len(rep.Rules), len(rep.Breaks), rep.Dataset)
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "grid\tname\tstation\trule\trole\thave/min")
	for _, b := range rep.Breaks {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%d/%d\n", b.GridID, b.GridName, b.StationID, b.RuleID, b.Role.LabelZH(), b.Have, b.Min)
	}
	return tw.Flush()
}
