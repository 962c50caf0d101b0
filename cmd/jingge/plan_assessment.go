package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"

	"jingge/api/planning"
	"jingge/geo/plan"
)

func runAssessment(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	return assessmentCommand(ctx, args, stdout, stderr, openStore)
}

func assessmentUsage(w io.Writer) {
	fmt.Fprintln(w, `Usage: jingge assessment <subcommand> [flags] [--db URL] [--plan-config FILE] [--json]

The monthly station assessment (考评). Subcommands:
  import FILE.csv|-   enter metrics from CSV (columns: station, month, and
                      familiarity_, risk_warning_, control_tasks_,
                      satisfaction_ numerator and denominator)
  show MONTH [TO]     the stations' scores and ranking for a month, or
                      month by month from MONTH to TO

Without --db the bundled Lantian dataset is used and entries last only as
long as the command.`)
}

func assessmentCommand(ctx context.Context, args []string, stdout, stderr io.Writer, open storeOpener) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		assessmentUsage(stdout)
		return nil
	}
	sub, args := args[0], args[1:]
	fs, env, asJSON := newPlanFlags("jingge assessment "+sub, "(its assessment section weighs the metrics", stderr, open)
	switch sub {
	case "import":
		return env.run(ctx, fs, args, 1, func(p *planning.Planner, pos []string) error {
			var r io.Reader = os.Stdin
			if pos[0] != "-" {
				f, err := os.Open(pos[0])
				if err != nil {
					return err
				}
				defer f.Close()
				r = f
			}
			rows, err := planning.ParseAssessmentCSV(r)
			if err != nil {
				return fmt.Errorf("%s: %w", pos[0], err)
			}
			saved, err := p.PutAssessment(ctx, rows, actorName())
			if err != nil {
				return err
			}
			if *asJSON {
				return writeJSONTo(stdout, saved)
			}
			fmt.Fprintf(stdout, "saved %d entries for %s\n", saved.Saved, strings.Join(saved.Months, ", "))
			if env.embedded {
				fmt.Fprintln(stdout, "(the embedded store forgets them when the command ends; use --db to keep them)")
			}
			return nil
		})
	case "show":
		return env.runRange(ctx, fs, args, func(p *planning.Planner, from, to plan.Month) error {
			res, err := p.Assess(ctx, from, to)
			if err != nil {
				return err
			}
			if *asJSON {
				return writeJSONTo(stdout, res)
			}
			return printAssessment(stdout, res)
		})
	}
	assessmentUsage(stderr)
	return fmt.Errorf("%w: unknown assessment subcommand %q", errUsage, sub)
}

// runRange is run for MONTH [TO].
func (e *planEnv) runRange(ctx context.Context, fs *flag.FlagSet, args []string, fn func(p *planning.Planner, from, to plan.Month) error) error {
	pos, err := parseInterleaved(fs, args)
	if err != nil {
		return cliFlagError(err)
	}
	if len(pos) < 1 || len(pos) > 2 {
		return fmt.Errorf("%w: %s takes MONTH [TO], e.g. 2026-03; got %q", errUsage, fs.Name(), pos)
	}
	var months []plan.Month
	for _, s := range pos {
		m, err := plan.ParseMonth(s)
		if err != nil {
			return fmt.Errorf("%w: %v", errUsage, problemDetail(err))
		}
		months = append(months, m)
	}
	from, to := months[0], months[len(months)-1]
	return e.run(ctx, fs, nil, 0, func(p *planning.Planner, _ []string) error { return fn(p, from, to) })
}

var metricLabels = map[string]string{
	plan.MetricIncidentTrend: "发案升降", plan.MetricClearance: "破案率", plan.MetricFamiliarity: "熟悉率",
	plan.MetricRiskWarning: "预警率", plan.MetricControlTasks: "管处率", plan.MetricSatisfaction: "满意度",
}

func printAssessment(w io.Writer, res planning.AssessmentResult) error {
	for _, m := range res.Months {
		fmt.Fprintf(w, "%s 考评 assessment (incidents complete from %s)\n", m.Month, res.IncidentsFrom)
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
		fmt.Fprint(tw, "名次 Rank\t派出所 Station\t得分 Score\t")
		for _, k := range plan.Metrics {
			fmt.Fprintf(tw, "%s %s\t", metricLabels[k], k)
		}
		fmt.Fprintln(tw)
		for _, s := range m.Stations {
			fmt.Fprintf(tw, "%d\t%s\t%.1f\t", s.Rank, res.StationNames[s.StationID], s.Score)
			for _, ms := range s.Metrics {
				// 测 measured from the records, 填 entered; ! a measured
				// and an entered figure disagree (review).
				src := "填"
				if ms.Source == plan.SourceMeasured {
					src = "测"
				}
				if ms.Review {
					src += "!"
				}
				if ms.Available {
					fmt.Fprintf(tw, "%.0f %s\t", ms.Score, src)
				} else {
					fmt.Fprintf(tw, "– %s\t", src)
				}
			}
			fmt.Fprintln(tw)
		}
		tw.Flush()
		fmt.Fprintln(w, "测 measured from the records, 填 entered; ! measured and entered disagree: review")
		if m.Final {
			fmt.Fprintln(w, "交叉考核完成 cross-assessment complete: every station scored by another")
		} else {
			names := make([]string, len(m.Unscored))
			for i, id := range m.Unscored {
				names[i] = res.StationNames[id]
			}
			fmt.Fprintf(w, "尚待交叉考核 still to be scored by another station: %s\n", strings.Join(names, ", "))
		}
		fmt.Fprintln(w)
	}
	return nil
}
