package incidents

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"jingge/api/intake"
	"jingge/api/locate"
	"jingge/data"
	"jingge/geo"
	"jingge/geo/crs"
)

// Created answers POST /api/v1/incidents.
type Created struct {
	Count int `json:"count"`
	// Replayed reports that the Idempotency-Key was used before: nothing
	// new was stored and the ids are those of the first request.
	Replayed  bool              `json:"replayed"`
	Incidents []CreatedIncident `json:"incidents"`
}

// CreatedIncident is one stored incident and where it was attributed; the
// grids and station are left out of a replayed answer.
type CreatedIncident struct {
	ID            string `json:"id"`
	CommunityGrid string `json:"community_grid,omitempty"`
	PoliceGrid    string `json:"police_grid,omitempty"`
	Station       string `json:"station,omitempty"`
}

// Batch is a body of incidents decoded, not yet attributed or stored.
type Batch struct {
	in   *intake.Body
	from crs.CRS
}

// Decode reads a body of incidents (GeoJSON or the compact form) with
// times given without an offset in zone, the dataset's. Every refusal is
// a *data.RequestError naming the members at fault.
func (s *Service) Decode(body []byte, zone *time.Location) (*Batch, error) {
	in, err := intake.Decode(body, intake.Options{MaxCount: s.maxBatch, Zone: zone})
	if err != nil {
		return nil, err
	}
	from, err := locate.ParseCRS("crs", in.CRS)
	if err != nil {
		return nil, err
	}
	return &Batch{in: in, from: from}, nil
}

// Create attributes each incident of b to the grids in force when it
// occurred and stores the batch under key (an Idempotency-Key, "" for
// none) in scope (whose keys they are). A batch already stored under key
// is answered as it was (Created.Replayed). Every refusal is a
// *data.RequestError naming each bad incident as the client sent it. Only
// when CanCreate.
func (s *Service) Create(ctx context.Context, l *locate.Locator, b *Batch, key, scope string) (*Created, error) {
	in, from, loc := b.in, b.from, l.Index().Location()
	batch := make([]geo.Incident, len(in.Incidents))
	for i, inc := range in.Incidents {
		inc.Location = l.ToDatum(inc.Location, from)
		batch[i] = inc
	}
	if err := data.NormalizeIncidents(batch, time.Now()); err != nil {
		return nil, refusal(err, in, from, loc)
	}
	res, err := s.add(ctx, batch, key, scope)
	if err != nil {
		return nil, refusal(err, in, from, loc)
	}
	out := &Created{Count: len(res.IDs), Replayed: res.Replayed, Incidents: make([]CreatedIncident, len(res.IDs))}
	for i, id := range res.IDs {
		out.Incidents[i].ID = id
		if !res.Replayed {
			out.Incidents[i].CommunityGrid, out.Incidents[i].PoliceGrid, out.Incidents[i].Station = batch[i].CommunityGridID, batch[i].PoliceGridID, batch[i].StationID
		}
	}
	return out, nil
}

// refusal turns the errors of validating, attributing or storing a batch
// into a refusal naming each bad incident as the client sent it, with
// times in loc.
func refusal(err error, in *intake.Body, from crs.CRS, loc *time.Location) error {
	var ie *data.IncidentError
	if !errors.As(err, &ie) {
		return err
	}
	var params []data.Param
	outside := false
	for _, p := range ie.Problems {
		if len(params) == intake.MaxReported {
			break
		}
		name := in.Names[p.Index]
		where := name
		if where == "" {
			where = "the incident"
		}
		reason := where + ": " + p.Reason
		if p.Field == "location" && strings.Contains(p.Reason, "outside every grid") {
			outside = true
			pt := in.Incidents[p.Index].Location
			reason = fmt.Sprintf("%s at lon %g, lat %g (%s) is outside every grid in force when it occurred (%s); an incident must lie in the county",
				where, pt[0], pt[1], from.Label(), in.Incidents[p.Index].OccurredAt.In(loc).Format(time.RFC3339Nano))
		}
		if p.Field != "" {
			name = intake.Member(name, p.Field)
		}
		if name == "" {
			name = "body"
		}
		params = append(params, data.Param{Name: name, Reason: reason})
	}
	re := data.InvalidParams(params...)
	re.Message = fmt.Sprintf("%d problem(s) in the batch, nothing was stored: %s", len(ie.Problems), re.Message)
	if outside {
		re.Type = "outside-grids"
	}
	return re
}
