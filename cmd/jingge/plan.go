package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"jingge/api/planning"
	"jingge/data"
	"jingge/data/follow"
	"jingge/data/memory"
	"jingge/geo"
	"jingge/geo/plan"
)

func runPlan(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	return planCommand(ctx, args, stdout, stderr, openStore)
}

// planSubcommands are the subcommands of `jingge plan`.
var planSubcommands = []struct{ name, usage string }{
	{"measure", "today's per-station and per-officer figures"},
	{"propose", "propose a plan and save it (--seed, --max-grid-moves, --max-officer-moves, --lock-grid, --lock-station, --note)"},
	{"list", "the saved plans, newest first"},
	{"show", "show ID: one plan (or current)"},
	{"compare", "compare A B: two plans side by side (ids or current)"},
	{"export", "export ID --format moves|stations|html [--lang en] [-o FILE]"},
	{"apply", "apply ID: put a saved plan in force"},
}

func planUsage(w io.Writer) {
	fmt.Fprintln(w, "Usage: jingge plan <subcommand> [flags] [--db URL] [--plan-config FILE] [--json]\n\nPlans officers and police grids (警力下沉). Subcommands:")
	for _, s := range planSubcommands {
		fmt.Fprintf(w, "  %-8s %s\n", s.name, s.usage)
	}
	fmt.Fprintln(w, "\nWithout --db the bundled Lantian dataset is used and plans last only as long as the command.")
}

func planCommand(ctx context.Context, args []string, stdout, stderr io.Writer, open storeOpener) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		planUsage(stdout)
		return nil
	}
	sub, args := args[0], args[1:]
	run, ok := planRunners[sub]
	if !ok {
		planUsage(stderr)
		return fmt.Errorf("%w: unknown plan subcommand %q", errUsage, sub)
	}
	fs, env, asJSON := newPlanFlags("jingge plan "+sub, "(JSON, only what differs from the defaults", stderr, open)
	return run(ctx, planCall{fs: fs, env: env, asJSON: asJSON, args: args, stdout: stdout})
}

// planCall is one run of a plan subcommand: its flags (the common ones
// made), the store it opens, its arguments and where it prints.
type planCall struct {
	fs     *flag.FlagSet
	env    *planEnv
	asJSON *bool
	args   []string
	stdout io.Writer
}

// planRunners run the subcommands of planSubcommands by name.
var planRunners = map[string]func(context.Context, planCall) error{
	"measure": planMeasure, "propose": planPropose, "list": planList, "show": planShow,
	"compare": planCompare, "export": planExport, "apply": planApply,
}

// planMeasure prints today's figures.
func planMeasure(ctx context.Context, c planCall) error {
	return c.env.run(ctx, c.fs, c.args, 0, func(p *planning.Planner, _ []string) error {
		cur, err := p.Current(ctx)
		if err != nil {
			return err
		}
		if *c.asJSON {
			return writeJSONTo(c.stdout, cur)
		}
		return printMeasures(c.stdout, cur, p.Zone())
	})
}

// planPropose proposes a plan from flags and saves it.
func planPropose(ctx context.Context, c planCall) error {
	var req planning.ProposeRequest
	var lockGrids, lockStations listFlag
	var wBalance, wCompact, wResponse, wChange optionalFloat
	c.fs.Uint64Var(&req.Seed, "seed", 1, "`seed` of the grid search; the same seed on the same data gives the same plan")
	c.fs.IntVar(&req.MaxGridMoves, "max-grid-moves", 0, "most police grids that change station: 0 the configured share, -1 none")
	c.fs.IntVar(&req.MaxOfficerMoves, "max-officer-moves", 0, "most officers who change station: 0 the configured share, -1 none")
	c.fs.IntVar(&req.MinOfficersPerStation, "min-officers", 0, "fewest officers a station keeps: 0 the configured minimum, -1 none")
	c.fs.IntVar(&req.Iterations, "iterations", 0, "moves the grid search tries: 0 the configured length")
	c.fs.Var(&lockGrids, "lock-grid", "a grid `ID` that keeps its station (repeat for more)")
	c.fs.Var(&lockStations, "lock-station", "a station `ID` that keeps its grids and officers (repeat for more)")
	c.fs.Var(&wBalance, "weight-balance", "objective `weight` of load balance instead of the configured one")
	c.fs.Var(&wCompact, "weight-compactness", "objective `weight` of compactness")
	c.fs.Var(&wResponse, "weight-response", "objective `weight` of response time")
	c.fs.Var(&wChange, "weight-change", "objective `weight` of change")
	c.fs.StringVar(&req.Note, "note", "", "a `note` saved with the plan")
	return c.env.run(ctx, c.fs, c.args, 0, func(p *planning.Planner, _ []string) error {
		req.LockedGrids, req.LockedStations = lockGrids, lockStations
		if wBalance.set || wCompact.set || wResponse.set || wChange.set {
			req.Weights = &planning.WeightsOverride{Balance: wBalance.ptr(), Compactness: wCompact.ptr(), Response: wResponse.ptr(), Change: wChange.ptr()}
		}
		doc, err := p.Propose(ctx, req, actorName())
		if err != nil {
			return err
		}
		if *c.asJSON {
			return writeJSONTo(c.stdout, doc)
		}
		if err := printPlan(c.stdout, doc); err != nil {
			return err
		}
		if c.env.embedded {
			fmt.Fprintln(c.stdout, "\n(the embedded store forgets this plan when the command ends; use --db to keep and apply plans)")
		}
		return nil
	})
}

// planList prints the saved plans.
func planList(ctx context.Context, c planCall) error {
	return c.env.run(ctx, c.fs, c.args, 0, func(p *planning.Planner, _ []string) error {
		list, err := p.Plans(ctx, 0)
		if err != nil {
			return err
		}
		if *c.asJSON {
			return writeJSONTo(c.stdout, list)
		}
		return printPlanList(c.stdout, list, p.Zone())
	})
}

// planShow prints one plan.
func planShow(ctx context.Context, c planCall) error {
	return c.env.run(ctx, c.fs, c.args, 1, func(p *planning.Planner, pos []string) error {
		doc, err := p.Plan(ctx, pos[0])
		if err != nil {
			return err
		}
		if *c.asJSON {
			return writeJSONTo(c.stdout, doc)
		}
		return printPlan(c.stdout, doc)
	})
}

// planCompare prints two plans side by side.
func planCompare(ctx context.Context, c planCall) error {
	return c.env.run(ctx, c.fs, c.args, 2, func(p *planning.Planner, pos []string) error {
		both, err := p.Compare(ctx, pos[0], pos[1])
		if err != nil {
			return err
		}
		if *c.asJSON {
			return writeJSONTo(c.stdout, both)
		}
		return printComparison(c.stdout, both)
	})
}

// planExport writes a plan as CSV or as the printable report.
func planExport(ctx context.Context, c planCall) error {
	format := c.fs.String("format", "html", "what to write: moves (CSV), stations (CSV) or html (a printable report)")
	lang := c.fs.String("lang", "zh", "language of the html report: zh or en")
	out := c.fs.String("o", "-", "write to `FILE` instead of stdout")
	return c.env.run(ctx, c.fs, c.args, 1, func(p *planning.Planner, pos []string) error {
		l, err := planning.ParseReportLang(*lang)
		if err != nil {
			return fmt.Errorf("%w: --lang: %v", errUsage, err)
		}
		var write func(io.Writer, planning.Document) error
		switch *format {
		case "moves":
			write = planning.WriteMovesCSV
		case "stations":
			write = planning.WriteStationsCSV
		case "html":
			names := p.ReportNames()
			write = func(w io.Writer, d planning.Document) error { return planning.WriteReport(w, d, l, names, p.Zone()) }
		default:
			return fmt.Errorf("%w: --format must be moves, stations or html, got %q", errUsage, *format)
		}
		doc, err := p.Plan(ctx, pos[0])
		if err != nil {
			return err
		}
		if *out == "-" {
			return write(c.stdout, doc)
		}
		return writeFileAtomically(*out, func(w io.Writer) error { return write(w, doc) })
	})
}

// planApply puts a saved plan in force.
func planApply(ctx context.Context, c planCall) error {
	actor := c.fs.String("actor", actorName(), "who applies the plan, for the audit")
	override := c.fs.Bool("override-roster", false, "apply the plan though it leaves grids below their roster rules (recorded in the audit)")
	return c.env.run(ctx, c.fs, c.args, 1, func(p *planning.Planner, pos []string) error {
		res, err := p.Apply(ctx, pos[0], *actor, planning.ApplyOptions{OverrideRoster: *override})
		if err != nil {
			return err
		}
		if *c.asJSON {
			return writeJSONTo(c.stdout, res)
		}
		return printApplied(c.stdout, res)
	})
}

// newPlanFlags makes the flag set of a planner subcommand (name) with the
// flags every one takes: --db, --plan-config (configHelp says what of the
// file it uses) and --json.
func newPlanFlags(name, configHelp string, stderr io.Writer, open storeOpener) (*flag.FlagSet, *planEnv, *bool) {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	env := &planEnv{open: open, stderr: stderr}
	dbFlagVar(fs, &env.dbURL, "empty uses the bundled Lantian dataset")
	fs.StringVar(&env.configPath, "plan-config", os.Getenv("JINGGE_PLAN_CONFIG"), "planner configuration `FILE` "+configHelp+"; env JINGGE_PLAN_CONFIG)")
	fs.StringVar(&env.rosterPath, "roster-rules", os.Getenv("JINGGE_ROSTER_RULES"), "roster rules `FILE`: JSON {\"rules\": [...]} replacing the default rules (env JINGGE_ROSTER_RULES)")
	return fs, env, fs.Bool("json", false, "print JSON, as the API answers")
}

// planEnv opens what a plan subcommand needs.
type planEnv struct {
	open       storeOpener
	stderr     io.Writer
	dbURL      string
	configPath string
	rosterPath string
	embedded   bool
}

// run parses args (flags anywhere, want positionals), opens the store,
// loads its dataset and calls fn with a planner.
func (e *planEnv) run(ctx context.Context, fs *flag.FlagSet, args []string, want int, fn func(*planning.Planner, []string) error) error {
	pos, err := parseInterleaved(fs, args)
	if err != nil {
		return cliFlagError(err)
	}
	if len(pos) != want {
		return fmt.Errorf("%w: %s takes %d argument(s), got %d: %q; see %s -h", errUsage, fs.Name(), want, len(pos), pos, fs.Name())
	}
	cfg, err := loadPlanConfig(e.configPath)
	if err != nil {
		return err
	}
	rost, err := loadRosterConfig(e.rosterPath)
	if err != nil {
		return err
	}
	logger := cliLogger(e.stderr)
	st, err := e.open(ctx, e.dbURL, logger)
	if err != nil {
		return fmt.Errorf("opening the store: %w", err)
	}
	defer st.Close()
	switch st.(type) {
	case *memory.Store, *memory.PlanStore:
		e.embedded = true
	}
	live := new(geo.Live)
	if err := follow.New(st, live, logger).Load(ctx); err != nil {
		return err
	}
	p, err := newPlanner(ctx, st, live, logger, cfg, rost)
	if err != nil {
		return err
	}
	if err := fn(p, pos); err != nil {
		var refused *data.RequestError
		if errors.As(err, &refused) {
			return errors.New(refused.Message)
		}
		return err
	}
	return nil
}

// actorName names who runs a command, for plans and audits.
func actorName() string {
	if u := os.Getenv("USER"); u != "" {
		return "cli:" + u
	}
	return "cli"
}

// listFlag collects a repeated flag.
type listFlag []string

func (l *listFlag) String() string { return strings.Join(*l, ",") }

func (l *listFlag) Set(s string) error {
	*l = append(*l, s)
	return nil
}

// optionalFloat is a float flag that knows whether it was given.
type optionalFloat struct {
	v   float64
	set bool
}

func (o *optionalFloat) String() string {
	if !o.set {
		return ""
	}
	return strconv.FormatFloat(o.v, 'f', -1, 64)
}

func (o *optionalFloat) Set(s string) error {
	v, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return err
	}
	o.v, o.set = v, true
	return nil
}

func (o *optionalFloat) ptr() *float64 {
	if !o.set {
		return nil
	}
	v := o.v
	return &v
}

func writeJSONTo(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// printMeasures prints the figures of the deployment in force, with times
// in loc, the dataset's local time.
func printMeasures(w io.Writer, cur planning.PlanCurrent, loc *time.Location) error {
	fmt.Fprintf(w, "数据 Dataset %s, 警情截止 incidents up to %s, %d 起 incidents\n\n", cur.Dataset, cur.ReferenceTime.In(loc).Format("2006-01-02 15:04 MST"), cur.Incidents)
	printStations(w, cur.Measures, cur.StationNames)
	printBalance(w, "", cur.Measures)
	return nil
}

func printStations(w io.Writer, ms plan.Measures, names map[string]string) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "派出所 Station\t警格 Grids\t警力 Officers\t工作量 Workload\t人均 Load/officer\t紧凑度 Polsby–Popper\t响应 Response min\t")
	for _, s := range ms.Stations {
		fmt.Fprintf(tw, "%s %s\t%d\t%d\t%.0f\t%.1f\t%.3f\t%.1f\t\n", names[s.StationID], s.StationID, s.Grids, s.Officers, s.Workload, s.LoadPerOfficer, s.PolsbyPopper, s.MeanResponseMinutes)
	}
	tw.Flush()
}

func printBalance(w io.Writer, label string, ms plan.Measures) {
	fmt.Fprintf(w, "%s人均工作量 Load per officer: CV %.3f, Gini %.3f, max/min %.2f; 平均响应 mean response %.2f min (p90 %.2f); 连片 contiguous %v\n",
		label, ms.Balance.CV, ms.Balance.Gini, ms.Balance.MaxMinRatio, ms.Response.MeanMinutes, ms.Response.P90Minutes, ms.Contiguous)
}

func printPlan(w io.Writer, d planning.Document) error {
	title := "方案 Plan " + d.ID
	if d.Status == "current" {
		title = "现行部署 Deployment in force"
	}
	fmt.Fprintf(w, "%s: %s", title, d.Status)
	if d.Stale && d.Status == "proposed" {
		fmt.Fprint(w, " (stale: the data changed since; propose again)")
	}
	fmt.Fprintln(w)
	if d.Note != "" {
		fmt.Fprintf(w, "说明 Note: %s\n", d.Note)
	}
	printBalance(w, "调整前 Before: ", d.Before)
	printBalance(w, "调整后 After:  ", d.After)
	fmt.Fprintf(w, "调整 Moved: %d police grids (%.1f%%), %d officers (%.1f%%)\n\n", d.After.Change.GridsMoved, 100*d.After.Change.GridShare, d.After.Change.OfficersMoved, 100*d.After.Change.OfficerShare)
	printStations(w, d.After, d.StationNames)
	if len(d.OfficerMoves) > 0 {
		fmt.Fprintln(w, "\n警力调整 Officer moves:")
		for _, mv := range d.OfficerMoves {
			fmt.Fprintf(w, "  %d: %s %s → %s %s\n", mv.Count, d.StationNames[mv.From], mv.From, d.StationNames[mv.To], mv.To)
		}
	}
	if len(d.GridMoves) > 0 {
		fmt.Fprintln(w, "\n警格调整 Police-grid moves:")
		for _, mv := range d.GridMoves {
			fmt.Fprintf(w, "  %s %s: %s → %s, with %d community grids\n", mv.GridID, mv.Name, d.StationNames[mv.From], d.StationNames[mv.To], len(mv.CommunityGrids))
		}
	}
	return nil
}

func printPlanList(w io.Writer, list planning.List, loc *time.Location) error {
	if len(list.Plans) == 0 {
		_, err := fmt.Fprintln(w, "no plans saved")
		return err
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tSTATUS\tCREATED\tCV BEFORE→AFTER\tGRIDS\tOFFICERS\tNOTE")
	for _, p := range list.Plans {
		status := p.Status
		if p.Stale && status == "proposed" {
			status += " (stale)"
		}
		created := ""
		if p.CreatedAt != nil {
			created = p.CreatedAt.In(loc).Format("2006-01-02 15:04")
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%.3f→%.3f\t%d\t%d\t%s\n", p.ID, status, created, p.CVBefore, p.CVAfter, p.GridsMoved, p.OfficersMoved, p.Note)
	}
	return tw.Flush()
}

func printComparison(w io.Writer, c planning.PlanComparison) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "figure\t%s\t%s\tdelta\t\n", c.A.ID, c.B.ID)
	for _, f := range c.Figures {
		fmt.Fprintf(tw, "%s\t%.4g\t%.4g\t%+.4g\t\n", f.Figure, f.A, f.B, f.Delta)
	}
	tw.Flush()
	fmt.Fprintf(w, "\n%d police grids under different stations\n", len(c.Grids))
	for _, g := range c.Grids {
		fmt.Fprintf(w, "  %s %s: %s / %s\n", g.GridID, g.Name, g.A, g.B)
	}
	return nil
}

func printApplied(w io.Writer, r planning.ApplyResult) error {
	fmt.Fprintf(w, "方案 Plan %s applied: %d grid versions, %d members changed; dataset now %s\n", r.Plan.ID, len(r.Grids), len(r.Members), r.Dataset)
	for _, m := range r.Members {
		if m.Kind == planning.MemberReassigned {
			fmt.Fprintf(w, "  %s %s (%s): %s → %s\n", m.MemberID, m.Name, m.Role.LabelZH(), m.From, m.To)
		}
	}
	return nil
}
