package imports

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"jingge/api/intake"
	"jingge/data"
	"jingge/geo"
	"jingge/geo/crs"
)

// disputeImport reads dispute rows, attributing each to the grids in
// force where and when it was reported.
func disputeImport(st data.Store, ds *geo.Dataset, from crs.CRS, zone *time.Location, when timeReader) (*Work, error) {
	kind := "disputes"
	store, ok1 := st.(data.DisputeStore)
	timeline, ok2 := st.(data.GridTimeline)
	if !ok1 || !ok2 {
		return nil, errors.New("this store keeps no disputes")
	}
	datum, err := crs.Parse(ds.Meta.Datum)
	if err != nil {
		return nil, fmt.Errorf("dataset %q: datum: %w", ds.Meta.Name, err)
	}
	attributor := data.NewAttributor(timeline, nil)
	return &Work{kind: kind, required: []string{"reported_at", "kind", "lon", "lat"}, optional: []string{"parties", "summary", "level", "method", "mediation_brand", "settled_at"},
		row: func(ctx context.Context, c map[string]string) (recordWriter, []string) {
			var problems []string
			d := geo.DisputeCase{Parties: c["parties"], Summary: c["summary"], MediationBrand: c["mediation_brand"], Level: geo.DisputeOpen, RecordedBy: "import"}
			if d.ReportedAt = when("reported_at", c["reported_at"], &problems); c["reported_at"] == "" {
				problems = append(problems, "reported_at: required")
			}
			d.SettledAt = when("settled_at", c["settled_at"], &problems)
			pt, err := intake.ParseCoordinates(c["lon"], c["lat"])
			if err != nil {
				problems = append(problems, strings.TrimPrefix(err.Error(), "data: "))
			}
			d.Location = crs.Convert(pt, from, datum)
			var perr error
			if d.Kind, perr = geo.ParseDisputeKind(c["kind"]); perr != nil {
				problems = append(problems, "kind: "+strings.TrimPrefix(perr.Error(), "geo: "))
			}
			if c["level"] != "" {
				if d.Level, perr = geo.ParseDisputeLevel(c["level"]); perr != nil {
					problems = append(problems, "level: "+strings.TrimPrefix(perr.Error(), "geo: "))
				}
			}
			if c["method"] != "" {
				if d.Method, perr = geo.ParseSettleMethod(c["method"]); perr != nil {
					problems = append(problems, "method: "+strings.TrimPrefix(perr.Error(), "geo: "))
				}
			}
			if len(problems) > 0 {
				return nil, problems
			}
			b := data.IncidentBatch{Incidents: []geo.Incident{{OccurredAt: d.ReportedAt, Location: d.Location}}}
			if err := attributor.Attribute(ctx, &b); err != nil {
				return nil, []string{outsideEveryGrid(crs.Convert(d.Location, datum, from), from, d.ReportedAt.In(zone))}
			}
			inc := b.Incidents[0]
			d.CommunityGridID, d.PoliceGridID, d.StationID = inc.CommunityGridID, inc.PoliceGridID, inc.StationID
			if err := data.CheckDispute(&d); err != nil {
				return nil, []string{strings.TrimPrefix(err.Error(), "data: ")}
			}
			return func(ctx context.Context, key string) (string, bool, error) {
				res, err := store.AddDispute(ctx, data.DisputeWrite{Dispute: d, Key: key, Scope: "import"})
				return res.Dispute.ID, res.Replayed, err
			}, nil
		}}, nil
}

// taskImport reads task rows, checking their station, grid and officer
// against the index.
func taskImport(st data.Store, ix *geo.Index, zone *time.Location, when timeReader) (*Work, error) {
	kind := "tasks"
	store, ok := st.(data.TaskStore)
	if !ok {
		return nil, errors.New("this store keeps no tasks")
	}
	return &Work{kind: kind, required: []string{"station", "title", "due"}, optional: []string{"grid", "officer", "detail", "done_at", "done_by"},
		row: func(_ context.Context, c map[string]string) (recordWriter, []string) {
			var problems []string
			t := geo.Task{StationID: c["station"], GridID: c["grid"], OfficerID: c["officer"], Title: c["title"], Detail: c["detail"], DoneBy: c["done_by"], RecordedBy: "import"}
			due, err := geo.ParseDue(c["due"], zone)
			if err != nil {
				problems = append(problems, strings.TrimPrefix(err.Error(), "geo: "))
			}
			t.Due = due
			t.DoneAt = when("done_at", c["done_at"], &problems)
			for _, p := range ix.TaskRefProblems(&t) {
				problems = append(problems, p.Field+": "+p.Reason)
			}
			if len(problems) == 0 {
				if err := data.CheckTask(&t); err != nil {
					problems = append(problems, strings.TrimPrefix(err.Error(), "data: "))
				}
			}
			if len(problems) > 0 {
				return nil, problems
			}
			return func(ctx context.Context, key string) (string, bool, error) {
				res, err := store.AddTask(ctx, data.TaskWrite{Task: t, Key: key, Scope: "import"})
				return res.Task.ID, res.Replayed, err
			}, nil
		}}, nil
}
