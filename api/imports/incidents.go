package imports

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/paulmach/orb"

	"jingge/api/intake"
	"jingge/data"
	"jingge/geo"
	"jingge/geo/crs"
)

// Incidents imports incident files (CSV or GeoJSON, see intake.ParseFile)
// into one store, all of a file in one batch.
type Incidents struct {
	store      data.IncidentStore
	attributor *data.Attributor
	datum      crs.CRS
	zone       *time.Location // the dataset's local time
}

// NewIncidents prepares imports into st, whose dataset in force is ds.
func NewIncidents(st data.Store, ds *geo.Dataset) (*Incidents, error) {
	incidents, ok1 := st.(data.IncidentStore)
	timeline, ok2 := st.(data.GridTimeline)
	if !ok1 || !ok2 {
		return nil, errors.New("this store keeps no incidents")
	}
	datum, err := crs.Parse(ds.Meta.Datum)
	if err != nil {
		return nil, fmt.Errorf("dataset %q: datum: %w", ds.Meta.Name, err)
	}
	zone, err := ds.Meta.Location()
	if err != nil {
		return nil, fmt.Errorf("dataset %q: %w", ds.Meta.Name, err)
	}
	return &Incidents{store: incidents, attributor: data.NewAttributor(timeline, nil), datum: datum, zone: zone}, nil
}

// File is an incident file read and not yet checked.
type File struct {
	name string
	body []byte
	rows []intake.Row
	// CRS is the coordinate system the file names for itself, "" when it
	// names none.
	CRS string
}

// Read reads the incident file name whose content is body; times without
// an offset are the dataset's local time. A file that cannot be read as
// incidents at all is an ErrRejected error.
func (imp *Incidents) Read(name string, body []byte) (*File, error) {
	rows, fileCRS, err := intake.ParseFile(name, body, imp.zone)
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %w", ErrRejected, name, err)
	}
	return &File{name: name, body: body, rows: rows, CRS: fileCRS}, nil
}

// Import checks every row of f, whose points are in the system from,
// attributes the good ones and, unless the report refuses (bad rows
// without SkipBad, none good, a dry run), stores them in one batch under a
// key made of the file and the options, so the same import twice stores
// it once.
func (imp *Incidents) Import(ctx context.Context, f *File, from crs.CRS, o Options) (*Report, error) {
	run := &incidentRun{Incidents: imp, rows: f.rows, from: from}
	rep := &Report{File: f.name, Rows: len(f.rows), DryRun: o.DryRun}
	run.check(time.Now())
	if err := run.attribute(ctx); err != nil {
		return nil, err
	}
	rep.fill(run.rows, len(run.good()))
	if rep.refused(o) {
		return rep, nil
	}
	return rep, run.commit(ctx, incidentKey(f.body, from, o.SkipBad), o.SkipBad, rep)
}

// incidentRun carries the rows of a file through checking, attribution
// and storing.
type incidentRun struct {
	*Incidents
	rows     []intake.Row
	from     crs.CRS
	asOf     time.Time
	goodRows []int // rows[goodRows[i]] is good()[i]
}

// commit stores the good rows in one batch under key, attributing them
// again when the grids changed meanwhile and, with skipBad, leaving out
// the rows the store refuses; rep is marked failed when nothing was
// imported for a bad row.
func (run *incidentRun) commit(ctx context.Context, key string, skipBad bool, rep *Report) error {
	good := run.good()
	for attempt := 0; ; attempt++ {
		res, err := run.store.AddIncidents(ctx, data.IncidentBatch{Incidents: good, Key: key, Scope: data.ScopeCommandLine, GridsAsOf: run.asOf})
		var ie *data.IncidentError
		switch {
		case errors.Is(err, data.ErrStaleAttribution) && attempt < 2:
			if err := run.attribute(ctx); err != nil {
				return err
			}
			good = run.good()
			continue
		case errors.As(err, &ie):
			run.blame(ie)
			good = run.good()
			rep.fill(run.rows, len(good))
			if skipBad && len(good) > 0 && attempt < 2 {
				continue
			}
			rep.Failed = true
			return nil
		case err != nil:
			return fmt.Errorf("storing the incidents (nothing was stored): %w", err)
		}
		rep.Imported, rep.Replayed = len(res.IDs), res.Replayed
		if len(res.IDs) > 0 {
			rep.FirstID, rep.LastID = res.IDs[0], res.IDs[len(res.IDs)-1]
		}
		return nil
	}
}

// check converts each row's location into the dataset's datum and notes
// what NormalizeIncident finds wrong.
func (run *incidentRun) check(now time.Time) {
	for i := range run.rows {
		r := &run.rows[i]
		if len(r.Problems) > 0 {
			continue
		}
		r.Incident.Location = crs.Convert(r.Incident.Location, run.from, run.datum)
		for _, p := range data.NormalizeIncident(&r.Incident, now) {
			r.Problems = append(r.Problems, p.Field+": "+p.Reason)
		}
	}
}

// attribute attributes every row without problems; rows outside every
// grid in force at their time get a problem.
func (run *incidentRun) attribute(ctx context.Context) error {
	var idx []int
	var batch []geo.Incident
	for i := range run.rows {
		if len(run.rows[i].Problems) == 0 {
			idx = append(idx, i)
			batch = append(batch, run.rows[i].Incident)
		}
	}
	b := data.IncidentBatch{Incidents: batch}
	err := run.attributor.Attribute(ctx, &b)
	run.asOf = b.GridsAsOf
	var ie *data.IncidentError
	if err != nil && !errors.As(err, &ie) {
		return fmt.Errorf("attributing the incidents: %w", err)
	}
	for k, i := range idx {
		run.rows[i].Incident = batch[k]
	}
	if ie != nil {
		for _, p := range ie.Problems {
			r := &run.rows[idx[p.Index]]
			r.Problems = append(r.Problems, outsideEveryGrid(crs.Convert(r.Incident.Location, run.datum, run.from), run.from, r.Incident.OccurredAt.In(run.zone)))
		}
	}
	return nil
}

// outsideEveryGrid is the problem of a point, given in from, that no grid
// in force at the time held.
func outsideEveryGrid(p orb.Point, from crs.CRS, at time.Time) string {
	return fmt.Sprintf("the point lon %.6f, lat %.6f (%s) is outside every grid in force at %s; is it in the county, and is --crs right?",
		p[0], p[1], from.Label(), at.Format(time.RFC3339))
}

// good returns the rows without problems, in file order.
func (run *incidentRun) good() []geo.Incident {
	run.goodRows = run.goodRows[:0]
	var out []geo.Incident
	for i := range run.rows {
		if len(run.rows[i].Problems) == 0 {
			out = append(out, run.rows[i].Incident)
			run.goodRows = append(run.goodRows, i)
		}
	}
	return out
}

// blame gives the rows the store refused their problems.
func (run *incidentRun) blame(ie *data.IncidentError) {
	for _, p := range ie.Problems {
		if p.Index < len(run.goodRows) {
			r := &run.rows[run.goodRows[p.Index]]
			r.Problems = append(r.Problems, strings.TrimPrefix(p.Field+": "+p.Reason, ": "))
		}
	}
}

// incidentKey makes importing the same file with the same options twice
// store it once.
func incidentKey(body []byte, from crs.CRS, skipBad bool) string {
	h := sha256.New()
	h.Write(body)
	fmt.Fprintf(h, "|%s|%t", from, skipBad)
	return "import:" + hex.EncodeToString(h.Sum(nil))
}
